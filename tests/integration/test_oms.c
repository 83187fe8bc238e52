/*
 * test_oms.c - the order manager's decisions (src/oms) against a real PostgreSQL 15,
 * through its public calls (oms/oms.h), without HTTP: the answer of each command (its
 * TS_E* code, its message, the risk verdict) and the rows it leaves in the database
 * (orders, audit rows, trades, outbox events).
 *
 * Each test runs in two fresh databases cloned from the migrated templates
 * (order_manager and data_capture, th_fresh_db) with one instrument, one account and
 * one strategy, and starts the order manager on them with an injected clock (a
 * weekday of last week at noon, B3 local; trading hours are not checked, end of day
 * runs only when asked unless the test says otherwise).
 *
 * Not here: the HTTP mapping of the answers and the whole P&L scenario
 * (tests/cli/test_oms.sh), the pure rules (tests/unit/test_risk.c, test_order.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "harness.h"

#include "core/log.h"
#include "core/tstime.h"
#include "oms/oms.h"

#define ACCOUNT "01900000-0000-7000-8000-00000000a001"
#define STRATEGY "01900000-0000-7000-8000-00000000a002"
#define IDLE_STRATEGY "01900000-0000-7000-8000-00000000a003"
#define NO_SUCH_ID "01900000-0000-7000-8000-0000000000ff"
#define NOON (12 * 60) /* B3 local minute of day */

/* ---------------------------------------------------------------------------------------- */
/* fixture */

struct fx {
    PGconn *om, *dc;         /* the test's own databases (harness connections) */
    struct ts_db_config cfg; /* conninfo of those two; others NULL */
    struct ts_oms *oms;
    struct ts_oms_result res; /* the last command's result */
    struct ts_err err;        /* the last command's reason */
};

/* The injected clock: ns since the epoch, set by the tests (any thread reads it). */
static _Atomic int64_t clock_now;

static int64_t test_clock(void)
{
    return atomic_load(&clock_now);
}

/* The B3 local midnight, as UTC ns, of the last weekday (Monday to Friday) before today. */
static int64_t last_weekday_midnight(void)
{
    const int64_t day = INT64_C(86400) * TS_NS_PER_SEC;
    const int64_t off = (int64_t)TS_B3_UTC_OFFSET_SEC * TS_NS_PER_SEC;
    int64_t local = ts_now_ns() + off;
    int64_t midnight = local - local % day - off - day;
    for (;;) {
        struct ts_local_time lt;
        assert_int_equal(ts_time_b3_local(midnight, &lt), 0);
        if (lt.weekday != TS_SATURDAY && lt.weekday != TS_SUNDAY) {
            return midnight;
        }
        midnight -= day;
    }
}

static void set_clock_minute(int minute)
{
    atomic_store(&clock_now, last_weekday_midnight() + (int64_t)minute * 60 * TS_NS_PER_SEC);
}

/* The reference data every test starts with: PETR4 (lot 1, tick 0.01, no session). */
static void seed(struct fx *f)
{
    th_exec_ok(f->dc, "INSERT INTO data_capture.instruments (symbol, exchange, asset_class, name,"
                      " lot_size, tick_size) VALUES ('PETR4', 'B3', 'stock', 'Petrobras PN', 1,"
                      " 0.01)");
    th_exec_ok(f->om,
               "INSERT INTO order_manager.accounts (id, name, broker_account) VALUES ('" ACCOUNT
               "', 'main', 'main-1')");
    th_exec_ok(f->om, "INSERT INTO order_manager.strategies (id, name, strategy_type, status,"
                      " created_by) VALUES ('" STRATEGY "', 'manual', 'MANUAL', 'ACTIVE', 'test'),"
                      " ('" IDLE_STRATEGY "', 'idle', 'MANUAL', 'INACTIVE', 'test')");
}

static void start(struct fx *f, int eod_minute)
{
    struct ts_oms_config cfg = {.db = &f->cfg,
                                .check_trading_hours = false,
                                .eod_minute = eod_minute,
                                .clock_ns = test_clock};
    struct ts_err err = TS_ERR_INIT;
    if (ts_oms_start(&cfg, &f->oms, &err)) {
        fail_msg("cannot start the order manager: %s", err.msg);
    }
}

static void stop(struct fx *f)
{
    ts_oms_stop(f->oms);
    f->oms = NULL;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->om = th_fresh_db("order_manager");
    f->dc = th_fresh_db("data_capture");
    f->cfg.conninfo[TS_MOD_ORDER_MANAGER] = strdup(th_conninfo(th_db_name(f->om)));
    f->cfg.conninfo[TS_MOD_DATA_CAPTURE] = strdup(th_conninfo(th_db_name(f->dc)));
    ts_oms_result_init(&f->res);
    set_clock_minute(NOON);
    seed(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    stop(f);
    ts_oms_result_release(&f->res);
    th_close(f->om);
    th_close(f->dc);
    free(f->cfg.conninfo[TS_MOD_ORDER_MANAGER]);
    free(f->cfg.conninfo[TS_MOD_DATA_CAPTURE]);
    free(f);
    return 0;
}

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
        fail_msg("text too long for the test buffer: %s", format);
    }
}

