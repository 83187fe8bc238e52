/*
 * replay.c - `tradingsystem replay FILE [--format b3|csv] [--speed N|max]
 * [--on-error stop|skip]` (API.md "Command line", docs/operations.md "Replay"):
 * a trade file into data_capture.market_ticks, through the one ingest path
 * (capture/capture.h), so a trade already stored is stored once however often the file
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
#include "app/cli.h"
#include "app/commands.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "capture/replayer.h"
#include "core/mem.h"
#include "db/cluster.h"
#include "db/db.h"

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
    struct ts_replayer_cfg cfg;
    struct ts_replayer eng;
};

static int parse_args(int argc, char **argv, struct ts_replayer_cfg *r)
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
    struct ts_replayer *e = &r->eng;
    struct ts_db_config cfg;
    struct ts_cap cap;
    struct ts_err err = TS_ERR_INIT;
    bool started = false, cap_ready = false;
    int rc = parse_args(argc, argv, &r->cfg);
    if (rc) {
        ts_free(r);
        return rc < 0 ? TS_APP_EXIT_OK : rc;
    }
    /* the command's replay is history: stored, not streamed (no serve here) */
    if ((rc = ts_replayer_init(e, NULL, &r->cfg, &err))) {
        fprintf(stderr, "tradingsystem: %s\n", err.msg);
        ts_free(r);
        return TS_APP_EXIT_USAGE;
    }
    /* --on-error stop: every line is checked before anything is stored */
    if (!r->cfg.skip && (rc = ts_replayer_check(e, &err))) {
        fprintf(stderr, "tradingsystem: %s (nothing stored)\n", err.msg);
        ts_replayer_release(e);
        ts_free(r);
        return rc == TS_EINVAL ? TS_APP_EXIT_USAGE : TS_APP_EXIT_FAIL;
    }
    if ((rc = ts_app_config_load(&cfg, &err))) {
        ts_replayer_release(e);
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
    if ((rc = ts_cap_init(&cap, &cfg, NULL, &err))) {
        goto out;
    }
    cap_ready = true;
    e->cap = &cap;
    rc = ts_replayer_run(e, &err);
    int64_t trades = e->trades, stored = e->stored, unknown = e->skipped_unknown;
    printf("replayed %s: %" PRId64 " trades (%" PRId64 " stored, %" PRId64
           " already stored), %" PRId64 " cancels (%" PRId64 " trades removed)",
           r->cfg.path, trades, stored, trades - stored - unknown, (int64_t)e->cancels,
           (int64_t)e->removed);
    if (e->malformed) {
        printf(", %" PRId64 " malformed lines skipped", (int64_t)e->malformed);
    }
    if (unknown) {
        printf(", %" PRId64 " trades not stored: symbols not in the instrument master:", unknown);
        for (int i = 0; i < e->nunknown; i++) {
            printf("%s%s", i ? ", " : " ", e->unknown[i]);
        }
        printf("%s (add them with POST /api/v1/instruments)",
               e->nunknown == TS_REPLAYER_MAX_UNKNOWN ? ", ..." : "");
    }
    printf("\n");
out:
    if (cap_ready) {
        ts_cap_release(&cap);
    }
    ts_replayer_release(e);
    /* a cluster that will not stop is reported by ts_app_cluster_release itself */
    int stop_rc = ts_app_cluster_release(&cfg, started);
    ts_db_config_release(&cfg);
    ts_free(r);
    if (rc == TS_EINVAL) {
        fprintf(stderr, "tradingsystem: %s\n", err.msg);
        return TS_APP_EXIT_USAGE;
    }
    return rc ? ts_app_fail(&err) : stop_rc;
}
