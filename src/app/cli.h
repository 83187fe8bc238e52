/*
 * cli.h - what the commands share (cli.c): exit codes, the one-line usage error and
 * failure messages, --help detection, releasing a cluster a command started,
 * migrating before work (db_cmd.c), and where the program's data folders are
 * (dirs.c). The commands themselves are in commands.h.
 */
#ifndef TS_APP_CLI_H
#define TS_APP_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

enum { TS_APP_EXIT_OK = 0, TS_APP_EXIT_FAIL = 1, TS_APP_EXIT_USAGE = 2, TS_APP_EXIT_STOPPED = 3 };

/* "tradingsystem: <message> (see tradingsystem --help)" on stderr; returns 2. */
int ts_app_usage_error(const char *fmt, ...) TS_PRINTF(1, 2);
/* "tradingsystem: <cause>" on stderr; returns 1. */
int ts_app_fail(const struct ts_err *err);
bool ts_app_is_help(const char *arg);
/* Stops the embedded cluster when this command started it (started); 0, or 1 and the cause on
 * stderr. */
int ts_app_cluster_release(const struct ts_db_config *cfg, bool started) TS_MUST_CHECK;

/*
 * The program's data folders (dirs.c): each from its environment variable
 * (TS_MIGRATIONS_DIR, TS_WEB_DIR), else <prefix>/share/tradingsystem/... next to the
 * installed program, else the source tree it was built from.
 */
struct ts_app_dirs {
    char migrations[4096]; /* the folder of common/ and <module>/ migration files */
    char web[4096];        /* the dashboard's built files (index.html, assets/) */
};
int ts_app_dirs_find(struct ts_app_dirs *d, struct ts_err *err) TS_MUST_CHECK;
/* ts_db_config_load() with the migrations folder of ts_app_dirs_find(). */
int ts_app_config_load(struct ts_db_config *cfg, struct ts_err *err) TS_MUST_CHECK;

/* Creates missing module databases and applies pending migrations, quietly; an exit code. */
int ts_app_migrate(const struct ts_db_config *cfg);

#endif