static ts_dec dec(const char *s)
{
    ts_dec v;
    if (ts_dec_parse(s, strlen(s), &v)) {
        fail_msg("bad decimal in the test: %s", s);
    }
    return v;
}

static struct ts_uuid uuid(const char *s)
{
    struct ts_uuid u;
    if (ts_uuid_parse(s, strlen(s), &u)) {
        fail_msg("bad uuid in the test: %s", s);
    }
    return u;
}

/* An order of the fixture's account on PETR4; price NULL for MARKET and STOP. */
struct order {
    const char *ref;
    const char *strategy; /* NULL: STRATEGY */
    enum ts_side side;
    enum ts_order_type type;
    enum ts_tif tif;
    const char *quantity;
    const char *price;
};

/* Places o, a STOP or STOP_LIMIT when stop (its stop price) is not NULL; returns the code,
   the result and reason in f. */
static int place_stop(struct fx *f, const struct order *o, const char *stop)
{
    struct ts_oms_place p = {
        .req =
            {
                .order_ref = o->ref,
                .order_ref_len = strlen(o->ref),
                .account_id = uuid(ACCOUNT),
                .strategy_id = uuid(o->strategy ? o->strategy : STRATEGY),
                .symbol = "PETR4",
                .symbol_len = 5,
                .side = o->side,
                .type = o->type,
                .tif = o->tif,
                .position_type = TS_POSITION_DAY_TRADE,
                .quantity = dec(o->quantity),
                .has_price = o->price != NULL,
                .price = o->price ? dec(o->price) : 0,
                .has_stop_price = stop != NULL,
                .stop_price = stop ? dec(stop) : 0,
            },
        .reason = "integration test",
    };
    ts_err_clear(&f->err);
    return ts_oms_place(f->oms, "tester", &p, &f->res, &f->err);
}

static int place(struct fx *f, const struct order *o)
{
    return place_stop(f, o, NULL);
}

/* Places o (stop: as place_stop) and fails the test unless a new order was made; returns its
   id (static buffer). */
static const char *place_ok_stop(struct fx *f, const struct order *o, const char *stop)
{
    static char id[64];
    char sql[256];
    int rc = place_stop(f, o, stop);
    if (rc || !f->res.created) {
        fail_msg("order %s: %s (%s), created %d", o->ref, ts_errname(rc), f->err.msg,
                 f->res.created);
    }
    fmt(sql, sizeof(sql), "SELECT id FROM order_manager.orders WHERE order_ref = '%s'", o->ref);
    char *v = th_value(f->om, sql);
    assert_non_null(v);
    fmt(id, sizeof(id), "%s", v);
    free(v);
    if (!strstr(f->res.order.buf, id)) {
        fail_msg("order %s: the answer is not the order on file: %s", o->ref, f->res.order.buf);
    }
    return id;
}

static const char *place_ok(struct fx *f, const struct order *o)
{
    return place_ok_stop(f, o, NULL);
}

static int tick(struct fx *f, const char *price, const char *volume, int64_t trade_id, int *fills)
{
    struct ts_tick t = {.symbol = "PETR4",
                        .price = dec(price),
                        .volume = dec(volume),
                        .time_ns = atomic_load(&clock_now),
                        .trade_id = trade_id,
                        .aggressor = 2};
    ts_err_clear(&f->err);
    return ts_oms_ticks(f->oms, "feed", &t, 1, fills, &f->err);
}

/* th_value compared with want; `what` names the check (NULL want: SQL NULL or no row). */
static void want_value(PGconn *c, const char *what, const char *sql, const char *want)
{
    char *got = th_value(c, sql);
    if ((want == NULL) != (got == NULL) || (want && strcmp(got, want) != 0)) {
        fail_msg("%s: want '%s', got '%s'\n  query: %s", what, want ? want : "NULL",
                 got ? got : "NULL", sql);
    }
    free(got);
}

/* The code and the message of the last answer. */
static void want_refusal(const struct fx *f, const char *what, int got, int want,
                         const char *msg_part)
{
    if (got != want || !strstr(f->err.msg, msg_part) || f->err.code != want) {
        fail_msg("%s: want %s '...%s...', got %s (err.code %s) '%s'", what, ts_errname(want),
                 msg_part, ts_errname(got), ts_errname(f->err.code), f->err.msg);
    }
}

