/* maint.c - the maintenance loop. See capture.h "maintenance". */
#include "capture/capture.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/internal.h"
#include "core/deadline.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/tstime.h"

#define PARTITIONS_EVERY_NS (600 * TS_NS_PER_SEC)

struct ts_maint {
    bool bars_caught_up; /* the first turn's rollup is done (maint thread) */
    struct ts_cap *cap;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    int64_t bars_every_ns;
};

static void partitions(struct ts_maint *m)
{
    for (int i = 0; i < TS_MOD_COUNT; i++) {
        struct ts_err err = TS_ERR_INIT;
        PGresult *r = NULL;
        if (ts_cap__query(
                m->cap, (enum ts_module)i, "maintain partitions",
                "SELECT public.ts_partition_maintain(now()),"
                " (SELECT coalesce(sum(n), 0) FROM public.ts_default_partition_rows() d(t, n))",
                0, NULL, &r, &err)) {
            ts_warn("maint", "%s: %s", ts_db_module_name((enum ts_module)i), err.msg);
        } else if (strtoll(ts_db_val(r, 0, 1), NULL, 10) > 0) {
            ts_warn("maint",
                    "%s: %s rows are in default partitions (outside every partition's "
                    "range): see GET /cap/v1/health",
                    ts_db_module_name((enum ts_module)i), ts_db_val(r, 0, 1));
        }
        ts_db_clear(r);
    }
}

/*
 * Bars are merged by the ingest path in the ticks' own transaction (ingest.h), so a
 * turn only moves the rollup's watermark (bars are complete up to now). The first
 * turn rebuilds the bars from 15 s before the watermark: ticks stored by other
 * means just before a restart. False when the database does not answer.
 */
static bool bars(struct ts_maint *m)
{
    struct ts_err err = TS_ERR_INIT;
    if (ts_cap__query(
            m->cap, TS_MOD_DATA_CAPTURE, "roll up 1-minute bars",
            m->bars_caught_up
                ? "UPDATE data_capture.rollup_watermarks SET watermark ="
                  " greatest(watermark, now()), refreshed_at = now()"
                  " WHERE rollup = 'market_bars_1m'"
                : "SELECT data_capture.rollup_market_bars_1m(now(), interval '15 seconds')",
            0, NULL, NULL, &err)) {
        ts_warn("maint", "bars not refreshed: %s", err.msg);
        return false;
    }
    m->bars_caught_up = true;
    return true;
}

/*
 * bars:SYMBOL:1m on the streams: for each symbol that traded in the last two
 * minutes, its previous and current 1-minute bars in one message (conflated: a
 * slow client still gets the final state of the bar that just closed).
 */
static void publish_bars(struct ts_maint *m)
{
    struct ts_cap *cap = m->cap;
    struct ts_err err = TS_ERR_INIT;
    PGresult *r = NULL;
    if (!ts_cap__listening(cap)) {
        return;
    }
    if (ts_cap__query(cap, TS_MOD_DATA_CAPTURE, "read the latest bars",
                      "SELECT symbol, json_agg(json_build_object('bucket', to_char(bucket AT TIME"
                      " ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'open', open::text, 'high',"
                      " high::text, 'low', low::text, 'close', close::text, 'volume', volume::text,"
                      " 'trade_count', trade_count) ORDER BY bucket)::text"
                      " FROM data_capture.market_bars_1m"
                      " WHERE bucket >= date_trunc('minute', now(), 'UTC') - interval '1 minute'"
                      " GROUP BY symbol",
                      0, NULL, &r, &err)) {
        ts_warn("maint", "bars not streamed: %s", err.msg);
        return;
    }
    char now[40];
    ts_time_format_rfc3339(ts_now_ns(), now, sizeof(now));
    for (int i = 0; i < ts_db_nrows(r); i++) {
        char topic[80];
        struct ts_buf b = TS_BUF_INIT;
        snprintf(topic, sizeof(topic), "bars:%s:1m", ts_db_val(r, i, 0));
        ts_buf_addf(&b, "{\"topic\":\"%s\",\"type\":\"Bars\",\"time\":\"%s\",\"data\":%s}", topic,
                    now, ts_db_val(r, i, 1));
        ts_cap__publish(cap, topic, b.buf, b.len);
        ts_buf_release(&b);
    }
    ts_db_clear(r);
}

static void *maint_main(void *arg)
{
    struct ts_maint *m = arg;
    int64_t next_parts = 0;
    pthread_mutex_lock(&m->lock);
    while (!m->stopping) {
        pthread_mutex_unlock(&m->lock);
        int64_t now = ts_mono_ns();
        if (now >= next_parts) {
            partitions(m);
            next_parts = now + PARTITIONS_EVERY_NS;
        }
        bool db_up = bars(m);
        if (db_up) {
            publish_bars(m);
        }
        if (m->cap->sink.maint_turn) {
            m->cap->sink.maint_turn(m->cap->sink.ctx, db_up);
        }
        pthread_mutex_lock(&m->lock);
        int64_t deadline = ts_mono_ns() + m->bars_every_ns;
        while (!m->stopping && ts_cond_wait_until(&m->wake, &m->lock, deadline)) {
        }
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

int ts_maint_start(struct ts_cap *cap, struct ts_maint **out, struct ts_err *err)
{
    struct ts_maint *m = ts_xcalloc(1, sizeof(*m));
    const char *every = getenv("TS_BARS_REFRESH_MS");
    long ms = every && *every ? strtol(every, NULL, 10) : 5000;
    m->cap = cap;
    m->bars_every_ns = (ms >= 100 && ms <= 3600000 ? ms : 5000) * TS_NS_PER_MS;
    pthread_mutex_init(&m->lock, NULL);
    ts_cond_init_mono(&m->wake);
    if (pthread_create(&m->thread, NULL, maint_main, m)) {
        pthread_mutex_destroy(&m->lock);
        pthread_cond_destroy(&m->wake);
        ts_free(m);
        return ts_err_set(err, TS_EIO, "cannot start the maintenance thread");
    }
    *out = m;
    return 0;
}

void ts_maint_stop(struct ts_maint *m)
{
    if (!m) {
        return;
    }
    pthread_mutex_lock(&m->lock);
    m->stopping = true;
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->thread, NULL);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->wake);
    ts_free(m);
}
