/*
 * replay.c - `tradingsystem replay FILE [--format b3|csv] [--speed N|max]
 * [--on-error stop|skip]` (API.md "Command line", docs/operations.md "Replay"):
 * a trade file into data_capture.market_ticks, through the one ingest path
 * (api/ingest.h), so a trade already stored is stored once however often the file
 * is replayed. A B3 cancel (AcaoAtualizacao 2) removes the trade it names.
 *
 * Malformed lines: with --on-error stop (the default) the whole file is read first
 * and the first malformed line is reported with its number before anything is
 * stored (exit 2, nothing changed); with skip each one is reported and skipped.
 * Trades of symbols missing from the instrument master are counted and named in
 * the summary, never stored silently nor dropped silently.
 *
 * --speed max (default) stores as fast as the database takes; --speed N replays
 * N times faster than the trades' own clock. Progress (rows, rows/s, ETA) goes to
 * stderr every 2 s. The running `serve`, if any, does not see replayed ticks live
 * (they are history: stored, not streamed nor fed to its paper venue).
 */
#include "app/app.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "api/api.h"
#include "api/ingest.h"
#include "api/respond.h"
#include "capture/tradefile.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/tstime.h"
#include "db/cluster.h"
#include "db/db.h"

#define BATCH 5000
#define MAX_UNKNOWN 64

const char ts_app_usage_replay[] =
    "usage: tradingsystem replay FILE [--format b3|csv] [--speed N|max] [--on-error stop|skip]\n"
    "\n"
    "Stores the trades of FILE as ticks (data_capture.market_ticks), each once however\n"
    "often the file is replayed; a B3 cancel removes the trade it names.\n"
    "\n"
    "  --format b3|csv      b3 (default): B3's trade file, ';'-separated, decimal comma;\n"
    "                       csv: symbol,tick_time,price,volume,aggressor,trade_id\n"
    "  --speed N|max        max (default): as fast as the database takes; N: N times\n"
    "                       the trades' own pace\n"
    "  --on-error stop|skip stop (default): a malformed line stops the replay before\n"
    "                       anything is stored (exit 2); skip: report it and go on\n";

struct replay {
    const char *path;
    enum ts_tradefile_format format;
    double speed; /* 0: max */
    bool skip;
    struct ts_api api;
    struct ts_tick batch[BATCH];
    size_t nbatch;
    struct ts_buf cancel_sym, cancel_id, cancel_time; /* array literals of the pending cancels */
    size_t ncancel;
    int64_t cancel_lo, cancel_hi; /* times of the pending cancels */
    char unknown[MAX_UNKNOWN][24];
    int nunknown;
    /* counts */
    int64_t lines, trades, stored, cancels, removed, skipped_unknown, malformed;
    int64_t t0_ns, first_tick_ns, last_progress_ns;
    long size, done_bytes;
};

static bool known_unknown(struct replay *r, const char *sym)
{
    for (int i = 0; i < r->nunknown; i++) {
        if (!strcmp(r->unknown[i], sym)) {
            return true;
        }
    }
    return false;
}