/* Rows of everything the order manager writes, as one comparable line. */
static char *written(struct fx *f)
{
    return th_value(f->om, "SELECT (SELECT count(*) FROM order_manager.orders) || '/' ||"
                           " (SELECT count(*) FROM order_manager.order_audit_log) || '/' ||"
                           " (SELECT count(*) FROM order_manager.outbox) || '/' ||"
                           " (SELECT count(*) FROM order_manager.trades) || '/' ||"
                           " md5(coalesce((SELECT string_agg(o::text, ',' ORDER BY id)"
                           " FROM order_manager.orders o), ''))");
}

static void want_unchanged(struct fx *f, const char *what, const char *before)
{
    char *after = written(f);
    if (strcmp(before, after) != 0) {
        fail_msg("%s: the database changed: before %s, after %s", what, before, after);
    }
    free(after);
}

/* Polls sql until it gives want, for up to 10 s (the thread acts on its own time). */
static void wait_value(PGconn *c, const char *what, const char *sql, const char *want)
{
    for (int i = 0; i < 200; i++) {
        char *got = th_value(c, sql);
        bool same = got && !strcmp(got, want);
        free(got);
        if (same) {
            return;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    want_value(c, what, sql, want);
}

/* ---------------------------------------------------------------------------------------- */
/* accounts, strategies, time in force: refused before the risk check, nothing written */

static void test_order_of_an_account_that_is_not_active_is_refused(void **state)
{
    static const struct {
        const char *status;
    } cases[] = {{"SUSPENDED"}, {"CLOSED"}};
    struct fx *f = *state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char sql[256], what[64];
        fmt(sql, sizeof(sql), "UPDATE order_manager.accounts SET status = '%s'", cases[i].status);
        th_exec_ok(f->om, sql);
        start(f, -1);
        char *before = written(f);
        struct order o = {"acct-1", NULL, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_DAY, "10", "10.00"};
        fmt(what, sizeof(what), "%s account", cases[i].status);
        want_refusal(f, what, place(f, &o), TS_EINVAL, "account is not ACTIVE");
        want_unchanged(f, what, before);
        free(before);
        stop(f);
    }
}

static void test_order_of_an_unknown_or_idle_strategy_is_refused(void **state)
{
    static const struct {
        const char *name, *strategy, *msg;
    } cases[] = {
        {"unknown strategy", NO_SUCH_ID, "unknown strategy_id"},
        {"INACTIVE strategy", IDLE_STRATEGY,
         "strategy is INACTIVE: only ACTIVE or TESTING strategies trade"},
    };
    struct fx *f = *state;
    start(f, -1);
    char *before = written(f);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct order o = {
            "strat-1", cases[i].strategy, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_DAY, "10", "10.00"};
        want_refusal(f, cases[i].name, place(f, &o), TS_EINVAL, cases[i].msg);
        want_unchanged(f, cases[i].name, before);
    }
    free(before);
}

/*
 * FOK (fill entirely at once or not at all): the paper venue cannot promise it, so
 * docs/api.md refuses it at placement, also when the tape could not fill it entirely;
 * nothing is written and the volume stays for the orders that come after.
 */
static void test_fok_order_that_cannot_fill_entirely_is_refused_and_writes_nothing(void **state)
{
    struct fx *f = *state;
    int fills = -1;
    start(f, -1);
    assert_int_equal(tick(f, "10.00", "5", 1, &fills), 0); /* the last print: 5 at 10.00 */
    assert_int_equal(fills, 0);
    char *before = written(f);
    struct order fok = {"fok-1", NULL, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_FOK, "10", "10.00"};
    want_refusal(f, "FOK for 10 when 5 trade", place(f, &fok), TS_EINVAL,
                 "time_in_force IOC and FOK are not supported by the paper venue");
    want_unchanged(f, "FOK refused", before);
    free(before);
    /* the next tick fills a DAY order, not the refused FOK */
    struct order day = {"day-1", NULL, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_DAY, "10", "10.00"};
    place_ok(f, &day);
    assert_int_equal(tick(f, "10.00", "5", 2, &fills), 0);
    assert_int_equal(fills, 1);
    want_value(
        f->om, "one fill, of the DAY order",
        "SELECT string_agg(o.order_ref || ' ' || t.quantity, ',') FROM order_manager.trades t"
        " JOIN order_manager.orders o ON o.id = t.order_id",
        "day-1 5.00000000");
}

/* ---------------------------------------------------------------------------------------- */
/* risk */

