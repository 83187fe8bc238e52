/* feed.c - the feed's queue and storer, and the sim. See capture.h and internal.h. */
#include "capture/internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/capture.h"
#include "capture/replayer.h"
#include "core/deadline.h"
#include "core/log.h"
#include "core/mem.h"
#include "db/pgcopy.h"
#include "core/tstime.h"

#define STEP_NS (10 * TS_NS_PER_MS)       /* the sim's generator wakes every 10 ms */
#define MAX_RATE_BATCH 5000               /* the sim at max rate: ticks per batch */
#define TOP_EVERY_NS (100 * TS_NS_PER_MS) /* books whose top changed: snapshots this often */

/* ---- batches and the queue ---- */

struct ts_cap__batch *ts_cap__batch_new(void)
{
    struct ts_cap__batch *b = ts_xcalloc(1, sizeof(*b));
    ts_buf_init(&b->cb);
    return b;
}

void ts_cap__batch_free(struct ts_cap__batch *b)
{
    if (b) {
        ts_free(b->t);
        ts_buf_release(&b->cb);
        ts_free(b);
    }
}

void ts_cap__batch_add_tick(struct ts_cap__batch *b, const struct ts_tick *t)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->t = ts_xrealloc(b->t, b->cap * sizeof(*b->t));
    }
    b->t[b->n++] = *t;
}

bool ts_cap__feed_push(struct ts_feed *f, struct ts_cap__batch *b)
{
    size_t items = ts_cap__batch_items(b);
    if (!items) {
        ts_cap__batch_free(b);
        return true;
    }
    atomic_fetch_add(&f->received, (int64_t)b->n);
    pthread_mutex_lock(&f->lock);
    bool waited = false;
    while (f->queued && f->queued + items > TS_CAP__QUEUE_CAP && !atomic_load(&f->stopping)) {
        if (!waited) {
            atomic_fetch_add(&f->waits, 1);
            waited = true;
        }
        pthread_cond_wait(&f->not_full, &f->lock);
    }
    /* stopping: queued all the same (one batch over the cap at most), the storer drains it */
    if (f->tail) {
        f->tail->next = b;
    } else {
        f->head = b;
    }
    f->tail = b;
    f->queued += items;
    pthread_cond_signal(&f->not_empty);
    pthread_mutex_unlock(&f->lock);
    return !atomic_load(&f->stopping);
}

void ts_cap__feed_error(struct ts_feed *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&f->lock);
    vsnprintf(f->last_error, sizeof(f->last_error), fmt, ap);
    pthread_mutex_unlock(&f->lock);
    va_end(ap);
}

void ts_cap__feed_sleep(struct ts_feed *f, int64_t ns)
{
    int64_t until = ts_mono_ns() + ns;
    while (!atomic_load(&f->stopping)) {
        int64_t left = until - ts_mono_ns();
        if (left <= 0) {
            break;
        }
        left = left < 50 * TS_NS_PER_MS ? left : 50 * TS_NS_PER_MS;
        struct timespec ts = {(time_t)(left / TS_NS_PER_SEC), (long)(left % TS_NS_PER_SEC)};
        nanosleep(&ts, NULL);
    }
}

void ts_cap__publish_books(struct ts_feed *f, char (*syms)[TS_SYMBOL_MAX + 1], size_t n)
{
    for (size_t i = 0; ts_cap__listening(f->cap) && i < n; i++) {
        struct ts_buf m = TS_BUF_INIT;
        ts_buf_addf(&m, "{\"topic\":\"book:%s\",\"type\":\"Book\",\"data\":", syms[i]);
        if (ts_books_json(f->cap->books, syms[i], 10, &m)) {
            ts_buf_addch(&m, '}');
            char topic[64];
            snprintf(topic, sizeof(topic), "book:%s", syms[i]);
            ts_cap__publish(f->cap, topic, m.buf, m.len);
        }
        ts_buf_release(&m);
    }
}

/* ---- order_book_snapshots ---- */

