/*
 * ingest.h - new ticks into the system, from any source (POST /market/ticks, the
 * feeds, replay): stored once in data_capture.market_ticks, then only the new
 * ones, in the order given, go to the streams (ticks:SYMBOL) and to the order
 * manager (paper venue and marks). A batch is one transaction: a binary COPY
 * straight into the table when none of it is stored yet, else (the key refuses
 * it) a binary COPY into a staging table and INSERT .. ON CONFLICT DO NOTHING,
 * which says which ticks were new (see ingest.c). The new ticks' 1-minute bars
 * are merged into data_capture.market_bars_1m in the same transaction, so bars
 * are never behind the ticks, whatever order the ticks come in.
 *
 * Ticks of symbols missing from the instrument master are not stored (the
 * caller checks them first when it must refuse them). Any thread.
 */
#ifndef TS_API_INGEST_H
#define TS_API_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "api/api.h"
#include "domain/tick.h"

struct ts_ingest_result {
    size_t stored;  /* new ticks */
    int fills;      /* paper fills they caused */
    int oms_status; /* 200, or the order manager's status when it refused (body below) */
    struct ts_buf oms_body; /* the order manager's answer when oms_status != 200 */
};

/* t[0..n-1] (times already in microseconds) are compacted to the new ones. */
int ts_api_ingest_ticks(struct ts_api *api, const char *source, struct ts_tick *t, size_t n,
                        struct ts_ingest_result *res, struct ts_err *err) TS_MUST_CHECK;

/* The same, choosing: TS_INGEST_PUBLISH streams the new ticks (a feed that streamed
 * them already, or a bulk load, leaves it out). */
enum { TS_INGEST_PUBLISH = 1 };
int ts_api_ingest_ticks_ex(struct ts_api *api, const char *source, struct ts_tick *t, size_t n,
                           unsigned flags, struct ts_ingest_result *res,
                           struct ts_err *err) TS_MUST_CHECK;
/* A second COPY .. FROM STDIN committed in the same transaction as the ticks
 * (the bridge's callback log): `data` is the whole stream for `copy_sql`. */
struct ts_ingest_extra {
    const char *what;
    const char *copy_sql;
    const char *data;
    size_t len;
};
int ts_api_ingest_ticks_x(struct ts_api *api, const char *source, struct ts_tick *t, size_t n,
                          unsigned flags, const struct ts_ingest_extra *extra,
                          struct ts_ingest_result *res, struct ts_err *err) TS_MUST_CHECK;

/* Batches stored by the COPY fast path and by the careful path so far. */
void ts_ingest_counts(struct ts_api *api, int64_t *copy_batches, int64_t *careful_batches);

/* Whether symbol is in the instrument master (the cache; reloaded at most once a second). */
bool ts_ingest_known(struct ts_api *api, const char *symbol);

/* The symbol -> exchange cache of the COPY path (owned by struct ts_api). */
struct ts_ingest_cache *ts_ingest_cache_new(void);
void ts_ingest_cache_free(struct ts_ingest_cache *c);

/* ticks:SYMBOL messages for t[0..n-1] now (any thread). */
void ts_api_publish_ticks(struct ts_api *api, const struct ts_tick *t, size_t n);

/* Recomputes the 1-minute bars of the minutes in [from_ns, to_ns] (after cancels). */
void ts_api_rebuild_bars(struct ts_api *api, int64_t from_ns, int64_t to_ns);

#endif