static void test_modify_that_breaks_a_limit_is_refused_and_changes_nothing(void **state)
{
    struct fx *f = *state;
    char sql[512];
    th_exec_ok(f->om, "INSERT INTO order_manager.risk_limits (limit_type, account_id,"
                      " max_order_value) VALUES ('ACCOUNT', '" ACCOUNT "', 1000.00)");
    start(f, -1);
    struct order o = {"mod-1", NULL, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_DAY, "100", "10.00"};
    const char *id = place_ok(f, &o); /* 100 x 10.00 = the limit: passes */
    char oid[64];
    fmt(oid, sizeof(oid), "%s", id);
    char *before = written(f);

    struct ts_oms_modify m = {
        .id = uuid(oid), .m = {.has_price = true, .price = dec("10.01")}, .reason = "higher"};
    ts_err_clear(&f->err);
    int rc = ts_oms_modify(f->oms, "tester", &m, &f->res, &f->err);
    want_refusal(f, "modify to 100 x 10.01", rc, TS_ERISK,
                 "order value 1001.00 exceeds max_order_value 1000.00");
    assert_int_equal(f->res.verdict.rule, TS_RISK_RULE_MAX_ORDER_VALUE);
    assert_true(f->res.verdict.from_limit);
    assert_int_equal(f->res.verdict.scope, TS_RISK_SCOPE_ACCOUNT);
    assert_true(f->res.verdict.limit == dec("1000"));
    assert_true(f->res.verdict.value == dec("1001"));
    assert_true(ts_uuid_is_nil(&f->res.rejected_id)); /* a modification rejects no order */
    want_unchanged(f, "refused modification", before);
    free(before);
    fmt(sql, sizeof(sql), "SELECT price || ' ' || status FROM order_manager.orders WHERE id = '%s'",
        oid);
    want_value(f->om, "the order keeps its price", sql, "10.00000000 SUBMITTED");

    m.m.price = dec("9.99");
    ts_err_clear(&f->err);
    rc = ts_oms_modify(f->oms, "tester", &m, &f->res, &f->err);
    if (rc) {
        fail_msg("modify to 9.99: %s (%s)", ts_errname(rc), f->err.msg);
    }
    want_value(f->om, "a modification within the limit is made", sql, "9.99000000 SUBMITTED");
    fmt(sql, sizeof(sql),
        "SELECT action || ' ' || changed_by || ' ' || reason || ' ' ||"
        " (changes->'price'->>'old') || '>' || (changes->'price'->>'new')"
        " FROM order_manager.order_audit_log WHERE order_id = '%s' ORDER BY seq DESC LIMIT 1",
        oid);
    want_value(f->om, "and audited as MODIFIED with its delta", sql,
               "MODIFIED tester higher 10.00000000>9.99000000");
}

static void test_market_order_with_no_price_yet_rests_until_the_next_tick(void **state)
{
    struct fx *f = *state;
    char sql[256];
    int fills = -1;
    start(f, -1);
    struct order o = {"mkt-1", NULL, TS_SIDE_BUY, TS_ORDER_MARKET, TS_TIF_DAY, "10", NULL};
    const char *id = place_ok(f, &o);
    char oid[64];
    fmt(oid, sizeof(oid), "%s", id);
    fmt(sql, sizeof(sql),
        "SELECT status || ' ' || filled_quantity FROM order_manager.orders WHERE id = '%s'", oid);
    want_value(f->om, "no price yet: the MARKET order rests", sql, "SUBMITTED 0.00000000");
    want_value(f->om, "no trade", "SELECT count(*) FROM order_manager.trades", "0");

    assert_int_equal(tick(f, "12.34", "100", 1, &fills), 0);
    assert_int_equal(fills, 1);
    fmt(sql, sizeof(sql),
        "SELECT status || ' ' || filled_quantity || ' ' || avg_fill_price"
        " FROM order_manager.orders WHERE id = '%s'",
        oid);
    want_value(f->om, "the next tick fills it at its price", sql, "FILLED 10.00000000 12.34000000");
    fmt(sql, sizeof(sql),
        "SELECT string_agg(action, ' ' ORDER BY seq) FROM order_manager.order_audit_log"
        " WHERE order_id = '%s'",
        oid);
    want_value(f->om, "audited from creation to fill", sql, "CREATED SUBMITTED FILLED");
}