/*
 * Every book whose best bid or ask changed, each TOP_EVERY_NS, and every book that
 * changed at all, each TS_BOOK_SNAPSHOT_MS (default 1 s): one INSERT per turn.
 * Snapshots are derived data: a failure is logged, and the next turn writes the
 * books as they are then.
 */
static void snapshot_books(struct ts_cap *cap, bool top_only)
{
    struct ts_buf b = TS_BUF_INIT;
    struct ts_err err = TS_ERR_INIT;
    if (cap->books && ts_books_changed_json(cap->books, top_only, &b) > 0) {
        const char *p[1] = {b.buf};
        if (ts_cap__query(
                cap, TS_MOD_DATA_CAPTURE, "write book snapshots",
                "INSERT INTO data_capture.order_book_snapshots (symbol, snapshot_time, seq,"
                " exchange, bids, asks, best_bid, best_ask, spread, total_bid_volume,"
                " total_ask_volume, source)"
                " SELECT x->>'symbol', (x->>'time')::timestamptz, (x->>'seq')::bigint,"
                " coalesce(i.exchange, 'B3'), x->'bids', x->'asks',"
                " (x->>'best_bid')::numeric, (x->>'best_ask')::numeric,"
                " (x->>'spread')::numeric,"
                " (SELECT coalesce(sum((l->>'volume')::numeric), 0)"
                "  FROM jsonb_array_elements(x->'bids') l),"
                " (SELECT coalesce(sum((l->>'volume')::numeric), 0)"
                "  FROM jsonb_array_elements(x->'asks') l), 'feed'"
                " FROM jsonb_array_elements($1::jsonb) x"
                " LEFT JOIN data_capture.instruments i ON i.symbol = x->>'symbol'"
                " WHERE x->>'time' IS NOT NULL ON CONFLICT DO NOTHING",
                1, p, NULL, &err)) {
            ts_warn("feed", "book snapshots not written: %s", err.msg);
        }
    }
    ts_buf_release(&b);
}

/* ---- the storer ---- */

struct store_state {
    struct ts_tick *t; /* TS_CAP__MAX_BATCH + the largest batch */
    size_t cap;
    struct ts_buf cb;
    size_t nt;       /* ticks in t */
    size_t ncb;      /* callback rows in cb */
    size_t nbatches; /* the head's batches being stored (still counted in queued) */
    int64_t first_ns;
    bool failing;
};

/* Takes up to TS_CAP__MAX_BATCH items' batches off the head (at least one). Locked. */
static void take(struct ts_feed *f, struct store_state *st)
{
    size_t items = 0, nt = 0;
    st->nbatches = 0;
    st->ncb = 0;
    st->first_ns = f->head->first_ns;
    ts_buf_reset(&st->cb);
    for (struct ts_cap__batch *b = f->head;
         b && (!st->nbatches || items + ts_cap__batch_items(b) <= TS_CAP__MAX_BATCH); b = b->next) {
        if (nt + b->n > st->cap) {
            st->cap = nt + b->n;
            st->t = ts_xrealloc(st->t, st->cap * sizeof(*st->t));
        }
        if (b->n) {
            memcpy(st->t + nt, b->t, b->n * sizeof(*b->t));
        }
        nt += b->n;
        if (b->ncb) {
            if (!st->cb.len) {
                ts_pgcopy_header(&st->cb);
            }
            ts_buf_add(&st->cb, b->cb.buf, b->cb.len);
            st->ncb += b->ncb;
        }
        items += ts_cap__batch_items(b);
        st->first_ns = b->first_ns < st->first_ns ? b->first_ns : st->first_ns;
        st->nbatches++;
    }
    if (st->cb.len) {
        ts_pgcopy_trailer(&st->cb);
    }
    st->nt = nt;
}

