/* ingest.c - new ticks into the system. See capture.h "ingestion". */
#include "capture/capture.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/bars.h"
#include "capture/internal.h"
#include "core/buf.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/mem.h"
#include "db/pgcopy.h"
#include "core/tstime.h"

static const char *const aggressors[] = TS_AGGRESSOR_NAMES;

/* ticks:SYMBOL on the streams: {"topic","type":"Tick","time","data":{...}} */
static void publish_tick(struct ts_cap *cap, const struct ts_tick *t)
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
    ts_cap__publish(cap, topic, m.buf, m.len);
    ts_buf_release(&m);
}

/*
 * Bars in the ticks' transaction: the batch's new ticks make one bar per
 * symbol-minute (capture/bars.h); the bars, sorted by symbol and minute (the same
 * lock order for every writer), are merged into market_bars_1m by
 * data_capture.merge_market_bars_1m (migration 0003): whatever order ticks arrive
 * in, each bar equals what rebuild_market_bars_1m() makes from the stored ticks.
 */
/* An element of a text array literal, quoted. */
static void arr_add(struct ts_buf *b, const char *v)
{
    ts_buf_adds(b, b->len ? ",\"" : "{\"");
    for (; *v; v++) {
        if (*v == '"' || *v == '\\') {
            ts_buf_addch(b, '\\');
        }
        ts_buf_addch(b, *v);
    }
    ts_buf_addch(b, '"');
}

static void arr_time(struct ts_buf *b, int64_t ns)
{
    char v[40];
    ts_time_format_rfc3339(ns, v, sizeof(v));
    arr_add(b, v);
}

static void arr_dec(struct ts_buf *b, ts_dec d)
{
    char v[48];
    ts_dec_format(d, v, sizeof(v));
    arr_add(b, v);
}

static void arr_int(struct ts_buf *b, int64_t i)
{
    char v[24];
    snprintf(v, sizeof(v), "%" PRId64, i);
    arr_add(b, v);
}

enum {
    B_SYM,
    B_BUCKET,
    B_OPEN,
    B_HIGH,
    B_LOW,
    B_CLOSE,
    B_VOL,
    B_COUNT,
    B_OTIME,
    B_OTRADE,
    B_CTIME,
    B_CTRADE,
    B_NCOLS
};

/* fresh == NULL: every tick is new. */
static int merge_bars(PGconn *c, const struct ts_tick *t, size_t n, const bool *fresh,
                      struct ts_err *err)
{
    struct ts_bar *bars;
    size_t nb = ts_bars_make(t, n, fresh, &bars, err);
    if (nb == (size_t)-1 || nb == 0) {
        ts_free(bars);
        return nb ? TS_EINVAL : 0;
    }
    struct ts_buf col[B_NCOLS];
    for (int j = 0; j < B_NCOLS; j++) {
        ts_buf_init(&col[j]);
    }
    for (size_t i = 0; i < nb; i++) {
        const struct ts_bar *b = &bars[i];
        arr_add(&col[B_SYM], b->first->symbol);
        arr_time(&col[B_BUCKET], b->bucket);
        arr_dec(&col[B_OPEN], b->first->price);
        arr_dec(&col[B_HIGH], b->high);
        arr_dec(&col[B_LOW], b->low);
        arr_dec(&col[B_CLOSE], b->last->price);
        arr_dec(&col[B_VOL], b->volume);
        arr_int(&col[B_COUNT], b->count);
        arr_time(&col[B_OTIME], b->first->time_ns);
        arr_int(&col[B_OTRADE], b->first->trade_id);
        arr_time(&col[B_CTIME], b->last->time_ns);
        arr_int(&col[B_CTRADE], b->last->trade_id);
    }
    const char *params[B_NCOLS];
    for (int j = 0; j < B_NCOLS; j++) {
        ts_buf_addch(&col[j], '}');
        params[j] = col[j].buf;
    }
    int rc =
        ts_db_exec(c, "merge bars",
                   "SELECT data_capture.merge_market_bars_1m($1::text[], $2::timestamptz[],"
                   " $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[],"
                   " $8::bigint[], $9::timestamptz[], $10::bigint[], $11::timestamptz[],"
                   " $12::bigint[])",
                   B_NCOLS, params, NULL, err);
    for (int j = 0; j < B_NCOLS; j++) {
        ts_buf_release(&col[j]);
    }
    ts_free(bars);
    return rc;
}

