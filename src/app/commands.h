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

/* `tradingsystem export ...` (export.c). */
int ts_app_export(int argc, char **argv);
extern const char ts_app_usage_export[];

#endif