/* Stores what take() took, in one transaction; 0, or the database's refusal (kept queued). */
static int store_taken(struct ts_feed *f, struct store_state *st, struct ts_err *err)
{
    struct ts_ingest_result res;
    struct ts_ingest_extra x = {"log feed callbacks",
                                "COPY data_capture.profitdll_callbacks (callback_type, payload,"
                                " callback_time, received_at, processed_at, status,"
                                " error_message) FROM STDIN (FORMAT binary)",
                                st->cb.buf, st->cb.len};
    int64_t t0 = ts_mono_ns();
    int64_t last_ns = st->nt ? st->t[st->nt - 1].time_ns : 0;
    size_t ncb = st->ncb;
    /* the ingest path reorders st->t (keeps the new ticks): the batches keep the originals */
    int rc = ts_cap_ingest(f->cap, f->kind == TS_FEED_SIM ? "sim" : "ProfitDLL", st->t, st->nt,
                           f->kind == TS_FEED_SIM ? 0 : TS_CAP_PUBLISH, &x, &res, err);
    if (rc) {
        return rc;
    }
    int64_t done = ts_now_ns();
    atomic_fetch_add(&f->stored, (int64_t)res.stored);
    atomic_fetch_add(&f->callbacks_logged, (int64_t)ncb);
    if (last_ns) {
        atomic_store(&f->last_tick_ns, last_ns);
    }
    pthread_mutex_lock(&f->lock);
    f->store_us[f->nstore % 256] = (ts_mono_ns() - t0) / 1000;
    f->vis_us[f->nstore % 256] = (done - st->first_ns) / 1000;
    f->nstore++;
    for (size_t i = 0; i < st->nbatches; i++) { /* stored: off the queue */
        struct ts_cap__batch *b = f->head;
        f->head = b->next;
        f->queued -= ts_cap__batch_items(b);
        ts_cap__batch_free(b);
    }
    if (!f->head) {
        f->tail = NULL;
    }
    pthread_cond_broadcast(&f->not_full);
    pthread_mutex_unlock(&f->lock);
    return 0;
}

/* A refused store: counted, said once, retried after 0.5 s; false when stopping. */
static bool store_failed(struct ts_feed *f, struct store_state *st, const struct ts_err *err)
{
    atomic_fetch_add(&f->errors, 1);
    ts_cap__feed_error(f, "%s", err->msg);
    if (!st->failing) {
        ts_warn("feed", "feed data not stored (kept, will retry): %s", err->msg);
        st->failing = true;
    }
    ts_cap__feed_sleep(f, 500 * TS_NS_PER_MS);
    if (atomic_load(&f->stopping)) {
        /* shutdown while the database refuses: what is queued is not stored */
        pthread_mutex_lock(&f->lock);
        ts_warn("feed", "stopping with %zu queued items not stored: %s", f->queued, err->msg);
        pthread_mutex_unlock(&f->lock);
        return false;
    }
    return true;
}

static void *store_main(void *arg)
{
    struct ts_feed *f = arg;
    struct store_state st = {0};
    ts_buf_init(&st.cb);
    const char *every = getenv("TS_BOOK_SNAPSHOT_MS");
    long full_ms = every && *every ? strtol(every, NULL, 10) : 1000;
    int64_t full_every = (full_ms >= 100 && full_ms <= 3600000 ? full_ms : 1000) * TS_NS_PER_MS;
    int64_t next_top = ts_mono_ns() + TOP_EVERY_NS, next_full = ts_mono_ns() + full_every;
    for (;;) {
        pthread_mutex_lock(&f->lock);
        while (!f->head && !atomic_load(&f->stopping) && ts_mono_ns() < next_top) {
            (void)ts_cond_wait_until(&f->not_empty, &f->lock, ts_mono_ns() + TOP_EVERY_NS / 2);
        }
        bool have = f->head != NULL;
        if (have) {
            take(f, &st);
        }
        pthread_mutex_unlock(&f->lock);
        int64_t mono = ts_mono_ns();
        if (mono >= next_top) {
            snapshot_books(f->cap, mono < next_full);
            next_top = mono + TOP_EVERY_NS;
            if (mono >= next_full) {
                next_full = mono + full_every;
            }
        }
        if (!have) {
            if (atomic_load(&f->stopping)) {
                break; /* stopping, and everything queued is stored */
            }
            continue;
        }
        struct ts_err err = TS_ERR_INIT;
        if (store_taken(f, &st, &err)) {
            if (!store_failed(f, &st, &err)) {
                break;
            }
            continue;
        }
        if (st.failing) {
            ts_info("feed", "feed data stored again");
            st.failing = false;
        }
    }
    ts_free(st.t);
    ts_buf_release(&st.cb);
    return NULL;
}

