/*
 * harness.h - helpers for integration tests against the real PostgreSQL cluster
 * that the ctest fixture (cluster.sh up) started and migrated.
 *
 * Each th_fresh_db() is a brand-new database cloned from the migrated template of
 * a module (tpl_<module>), so every test starts from a clean state and tests can
 * run in parallel. Failures fail the current cmocka test with the server message.
 */
#ifndef TS_TESTS_HARNESS_H
#define TS_TESTS_HARNESS_H

#include <libpq-fe.h>

/* Connection to a new database cloned from the module's migrated template. */
PGconn *th_fresh_db(const char *module);
/* Name of the database behind a th_fresh_db() connection (borrowed). */
const char *th_db_name(PGconn *c);
/* libpq connection string of the test cluster's database dbname; static buffer. */
const char *th_conninfo(const char *dbname);
/* Closes and drops that database. */
void th_close(PGconn *c);
/* Runs SQL (several statements allowed); fails the test on error. */
void th_exec_ok(PGconn *c, const char *sql);
/* Asserts that the SQL fails, with sqlstate when not NULL; rolls back an open transaction. */
void th_exec_fails(PGconn *c, const char *sql, const char *sqlstate);
/* First column of the first row, malloc'd (free()), NULL for SQL NULL or no row. */
char *th_value(PGconn *c, const char *sql);
long long th_count(PGconn *c, const char *sql);

#endif
