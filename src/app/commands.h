/*
 * commands.h - the subcommands of `tradingsystem`, for main.c's dispatch: each
 * takes the arguments after its name and returns an exit code (cli.h).
 */
#ifndef TS_APP_COMMANDS_H
#define TS_APP_COMMANDS_H

#include <stdint.h>

#include "db/db.h"

/* `tradingsystem serve ...` (serve.c). */
int ts_app_serve(int argc, char **argv);
/* `tradingsystem db ...` (db_cmd.c). */
int ts_app_db(int argc, char **argv);

/* `tradingsystem replay ...` (replay.c). */
int ts_app_replay(int argc, char **argv);
extern const char ts_app_usage_replay[];

/* `tradingsystem retention ...` (retention.c). */
int ts_app_retention(int argc, char **argv);
extern const char ts_app_usage_retention[];

/*
 * Writes the rows of table with its partition key in [from, to) to out, inside the
 * transaction open on c (what it holds is what is exported), then reads the file
 * back and checks it (export.c). *rows: rows written. On failure no file is left.
 */
int ts_app_export_range(PGconn *c, const char *table, const char *from, const char *to,
                        const char *out, int64_t *rows, struct ts_err *err) TS_MUST_CHECK;

/* `tradingsystem export ...` (export.c). */
int ts_app_export(int argc, char **argv);
extern const char ts_app_usage_export[];

#endif
