/* replayer.c - trade files through the ingest path. See replayer.h. */
#include "capture/replayer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "capture/capture.h"
#include "capture/internal.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/tstime.h"

static bool known_unknown(struct ts_replayer *r, const char *sym)
{
    for (int i = 0; i < r->nunknown; i++) {
        if (!strcmp(r->unknown[i], sym)) {
            return true;
        }
    }
    return false;
}

/* Drops the batch's trades of symbols missing from the master (and remembers them). */
static int drop_unknown(struct ts_replayer *r, struct ts_err *err)
{
    struct ts_buf syms = TS_BUF_INIT;
    PGresult *res = NULL;
    for (size_t i = 0; i < r->nbatch; i++) {
        ts_buf_addch(&syms, i ? ',' : '{');
        ts_buf_adds(&syms, r->batch[i].symbol);
    }
    ts_buf_addch(&syms, '}');
    const char *p[1] = {syms.buf};
    int rc = ts_cap__query(r->cap, TS_MOD_DATA_CAPTURE, "check the symbols",
                           "SELECT DISTINCT s FROM unnest($1::text[]) s EXCEPT"
                           " SELECT symbol FROM data_capture.instruments",
                           1, p, &res, err);
    ts_buf_release(&syms);
    for (int i = 0; !rc && i < ts_db_nrows(res); i++) {
        if (!known_unknown(r, ts_db_val(res, i, 0)) && r->nunknown < TS_REPLAYER_MAX_UNKNOWN) {
            snprintf(r->unknown[r->nunknown++], sizeof(r->unknown[0]), "%s", ts_db_val(res, i, 0));
        }
    }
    if (!rc && ts_db_nrows(res) > 0) {
        size_t k = 0;
        for (size_t i = 0; i < r->nbatch; i++) {
            bool unknown = false;
            for (int j = 0; j < ts_db_nrows(res) && !unknown; j++) {
                unknown = !strcmp(ts_db_val(res, j, 0), r->batch[i].symbol);
            }
            if (unknown) {
                r->skipped_unknown++;
            } else {
                r->batch[k++] = r->batch[i];
            }
        }
        r->nbatch = k;
    }
    ts_db_clear(res);
    return rc;
}

/* Stores the pending trades, then applies the pending cancels (a cancel follows its trade). */
static int flush_once(struct ts_replayer *r, struct ts_err *err)
{
    int rc = 0;
    if (r->nbatch) {
        struct ts_ingest_result res;
        rc = drop_unknown(r, err);
        if (!rc && r->nbatch) {
            /* the new trades' bars are merged in the same transaction */
            rc = ts_cap_ingest(r->cap, "replay", r->batch, r->nbatch, r->cfg.ingest, NULL, &res,
                               err);
            if (!rc) {
                r->stored += (int64_t)res.stored;
            }
        }
        r->nbatch = 0;
    }
    if (!rc && r->ncancel) {
        PGresult *res = NULL;
        struct ts_buf arr[3] = {TS_BUF_INIT, TS_BUF_INIT, TS_BUF_INIT}; /* closed copies: a retry
                                                                          starts again */
        const struct ts_buf *open_[3] = {&r->cancel_sym, &r->cancel_id, &r->cancel_time};
        const char *p[3];
        for (int i = 0; i < 3; i++) {
            ts_buf_add(&arr[i], open_[i]->buf, open_[i]->len);
            ts_buf_addch(&arr[i], '}');
            p[i] = arr[i].buf;
        }
        /* the trade of that instrument and number on the cancel's B3 trading date */
        rc = ts_cap__query(
            r->cap, TS_MOD_DATA_CAPTURE, "apply cancels",
            "WITH c AS (SELECT s, id, (t AT TIME ZONE 'America/Sao_Paulo')::date AS d"
            " FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) c(s, id, t))"
            " DELETE FROM data_capture.market_ticks m USING c"
            " WHERE m.symbol = c.s AND m.trade_id = c.id"
            " AND m.tick_time >= c.d::timestamp AT TIME ZONE 'America/Sao_Paulo'"
            " AND m.tick_time < (c.d + 1)::timestamp AT TIME ZONE 'America/Sao_Paulo'",
            3, p, &res, err);
        for (int i = 0; i < 3; i++) {
            ts_buf_release(&arr[i]);
        }
        if (rc) {
            ts_db_clear(res);
            return rc;
        }
        r->removed += ts_db_affected(res);
        ts_cap_rebuild_bars(r->cap, r->cancel_lo, r->cancel_hi); /* without them */
        ts_db_clear(res);
        r->cancel_lo = INT64_MAX;
        r->cancel_hi = INT64_MIN;
        ts_buf_reset(&r->cancel_sym);
        ts_buf_reset(&r->cancel_id);
        ts_buf_reset(&r->cancel_time);
        r->ncancel = 0;
    }
    return rc;
}

