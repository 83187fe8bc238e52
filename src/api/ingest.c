/* ingest.c - new ticks into the system. See ingest.h. */
#include "api/ingest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/respond.h"
#include "api/stream.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/tstime.h"
#include "oms/oms.h"

static const char *const aggressors[] = {"BUY", "SELL", "NEUTRAL"};

static void col_add(struct ts_buf *b, const char *v)
{
    ts_buf_addch(b, b->len ? ',' : '{');
    ts_buf_adds(b, v);
}

/* ticks:SYMBOL on the streams: {"topic","type":"Tick","time","data":{...}} */
static void publish_tick(struct ts_api *api, const struct ts_tick *t)
{
    char topic[64], time[40], price[48], vol[48];
    struct ts_buf m = TS_BUF_INIT;
    snprintf(topic, sizeof(topic), "ticks:%s", t->symbol);
    ts_time_format_rfc3339(t->time_ns, time, sizeof(time));
    ts_dec_format(t->price, price, sizeof(price));
    ts_dec_format(t->volume, vol, sizeof(vol));
    ts_buf_addf(&m,
                "{\"topic\":\"%s\",\"type\":\"Tick\",\"time\":\"%s\",\"data\":{\"symbol\":\"%s\","
                "\"price\":\"%s\",\"volume\":\"%s\",\"aggressor\":\"%s\",\"tick_time\":\"%s\","
                "\"trade_id\":%" PRId64 "}}",
                topic, time, t->symbol, price, vol, aggressors[t->aggressor % 3], time,
                t->trade_id);
    ts_stream_publish_market(api->stream, topic, m.buf, m.len);
    ts_buf_release(&m);
}

/*
 * Ticks older than a minute (replays, late prints) are behind the bars' rollup
 * watermark, which only looks back 2 minutes: the minutes they touch are rebuilt
 * now. Bars are derived data: a failure is logged, never fatal.
 */
static void rebuild_late_bars(struct ts_api *api, const struct ts_tick *t, size_t n)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        lo = t[i].time_ns < lo ? t[i].time_ns : lo;
        hi = t[i].time_ns > hi ? t[i].time_ns : hi;
    }
    if (lo >= ts_now_ns() - 60 * TS_NS_PER_SEC) {
        return; /* live: the rollup takes them */
    }
    ts_api_rebuild_bars(api, lo, hi);
}

void ts_api_rebuild_bars(struct ts_api *api, int64_t from_ns, int64_t to_ns)
{
    char from[40], to[40];
    struct ts_err err = TS_ERR_INIT;
    ts_time_format_rfc3339(from_ns, from, sizeof(from));
    ts_time_format_rfc3339(to_ns, to, sizeof(to));
    const char *p[2] = {from, to};
    if (ts_api_query(api, TS_MOD_DATA_CAPTURE, "rebuild bars",
                     "SELECT data_capture.rebuild_market_bars_1m($1::timestamptz,"
                     " date_trunc('minute', $2::timestamptz, 'UTC') + interval '1 minute')",
                     2, p, NULL, &err)) {
        ts_warn("ingest", "bars of [%s, %s] not rebuilt: %s", from, to, err.msg);
    }
}

void ts_api_publish_ticks(struct ts_api *api, const struct ts_tick *t, size_t n)
{
    for (size_t i = 0; api->stream && i < n; i++) {
        publish_tick(api, &t[i]);
    }
}

int ts_api_ingest_ticks(struct ts_api *api, const char *source, struct ts_tick *t, size_t n,
                        struct ts_ingest_result *res, struct ts_err *err)
{
    return ts_api_ingest_ticks_ex(api, source, t, n, TS_INGEST_PUBLISH | TS_INGEST_BARS, res,
                                  err);
}

int ts_api_ingest_ticks_ex(struct ts_api *api, const char *source, struct ts_tick *t, size_t n,
                           unsigned flags, struct ts_ingest_result *res, struct ts_err *err)
{
    bool publish = flags & TS_INGEST_PUBLISH;
    struct ts_buf col[6];
    PGresult *r = NULL;
    bool *fresh = ts_xcalloc(n ? n : 1, sizeof(*fresh));
    int rc;

    res->stored = 0;
    res->fills = 0;
    res->oms_status = 200;
    ts_buf_init(&res->oms_body);
    for (int c = 0; c < 6; c++) {
        ts_buf_init(&col[c]);
    }
    for (size_t i = 0; i < n; i++) {
        char v[48];
        col_add(&col[0], t[i].symbol); /* [A-Z0-9]: no quoting needed in an array literal */
        ts_time_format_rfc3339(t[i].time_ns, v, sizeof(v));
        col_add(&col[1], v);
        snprintf(v, sizeof(v), "%" PRId64, t[i].trade_id);
        col_add(&col[2], v);
        ts_dec_format(t[i].price, v, sizeof(v));
        col_add(&col[3], v);
        ts_dec_format(t[i].volume, v, sizeof(v));
        col_add(&col[4], v);
        col_add(&col[5], aggressors[t[i].aggressor % 3]);
    }
    for (int c = 0; c < 6; c++) {
        ts_buf_adds(&col[c], col[c].len ? "}" : "{}");
    }
    /* a tick repeated inside the batch is stored once and fed once (its first ordinal) */
    const char *p[7] = {col[0].buf, col[1].buf, col[2].buf, col[3].buf,
                        col[4].buf, col[5].buf, source};
    rc = ts_api_query(
        api, TS_MOD_DATA_CAPTURE, "store ticks",
        "WITH u AS (SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[],"
        "  $4::numeric[], $5::numeric[], $6::text[]) WITH ORDINALITY AS u(s, t, id, p, v, a, n)),"
        " ins AS (INSERT INTO data_capture.market_ticks (symbol, tick_time, trade_id, exchange,"
        "  price, volume, aggressor, source)"
        "  SELECT u.s, u.t, u.id, i.exchange, u.p, u.v, u.a, left($7, 50)"
        "  FROM u JOIN data_capture.instruments i ON i.symbol = u.s"
        "  ON CONFLICT DO NOTHING RETURNING symbol, tick_time, trade_id)"
        " SELECT min(u.n) FROM ins JOIN u ON (u.s, u.t, u.id) = (ins.symbol, ins.tick_time,"
        "  ins.trade_id) GROUP BY ins.symbol, ins.tick_time, ins.trade_id",
        7, p, &r, err);
    if (rc) {
        goto out;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        long long k = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        if (k >= 1 && (size_t)k <= n) {
            fresh[k - 1] = true;
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (fresh[i]) {
            t[k++] = t[i];
            if (publish && api->stream) {
                publish_tick(api, &t[i]);
            }
        }
    }
    res->stored = k;
    if (k && (flags & TS_INGEST_BARS)) {
        rebuild_late_bars(api, t, k);
    }
    if (k && api->oms) {
        struct ts_oms_answer ans;
        ts_oms_ticks(api->oms, source, t, (int)k, &ans);
        res->oms_status = ans.status;
        if (ans.status == 200) {
            res->fills = ans.fills;
            ts_buf_release(&ans.body);
        } else {
            res->oms_body = ans.body;
        }
    }
out:
    PQclear(r);
    for (int c = 0; c < 6; c++) {
        ts_buf_release(&col[c]);
    }
    ts_free(fresh);
    return rc;
}
