/*
 * capture.c - the service's context: its pools, books, ingest cache and sink
 * (capture.h). The work is in ingest.c, feed.c, bridge.c, maint.c and replayer.c;
 * how they reach the pools and the sink is sink.c.
 */
#include "capture/capture.h"

#include <string.h>

#include "capture/internal.h"

int ts_cap_init(struct ts_cap *cap, const struct ts_db_config *cfg, const struct ts_cap_sink *sink,
                struct ts_err *err)
{
    memset(cap, 0, sizeof(*cap));
    cap->cfg = cfg;
    if (sink) {
        cap->sink = *sink;
    }
    cap->books = ts_books_new();
    cap->ingest = ts_cap__ingest_cache_new();
    for (int i = 0; i < TS_MOD_COUNT; i++) {
        int rc =
            ts_pool_new(cfg->conninfo[i], i == TS_MOD_DATA_CAPTURE ? 4 : 1, &cap->pools[i], err);
        if (rc) {
            ts_cap_release(cap);
            return rc;
        }
    }
    return 0;
}

void ts_cap_release(struct ts_cap *cap)
{
    ts_books_free(cap->books);
    cap->books = NULL;
    ts_cap__ingest_cache_free(cap->ingest);
    cap->ingest = NULL;
    for (int i = 0; i < TS_MOD_COUNT; i++) {
        ts_pool_free(cap->pools[i]);
        cap->pools[i] = NULL;
    }
}

bool ts_cap_book_json(struct ts_cap *cap, const char *symbol, int levels, struct ts_buf *out)
{
    return cap->books && ts_books_json(cap->books, symbol, levels, out);
}
