/*
 * cli.c - what every command shares: the one-line usage error, the failure
 * message, --help detection, releasing a cluster the command started (cli.h).
 */
#include "app/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db/cluster.h"

int ts_app_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("tradingsystem: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see tradingsystem --help)\n", stderr);
    return TS_APP_EXIT_USAGE;
}

int ts_app_fail(const struct ts_err *err)
{
    fprintf(stderr, "tradingsystem: %s\n", err->msg[0] ? err->msg : ts_strerror(err->code));
    return TS_APP_EXIT_FAIL;
}

int ts_app_cluster_release(const struct ts_db_config *cfg, bool started)
{
    bool stopped;
    struct ts_err err = TS_ERR_INIT;
    if (started && ts_cluster_stop(cfg->home, &stopped, &err)) {
        return ts_app_fail(&err);
    }
    return TS_APP_EXIT_OK;
}

bool ts_app_is_help(const char *a)
{
    return !strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help");
}
