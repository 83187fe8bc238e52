/*
 * test_schema.c - the schema of migrations/ against a real PostgreSQL 15.
 *
 * One test per erratum of DESIGN.md §6 (each would fail on the DDL of
 * spec/schema-design.md as written), plus the partition machinery, the outbox,
 * the workspace and documentation rules. Each test starts from a fresh clone of
 * a migrated module database (th_fresh_db) and drops it at the end.
 *
 * Writes to audited tables set the actor per transaction, as the program does:
 * "BEGIN; SELECT set_config('app.actor', 'alice', true); ...; COMMIT;". Expected
 * failures run without BEGIN, as one implicit transaction, so a failure leaves no
 * transaction open.
 *
 * Not here: the C state machine (tests/unit), the migration runner (its own test).
 * See docs/schema.md for what the schema promises.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "harness.h"

#define ACCOUNT "01900000-0000-7000-8000-00000000a001"
#define STRATEGY "01900000-0000-7000-8000-00000000a002"
#define ORDER "01900000-0000-7000-8000-00000000a003"

static const char *const modules[] = {"order_manager", "data_capture", "tp_capital", "workspace",
                                      "documentation"};

/* ---------------------------------------------------------------------------------------- */
/* helpers */

/* snprintf into a fixed buffer; a truncated statement is a bug of the test. */
static void fmt(char *buf, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t size, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(buf, size, format, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        fail_msg("statement too long for the test buffer: %s", format);
    }
}

/* th_value, compared with want (NULL: expects SQL NULL or no row); `what` names the check. */
static void want_value(PGconn *c, const char *what, const char *sql, const char *want)
{
    char *got = th_value(c, sql);
    if (want == NULL && got != NULL) {
        fail_msg("%s: want NULL, got '%s'\n  query: %s", what, got, sql);
    }
    if (want != NULL && (got == NULL || strcmp(got, want) != 0)) {
        fail_msg("%s: want '%s', got '%s'\n  query: %s", what, want, got ? got : "NULL", sql);
    }
    free(got);
}

/*
 * Runs sql, which must fail with SQLSTATE state and, when msg_part != NULL, a primary message
 * containing msg_part. The case name is in every failure message (table-driven tests).
 */
static void want_error(PGconn *c, const char *name, const char *sql, const char *state,
                       const char *msg_part)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_FATAL_ERROR) {
        PQclear(res);
        fail_msg("%s: succeeded, want SQLSTATE %s\n  sql: %s", name, state, sql);
    }
    const char *got = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    char gotbuf[8] = "";
    char msgbuf[512] = "";
    fmt(gotbuf, sizeof(gotbuf), "%s", got ? got : "");
    fmt(msgbuf, sizeof(msgbuf), "%.500s", msg ? msg : "");
    PQclear(res);
    if (strcmp(gotbuf, state) != 0) {
        fail_msg("%s: want SQLSTATE %s, got %s (%s)\n  sql: %s", name, state, gotbuf, msgbuf, sql);
    }
    if (msg_part && !strstr(msgbuf, msg_part)) {
        fail_msg("%s: want a message containing '%s', got '%s'", name, msg_part, msgbuf);
    }
}

/* Runs stmt in its own transaction with app.actor = actor. */
static void as_actor(PGconn *c, const char *actor, const char *stmt)
{
    char sql[4096];
    fmt(sql, sizeof(sql), "BEGIN; SELECT set_config('app.actor', '%s', true); %s; COMMIT;", actor,
        stmt);
    th_exec_ok(c, sql);
}

/* Runs stmt with app.actor = actor (one implicit transaction); it must fail. */
static void as_actor_fails(PGconn *c, const char *name, const char *actor, const char *stmt,
                           const char *state, const char *msg_part)
{
    char sql[4096];
    fmt(sql, sizeof(sql), "SELECT set_config('app.actor', '%s', true); %s", actor, stmt);
    want_error(c, name, sql, state, msg_part);
}

/* An account and a strategy for orders and positions. */
static void seed_account_and_strategy(PGconn *c)
{
    as_actor(c, "alice",
             "INSERT INTO order_manager.accounts (id, name, broker_account) "
             "VALUES ('" ACCOUNT "', 'main', '12345');"
             "INSERT INTO order_manager.strategies (id, name, strategy_type, created_by) "
             "VALUES ('" STRATEGY "', 'manual', 'MANUAL', 'alice')");
}

/* A PENDING BUY order of 100 PETR4 (as alice). price/stop: SQL text, e.g. "30" or "NULL". */
static void insert_order(PGconn *c, const char *id, const char *ref, const char *type,
                         const char *price, const char *stop)
{
    char stmt[1024];
    fmt(stmt, sizeof(stmt),
        "INSERT INTO order_manager.orders (id, order_ref, symbol, exchange, asset_class, side, "
        "order_type, quantity, price, stop_price, strategy_id, account_id, position_type, "
        "created_by) VALUES ('%s', '%s', 'PETR4', 'B3', 'stock', 'BUY', '%s', 100, %s, %s, "
        "'" STRATEGY "', '" ACCOUNT "', 'DAY_TRADE', 'alice')",
        id, ref, type, price, stop);
    as_actor(c, "alice", stmt);
}

/* Applies UPDATE orders SET <set> to order id, as bob. */
static void update_order(PGconn *c, const char *id, const char *set)
{
    char stmt[1024];
    fmt(stmt, sizeof(stmt), "UPDATE order_manager.orders SET %s WHERE id = '%s'", set, id);
    as_actor(c, "bob", stmt);
}

/* A distinct order id per case number. */
static void order_id(char *buf, size_t size, int n)
{
    fmt(buf, size, "01900000-0000-7000-8000-%012d", 100 + n);
}