/* ---- the sim ---- */

int ts_cap_seed_sim(struct ts_cap *cap, struct ts_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < ts_sim_default_market_len && !rc; i++) {
        const struct ts_sim_instrument *in = &ts_sim_default_market[i];
        char lot[48], tick[48];
        ts_dec_format(in->lot_size, lot, sizeof(lot));
        ts_dec_format(in->tick_size, tick, sizeof(tick));
        const char *p[5] = {in->symbol, in->asset_class, in->name, lot, tick};
        rc = ts_cap__query(cap, TS_MOD_DATA_CAPTURE, "seed the simulated instruments",
                           "INSERT INTO data_capture.instruments (symbol, exchange, asset_class,"
                           " name, lot_size, tick_size, metadata) VALUES ($1, 'B3', $2, $3, $4, $5,"
                           " '{\"source\":\"sim\"}') ON CONFLICT (symbol) DO NOTHING",
                           5, p, NULL, err);
    }
    return rc;
}

/* Seeds the sim's instruments (again: idempotent); continues each symbol's tape. */
static int prepare(struct ts_feed *f, struct ts_err *err)
{
    struct ts_cap *cap = f->cap;
    PGresult *r = NULL;
    int rc = ts_cap_seed_sim(cap, err);
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
    rc = ts_cap__query(cap, TS_MOD_DATA_CAPTURE, "read the last ticks",
                       "SELECT s, t.price, t.trade_id FROM unnest($1::text[]) WITH ORDINALITY"
                       " AS u(s, n) LEFT JOIN LATERAL (SELECT price, trade_id FROM"
                       " data_capture.market_ticks WHERE symbol = u.s ORDER BY tick_time DESC,"
                       " trade_id DESC LIMIT 1) t ON true ORDER BY u.n",
                       1, p, &r, err);
    ts_buf_release(&syms);
    for (int i = 0; !rc && i < ts_db_nrows(r) && (size_t)i < f->sim.n; i++) {
        ts_dec px;
        if (!ts_db_isnull(r, i, 1) && !ts_dec_parse(ts_db_val(r, i, 1), ts_db_len(r, i, 1), &px)) {
            ts_sim_set_last(&f->sim, (size_t)i, px, strtoll(ts_db_val(r, i, 2), NULL, 10));
        }
    }
    ts_db_clear(r);
    return rc;
}

/*
 * The sim's L2 books: after the batch, each symbol that traded gets a full book of
 * BOOK_LEVELS levels a tick apart around its last trade, volumes in lots; then its
 * book:SYMBOL value is streamed.
 */
#define BOOK_LEVELS 5
static void books(struct ts_feed *f, const struct ts_tick *t, size_t n)
{
    char syms[TS_SIM_MAX_SYMBOLS][TS_SYMBOL_MAX + 1];
    size_t nsyms = 0;
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
        if (!ts_books_full(f->cap->books, in->symbol, bids, nb, asks, BOOK_LEVELS, last->time_ns,
                           &err)) {
            snprintf(syms[nsyms++], sizeof(syms[0]), "%s", in->symbol);
        }
    }
    ts_cap__publish_books(f, syms, nsyms);
}

