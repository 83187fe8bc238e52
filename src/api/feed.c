/* feed.c - the sim feed's thread. See feed.h. */
#include "api/feed.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/books.h"
#include "api/ingest.h"
#include "api/stream.h"
#include "api/respond.h"
#include "capture/sim.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/tstime.h"
#include "oms/oms.h"

#define STEP_NS (10 * 1000 * 1000LL) /* the generator wakes every 10 ms */
#define MAX_BATCH 10000                /* ticks stored in one statement */
#define QUEUE_CAP (1 << 17)            /* ticks generated and not yet stored (~13 MB) */

/*
 * Two threads: the generator makes the due ticks every 10 ms, streams them at once
 * (a tick reaches the clients before it is stored: latency is not the database's)
 * and queues them; the storer takes up to MAX_BATCH at a time through the ingest
 * path (stored once, then the paper venue). The queue is bounded: when the
 * database is slower than the rate the generator waits (backpressure, counted),
 * so memory never grows and no tick is dropped.
 */
struct ts_feed {
    struct ts_api *api;
    struct ts_feed_config cfg;
    struct ts_sim sim; /* generator only */
    pthread_t gen, store;
    bool store_started;
    atomic_bool stopping;
    atomic_bool paused;    /* POST /feed/stop: the generator makes nothing until start */
    int64_t store_us[256]; /* the last store batches' durations (under lock) */
    uint64_t nstore;
    int64_t started_ns;
    _Atomic int64_t generated, stored, errors, last_tick_ns, waits;
    pthread_mutex_t lock; /* guards last_error and the queue */
    pthread_cond_t not_empty, not_full;
    struct ts_tick *queue; /* ring of QUEUE_CAP */
    size_t head, count;
    char last_error[sizeof(((struct ts_err *)0)->msg)];
};

/* Inserts the sim's instruments that the master lacks; continues each symbol's tape. */
static int prepare(struct ts_feed *f, struct ts_err *err)
{
    struct ts_api *api = f->api;
    PGresult *r = NULL;
    int rc = 0;
    for (size_t i = 0; i < ts_sim_default_market_len && !rc; i++) {
        const struct ts_sim_instrument *in = &ts_sim_default_market[i];
        char lot[48], tick[48];
        ts_dec_format(in->lot_size, lot, sizeof(lot));
        ts_dec_format(in->tick_size, tick, sizeof(tick));
        const char *p[5] = {in->symbol, in->asset_class, in->name, lot, tick};
        rc = ts_api_query(api, TS_MOD_DATA_CAPTURE, "seed the simulated instruments",
                          "INSERT INTO data_capture.instruments (symbol, exchange, asset_class,"
                          " name, lot_size, tick_size, metadata) VALUES ($1, 'B3', $2, $3, $4, $5,"
                          " '{\"source\":\"sim\"}') ON CONFLICT (symbol) DO NOTHING",
                          5, p, NULL, err);
    }
    /* a trader with nothing set up yet gets a paper account and a manual strategy */
    if (!rc) {
        rc = ts_api_query(api, TS_MOD_ORDER_MANAGER, "seed a paper account",
                          "INSERT INTO order_manager.accounts (name, broker_account, metadata)"
                          " SELECT 'Paper', 'PAPER-1', '{\"source\":\"sim\"}' WHERE NOT EXISTS"
                          " (SELECT 1 FROM order_manager.accounts)",
                          0, NULL, NULL, err);
    }
    if (!rc) {
        rc = ts_api_query(api, TS_MOD_ORDER_MANAGER, "seed a manual strategy",
                          "INSERT INTO order_manager.strategies (name, description, strategy_type,"
                          " status, created_by, metadata) SELECT 'Manual', 'Orders placed by hand',"
                          " 'MANUAL', 'ACTIVE', 'system', '{\"source\":\"sim\"}' WHERE NOT EXISTS"
                          " (SELECT 1 FROM order_manager.strategies)",
                          0, NULL, NULL, err);
    }
    if (rc || (rc = ts_sim_init(&f->sim, ts_sim_default_market, ts_sim_default_market_len,
                                f->cfg.seed, err))) {
        return rc;
    }
    struct ts_buf syms = TS_BUF_INIT;
    for (size_t i = 0; i < f->sim.n; i++) {
        ts_buf_addf(&syms, "%s%s", i ? "," : "{", f->sim.sym[i].in.symbol);
    }
    ts_buf_addch(&syms, '}');
    const char *p[1] = {syms.buf};
    rc = ts_api_query(api, TS_MOD_DATA_CAPTURE, "read the last ticks",
                      "SELECT s, t.price, t.trade_id FROM unnest($1::text[]) WITH ORDINALITY"
                      " AS u(s, n) LEFT JOIN LATERAL (SELECT price, trade_id FROM"
                      " data_capture.market_ticks WHERE symbol = u.s ORDER BY tick_time DESC,"
                      " trade_id DESC LIMIT 1) t ON true ORDER BY u.n",
                      1, p, &r, err);
    ts_buf_release(&syms);
    for (int i = 0; !rc && i < PQntuples(r) && (size_t)i < f->sim.n; i++) {
        ts_dec px;
        if (!PQgetisnull(r, i, 1) && !ts_dec_parse(PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1), &px)) {
            ts_sim_set_last(&f->sim, (size_t)i, px, strtoll(PQgetvalue(r, i, 2), NULL, 10));
        }
    }
    PQclear(r);
    if (!rc && api->oms) {
        rc = ts_oms_reload(api->oms,
                           TS_OMS_RELOAD_INSTRUMENTS | TS_OMS_RELOAD_ACCOUNTS |
                               TS_OMS_RELOAD_STRATEGIES,
                           err);
    }
    return rc;
}

