/*
 * export.c - `tradingsystem export parquet --table SCHEMA.TABLE --from TIME --to TIME
 * --out FILE` (API.md "Command line", docs/operations.md "Export"): the command; the
 * export itself is capture/archive.h's.
 */
#include "app/cli.h"
#include "app/commands.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/archive.h"
#include "core/tstime.h"
#include "db/cluster.h"
#include "db/db.h"

const char ts_app_usage_export[] =
    "usage: tradingsystem export parquet --table SCHEMA.TABLE --from TIME --to TIME --out FILE\n"
    "\n"
    "Writes the rows of a time-partitioned table whose partition key is in [from, to)\n"
    "to a Parquet file (zstd pages; integers INT64, timestamps TIMESTAMP UTC micros,\n"
    "numeric DECIMAL(18,8), text STRING), then reads it back and checks the row count\n"
    "and the sums of its integer, timestamp and decimal columns.\n"
    "\n"
    "  --table SCHEMA.TABLE  e.g. data_capture.market_ticks, order_manager.trades\n"
    "  --from TIME --to TIME RFC 3339, e.g. 2026-11-27T00:00:00Z\n"
    "  --out FILE            the file to write (replaced; written as FILE.partial first)\n";

static int module_of(const char *table, enum ts_module *m)
{
    const char *dot = strchr(table, '.');
    if (!dot) {
        return TS_EINVAL;
    }
    for (int i = 0; i < TS_MOD_COUNT; i++) {
        const char *name = ts_db_module_name((enum ts_module)i);
        if (strlen(name) == (size_t)(dot - table) && !strncmp(table, name, (size_t)(dot - table))) {
            *m = (enum ts_module)i;
            return 0;
        }
    }
    return TS_EINVAL;
}

int ts_app_export(int argc, char **argv)
{
    struct {
        const char *table, *from, *to, *out;
        enum ts_module module;
    } j;
    memset(&j, 0, sizeof(j));
    if (argc < 1 || ts_app_is_help(argv[0])) {
        fputs(ts_app_usage_export, argc < 1 ? stderr : stdout);
        return argc < 1 ? TS_APP_EXIT_USAGE : TS_APP_EXIT_OK;
    }
    if (strcmp(argv[0], "parquet") != 0) {
        return ts_app_usage_error("export: unknown format '%s' (parquet is the one)", argv[0]);
    }
    for (int i = 1; i < argc; i++) {
        const char **slot = !strcmp(argv[i], "--table")  ? &j.table
                            : !strcmp(argv[i], "--from") ? &j.from
                            : !strcmp(argv[i], "--to")   ? &j.to
                            : !strcmp(argv[i], "--out")  ? &j.out
                                                         : NULL;
        if (ts_app_is_help(argv[i])) {
            fputs(ts_app_usage_export, stdout);
            return TS_APP_EXIT_OK;
        }
        if (!slot) {
            return ts_app_usage_error("unknown option '%s' for export", argv[i]);
        }
        if (i + 1 >= argc || !*argv[i + 1]) {
            return ts_app_usage_error("%s needs a value", argv[i]);
        }
        *slot = argv[++i];
    }
    int64_t from_ns, to_ns;
    struct ts_err err = TS_ERR_INIT;
    if (!j.table || !j.from || !j.to || !j.out) {
        return ts_app_usage_error("export parquet needs --table, --from, --to and --out");
    }
    if (module_of(j.table, &j.module)) {
        return ts_app_usage_error("--table %s: give SCHEMA.TABLE, the schema a module "
                                  "(data_capture, order_manager, ...)",
                                  j.table);
    }
    if (ts_time_parse_rfc3339_err(j.from, strlen(j.from), &from_ns, &err) ||
        ts_time_parse_rfc3339_err(j.to, strlen(j.to), &to_ns, &err)) {
        return ts_app_usage_error("%s", err.msg);
    }
    if (from_ns >= to_ns) {
        return ts_app_usage_error("--from must be before --to");
    }

    struct ts_db_config cfg;
    PGconn *c = NULL;
    bool started = false;
    int64_t rows = 0;
    int rc = ts_app_config_load(&cfg, &err);
    if (rc) {
        return ts_app_fail(&err);
    }
    if (cfg.embedded[j.module] && (rc = ts_cluster_start(cfg.home, &started, &err))) {
        goto out;
    }
    if ((rc = ts_db_connect(cfg.conninfo[j.module], &c, &err)) ||
        (rc = ts_cap_export_range(c, j.table, j.from, j.to, j.out, true, &rows, &err))) {
        goto out;
    }
    struct stat st;
    printf("exported %" PRId64 " rows of %s [%s, %s) to %s (%lld bytes; row count and column "
           "sums verified)\n",
           rows, j.table, j.from, j.to, j.out, stat(j.out, &st) ? 0LL : (long long)st.st_size);
out:
    if (c) {
        ts_db_finish(c);
    }
    int stop_rc = ts_app_cluster_release(&cfg, started); /* reports its own failure */
    ts_db_config_release(&cfg);
    if (rc == TS_EINVAL) {
        fprintf(stderr, "tradingsystem: %s\n", err.msg);
        return TS_APP_EXIT_USAGE;
    }
    return rc ? ts_app_fail(&err) : stop_rc;
}