/* One tick of PETR4 (trade_id) at the SQL time expression `at`. */
static void tick_sql(char *buf, size_t size, const char *at, int trade_id, const char *suffix)
{
    fmt(buf, size,
        "INSERT INTO data_capture.market_ticks (symbol, tick_time, trade_id, exchange, price, "
        "volume, aggressor) VALUES ('PETR4', %s, %d, 'B3', 30.10, 100, 'BUY') %s",
        at, trade_id, suffix);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 1: keys of partitioned tables; small tables stay plain */

static void test_partitioned_tables_are_partitioned_and_small_tables_plain(void **state)
{
    (void)state;
    static const struct {
        const char *module;
        const char *table;
        const char *relkind; /* p: partitioned, r: plain */
    } cases[] = {
        {"order_manager", "order_manager.orders", "r"},
        {"order_manager", "order_manager.accounts", "r"},
        {"order_manager", "order_manager.positions", "r"},
        {"order_manager", "order_manager.strategies", "r"},
        {"order_manager", "order_manager.risk_limits", "r"},
        {"order_manager", "order_manager.outbox", "r"},
        {"order_manager", "order_manager.trade_summary_daily", "r"},
        {"order_manager", "order_manager.trades", "p"},
        {"order_manager", "order_manager.position_history", "p"},
        {"order_manager", "order_manager.order_audit_log", "p"},
        {"data_capture", "data_capture.instruments", "r"},
        {"data_capture", "data_capture.market_bars_1m", "r"},
        {"data_capture", "data_capture.export_log", "r"},
        {"data_capture", "data_capture.market_ticks", "p"},
        {"data_capture", "data_capture.order_book_snapshots", "p"},
        {"data_capture", "data_capture.profitdll_callbacks", "p"},
        {"tp_capital", "\"tp-capital\".telegram_bots", "r"},
        {"tp_capital", "\"tp-capital\".telegram_channels", "r"},
        {"tp_capital", "\"tp-capital\".signal_summary_daily", "r"},
        {"tp_capital", "\"tp-capital\".tp_capital_signals", "p"},
        {"workspace", "workspace.users", "r"},
        {"workspace", "workspace.workspace_items", "r"},
        {"workspace", "workspace.workspace_audit_log", "p"},
        {"documentation", "documentation.documentation_systems", "r"},
        {"documentation", "documentation.documentation_ideas", "r"},
        {"documentation", "documentation.documentation_files", "r"},
        {"documentation", "documentation.documentation_audit_log", "p"},
    };
    for (size_t m = 0; m < sizeof(modules) / sizeof(modules[0]); m++) {
        PGconn *c = th_fresh_db(modules[m]);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            if (strcmp(cases[i].module, modules[m]) != 0) {
                continue;
            }
            char sql[512];
            fmt(sql, sizeof(sql),
                "SELECT relkind::text FROM pg_class WHERE oid = to_regclass('%s')", cases[i].table);
            want_value(c, cases[i].table, sql, cases[i].relkind);
        }
        /* Every partitioned table is registered, so maintenance keeps its partitions. */
        want_value(c, modules[m],
                   "SELECT count(*) FROM pg_partitioned_table pp "
                   "JOIN pg_class k ON k.oid = pp.partrelid AND NOT k.relispartition "
                   "WHERE pp.partrelid NOT IN (SELECT parent FROM public.ts_partitioned_tables)",
                   "0");
        th_close(c);
    }
}

static void test_order_ref_is_unique(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    insert_order(c, ORDER, "REF-1", "LIMIT", "30", "NULL");
    as_actor_fails(c, "same order_ref again", "alice",
                   "INSERT INTO order_manager.orders (order_ref, symbol, exchange, asset_class, "
                   "side, order_type, quantity, price, strategy_id, account_id, position_type, "
                   "created_by) VALUES ('REF-1', 'PETR4', 'B3', 'stock', 'BUY', 'LIMIT', 100, 30, "
                   "'" STRATEGY "', '" ACCOUNT "', 'DAY_TRADE', 'alice')",
                   "23505", NULL);
    th_close(c);
}

static void test_trade_reported_twice_is_stored_once(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    insert_order(c, ORDER, "REF-1", "LIMIT", "30", "NULL");
    char sql[1024];
    /* The venue reports the same fill (same venue, trade_ref, executed_at) twice. */
    th_exec_ok(c, "CREATE TEMP TABLE pinned AS SELECT now() - interval '1 minute' AS t");
    fmt(sql, sizeof(sql),
        "INSERT INTO order_manager.trades (trade_ref, order_id, account_id, symbol, exchange, "
        "side, quantity, price, total_value, executed_at, execution_venue, broker_account) "
        "SELECT 'T-1', '" ORDER "', '" ACCOUNT "', 'PETR4', 'B3', 'BUY', 40, 30, 1200, t, "
        "'PAPER', '12345' FROM pinned %s",
        "ON CONFLICT ON CONSTRAINT trades_natural_key DO NOTHING");
    th_exec_ok(c, sql);
    th_exec_ok(c, sql);
    assert_int_equal(th_count(c, "SELECT count(*) FROM order_manager.trades"), 1);
    fmt(sql, sizeof(sql),
        "INSERT INTO order_manager.trades (trade_ref, order_id, account_id, symbol, exchange, "
        "side, quantity, price, total_value, executed_at, execution_venue, broker_account) "
        "SELECT 'T-1', '" ORDER "', '" ACCOUNT "', 'PETR4', 'B3', 'BUY', 40, 30, 1200, t, "
        "'PAPER', '12345' FROM pinned");
    want_error(c, "plain insert of the same fill", sql, "23505", NULL);
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* errata 2, 3: audit actions */

static void test_status_change_writes_audit_row_named_after_new_state(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *steps[4]; /* SET clauses, in order; NULL ends */
        const char *want;     /* actions, oldest first */
    } cases[] = {
        {"submitted then filled in two fills",
         {"status = 'SUBMITTED'",
          "status = 'PARTIAL_FILL', filled_quantity = 40, avg_fill_price = 30",
          "status = 'FILLED', filled_quantity = 100", NULL},
         "CREATED,SUBMITTED,PARTIAL_FILL,FILLED"},
        {"canceled while pending", {"status = 'CANCELED'", NULL}, "CREATED,CANCELED"},
        {"rejected by the venue",
         {"status = 'SUBMITTED'", "status = 'REJECTED', reject_reason = 'no margin'", NULL},
         "CREATED,SUBMITTED,REJECTED"},
        {"expired after a partial fill",
         {"status = 'SUBMITTED'",
          "status = 'PARTIAL_FILL', filled_quantity = 10, avg_fill_price = 30",
          "status = 'EXPIRED'", NULL},
         "CREATED,SUBMITTED,PARTIAL_FILL,EXPIRED"},
        {"second partial fill is audited as a fill",
         {"status = 'SUBMITTED'",
          "status = 'PARTIAL_FILL', filled_quantity = 10, avg_fill_price = 30",
          "filled_quantity = 20", NULL},
         "CREATED,SUBMITTED,PARTIAL_FILL,PARTIAL_FILL"},
    };
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char id[64], ref[32], sql[512];
        order_id(id, sizeof(id), (int)i);
        fmt(ref, sizeof(ref), "REF-%zu", i);
        insert_order(c, id, ref, "LIMIT", "30", "NULL");
        for (int s = 0; cases[i].steps[s]; s++) {
            update_order(c, id, cases[i].steps[s]);
        }
        fmt(sql, sizeof(sql),
            "SELECT string_agg(action, ',' ORDER BY seq) FROM order_manager.order_audit_log "
            "WHERE order_id = '%s'",
            id);
        want_value(c, cases[i].name, sql, cases[i].want);
        /* A status row names the state it entered. */
        fmt(sql, sizeof(sql),
            "SELECT count(*) FROM order_manager.order_audit_log WHERE order_id = '%s' "
            "AND action <> 'CREATED' AND action <> new_status",
            id);
        want_value(c, cases[i].name, sql, "0");
    }
    /* The reject reason reaches the audit row. */
    want_value(c, "reject reason",
               "SELECT reason FROM order_manager.order_audit_log WHERE action = 'REJECTED'",
               "no margin");
    th_close(c);
}