/* With cfg.retry, a lost database is waited for (every 0.5 s) until it is back or stop. */
static int flush(struct ts_replayer *r, struct ts_err *err)
{
    for (;;) {
        int rc = flush_once(r, err);
        if (!rc || !r->cfg.retry || rc != TS_ECONN || atomic_load(&r->stop)) {
            return rc;
        }
        if (!r->retries++) {
            ts_warn("replay", "%s: the database is away, retrying: %s", r->cfg.path, err->msg);
        }
        ts_err_clear(err);
        for (int i = 0; i < 10 && !atomic_load(&r->stop); i++) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

static void progress(struct ts_replayer *r, bool force)
{
    if (r->cfg.quiet) {
        return;
    }
    int64_t now = ts_mono_ns();
    if (!force && now - r->last_progress_ns < 2 * TS_NS_PER_SEC) {
        return;
    }
    r->last_progress_ns = now;
    double secs = (double)(now - r->t0_ns) / 1e9;
    double rate = secs > 0 ? (double)r->lines / secs : 0;
    double frac = r->size > 0 ? (double)r->done_bytes / (double)r->size : 1;
    double eta = frac > 0 && frac < 1 ? secs * (1 - frac) / frac : 0;
    fprintf(stderr, "replay: %" PRId64 " rows (%.0f%%), %.0f rows/s, ETA %.0f s\n", r->lines,
            frac * 100, rate, eta);
}

/* Waits until the trade at tick_ns is due at the chosen speed (flushing first). */
static int pace(struct ts_replayer *r, int64_t tick_ns, struct ts_err *err)
{
    if (r->cfg.speed <= 0) {
        return 0;
    }
    if (!r->first_tick_ns) {
        r->first_tick_ns = tick_ns;
    }
    int64_t due = r->t0_ns + (int64_t)((double)(tick_ns - r->first_tick_ns) / r->cfg.speed);
    int64_t wait = due - ts_mono_ns();
    if (wait <= 0) {
        return 0;
    }
    int rc = flush(r, err); /* what is due now is stored before sleeping */
    while (!rc && !atomic_load(&r->stop) && (wait = due - ts_mono_ns()) > 0) {
        wait = wait < 50 * TS_NS_PER_MS ? wait : 50 * TS_NS_PER_MS;
        struct timespec ts = {0, (long)wait};
        nanosleep(&ts, NULL);
    }
    return rc;
}

/*
 * One pass over the file. check_only: parse every line, stop at the first
 * malformed one (its message in err, TS_EINVAL). Else store, reporting (skip) or
 * stopping at malformed lines.
 */
/* A B3 cancel: its trade is removed after the trades before it are stored (flush). */
static void add_cancel(struct ts_replayer *r, const struct ts_tick *t)
{
    char v[48];
    r->cancels++;
    ts_buf_addch(&r->cancel_sym, r->ncancel ? ',' : '{');
    ts_buf_adds(&r->cancel_sym, t->symbol);
    snprintf(v, sizeof(v), "%" PRId64, t->trade_id);
    ts_buf_addch(&r->cancel_id, r->ncancel ? ',' : '{');
    ts_buf_adds(&r->cancel_id, v);
    ts_time_format_rfc3339(t->time_ns, v, sizeof(v));
    ts_buf_addch(&r->cancel_time, r->ncancel ? ',' : '{');
    ts_buf_adds(&r->cancel_time, v);
    r->ncancel++;
    r->cancel_lo = t->time_ns < r->cancel_lo ? t->time_ns : r->cancel_lo;
    r->cancel_hi = t->time_ns > r->cancel_hi ? t->time_ns : r->cancel_hi;
}

/* A malformed line: TS_EINVAL "FILE:LINE: why" (checking, or --on-error stop), else
 * reported, counted and skipped (0). */
static int malformed(struct ts_replayer *r, bool check_only, int64_t lineno,
                     const struct ts_err *why, struct ts_err *err)
{
    if (check_only || !r->cfg.skip) {
        return ts_err_set(err, TS_EINVAL, "%s:%" PRId64 ": %s", r->cfg.path, lineno, why->msg);
    }
    if (r->cfg.quiet) {
        ts_warn("replay", "%s:%" PRId64 ": %s (skipped)", r->cfg.path, lineno, why->msg);
    } else {
        fprintf(stderr, "tradingsystem: %s:%" PRId64 ": %s (skipped)\n", r->cfg.path, lineno,
                why->msg);
    }
    r->malformed++;
    return 0;
}

static int pass(struct ts_replayer *r, bool check_only, struct ts_err *err)
{
    FILE *f = fopen(r->cfg.path, "rb");
    if (!f) {
        return ts_err_set(err, TS_EIO, "cannot open %s: %s", r->cfg.path, strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int64_t lineno = 0;
    int rc = 0;
    r->lines = 0;
    while (!rc && !atomic_load(&r->stop) && (n = getline(&line, &cap, f)) >= 0) {
        while (atomic_load(&r->pause) && !atomic_load(&r->stop)) { /* POST /feed/stop */
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
            r->first_tick_ns = 0; /* the pace starts again from here */
        }
        lineno++;
        r->done_bytes += n;
        size_t len = (size_t)n;
        if (len && line[len - 1] == '\n') {
            len--;
        }
        if (len == 0 || (len == 1 && line[0] == '\r')) {
            continue; /* blank line */
        }
        struct ts_tick t;
        enum ts_tradefile_kind kind;
        struct ts_err lerr = TS_ERR_INIT;
        if (ts_tradefile_parse(r->cfg.format, line, len, &t, &kind, &lerr)) {
            if ((rc = malformed(r, check_only, lineno, &lerr, err))) {
                break;
            }
            continue;
        }
        if (kind == TS_TRADEFILE_HEADER || check_only) {
            continue;
        }
        r->lines++;
        if ((rc = pace(r, t.time_ns, err))) {
            break;
        }
        if (kind == TS_TRADEFILE_TRADE) {
            r->trades++;
            r->batch[r->nbatch++] = t;
        } else {
            add_cancel(r, &t);
        }
        if (r->nbatch == TS_REPLAYER_BATCH || r->ncancel == TS_REPLAYER_BATCH) {
            rc = flush(r, err);
        }
        progress(r, false);
    }
    if (!rc && ferror(f)) {
        rc = ts_err_set(err, TS_EIO, "cannot read %s: %s", r->cfg.path, strerror(errno));
    }
    if (!rc && !check_only) {
        rc = flush(r, err);
    }
    free(line); /* getline's buffer */
    fclose(f);
    return rc;
}

int ts_replayer_init(struct ts_replayer *r, struct ts_cap *cap, const struct ts_replayer_cfg *cfg,
                     struct ts_err *err)
{
    struct stat st;
    memset(r, 0, sizeof(*r));
    r->cfg = *cfg;
    r->cap = cap;
    if (stat(cfg->path, &st) || !S_ISREG(st.st_mode)) {
        return ts_err_set(err, TS_EIO, "cannot read %s: %s", cfg->path,
                          errno ? strerror(errno) : "not a file");
    }
    r->size = (long)st.st_size;
    ts_buf_init(&r->cancel_sym);
    ts_buf_init(&r->cancel_id);
    ts_buf_init(&r->cancel_time);
    r->cancel_lo = INT64_MAX;
    r->cancel_hi = INT64_MIN;
    return 0;
}

void ts_replayer_release(struct ts_replayer *r)
{
    ts_buf_release(&r->cancel_sym);
    ts_buf_release(&r->cancel_id);
    ts_buf_release(&r->cancel_time);
}

int ts_replayer_check(struct ts_replayer *r, struct ts_err *err)
{
    return pass(r, true, err);
}

int ts_replayer_run(struct ts_replayer *r, struct ts_err *err)
{
    r->t0_ns = r->last_progress_ns = ts_mono_ns();
    r->done_bytes = 0;
    int rc = pass(r, false, err);
    progress(r, true);
    return rc;
}

void ts_replayer_json(struct ts_replayer *r, struct ts_buf *out)
{
    long done = atomic_load(&r->done_bytes);
    int64_t pct = r->size > 0 ? (int64_t)done * 1000 / r->size : 1000;
    ts_buf_addf(out,
                "\"progress\":%" PRId64 ".%01" PRId64 ",\"lines\":%" PRId64 ",\"trades\":%" PRId64
                ",\"cancels\":%" PRId64 ",\"removed\":%" PRId64 ",\"skipped_unknown\":%" PRId64
                ",\"malformed\":%" PRId64,
                pct / 10, pct % 10, atomic_load(&r->lines), atomic_load(&r->trades),
                atomic_load(&r->cancels), atomic_load(&r->removed),
                atomic_load(&r->skipped_unknown), atomic_load(&r->malformed));
}
