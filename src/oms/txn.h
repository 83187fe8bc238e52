/*
 * txn.h - one transaction of prepared statements, sent pipelined (libpq pipeline
 * mode: one round trip for BEGIN, every statement and COMMIT). The OMS thread
 * builds one per batch of commands: group commit. A statement may capture its
 * first row as JSON (the answer of a command, exactly as the database has it).
 * OMS thread only.
 */
#ifndef TS_OMS_TXN_H
#define TS_OMS_TXN_H

#include <stdbool.h>

#include "core/buf.h"
#include "db/db.h"
#include <libpq-fe.h> /* until the pipelined writes move into src/db */

#define TS_TXN_MAX_PARAMS 24

struct ts_txn_stmt {
    const char *name;                  /* prepared statement, static */
    int nparams;
    size_t off[TS_TXN_MAX_PARAMS];     /* offsets into data; SIZE_MAX = SQL NULL */
    struct ts_buf *capture;            /* NULL, or where the first row goes as JSON */
};

struct ts_txn {
    struct ts_buf data;        /* parameter strings, NUL-separated */
    struct ts_txn_stmt *stmts; /* owned */
    size_t n, cap;
};

void ts_txn_init(struct ts_txn *t);
void ts_txn_release(struct ts_txn *t);
void ts_txn_reset(struct ts_txn *t);
/* Adds a statement; params are copied (NULL = SQL NULL). Returns the statement. */
struct ts_txn_stmt *ts_txn_add(struct ts_txn *t, const char *name, int nparams,
                               const char *const *params);
/* BEGIN, statements, COMMIT in one pipeline; on error nothing is committed. */
int ts_txn_exec(PGconn *c, struct ts_txn *t, struct ts_err *err) TS_MUST_CHECK;

#endif
