/*
 * main.c - the `tradingsystem` command line (API.md "Command line"): it only
 * dispatches to the commands (serve.c, db_cmd.c, replay.c, export.c, retention.c).
 *
 * Exit status: 0 success, 1 runtime failure (the cause on stderr), 2 bad usage
 * (one line on stderr), 3 from `db status` when the embedded cluster is not running.
 * Settings come from the environment first, then flags (API.md).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "core/log.h"

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
    "  user add|token|revoke|disable|list|login-url|passwd\n"
    "                     the users of the server and their credentials\n"
    "  secret rotate      a new key for stored secrets; re-seals them under it\n"
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

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    ts_log_init_from_env();
    if (argc < 2) {
        fputs(usage_main, stderr);
        return TS_APP_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (ts_app_is_help(cmd)) {
        fputs(usage_main, stdout);
        return TS_APP_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("tradingsystem %s\n", TS_VERSION);
        return TS_APP_EXIT_OK;
    }
    if (!strcmp(cmd, "serve")) {
        return ts_app_serve(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "db")) {
        return ts_app_db(argc - 2, argv + 2);
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
    if (!strcmp(cmd, "user")) {
        return ts_app_user(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "secret")) {
        return ts_app_secret(argc - 2, argv + 2);
    }
    if (cmd[0] == '-') {
        return ts_app_usage_error("unknown option '%s'", cmd);
    }
    return ts_app_usage_error("unknown command '%s'", cmd);
}