/* With an order value limit a MARKET order needs a price to be checked: refused, on file. */
static void test_market_order_with_no_price_under_a_value_limit_is_rejected(void **state)
{
    struct fx *f = *state;
    char sql[512];
    th_exec_ok(f->om, "INSERT INTO order_manager.risk_limits (limit_type, account_id,"
                      " max_order_value) VALUES ('ACCOUNT', '" ACCOUNT "', 1000.00)");
    start(f, -1);
    struct order o = {"mkt-2", NULL, TS_SIDE_BUY, TS_ORDER_MARKET, TS_TIF_DAY, "10", NULL};
    want_refusal(f, "MARKET with no price under max_order_value", place(f, &o), TS_ERISK,
                 "reference price");
    assert_int_equal(f->res.verdict.rule, TS_RISK_RULE_INVALID_ORDER);
    assert_false(ts_uuid_is_nil(&f->res.rejected_id));
    char id[TS_UUID_STRLEN];
    ts_uuid_format(&f->res.rejected_id, id);
    fmt(sql, sizeof(sql),
        "SELECT o.status || ' ' || string_agg(l.action || ':' || l.new_status || ' ' ||"
        " l.changed_by, ',') || ' ' || (o.reject_reason LIKE 'order cannot be risk-checked%%')"
        " FROM order_manager.orders o JOIN order_manager.order_audit_log l ON l.order_id = o.id"
        " WHERE o.id = '%s' GROUP BY o.id",
        id);
    /* written REJECTED at once: its one audit row is its creation, in the REJECTED state */
    want_value(f->om, "recorded REJECTED with its reason, audited", sql,
               "REJECTED CREATED:REJECTED tester true");
    fmt(sql, sizeof(sql),
        "SELECT payload->>'rule' FROM order_manager.outbox WHERE event_type = 'RiskLimitBreached'"
        " AND aggregate_id = '%s'",
        id);
    want_value(f->om, "a RiskLimitBreached event names the rule", sql, "invalid_order");
}

/* ---------------------------------------------------------------------------------------- */
/* stops */

/*
 * A stop triggers on a print at its stop even when an older order took all of the
 * print's volume: it then fills on a later tick within its limit.
 */
static void test_stop_behind_an_order_that_took_the_whole_print_triggers_on_it(void **state)
{
    struct fx *f = *state;
    int fills = -1;
    start(f, -1);
    struct order lim = {"take-1", NULL, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_DAY, "5", "10.50"};
    struct order stp = {"stop-1", NULL, TS_SIDE_BUY, TS_ORDER_STOP_LIMIT, TS_TIF_DAY, "5", "10.50"};
    place_ok(f, &lim);
    place_ok_stop(f, &stp, "10.50");
    assert_int_equal(tick(f, "10.50", "5", 1, &fills), 0); /* the LIMIT takes all 5 */
    assert_int_equal(fills, 1);
    set_clock_minute(NOON + 1);
    assert_int_equal(tick(f, "10.45", "5", 2, &fills), 0); /* below the stop, within the limit */
    assert_int_equal(fills, 1);
    want_value(f->om, "the older LIMIT filled on the print, the stop on the next tick",
               "SELECT string_agg(o.order_ref || ' ' || t.quantity || '@' || t.price, ','"
               " ORDER BY t.executed_at) FROM order_manager.trades t"
               " JOIN order_manager.orders o ON o.id = t.order_id",
               "take-1 5.00000000@10.50000000,stop-1 5.00000000@10.50000000");
}

/* SQL: a timestamptz column as the order manager writes times in events (6 digits, Z). */
#define RFC3339_OF(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* The injected clock's instant as SQL's microseconds since the epoch, in text. */
static void clock_us(char *buf, size_t size)
{
    fmt(buf, size, "%lld", (long long)(atomic_load(&clock_now) / 1000));
}

/*
 * The fault of issue 14: a BUY STOP_LIMIT (stop 10.50, limit 10.40) triggered by a
 * trade at 10.50 rests as a limit at 10.40. Its trigger is stored with the order, in
 * the tick's transaction, audited TRIGGERED and shown in its JSON; a new order
 * manager on the same database loads it, so a trade at 10.40 fills the order.
 */