/* Drops the batch's trades of symbols missing from the master (and remembers them). */
static int drop_unknown(struct replay *r, struct ts_err *err)
{
    struct ts_buf syms = TS_BUF_INIT;
    PGresult *res = NULL;
    for (size_t i = 0; i < r->nbatch; i++) {
        ts_buf_addch(&syms, i ? ',' : '{');
        ts_buf_adds(&syms, r->batch[i].symbol);
    }
    ts_buf_addch(&syms, '}');
    const char *p[1] = {syms.buf};
    int rc = ts_api_query(&r->api, TS_MOD_DATA_CAPTURE, "check the symbols",
                          "SELECT DISTINCT s FROM unnest($1::text[]) s EXCEPT"
                          " SELECT symbol FROM data_capture.instruments",
                          1, p, &res, err);
    ts_buf_release(&syms);
    for (int i = 0; !rc && i < PQntuples(res); i++) {
        if (!known_unknown(r, PQgetvalue(res, i, 0)) && r->nunknown < MAX_UNKNOWN) {
            snprintf(r->unknown[r->nunknown++], sizeof(r->unknown[0]), "%s", PQgetvalue(res, i, 0));
        }
    }
    if (!rc && PQntuples(res) > 0) {
        size_t k = 0;
        for (size_t i = 0; i < r->nbatch; i++) {
            bool unknown = false;
            for (int j = 0; j < PQntuples(res) && !unknown; j++) {
                unknown = !strcmp(PQgetvalue(res, j, 0), r->batch[i].symbol);
            }
            if (unknown) {
                r->skipped_unknown++;
            } else {
                r->batch[k++] = r->batch[i];
            }
        }
        r->nbatch = k;
    }
    PQclear(res);
    return rc;
}

/* Stores the pending trades, then applies the pending cancels (a cancel follows its trade). */
static int flush(struct replay *r, struct ts_err *err)
{
    int rc = 0;
    if (r->nbatch) {
        struct ts_ingest_result res;
        rc = drop_unknown(r, err);
        if (!rc && r->nbatch) {
            /* the new trades' bars are merged in the same transaction */
            rc = ts_api_ingest_ticks_ex(&r->api, "replay", r->batch, r->nbatch, 0, &res, err);
            if (!rc) {
                r->stored += (int64_t)res.stored;
            }
            ts_buf_release(&res.oms_body);
        }
        r->nbatch = 0;
    }
    if (!rc && r->ncancel) {
        PGresult *res = NULL;
        ts_buf_addch(&r->cancel_sym, '}');
        ts_buf_addch(&r->cancel_id, '}');
        ts_buf_addch(&r->cancel_time, '}');
        const char *p[3] = {r->cancel_sym.buf, r->cancel_id.buf, r->cancel_time.buf};
        /* the trade of that instrument and number on the cancel's B3 trading date */
        rc = ts_api_query(&r->api, TS_MOD_DATA_CAPTURE, "apply cancels",
                          "WITH c AS (SELECT s, id, (t AT TIME ZONE 'America/Sao_Paulo')::date AS d"
                          " FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) c(s, id, t))"
                          " DELETE FROM data_capture.market_ticks m USING c"
                          " WHERE m.symbol = c.s AND m.trade_id = c.id"
                          " AND m.tick_time >= c.d::timestamp AT TIME ZONE 'America/Sao_Paulo'"
                          " AND m.tick_time < (c.d + 1)::timestamp AT TIME ZONE 'America/Sao_Paulo'",
                          3, p, &res, err);
        if (!rc) {
            r->removed += strtoll(PQcmdTuples(res), NULL, 10);
            ts_api_rebuild_bars(&r->api, r->cancel_lo, r->cancel_hi); /* without them */
        }
        PQclear(res);
        r->cancel_lo = INT64_MAX;
        r->cancel_hi = INT64_MIN;
        ts_buf_reset(&r->cancel_sym);
        ts_buf_reset(&r->cancel_id);
        ts_buf_reset(&r->cancel_time);
        r->ncancel = 0;
    }
    return rc;
}

