/*
 * main.c - the `tradingsystem` command line (API.md "Command line").
 *
 * Exit status: 0 success, 1 runtime failure (the cause on stderr), 2 bad usage
 * (one line on stderr), 3 from `db status` when the embedded cluster is not running.
 * Settings come from the environment first, then flags (API.md).
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/feed.h"
#include "capture/tradefile.h"
#include "api/maint.h"
#include "api/http.h"
#include "api/stream.h"
#include "app/app.h"
#include "core/log.h"
#include "db/cluster.h"
#include "db/db.h"
#include "oms/oms.h"

#ifndef TS_VERSION
#define TS_VERSION "0.0.0"
#endif

/* Worker threads for blocking routes: enough waiting placements make a batch
 * for the order manager's group commit (bench/orders). */
#define HTTP_WORKERS 32

enum {
    EXIT_OK = TS_APP_EXIT_OK,
    EXIT_FAIL = TS_APP_EXIT_FAIL,
    EXIT_USAGE = TS_APP_EXIT_USAGE,
    EXIT_STOPPED = TS_APP_EXIT_STOPPED
};

static const char usage_main[] =
    "usage: tradingsystem <command> [options]\n"
    "\n"
    "The back-end of a trader's own trading platform for B3, on PostgreSQL.\n"
    "\n"
    "commands:\n"
    "  serve              run the HTTP API on TS_HTTP_ADDR (default 127.0.0.1:8080)\n"
    "  db init            create the embedded PostgreSQL cluster under $TS_HOME/pg\n"
    "  db start|stop      start or stop the embedded cluster\n"
    "  db status          show the cluster and each module's database\n"
    "  db migrate         create the module databases and apply migrations\n"
    "  db url --module M  print a libpq connection string for psql\n"
    "  replay FILE        store the trades of a B3 or CSV trade file as ticks\n"
    "  export parquet     write a time range of a table to a Parquet file\n"
    "  retention run      archive (verified Parquet) and drop expired partitions\n"
    "\n"
    "options:\n"
    "  -h, --help         show help (also after any command)\n"
    "  --version          print the version\n"
    "\n"
    "environment:\n"
    "  TS_HOME            state directory (default ./var): cluster, socket, logs\n"
    "  TS_DATABASE_URL    a PostgreSQL server for every module (no embedded cluster)\n"
    "  TS_DB_<MODULE>     one module's database, e.g. TS_DB_ORDER_MANAGER\n"
    "  TS_HTTP_ADDR       listen address of serve (default 127.0.0.1:8080)\n"
    "  TS_LOG_LEVEL       debug|info|warn|error (default info)\n"
    "  TS_TRADING_HOURS   enforce|off (default enforce; off with --feed sim): refuse\n"
    "                     orders outside each instrument's B3 trading hours\n"
    "  TS_EOD_TIME        HH:MM B3 local (default 18:30) when DAY orders expire and\n"
    "                     positions are snapshotted, Monday to Friday; off: only\n"
    "                     POST /api/v1/session/end-of-day\n"
    "  more (TS_SIM_RATE, TS_SIM_SEED, TS_WEB_DIR, TS_STREAM_RING, TS_BARS_REFRESH_MS,\n"
    "  TS_PG_PORT, ...): docs/operations.md \"Settings\"\n"
    "\n"
    "modules: order_manager, data_capture, tp_capital, workspace, documentation\n"
    "docs: README.md and docs/ in the source tree\n";

static const char usage_serve[] =
    "usage: tradingsystem serve [--addr HOST:PORT]\n"
    "                           [--feed sim|replay:FILE|bridge:HOST:PORT|none]\n"
    "                           [--listen] [--venue paper]\n"
    "\n"
    "Starts the embedded cluster when it is used and not running, applies pending\n"
    "migrations, and serves the REST API until SIGINT or SIGTERM. A cluster that\n"
    "serve started is stopped when serve stops.\n"
    "\n"
    "  --addr HOST:PORT   listen address (default $TS_HTTP_ADDR or 127.0.0.1:8080)\n"
    "  --feed sim         market data: a simulated B3 tape (TS_SIM_RATE ticks/s,\n"
    "                     default 5, or max; TS_SIM_SEED, default 1)\n"
    "  --feed replay:FILE a B3 or CSV trade file (TS_REPLAY_FORMAT b3|csv, default by\n"
    "                     the .csv extension; TS_REPLAY_SPEED N|max, default 1: its own\n"
    "                     pace; TS_REPLAY_ON_ERROR stop|skip), streamed and stored once\n"
    "  --feed bridge:HOST:PORT\n"
    "                     a ProfitDLL bridge: JSON lines over TCP (docs/api.md \"Feed\n"
    "                     bridge protocol\"), reconnecting with backoff 1-60 s\n"
    "  --listen           with bridge: accept the bridge's connection on HOST:PORT\n"
    "  --feed none        (default) ticks only from POST /api/v1/market/ticks\n"
    "  --venue paper      where orders go: the paper venue (the only one)\n"
    "\n"
    "serves: the dashboard at /, the REST API of docs/api.md under /api/v1 (health:\n"
    "GET /api/v1/health), live streams on the WebSocket GET /api/v1/stream\n";