static void *gen_main(void *arg)
{
    struct ts_feed *f = arg;
    int64_t t0 = ts_mono_ns(), sent = 0;
    bool max = f->cfg.rate == 0;
    while (!atomic_load(&f->stopping)) {
        if (!max) {
            struct timespec ts = {0, STEP_NS};
            nanosleep(&ts, NULL);
        }
        if (atomic_load(&f->paused)) {
            if (max) {
                ts_cap__feed_sleep(f, STEP_NS);
            }
            t0 = ts_mono_ns(); /* on start, the rate resumes from then: no burst */
            sent = 0;
            continue;
        }
        int64_t due = MAX_RATE_BATCH;
        if (!max) {
            due = (ts_mono_ns() - t0) / 1000 * f->cfg.rate / 1000000 - sent;
            if (due <= 0) {
                continue;
            }
            if (due > TS_CAP__MAX_BATCH) {
                due = TS_CAP__MAX_BATCH; /* behind (backpressure): the database caps the rate */
                t0 = ts_mono_ns() - (sent + due) * 1000000000LL / f->cfg.rate;
            }
        }
        struct ts_cap__batch *b = ts_cap__batch_new();
        b->cap = (size_t)due;
        b->t = ts_xcalloc(b->cap, sizeof(*b->t));
        int64_t now = ts_now_ns();
        now -= now % 1000;
        b->first_ns = now;
        for (int64_t i = 0; i < due; i++) {
            ts_sim_next(&f->sim, now + i * 1000, &b->t[i]); /* a microsecond apart */
            b->t[i].recv_ns = now;
        }
        b->n = (size_t)due;
        sent += due;
        ts_cap__publish_ticks(f->cap, b->t, b->n);
        books(f, b->t, b->n);
        if (!ts_cap__feed_push(f, b)) {
            break;
        }
    }
    return NULL;
}

/* ---- replay ---- */

static void *replay_main(void *arg)
{
    struct ts_feed *f = arg;
    struct ts_err err = TS_ERR_INIT;
    int rc = ts_replayer_run(f->rp, &err);
    if (rc) {
        atomic_fetch_add(&f->errors, 1);
        ts_cap__feed_error(f, "%s", err.msg);
        ts_error("feed", "replay of %s stopped: %s", f->cfg.replay_path, err.msg);
    } else if (!atomic_load(&f->stopping)) {
        ts_info("feed", "replay of %s finished: %" PRId64 " trades, %" PRId64 " stored",
                f->cfg.replay_path, (int64_t)f->rp->trades, (int64_t)f->rp->stored);
    }
    atomic_store(&f->replay_end, rc ? 2 : 1);
    return NULL;
}

/* ---- start, stop, status ---- */

struct ts_feed *ts_cap__feed_new(struct ts_cap *cap, const struct ts_feed_config *cfg, int kind)
{
    struct ts_feed *f = ts_xcalloc(1, sizeof(*f));
    f->kind = kind;
    f->cap = cap;
    f->cfg = *cfg;
    f->started_ns = ts_now_ns();
    pthread_mutex_init(&f->lock, NULL);
    ts_cond_init_mono(&f->not_empty);
    pthread_cond_init(&f->not_full, NULL);
    return f;
}

void ts_cap__feed_destroy(struct ts_feed *f)
{
    while (f->head) {
        struct ts_cap__batch *b = f->head;
        f->head = b->next;
        ts_cap__batch_free(b);
    }
    if (f->ad) {
        f->ad->free(f);
    }
    if (f->rp) {
        ts_replayer_release(f->rp);
        ts_free(f->rp);
    }
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->not_empty);
    pthread_cond_destroy(&f->not_full);
    ts_free(f);
}

static void stop_store(struct ts_feed *f)
{
    atomic_store(&f->stopping, true);
    pthread_mutex_lock(&f->lock);
    pthread_cond_broadcast(&f->not_empty);
    pthread_cond_broadcast(&f->not_full);
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->store, NULL);
}