static void test_price_change_is_audited_as_modified_with_old_and_new_values(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    insert_order(c, ORDER, "REF-1", "LIMIT", "30", "NULL");
    update_order(c, ORDER, "status = 'SUBMITTED'");
    update_order(c, ORDER, "price = 31");
    update_order(c, ORDER, "quantity = 200");
    want_value(c, "actions",
               "SELECT string_agg(action, ',' ORDER BY seq) FROM order_manager.order_audit_log",
               "CREATED,SUBMITTED,MODIFIED,MODIFIED");
    want_value(c, "old price",
               "SELECT changes #>> '{price,old}' FROM order_manager.order_audit_log "
               "WHERE action = 'MODIFIED' AND changes ? 'price'",
               "30.00000000");
    want_value(c, "new price",
               "SELECT changes #>> '{price,new}' FROM order_manager.order_audit_log "
               "WHERE action = 'MODIFIED' AND changes ? 'price'",
               "31.00000000");
    want_value(c, "only the changed column",
               "SELECT string_agg(k, ',') FROM order_manager.order_audit_log, "
               "jsonb_object_keys(changes) k WHERE action = 'MODIFIED' AND changes ? 'quantity'",
               "quantity");
    /* Spec §9.3: orders modified after submission. */
    want_value(c, "spec 9.3 query",
               "SELECT count(*) FROM order_manager.orders o JOIN order_manager.order_audit_log a "
               "ON o.id = a.order_id WHERE a.action = 'MODIFIED' AND a.changed_at > "
               "o.submitted_at",
               "2");
    /* An update that changes nothing writes nothing. */
    update_order(c, ORDER, "price = 31");
    want_value(c, "no-op update", "SELECT count(*) FROM order_manager.order_audit_log", "4");
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 4: the actor */

static void test_actor_is_recorded_from_app_actor(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    insert_order(c, ORDER, "REF-1", "LIMIT", "30", "NULL");
    update_order(c, ORDER, "status = 'SUBMITTED'");
    as_actor(c, "carol",
             "UPDATE order_manager.orders SET status = 'CANCELED' WHERE id = '" ORDER "'");
    want_value(c, "changed_by",
               "SELECT string_agg(changed_by, ',' ORDER BY seq) "
               "FROM order_manager.order_audit_log",
               "alice,bob,carol");
    /* Not the database role, which is the same for everyone on a pooled connection. */
    want_value(c, "not current_user",
               "SELECT count(*) FROM order_manager.order_audit_log "
               "WHERE changed_by = current_user",
               "0");
    th_close(c);
}

static void test_change_without_actor_is_refused(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    insert_order(c, ORDER, "REF-1", "LIMIT", "30", "NULL");
    want_error(c, "update without app.actor",
               "UPDATE order_manager.orders SET price = 31 WHERE id = '" ORDER "'", "TS001",
               "app.actor is not set");
    as_actor_fails(c, "update with an empty app.actor", "",
                   "UPDATE order_manager.orders SET status = 'CANCELED' WHERE id = '" ORDER "'",
                   "TS001", "app.actor is not set");
    want_error(c, "insert without app.actor",
               "INSERT INTO order_manager.orders (order_ref, symbol, exchange, asset_class, "
               "side, order_type, quantity, strategy_id, account_id, position_type, "
               "created_by) VALUES ('REF-2', 'PETR4', 'B3', 'stock', 'BUY', 'MARKET', 1, '" STRATEGY
               "', '" ACCOUNT "', 'DAY_TRADE', 'alice')",
               "TS001", NULL);
    want_value(c, "order unchanged", "SELECT status || ' ' || price FROM order_manager.orders",
               "PENDING 30.00000000");
    want_value(c, "audit unchanged", "SELECT count(*) FROM order_manager.order_audit_log", "1");
    th_close(c);

    c = th_fresh_db("workspace");
    want_error(c, "workspace item without app.actor",
               "INSERT INTO workspace.workspace_items (title) VALUES ('x')", "TS001", NULL);
    th_close(c);

    c = th_fresh_db("documentation");
    want_error(c, "documentation idea without app.actor",
               "INSERT INTO documentation.documentation_ideas (title, created_by) "
               "VALUES ('x', 'alice')",
               "TS001", NULL);
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 5: positions */

/* quantity, avg_entry_price, status, closed_at */
#define POSITION_SQL                                                                               \
    "INSERT INTO order_manager.positions (symbol, exchange, asset_class, side, quantity, "         \
    "avg_entry_price, strategy_id, account_id, position_type, status, closed_at) VALUES "          \
    "('PETR4', 'B3', 'stock', 'LONG', %s, %s, '" STRATEGY "', '" ACCOUNT                           \
    "', 'DAY_TRADE', '%s', %s)"

static void insert_position(PGconn *c, const char *qty, const char *price, const char *status)
{
    char sql[1024];
    fmt(sql, sizeof(sql), POSITION_SQL, qty, price, status,
        strcmp(status, "CLOSED") == 0 ? "now()" : "NULL");
    th_exec_ok(c, sql);
}

static void test_two_closed_positions_are_accepted(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    insert_position(c, "0", "30.5", "CLOSED");
    insert_position(c, "0", "31.5", "CLOSED");
    insert_position(c, "100", "32.5", "OPEN");
    want_value(c, "positions", "SELECT count(*) FROM order_manager.positions", "3");
    th_close(c);
}

static void test_second_open_position_is_refused(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    char sql[1024];
    insert_position(c, "100", "30", "OPEN");
    fmt(sql, sizeof(sql), POSITION_SQL, "50", "30", "OPEN", "NULL");
    want_error(c, "second OPEN", sql, "23505", NULL);
    fmt(sql, sizeof(sql), POSITION_SQL, "50", "30", "CLOSING", "NULL");
    want_error(c, "a CLOSING beside the OPEN", sql, "23505", NULL);
    fmt(sql, sizeof(sql), POSITION_SQL, "0", "30", "OPEN", "NULL");
    want_error(c, "OPEN with quantity 0", sql, "23514", NULL);
    fmt(sql, sizeof(sql), POSITION_SQL, "10", "30", "CLOSED", "now()");
    want_error(c, "CLOSED with quantity 10", sql, "23514", NULL);
    th_close(c);
}

static void test_position_prices_keep_eight_decimals(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    insert_position(c, "100", "30.12345678", "OPEN");
    want_value(c, "avg_entry_price", "SELECT avg_entry_price::text FROM order_manager.positions",
               "30.12345678");
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 6: PostgreSQL 15, UNIQUE NULLS NOT DISTINCT */

static void test_risk_limit_unique_nulls_not_distinct(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    assert_true(th_count(c, "SELECT current_setting('server_version_num')::int") >= 150000);
    th_exec_ok(c, "INSERT INTO order_manager.risk_limits (limit_type, symbol, max_order_value) "
                  "VALUES ('SYMBOL', 'PETR4', 10000)");
    want_error(c, "second SYMBOL limit for PETR4 (NULL account and strategy)",
               "INSERT INTO order_manager.risk_limits (limit_type, symbol, max_order_value) "
               "VALUES ('SYMBOL', 'PETR4', 20000)",
               "23505", NULL);
    th_exec_ok(c, "INSERT INTO order_manager.risk_limits (limit_type, symbol, account_id, "
                  "max_order_value) VALUES ('SYMBOL', 'PETR4', '" ACCOUNT "', 5000)");
    want_error(c, "ACCOUNT limit without an account",
               "INSERT INTO order_manager.risk_limits (limit_type, max_daily_loss) "
               "VALUES ('ACCOUNT', 100)",
               "23514", NULL);
    want_error(c, "negative limit",
               "INSERT INTO order_manager.risk_limits (limit_type, account_id, max_daily_loss) "
               "VALUES ('ACCOUNT', '" ACCOUNT "', -1)",
               "23514", NULL);
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 7: rollups */

static void test_rollup_tables_exist_instead_of_continuous_aggregates(void **state)
{
    (void)state;
    for (size_t m = 0; m < sizeof(modules) / sizeof(modules[0]); m++) {
        PGconn *c = th_fresh_db(modules[m]);
        want_value(c, modules[m], "SELECT count(*) FROM pg_matviews", "0");
        th_close(c);
    }

    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    insert_order(c, ORDER, "REF-1", "LIMIT", "30", "NULL");
    th_exec_ok(c, "INSERT INTO order_manager.trades (trade_ref, order_id, account_id, symbol, "
                  "exchange, side, quantity, price, total_value, executed_at, execution_venue, "
                  "broker_account) VALUES "
                  "('T-1', '" ORDER "', '" ACCOUNT "', 'PETR4', 'B3', 'BUY', 40, 30, 1200, "
                  "date_trunc('day', now(), 'UTC') + interval '13 hours', 'PAPER', '1'), "
                  "('T-2', '" ORDER "', '" ACCOUNT "', 'PETR4', 'B3', 'BUY', 60, 31, 1860, "
                  "date_trunc('day', now(), 'UTC') + interval '14 hours', 'PAPER', '1')");
    /* Today's trades, rolled up to the end of today (UTC). */
    const char *rollup = "SELECT order_manager.rollup_trade_summary_daily("
                         "date_trunc('day', now(), 'UTC') + interval '1 day')";
    th_exec_ok(c, rollup);
    want_value(c, "trade summary",
               "SELECT trade_count || ' ' || total_volume || ' ' || avg_price || ' ' || "
               "total_value FROM order_manager.trade_summary_daily",
               "2 100.00000000 30.50000000 3060.00");
    /* A late fill of the same day is picked up by the next refresh. */
    th_exec_ok(c, "INSERT INTO order_manager.trades (trade_ref, order_id, account_id, symbol, "
                  "exchange, side, quantity, price, total_value, executed_at, execution_venue, "
                  "broker_account) VALUES ('T-3', '" ORDER "', '" ACCOUNT "', 'PETR4', 'B3', "
                  "'BUY', 1, 32, 32, date_trunc('day', now(), 'UTC') + interval '12 hours', "
                  "'PAPER', '1')");
    th_exec_ok(c, rollup);
    want_value(c, "after a late fill", "SELECT trade_count FROM order_manager.trade_summary_daily",
               "3");
    want_value(c, "watermark moved",
               "SELECT watermark = date_trunc('day', now(), 'UTC') + interval '1 day' "
               "FROM order_manager.rollup_watermarks WHERE rollup = 'trade_summary_daily'",
               "t");
    th_close(c);

    c = th_fresh_db("data_capture");
    th_exec_ok(c, "INSERT INTO data_capture.market_ticks (symbol, tick_time, trade_id, exchange, "
                  "price, volume, aggressor) SELECT 'PETR4', date_trunc('minute', now(), 'UTC') "
                  "- interval '10 minutes' + n * interval '1 second', n, 'B3', 30 + n, 10, 'BUY' "
                  "FROM generate_series(1, 3) n");
    th_exec_ok(c, "SELECT data_capture.rollup_market_bars_1m(now())");
    want_value(c, "1m bar",
               "SELECT open || ' ' || high || ' ' || low || ' ' || close || ' ' || volume || "
               "' ' || trade_count FROM data_capture.market_bars_1m",
               "31.00000000 33.00000000 31.00000000 33.00000000 30.00000000 3");
    th_close(c);

    c = th_fresh_db("tp_capital");
    th_exec_ok(c, "INSERT INTO \"tp-capital\".telegram_channels (label) VALUES ('TP_Capital');"
                  "INSERT INTO \"tp-capital\".tp_capital_signals (channel, signal_type, asset, "
                  "entry_price, created_at) VALUES "
                  "('TP_Capital', 'BUY', 'PETR4', 30, now() - interval '1 minute'), "
                  "('TP_Capital', 'BUY', 'VALE3', 60, now() - interval '1 minute'), "
                  "('TP_Capital', 'BUY', 'VALE3', 90, now() - interval '1 minute')");
    th_exec_ok(c, "SELECT \"tp-capital\".rollup_signal_summary_daily(now())");
    want_value(c, "signal summary",
               "SELECT signal_count || ' ' || unique_assets || ' ' || avg_entry_price "
               "FROM \"tp-capital\".signal_summary_daily",
               "3 2 60.00000000");
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 8: strategies */

static void test_strategy_name_is_unique_in_a_plain_table(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    want_value(
        c, "relkind",
        "SELECT relkind::text FROM pg_class WHERE oid = 'order_manager.strategies'::regclass", "r");
    want_error(c, "same name again",
               "INSERT INTO order_manager.strategies (name, strategy_type, created_by) "
               "VALUES ('manual', 'MANUAL', 'bob')",
               "23505", NULL);
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 9: users.role and the RLS policies */

static void test_workspace_admin_sees_every_item_and_user_only_own(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("workspace");
    as_actor(c, "root",
             "INSERT INTO workspace.users (username, email, role) VALUES "
             "('ana', 'ana@example.com', 'admin'), ('bob', 'bob@example.com', 'trader'), "
             "('cid', 'cid@example.com', 'trader');"
             "INSERT INTO workspace.workspace_items (title, created_by) VALUES "
             "('bob 1', 'bob'), ('bob 2', 'bob'), ('cid 1', 'cid')");
    /* RLS binds neither superusers nor the owner: act as a plain role, created (and dropped)
       inside this transaction. */
    th_exec_ok(c, "BEGIN;"
                  "DO $$ DECLARE r text := 'ts_rls_' || pg_backend_pid(); BEGIN "
                  "EXECUTE format('CREATE ROLE %I NOLOGIN', r); "
                  "EXECUTE format('GRANT USAGE ON SCHEMA workspace TO %I', r); "
                  "EXECUTE format('GRANT SELECT, INSERT, UPDATE ON workspace.workspace_items "
                  "TO %I', r); "
                  "EXECUTE format('SET LOCAL ROLE %I', r); END $$;");
    th_exec_ok(c, "SELECT set_config('app.actor', 'bob', true)");
    assert_int_equal(th_count(c, "SELECT count(*) FROM workspace.workspace_items"), 2);
    th_exec_ok(c, "SELECT set_config('app.actor', 'cid', true)");
    assert_int_equal(th_count(c, "SELECT count(*) FROM workspace.workspace_items"), 1);
    assert_int_equal(th_count(c, "WITH u AS (UPDATE workspace.workspace_items SET title = 'x' "
                                 "WHERE created_by = 'bob' RETURNING 1) SELECT count(*) FROM u"),
                     0);
    th_exec_ok(c, "SELECT set_config('app.actor', 'ana', true)");
    assert_int_equal(th_count(c, "SELECT count(*) FROM workspace.workspace_items"), 3);
    th_exec_ok(c, "ROLLBACK");
    want_value(c, "role column", "SELECT role FROM workspace.users WHERE username = 'ana'",
               "admin");
    th_close(c);
}

/*
 * The program's role (common/0100_app_role.sql): not a superuser, no BYPASSRLS, owner of
 * nothing, so the workspace policies bind it; it reads and writes rows but changes no table
 * and no migration record.
 */
static void test_app_role_is_bound_by_the_policies(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("workspace");
    as_actor(c, "root",
             "INSERT INTO workspace.users (username, email, role) VALUES "
             "('ana', 'ana@example.com', 'admin'), ('bob', 'bob@example.com', 'trader');"
             "INSERT INTO workspace.workspace_items (title, created_by) VALUES "
             "('bob 1', 'bob'), ('ana 1', 'ana')");
    char conninfo[1200];
    fmt(conninfo, sizeof(conninfo), "%s user=ts_app", th_conninfo(th_db_name(c)));
    PGconn *app = PQconnectdb(conninfo);
    if (PQstatus(app) != CONNECTION_OK) {
        fail_msg("connect as ts_app: %s", PQerrorMessage(app));
    }
    PQsetNoticeProcessor(app, NULL, NULL);
    want_value(app, "who",
               "SELECT current_user || ' ' || rolsuper || ' ' || rolbypassrls "
               "FROM pg_roles WHERE rolname = current_user",
               "ts_app false false");
    th_exec_ok(app, "SELECT set_config('app.actor', 'bob', false)");
    assert_int_equal(th_count(app, "SELECT count(*) FROM workspace.workspace_items"), 1);
    th_exec_ok(app, "SELECT set_config('app.actor', 'nobody', false)");
    assert_int_equal(th_count(app, "SELECT count(*) FROM workspace.workspace_items"), 0);
    th_exec_ok(app, "SELECT set_config('app.actor', 'ana', false)");
    assert_int_equal(th_count(app, "SELECT count(*) FROM workspace.workspace_items"), 2);
    /* the owner (the migrations' role) sees every row whatever the actor */
    th_exec_ok(c, "SELECT set_config('app.actor', 'nobody', false)");
    assert_int_equal(th_count(c, "SELECT count(*) FROM workspace.workspace_items"), 2);
    want_error(app, "drop a table", "DROP TABLE workspace.workspace_items", "42501", NULL);
    want_error(app, "alter a table", "ALTER TABLE workspace.users ADD COLUMN x int", "42501", NULL);
    want_error(app, "turn the policies off",
               "ALTER TABLE workspace.workspace_items DISABLE ROW LEVEL SECURITY", "42501", NULL);
    want_error(app, "write a migration record",
               "INSERT INTO public.schema_migrations (version, name, checksum) VALUES (9999, "
               "'x', 'y')",
               "42501", NULL);
    PQfinish(app);
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 10: the natural key of ticks */

static void test_duplicate_tick_is_stored_once(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("data_capture");
    char sql[512];
    th_exec_ok(c, "CREATE TEMP TABLE pinned AS SELECT now() - interval '1 second' AS t");
    tick_sql(sql, sizeof(sql), "(SELECT t FROM pinned)", 4711, "ON CONFLICT DO NOTHING");
    th_exec_ok(c, sql);
    th_exec_ok(c, sql);
    assert_int_equal(th_count(c, "SELECT count(*) FROM data_capture.market_ticks"), 1);
    tick_sql(sql, sizeof(sql), "(SELECT t FROM pinned)", 4711, "");
    want_error(c, "plain insert of the same trade", sql, "23505", NULL);
    tick_sql(sql, sizeof(sql), "(SELECT t FROM pinned)", 4712, "");
    th_exec_ok(c, sql);
    assert_int_equal(th_count(c, "SELECT count(*) FROM data_capture.market_ticks"), 2);
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 11: telegram_channels.label */

static void test_telegram_channel_label_is_unique(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("tp_capital");
    th_exec_ok(c, "INSERT INTO \"tp-capital\".telegram_channels (label) VALUES ('TP_Capital')");
    want_error(c, "same label again",
               "INSERT INTO \"tp-capital\".telegram_channels (label) VALUES ('TP_Capital')",
               "23505", NULL);
    th_exec_ok(c, "INSERT INTO \"tp-capital\".tp_capital_signals (channel, signal_type, asset) "
                  "VALUES ('TP_Capital', 'BUY', 'PETR4')");
    want_error(c, "signal of an unknown channel",
               "INSERT INTO \"tp-capital\".tp_capital_signals (channel, signal_type, asset) "
               "VALUES ('Nobody', 'BUY', 'PETR4')",
               "23503", NULL);
    want_error(c, "deleting a channel with signals", "DELETE FROM \"tp-capital\".telegram_channels",
               "23503", NULL);
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 12: bot tokens */

static void test_bot_token_has_no_clear_column(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("tp_capital");
    want_value(c, "token columns",
               "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ',') "
               "FROM information_schema.columns WHERE table_schema = 'tp-capital' "
               "AND column_name ILIKE '%token%'",
               "token_encrypted bytea NO");
    want_value(c, "no key in any function",
               "SELECT count(*) FROM pg_proc WHERE prosrc ILIKE '%encryption-key%'", "0");
    want_error(c, "a clear token in the bytea",
               "INSERT INTO \"tp-capital\".telegram_bots (username, token_encrypted, key_id) "
               "VALUES ('bot', convert_to('123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0', "
               "'UTF8'), 'k1')",
               "23514", NULL);
    /* Encrypted with a key bound as a parameter, as the program does. */
    const char *params[2] = {"123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0", "test-key"};
    PGresult *res = PQexecParams(c,
                                 "INSERT INTO \"tp-capital\".telegram_bots (username, "
                                 "token_encrypted, key_id) VALUES ('bot', pgp_sym_encrypt($1, $2), "
                                 "'k1') RETURNING pgp_sym_decrypt(token_encrypted, $2) = $1",
                                 2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fail_msg("encrypted insert: %s", PQresultErrorMessage(res));
    }
    assert_string_equal(PQgetvalue(res, 0, 0), "t");
    PQclear(res);
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 13: TIMESTAMPTZ, microseconds */

static void test_times_are_timestamptz_with_microseconds(void **state)
{
    (void)state;
    for (size_t m = 0; m < sizeof(modules) / sizeof(modules[0]); m++) {
        PGconn *c = th_fresh_db(modules[m]);
        want_value(c, modules[m],
                   "SELECT string_agg(table_name || '.' || column_name, ',') "
                   "FROM information_schema.columns WHERE table_schema NOT IN "
                   "('pg_catalog', 'information_schema') AND data_type IN "
                   "('timestamp without time zone', 'time without time zone', "
                   "'time with time zone')",
                   NULL);
        th_close(c);
    }
    PGconn *c = th_fresh_db("data_capture");
    char sql[512];
    tick_sql(sql, sizeof(sql),
             "date_trunc('second', now()) + interval '0.123456789 second' - interval '1 minute'", 1,
             "");
    th_exec_ok(c, sql);
    want_value(c, "fraction of a second",
               "SELECT to_char(tick_time, 'US') FROM data_capture.market_ticks", "123457");
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 14: export, verify, then drop */

static void test_partition_is_dropped_only_after_verified_export(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("data_capture");
    char sql[1024];
    for (int i = 1; i <= 3; i++) {
        tick_sql(sql, sizeof(sql), "now() - interval '1 day'", i, "");
        th_exec_ok(c, sql);
    }
    char *part = th_value(c, "SELECT format('%I.%I', n.nspname, k.relname) "
                             "FROM public.ts_partitions('data_capture.market_ticks') p "
                             "JOIN pg_class k ON k.oid = p.partition "
                             "JOIN pg_namespace n ON n.oid = k.relnamespace "
                             "WHERE p.lower <= now() - interval '1 day' "
                             "AND now() - interval '1 day' < p.upper");
    assert_non_null(part);

    fmt(sql, sizeof(sql), "SELECT data_capture.drop_exported_partition('%s')", part);
    want_error(c, "no export", sql, "55000", "no verified export");
    fmt(sql, sizeof(sql),
        "INSERT INTO data_capture.export_log (table_name, partition_name, range_from, range_to, "
        "file_path, row_count, checksum) VALUES ('data_capture.market_ticks', '%s', "
        "now() - interval '2 days', now(), '/tmp/x.parquet', 3, repeat('a', 64))",
        part);
    th_exec_ok(c, sql);
    fmt(sql, sizeof(sql), "SELECT data_capture.drop_exported_partition('%s')", part);
    want_error(c, "export not verified", sql, "55000", NULL);
    th_exec_ok(c, "UPDATE data_capture.export_log SET row_count = 2, verified_at = now()");
    want_error(c, "verified export of fewer rows", sql, "55000", NULL);
    th_exec_ok(c, "UPDATE data_capture.export_log SET row_count = 3");
    fmt(sql, sizeof(sql), "SELECT data_capture.drop_exported_partition('%s')", part);
    want_value(c, "rows dropped", sql, "3");
    fmt(sql, sizeof(sql), "SELECT to_regclass('%s') IS NULL", part);
    want_value(c, "partition gone", sql, "t");
    want_value(c, "export marked", "SELECT dropped_at IS NOT NULL FROM data_capture.export_log",
               "t");
    want_error(c, "the default partition",
               "SELECT data_capture.drop_exported_partition('data_capture.market_ticks_default')",
               "55000", NULL);
    free(part);
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* erratum 15: the order life cycle */

static void test_illegal_transition_filled_to_canceled_is_refused(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *path[4]; /* SET clauses that reach the starting state */
        const char *set;     /* the illegal change */
        const char *message;
    } cases[] = {
        {"FILLED -> CANCELED",
         {"status = 'SUBMITTED'", "status = 'FILLED', filled_quantity = 100, avg_fill_price = 30",
          NULL},
         "status = 'CANCELED'",
         "illegal order transition FILLED -> CANCELED"},
        {"CANCELED -> SUBMITTED",
         {"status = 'CANCELED'", NULL},
         "status = 'SUBMITTED'",
         "illegal order transition CANCELED -> SUBMITTED"},
        {"REJECTED -> PENDING",
         {"status = 'REJECTED'", NULL},
         "status = 'PENDING'",
         "illegal order transition REJECTED -> PENDING"},
        {"EXPIRED -> PARTIAL_FILL",
         {"status = 'SUBMITTED'", "status = 'EXPIRED'", NULL},
         "status = 'PARTIAL_FILL', filled_quantity = 1, avg_fill_price = 30",
         "illegal order transition EXPIRED -> PARTIAL_FILL"},
        {"PENDING -> FILLED",
         {NULL},
         "status = 'FILLED', filled_quantity = 100, avg_fill_price = 30, submitted_at = now()",
         "illegal order transition PENDING -> FILLED"},
        {"PARTIAL_FILL -> SUBMITTED",
         {"status = 'SUBMITTED'",
          "status = 'PARTIAL_FILL', filled_quantity = 10, avg_fill_price = 30", NULL},
         "status = 'SUBMITTED'",
         "illegal order transition PARTIAL_FILL -> SUBMITTED"},
        {"SUBMITTED -> PENDING",
         {"status = 'SUBMITTED'", NULL},
         "status = 'PENDING'",
         "illegal order transition SUBMITTED -> PENDING"},
        {"price change of a FILLED order",
         {"status = 'SUBMITTED'", "status = 'FILLED', filled_quantity = 100, avg_fill_price = 30",
          NULL},
         "price = 29",
         "a terminal order cannot change"},
    };
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char id[64], ref[32], stmt[512], sql[512];
        order_id(id, sizeof(id), (int)i);
        fmt(ref, sizeof(ref), "REF-%zu", i);
        insert_order(c, id, ref, "LIMIT", "30", "NULL");
        for (int s = 0; cases[i].path[s]; s++) {
            update_order(c, id, cases[i].path[s]);
        }
        fmt(sql, sizeof(sql), "SELECT status FROM order_manager.orders WHERE id = '%s'", id);
        char *before = th_value(c, sql);
        fmt(stmt, sizeof(stmt), "UPDATE order_manager.orders SET %s WHERE id = '%s'", cases[i].set,
            id);
        as_actor_fails(c, cases[i].name, "bob", stmt, "23514", cases[i].message);
        want_value(c, cases[i].name, sql, before);
        free(before);
    }
    /* Nor does an order disappear: its audit trail would lose its subject. */
    as_actor_fails(c, "deleting an order", "alice", "DELETE FROM order_manager.orders", "55000",
                   "never deleted");
    th_close(c);
}

static void test_overfill_is_refused(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    insert_order(c, ORDER, "REF-1", "LIMIT", "30", "NULL");
    update_order(c, ORDER, "status = 'SUBMITTED'");
    update_order(c, ORDER, "status = 'PARTIAL_FILL', filled_quantity = 40, avg_fill_price = 30");
    as_actor_fails(c, "filled beyond quantity", "bob",
                   "UPDATE order_manager.orders SET filled_quantity = 150 WHERE id = '" ORDER "'",
                   "23514", NULL);
    as_actor_fails(c, "FILLED beyond quantity", "bob",
                   "UPDATE order_manager.orders SET status = 'FILLED', filled_quantity = 150 "
                   "WHERE id = '" ORDER "'",
                   "23514", NULL);
    as_actor_fails(c, "canceled with more filled than ordered", "bob",
                   "UPDATE order_manager.orders SET status = 'CANCELED', filled_quantity = 150 "
                   "WHERE id = '" ORDER "'",
                   "23514", NULL);
    as_actor_fails(c, "a fill without an average price", "bob",
                   "UPDATE order_manager.orders SET filled_quantity = 50, avg_fill_price = NULL "
                   "WHERE id = '" ORDER "'",
                   "23514", NULL);
    as_actor_fails(c, "quantity below filled", "bob",
                   "UPDATE order_manager.orders SET quantity = 30 WHERE id = '" ORDER "'", "23514",
                   NULL);
    as_actor_fails(c, "FILLED with less than quantity", "bob",
                   "UPDATE order_manager.orders SET status = 'FILLED' WHERE id = '" ORDER "'",
                   "23514", NULL);
    as_actor_fails(c, "filled quantity decreases", "bob",
                   "UPDATE order_manager.orders SET filled_quantity = 20 WHERE id = '" ORDER "'",
                   "23514", "cannot decrease");
    want_value(c, "order unchanged",
               "SELECT status || ' ' || filled_quantity FROM order_manager.orders",
               "PARTIAL_FILL 40.00000000");
    th_close(c);
}

static void test_limit_without_price_is_refused(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *type;
        const char *price;
        const char *stop;
        int ok;
    } cases[] = {
        {"LIMIT with price", "LIMIT", "30", "NULL", 1},
        {"LIMIT without price", "LIMIT", "NULL", "NULL", 0},
        {"LIMIT with a stop", "LIMIT", "30", "29", 0},
        {"MARKET", "MARKET", "NULL", "NULL", 1},
        {"MARKET with a price", "MARKET", "30", "NULL", 0},
        {"STOP with stop", "STOP", "NULL", "29", 1},
        {"STOP without stop", "STOP", "NULL", "NULL", 0},
        {"STOP with a price", "STOP", "30", "29", 0},
        {"STOP_LIMIT with both", "STOP_LIMIT", "30", "29", 1},
        {"STOP_LIMIT without price", "STOP_LIMIT", "NULL", "29", 0},
        {"STOP_LIMIT without stop", "STOP_LIMIT", "30", "NULL", 0},
        {"LIMIT with price 0", "LIMIT", "0", "NULL", 0},
    };
    PGconn *c = th_fresh_db("order_manager");
    seed_account_and_strategy(c);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char id[64], ref[32], stmt[1024];
        order_id(id, sizeof(id), (int)i);
        fmt(ref, sizeof(ref), "REF-%zu", i);
        if (cases[i].ok) {
            insert_order(c, id, ref, cases[i].type, cases[i].price, cases[i].stop);
            continue;
        }
        fmt(stmt, sizeof(stmt),
            "INSERT INTO order_manager.orders (id, order_ref, symbol, exchange, asset_class, "
            "side, order_type, quantity, price, stop_price, strategy_id, account_id, "
            "position_type, created_by) VALUES ('%s', '%s', 'PETR4', 'B3', 'stock', 'BUY', '%s', "
            "100, %s, %s, '" STRATEGY "', '" ACCOUNT "', 'DAY_TRADE', 'alice')",
            id, ref, cases[i].type, cases[i].price, cases[i].stop);
        as_actor_fails(c, cases[i].name, "alice", stmt, "23514", NULL);
    }
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* partitions */

static void test_partition_for_now_exists_after_migrate(void **state)
{
    (void)state;
    for (size_t m = 0; m < sizeof(modules) / sizeof(modules[0]); m++) {
        PGconn *c = th_fresh_db(modules[m]);
        assert_true(th_count(c, "SELECT count(*) FROM public.ts_partitioned_tables") > 0);
        want_value(c, modules[m],
                   "SELECT string_agg(t.parent::text, ',') FROM public.ts_partitioned_tables t "
                   "WHERE NOT EXISTS (SELECT 1 FROM public.ts_partitions(t.parent) p "
                   "WHERE NOT p.is_default AND p.lower <= now() AND now() < p.upper)",
                   NULL);
        want_value(c, modules[m],
                   "SELECT string_agg(t.parent::text, ',') FROM public.ts_partitioned_tables t "
                   "WHERE NOT EXISTS (SELECT 1 FROM public.ts_partitions(t.parent) p "
                   "WHERE p.is_default)",
                   NULL);
        /* Maintenance is defined everywhere and has nothing to rescue. */
        want_value(c, modules[m], "SELECT public.ts_partition_maintain(now())", "0");
        th_close(c);
    }
    PGconn *c = th_fresh_db("data_capture");
    char sql[512];
    tick_sql(sql, sizeof(sql), "now()", 1, "");
    th_exec_ok(c, sql);
    want_value(c, "tick of now",
               "SELECT tableoid::regclass::text ~ '^data_capture\\.market_ticks_p[0-9]{8}$' "
               "FROM data_capture.market_ticks",
               "t");
    th_close(c);
}

static void test_row_in_default_partition_is_rescued_by_maintain(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("data_capture");
    char sql[512];
    tick_sql(sql, sizeof(sql), "now() + interval '400 days'", 1, "");
    th_exec_ok(c, sql);
    want_value(c, "lands in default",
               "SELECT tableoid::regclass::text FROM data_capture.market_ticks",
               "data_capture.market_ticks_default");
    want_value(c, "health check",
               "SELECT rows FROM public.ts_default_partition_rows() "
               "WHERE parent = 'data_capture.market_ticks'::regclass",
               "1");
    want_value(c, "rescued", "SELECT public.ts_partition_maintain(now())", "1");
    want_value(c, "moved to its partition",
               "SELECT tableoid::regclass::text ~ '^data_capture\\.market_ticks_p[0-9]{8}$' "
               "FROM data_capture.market_ticks",
               "t");
    want_value(c, "default empty", "SELECT sum(rows) FROM public.ts_default_partition_rows()", "0");
    want_value(c, "nothing more", "SELECT public.ts_partition_maintain(now())", "0");

    /* ts_partition_ensure moves the rows of the range it creates, and is idempotent. */
    tick_sql(sql, sizeof(sql), "now() + interval '500 days'", 2, "");
    th_exec_ok(c, sql);
    want_value(c, "ensure",
               "SELECT public.ts_partition_ensure('data_capture.market_ticks', "
               "now() + interval '500 days') = public.ts_partition_ensure("
               "'data_capture.market_ticks', now() + interval '500 days')",
               "t");
    want_value(c, "default empty after ensure",
               "SELECT count(*) FROM data_capture.market_ticks_default", "0");
    th_close(c);
}

/* ---------------------------------------------------------------------------------------- */
/* outbox, workspace metadata, documentation */

static void test_outbox_seq_increases_and_cannot_be_chosen(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    th_exec_ok(c, "INSERT INTO order_manager.outbox (topic, event_type, aggregate_id, payload) "
                  "VALUES ('orders', 'OrderPlaced', gen_random_uuid(), '{}'), "
                  "('orders', 'OrderFilled', gen_random_uuid(), '{}'), "
                  "('risk', 'RiskLimitBreached', NULL, '{\"limit\": \"max_daily_loss\"}')");
    want_value(c, "increasing",
               "SELECT bool_and(seq > prev) FROM (SELECT seq, lag(seq, 1, 0::bigint) OVER "
               "(ORDER BY seq) prev FROM order_manager.outbox) s",
               "t");
    want_error(c, "explicit seq",
               "INSERT INTO order_manager.outbox (seq, topic, event_type) "
               "VALUES (1, 'orders', 'OrderPlaced')",
               "428C9", NULL);
    want_error(c, "empty event type",
               "INSERT INTO order_manager.outbox (topic, event_type) VALUES ('orders', '')",
               "23514", NULL);
    th_close(c);
}

static void test_workspace_metadata_without_version_is_refused(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("workspace");
    as_actor(c, "bob",
             "INSERT INTO workspace.users (username, email) VALUES ('bob', 'bob@example.com');"
             "INSERT INTO workspace.workspace_items (title, created_by, metadata) "
             "VALUES ('ok', 'bob', '{\"version\": 2}')");
    as_actor_fails(c, "no version", "bob",
                   "INSERT INTO workspace.workspace_items (title, metadata) VALUES ('x', '{}')",
                   "23514", "version");
    as_actor_fails(c, "version not a number", "bob",
                   "INSERT INTO workspace.workspace_items (title, metadata) "
                   "VALUES ('x', '{\"version\": \"one\"}')",
                   "23514", "version");
    as_actor_fails(c, "unknown creator", "bob",
                   "INSERT INTO workspace.workspace_items (title, created_by) VALUES ('x', 'zed')",
                   "23503", NULL);
    want_value(c, "audit", "SELECT action || ' ' || changed_by FROM workspace.workspace_audit_log",
               "CREATED bob");
    th_close(c);
}

static void test_documentation_files_are_checked_and_deleted_with_their_idea(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("documentation");
    as_actor(c, "alice",
             "INSERT INTO documentation.documentation_ideas (id, title, created_by) VALUES "
             "('01900000-0000-7000-8000-00000000d001', 'an idea', 'alice');"
             "INSERT INTO documentation.documentation_files (idea_id, file_name, file_path, "
             "size_bytes, uploaded_by) VALUES ('01900000-0000-7000-8000-00000000d001', 'a.pdf', "
             "'uploads/2026/11/a.pdf', 1000, 'alice')");
    static const struct {
        const char *name;
        const char *path;
        const char *size;
    } bad[] = {
        {"path outside uploads", "/etc/passwd", "1"},
        {"path climbing out", "uploads/2026/11/..", "1"},
        {"month 13", "uploads/2026/13/b.pdf", "1"},
        {"over 100 MB", "uploads/2026/11/big.bin", "104857601"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char stmt[512];
        fmt(stmt, sizeof(stmt),
            "INSERT INTO documentation.documentation_files (idea_id, file_name, file_path, "
            "size_bytes, uploaded_by) VALUES ('01900000-0000-7000-8000-00000000d001', 'b', '%s', "
            "%s, 'alice')",
            bad[i].path, bad[i].size);
        as_actor_fails(c, bad[i].name, "alice", stmt, "23514", NULL);
    }
    as_actor(c, "bob", "DELETE FROM documentation.documentation_ideas");
    want_value(c, "files deleted with the idea",
               "SELECT count(*) FROM documentation.documentation_files", "0");
    want_value(c, "audit",
               "SELECT string_agg(entity_type || ' ' || action || ' ' || changed_by, ',' "
               "ORDER BY seq) FROM documentation.documentation_audit_log",
               "idea CREATED alice,file CREATED alice,idea DELETED bob,file DELETED bob");
    th_close(c);
}

/*
 * A stop's trigger (order_manager/0002): the three columns are all set or none, only on
 * STOP and STOP_LIMIT orders, never on a new order, and once set they never change; the
 * TRIGGERED audit action is allowed.
 */
static void test_stop_trigger_is_complete_typed_and_written_once(void **state)
{
    (void)state;
    PGconn *c = th_fresh_db("order_manager");
    char stop[40], limit[40], stmt[512];
    seed_account_and_strategy(c);
    order_id(stop, sizeof(stop), 901);
    order_id(limit, sizeof(limit), 902);
    insert_order(c, stop, "stop-1", "STOP", "NULL", "10.50");
    insert_order(c, limit, "limit-1", "LIMIT", "10", "NULL");
    fmt(stmt, sizeof(stmt), "UPDATE order_manager.orders SET triggered_at = now() WHERE id = '%s'",
        stop);
    as_actor_fails(c, "a trigger time alone", "bob", stmt, "23514",
                   "orders_trigger_complete_check");
    fmt(stmt, sizeof(stmt),
        "UPDATE order_manager.orders SET triggered_at = now(), trigger_trade_id = 7, "
        "trigger_price = 10.5 WHERE id = '%s'",
        limit);
    as_actor_fails(c, "a trigger on a LIMIT order", "bob", stmt, "23514",
                   "orders_trigger_by_type_check");
    fmt(stmt, sizeof(stmt),
        "INSERT INTO order_manager.orders (order_ref, symbol, exchange, asset_class, side, "
        "order_type, quantity, stop_price, strategy_id, account_id, position_type, created_by, "
        "triggered_at, trigger_trade_id, trigger_price) VALUES ('stop-2', 'PETR4', 'B3', 'stock', "
        "'BUY', 'STOP', 100, 10.5, '" STRATEGY "', '" ACCOUNT "', 'DAY_TRADE', 'alice', now(), 7, "
        "10.5)");
    as_actor_fails(c, "a new order that has triggered", "alice", stmt, "23514",
                   "cannot have triggered");
    update_order(c, stop, "triggered_at = now(), trigger_trade_id = 7, trigger_price = 10.5");
    want_value(c, "the trigger is kept",
               "SELECT trigger_trade_id || ' ' || trigger_price FROM order_manager.orders "
               "WHERE order_ref = 'stop-1'",
               "7 10.50000000");
    fmt(stmt, sizeof(stmt), "UPDATE order_manager.orders SET trigger_price = 11 WHERE id = '%s'",
        stop);
    as_actor_fails(c, "a trigger rewritten", "bob", stmt, "23514",
                   "cannot change once it triggered");
    update_order(c, stop, "status = 'SUBMITTED'"); /* other columns still change */
    want_value(c, "and it is still the same trigger",
               "SELECT trigger_trade_id || ' ' || trigger_price FROM order_manager.orders "
               "WHERE order_ref = 'stop-1'",
               "7 10.50000000");
    th_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partitioned_tables_are_partitioned_and_small_tables_plain),
        cmocka_unit_test(test_order_ref_is_unique),
        cmocka_unit_test(test_trade_reported_twice_is_stored_once),
        cmocka_unit_test(test_status_change_writes_audit_row_named_after_new_state),
        cmocka_unit_test(test_price_change_is_audited_as_modified_with_old_and_new_values),
        cmocka_unit_test(test_actor_is_recorded_from_app_actor),
        cmocka_unit_test(test_change_without_actor_is_refused),
        cmocka_unit_test(test_two_closed_positions_are_accepted),
        cmocka_unit_test(test_second_open_position_is_refused),
        cmocka_unit_test(test_position_prices_keep_eight_decimals),
        cmocka_unit_test(test_risk_limit_unique_nulls_not_distinct),
        cmocka_unit_test(test_rollup_tables_exist_instead_of_continuous_aggregates),
        cmocka_unit_test(test_strategy_name_is_unique_in_a_plain_table),
        cmocka_unit_test(test_workspace_admin_sees_every_item_and_user_only_own),
        cmocka_unit_test(test_app_role_is_bound_by_the_policies),
        cmocka_unit_test(test_duplicate_tick_is_stored_once),
        cmocka_unit_test(test_telegram_channel_label_is_unique),
        cmocka_unit_test(test_bot_token_has_no_clear_column),
        cmocka_unit_test(test_times_are_timestamptz_with_microseconds),
        cmocka_unit_test(test_partition_is_dropped_only_after_verified_export),
        cmocka_unit_test(test_illegal_transition_filled_to_canceled_is_refused),
        cmocka_unit_test(test_overfill_is_refused),
        cmocka_unit_test(test_limit_without_price_is_refused),
        cmocka_unit_test(test_partition_for_now_exists_after_migrate),
        cmocka_unit_test(test_row_in_default_partition_is_rescued_by_maintain),
        cmocka_unit_test(test_outbox_seq_increases_and_cannot_be_chosen),
        cmocka_unit_test(test_workspace_metadata_without_version_is_refused),
        cmocka_unit_test(test_documentation_files_are_checked_and_deleted_with_their_idea),
        cmocka_unit_test(test_stop_trigger_is_complete_typed_and_written_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