static void set_error(struct ts_feed *f, const char *msg)
{
    pthread_mutex_lock(&f->lock);
    snprintf(f->last_error, sizeof(f->last_error), "%s", msg);
    pthread_mutex_unlock(&f->lock);
}

/*
 * The sim's L2 books: after the batch, each symbol that traded gets a full book of
 * BOOK_LEVELS levels a tick apart around its last trade, volumes in lots; then its
 * book:SYMBOL value is streamed.
 */
#define BOOK_LEVELS 5
static void books(struct ts_feed *f, const struct ts_tick *t, size_t n)
{
    for (size_t k = 0; k < f->sim.n; k++) {
        const struct ts_sim_instrument *in = &f->sim.sym[k].in;
        const struct ts_tick *last = NULL;
        for (size_t i = n; i-- > 0 && !last;) {
            last = strcmp(t[i].symbol, in->symbol) ? NULL : &t[i];
        }
        if (!last) {
            continue;
        }
        struct ts_book_level bids[BOOK_LEVELS], asks[BOOK_LEVELS];
        int nb = 0;
        for (int i = 0; i < BOOK_LEVELS; i++) {
            ts_dec lots = (ts_dec)((last->trade_id * 7 + i * 13) % 20 + 1);
            if (last->price - (i + 1) * in->tick_size > 0) {
                bids[nb++] = (struct ts_book_level){last->price - (i + 1) * in->tick_size,
                                                    lots * in->lot_size};
            }
            asks[i] = (struct ts_book_level){last->price + (i + 1) * in->tick_size,
                                             (21 - lots) * in->lot_size};
        }
        struct ts_err err = TS_ERR_INIT;
        struct ts_buf m = TS_BUF_INIT;
        if (!ts_books_full(f->api->books, in->symbol, bids, nb, asks, BOOK_LEVELS, last->time_ns,
                           &err)) {
            ts_buf_addf(&m, "{\"topic\":\"book:%s\",\"type\":\"Book\",\"data\":", in->symbol);
            if (ts_books_json(f->api->books, in->symbol, BOOK_LEVELS, &m)) {
                ts_buf_addch(&m, '}');
                char topic[64];
                snprintf(topic, sizeof(topic), "book:%s", in->symbol);
                ts_stream_publish_market(f->api->stream, topic, m.buf, m.len);
            }
        }
        ts_buf_release(&m);
    }
}

