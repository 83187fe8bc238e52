/*
 * commands.h - the subcommands of `tradingsystem`, for main.c's dispatch: each
 * takes the arguments after its name and returns an exit code (cli.h).
 */
#ifndef TS_APP_COMMANDS_H
#define TS_APP_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
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

/* `tradingsystem user ...` (user.c). */
int ts_app_user(int argc, char **argv);
extern const char ts_app_usage_user[];
/* A new one-time login link of user for the dashboard of `serve` on addr, into out. */
int ts_app_login_link(PGconn *c, const char *user, const char *addr, bool tls, char *out,
                      size_t cap, struct ts_err *err) TS_MUST_CHECK;

/* `tradingsystem secret rotate` (secret_cmd.c). */
int ts_app_secret(int argc, char **argv);
extern const char ts_app_usage_secret[];

/* `tradingsystem export ...` (export.c). */
int ts_app_export(int argc, char **argv);
extern const char ts_app_usage_export[];

#endif
