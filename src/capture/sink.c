/*
 * sink.c - how the service's files reach its pools and its sink (internal.h): a
 * leaf, so that the context (capture.c) and the workers never call in a circle.
 */
#include "capture/internal.h"

int ts_cap__query(struct ts_cap *cap, enum ts_module m, const char *what, const char *sql,
                  int nparams, const char *const *params, PGresult **out, struct ts_err *err)
{
    return ts_pool_query(cap->pools[m], what, sql, nparams, params, out, err);
}

void ts_cap__publish(struct ts_cap *cap, const char *topic, const char *msg, size_t len)
{
    if (cap->sink.publish) {
        cap->sink.publish(cap->sink.ctx, topic, msg, len);
    }
}

bool ts_cap__listening(struct ts_cap *cap)
{
    return cap->sink.publish && (!cap->sink.listening || cap->sink.listening(cap->sink.ctx));
}