static void *gen_main(void *arg)
{
    struct ts_feed *f = arg;
    struct ts_tick *batch = ts_xcalloc(MAX_BATCH, sizeof(*batch));
    int64_t t0 = ts_mono_ns(), sent = 0;
    while (!atomic_load(&f->stopping)) {
        struct timespec ts = {0, STEP_NS};
        nanosleep(&ts, NULL);
        if (atomic_load(&f->paused)) {
            t0 = ts_mono_ns(); /* on start, the rate resumes from then: no burst */
            sent = 0;
            continue;
        }
        int64_t due = (ts_mono_ns() - t0) / 1000 * f->cfg.rate / 1000000 - sent;
        if (due <= 0) {
            continue;
        }
        if (due > MAX_BATCH) {
            due = MAX_BATCH; /* behind (backpressure): the rate is capped by the database */
            t0 = ts_mono_ns() - (sent + due) * 1000000000LL / f->cfg.rate;
        }
        int64_t now = ts_now_ns();
        now -= now % 1000;
        for (int64_t i = 0; i < due; i++) {
            ts_sim_next(&f->sim, now + i * 1000, &batch[i]); /* a microsecond apart */
        }
        sent += due;
        atomic_fetch_add(&f->generated, due);
        ts_api_publish_ticks(f->api, batch, (size_t)due);
        books(f, batch, (size_t)due);
        pthread_mutex_lock(&f->lock);
        for (int64_t i = 0; i < due && !atomic_load(&f->stopping); i++) {
            while (f->count == QUEUE_CAP && !atomic_load(&f->stopping)) {
                atomic_fetch_add(&f->waits, 1);
                pthread_cond_wait(&f->not_full, &f->lock);
            }
            f->queue[(f->head + f->count) % QUEUE_CAP] = batch[i];
            f->count++;
        }
        pthread_cond_signal(&f->not_empty);
        pthread_mutex_unlock(&f->lock);
    }
    ts_free(batch);
    return NULL;
}

static void *store_main(void *arg)
{
    struct ts_feed *f = arg;
    struct ts_tick *batch = ts_xcalloc(MAX_BATCH, sizeof(*batch));
    bool failing = false;
    for (;;) {
        pthread_mutex_lock(&f->lock);
        while (f->count == 0 && !atomic_load(&f->stopping)) {
            pthread_cond_wait(&f->not_empty, &f->lock);
        }
        if (f->count == 0) {
            pthread_mutex_unlock(&f->lock);
            break; /* stopping, and everything generated is stored */
        }
        size_t n = f->count < MAX_BATCH ? f->count : MAX_BATCH;
        for (size_t i = 0; i < n; i++) {
            batch[i] = f->queue[(f->head + i) % QUEUE_CAP];
        }
        pthread_mutex_unlock(&f->lock);

        struct ts_ingest_result res;
        struct ts_err err = TS_ERR_INIT;
        int64_t t0 = ts_mono_ns();
        if (ts_api_ingest_ticks_ex(f->api, "sim", batch, n, TS_INGEST_BARS, &res, &err)) {
            /* kept in the queue: retried until the database takes them */
            atomic_fetch_add(&f->errors, 1);
            set_error(f, err.msg);
            if (!failing) {
                ts_warn("feed", "sim ticks not stored (will keep trying): %s", err.msg);
                failing = true;
            }
            ts_buf_release(&res.oms_body);
            struct timespec ts = {0, 500 * 1000 * 1000};
            nanosleep(&ts, NULL);
            if (atomic_load(&f->stopping)) {
                break;
            }
            continue;
        }
        if (failing) {
            ts_info("feed", "sim ticks stored again");
            failing = false;
        }
        ts_buf_release(&res.oms_body);
        atomic_fetch_add(&f->stored, (int64_t)res.stored);
        atomic_store(&f->last_tick_ns, batch[n - 1].time_ns);
        pthread_mutex_lock(&f->lock);
        f->store_us[f->nstore++ % 256] = (ts_mono_ns() - t0) / 1000;
        f->head = (f->head + n) % QUEUE_CAP;
        f->count -= n;
        pthread_cond_signal(&f->not_full);
        pthread_mutex_unlock(&f->lock);
    }
    ts_free(batch);
    return NULL;
}

static void stop_store(struct ts_feed *f)
{
    atomic_store(&f->stopping, true);
    pthread_mutex_lock(&f->lock);
    pthread_cond_broadcast(&f->not_empty);
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->store, NULL);
}

static void destroy(struct ts_feed *f)
{
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->not_empty);
    pthread_cond_destroy(&f->not_full);
    ts_free(f->queue);
    ts_free(f);
}

