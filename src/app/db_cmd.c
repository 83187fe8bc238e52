/*
 * db_cmd.c - `tradingsystem db init|start|stop|status|migrate|url` (API.md
 * "Command line"): the embedded cluster and the module databases.
 */
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "db/cluster.h"
#include "db/db.h"

enum {
    EXIT_OK = TS_APP_EXIT_OK,
    EXIT_FAIL = TS_APP_EXIT_FAIL,
    EXIT_USAGE = TS_APP_EXIT_USAGE,
    EXIT_STOPPED = TS_APP_EXIT_STOPPED
};

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
        return ts_app_usage_error("%s",
                                  "db needs an action: init, start, stop, status, migrate or url");
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
            printf("cluster: not initialised in %s/pg (run `tradingsystem db init`)\n", cfg->home);
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
            ts_db_isnull(res, 0, 0)) {
            printf("%s: up, not migrated (run `tradingsystem db migrate`)\n", name);
            rc = EXIT_FAIL;
        } else {
            printf("%s: up, migration %s\n", name, ts_db_val(res, 0, 0));
        }
        ts_db_clear(res);
        ts_db_finish(c);
    }
    return rc;
}

int ts_app_migrate(const struct ts_db_config *cfg)
{
    return migrate_all(cfg, NULL, true);
}

int ts_app_db(int argc, char **argv)
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