static const char usage_db[] =
    "usage: tradingsystem db <init|start|stop|status|migrate|url> [--module NAME]\n"
    "\n"
    "  init      initdb the embedded cluster in $TS_HOME/pg (once)\n"
    "  start     start it (initialising it first when needed); no-op when running\n"
    "  stop      stop it (fast shutdown); no-op when stopped\n"
    "  status    cluster state and each module database; exit 3 when stopped\n"
    "  migrate   create missing module databases, apply pending migrations\n"
    "  url       print the libpq connection string of a module (--module NAME),\n"
    "            or of every module\n"
    "\n"
    "  --module NAME   limit migrate/status/url to one module: order_manager,\n"
    "                  data_capture, tp_capital, workspace, documentation\n"
    "\n"
    "With TS_DATABASE_URL or TS_DB_<MODULE> set, those servers are used and no\n"
    "cluster is managed for those modules.\n";

int ts_app_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("tradingsystem: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see tradingsystem --help)\n", stderr);
    return EXIT_USAGE;
}

int ts_app_fail(const struct ts_err *err)
{
    fprintf(stderr, "tradingsystem: %s\n", err->msg[0] ? err->msg : ts_strerror(err->code));
    return EXIT_FAIL;
}

int ts_app_cluster_release(const struct ts_db_config *cfg, bool started)
{
    bool stopped;
    struct ts_err err = TS_ERR_INIT;
    if (started && ts_cluster_stop(cfg->home, &stopped, &err)) {
        return ts_app_fail(&err);
    }
    return EXIT_OK;
}

bool ts_app_is_help(const char *a)
{
    return !strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help");
}

/* ---- db ---- */

struct db_args {
    const char *action;
    bool have_module;
    enum ts_module module;
};

static int parse_db_args(int argc, char **argv, struct db_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (ts_app_is_help(arg)) {
            fputs(usage_db, stdout);
            return -1;
        }
        if (!strcmp(arg, "--module") || !strncmp(arg, "--module=", 9)) {
            const char *v = arg[8] == '=' ? arg + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) {
                return ts_app_usage_error("%s needs a value", "--module");
            }
            if (ts_db_module_parse(v, &a->module)) {
                return ts_app_usage_error("unknown module '%s'", v);
            }
            a->have_module = true;
        } else if (arg[0] == '-') {
            return ts_app_usage_error("unknown option '%s' for db", arg);
        } else if (!a->action) {
            a->action = arg;
        } else {
            return ts_app_usage_error("unexpected argument '%s'", arg);
        }
    }
    if (!a->action) {
        return ts_app_usage_error("%s", "db needs an action: init, start, stop, status, migrate or url");
    }
    return 0;
}

static bool selected(const struct db_args *a, int m)
{
    return !a->have_module || (int)a->module == m;
}