int ts_feed_start_sim(struct ts_api *api, const struct ts_feed_config *cfg, struct ts_feed **out,
                      struct ts_err *err)
{
    if (cfg->rate < 1 || cfg->rate > 1000000) {
        return ts_err_set(err, TS_EINVAL, "the sim rate must be 1 to 1000000 ticks/s");
    }
    struct ts_feed *f = ts_xcalloc(1, sizeof(*f));
    f->api = api;
    f->cfg = *cfg;
    f->started_ns = ts_now_ns();
    f->queue = ts_xcalloc(QUEUE_CAP, sizeof(*f->queue));
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->not_empty, NULL);
    pthread_cond_init(&f->not_full, NULL);
    int rc = prepare(f, err);
    if (!rc && pthread_create(&f->store, NULL, store_main, f)) {
        rc = ts_err_set(err, TS_EIO, "cannot start the feed threads");
    }
    f->store_started = !rc;
    if (!rc && pthread_create(&f->gen, NULL, gen_main, f)) {
        rc = ts_err_set(err, TS_EIO, "cannot start the feed threads");
    }
    if (rc) {
        ts_err_wrap(err, "cannot start the sim feed");
        if (f->store_started) {
            stop_store(f);
        }
        destroy(f);
        return rc;
    }
    ts_info("feed", "sim feed: %zu instruments, %" PRId64 " ticks/s, seed %" PRIu64, f->sim.n,
            cfg->rate, cfg->seed);
    *out = f;
    return 0;
}

void ts_feed_stop(struct ts_feed *f)
{
    if (!f) {
        return;
    }
    atomic_store(&f->stopping, true);
    pthread_mutex_lock(&f->lock);
    pthread_cond_broadcast(&f->not_full);
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->gen, NULL);
    stop_store(f); /* stores what was generated, unless the database is gone */
    destroy(f);
}

bool ts_feed_set_running(struct ts_feed *f, bool running)
{
    return !atomic_exchange(&f->paused, !running);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static size_t queued(struct ts_feed *f)
{
    pthread_mutex_lock(&f->lock);
    size_t n = f->count;
    pthread_mutex_unlock(&f->lock);
    return n;
}

void ts_feed_status(struct ts_feed *f, struct ts_buf *out)
{
    char since[40], last[40];
    ts_time_format_rfc3339(f->started_ns, since, sizeof(since));
    int64_t lt = atomic_load(&f->last_tick_ns);
    if (lt) {
        ts_time_format_rfc3339(lt, last, sizeof(last));
    }
    int64_t lat[256];
    size_t nl;
    pthread_mutex_lock(&f->lock);
    nl = f->nstore < 256 ? (size_t)f->nstore : 256;
    memcpy(lat, f->store_us, nl * sizeof(lat[0]));
    pthread_mutex_unlock(&f->lock);
    qsort(lat, nl, sizeof(lat[0]), cmp_i64);
    ts_buf_addf(out,
                "{\"feed\":\"sim\",\"state\":\"%s\",\"since\":\"%s\",\"rate\":%" PRId64
                ",\"seed\":%" PRIu64 ",\"generated\":%" PRId64 ",\"stored\":%" PRId64
                ",\"errors\":%" PRId64 ",\"backpressure_waits\":%" PRId64 ",\"queued\":%zu"
                ",\"last_tick_at\":",
                atomic_load(&f->paused) ? "stopped" : "running", since, f->cfg.rate, f->cfg.seed,
                atomic_load(&f->generated),
                atomic_load(&f->stored), atomic_load(&f->errors), atomic_load(&f->waits),
                queued(f));
    if (lt) {
        ts_buf_addf(out, "\"%s\"", last);
    } else {
        ts_buf_adds(out, "null");
    }
    if (nl) {
        ts_buf_addf(out, ",\"store_batch_ms\":{\"p50\":%" PRId64 ".%03" PRId64 ",\"p99\":%" PRId64
                         ".%03" PRId64 ",\"batches\":%zu}",
                    lat[nl / 2] / 1000, lat[nl / 2] % 1000, lat[nl * 99 / 100] / 1000,
                    lat[nl * 99 / 100] % 1000, nl);
    } else {
        ts_buf_adds(out, ",\"store_batch_ms\":null");
    }
    pthread_mutex_lock(&f->lock);
    ts_buf_adds(out, ",\"last_error\":");
    if (f->last_error[0]) {
        ts_buf_add_json_str(out, f->last_error);
    } else {
        ts_buf_adds(out, "null");
    }
    pthread_mutex_unlock(&f->lock);
    ts_buf_addch(out, '}');
}