void ts_cap_rebuild_bars(struct ts_cap *cap, int64_t from_ns, int64_t to_ns)
{
    char from[40], to[40];
    struct ts_err err = TS_ERR_INIT;
    ts_time_format_rfc3339(from_ns, from, sizeof(from));
    ts_time_format_rfc3339(to_ns, to, sizeof(to));
    const char *p[2] = {from, to};
    if (ts_cap__query(cap, TS_MOD_DATA_CAPTURE, "rebuild bars",
                      "SELECT data_capture.rebuild_market_bars_1m($1::timestamptz,"
                      " date_trunc('minute', $2::timestamptz, 'UTC') + interval '1 minute')",
                      2, p, NULL, &err)) {
        ts_warn("ingest", "bars of [%s, %s] not rebuilt: %s", from, to, err.msg);
    }
}

void ts_cap__publish_ticks(struct ts_cap *cap, const struct ts_tick *t, size_t n)
{
    for (size_t i = 0; ts_cap__listening(cap) && i < n; i++) {
        publish_tick(cap, &t[i]);
    }
}

/*
 * How a batch is stored (ingest.h): the fast path is one binary COPY straight into
 * market_ticks, when every symbol is known (its exchange comes from this cache).
 * A trade already stored makes that COPY fail on the key (23505) and change
 * nothing; the batch then goes the careful way: binary COPY into a temporary
 * staging table and one INSERT .. SELECT .. ON CONFLICT DO NOTHING that answers
 * which ticks were new. After a conflict the next CAREFUL_BATCHES batches go the
 * careful way at once (a replay of a stored file, a feed resending after a
 * reconnect), then the fast path is tried again.
 */
#define CAREFUL_BATCHES 8
#define RELOAD_NS                                                                                  \
    (1 * TS_NS_PER_SEC)            /* an unknown symbol reloads the cache at most once a second */
#define TTL_NS (5 * TS_NS_PER_SEC) /* a changed exchange in the master is seen this late */
#define MAX_EXCHANGES 64           /* distinct exchange names (B3, ...) */

struct exch {
    char symbol[TS_SYMBOL_MAX + 1];
    const char *exchange; /* interned: lives as long as the cache */
};

struct ts_ingest_cache {
    pthread_mutex_t lock;
    struct exch *e; /* sorted by symbol */
    size_t n;
    char names[MAX_EXCHANGES][24]; /* interned exchange names, never moved or freed */
    int nnames;
    int64_t loaded_ns;
    atomic_int careful;         /* batches still to store the careful way */
    _Atomic int64_t fast, slow; /* batches each way, for the feed's status */
};

