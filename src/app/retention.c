/*
 * retention.c - `tradingsystem retention run [--dry-run]` and `retention set
 * SCHEMA.TABLE INTERVAL|off` (docs/operations.md "Retention"): old partitions
 * leave the database only as verified Parquet files (DESIGN.md erratum 14).
 *
 * For each registered table with a retention (public.ts_partitioned_tables), each
 * partition whose upper bound is older than now - retention is, in one transaction:
 * locked against writes (SHARE), exported (capture/archive.h) to
 * $TS_HOME/archive/SCHEMA.TABLE/PARTITION.parquet, read back and checked (rows and
 * column sums against what was read), then dropped: for data_capture tables through
 * the schema's gate (a verified row in data_capture.export_log with the file's
 * SHA-256, then data_capture.drop_exported_partition(), which recounts), for the
 * other modules counted again, detached and dropped here.
 * Any failure rolls back: the partition stays, and the reason is reported (exit 1
 * once the others were tried). Tables without a retention (orders, trades, audit
 * by default) are never touched.
 */
#include "app/cli.h"
#include "app/commands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/archive.h"
#include "db/cluster.h"

const char ts_app_usage_retention[] =
    "usage: tradingsystem retention run [--dry-run]\n"
    "       tradingsystem retention set SCHEMA.TABLE INTERVAL|off\n"
    "\n"
    "run: every partition older than its table's retention is exported to\n"
    "     $TS_HOME/archive/SCHEMA.TABLE/PARTITION.parquet, read back and verified,\n"
    "     and only then detached and dropped; a failure keeps the partition.\n"
    "     --dry-run lists what would go.\n"
    "set: the retention of a time-partitioned table, e.g. '30 days', or off.\n";

