/*
 * serve.c - `tradingsystem serve` (API.md "Command line"): reads the options and
 * settings, starts the embedded cluster and migrates, then starts the services
 * and wires them (wire.h): the order manager, the streams, the HTTP server, the
 * market-data service with its maintenance loop and feed. SIGINT/SIGTERM stop it
 * all in reverse order; a cluster that serve started is stopped with it.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/guard.h"
#include "api/http.h"
#include "api/stream.h"
#include "app/cli.h"
#include "app/commands.h"
#include "app/wire.h"
#include "auth/auth.h"
#include "auth/secret.h"
#include "capture/capture.h"
#include "capture/tradefile.h"
#include "core/log.h"
#include "core/tstime.h"
#include "db/cluster.h"
#include "db/db.h"
#include "oms/oms.h"

#ifndef TS_VERSION
#define TS_VERSION "0.0.0"
#endif

/* Worker threads for blocking routes: enough waiting placements make a batch
 * for the order manager's group commit (bench/orders). */
#define HTTP_WORKERS 32

/* TS_CLOCK_OFFSET_S, a testing setting: at most 10 years (of 365.25 days) either way. */
#define CLOCK_OFFSET_MAX_S INT64_C(315576000)

enum { EXIT_OK = TS_APP_EXIT_OK, EXIT_FAIL = TS_APP_EXIT_FAIL };

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
    "  --tls-cert FILE --tls-key FILE\n"
    "                     serve HTTPS and WSS with this PEM certificate and key\n"
    "                     (or TS_TLS_CERT, TS_TLS_KEY); the session cookie is Secure\n"
    "\n"
    "serves: the dashboard at /, the REST API of docs/api.md under /api/v1 (health:\n"
    "GET /api/v1/health), live streams on the WebSocket GET /api/v1/stream\n";

struct serve_opts {
    const char *addr;
    const char *feed; /* "sim", "none", "replay:FILE", "bridge:HOST:PORT" */
    struct ts_feed_config fcfg;
    bool check_hours;
    int eod_minute;                 /* B3 local minute of day; -1: only on demand */
    int64_t clock_offset_s;         /* TS_CLOCK_OFFSET_S: added to the order manager's clock */
    struct ts_http_policy policy;   /* TS_ALLOWED_HOSTS, TS_CORS_ORIGINS (api/guard.h) */
    const char *tls_cert, *tls_key; /* --tls-cert/--tls-key or TS_TLS_CERT/TS_TLS_KEY */
    bool metrics_public;            /* TS_METRICS_PUBLIC=1 */
};

/* The order manager's clock when TS_CLOCK_OFFSET_S shifts it (tests): the wall clock plus
 * the offset. Set before the order manager starts, read-only after: thread-safe. */
static int64_t clock_offset_ns;

static int64_t offset_clock_ns(void)
{
    return ts_now_ns() + clock_offset_ns;
}

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

/* A TLS file that can be read and looks like PEM of its kind (mark), so that a wrong file is
 * named here rather than failing inside libwebsockets; 0 or a usage error. */
static int check_pem(const char *opt, const char *path, const char *mark)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return ts_app_usage_error("%s %s: %s", opt, path, strerror(errno));
    }
    char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (!strstr(buf, "-----BEGIN") || !strstr(buf, mark)) {
        return ts_app_usage_error("%s %s: not a PEM %s", opt, path,
                                  mark[0] == 'P' ? "private key" : "certificate");
    }
    return 0;
}

