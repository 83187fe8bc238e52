/*
 * harness.c - see harness.h. Talks to the fixture cluster through TS_HOME and
 * TS_PG_PORT, exactly as the program would.
 */
#include "harness.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/buf.h"
#include "db/cluster.h"

#define MAX_DBS 64

static struct {
    PGconn *conn;
    char name[64];
} dbs[MAX_DBS];
static int serial;

const char *th_conninfo(const char *dbname)
{
    static char out[1024];
    const char *home = getenv("TS_HOME");
    struct ts_buf b = TS_BUF_INIT;
    if (!home) {
        fail_msg("TS_HOME is not set: run integration tests through ctest");
    }
    ts_cluster_conninfo(home, dbname, &b);
    snprintf(out, sizeof(out), "%s", b.buf);
    ts_buf_release(&b);
    return out;
}

static PGconn *connect_or_fail(const char *dbname)
{
    PGconn *c = PQconnectdb(th_conninfo(dbname));
    if (PQstatus(c) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
        PQfinish(c);
        fail_msg("cannot connect to %s: %s", dbname, msg);
    }
    PQsetNoticeProcessor(c, NULL, NULL);
    return c;
}

static void admin(const char *sql)
{
    PGconn *c = connect_or_fail("postgres");
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
        PQclear(r);
        PQfinish(c);
        fail_msg("%s: %s", sql, msg);
    }
    PQclear(r);
    PQfinish(c);
}

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

PGconn *th_fresh_db(const char *module)
{
    char sql[256];
    int slot = -1;
    for (int i = 0; i < MAX_DBS; i++) {
        if (!dbs[i].conn) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        fail_msg("too many open test databases");
    }
    snprintf(dbs[slot].name, sizeof(dbs[slot].name), "t_%s_%d_%d", module, (int)getpid(), ++serial);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE tpl_%s", dbs[slot].name, module);
    admin(sql);
    dbs[slot].conn = connect_or_fail(dbs[slot].name);
    PQsetNoticeProcessor(dbs[slot].conn, quiet, NULL);
    return dbs[slot].conn;
}

const char *th_db_name(PGconn *c)
{
    for (int i = 0; i < MAX_DBS; i++) {
        if (dbs[i].conn == c) {
            return dbs[i].name;
        }
    }
    return NULL;
}

void th_close(PGconn *c)
{
    char sql[128];
    for (int i = 0; i < MAX_DBS; i++) {
        if (dbs[i].conn == c) {
            PQfinish(c);
            dbs[i].conn = NULL;
            snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbs[i].name);
            admin(sql);
            return;
        }
    }
    PQfinish(c);
}

/* Runs every statement of sql; returns the first failed result (caller clears) or NULL. */
static PGresult *run_all(PGconn *c, const char *sql)
{
    PGresult *r, *failed = NULL;
    if (!PQsendQuery(c, sql)) {
        fail_msg("cannot send query: %s", PQerrorMessage(c));
    }
    while ((r = PQgetResult(c))) {
        ExecStatusType st = PQresultStatus(r);
        if (!failed && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
            failed = r;
        } else {
            PQclear(r);
        }
    }
    return failed;
}

static void rollback_if_open(PGconn *c)
{
    if (PQtransactionStatus(c) == PQTRANS_INERROR || PQtransactionStatus(c) == PQTRANS_INTRANS) {
        PQclear(PQexec(c, "ROLLBACK"));
    }
}

void th_exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = run_all(c, sql);
    if (r) {
        char msg[1024];
        snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
        PQclear(r);
        rollback_if_open(c);
        fail_msg("SQL failed: %s\n  in: %.300s", msg, sql);
    }
}

void th_exec_fails(PGconn *c, const char *sql, const char *sqlstate)
{
    PGresult *r = run_all(c, sql);
    if (!r) {
        fail_msg("SQL succeeded but should have failed%s%s: %.300s", sqlstate ? " with " : "",
                 sqlstate ? sqlstate : "", sql);
    }
    const char *got = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    char msg[1024];
    snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
    char gotbuf[8];
    snprintf(gotbuf, sizeof(gotbuf), "%s", got ? got : "?");
    PQclear(r);
    rollback_if_open(c);
    if (sqlstate && strcmp(gotbuf, sqlstate) != 0) {
        fail_msg("expected SQLSTATE %s, got %s: %s  in: %.300s", sqlstate, gotbuf, msg, sql);
    }
}

char *th_value(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        char msg[1024];
        snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
        PQclear(r);
        rollback_if_open(c);
        fail_msg("query failed: %s  in: %.300s", msg, sql);
    }
    char *v = NULL;
    if (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
        v = strdup(PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return v;
}

long long th_count(PGconn *c, const char *sql)
{
    char *v = th_value(c, sql);
    if (!v) {
        fail_msg("query returned no value: %.300s", sql);
    }
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end) {
        free(v);
        fail_msg("query returned a non-integer: %.300s", sql);
    }
    free(v);
    return n;
}
