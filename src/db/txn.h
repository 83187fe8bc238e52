/*
 * txn.h - one transaction of prepared statements sent in one round trip (libpq's
 * pipeline mode, txn.c): what a single writer that commits many changes at once
 * (the order manager's group commit) needs. A struct ts_db_txn and the connection it
 * runs on belong to one thread.
 */
#ifndef TS_DB_TXN_H
#define TS_DB_TXN_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define TS_DB_TXN_MAX_PARAMS 24

struct ts_db_txn_stmt {
    const char *name; /* prepared statement, static */
    int nparams;
    size_t off[TS_DB_TXN_MAX_PARAMS]; /* offsets into data; SIZE_MAX = SQL NULL */
    struct ts_buf *capture;           /* NULL, or where the first row goes as JSON */
};

/*
 * BEGIN, every statement and COMMIT sent in one round trip (libpq pipeline mode).
 * The order manager's thread builds one per batch of commands: its group commit. A statement
 * may capture its first row as JSON (the answer of a command, exactly as the
 * database has it).
 */
struct ts_db_txn {
    struct ts_buf data;           /* parameter strings, NUL-separated */
    struct ts_db_txn_stmt *stmts; /* owned */
    size_t n, cap;
};

void ts_db_txn_init(struct ts_db_txn *t);
void ts_db_txn_release(struct ts_db_txn *t);
void ts_db_txn_reset(struct ts_db_txn *t);
/* Adds a statement; params are copied (NULL = SQL NULL). Returns the statement. */
struct ts_db_txn_stmt *ts_db_txn_add(struct ts_db_txn *t, const char *name, int nparams,
                                     const char *const *params);
/* Prepares one statement on c (a fresh connection). */
int ts_db_txn_prepare(PGconn *c, const char *name, const char *sql, int nparams,
                      struct ts_err *err) TS_MUST_CHECK;
/* BEGIN, statements, COMMIT in one pipeline; on error nothing is committed. */
int ts_db_txn_exec(PGconn *c, struct ts_db_txn *t, struct ts_err *err) TS_MUST_CHECK;

#endif