static void test_triggered_stop_limit_survives_a_restart(void **state)
{
    struct fx *f = *state;
    char sql[768], oid[64], us[32], want[256], day[TS_TIME_STRLEN];
    int fills = -1;
    start(f, -1);
    struct order o = {"stop-rst", NULL,  TS_SIDE_BUY, TS_ORDER_STOP_LIMIT,
                      TS_TIF_GTC, "100", "10.40"};
    fmt(oid, sizeof(oid), "%s", place_ok_stop(f, &o, "10.50"));
    if (!strstr(f->res.order.buf,
                "\"triggered_at\":null,\"trigger_trade_id\":null,\"trigger_price\":null")) {
        fail_msg("a new stop's JSON shows no trigger: %s", f->res.order.buf);
    }

    set_clock_minute(NOON + 1); /* the trigger's time is not the order's */
    clock_us(us, sizeof(us));
    assert_int_equal(tick(f, "10.50", "300", 41, &fills), 0);
    assert_int_equal(fills, 0); /* triggered: now a BUY limit at 10.40, below the tape */
    fmt(sql, sizeof(sql),
        "SELECT status || ' ' || filled_quantity || ' ' ||"
        " (extract(epoch FROM triggered_at) * 1000000)::bigint || ' ' || trigger_trade_id ||"
        " ' ' || trigger_price FROM order_manager.orders WHERE id = '%s'",
        oid);
    fmt(want, sizeof(want), "SUBMITTED 0.00000000 %s 41 10.50000000", us);
    want_value(f->om, "the trigger is stored: its time, trade number and price", sql, want);
    fmt(sql, sizeof(sql),
        "SELECT l.action || ' ' || l.old_status || '>' || l.new_status || ' ' || l.changed_by ||"
        " ' ' || l.reason || ' ' || (l.changes->'trigger_trade_id'->>'new') || ' ' ||"
        " (l.changes->'trigger_price'->>'new') || ' ' ||"
        " ((l.changes->'triggered_at'->>'new')::timestamptz = o.triggered_at) || ' ' ||"
        " (SELECT string_agg(k || ':' || coalesce(l.changes->k->>'old', 'null'), ',' ORDER BY k)"
        "  FROM jsonb_object_keys(l.changes) k)"
        " FROM order_manager.order_audit_log l JOIN order_manager.orders o ON o.id = l.order_id"
        " WHERE l.order_id = '%s' ORDER BY l.seq DESC LIMIT 1",
        oid);
    want_value(f->om, "audited as TRIGGERED: who, why, and the trigger's columns from null", sql,
               "TRIGGERED SUBMITTED>SUBMITTED feed paper venue: stop price traded 41 10.50000000"
               " true trigger_price:null,trigger_trade_id:null,triggered_at:null");
    fmt(sql, sizeof(sql),
        "SELECT count(*) || ' ' || min(e.payload->>'trigger_trade_id') || ' ' ||"
        " min(e.payload->>'trigger_price') || ' ' ||"
        " bool_and(e.payload->>'triggered_at' = " RFC3339_OF(
            "o.triggered_at") ") || ' ' ||"
                              " count(DISTINCT e.xmin::text) FILTER (WHERE e.xmin::text = "
                              "o.xmin::text)"
                              " FROM order_manager.outbox e JOIN order_manager.orders o ON o.id = "
                              "e.aggregate_id"
                              " WHERE e.event_type = 'OrderTriggered' AND o.id = '%s'",
        oid);
    want_value(f->om, "one OrderTriggered event with the trigger, in the trigger's transaction",
               sql, "1 41 10.50000000 true 1");
    assert_int_equal(place_stop(f, &o, "10.50"), 0); /* the same order_ref: the order's JSON */
    assert_false(f->res.created);
    ts_time_format_rfc3339(atomic_load(&clock_now), day, sizeof(day));
    fmt(want, sizeof(want),
        "\"triggered_at\":\"%.19sZ\",\"trigger_trade_id\":41,\"trigger_price\":\"10.50000000\"",
        day);
    if (!strstr(f->res.order.buf, want)) {
        fail_msg("the order's JSON shows its trigger: want %s in %s", want, f->res.order.buf);
    }

    stop(f);
    start(f, -1); /* a new order manager on the same database */
    set_clock_minute(NOON + 2);
    assert_int_equal(tick(f, "10.40", "300", 42, &fills), 0);
    assert_int_equal(fills, 1);
    fmt(sql, sizeof(sql),
        "SELECT status || ' ' || filled_quantity || ' ' || avg_fill_price || ' ' ||"
        " (extract(epoch FROM triggered_at) * 1000000)::bigint || ' ' || trigger_trade_id"
        " FROM order_manager.orders WHERE id = '%s'",
        oid);
    fmt(want, sizeof(want), "FILLED 100.00000000 10.40000000 %s 41", us);
    want_value(f->om, "after the restart a trade at the limit fills it; the trigger stays", sql,
               want);
    fmt(sql, sizeof(sql),
        "SELECT string_agg(action, ' ' ORDER BY seq) FROM order_manager.order_audit_log"
        " WHERE order_id = '%s'",
        oid);
    want_value(f->om, "triggered once, never again after the restart", sql,
               "CREATED SUBMITTED TRIGGERED FILLED");
    fmt(sql, sizeof(sql),
        "SELECT e.payload->>'trigger_trade_id' || ' ' || (e.payload->>'trigger_price') || ' ' ||"
        " (e.payload->>'triggered_at' = " RFC3339_OF(
            "o.triggered_at") ")"
                              " FROM order_manager.outbox e JOIN order_manager.orders o ON o.id = "
                              "e.aggregate_id"
                              " WHERE e.event_type = 'OrderFilled' AND o.id = '%s'",
        oid);
    want_value(f->om, "the fill's event carries the trigger as loaded", sql, "41 10.50000000 true");
}

/*
 * A stop that triggers and fills on one tick: the trigger is written before the fill,
 * so the trail reads TRIGGERED then FILLED, each with its reason, all in the tick's
 * one transaction with the trade and the events.
 */