/* The command line into o; -1 after --help (printed), else 0 or a usage error. */
static int parse_args(int argc, char **argv, struct serve_opts *o)
{
    if (!o->addr || !*o->addr) {
        o->addr = "127.0.0.1:8080";
    }
    const char *cert = getenv("TS_TLS_CERT"), *key = getenv("TS_TLS_KEY");
    o->tls_cert = cert && *cert ? cert : NULL;
    o->tls_key = key && *key ? key : NULL;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (ts_app_is_help(arg)) {
            fputs(usage_serve, stdout);
            return -1;
        }
        if (!strcmp(arg, "--addr") || !strncmp(arg, "--addr=", 7)) {
            o->addr = arg[6] == '=' ? arg + 7 : (i + 1 < argc ? argv[++i] : NULL);
            if (!o->addr) {
                return ts_app_usage_error("%s needs a value", "--addr");
            }
        } else if (!strcmp(arg, "--feed") || !strncmp(arg, "--feed=", 7)) {
            o->feed = arg[6] == '=' ? arg + 7 : (i + 1 < argc ? argv[++i] : NULL);
            if (!o->feed) {
                return ts_app_usage_error("%s needs a value", "--feed");
            }
            struct ts_err ferr = TS_ERR_INIT;
            if (!strncmp(o->feed, "bridge:", 7)) {
                if (ts_feed_parse_bridge(o->feed + 7, &o->fcfg, &ferr)) {
                    return ts_app_usage_error("--feed %s", ferr.msg);
                }
            } else if (!strncmp(o->feed, "replay:", 7)) {
                if (!o->feed[7]) {
                    return ts_app_usage_error("--feed replay:FILE needs a FILE");
                }
                o->fcfg.replay_path = o->feed + 7;
            } else if (strcmp(o->feed, "sim") != 0 && strcmp(o->feed, "none") != 0) {
                return ts_app_usage_error(
                    "--feed %s: expected sim, replay:FILE, bridge:HOST:PORT or none", o->feed);
            }
        } else if (!strcmp(arg, "--tls-cert") || !strcmp(arg, "--tls-key")) {
            if (i + 1 >= argc) {
                return ts_app_usage_error("%s needs a file", arg);
            }
            *(arg[6] == 'c' ? &o->tls_cert : &o->tls_key) = argv[++i];
        } else if (!strcmp(arg, "--listen")) {
            o->fcfg.listen = true;
        } else if (!strcmp(arg, "--venue") || !strncmp(arg, "--venue=", 8)) {
            const char *v = arg[7] == '=' ? arg + 8 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || strcmp(v, "paper") != 0) {
                return ts_app_usage_error("--venue: only 'paper' is available");
            }
        } else {
            return ts_app_usage_error("unknown option '%s' for serve", arg);
        }
    }
    if (o->fcfg.listen && strncmp(o->feed, "bridge:", 7) != 0) {
        return ts_app_usage_error("--listen goes with --feed bridge:HOST:PORT");
    }
    if (!o->tls_cert != !o->tls_key) {
        return ts_app_usage_error("--tls-cert and --tls-key go together (or TS_TLS_CERT and "
                                  "TS_TLS_KEY)");
    }
    for (int k = 0; o->tls_cert && k < 2; k++) {
        int rc = check_pem(k ? "--tls-key" : "--tls-cert", k ? o->tls_key : o->tls_cert,
                           k ? "PRIVATE KEY-----" : "-----BEGIN CERTIFICATE-----");
        if (rc) {
            return rc;
        }
    }
    return 0;
}