/* Starts the storer, then the producer; on failure everything is undone. */
int ts_cap__feed_start_threads(struct ts_feed *f, void *(*producer)(void *), struct ts_err *err)
{
    if (pthread_create(&f->store, NULL, store_main, f)) {
        return ts_err_set(err, TS_EIO, "cannot start the feed threads");
    }
    if (pthread_create(&f->prod, NULL, producer, f)) {
        stop_store(f);
        return ts_err_set(err, TS_EIO, "cannot start the feed threads");
    }
    return 0;
}

int ts_feed_start_sim(struct ts_cap *cap, const struct ts_feed_config *cfg, struct ts_feed **out,
                      struct ts_err *err)
{
    if (cfg->rate < 0 || cfg->rate > 1000000) {
        return ts_err_set(err, TS_EINVAL, "the sim rate must be 1 to 1000000 ticks/s, or max");
    }
    struct ts_feed *f = ts_cap__feed_new(cap, cfg, TS_FEED_SIM);
    int rc = prepare(f, err);
    if (!rc) {
        rc = ts_cap__feed_start_threads(f, gen_main, err);
    }
    if (rc) {
        ts_err_wrap(err, "cannot start the sim feed");
        ts_cap__feed_destroy(f);
        return rc;
    }
    if (cfg->rate) {
        ts_info("feed", "sim feed: %zu instruments, %" PRId64 " ticks/s, seed %" PRIu64, f->sim.n,
                cfg->rate, cfg->seed);
    } else {
        ts_info("feed", "sim feed: %zu instruments, as fast as they are stored, seed %" PRIu64,
                f->sim.n, cfg->seed);
    }
    *out = f;
    return 0;
}

int ts_feed_start_replay(struct ts_cap *cap, const struct ts_feed_config *cfg, struct ts_feed **out,
                         struct ts_err *err)
{
    struct ts_feed *f = ts_cap__feed_new(cap, cfg, TS_FEED_REPLAY);
    struct ts_replayer_cfg rc_ = {.path = cfg->replay_path,
                                  .format = (enum ts_tradefile_format)cfg->replay_format,
                                  .speed = cfg->replay_speed,
                                  .skip = cfg->replay_skip,
                                  .ingest = TS_CAP_PUBLISH,
                                  .retry = true,
                                  .quiet = true};
    f->rp = ts_xcalloc(1, sizeof(*f->rp));
    int rc = ts_replayer_init(f->rp, cap, &rc_, err);
    if (!rc && !cfg->replay_skip) {
        rc = ts_replayer_check(f->rp, err); /* a malformed line: nothing is replayed */
    }
    if (!rc && pthread_create(&f->prod, NULL, replay_main, f)) {
        rc = ts_err_set(err, TS_EIO, "cannot start the feed thread");
    }
    if (rc) {
        ts_err_wrap(err, "cannot start the replay feed");
        ts_cap__feed_destroy(f);
        return rc;
    }
    ts_info("feed", "replay feed: %s at %s", cfg->replay_path,
            cfg->replay_speed > 0 ? "its own pace (x TS_REPLAY_SPEED)" : "max speed");
    *out = f;
    return 0;
}

void ts_feed_stop(struct ts_feed *f)
{
    if (!f) {
        return;
    }
    if (f->kind == TS_FEED_REPLAY) {
        atomic_store(&f->rp->stop, true);
        pthread_join(f->prod, NULL);
        ts_cap__feed_destroy(f);
        return;
    }
    atomic_store(&f->stopping, true);
    pthread_mutex_lock(&f->lock);
    pthread_cond_broadcast(&f->not_full);
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->prod, NULL);
    stop_store(f); /* stores what was queued, unless the database is gone */
    ts_cap__feed_destroy(f);
}

bool ts_feed_set_running(struct ts_feed *f, bool running)
{
    if (f->kind == TS_FEED_REPLAY) {
        atomic_store(&f->rp->pause, !running);
    }
    return !atomic_exchange(&f->paused, !running); /* a stopped bridge disconnects */
}

