/*
 * txn.c - one pipelined transaction of prepared statements (txn.h).
 */
#include "db/txn.h"

#include <libpq-fe.h>

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "core/mem.h"

void ts_db_txn_init(struct ts_db_txn *t)
{
    memset(t, 0, sizeof(*t));
    ts_buf_init(&t->data);
}

void ts_db_txn_release(struct ts_db_txn *t)
{
    ts_buf_release(&t->data);
    ts_free(t->stmts);
    memset(t, 0, sizeof(*t));
}

void ts_db_txn_reset(struct ts_db_txn *t)
{
    ts_buf_reset(&t->data);
    t->n = 0;
}

struct ts_db_txn_stmt *ts_db_txn_add(struct ts_db_txn *t, const char *name, int nparams,
                                     const char *const *params)
{
    assert(nparams >= 0 && nparams <= TS_DB_TXN_MAX_PARAMS);
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->stmts = ts_xreallocarray(t->stmts, t->cap, sizeof(*t->stmts));
    }
    struct ts_db_txn_stmt *s = &t->stmts[t->n++];
    s->name = name;
    s->nparams = nparams;
    s->capture = NULL;
    for (int i = 0; i < nparams; i++) {
        if (!params[i]) {
            s->off[i] = SIZE_MAX;
            continue;
        }
        s->off[i] = t->data.len;
        ts_buf_add(&t->data, params[i], strlen(params[i]) + 1);
    }
    return s;
}

int ts_db_txn_prepare(PGconn *c, const char *name, const char *sql, int nparams, struct ts_err *err)
{
    PGresult *res = PQprepare(c, name, sql, nparams, NULL);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = ts_db_error(c, res, "prepare statements", err);
    }
    PQclear(res);
    return rc;
}

/* Reads the results of one pipelined query; returns its first error (and keeps going). */
static int read_one(PGconn *c, const char *what, struct ts_buf *capture, int rc, struct ts_err *err)
{
    PGresult *res;
    while ((res = PQgetResult(c))) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_FATAL_ERROR && !rc) {
            rc = ts_db_error(c, res, what, err);
        } else if (st == PGRES_PIPELINE_ABORTED && !rc) {
            rc = ts_err_set(err, TS_EDB, "cannot %s: pipeline aborted", what);
        } else if (st == PGRES_TUPLES_OK && capture && !rc && PQntuples(res) > 0) {
            ts_buf_reset(capture);
            ts_db_row_json(capture, res, 0);
        }
        PQclear(res);
    }
    return rc;
}

int ts_db_txn_exec(PGconn *c, struct ts_db_txn *t, struct ts_err *err)
{
    const char *vals[TS_DB_TXN_MAX_PARAMS];
    int rc = 0;

    if (t->n == 0) {
        return 0;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        return ts_err_set(err, TS_ECONN, "cannot write: the database connection is lost");
    }
    if (!PQenterPipelineMode(c)) {
        return ts_db_error(c, NULL, "enter pipeline mode", err);
    }
    bool sent = PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
    for (size_t i = 0; sent && i < t->n; i++) {
        struct ts_db_txn_stmt *s = &t->stmts[i];
        for (int k = 0; k < s->nparams; k++) {
            vals[k] = s->off[k] == SIZE_MAX ? NULL : t->data.buf + s->off[k];
        }
        sent = PQsendQueryPrepared(c, s->name, s->nparams, vals, NULL, NULL, 0);
    }
    sent = sent && PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
    sent = sent && PQpipelineSync(c);
    if (!sent) {
        rc = ts_db_error(c, NULL, "send the transaction", err);
        /* fall through to drain what was sent */
    }
    if (sent) {
        rc = read_one(c, "begin", NULL, rc, err);
        for (size_t i = 0; i < t->n; i++) {
            rc = read_one(c, t->stmts[i].name, t->stmts[i].capture, rc, err);
        }
        rc = read_one(c, "commit", NULL, rc, err);
        PGresult *res = PQgetResult(c); /* the sync */
        if (res && PQresultStatus(res) != PGRES_PIPELINE_SYNC && !rc) {
            rc = ts_err_set(err, TS_EDB, "cannot commit: unexpected pipeline state");
        }
        PQclear(res);
    }
    if (!PQexitPipelineMode(c) && PQstatus(c) == CONNECTION_OK) {
        /* results left: drain them so the connection is usable */
        PGresult *res;
        while ((res = PQgetResult(c))) {
            PQclear(res);
        }
        PQexitPipelineMode(c);
    }
    if (PQtransactionStatus(c) == PQTRANS_INERROR || PQtransactionStatus(c) == PQTRANS_INTRANS) {
        /* an error inside the explicit transaction leaves it open and failed */
        PQclear(PQexec(c, "ROLLBACK"));
        if (!rc) {
            rc = ts_err_set(err, TS_EDB, "cannot commit: transaction left open");
        }
    }
    return rc;
}