static void
test_stop_triggered_and_filled_by_one_tick_is_audited_triggered_then_filled(void **state)
{
    struct fx *f = *state;
    char sql[768], oid[64];
    int fills = -1;
    start(f, -1);
    struct order o = {"stop-one", NULL, TS_SIDE_SELL, TS_ORDER_STOP, TS_TIF_DAY, "10", NULL};
    fmt(oid, sizeof(oid), "%s", place_ok_stop(f, &o, "9.50"));
    assert_int_equal(tick(f, "9.40", "100", 5, &fills), 0);
    assert_int_equal(fills, 1);
    fmt(sql, sizeof(sql),
        "SELECT string_agg(action || ':' || coalesce(reason, '-'), ', ' ORDER BY seq)"
        " FROM order_manager.order_audit_log WHERE order_id = '%s'",
        oid);
    want_value(f->om, "TRIGGERED, then FILLED at the tick", sql,
               "CREATED:integration test, SUBMITTED:integration test,"
               " TRIGGERED:paper venue: stop price traded, FILLED:paper venue fill");
    fmt(sql, sizeof(sql),
        "SELECT o.trigger_trade_id || ' ' || o.trigger_price || ' ' || t.price || ' ' ||"
        " (SELECT count(DISTINCT x) FROM (SELECT o.xmin::text UNION ALL SELECT t.xmin::text"
        "  UNION ALL SELECT l.xmin::text FROM order_manager.order_audit_log l"
        "   WHERE l.order_id = o.id AND l.action IN ('TRIGGERED', 'FILLED')"
        "  UNION ALL SELECT e.xmin::text FROM order_manager.outbox e WHERE e.aggregate_id = o.id"
        "   AND e.event_type IN ('OrderTriggered', 'OrderFilled')) xs (x))"
        " FROM order_manager.orders o JOIN order_manager.trades t ON t.order_id = o.id"
        " WHERE o.id = '%s'",
        oid);
    want_value(f->om, "trigger, fill, trade, audit rows and events in one transaction", sql,
               "5 9.40000000 9.40000000 1");
}

/* ---------------------------------------------------------------------------------------- */
/* reload, cancel, end of day */

static void test_reload_after_an_account_status_change_takes_effect(void **state)
{
    struct fx *f = *state;
    struct ts_err err = TS_ERR_INIT;
    start(f, -1);
    struct order o1 = {"rel-1", NULL, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_DAY, "1", "10.00"};
    place_ok(f, &o1);

    th_exec_ok(f->om, "UPDATE order_manager.accounts SET status = 'SUSPENDED'");
    if (ts_oms_reload(f->oms, TS_OMS_RELOAD_ACCOUNTS, &err)) {
        fail_msg("reload: %s", err.msg);
    }
    char *before = written(f);
    struct order o2 = {"rel-2", NULL, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_DAY, "1", "10.00"};
    want_refusal(f, "suspended, reloaded", place(f, &o2), TS_EINVAL, "account is not ACTIVE");
    want_unchanged(f, "suspended, reloaded", before);
    free(before);

    th_exec_ok(f->om, "UPDATE order_manager.accounts SET status = 'ACTIVE'");
    if (ts_oms_reload(f->oms, TS_OMS_RELOAD_ACCOUNTS, &err)) {
        fail_msg("reload: %s", err.msg);
    }
    place_ok(f, &o2);
    want_value(f->om, "both orders on file, audited",
               "SELECT string_agg(o.order_ref || ':' || l.action, ' ' ORDER BY l.seq)"
               " FROM order_manager.orders o JOIN order_manager.order_audit_log l"
               " ON l.order_id = o.id",
               "rel-1:CREATED rel-1:SUBMITTED rel-2:CREATED rel-2:SUBMITTED");
}

static void test_cancel_of_an_unknown_or_finished_order_is_refused(void **state)
{
    struct fx *f = *state;
    start(f, -1);
    struct order o = {"can-1", NULL, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_DAY, "1", "10.00"};
    struct ts_uuid id = uuid(place_ok(f, &o));
    struct ts_uuid none = uuid(NO_SUCH_ID);

    int rc = ts_oms_cancel(f->oms, "tester", &id, "done", &f->res, &f->err);
    if (rc) {
        fail_msg("cancel: %s (%s)", ts_errname(rc), f->err.msg);
    }
    assert_non_null(strstr(f->res.order.buf, "CANCELED"));
    char *before = written(f);
    ts_err_clear(&f->err);
    rc = ts_oms_cancel(f->oms, "tester", &id, "again", &f->res, &f->err);
    want_refusal(f, "cancel twice", rc, TS_ESTATE, "order is CANCELED: only working orders change");
    ts_err_clear(&f->err);
    rc = ts_oms_cancel(f->oms, "tester", &none, NULL, &f->res, &f->err);
    want_refusal(f, "cancel an unknown order", rc, TS_ENOTFOUND, "order not found");
    want_unchanged(f, "refused cancels", before);
    free(before);
    want_value(f->om, "the cancel is audited with its actor and reason",
               "SELECT action || ' ' || changed_by || ' ' || reason FROM"
               " order_manager.order_audit_log ORDER BY seq DESC LIMIT 1",
               "CANCELED tester done");
}

