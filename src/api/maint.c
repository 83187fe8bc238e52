/* maint.c - the maintenance loop. See maint.h. */
#include "api/maint.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/feed.h"
#include "api/respond.h"
#include "api/stream.h"
#include "oms/oms.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/tstime.h"

#define PARTITIONS_EVERY_NS (600 * TS_NS_PER_SEC)

struct ts_maint {
    bool bars_caught_up; /* the first turn's rollup is done (maint thread) */
    struct ts_api *api;
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
        if (ts_api_query(m->api, (enum ts_module)i, "maintain partitions",
                         "SELECT public.ts_partition_maintain(now()),"
                         " (SELECT coalesce(sum(n), 0) FROM public.ts_default_partition_rows() d(t, n))",
                         0, NULL, &r, &err)) {
            ts_warn("maint", "%s: %s", ts_db_module_name((enum ts_module)i), err.msg);
        } else if (strtoll(PQgetvalue(r, 0, 1), NULL, 10) > 0) {
            ts_warn("maint", "%s: %s rows are in default partitions (outside every partition's "
                             "range): see GET /api/v1/health",
                    ts_db_module_name((enum ts_module)i), PQgetvalue(r, 0, 1));
        }
        PQclear(r);
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
    if (ts_api_query(m->api, TS_MOD_DATA_CAPTURE, "roll up 1-minute bars",
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
    struct ts_api *api = m->api;
    struct ts_err err = TS_ERR_INIT;
    PGresult *r = NULL;
    if (!api->stream) {
        return;
    }
    if (ts_api_query(api, TS_MOD_DATA_CAPTURE, "read the latest bars",
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
    for (int i = 0; i < PQntuples(r); i++) {
        char topic[80];
        struct ts_buf b = TS_BUF_INIT;
        snprintf(topic, sizeof(topic), "bars:%s:1m", PQgetvalue(r, i, 0));
        ts_buf_addf(&b, "{\"topic\":\"%s\",\"type\":\"Bars\",\"time\":\"%s\",\"data\":%s}",
                    topic, now, PQgetvalue(r, i, 1));
        ts_stream_publish_market(api->stream, topic, b.buf, b.len);
        ts_buf_release(&b);
    }
    PQclear(r);
}

/* The status topic: database, feed, kill switch (conflated: the latest wins). */
static void status(struct ts_maint *m, bool db_up)
{
    struct ts_api *api = m->api;
    struct ts_buf b = TS_BUF_INIT, feed = TS_BUF_INIT;
    char now[40];
    if (!api->stream) {
        return;
    }
    ts_time_format_rfc3339(ts_now_ns(), now, sizeof(now));
    if (api->feed) {
        ts_feed_status(api->feed, &feed);
    } else {
        ts_buf_adds(&feed, "{\"feed\":\"none\",\"state\":\"off\"}");
    }
    struct ts_oms_metrics om;
    memset(&om, 0, sizeof(om));
    if (api->oms) {
        ts_oms_get_metrics(api->oms, &om);
    }
    ts_buf_addf(&b,
                "{\"topic\":\"status\",\"type\":\"Status\",\"time\":\"%s\",\"data\":{"
                "\"database\":\"%s\",\"order_manager\":\"%s\",\"kill_switch\":%s,\"feed\":%s}}",
                now, db_up ? "up" : "down", api->oms ? "running" : "off",
                om.kill_switch ? "true" : "false", feed.buf);
    ts_stream_publish_market(api->stream, "status", b.buf, b.len);
    ts_buf_release(&feed);
    ts_buf_release(&b);
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
        status(m, db_up);
        pthread_mutex_lock(&m->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t ns = until.tv_nsec + m->bars_every_ns;
        until.tv_sec += (time_t)(ns / TS_NS_PER_SEC);
        until.tv_nsec = (long)(ns % TS_NS_PER_SEC);
        if (!m->stopping) {
            pthread_cond_timedwait(&m->wake, &m->lock, &until);
        }
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

int ts_maint_start(struct ts_api *api, struct ts_maint **out, struct ts_err *err)
{
    struct ts_maint *m = ts_xcalloc(1, sizeof(*m));
    const char *every = getenv("TS_BARS_REFRESH_MS");
    long ms = every && *every ? strtol(every, NULL, 10) : 5000;
    m->api = api;
    m->bars_every_ns = (ms >= 100 && ms <= 3600000 ? ms : 5000) * TS_NS_PER_MS;
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->wake, NULL);
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