bool ts_feed_reconnect(struct ts_feed *f)
{
    return f->ad && f->ad->reconnect(f);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* "name":{"p50":..,"p99":..} in ms from n microsecond samples (sorted here), or null. */
static void add_pcts(struct ts_buf *out, const char *name, int64_t *us, size_t n)
{
    qsort(us, n, sizeof(us[0]), cmp_i64);
    if (!n) {
        ts_buf_addf(out, ",\"%s\":null", name);
        return;
    }
    int64_t p50 = us[n / 2], p99 = us[n * 99 / 100];
    ts_buf_addf(out,
                ",\"%s\":{\"p50\":%" PRId64 ".%03" PRId64 ",\"p99\":%" PRId64 ".%03" PRId64
                ",\"batches\":%zu}",
                name, p50 / 1000, p50 % 1000, p99 / 1000, p99 % 1000, n);
}

void ts_feed_status(struct ts_feed *f, struct ts_buf *out)
{
    char since[40], last[40];
    ts_time_format_rfc3339(f->started_ns, since, sizeof(since));
    int64_t lt = atomic_load(&f->last_tick_ns);
    if (lt) {
        ts_time_format_rfc3339(lt, last, sizeof(last));
    }
    int64_t st[256], vis[256];
    size_t nl, queued;
    pthread_mutex_lock(&f->lock);
    nl = f->nstore < 256 ? (size_t)f->nstore : 256;
    memcpy(st, f->store_us, nl * sizeof(st[0]));
    memcpy(vis, f->vis_us, nl * sizeof(vis[0]));
    queued = f->queued;
    pthread_mutex_unlock(&f->lock);
    int64_t fast, careful;
    ts_cap_ingest_counts(f->cap, &fast, &careful);
    static const char *const kinds[] = {"sim", "bridge", "replay"};
    static const char *const ends[] = {NULL, "finished", "failed"};
    int end = atomic_load(&f->replay_end);
    ts_buf_addf(out, "{\"feed\":\"%s\",\"state\":\"%s\",\"since\":\"%s\"", kinds[f->kind],
                end                       ? ends[end]
                : atomic_load(&f->paused) ? "stopped"
                                          : "running",
                since);
    if (f->kind == TS_FEED_SIM) {
        if (f->cfg.rate) {
            ts_buf_addf(out, ",\"rate\":%" PRId64, f->cfg.rate);
        } else {
            ts_buf_adds(out, ",\"rate\":\"max\"");
        }
        ts_buf_addf(out, ",\"seed\":%" PRIu64 ",\"generated\":%" PRId64, f->cfg.seed,
                    atomic_load(&f->received));
    } else if (f->kind == TS_FEED_BRIDGE) {
        f->ad->status(f, out);
        ts_buf_addf(out, ",\"received\":%" PRId64, atomic_load(&f->received));
    } else {
        ts_buf_adds(out, ",\"file\":");
        ts_buf_add_json_str(out, f->cfg.replay_path);
        if (f->cfg.replay_speed > 0) {
            ts_buf_addf(out, ",\"speed\":%g,", f->cfg.replay_speed);
        } else {
            ts_buf_adds(out, ",\"speed\":\"max\",");
        }
        ts_replayer_json(f->rp, out);
    }
    ts_buf_addf(out,
                ",\"stored\":%" PRId64 ",\"errors\":%" PRId64 ",\"backpressure_waits\":%" PRId64
                ",\"queued\":%zu,\"copy_batches\":%" PRId64 ",\"careful_batches\":%" PRId64
                ",\"last_tick_at\":",
                f->rp ? atomic_load(&f->rp->stored) : atomic_load(&f->stored),
                atomic_load(&f->errors), atomic_load(&f->waits), queued, fast, careful);
    if (lt) {
        ts_buf_addf(out, "\"%s\"", last);
    } else {
        ts_buf_adds(out, "null");
    }
    add_pcts(out, "store_batch_ms", st, nl);
    add_pcts(out, "visible_ms", vis, nl);
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