static void progress(struct replay *r, bool force)
{
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
static int pace(struct replay *r, int64_t tick_ns, struct ts_err *err)
{
    if (r->speed <= 0) {
        return 0;
    }
    if (!r->first_tick_ns) {
        r->first_tick_ns = tick_ns;
    }
    int64_t due = r->t0_ns + (int64_t)((double)(tick_ns - r->first_tick_ns) / r->speed);
    int64_t wait = due - ts_mono_ns();
    if (wait <= 0) {
        return 0;
    }
    int rc = flush(r, err); /* what is due now is stored before sleeping */
    struct timespec ts = {(time_t)(wait / TS_NS_PER_SEC), (long)(wait % TS_NS_PER_SEC)};
    nanosleep(&ts, NULL);
    return rc;
}

/*
 * One pass over the file. check_only: parse every line, stop at the first
 * malformed one (its message in err, TS_EINVAL). Else store, reporting (skip) or
 * stopping at malformed lines.
 */
static int pass(struct replay *r, bool check_only, struct ts_err *err)
{
    FILE *f = fopen(r->path, "rb");
    if (!f) {
        return ts_err_set(err, TS_EIO, "cannot open %s: %s", r->path, strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int64_t lineno = 0;
    int rc = 0;
    r->lines = 0;
    while (!rc && (n = getline(&line, &cap, f)) >= 0) {
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
        if (ts_tradefile_parse(r->format, line, len, &t, &kind, &lerr)) {
            if (check_only || !r->skip) {
                rc = ts_err_set(err, TS_EINVAL, "%s:%" PRId64 ": %s", r->path, lineno, lerr.msg);
                break;
            }
            fprintf(stderr, "tradingsystem: %s:%" PRId64 ": %s (skipped)\n", r->path, lineno,
                    lerr.msg);
            r->malformed++;
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
            char v[48];
            r->cancels++;
            ts_buf_addch(&r->cancel_sym, r->ncancel ? ',' : '{');
            ts_buf_adds(&r->cancel_sym, t.symbol);
            snprintf(v, sizeof(v), "%" PRId64, t.trade_id);
            ts_buf_addch(&r->cancel_id, r->ncancel ? ',' : '{');
            ts_buf_adds(&r->cancel_id, v);
            ts_time_format_rfc3339(t.time_ns, v, sizeof(v));
            ts_buf_addch(&r->cancel_time, r->ncancel ? ',' : '{');
            ts_buf_adds(&r->cancel_time, v);
            r->ncancel++;
            r->cancel_lo = t.time_ns < r->cancel_lo ? t.time_ns : r->cancel_lo;
            r->cancel_hi = t.time_ns > r->cancel_hi ? t.time_ns : r->cancel_hi;
        }
        if (r->nbatch == BATCH || r->ncancel == BATCH) {
            rc = flush(r, err);
        }
        progress(r, false);
    }
    if (!rc && ferror(f)) {
        rc = ts_err_set(err, TS_EIO, "cannot read %s: %s", r->path, strerror(errno));
    }
    if (!rc && !check_only) {
        rc = flush(r, err);
    }
    free(line); /* getline's buffer */
    fclose(f);
    return rc;
}

static int parse_args(int argc, char **argv, struct replay *r)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (ts_app_is_help(a)) {
            fputs(ts_app_usage_replay, stdout);
            return -1;
        }
        if (!strcmp(a, "--format") || !strcmp(a, "--speed") || !strcmp(a, "--on-error")) {
            if (i + 1 >= argc) {
                return ts_app_usage_error("%s needs a value", a);
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--format")) {
                if (strcmp(v, "b3") != 0 && strcmp(v, "csv") != 0) {
                    return ts_app_usage_error("--format must be b3 or csv, not '%s'", v);
                }
                r->format = !strcmp(v, "b3") ? TS_TRADEFILE_B3 : TS_TRADEFILE_CSV;
            } else if (!strcmp(a, "--speed")) {
                char *e = NULL;
                r->speed = strcmp(v, "max") ? strtod(v, &e) : 0;
                if (strcmp(v, "max") != 0 && (*e || !(r->speed > 0) || r->speed > 1e6)) {
                    return ts_app_usage_error("--speed must be max or a number > 0, not '%s'", v);
                }
            } else {
                if (strcmp(v, "stop") != 0 && strcmp(v, "skip") != 0) {
                    return ts_app_usage_error("--on-error must be stop or skip, not '%s'", v);
                }
                r->skip = !strcmp(v, "skip");
            }
        } else if (a[0] == '-') {
            return ts_app_usage_error("unknown option '%s' for replay", a);
        } else if (r->path) {
            return ts_app_usage_error("replay takes one FILE");
        } else {
            r->path = a;
        }
    }
    if (!r->path) {
        return ts_app_usage_error("replay needs a FILE");
    }
    return 0;
}

int ts_app_replay(int argc, char **argv)
{
    struct replay *r = ts_xcalloc(1, sizeof(*r));
    struct ts_db_config cfg;
    struct ts_err err = TS_ERR_INIT;
    bool started = false, api_ready = false;
    int rc = parse_args(argc, argv, r);
    if (rc) {
        ts_free(r);
        return rc < 0 ? TS_APP_EXIT_OK : rc;
    }
    struct stat st;
    if (stat(r->path, &st) || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "tradingsystem: cannot read %s: %s\n", r->path,
                errno ? strerror(errno) : "not a file");
        ts_free(r);
        return TS_APP_EXIT_USAGE;
    }
    r->size = (long)st.st_size;
    /* --on-error stop: every line is checked before anything is stored */
    if (!r->skip && (rc = pass(r, true, &err))) {
        fprintf(stderr, "tradingsystem: %s (nothing stored)\n", err.msg);
        ts_free(r);
        return rc == TS_EINVAL ? TS_APP_EXIT_USAGE : TS_APP_EXIT_FAIL;
    }
    if ((rc = ts_db_config_load(&cfg, &err))) {
        ts_free(r);
        return ts_app_fail(&err);
    }
    if (cfg.embedded[TS_MOD_DATA_CAPTURE] && (rc = ts_cluster_start(cfg.home, &started, &err))) {
        goto out;
    }
    if ((rc = ts_app_migrate(&cfg)) != TS_APP_EXIT_OK) {
        rc = TS_EDB;
        ts_err_set(&err, TS_EDB, "the databases are not ready (see above)");
        goto out;
    }
    if ((rc = ts_api_init(&r->api, &cfg, "replay", &err))) {
        goto out;
    }
    api_ready = true;
    ts_buf_init(&r->cancel_sym);
    ts_buf_init(&r->cancel_id);
    ts_buf_init(&r->cancel_time);
    r->t0_ns = r->last_progress_ns = ts_mono_ns();
    r->cancel_lo = INT64_MAX;
    r->cancel_hi = INT64_MIN;
    r->done_bytes = 0;
    rc = pass(r, false, &err);
    progress(r, true);
    printf("replayed %s: %" PRId64 " trades (%" PRId64 " stored, %" PRId64
           " already stored), %" PRId64 " cancels (%" PRId64 " trades removed)",
           r->path, r->trades, r->stored, r->trades - r->stored - r->skipped_unknown, r->cancels,
           r->removed);
    if (r->malformed) {
        printf(", %" PRId64 " malformed lines skipped", r->malformed);
    }
    if (r->skipped_unknown) {
        printf(", %" PRId64 " trades not stored: symbols not in the instrument master:",
               r->skipped_unknown);
        for (int i = 0; i < r->nunknown; i++) {
            printf("%s%s", i ? ", " : " ", r->unknown[i]);
        }
        printf("%s (add them with POST /api/v1/instruments)", r->nunknown == MAX_UNKNOWN ? ", ..." : "");
    }
    printf("\n");
out:
    if (api_ready) {
        ts_api_release(&r->api);
        ts_buf_release(&r->cancel_sym);
        ts_buf_release(&r->cancel_id);
        ts_buf_release(&r->cancel_time);
    }
    if (ts_app_cluster_release(&cfg, started)) {
    }
    ts_db_config_release(&cfg);
    ts_free(r);
    if (rc == TS_EINVAL) {
        fprintf(stderr, "tradingsystem: %s\n", err.msg);
        return TS_APP_EXIT_USAGE;
    }
    return rc ? ts_app_fail(&err) : TS_APP_EXIT_OK;
}
