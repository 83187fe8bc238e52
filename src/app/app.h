/*
 * app.h - what the command line's files share (main.c, export.c): exit codes, the
 * one-line usage error and failure messages, and --help detection.
 */
#ifndef TS_APP_APP_H
#define TS_APP_APP_H

#include <stdbool.h>

#include "core/err.h"

enum { TS_APP_EXIT_OK = 0, TS_APP_EXIT_FAIL = 1, TS_APP_EXIT_USAGE = 2, TS_APP_EXIT_STOPPED = 3 };

/* "tradingsystem: <message> (see tradingsystem --help)" on stderr; returns 2. */
int ts_app_usage_error(const char *fmt, ...) TS_PRINTF(1, 2);
/* "tradingsystem: <cause>" on stderr; returns 1. */
int ts_app_fail(const struct ts_err *err);
bool ts_app_is_help(const char *arg);

/* Creates missing module databases and applies pending migrations, quietly; an exit code. */
struct ts_db_config;
int ts_app_migrate(const struct ts_db_config *cfg);

/* `tradingsystem replay ...` (replay.c). */
int ts_app_replay(int argc, char **argv);
extern const char ts_app_usage_replay[];

/* `tradingsystem export ...` (export.c). */
int ts_app_export(int argc, char **argv);
extern const char ts_app_usage_export[];

#endif
