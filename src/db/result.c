/*
 * result.c - reading results and connections outside src/db (db.h "results"):
 * thin accessors over libpq, so that libpq stays inside this folder.
 */
#include "db/db.h"

#include <libpq-fe.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

int ts_db_nrows(const PGresult *r)
{
    return r ? PQntuples(r) : 0;
}

int ts_db_ncols(const PGresult *r)
{
    return r ? PQnfields(r) : 0;
}

const char *ts_db_val(const PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col);
}

bool ts_db_isnull(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) != 0;
}

size_t ts_db_len(const PGresult *r, int row, int col)
{
    return (size_t)PQgetlength(r, row, col);
}

const char *ts_db_fname(const PGresult *r, int col)
{
    return PQfname(r, col);
}

int64_t ts_db_affected(const PGresult *r)
{
    return r ? strtoll(PQcmdTuples((PGresult *)r), NULL, 10) : 0;
}

void ts_db_clear(PGresult *r)
{
    PQclear(r);
}

bool ts_db_connected(const PGconn *c)
{
    return c && PQstatus(c) == CONNECTION_OK;
}

int ts_db_socket(const PGconn *c)
{
    return PQsocket(c);
}

int ts_db_notifications(PGconn *c)
{
    PGnotify *nt;
    int n = 0;
    if (!PQconsumeInput(c)) {
        return -1;
    }
    while ((nt = PQnotifies(c))) {
        PQfreemem(nt);
        n++;
    }
    return n;
}

/* An idle connection has nothing to read: readable means the server closed it (a
 * terminated backend's FATAL then EOF) or, rarely, told it something unasked; either way
 * a fresh connection is the safe answer. */
bool ts_db_idle_ok(PGconn *c)
{
    if (!c || PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE) {
        return false;
    }
    struct pollfd pfd = {.fd = PQsocket(c), .events = POLLIN};
    if (pfd.fd < 0) {
        return false;
    }
    int n;
    do {
        n = poll(&pfd, 1, 0);
    } while (n < 0 && errno == EINTR);
    return n == 0;
}