static int db_cluster_only(const struct ts_db_config *cfg, const char *action)
{
    if (!ts_db_config_any_embedded(cfg)) {
        fprintf(stderr,
                "tradingsystem: db %s: no embedded cluster is used (TS_DATABASE_URL or "
                "TS_DB_<MODULE> name every database)\n",
                action);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int migrate_all(const struct ts_db_config *cfg, const struct db_args *a, bool quiet)
{
    for (int m = 0; m < TS_MOD_COUNT; m++) {
        struct ts_err err = TS_ERR_INIT;
        struct ts_migrate_report rep;
        if (a && !selected(a, m)) {
            continue;
        }
        if (ts_db_migrate(cfg, (enum ts_module)m, &rep, &err)) {
            return ts_app_fail(&err);
        }
        if (!quiet) {
            printf("%s: %d applied, %d already applied\n", ts_db_module_name((enum ts_module)m),
                   rep.applied, rep.present);
        }
    }
    return EXIT_OK;
}

/* Embedded modules need a running cluster: say so instead of a libpq socket error. */
static int require_running(const struct ts_db_config *cfg, const struct db_args *a)
{
    struct ts_cluster_status st;
    struct ts_err err = TS_ERR_INIT;
    bool needed = false;
    for (int m = 0; m < TS_MOD_COUNT; m++) {
        needed |= selected(a, m) && cfg->embedded[m];
    }
    if (!needed) {
        return EXIT_OK;
    }
    if (ts_cluster_status(cfg->home, &st, &err)) {
        return ts_app_fail(&err);
    }
    if (!st.running) {
        fprintf(stderr,
                "tradingsystem: the embedded cluster in %s/pg is not running: run "
                "`tradingsystem db start`\n",
                cfg->home);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int db_status(const struct ts_db_config *cfg, const struct db_args *a)
{
    int rc = EXIT_OK;
    struct ts_err err = TS_ERR_INIT;

    if (ts_db_config_any_embedded(cfg)) {
        struct ts_cluster_status st;
        if (ts_cluster_status(cfg->home, &st, &err)) {
            return ts_app_fail(&err);
        }
        if (!st.initialised) {
            printf("cluster: not initialised in %s/pg (run `tradingsystem db init`)\n",
                   cfg->home);
            return EXIT_STOPPED;
        }
        if (!st.running) {
            printf("cluster: stopped (PostgreSQL %s, data %s/pg)\n", st.version, cfg->home);
            return EXIT_STOPPED;
        }
        printf("cluster: running (pid %ld, PostgreSQL %s, data %s/pg, socket %s/run)\n", st.pid,
               st.version, cfg->home, cfg->home);
    }
    for (int m = 0; m < TS_MOD_COUNT; m++) {
        PGconn *c;
        PGresult *res = NULL;
        if (!selected(a, m)) {
            continue;
        }
        const char *name = ts_db_module_name((enum ts_module)m);
        ts_err_clear(&err);
        if (ts_db_connect(cfg->conninfo[m], &c, &err)) {
            if (strstr(err.msg, "does not exist")) {
                printf("%s: missing (run `tradingsystem db migrate`)\n", name);
            } else {
                printf("%s: down: %s\n", name, err.msg);
            }
            rc = EXIT_FAIL;
            continue;
        }
        if (ts_db_exec(c, "read migrations",
                       "SELECT max(version)::text FROM public.schema_migrations", 0, NULL, &res,
                       &err) ||
            PQgetisnull(res, 0, 0)) {
            printf("%s: up, not migrated (run `tradingsystem db migrate`)\n", name);
            rc = EXIT_FAIL;
        } else {
            printf("%s: up, migration %s\n", name, PQgetvalue(res, 0, 0));
        }
        PQclear(res);
        PQfinish(c);
    }
    return rc;
}

int ts_app_migrate(const struct ts_db_config *cfg)
{
    return migrate_all(cfg, NULL, true);
}

static int cmd_db(int argc, char **argv)
{
    struct db_args a;
    struct ts_db_config cfg;
    struct ts_err err = TS_ERR_INIT;
    int rc = parse_db_args(argc, argv, &a);
    bool changed;

    if (rc) {
        return rc < 0 ? EXIT_OK : rc;
    }
    static const char *const actions[] = {"init", "start", "stop", "status", "migrate", "url"};
    bool known = false;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        known |= !strcmp(a.action, actions[i]);
    }
    if (!known) {
        return ts_app_usage_error("unknown db action '%s'", a.action);
    }
    if (ts_app_config_load(&cfg, &err)) {
        return ts_app_fail(&err);
    }
    if (!strcmp(a.action, "url")) {
        for (int m = 0; m < TS_MOD_COUNT; m++) {
            if (a.have_module) {
                if ((int)a.module == m) {
                    printf("%s\n", cfg.conninfo[m]);
                }
            } else {
                printf("%s: %s\n", ts_db_module_name((enum ts_module)m), cfg.conninfo[m]);
            }
        }
    } else if (!strcmp(a.action, "status")) {
        rc = db_status(&cfg, &a);
    } else if (!strcmp(a.action, "migrate")) {
        rc = require_running(&cfg, &a);
        if (!rc) {
            rc = migrate_all(&cfg, &a, false);
        }
    } else if ((rc = db_cluster_only(&cfg, a.action)) != EXIT_OK) {
        /* init/start/stop without a cluster to manage */
    } else if (!strcmp(a.action, "init")) {
        if (ts_cluster_init(cfg.home, &changed, &err)) {
            rc = ts_app_fail(&err);
        } else {
            printf(changed ? "initialised %s/pg\n" : "already initialised: %s/pg\n", cfg.home);
        }
    } else if (!strcmp(a.action, "start")) {
        if (ts_cluster_start(cfg.home, &changed, &err)) {
            rc = ts_app_fail(&err);
        } else {
            printf(changed ? "started (socket %s/run)\n" : "already running (socket %s/run)\n",
                   cfg.home);
        }
    } else if (!strcmp(a.action, "stop")) {
        if (ts_cluster_stop(cfg.home, &changed, &err)) {
            rc = ts_app_fail(&err);
        } else {
            printf(changed ? "stopped %s/pg\n" : "not running: %s/pg\n", cfg.home);
        }
    }
    ts_db_config_release(&cfg);
    return rc;
}

/* ---- serve ---- */

struct sigctx {
    struct ts_http *http;
    sigset_t set;
};

static void *signal_thread(void *arg)
{
    struct sigctx *sc = arg;
    int sig = 0;
    if (sigwait(&sc->set, &sig) == 0) {
        ts_info("app", "received %s, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    ts_http_stop(sc->http);
    return NULL;
}

static int cmd_serve(int argc, char **argv)
{
    const char *addr = getenv("TS_HTTP_ADDR");
    struct ts_db_config cfg;
    struct ts_app_dirs dirs; /* outlives api: api.web_dir borrows dirs.web */
    struct ts_err err = TS_ERR_INIT;
    struct ts_api api;
    struct ts_http *http = NULL;
    struct ts_oms *oms = NULL;
    struct ts_stream *stream = NULL;
    bool started_cluster = false;
    bool check_hours = true;
    const char *feed = "none";
    struct ts_feed_config fcfg = {.rate = 5, .seed = 1};
    struct ts_feed *feeder = NULL;
    struct ts_maint *maint = NULL;
    int eod_minute = 18 * 60 + 30; /* after B3's closing call and after-market */
    int rc = EXIT_OK;

    if (!addr || !*addr) {
        addr = "127.0.0.1:8080";
    }
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (ts_app_is_help(arg)) {
            fputs(usage_serve, stdout);
            return EXIT_OK;
        }
        if (!strcmp(arg, "--addr") || !strncmp(arg, "--addr=", 7)) {
            addr = arg[6] == '=' ? arg + 7 : (i + 1 < argc ? argv[++i] : NULL);
            if (!addr) {
                return ts_app_usage_error("%s needs a value", "--addr");
            }
        } else if (!strcmp(arg, "--feed") || !strncmp(arg, "--feed=", 7)) {
            feed = arg[6] == '=' ? arg + 7 : (i + 1 < argc ? argv[++i] : NULL);
            if (!feed) {
                return ts_app_usage_error("%s needs a value", "--feed");
            }
            struct ts_err ferr = TS_ERR_INIT;
            if (!strncmp(feed, "bridge:", 7)) {
                if (ts_feed_parse_bridge(feed + 7, &fcfg, &ferr)) {
                    return ts_app_usage_error("--feed %s", ferr.msg);
                }
            } else if (!strncmp(feed, "replay:", 7)) {
                if (!feed[7]) {
                    return ts_app_usage_error("--feed replay:FILE needs a FILE");
                }
                fcfg.replay_path = feed + 7;
            } else if (strcmp(feed, "sim") != 0 && strcmp(feed, "none") != 0) {
                return ts_app_usage_error(
                    "--feed %s: expected sim, replay:FILE, bridge:HOST:PORT or none", feed);
            }
        } else if (!strcmp(arg, "--listen")) {
            fcfg.listen = true;
        } else if (!strcmp(arg, "--venue") || !strncmp(arg, "--venue=", 8)) {
            const char *v = arg[7] == '=' ? arg + 8 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || strcmp(v, "paper") != 0) {
                return ts_app_usage_error("--venue: only 'paper' is available");
            }
        } else {
            return ts_app_usage_error("unknown option '%s' for serve", arg);
        }
    }
    if (fcfg.listen && strncmp(feed, "bridge:", 7) != 0) {
        return ts_app_usage_error("--listen goes with --feed bridge:HOST:PORT");
    }
    {
        const char *th = getenv("TS_TRADING_HOURS");
        if (th && *th && strcmp(th, "enforce") != 0 && strcmp(th, "off") != 0) {
            return ts_app_usage_error("TS_TRADING_HOURS must be 'enforce' or 'off', not '%s'", th);
        }
        /* a simulated or replayed market has no session now: hours are enforced only when asked */
        check_hours = th && *th ? strcmp(th, "off") != 0
                                : strcmp(feed, "sim") != 0 && strncmp(feed, "replay:", 7) != 0;
        if (fcfg.replay_path) {
            const char *fmt = getenv("TS_REPLAY_FORMAT"), *speed = getenv("TS_REPLAY_SPEED"),
                       *on_err = getenv("TS_REPLAY_ON_ERROR");
            size_t pl = strlen(fcfg.replay_path);
            bool csv = pl > 4 && !strcmp(fcfg.replay_path + pl - 4, ".csv");
            if (fmt && *fmt && strcmp(fmt, "b3") != 0 && strcmp(fmt, "csv") != 0) {
                return ts_app_usage_error("TS_REPLAY_FORMAT must be b3 or csv, not '%s'", fmt);
            }
            fcfg.replay_format = (fmt && *fmt ? !strcmp(fmt, "csv") : csv) ? TS_TRADEFILE_CSV
                                                                             : TS_TRADEFILE_B3;
            fcfg.replay_speed = 1;
            if (speed && *speed) {
                char *e = NULL;
                fcfg.replay_speed = strcmp(speed, "max") ? strtod(speed, &e) : 0;
                if (strcmp(speed, "max") != 0 && (*e || !(fcfg.replay_speed > 0) ||
                                                  fcfg.replay_speed > 1e6)) {
                    return ts_app_usage_error("TS_REPLAY_SPEED must be max or a number > 0, not '%s'",
                                              speed);
                }
            }
            if (on_err && *on_err && strcmp(on_err, "stop") != 0 && strcmp(on_err, "skip") != 0) {
                return ts_app_usage_error("TS_REPLAY_ON_ERROR must be stop or skip, not '%s'",
                                          on_err);
            }
            fcfg.replay_skip = on_err && !strcmp(on_err, "skip");
        }
        const char *rate = getenv("TS_SIM_RATE"), *seed = getenv("TS_SIM_SEED");
        char *e = NULL;
        if (rate && !strcmp(rate, "max")) {
            fcfg.rate = 0; /* as fast as the database stores them */
        } else if (rate && *rate) {
            fcfg.rate = strtoll(rate, &e, 10);
            if (*e || fcfg.rate < 1 || fcfg.rate > 1000000) {
                return ts_app_usage_error("TS_SIM_RATE must be 1 to 1000000 ticks/s or max, not '%s'",
                                          rate);
            }
        }
        if (seed && *seed) {
            fcfg.seed = strtoull(seed, &e, 10);
            if (*e || *seed == '-') {
                return ts_app_usage_error("TS_SIM_SEED must be a number, not '%s'", seed);
            }
        }
        const char *eod = getenv("TS_EOD_TIME");
        if (eod && !strcmp(eod, "off")) {
            eod_minute = -1;
        } else if (eod && *eod) {
            int hh, mm, n = 0;
            if (sscanf(eod, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5 || strlen(eod) != 5 ||
                hh > 23 || mm > 59 || hh < 0 || mm < 0) {
                return ts_app_usage_error("TS_EOD_TIME must be HH:MM (B3 local time) or 'off', not '%s'",
                                   eod);
            }
            eod_minute = hh * 60 + mm;
        }
        char host[256];
        int port;
        if (ts_http_parse_addr(addr, host, sizeof(host), &port, &err)) {
            return ts_app_usage_error("%s", err.msg);
        }
    }
    if (ts_app_dirs_find(&dirs, &err) || ts_db_config_load(&cfg, dirs.migrations, &err)) {
        return ts_app_fail(&err);
    }
    if (ts_db_config_any_embedded(&cfg) && ts_cluster_start(cfg.home, &started_cluster, &err)) {
        rc = ts_app_fail(&err);
        goto out_cfg;
    }
    if ((rc = migrate_all(&cfg, NULL, true)) != EXIT_OK) {
        goto out_cluster;
    }
    if (ts_api_init(&api, &cfg, TS_VERSION, &err)) {
        rc = ts_app_fail(&err);
        goto out_cluster;
    }
    api.web_dir = dirs.web;

    /* Signals go to one thread; every thread created after this inherits the mask. */
    struct sigctx sc;
    pthread_t sigthr;
    sigemptyset(&sc.set);
    sigaddset(&sc.set, SIGINT);
    sigaddset(&sc.set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sc.set, NULL);

    /* after the mask: only the signal thread may take SIGINT/SIGTERM */
    struct ts_oms_config ocfg = {.db = &cfg, .check_trading_hours = check_hours,
                                 .eod_minute = eod_minute};
    if (ts_oms_start(&ocfg, &oms, &err)) {
        rc = ts_app_fail(&err);
        goto out_api;
    }
    api.oms = oms;
    if (ts_stream_new(&cfg, &stream, &err)) {
        rc = ts_app_fail(&err);
        goto out_api;
    }
    api.stream = stream;

    struct ts_http_opts hopts = {.addr = addr,
                                 .routes = ts_api_routes(),
                                 .app = &api,
                                 .workers = HTTP_WORKERS,
                                 .ws = &ts_stream_hooks};
    if (ts_http_new(&hopts, &http, &err)) {
        rc = ts_app_fail(&err);
        goto out_api;
    }
    ts_stream_attach(stream, http);
    if (ts_maint_start(&api, &maint, &err)) {
        rc = ts_app_fail(&err);
        goto out_api;
    }
    if (!strcmp(feed, "sim")) {
        if (ts_feed_start_sim(&api, &fcfg, &feeder, &err)) {
            rc = ts_app_fail(&err);
            goto out_api;
        }
        api.feed = feeder;
    } else if (fcfg.replay_path) {
        if (ts_feed_start_replay(&api, &fcfg, &feeder, &err)) {
            rc = err.code == TS_EINVAL || err.code == TS_EIO ? ts_app_usage_error("%s", err.msg)
                                                              : ts_app_fail(&err);
            goto out_api;
        }
        api.feed = feeder;
    } else if (!strncmp(feed, "bridge:", 7)) {
        if (ts_feed_start_bridge(&api, &fcfg, &feeder, &err)) {
            rc = ts_app_fail(&err);
            goto out_api;
        }
        api.feed = feeder;
    }
    sc.http = http;
    if (pthread_create(&sigthr, NULL, signal_thread, &sc)) {
        fputs("tradingsystem: cannot start the signal thread\n", stderr);
        rc = EXIT_FAIL;
        goto out_api;
    }
    ts_info("app", "tradingsystem %s serving on http://%s (health: /api/v1/health)", TS_VERSION,
            addr);
    ts_http_run(http);
    pthread_kill(sigthr, SIGTERM); /* wakes the signal thread if the loop ended by itself */
    pthread_join(sigthr, NULL);
    ts_info("app", "stopped serving");
out_api:
    ts_feed_stop(feeder);
    ts_maint_stop(maint);
    ts_http_free(http);
    ts_stream_free(stream);
    ts_oms_stop(oms);
    ts_api_release(&api);
out_cluster:
    if (ts_app_cluster_release(&cfg, started_cluster)) {
        rc = EXIT_FAIL;
    }
out_cfg:
    ts_db_config_release(&cfg);
    return rc;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    ts_log_init_from_env();
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (ts_app_is_help(cmd)) {
        fputs(usage_main, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("tradingsystem %s\n", TS_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "serve")) {
        return cmd_serve(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "db")) {
        return cmd_db(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "replay")) {
        return ts_app_replay(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "retention")) {
        return ts_app_retention(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "export")) {
        return ts_app_export(argc - 2, argv + 2);
    }
    if (cmd[0] == '-') {
        return ts_app_usage_error("unknown option '%s'", cmd);
    }
    return ts_app_usage_error("unknown command '%s'", cmd);
}
