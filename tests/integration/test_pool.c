/*
 * test_pool.c - the connection pool (src/db/pool.c) against the real fixture cluster.
 *
 * What the feed and the API rely on: connections are opened lazily and reused; a
 * connection the server closed while it sat idle (a restart, pg_terminate_backend) is
 * never handed out, so one outage costs a caller one failure, not one per pooled
 * connection; a connection returned broken, or with a transaction left open, is not
 * reused; a pool with every slot taken answers TS_EBUSY after its timeout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "harness.h"

#define SLOTS 3

struct fx {
    PGconn *admin; /* a fresh database of our own, and the connection that owns it */
    struct ts_pool *pool;
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));
    fx->admin = th_fresh_db("data_capture");
    struct ts_err err = TS_ERR_INIT;
    if (ts_pool_new(th_conninfo(th_db_name(fx->admin)), SLOTS, &fx->pool, &err)) {
        fail_msg("ts_pool_new: %s", err.msg);
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    ts_pool_free(fx->pool);
    th_close(fx->admin);
    free(fx);
    return 0;
}

/* The backend pid of a pooled connection, by a query through it (fails the test on error). */
static long backend_pid(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT pg_backend_pid()");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fail_msg("SELECT pg_backend_pid(): %s", PQerrorMessage(c));
    }
    long pid = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return pid;
}

/* Takes every slot, notes their pids, gives them back (alive). */
static void take_all(struct fx *fx, long pids[SLOTS])
{
    PGconn *c[SLOTS];
    struct ts_err err = TS_ERR_INIT;
    for (int i = 0; i < SLOTS; i++) {
        if (ts_pool_get(fx->pool, 1000, &c[i], &err)) {
            fail_msg("ts_pool_get #%d: %s", i, err.msg);
        }
        pids[i] = backend_pid(c[i]);
    }
    for (int i = 0; i < SLOTS; i++) {
        ts_pool_put(fx->pool, c[i], false);
    }
}

/* Waits (by the server's word, not a duration) until none of our pool's backends is left. */
static void terminate_pool_backends(struct fx *fx)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '%s'"
             " AND application_name = 'tradingsystem' AND pid <> pg_backend_pid()",
             th_db_name(fx->admin));
    assert_int_equal(th_count(fx->admin, sql), SLOTS);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM pg_stat_activity WHERE datname = '%s'"
             " AND application_name = 'tradingsystem' AND pid <> pg_backend_pid()",
             th_db_name(fx->admin));
    for (int i = 0; i < 1000 && th_count(fx->admin, sql) > 0; i++) {
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    assert_int_equal(th_count(fx->admin, sql), 0);
}

static void test_reuses_connections(void **state)
{
    struct fx *fx = *state;
    long first[SLOTS], again[SLOTS];
    take_all(fx, first);
    take_all(fx, again);
    for (int i = 0; i < SLOTS; i++) {
        assert_true(first[i] > 0);
        int found = 0;
        for (int j = 0; j < SLOTS; j++) {
            found += again[j] == first[i];
        }
        assert_int_equal(found, 1); /* each backend of the first round serves the second */
    }
}

static void test_idle_connection_closed_by_server_is_replaced(void **state)
{
    struct fx *fx = *state;
    long before[SLOTS];
    take_all(fx, before);
    terminate_pool_backends(fx);
    /* every pooled connection is dead now: each get must still answer a working one */
    PGconn *c[SLOTS];
    struct ts_err err = TS_ERR_INIT;
    for (int i = 0; i < SLOTS; i++) {
        if (ts_pool_get(fx->pool, 1000, &c[i], &err)) {
            fail_msg("ts_pool_get #%d after the backends went: %s", i, err.msg);
        }
        long pid = backend_pid(c[i]);
        for (int j = 0; j < SLOTS; j++) {
            assert_true(pid != before[j]);
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        ts_pool_put(fx->pool, c[i], false);
    }
    /* and ts_pool_query, the path most callers take, succeeds the first time */
    terminate_pool_backends(fx);
    PGresult *r = NULL;
    if (ts_pool_query(fx->pool, "count instruments",
                      "SELECT count(*) FROM data_capture.instruments", 0, NULL, &r, &err)) {
        fail_msg("ts_pool_query after the backends went: %s", err.msg);
    }
    ts_db_clear(r);
}

static void test_broken_and_open_transaction_are_not_reused(void **state)
{
    struct fx *fx = *state;
    struct ts_err err = TS_ERR_INIT;
    PGconn *c;
    assert_int_equal(ts_pool_get(fx->pool, 1000, &c, &err), 0);
    long broken = backend_pid(c);
    ts_pool_put(fx->pool, c, true);
    assert_int_equal(ts_pool_get(fx->pool, 1000, &c, &err), 0);
    long open_txn = backend_pid(c);
    assert_true(open_txn != broken);
    PQclear(PQexec(c, "BEGIN"));
    assert_int_equal(PQtransactionStatus(c), PQTRANS_INTRANS);
    ts_pool_put(fx->pool, c, false);
    long seen[SLOTS];
    take_all(fx, seen);
    for (int i = 0; i < SLOTS; i++) {
        assert_true(seen[i] != broken);
        assert_true(seen[i] != open_txn);
    }
}

static void test_full_pool_times_out_busy(void **state)
{
    struct fx *fx = *state;
    struct ts_err err = TS_ERR_INIT;
    PGconn *c[SLOTS], *extra = NULL;
    for (int i = 0; i < SLOTS; i++) {
        assert_int_equal(ts_pool_get(fx->pool, 1000, &c[i], &err), 0);
    }
    assert_int_equal(ts_pool_get(fx->pool, 50, &extra, &err), TS_EBUSY);
    assert_null(extra);
    assert_non_null(strstr(err.msg, "no database connection free"));
    ts_pool_put(fx->pool, c[0], false);
    assert_int_equal(ts_pool_get(fx->pool, 50, &extra, &err), 0);
    assert_ptr_equal(extra, c[0]);
    ts_pool_put(fx->pool, extra, false);
    for (int i = 1; i < SLOTS; i++) {
        ts_pool_put(fx->pool, c[i], false);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reuses_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_connection_closed_by_server_is_replaced, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_broken_and_open_transaction_are_not_reused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_full_pool_times_out_busy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