/* TS_CLOCK_OFFSET_S (off: its value, NULL when unset) into *secs; 0 or a usage error. */
static int parse_clock_offset(const char *off, int64_t *secs)
{
    if (!off || !*off) {
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(off, &end, 10);
    /* digits with an optional sign: no blanks, no "0x", nothing after */
    bool digits = (*off >= '0' && *off <= '9') ||
                  ((*off == '-' || *off == '+') && off[1] >= '0' && off[1] <= '9');
    if (!digits || errno || *end || v < -CLOCK_OFFSET_MAX_S || v > CLOCK_OFFSET_MAX_S) {
        return ts_app_usage_error("TS_CLOCK_OFFSET_S must be whole seconds within 10 years "
                                  "(-%" PRId64 " to %" PRId64 "), not '%s'",
                                  CLOCK_OFFSET_MAX_S, CLOCK_OFFSET_MAX_S, off);
    }
    *secs = v;
    return 0;
}

/* The HTTP server's settings: its address, TS_ALLOWED_HOSTS, TS_CORS_ORIGINS,
 * TS_METRICS_PUBLIC; 0 or a usage error. */
static int parse_http_env(struct serve_opts *o)
{
    struct ts_err err = TS_ERR_INIT;
    const char *mp = getenv("TS_METRICS_PUBLIC");
    if (mp && *mp && strcmp(mp, "0") != 0 && strcmp(mp, "1") != 0) {
        return ts_app_usage_error("TS_METRICS_PUBLIC must be 0 or 1, not '%s'", mp);
    }
    o->metrics_public = mp && !strcmp(mp, "1");
    char host[256];
    int port;
    if (ts_http_parse_addr(o->addr, host, sizeof(host), &port, &err) ||
        ts_http_policy_parse(getenv("TS_ALLOWED_HOSTS"), getenv("TS_CORS_ORIGINS"), &o->policy,
                             &err)) {
        return ts_app_usage_error("%s", err.msg);
    }
    return 0;
}

/* The settings of the environment into o (after the options); 0 or a usage error. */
static int parse_env(struct serve_opts *o)
{
    int rc;
    const char *th = getenv("TS_TRADING_HOURS");
    if (th && *th && strcmp(th, "enforce") != 0 && strcmp(th, "off") != 0) {
        return ts_app_usage_error("TS_TRADING_HOURS must be 'enforce' or 'off', not '%s'", th);
    }
    /* a simulated or replayed market has no session now: hours are enforced only when asked */
    o->check_hours = th && *th ? strcmp(th, "off") != 0
                               : strcmp(o->feed, "sim") != 0 && strncmp(o->feed, "replay:", 7) != 0;
    if (o->fcfg.replay_path) {
        const char *fmt = getenv("TS_REPLAY_FORMAT"), *speed = getenv("TS_REPLAY_SPEED"),
                   *on_err = getenv("TS_REPLAY_ON_ERROR");
        size_t pl = strlen(o->fcfg.replay_path);
        bool csv = pl > 4 && !strcmp(o->fcfg.replay_path + pl - 4, ".csv");
        if (fmt && *fmt && strcmp(fmt, "b3") != 0 && strcmp(fmt, "csv") != 0) {
            return ts_app_usage_error("TS_REPLAY_FORMAT must be b3 or csv, not '%s'", fmt);
        }
        o->fcfg.replay_format =
            (fmt && *fmt ? !strcmp(fmt, "csv") : csv) ? TS_TRADEFILE_CSV : TS_TRADEFILE_B3;
        o->fcfg.replay_speed = 1;
        if (speed && *speed) {
            char *e = NULL;
            o->fcfg.replay_speed = strcmp(speed, "max") ? strtod(speed, &e) : 0;
            if (strcmp(speed, "max") != 0 &&
                (*e || !(o->fcfg.replay_speed > 0) || o->fcfg.replay_speed > 1e6)) {
                return ts_app_usage_error("TS_REPLAY_SPEED must be max or a number > 0, not '%s'",
                                          speed);
            }
        }
        if (on_err && *on_err && strcmp(on_err, "stop") != 0 && strcmp(on_err, "skip") != 0) {
            return ts_app_usage_error("TS_REPLAY_ON_ERROR must be stop or skip, not '%s'", on_err);
        }
        o->fcfg.replay_skip = on_err && !strcmp(on_err, "skip");
    }
    const char *rate = getenv("TS_SIM_RATE"), *seed = getenv("TS_SIM_SEED");
    char *e = NULL;
    if (rate && !strcmp(rate, "max")) {
        o->fcfg.rate = 0; /* as fast as the database stores them */
    } else if (rate && *rate) {
        o->fcfg.rate = strtoll(rate, &e, 10);
        if (*e || o->fcfg.rate < 1 || o->fcfg.rate > 1000000) {
            return ts_app_usage_error("TS_SIM_RATE must be 1 to 1000000 ticks/s or max, not '%s'",
                                      rate);
        }
    }
    if (seed && *seed) {
        o->fcfg.seed = strtoull(seed, &e, 10);
        if (*e || *seed == '-') {
            return ts_app_usage_error("TS_SIM_SEED must be a number, not '%s'", seed);
        }
    }
    const char *eod = getenv("TS_EOD_TIME");
    if (eod && !strcmp(eod, "off")) {
        o->eod_minute = -1;
    } else if (eod && *eod) {
        int hh, mm, n = 0;
        if (sscanf(eod, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5 || strlen(eod) != 5 || hh > 23 ||
            mm > 59 || hh < 0 || mm < 0) {
            return ts_app_usage_error(
                "TS_EOD_TIME must be HH:MM (B3 local time) or 'off', not '%s'", eod);
        }
        o->eod_minute = hh * 60 + mm;
    }
    if ((rc = parse_clock_offset(getenv("TS_CLOCK_OFFSET_S"), &o->clock_offset_s)) != 0) {
        return rc;
    }
    return parse_http_env(o);
}

/* The feed o asks for, started on cap into *out (NULL for none); an exit code. */
static int start_feed(struct ts_cap *cap, const struct serve_opts *o, struct ts_feed **out)
{
    struct ts_err err = TS_ERR_INIT;
    int rc = 0;

    *out = NULL;
    if (!strcmp(o->feed, "sim")) {
        rc = ts_feed_start_sim(cap, &o->fcfg, out, &err);
    } else if (o->fcfg.replay_path) {
        rc = ts_feed_start_replay(cap, &o->fcfg, out, &err);
        if (rc && (err.code == TS_EINVAL || err.code == TS_EIO)) {
            return ts_app_usage_error("%s", err.msg);
        }
    } else if (!strncmp(o->feed, "bridge:", 7)) {
        rc = ts_feed_start_bridge(cap, &o->fcfg, out, &err);
    }
    return rc ? ts_app_fail(&err) : EXIT_OK;
}

/* What serve runs, in start order; stopped in reverse by stop_services(). */
struct services {
    struct ts_api api;
    bool api_ready;
    struct ts_cap cap;
    bool cap_ready;
    struct ts_app_wire wire;
    struct ts_http *http;
    struct ts_maint *maint;
};

static void stop_services(struct services *s)
{
    ts_feed_stop(s->wire.feed);
    ts_maint_stop(s->maint);
    ts_http_free(s->http);
    ts_stream_free(s->wire.stream);
    ts_oms_stop(s->wire.oms);
    if (s->cap_ready) {
        ts_cap_release(&s->cap);
    }
    if (s->api_ready) {
        ts_api_release(&s->api);
    }
}

/* Starts every service and wires them; an exit code (what started is stopped by the caller). */
/* The key file of stored secrets (auth/secret.h): made on the first run, refused when others
 * may read it. Nothing is sealed with it yet at start: the services that keep secrets (the
 * Telegram bots) load it themselves. */
static int secret_key(const struct ts_db_config *cfg)
{
    struct ts_err err = TS_ERR_INIT;
    struct ts_keyring kr;
    char path[4096];
    bool created = false;
    ts_keyring_path(cfg->home, path, sizeof(path));
    int rc = ts_keyring_load(path, true, &kr, &created, &err);
    ts_keyring_wipe(&kr);
    if (rc) {
        return ts_app_fail(&err);
    }
    if (created) {
        ts_info("app",
                "made the key file of stored secrets %s (mode 0600): back it up with the "
                "database; without it their secrets are lost",
                path);
    }
    return EXIT_OK;
}

/* No user yet: makes `admin` and prints, on stdout and only there, a login link for them. */
static int first_run(const struct ts_db_config *cfg, const char *addr, bool tls)
{
    struct ts_err err = TS_ERR_INIT;
    PGconn *c = NULL;
    bool any = true;
    char uid[37], url[512];
    int rc = ts_db_connect(cfg->conninfo[TS_MOD_WORKSPACE], &c, &err);
    rc = rc ? rc : ts_auth_any_user(c, &any, &err);
    if (!rc && !any) {
        rc = ts_auth_user_add(c, "admin", TS_ROLE_ADMIN, true, NULL, 0, uid, &err);
        rc = rc ? rc : ts_app_login_link(c, "admin", addr, tls, url, sizeof(url), &err);
        if (!rc) {
            printf("\nFirst run: there was no user, so the user `admin` was made. Log in to the "
                   "dashboard\nwith this link (once, within 15 minutes):\n\n    %s\n\n"
                   "Later, `tradingsystem user login-url admin` prints a new link and\n"
                   "`tradingsystem user token admin` an API token for scripts "
                   "(docs/security.md).\n\n",
                   url);
            fflush(stdout);
            ts_info("app", "first run: the user admin was made (the login link is on stdout)");
        }
    } else if (!rc) {
        ts_info("app", "the dashboard asks for a login: `tradingsystem user login-url admin` "
                       "prints a one-time link (docs/security.md)");
    }
    ts_db_finish(c);
    return rc ? ts_app_fail(&err) : EXIT_OK;
}

static int start_services(struct services *s, const struct ts_db_config *cfg,
                          const struct serve_opts *o, const char *web_dir)
{
    struct ts_err err = TS_ERR_INIT;
    struct ts_cap_sink sink;
    int rc;

    if (ts_api_init(&s->api, cfg, TS_VERSION, &err)) {
        return ts_app_fail(&err);
    }
    s->api_ready = true;
    s->api.web_dir = web_dir;
    s->api.tls = o->tls_cert != NULL;
    s->api.metrics_public = o->metrics_public;
    ts_app_wire_sink(&s->wire, &sink);
    if (ts_cap_init(&s->cap, cfg, &sink, &err)) {
        return ts_app_fail(&err);
    }
    s->cap_ready = true;
    s->api.cap = &s->cap;
    /* a simulated market comes with what it needs to trade, loaded by the order manager */
    if (!strcmp(o->feed, "sim") &&
        (ts_cap_seed_sim(&s->cap, &err) || ts_app_seed_paper(cfg, &err))) {
        return ts_app_fail(&err);
    }
    struct ts_oms_config ocfg = {
        .db = cfg, .check_trading_hours = o->check_hours, .eod_minute = o->eod_minute};
    if (o->clock_offset_s) {
        clock_offset_ns = o->clock_offset_s * TS_NS_PER_SEC;
        ocfg.clock_ns = offset_clock_ns;
        ts_warn("app",
                "the order manager's clock is the wall clock %+" PRId64
                " s (TS_CLOCK_OFFSET_S, a testing setting)",
                o->clock_offset_s);
    }
    if (ts_oms_start(&ocfg, &s->wire.oms, &err)) {
        return ts_app_fail(&err);
    }
    s->api.oms = s->wire.oms;
    if (ts_stream_new(cfg, &s->wire.stream, &err)) {
        return ts_app_fail(&err);
    }
    s->api.stream = s->wire.stream;
    struct ts_http_opts hopts = {.addr = o->addr,
                                 .policy = &o->policy,
                                 .authenticate = ts_api_authenticate,
                                 .tls_cert = o->tls_cert,
                                 .tls_key = o->tls_key,
                                 .ws_access = 0, /* any user */
                                 .routes = ts_api_routes(),
                                 .app = &s->api,
                                 .workers = HTTP_WORKERS,
                                 .ws = &ts_stream_hooks};
    if (ts_http_new(&hopts, &s->http, &err)) {
        return ts_app_fail(&err);
    }
    ts_stream_attach(s->wire.stream, s->http);
    if ((rc = secret_key(cfg)) != EXIT_OK ||
        (rc = first_run(cfg, o->addr, o->tls_cert != NULL)) != EXIT_OK) {
        return rc;
    }
    ts_api_auth_preload(&s->api);
    if ((rc = start_feed(&s->cap, o, &s->wire.feed)) != EXIT_OK) {
        return rc;
    }
    s->api.feed = s->wire.feed;
    if (ts_maint_start(&s->cap, &s->maint, &err)) {
        return ts_app_fail(&err);
    }
    return EXIT_OK;
}

/* Serves until SIGINT/SIGTERM (the signal thread stops the loop). */
static int run(struct services *s, const char *addr)
{
    struct sigctx sc = {.http = s->http};
    pthread_t sigthr;

    sigemptyset(&sc.set);
    sigaddset(&sc.set, SIGINT);
    sigaddset(&sc.set, SIGTERM);
    if (pthread_create(&sigthr, NULL, signal_thread, &sc)) {
        fputs("tradingsystem: cannot start the signal thread\n", stderr);
        return EXIT_FAIL;
    }
    ts_info("app", "tradingsystem %s serving on http://%s (health: /api/v1/health)", TS_VERSION,
            addr);
    ts_http_run(s->http);
    pthread_kill(sigthr, SIGTERM); /* wakes the signal thread if the loop ended by itself */
    pthread_join(sigthr, NULL);
    ts_info("app", "stopped serving");
    return EXIT_OK;
}

int ts_app_serve(int argc, char **argv)
{
    struct serve_opts o = {.addr = getenv("TS_HTTP_ADDR"),
                           .feed = "none",
                           .fcfg = {.rate = 5, .seed = 1},
                           .check_hours = true,
                           .eod_minute =
                               18 * 60 + 30}; /* after the closing call and after-market */
    struct ts_db_config cfg, app_cfg;
    struct ts_app_dirs dirs; /* outlives the services: api.web_dir borrows dirs.web */
    struct ts_err err = TS_ERR_INIT;
    struct services s;
    bool started_cluster = false;
    sigset_t set;
    int rc = parse_args(argc, argv, &o);

    if (rc) {
        return rc < 0 ? EXIT_OK : rc;
    }
    if ((rc = parse_env(&o)) != 0) {
        return rc;
    }
    if (ts_app_dirs_find(&dirs, &err) || ts_db_config_load(&cfg, dirs.migrations, &err)) {
        return ts_app_fail(&err);
    }
    if (ts_db_config_any_embedded(&cfg) && ts_cluster_start(cfg.home, &started_cluster, &err)) {
        rc = ts_app_fail(&err);
        goto out_cfg;
    }
    if ((rc = ts_app_migrate(&cfg)) != EXIT_OK) {
        goto out_cluster;
    }
    /* Signals go to one thread; every thread created after this inherits the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    memset(&s, 0, sizeof(s));
    /* migrated as the owner; served as the role that owns nothing (docs/security.md) */
    if (ts_db_config_as_app(&cfg, &app_cfg, &err)) {
        rc = ts_app_fail(&err);
        goto out_cluster;
    }
    rc = start_services(&s, &app_cfg, &o, dirs.web);
    if (rc == EXIT_OK) {
        rc = run(&s, o.addr);
    }
    stop_services(&s);
    ts_db_config_release(&app_cfg);
out_cluster:
    if (ts_app_cluster_release(&cfg, started_cluster)) {
        rc = EXIT_FAIL;
    }
out_cfg:
    ts_db_config_release(&cfg);
    return rc;
}