static int run_module(const struct ts_db_config *cfg, enum ts_module m, bool dry, int *failures)
{
    struct ts_err err = TS_ERR_INIT;
    PGconn *c = NULL;
    PGresult *r = NULL;
    int rc = ts_db_connect(cfg->conninfo[m], &c, &err);
    rc = rc ? rc
            : ts_db_exec(c, "find old partitions",
                         "SELECT t.parent::text, p.partition::text,"
                         " to_char(p.lower AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                         " to_char(p.upper AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                         " t.retention::text"
                         " FROM public.ts_partitioned_tables t,"
                         " LATERAL public.ts_partitions(t.parent) p"
                         " WHERE t.retention IS NOT NULL AND NOT p.is_default"
                         " AND p.upper <= now() - t.retention ORDER BY 1, p.lower",
                         0, NULL, &r, &err);
    for (int i = 0; !rc && i < ts_db_nrows(r); i++) {
        const char *parent = ts_db_val(r, i, 0), *part = ts_db_val(r, i, 1);
        if (dry) {
            printf("would archive %s [%s, %s) of %s (retention %s)\n", part, ts_db_val(r, i, 2),
                   ts_db_val(r, i, 3), parent, ts_db_val(r, i, 4));
            continue;
        }
        char file[4200];
        int64_t rows = 0;
        struct ts_err e = TS_ERR_INIT;
        if (ts_cap_archive_partition(c, cfg->home, parent, part, ts_db_val(r, i, 2),
                                     ts_db_val(r, i, 3), &rows, file, sizeof(file), &e)) {
            fprintf(stderr, "tradingsystem: %s kept: %s\n", part, e.msg);
            (*failures)++;
        } else {
            printf("archived %s: %" PRId64 " rows to %s (verified), partition dropped\n", part,
                   rows, file);
        }
    }
    ts_db_clear(r);
    if (c) {
        ts_db_finish(c);
    }
    if (rc) {
        fprintf(stderr, "tradingsystem: %s: %s\n", ts_db_module_name(m), err.msg);
        (*failures)++;
    }
    return 0;
}

static int set_retention(const struct ts_db_config *cfg, const char *table, const char *value)
{
    enum ts_module m;
    const char *dot = strchr(table, '.');
    char mod[64];
    struct ts_err err = TS_ERR_INIT;
    if (!dot || (size_t)(dot - table) >= sizeof(mod)) {
        return ts_app_usage_error("retention set: give SCHEMA.TABLE");
    }
    snprintf(mod, sizeof(mod), "%.*s", (int)(dot - table), table);
    if (ts_db_module_parse(mod, &m)) {
        return ts_app_usage_error("retention set: no module '%s'", mod);
    }
    PGconn *c = NULL;
    PGresult *r = NULL;
    const char *p[2] = {table, strcmp(value, "off") ? value : NULL};
    int rc = ts_db_connect(cfg->conninfo[m], &c, &err);
    rc = rc ? rc
            : ts_db_exec(
                  c, "set the retention",
                  "UPDATE public.ts_partitioned_tables SET retention = $2::interval"
                  " WHERE parent = to_regclass($1) RETURNING coalesce(retention::text, 'off')",
                  2, p, &r, &err);
    if (!rc && ts_db_nrows(r) == 0) {
        rc = ts_err_set(&err, TS_EINVAL, "%s is not a time-partitioned table", table);
    }
    if (!rc) {
        printf("retention of %s: %s\n", table, ts_db_val(r, 0, 0));
    }
    ts_db_clear(r);
    if (c) {
        ts_db_finish(c);
    }
    if (rc == TS_EINVAL) {
        fprintf(stderr, "tradingsystem: %s\n", err.msg);
        return TS_APP_EXIT_USAGE;
    }
    return rc ? ts_app_fail(&err) : TS_APP_EXIT_OK;
}

int ts_app_retention(int argc, char **argv)
{
    bool run = argc >= 1 && !strcmp(argv[0], "run"), set = argc >= 1 && !strcmp(argv[0], "set");
    bool dry = false;
    if (argc < 1 || ts_app_is_help(argv[0])) {
        fputs(ts_app_usage_retention, argc < 1 ? stderr : stdout);
        return argc < 1 ? TS_APP_EXIT_USAGE : TS_APP_EXIT_OK;
    }
    for (int i = 1; i < argc; i++) {
        if (ts_app_is_help(argv[i])) {
            fputs(ts_app_usage_retention, stdout);
            return TS_APP_EXIT_OK;
        }
    }
    if (run) {
        for (int i = 1; i < argc; i++) {
            if (strcmp(argv[i], "--dry-run") != 0) {
                return ts_app_usage_error("unknown option '%s' for retention run", argv[i]);
            }
            dry = true;
        }
    } else if (!set) {
        return ts_app_usage_error("unknown retention action '%s'", argv[0]);
    } else if (argc != 3) {
        return ts_app_usage_error("retention set needs SCHEMA.TABLE and INTERVAL|off");
    }
    struct ts_db_config cfg;
    struct ts_err err = TS_ERR_INIT;
    bool started = false;
    int failures = 0, rc;
    if (ts_app_config_load(&cfg, &err)) {
        return ts_app_fail(&err);
    }
    if (ts_db_config_any_embedded(&cfg) && ts_cluster_start(cfg.home, &started, &err)) {
        rc = ts_app_fail(&err);
        goto out;
    }
    if (set) {
        rc = set_retention(&cfg, argv[1], argv[2]);
    } else {
        for (int m = 0; m < TS_MOD_COUNT; m++) {
            run_module(&cfg, (enum ts_module)m, dry, &failures);
        }
        rc = failures ? TS_APP_EXIT_FAIL : TS_APP_EXIT_OK;
    }
out:
    if (ts_app_cluster_release(&cfg, started) && rc == TS_APP_EXIT_OK) {
        rc = TS_APP_EXIT_FAIL; /* the cluster would not stop (said by the call) */
    }
    ts_db_config_release(&cfg);
    return rc;
}