struct ts_ingest_cache *ts_cap__ingest_cache_new(void)
{
    struct ts_ingest_cache *c = ts_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void ts_cap__ingest_cache_free(struct ts_ingest_cache *c)
{
    if (c) {
        pthread_mutex_destroy(&c->lock);
        ts_free(c->e);
        ts_free(c);
    }
}

static int cmp_exch(const void *a, const void *b)
{
    return strcmp(((const struct exch *)a)->symbol, ((const struct exch *)b)->symbol);
}

static int cmp_key(const void *key, const void *b)
{
    return strcmp(key, ((const struct exch *)b)->symbol);
}

/* name interned in c, or NULL when it is too long or the table is full. Locked. */
static const char *intern(struct ts_ingest_cache *c, const char *name, size_t len)
{
    for (int i = 0; i < c->nnames; i++) {
        if (!strcmp(c->names[i], name)) {
            return c->names[i];
        }
    }
    if (len >= sizeof(c->names[0]) || c->nnames == MAX_EXCHANGES) {
        return NULL;
    }
    memcpy(c->names[c->nnames], name, len + 1);
    return c->names[c->nnames++];
}

/* Reads the master; an instrument it cannot cache just takes the careful path. Locked. */
static int reload(struct ts_cap *cap, struct ts_ingest_cache *c, struct ts_err *err)
{
    PGresult *r = NULL;
    int rc =
        ts_cap__query(cap, TS_MOD_DATA_CAPTURE, "read the instruments' exchanges",
                      "SELECT symbol, exchange FROM data_capture.instruments", 0, NULL, &r, err);
    c->loaded_ns = ts_now_ns(); /* also after a failure: retried a second later, not per batch */
    if (rc) {
        return rc;
    }
    size_t n = (size_t)ts_db_nrows(r), k = 0;
    struct exch *e = ts_xcalloc(n ? n : 1, sizeof(*e));
    for (size_t i = 0; i < n; i++) {
        size_t sl = ts_db_len(r, (int)i, 0);
        const char *x = intern(c, ts_db_val(r, (int)i, 1), ts_db_len(r, (int)i, 1));
        if (sl <= TS_SYMBOL_MAX && x) {
            memcpy(e[k].symbol, ts_db_val(r, (int)i, 0), sl + 1);
            e[k++].exchange = x;
        }
    }
    ts_db_clear(r);
    qsort(e, k, sizeof(*e), cmp_exch);
    ts_free(c->e);
    c->e = e;
    c->n = k;
    return 0;
}

/* Each tick's exchange into ex[i]; false when a symbol is not in the master. */
static bool exchanges(struct ts_cap *cap, const struct ts_tick *t, size_t n, const char **ex)
{
    struct ts_ingest_cache *c = cap->ingest;
    struct ts_err err = TS_ERR_INIT;
    bool all = true;
    pthread_mutex_lock(&c->lock);
    int64_t age = ts_now_ns() - c->loaded_ns;
    if (age >= TTL_NS) {
        (void)reload(cap, c, &err); /* on failure the old entries serve */
    }
    for (int pass = 0; pass < 2; pass++) {
        all = true;
        for (size_t i = 0; i < n && all; i++) {
            const struct exch *e =
                c->n ? bsearch(t[i].symbol, c->e, c->n, sizeof(*c->e), cmp_key) : NULL;
            ex[i] = e ? e->exchange : NULL;
            all = e != NULL;
        }
        if (all || ts_now_ns() - c->loaded_ns < RELOAD_NS || reload(cap, c, &err)) {
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return all;
}

bool ts_cap_known(struct ts_cap *cap, const char *symbol)
{
    struct ts_tick t;
    const char *ex = NULL;
    memset(&t, 0, sizeof(t));
    if (strlen(symbol) > TS_SYMBOL_MAX) {
        return false;
    }
    memcpy(t.symbol, symbol, strlen(symbol) + 1);
    return exchanges(cap, &t, 1, &ex);
}

static void copy_tick(struct ts_buf *b, const struct ts_tick *t, int64_t n, const char *exchange,
                      const char *source, size_t source_len, int64_t now)
{
    const char *a = aggressors[t->aggressor % 3];
    ts_pgcopy_tuple(b, 9);
    if (n) {
        ts_pgcopy_int8(b, n);
    }
    ts_pgcopy_text(b, t->symbol, strlen(t->symbol));
    ts_pgcopy_timestamptz(b, t->time_ns);
    ts_pgcopy_int8(b, t->trade_id);
    if (exchange) {
        ts_pgcopy_text(b, exchange, strlen(exchange));
    }
    ts_pgcopy_numeric(b, t->price);
    ts_pgcopy_numeric(b, t->volume);
    ts_pgcopy_text(b, a, strlen(a));
    ts_pgcopy_text(b, source, source_len);
    ts_pgcopy_timestamptz(b, t->recv_ns ? t->recv_ns : now);
}

/*
 * Ticks as one binary COPY (sql), sent in pieces of COPY_PIECE ticks while the next
 * piece is made: the server parses and inserts one while we encode the next.
 * ex != NULL: with each tick's exchange (market_ticks); else with its ordinal (staging).
 */
#define COPY_PIECE 1024
static int copy_ticks(PGconn *c, const char *sql, const struct ts_tick *t, size_t n,
                      const char **ex, const char *source, struct ts_err *err)
{
    struct ts_buf b = TS_BUF_INIT;
    size_t sl = strnlen(source, 50);
    int64_t now = ts_now_ns();
    int rc = ts_db_copy_begin(c, "store ticks", sql, err);
    if (rc) {
        return rc;
    }
    ts_buf_grow(&b, COPY_PIECE * 120 + 32);
    ts_pgcopy_header(&b);
    for (size_t i = 0; i < n && !rc; i++) {
        copy_tick(&b, &t[i], ex ? 0 : (int64_t)i + 1, ex ? ex[i] : NULL, source, sl, now);
        if ((i + 1) % COPY_PIECE == 0 || i + 1 == n) {
            if (i + 1 == n) {
                ts_pgcopy_trailer(&b);
            }
            rc = ts_db_copy_put(c, "store ticks", b.buf, b.len, err);
            ts_buf_reset(&b);
        }
    }
    ts_buf_release(&b);
    return ts_db_copy_end(c, "store ticks", rc, err);
}

/* After a failure; if even this fails, ts_pool_put() drops the connection (not idle). */
static void rollback(PGconn *c)
{
    struct ts_err ignored = TS_ERR_INIT;
    if (ts_db_exec_script(c, "rollback", "ROLLBACK", &ignored)) {
        ts_debug("ingest", "rollback: %s", ignored.msg);
    }
}

/* The extra COPY of the same transaction (ingest.h), when there is one. */
static int copy_extra(PGconn *c, const struct ts_ingest_extra *x, struct ts_err *err)
{
    return x && x->len ? ts_db_copy_in(c, x->what, x->copy_sql, x->data, x->len, err) : 0;
}

/* One binary COPY into market_ticks: every tick new, or TS_ECONFLICT and nothing stored. */
static int store_fast(PGconn *c, const struct ts_tick *t, size_t n, const char **ex,
                      const char *source, const struct ts_ingest_extra *x, struct ts_err *err)
{
    int rc = ts_db_exec_script(c, "begin", "BEGIN", err);
    if (!rc) {
        rc = copy_ticks(c,
                        "COPY data_capture.market_ticks (symbol, tick_time, trade_id, exchange,"
                        " price, volume, aggressor, source, received_time) FROM STDIN"
                        " (FORMAT binary)",
                        t, n, ex, source, err);
    }
    if (!rc) {
        rc = copy_extra(c, x, err);
    }
    if (!rc) {
        rc = merge_bars(c, t, n, NULL, err);
    }
    if (!rc) {
        rc = ts_db_exec_script(c, "commit", "COMMIT", err);
    }
    if (rc) {
        rollback(c);
    }
    return rc;
}

/* Staging table + INSERT .. ON CONFLICT DO NOTHING; fresh[i] for the new ticks. */
static int store_careful(PGconn *c, const struct ts_tick *t, size_t n, const char *source,
                         const struct ts_ingest_extra *x, bool *fresh, struct ts_err *err)
{
    PGresult *r = NULL;
    int rc = ts_db_exec_script(
        c, "stage ticks",
        "BEGIN; SET LOCAL client_min_messages = warning;"
        " CREATE TEMP TABLE IF NOT EXISTS ts_stage_ticks (n bigint, symbol text,"
        " tick_time timestamptz, trade_id bigint, price numeric, volume numeric,"
        " aggressor text, source text, received_time timestamptz) ON COMMIT DELETE ROWS",
        err);
    if (!rc) {
        rc = copy_ticks(c,
                        "COPY ts_stage_ticks (n, symbol, tick_time, trade_id, price, volume,"
                        " aggressor, source, received_time) FROM STDIN (FORMAT binary)",
                        t, n, NULL, source, err);
    }
    /* a tick repeated inside the batch is stored once and fed once (its first ordinal) */
    if (!rc) {
        rc = ts_db_exec(
            c, "store ticks",
            "WITH ins AS (INSERT INTO data_capture.market_ticks (symbol, tick_time, trade_id,"
            "  exchange, price, volume, aggressor, source, received_time)"
            "  SELECT s.symbol, s.tick_time, s.trade_id, i.exchange, s.price, s.volume,"
            "  s.aggressor, s.source, s.received_time FROM ts_stage_ticks s"
            "  JOIN data_capture.instruments i ON i.symbol = s.symbol ORDER BY s.n"
            "  ON CONFLICT DO NOTHING RETURNING symbol, tick_time, trade_id)"
            " SELECT min(s.n) FROM ins JOIN ts_stage_ticks s ON (s.symbol, s.tick_time,"
            "  s.trade_id) = (ins.symbol, ins.tick_time, ins.trade_id)"
            " GROUP BY ins.symbol, ins.tick_time, ins.trade_id",
            0, NULL, &r, err);
    }
    for (int i = 0; !rc && i < ts_db_nrows(r); i++) {
        long long k = strtoll(ts_db_val(r, i, 0), NULL, 10);
        if (k >= 1 && (size_t)k <= n) {
            fresh[k - 1] = true;
        }
    }
    if (!rc) {
        rc = copy_extra(c, x, err);
    }
    if (!rc) {
        rc = merge_bars(c, t, n, fresh, err);
    }
    if (!rc) {
        rc = ts_db_exec_script(c, "commit", "COMMIT", err);
    }
    if (rc) {
        rollback(c);
        memset(fresh, 0, n * sizeof(*fresh)); /* nothing was stored */
    }
    ts_db_clear(r);
    return rc;
}

static int store(struct ts_cap *cap, const char *source, const struct ts_tick *t, size_t n,
                 const struct ts_ingest_extra *x, bool *fresh, struct ts_err *err)
{
    struct ts_ingest_cache *cache = cap->ingest;
    const char **ex = ts_xcalloc(n ? n : 1, sizeof(*ex));
    PGconn *c;
    int rc = ts_pool_get(cap->pools[TS_MOD_DATA_CAPTURE], 2000, &c, err);
    if (rc) {
        ts_free(ex);
        return rc;
    }
    bool careful = atomic_load(&cache->careful) > 0;
    if (!n) {
        rc = copy_extra(c, x, err); /* only the extra rows: one statement, its own transaction */
        careful = false;
    } else if (!careful && exchanges(cap, t, n, ex)) {
        rc = store_fast(c, t, n, ex, source, x, err);
        if (!rc) {
            for (size_t i = 0; i < n; i++) {
                fresh[i] = true;
            }
            atomic_fetch_add(&cache->fast, 1);
        } else if (rc == TS_ECONFLICT) {
            careful = true; /* nothing was stored: the same batch, carefully */
            ts_err_clear(err);
            rc = 0;
        }
    } else {
        careful = true;
    }
    if (careful && !rc) {
        rc = store_careful(c, t, n, source, x, fresh, err);
        if (!rc) {
            atomic_fetch_add(&cache->slow, 1);
            bool dups = false;
            for (size_t i = 0; i < n && !dups; i++) {
                dups = !fresh[i];
            }
            if (dups) {
                atomic_store(&cache->careful, CAREFUL_BATCHES);
            } else if (atomic_load(&cache->careful) > 0) {
                atomic_fetch_sub(&cache->careful, 1);
            }
        }
    }
    ts_pool_put(cap->pools[TS_MOD_DATA_CAPTURE], c, rc == TS_ECONN);
    ts_free(ex);
    return rc;
}

void ts_cap_ingest_counts(struct ts_cap *cap, int64_t *copy_batches, int64_t *careful_batches)
{
    *copy_batches = atomic_load(&cap->ingest->fast);
    *careful_batches = atomic_load(&cap->ingest->slow);
}

int ts_cap_ingest(struct ts_cap *cap, const char *source, struct ts_tick *t, size_t n,
                  unsigned flags, const struct ts_ingest_extra *extra, struct ts_ingest_result *res,
                  struct ts_err *err)
{
    bool publish = flags & TS_CAP_PUBLISH;
    bool *fresh = ts_xcalloc(n ? n : 1, sizeof(*fresh));
    int rc;

    res->stored = 0;
    res->fills = 0;
    res->sink_rc = 0;
    ts_err_clear(&res->sink_err);
    if (!n && !(extra && extra->len)) {
        ts_free(fresh);
        return 0;
    }
    rc = store(cap, source, t, n, extra, fresh, err);
    if (rc) {
        goto out;
    }
    size_t k = 0;
    bool listening = publish && ts_cap__listening(cap);
    for (size_t i = 0; i < n; i++) {
        if (fresh[i]) {
            t[k++] = t[i];
            if (listening) {
                publish_tick(cap, &t[i]);
            }
        }
    }
    res->stored = k;
    if (k && cap->sink.ticks) {
        res->sink_rc = cap->sink.ticks(cap->sink.ctx, source, t, k, &res->fills, &res->sink_err);
    }
out:
    ts_free(fresh);
    return rc;
}