static void test_end_of_day_expires_day_orders_and_keeps_gtc(void **state)
{
    struct fx *f = *state;
    int fills = -1;
    start(f, -1);
    struct order day = {"eod-day", NULL, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_DAY, "1", "10.00"};
    struct order gtc = {"eod-gtc", NULL, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_GTC, "1", "10.00"};
    struct order pos = {"eod-pos", NULL, TS_SIDE_BUY, TS_ORDER_MARKET, TS_TIF_DAY, "3", NULL};
    place_ok(f, &day);
    place_ok(f, &gtc);
    assert_int_equal(tick(f, "11.00", "1", 1, &fills), 0);
    place_ok(f, &pos); /* fills at 11.00: an open position */

    int rc = ts_oms_end_of_day(f->oms, "tester", &f->res, &f->err);
    if (rc) {
        fail_msg("end of day: %s (%s)", ts_errname(rc), f->err.msg);
    }
    assert_int_equal(f->res.expired, 1);
    assert_int_equal(f->res.snapshots, 1);
    want_value(f->om, "DAY expired, GTC works",
               "SELECT string_agg(order_ref || ':' || status, ' ' ORDER BY order_ref)"
               " FROM order_manager.orders",
               "eod-day:EXPIRED eod-gtc:SUBMITTED eod-pos:FILLED");
    want_value(f->om, "the expiry is audited",
               "SELECT l.action || ' ' || l.changed_by || ' ' || l.reason FROM"
               " order_manager.order_audit_log l JOIN order_manager.orders o ON o.id = l.order_id"
               " WHERE o.order_ref = 'eod-day' ORDER BY l.seq DESC LIMIT 1",
               "EXPIRED tester end of day");
    want_value(f->om, "a snapshot of the open position",
               "SELECT count(*) FROM order_manager.position_history WHERE reason = 'eod_snapshot'",
               "1");
    want_value(f->om, "one EndOfDay event",
               "SELECT count(*) || ' ' || min(payload->>'expired') FROM order_manager.outbox"
               " WHERE event_type = 'EndOfDay'",
               "1 1");
}

/* The thread runs the end of day by itself once the (injected) clock passes eod_minute. */
static void test_end_of_day_runs_by_the_clock_on_a_weekday(void **state)
{
    struct fx *f = *state;
    start(f, 17 * 60);
    struct order day = {"clk-day", NULL, TS_SIDE_BUY, TS_ORDER_LIMIT, TS_TIF_DAY, "1", "10.00"};
    place_ok(f, &day);
    want_value(f->om, "before 17:00 the DAY order works",
               "SELECT status FROM order_manager.orders WHERE order_ref = 'clk-day'", "SUBMITTED");
    set_clock_minute(17 * 60 + 1);
    wait_value(f->om, "after 17:00 it expires by itself",
               "SELECT status FROM order_manager.orders WHERE order_ref = 'clk-day'", "EXPIRED");
    want_value(f->om, "as the system, with one EndOfDay event",
               "SELECT l.changed_by || ' ' || (SELECT count(*) FROM order_manager.outbox"
               " WHERE event_type = 'EndOfDay') FROM order_manager.order_audit_log l"
               " ORDER BY l.seq DESC LIMIT 1",
               "system 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_order_of_an_account_that_is_not_active_is_refused),
        T(test_order_of_an_unknown_or_idle_strategy_is_refused),
        T(test_fok_order_that_cannot_fill_entirely_is_refused_and_writes_nothing),
        T(test_modify_that_breaks_a_limit_is_refused_and_changes_nothing),
        T(test_market_order_with_no_price_yet_rests_until_the_next_tick),
        T(test_market_order_with_no_price_under_a_value_limit_is_rejected),
        T(test_stop_behind_an_order_that_took_the_whole_print_triggers_on_it),
        T(test_triggered_stop_limit_survives_a_restart),
        T(test_stop_triggered_and_filled_by_one_tick_is_audited_triggered_then_filled),
        T(test_reload_after_an_account_status_change_takes_effect),
        T(test_cancel_of_an_unknown_or_finished_order_is_refused),
        T(test_end_of_day_expires_day_orders_and_keeps_gtc),
        T(test_end_of_day_runs_by_the_clock_on_a_weekday),
#undef T
    };
    ts_log_set_level(TS_LOG_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
