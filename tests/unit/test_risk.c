/*
 * test_risk.c - unit tests of src/domain/risk.c: each risk rule just under,
 * at and over its limit, the kill switch, trading hours in B3 local time,
 * the scope shapes of risk_limits, counters and their day rollover, limit
 * table maintenance, refusal texts, and that the check allocates nothing.
 *
 * Table-driven; each failing case prints its name and the test fails at the
 * end. Does not time the check (bench/bench_risk.sh does) or load limits
 * from the database (the OMS does).
 */
#include "domain/risk.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"

#define NOW LOCAL(0, 11, 0)

static const struct ts_uuid NIL;
#define A1 U(0x11)
#define A2 U(0x12)
#define S1 U(0x21)
#define S2 U(0x22)

static struct ts_instrument instrument(const char *symbol)
{
    struct ts_instrument in;
    if (ts_instrument_init(&in, symbol) != 0) {
        fail_msg("instrument %s", symbol);
    }
    in.open_minute = 10 * 60;
    in.close_minute = 17 * 60;
    return in;
}

static void new_state(struct ts_risk_state *st, bool hours, bool with_unrealized)
{
    struct ts_risk_config cfg = {8, 64, hours, with_unrealized};
    if (ts_risk_state_init(st, &cfg) != 0) {
        fail_msg("ts_risk_state_init");
    }
}

/* A limit of one column on a key; the other columns NULL. */
static struct ts_risk_limit make_limit(uint8_t id, enum ts_risk_scope scope, struct ts_uuid account,
                                       struct ts_uuid strategy, const char *symbol,
                                       enum ts_risk_rule rule, const char *value)
{
    struct ts_risk_limit l;
    memset(&l, 0, sizeof(l));
    l.id = U(id);
    l.scope = scope;
    l.account_id = account;
    l.strategy_id = strategy;
    if (symbol) {
        snprintf(l.symbol, sizeof(l.symbol), "%s", symbol);
    }
    l.active = true;
    switch (rule) {
    case TS_RISK_RULE_MAX_ORDER_VALUE:
        l.has_max_order_value = true;
        l.max_order_value = D(value);
        break;
    case TS_RISK_RULE_MAX_POSITION_SIZE:
        l.has_max_position_size = true;
        l.max_position_size = D(value);
        break;
    case TS_RISK_RULE_MAX_DAILY_LOSS:
        l.has_max_daily_loss = true;
        l.max_daily_loss = D(value);
        break;
    case TS_RISK_RULE_MAX_DAILY_TRADES:
        l.has_max_daily_trades = true;
        l.max_daily_trades = atoll(value);
        break;
    default:
        fail_msg("no such limit column %d", rule);
    }
    return l;
}

/* The limit of a scope on the standard key: (A1), (any,S1), (A1,S1,PETR4). */
static struct ts_risk_limit scope_limit(enum ts_risk_scope scope, enum ts_risk_rule rule,
                                        const char *value)
{
    switch (scope) {
    case TS_RISK_SCOPE_ACCOUNT:
        return make_limit(1, scope, A1, NIL, NULL, rule, value);
    case TS_RISK_SCOPE_STRATEGY:
        return make_limit(1, scope, NIL, S1, NULL, rule, value);
    case TS_RISK_SCOPE_SYMBOL:
        break;
    }
    return make_limit(1, scope, A1, S1, "PETR4", rule, value);
}

static struct ts_risk_order order(enum ts_side side, enum ts_order_type type, const char *qty,
                                  const char *price, const struct ts_instrument *in)
{
    struct ts_risk_order o;
    memset(&o, 0, sizeof(o));
    o.account_id = A1;
    o.strategy_id = S1;
    o.symbol = "PETR4";
    o.side = side;
    o.type = type;
    o.quantity = D(qty);
    if (type == TS_ORDER_MARKET) {
        o.reference_price = D(price);
    } else if (type == TS_ORDER_STOP) {
        o.stop_price = D(price);
    } else {
        o.price = D(price);
    }
    o.instrument = in;
    o.now_ns = NOW;
    return o;
}

/* ------------------------------------------------------------------------------------------- */

struct rule_case {
    const char *name;
    enum ts_risk_scope scope;
    enum ts_risk_rule rule;
    const char *limit;
    /* counters of (A1,S1,PETR4) before the order */
    const char *position, *realized, *unrealized;
    int64_t orders;
    bool with_unrealized;
    /* the order */
    enum ts_side side;
    enum ts_order_type type;
    const char *qty, *price;
    bool is_modify;
    /* the answer */
    bool accepted;
    const char *value; /* verdict value when refused */
    const char *msg;   /* exact text when refused, or NULL */
};

#define BUY TS_SIDE_BUY
#define SELL TS_SIDE_SELL
#define LIM TS_ORDER_LIMIT
#define MKT TS_ORDER_MARKET
#define ACC TS_RISK_SCOPE_ACCOUNT
#define STR TS_RISK_SCOPE_STRATEGY
#define SYM TS_RISK_SCOPE_SYMBOL
#define VALUE TS_RISK_RULE_MAX_ORDER_VALUE
#define POS TS_RISK_RULE_MAX_POSITION_SIZE
#define LOSS TS_RISK_RULE_MAX_DAILY_LOSS
#define TRADES TS_RISK_RULE_MAX_DAILY_TRADES

static const struct rule_case rule_cases[] = {
    /* max_order_value */
    {"order value a cent under max_order_value", ACC, VALUE, "25000.00", "0", "0", "0", 0, 0, BUY,
     LIM, "1", "24999.99", 0, true, NULL, NULL},
    {"order value at max_order_value", ACC, VALUE, "25000.00", "0", "0", "0", 0, 0, BUY, LIM, "100",
     "250.00", 0, true, NULL, NULL},
    {"order value a cent over max_order_value", ACC, VALUE, "25000.00", "0", "0", "0", 0, 0, BUY,
     LIM, "1", "25000.01", 0, false, "25000.01",
     "order value 25000.01 exceeds max_order_value 25000.00 (ACCOUNT limit)"},
    {"order value a hundred-millionth over", ACC, VALUE, "25000.00", "0", "0", "0", 0, 0, SELL, LIM,
     "1", "25000.00000001", 0, false, "25000.00000001",
     "order value 25000.00000001 exceeds max_order_value 25000.00 (ACCOUNT limit)"},
    {"market order valued at the reference price", ACC, VALUE, "25000.00", "0", "0", "0", 0, 0, BUY,
     MKT, "100", "300.00", 0, false, "30000.00",
     "order value 30000.00 exceeds max_order_value 25000.00 (ACCOUNT limit)"},
    {"stop order valued at its stop price", STR, VALUE, "25000.00", "0", "0", "0", 0, 0, SELL,
     TS_ORDER_STOP, "100", "250.01", 0, false, "25001.00",
     "order value 25001.00 exceeds max_order_value 25000.00 (STRATEGY limit)"},
    /* max_position_size */
    {"position one under max_position_size", SYM, POS, "500", "400", "0", "0", 0, 0, BUY, LIM, "99",
     "30.00", 0, true, NULL, NULL},
    {"position at max_position_size", SYM, POS, "500", "400", "0", "0", 0, 0, BUY, LIM, "100",
     "30.00", 0, true, NULL, NULL},
    {"position one over max_position_size", SYM, POS, "500", "400", "0", "0", 0, 0, BUY, LIM, "101",
     "30.00", 0, false, "501",
     "resulting position 501 exceeds max_position_size 500 (SYMBOL limit)"},
    {"short position at max_position_size", SYM, POS, "500", "-400", "0", "0", 0, 0, SELL, LIM,
     "100", "30.00", 0, true, NULL, NULL},
    {"short position one over max_position_size", SYM, POS, "500", "-400", "0", "0", 0, 0, SELL,
     LIM, "101", "30.00", 0, false, "501", NULL},
    {"a sell that flips beyond the limit", SYM, POS, "500", "100", "0", "0", 0, 0, SELL, LIM, "601",
     "30.00", 0, false, "501", NULL},
    {"a reduction of a position above a lowered limit", SYM, POS, "500", "1000", "0", "0", 0, 0,
     SELL, LIM, "100", "30.00", 0, true, NULL, NULL},
    {"fractional quantity a hundred-millionth over", ACC, POS, "0.5", "0", "0", "0", 0, 0, BUY, LIM,
     "0.50000001", "30.00", 0, false, "0.50000001",
     "resulting position 0.50000001 exceeds max_position_size 0.5 (ACCOUNT limit)"},
    /* max_daily_loss */
    {"daily loss a cent under max_daily_loss", STR, LOSS, "500.00", "0", "-499.99", "0", 0, 0, BUY,
     LIM, "100", "30.00", 0, true, NULL, NULL},
    {"daily loss at max_daily_loss", STR, LOSS, "500.00", "0", "-500.00", "0", 0, 0, BUY, LIM,
     "100", "30.00", 0, false, "500.00",
     "daily loss 500.00 reached max_daily_loss 500.00 (STRATEGY limit)"},
    {"daily loss over max_daily_loss", STR, LOSS, "500.00", "0", "-500.01", "0", 0, 0, SELL, LIM,
     "100", "30.00", 0, false, "500.01", NULL},
    {"a daily gain", STR, LOSS, "500.00", "0", "1000.00", "0", 0, 0, BUY, LIM, "100", "30.00", 0,
     true, NULL, NULL},
    {"unrealized loss ignored unless configured", ACC, LOSS, "500.00", "100", "-200.00", "-300.00",
     0, false, BUY, LIM, "100", "30.00", 0, true, NULL, NULL},
    {"unrealized loss counted when configured", ACC, LOSS, "500.00", "100", "-200.00", "-300.00", 0,
     true, BUY, LIM, "100", "30.00", 0, false, "500.00", NULL},
    {"unrealized gain offsets a realized loss", ACC, LOSS, "500.00", "100", "-600.00", "100.01", 0,
     true, BUY, LIM, "100", "30.00", 0, true, NULL, NULL},
    {"zero loss allowed, flat day", SYM, LOSS, "0", "0", "0", "0", 0, 0, BUY, LIM, "100", "30.00",
     0, true, NULL, NULL},
    {"zero loss allowed, a cent lost", SYM, LOSS, "0", "0", "-0.01", "0", 0, 0, BUY, LIM, "100",
     "30.00", 0, false, "0.01", "daily loss 0.01 reached max_daily_loss 0.00 (SYMBOL limit)"},
    /* max_daily_trades: orders accepted today */
    {"orders today one under max_daily_trades", ACC, TRADES, "3", "0", "0", "0", 2, 0, BUY, LIM,
     "100", "30.00", 0, true, NULL, NULL},
    {"orders today at max_daily_trades", ACC, TRADES, "3", "0", "0", "0", 3, 0, BUY, LIM, "100",
     "30.00", 0, false, "3", "orders today 3 reached max_daily_trades 3 (ACCOUNT limit)"},
    {"orders today over max_daily_trades", ACC, TRADES, "3", "0", "0", "0", 4, 0, BUY, LIM, "100",
     "30.00", 0, false, "4", NULL},
    {"a modification is not a new order", ACC, TRADES, "3", "0", "0", "0", 3, 0, BUY, LIM, "100",
     "30.00", true, true, NULL, NULL},
    {"zero trades allowed", STR, TRADES, "0", "0", "0", "0", 0, 0, BUY, LIM, "100", "30.00", 0,
     false, "0", NULL},
};

static void test_each_rule_refuses_over_and_accepts_at_and_under_its_limit(void **state)
{
    int failures = 0;
    char msg[256];
    (void)state;

    for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
        const struct rule_case *c = &rule_cases[i];
        struct ts_risk_state st;
        struct ts_err err = TS_ERR_INIT;
        struct ts_risk_verdict v;
        struct ts_instrument in = instrument("PETR4");
        struct ts_uuid a = A1, s = S1;
        new_state(&st, true, c->with_unrealized);

        struct ts_risk_limit l = scope_limit(c->scope, c->rule, c->limit);
        EXPECT(ts_risk_put_limit(&st, &l, &err) == 0, c->name, "put_limit: %s", err.msg);
        struct ts_risk_delta d = {D(c->position), D(c->unrealized), D(c->realized), 0, c->orders};
        EXPECT(ts_risk_apply(&st, &a, &s, "PETR4", NOW, &d, &err) == 0, c->name, "apply: %s",
               err.msg);

        struct ts_risk_order o = order(c->side, c->type, c->qty, c->price, &in);
        o.is_modify = c->is_modify;
        int rc = ts_risk_check(&st, &o, &v);
        EXPECT(rc == 0, c->name, "rc %d", rc);
        EXPECT(v.accepted == c->accepted, c->name, "accepted %d, rule %s", v.accepted,
               ts_risk_rule_str(v.rule));
        if (!c->accepted) {
            EXPECT(v.rule == c->rule, c->name, "rule %s", ts_risk_rule_str(v.rule));
            EXPECT(v.from_limit && v.scope == c->scope && memcmp(&v.limit_id, &l.id, 16) == 0,
                   c->name, "scope %s", ts_risk_scope_str(v.scope));
            ts_dec want_limit = c->rule == TRADES ? TS_DEC_C(atoll(c->limit)) : D(c->limit);
            EXPECT(v.limit == want_limit, c->name, "limit %lld", (long long)v.limit);
            ts_dec want_value = c->rule == TRADES ? TS_DEC_C(atoll(c->value)) : D(c->value);
            EXPECT(v.value == want_value, c->name, "value %lld", (long long)v.value);
            ts_risk_verdict_format(&v, msg, sizeof(msg));
            EXPECT(!c->msg || strcmp(msg, c->msg) == 0, c->name, "message \"%s\"", msg);
        } else {
            EXPECT(v.rule == TS_RISK_RULE_NONE, c->name, "rule %s", ts_risk_rule_str(v.rule));
        }
        ts_risk_state_release(&st);
    }
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------------------------------- */

static void test_kill_switch_refuses_every_order_until_released(void **state)
{
    struct ts_risk_state st;
    struct ts_risk_verdict v;
    struct ts_instrument in = instrument("PETR4");
    char msg[128];
    (void)state;

    new_state(&st, true, false);
    struct ts_risk_order o = order(BUY, LIM, "1", "30.00", &in);
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_true(v.accepted);

    ts_risk_set_kill_switch(&st, true);
    assert_true(ts_risk_kill_switch(&st));
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_false(v.accepted);
    assert_int_equal(v.rule, TS_RISK_RULE_KILL_SWITCH);
    assert_false(v.from_limit);
    ts_risk_verdict_format(&v, msg, sizeof(msg));
    assert_string_equal(msg, "kill switch is active");
    /* Before trading hours too: the kill switch is the first rule. */
    o.now_ns = LOCAL(0, 9, 0);
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_int_equal(v.rule, TS_RISK_RULE_KILL_SWITCH);
    /* A sell, a market order: all refused. */
    o = order(SELL, MKT, "100", "30.00", &in);
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_int_equal(v.rule, TS_RISK_RULE_KILL_SWITCH);

    ts_risk_set_kill_switch(&st, false);
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_true(v.accepted);
    ts_risk_state_release(&st);
}

static void test_trading_hours_are_checked_in_b3_local_time(void **state)
{
    static const struct {
        const char *name;
        int64_t t;
        bool hours_on;
        bool accepted;
        const char *msg;
    } cases[] = {
        {"09:59 is before the open", LOCAL(0, 9, 59), true, false,
         "outside trading hours 10:00-17:00 B3 local (now 09:59)"},
        {"10:00 is the open", LOCAL(0, 10, 0), true, true, NULL},
        {"16:55 is in session", LOCAL(0, 16, 55), true, true, NULL},
        {"16:59:59 is the last second", LOCAL(0, 16, 59) + 59 * NS, true, true, NULL},
        {"17:00 is the close", LOCAL(0, 17, 0), true, false,
         "outside trading hours 10:00-17:00 B3 local (now 17:00)"},
        {"13:00 UTC is 10:00 local", (DAY0_UTC + 13 * 3600) * NS, true, true, NULL},
        {"10:00 UTC is 07:00 local", (DAY0_UTC + 10 * 3600) * NS, true, false,
         "outside trading hours 10:00-17:00 B3 local (now 07:00)"},
        {"Saturday in session hours", LOCAL(4, 11, 0), true, false,
         "market closed on Saturday (B3 local)"},
        {"Sunday in session hours", LOCAL(5, 11, 0), true, false,
         "market closed on Sunday (B3 local)"},
        {"simulation: 09:59 is fine", LOCAL(0, 9, 59), false, true, NULL},
        {"simulation: Saturday is fine", LOCAL(4, 3, 0), false, true, NULL},
    };
    int failures = 0;
    char msg[128];
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_risk_state st;
        struct ts_risk_verdict v;
        struct ts_instrument in = instrument("PETR4");
        new_state(&st, true, false);
        ts_risk_set_trading_hours_check(&st, cases[i].hours_on);
        struct ts_risk_order o = order(BUY, LIM, "100", "30.00", &in);
        o.now_ns = cases[i].t;
        int rc = ts_risk_check(&st, &o, &v);
        EXPECT(rc == 0 && v.accepted == cases[i].accepted, cases[i].name, "rc %d accepted %d", rc,
               v.accepted);
        if (!cases[i].accepted) {
            ts_risk_verdict_format(&v, msg, sizeof(msg));
            EXPECT(v.rule == TS_RISK_RULE_TRADING_HOURS, cases[i].name, "rule %s",
                   ts_risk_rule_str(v.rule));
            EXPECT(strcmp(msg, cases[i].msg) == 0, cases[i].name, "message \"%s\"", msg);
        }
        ts_risk_state_release(&st);
    }
    assert_int_equal(failures, 0);
}

static void test_orders_that_cannot_be_checked_are_refused(void **state)
{
    static const struct {
        const char *name;
        int what;
        int want_rc;
        const char *msg;
    } cases[] = {
        {"zero quantity", 0, TS_EINVAL, "order cannot be risk-checked: quantity must be > 0"},
        {"empty symbol", 1, TS_EINVAL,
         "order cannot be risk-checked: symbol must be 1 to 50 printable characters"},
        {"no account", 2, TS_EINVAL,
         "order cannot be risk-checked: order needs an account and a "
         "strategy"},
        {"market order without a reference price", 3, TS_EINVAL,
         "order cannot be risk-checked: MARKET order needs a reference price > 0"},
        {"no instrument while hours are checked", 4, TS_EINVAL,
         "order cannot be risk-checked: trading hours need the order's instrument"},
        {"order value beyond DECIMAL(18,8)", 5, TS_ERANGE,
         "order cannot be risk-checked: order value does not fit DECIMAL(18,8)"},
        {"symbol of 51 characters", 6, TS_EINVAL,
         "order cannot be risk-checked: symbol must be 1 to 50 printable characters"},
    };
    int failures = 0;
    char msg[160];
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_risk_state st;
        struct ts_risk_verdict v;
        struct ts_err err = TS_ERR_INIT;
        struct ts_instrument in = instrument("PETR4");
        new_state(&st, true, false);
        struct ts_risk_limit l = scope_limit(ACC, VALUE, "25000.00");
        if (ts_risk_put_limit(&st, &l, &err) != 0) {
            fail_msg("put: %s", err.msg);
        }
        struct ts_risk_order o = order(BUY, LIM, "100", "30.00", &in);
        switch (cases[i].what) {
        case 0:
            o.quantity = 0;
            break;
        case 1:
            o.symbol = "";
            break;
        case 2:
            o.account_id = NIL;
            break;
        case 3:
            o = order(BUY, MKT, "100", "0", &in);
            break;
        case 4:
            o.instrument = NULL;
            break;
        case 5:
            o.quantity = D("9999999999");
            o.price = D("9999999999");
            break;
        case 6:
            o.symbol = "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJX";
            break;
        }
        int rc = ts_risk_check(&st, &o, &v);
        ts_risk_verdict_format(&v, msg, sizeof(msg));
        EXPECT(rc == cases[i].want_rc, cases[i].name, "rc %d", rc);
        EXPECT(!v.accepted && v.rule == TS_RISK_RULE_INVALID_ORDER && v.code == cases[i].want_rc,
               cases[i].name, "accepted %d rule %s", v.accepted, ts_risk_rule_str(v.rule));
        EXPECT(strcmp(msg, cases[i].msg) == 0, cases[i].name, "message \"%s\"", msg);
        ts_risk_state_release(&st);
    }
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------------------------------- */

static void test_limits_apply_to_the_orders_their_scope_covers_only(void **state)
{
    /* A max_order_value 1000.00 limit on one key; an order worth 3000.00 from each origin. */
    static const struct {
        const char *name;
        enum ts_risk_scope scope;
        bool a, s;
        const char *symbol;
        /* refused for orders from: (A1,S1,PETR4), (A2,S1,PETR4), (A1,S2,PETR4), (A1,S1,VALE3) */
        bool refused[4];
    } cases[] = {
        {"account", ACC, true, false, NULL, {true, false, true, true}},
        {"strategy in one account", STR, true, true, NULL, {true, false, false, true}},
        {"strategy in any account", STR, false, true, NULL, {true, true, false, true}},
        {"symbol of one account and strategy",
         SYM,
         true,
         true,
         "PETR4",
         {true, false, false, false}},
        {"symbol of one account", SYM, true, false, "PETR4", {true, false, true, false}},
        {"symbol of one strategy", SYM, false, true, "PETR4", {true, true, false, false}},
        {"symbol for everyone", SYM, false, false, "PETR4", {true, true, true, false}},
    };
    static const char *const origin[4] = {"A1/S1/PETR4", "A2/S1/PETR4", "A1/S2/PETR4",
                                          "A1/S1/VALE3"};
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_risk_state st;
        struct ts_err err = TS_ERR_INIT;
        new_state(&st, false, false);
        struct ts_risk_limit l =
            make_limit(7, cases[i].scope, cases[i].a ? A1 : NIL, cases[i].s ? S1 : NIL,
                       cases[i].symbol, VALUE, "1000.00");
        EXPECT(ts_risk_put_limit(&st, &l, &err) == 0, cases[i].name, "put: %s", err.msg);
        for (int k = 0; k < 4; k++) {
            struct ts_risk_verdict v;
            struct ts_risk_order o = order(BUY, LIM, "100", "30.00", NULL);
            if (k == 1) {
                o.account_id = A2;
            } else if (k == 2) {
                o.strategy_id = S2;
            } else if (k == 3) {
                o.symbol = "VALE3";
            }
            int rc = ts_risk_check(&st, &o, &v);
            EXPECT(rc == 0 && v.accepted == !cases[i].refused[k], cases[i].name,
                   "order from %s: accepted %d", origin[k], v.accepted);
            EXPECT(v.accepted || v.scope == cases[i].scope, cases[i].name, "scope %s",
                   ts_risk_scope_str(v.scope));
        }
        /* Inactive: never applies. */
        l.active = false;
        EXPECT(ts_risk_put_limit(&st, &l, &err) == 0, cases[i].name, "put: %s", err.msg);
        struct ts_risk_verdict v;
        struct ts_risk_order o = order(BUY, LIM, "100", "30.00", NULL);
        EXPECT(ts_risk_check(&st, &o, &v) == 0 && v.accepted, cases[i].name, "%s",
               "inactive limit applied");
        ts_risk_state_release(&st);
    }
    assert_int_equal(failures, 0);
}

static void test_the_first_broken_rule_is_reported_in_scope_order(void **state)
{
    struct ts_risk_state st;
    struct ts_risk_verdict v;
    struct ts_err err = TS_ERR_INIT;
    (void)state;

    new_state(&st, false, false);
    struct ts_risk_limit sym = make_limit(3, SYM, NIL, NIL, "PETR4", VALUE, "100.00");
    struct ts_risk_limit acc = make_limit(4, ACC, A1, NIL, NULL, POS, "10");
    assert_int_equal(ts_risk_put_limit(&st, &sym, &err), 0);
    assert_int_equal(ts_risk_put_limit(&st, &acc, &err), 0);
    assert_int_equal(ts_risk_limit_count(&st), 2);
    struct ts_risk_order o = order(BUY, LIM, "100", "30.00", NULL);
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_int_equal(v.rule, TS_RISK_RULE_MAX_POSITION_SIZE);
    assert_int_equal(v.scope, TS_RISK_SCOPE_ACCOUNT);
    /* Within the account limit the order fits: the symbol limit speaks. */
    o.quantity = D("10");
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_int_equal(v.rule, TS_RISK_RULE_MAX_ORDER_VALUE);
    assert_int_equal(v.scope, TS_RISK_SCOPE_SYMBOL);
    assert_memory_equal(&v.limit_id, &sym.id, sizeof(sym.id));
    ts_risk_state_release(&st);
}

/* ------------------------------------------------------------------------------------------- */

static void test_counters_aggregate_fills_orders_and_marks_over_every_scope(void **state)
{
    static const struct {
        const char *name;
        uint8_t a, s; /* uuid byte, 0 = any */
        const char *symbol;
        const char *position, *unrealized, *realized;
        int64_t trades, orders;
    } cases[] = {
        {"exact key A1/S1/PETR4", 0x11, 0x21, "PETR4", "100", "-40.00", "-12.00", 1, 2},
        {"account A1 in PETR4", 0x11, 0, "PETR4", "70", "-40.00", "-7.00", 2, 2},
        {"strategy S1 in PETR4", 0, 0x21, "PETR4", "110", "-40.00", "-12.00", 2, 2},
        {"everyone in PETR4", 0, 0, "PETR4", "80", "-40.00", "-7.00", 3, 2},
        {"account A1, all symbols", 0x11, 0, NULL, "0", "-40.00", "-7.00", 4, 3},
        {"strategy S1 in account A1", 0x11, 0x21, NULL, "0", "-40.00", "-12.00", 1, 2},
        {"account A2", 0x12, 0, NULL, "0", "0", "0", 1, 0},
        {"VALE3 of A1", 0x11, 0, "VALE3", "0", "0", "0", 2, 1},
    };
    struct ts_risk_state st;
    struct ts_err err = TS_ERR_INIT;
    struct ts_uuid a1 = A1, a2 = A2, s1 = S1, s2 = S2;
    int failures = 0;
    (void)state;

    new_state(&st, false, false);
    assert_int_equal(ts_risk_record_order(&st, &a1, &s1, "PETR4", NOW, &err), 0);
    assert_int_equal(ts_risk_record_order(&st, &a1, &s1, "PETR4", NOW, &err), 0);
    assert_int_equal(ts_risk_record_order(&st, &a1, &s2, "VALE3", NOW, &err), 0);
    assert_int_equal(
        ts_risk_record_fill(&st, &a1, &s1, "PETR4", BUY, D("100"), D("-12.00"), NOW, &err), 0);
    assert_int_equal(
        ts_risk_record_fill(&st, &a1, &s2, "PETR4", SELL, D("30"), D("5.00"), NOW, &err), 0);
    assert_int_equal(ts_risk_record_fill(&st, &a2, &s1, "PETR4", BUY, D("10"), D("0"), NOW, &err),
                     0);
    assert_int_equal(ts_risk_record_fill(&st, &a1, &s2, "VALE3", SELL, D("1"), D("0"), NOW, &err),
                     0);
    assert_int_equal(ts_risk_record_fill(&st, &a1, &s2, "VALE3", BUY, D("1"), D("0"), NOW, &err),
                     0);
    /* marks: set, then set again (the aggregate follows the change, not the sum) */
    assert_int_equal(ts_risk_set_unrealized(&st, &a1, &s1, "PETR4", D("-100.00"), &err), 0);
    assert_int_equal(ts_risk_set_unrealized(&st, &a1, &s1, "PETR4", D("-40.00"), &err), 0);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_risk_counters c;
        struct ts_uuid a = U(cases[i].a), s = U(cases[i].s);
        int rc = ts_risk_get_counters(&st, &a, &s, cases[i].symbol, NOW, &c);
        EXPECT(rc == 0, cases[i].name, "rc %d", rc);
        EXPECT(c.position == D(cases[i].position), cases[i].name, "position %lld",
               (long long)c.position);
        EXPECT(c.unrealized == D(cases[i].unrealized), cases[i].name, "unrealized %lld",
               (long long)c.unrealized);
        EXPECT(c.today.realized_pnl == D(cases[i].realized), cases[i].name, "realized %lld",
               (long long)c.today.realized_pnl);
        EXPECT(c.today.trades == cases[i].trades, cases[i].name, "trades %lld",
               (long long)c.today.trades);
        EXPECT(c.today.orders == cases[i].orders, cases[i].name, "orders %lld",
               (long long)c.today.orders);
    }
    ts_risk_state_release(&st);
    assert_int_equal(failures, 0);
}

static void test_apply_changes_all_keys_or_none(void **state)
{
    struct ts_risk_state st;
    struct ts_err err = TS_ERR_INIT;
    struct ts_risk_counters c;
    struct ts_uuid a1 = A1, a2 = A2, s1 = S1;
    (void)state;

    new_state(&st, false, false);
    assert_int_equal(ts_risk_record_fill(&st, &a1, &s1, "PETR4", BUY, 1, 0, NOW, &err), 0);
    /* (any,any,PETR4) would overflow; (A2,...) keys would not: nothing may change. */
    struct ts_risk_delta d = {.position = TS_DEC_MAX, .orders = 1};
    assert_int_equal(ts_risk_apply(&st, &a2, &s1, "PETR4", NOW, &d, &err), TS_ERANGE);
    assert_int_equal(ts_risk_get_counters(&st, &a2, &s1, "PETR4", NOW, &c), 0);
    assert_true(c.position == 0 && c.today.orders == 0);
    assert_int_equal(ts_risk_get_counters(&st, NULL, NULL, "PETR4", NOW, &c), 0);
    assert_true(c.position == 1);
    /* Bad input. */
    struct ts_risk_delta bad = {.realized = 1}; /* not whole cents */
    assert_int_equal(ts_risk_apply(&st, &a1, &s1, "PETR4", NOW, &bad, &err), TS_EINVAL);
    assert_int_equal(ts_risk_apply(&st, &a1, &NIL, "PETR4", NOW, &d, &err), TS_EINVAL);
    assert_int_equal(ts_risk_apply(&st, &a1, &s1, "", NOW, &d, &err), TS_EINVAL);
    assert_int_equal(ts_risk_record_fill(&st, &a1, &s1, "PETR4", BUY, 0, 0, NOW, &err), TS_EINVAL);
    ts_risk_state_release(&st);
}

static void test_day_rollover_resets_daily_rules_but_not_positions(void **state)
{
    static const struct {
        const char *name;
        int64_t t;
        enum ts_risk_rule sell_rule; /* what refuses a reducing sell; NONE: accepted */
    } cases[] = {
        {"same day, 16:59 local", LOCAL(0, 16, 59), TS_RISK_RULE_MAX_DAILY_LOSS},
        {"same day, 23:59 local (02:59 UTC the next day)", LOCAL(0, 23, 59),
         TS_RISK_RULE_MAX_DAILY_LOSS},
        {"next day, 00:00 local", LOCAL(1, 0, 0), TS_RISK_RULE_NONE},
        {"next day, 10:30 local", LOCAL(1, 10, 30), TS_RISK_RULE_NONE},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_risk_state st;
        struct ts_err err = TS_ERR_INIT;
        struct ts_risk_verdict v;
        struct ts_uuid a1 = A1, s1 = S1;
        new_state(&st, false, false);
        struct ts_risk_limit l = make_limit(1, ACC, A1, NIL, NULL, LOSS, "500.00");
        l.has_max_position_size = true;
        l.max_position_size = D("500");
        EXPECT(ts_risk_put_limit(&st, &l, &err) == 0, cases[i].name, "put: %s", err.msg);
        struct ts_risk_limit t = make_limit(2, STR, A1, S1, NULL, TRADES, "3");
        EXPECT(ts_risk_put_limit(&st, &t, &err) == 0, cases[i].name, "put: %s", err.msg);
        /* Tuesday 15:00: 3 orders, a loss of 600.00, long 500. */
        struct ts_risk_delta d = {D("500"), 0, D("-600.00"), 3, 3};
        EXPECT(ts_risk_apply(&st, &a1, &s1, "PETR4", LOCAL(0, 15, 0), &d, &err) == 0, cases[i].name,
               "apply: %s", err.msg);
        /* A buy breaks the position limit whatever the day: positions do not roll over. */
        struct ts_risk_order o = order(BUY, LIM, "1", "30.00", NULL);
        o.now_ns = cases[i].t;
        int rc = ts_risk_check(&st, &o, &v);
        EXPECT(rc == 0 && v.rule == TS_RISK_RULE_MAX_POSITION_SIZE, cases[i].name,
               "buy refused by %s", ts_risk_rule_str(v.rule));
        /* A sell reduces the position: only the daily rules can refuse it. */
        o.side = SELL;
        rc = ts_risk_check(&st, &o, &v);
        EXPECT(rc == 0 && v.rule == cases[i].sell_rule, cases[i].name, "sell refused by %s",
               ts_risk_rule_str(v.rule));
        /* Without the loss limit, the trades limit is what remains of the day. */
        EXPECT(ts_risk_remove_limit(&st, &l.id) == 0, cases[i].name, "%s", "remove");
        rc = ts_risk_check(&st, &o, &v);
        bool same_day = cases[i].sell_rule != TS_RISK_RULE_NONE;
        EXPECT(rc == 0 && v.rule == (same_day ? TS_RISK_RULE_MAX_DAILY_TRADES : TS_RISK_RULE_NONE),
               cases[i].name, "sell without loss limit: %s", ts_risk_rule_str(v.rule));
        ts_risk_state_release(&st);
    }
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------------------------------- */

static void test_limit_shapes_and_values_are_checked(void **state)
{
    static const struct {
        const char *name;
        enum ts_risk_scope scope;
        bool a, s;
        const char *symbol;
        const char *msg;
    } cases[] = {
        {"account limit without an account", ACC, false, false, NULL,
         "ACCOUNT risk limit needs an account and no strategy or symbol"},
        {"account limit with a strategy", ACC, true, true, NULL,
         "ACCOUNT risk limit needs an account and no strategy or symbol"},
        {"account limit with a symbol", ACC, true, false, "PETR4",
         "ACCOUNT risk limit needs an account and no strategy or symbol"},
        {"strategy limit without a strategy", STR, true, false, NULL,
         "STRATEGY risk limit needs a strategy and no symbol"},
        {"strategy limit with a symbol", STR, false, true, "PETR4",
         "STRATEGY risk limit needs a strategy and no symbol"},
        {"symbol limit without a symbol", SYM, true, true, NULL,
         "SYMBOL risk limit needs a symbol"},
        {"symbol with a space", SYM, false, false, "PETR 4",
         "risk limit symbol must be at most 50 characters without spaces"},
    };
    int failures = 0;
    struct ts_risk_state st;
    struct ts_err err = TS_ERR_INIT;
    (void)state;

    new_state(&st, false, false);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_risk_limit l = make_limit(1, cases[i].scope, cases[i].a ? A1 : NIL,
                                            cases[i].s ? S1 : NIL, cases[i].symbol, VALUE, "1");
        int rc = ts_risk_put_limit(&st, &l, &err);
        EXPECT(rc == TS_EINVAL, cases[i].name, "rc %d", rc);
        EXPECT(strcmp(err.msg, cases[i].msg) == 0, cases[i].name, "message \"%s\"", err.msg);
    }
    struct ts_risk_limit l = scope_limit(ACC, VALUE, "1000.00");
    l.max_order_value = D("1000.001");
    assert_int_equal(ts_risk_put_limit(&st, &l, &err), TS_EINVAL);
    assert_string_equal(err.msg, "risk limit max_order_value must be whole cents >= 0");
    l = scope_limit(ACC, LOSS, "-1.00");
    assert_int_equal(ts_risk_put_limit(&st, &l, &err), TS_EINVAL);
    l = scope_limit(ACC, TRADES, "-1");
    assert_int_equal(ts_risk_put_limit(&st, &l, &err), TS_EINVAL);
    l = scope_limit(ACC, POS, "1");
    l.has_max_position_size = false;
    assert_int_equal(ts_risk_put_limit(&st, &l, &err), TS_EINVAL);
    assert_string_equal(err.msg, "risk limit sets no limit");
    l = scope_limit(ACC, POS, "1");
    memset(&l.id, 0, sizeof(l.id));
    assert_int_equal(ts_risk_put_limit(&st, &l, &err), TS_EINVAL);
    assert_int_equal(ts_risk_limit_count(&st), 0);
    ts_risk_state_release(&st);
    assert_int_equal(failures, 0);
}

static void test_limits_are_replaced_moved_and_removed(void **state)
{
    struct ts_risk_state st;
    struct ts_risk_verdict v;
    struct ts_err err = TS_ERR_INIT;
    (void)state;

    new_state(&st, false, false);
    struct ts_risk_order o = order(BUY, LIM, "100", "30.00", NULL); /* worth 3000.00 */
    struct ts_risk_limit l = make_limit(1, ACC, A1, NIL, NULL, VALUE, "2999.99");
    assert_int_equal(ts_risk_put_limit(&st, &l, &err), 0);
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_false(v.accepted);
    /* same key, new value: replaced */
    l.max_order_value = D("3000.00");
    assert_int_equal(ts_risk_put_limit(&st, &l, &err), 0);
    assert_int_equal(ts_risk_limit_count(&st), 1);
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_true(v.accepted);
    /* same id, new key (A2): moved, no longer applies to A1 */
    l.max_order_value = D("1.00");
    l.account_id = A2;
    assert_int_equal(ts_risk_put_limit(&st, &l, &err), 0);
    assert_int_equal(ts_risk_limit_count(&st), 1);
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_true(v.accepted);
    o.account_id = A2;
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_false(v.accepted);
    /* removed */
    assert_int_equal(ts_risk_remove_limit(&st, &l.id), 0);
    assert_int_equal(ts_risk_remove_limit(&st, &l.id), TS_ENOTFOUND);
    assert_int_equal(ts_risk_limit_count(&st), 0);
    assert_int_equal(ts_risk_check(&st, &o, &v), 0);
    assert_true(v.accepted);
    ts_risk_state_release(&st);
}

static void test_thousands_of_limits_survive_growth_and_removal(void **state)
{
    enum { N = 3000 };
    struct ts_risk_state st;
    struct ts_risk_config cfg = {4, 4, false, false}; /* tiny: forces growth */
    struct ts_err err = TS_ERR_INIT;
    char sym[16];
    int failures = 0;
    (void)state;

    assert_int_equal(ts_risk_state_init(&st, &cfg), 0);
    for (int i = 0; i < N; i++) {
        snprintf(sym, sizeof(sym), "S%04d", i);
        struct ts_risk_limit l = make_limit(0, SYM, NIL, NIL, sym, VALUE, "1.00");
        memcpy(l.id.b, &i, sizeof(i));
        l.id.b[15] = 1;
        if (ts_risk_put_limit(&st, &l, &err) != 0) {
            fail_msg("put %s: %s", sym, err.msg);
        }
        struct ts_uuid a1 = A1, s1 = S1;
        if (ts_risk_record_order(&st, &a1, &s1, sym, NOW, &err) != 0) {
            fail_msg("record %s: %s", sym, err.msg);
        }
    }
    assert_int_equal(ts_risk_limit_count(&st), N);
    for (int i = 0; i < N; i += 2) { /* remove every other one */
        struct ts_uuid id = {{0}};
        memcpy(id.b, &i, sizeof(i));
        id.b[15] = 1;
        if (ts_risk_remove_limit(&st, &id) != 0) {
            fail_msg("remove %d", i);
        }
    }
    assert_int_equal(ts_risk_limit_count(&st), N / 2);
    for (int i = 0; i < N; i++) {
        struct ts_risk_verdict v;
        struct ts_risk_counters c;
        snprintf(sym, sizeof(sym), "S%04d", i);
        struct ts_risk_order o = order(BUY, LIM, "1", "2.00", NULL);
        o.symbol = sym;
        int rc = ts_risk_check(&st, &o, &v);
        EXPECT(rc == 0 && v.accepted == (i % 2 == 0), sym, "accepted %d", v.accepted);
        struct ts_uuid a1 = A1;
        rc = ts_risk_get_counters(&st, &a1, NULL, sym, NOW, &c);
        EXPECT(rc == 0 && c.today.orders == 1, sym, "orders %lld", (long long)c.today.orders);
    }
    ts_risk_state_release(&st);
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------------------------------- */
/*
 * The check must not allocate. Allocations are counted while a flag is set:
 * under AddressSanitizer (which owns malloc) through its malloc hook; in
 * other glibc builds by interposing malloc and friends (glibc's __libc_*
 * entry points). Elsewhere the test is skipped.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TS_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TS_TEST_ASAN 1
#endif

#if defined(TS_TEST_ASAN) || defined(__GLIBC__)
static volatile int counting;
static volatile long allocations;
#endif

#if defined(TS_TEST_ASAN)
#define COUNT_ALLOCATIONS 1
/* <sanitizer/allocator_interface.h>, declared here: GCC does not ship that header */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));

static void count_malloc(const volatile void *p, size_t n)
{
    (void)p;
    (void)n;
    if (counting) {
        allocations++;
    }
}

static void ignore_free(const volatile void *p)
{
    (void)p;
}

/* Installs the hook once; false when the sanitizer has no room for it. */
static bool counter_ready(void)
{
    static int installed;
    if (!installed) {
        installed = __sanitizer_install_malloc_and_free_hooks(count_malloc, ignore_free);
    }
    return installed != 0;
}
#elif defined(__GLIBC__)
#define COUNT_ALLOCATIONS 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

void *malloc(size_t n)
{
    if (counting) {
        allocations++;
    }
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    if (counting) {
        allocations++;
    }
    return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    if (counting) {
        allocations++;
    }
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}

static bool counter_ready(void)
{
    return true;
}
#else
#define COUNT_ALLOCATIONS 0
#endif

static void test_the_check_allocates_nothing(void **state)
{
    (void)state;
#if COUNT_ALLOCATIONS
    struct ts_risk_state st;
    struct ts_risk_verdict v;
    struct ts_err err = TS_ERR_INIT;
    struct ts_uuid a1 = A1, s1 = S1;
    struct ts_instrument in = instrument("PETR4");
    new_state(&st, true, true);
    struct ts_risk_limit l1 = make_limit(1, ACC, A1, NIL, NULL, VALUE, "100000.00");
    struct ts_risk_limit l2 = make_limit(2, STR, NIL, S1, NULL, LOSS, "500.00");
    struct ts_risk_limit l3 = make_limit(3, SYM, NIL, NIL, "PETR4", POS, "1000");
    l3.has_max_daily_trades = true;
    l3.max_daily_trades = 100;
    assert_int_equal(ts_risk_put_limit(&st, &l1, &err), 0);
    assert_int_equal(ts_risk_put_limit(&st, &l2, &err), 0);
    assert_int_equal(ts_risk_put_limit(&st, &l3, &err), 0);
    assert_int_equal(ts_risk_record_fill(&st, &a1, &s1, "PETR4", BUY, D("100"), 0, NOW, &err), 0);
    struct ts_risk_order ok = order(BUY, LIM, "100", "30.00", &in);
    struct ts_risk_order over = order(BUY, MKT, "1000", "30.00", &in);
    const struct {
        const char *name;
        const struct ts_risk_order *o;
        bool accepted;
        enum ts_risk_rule rule;
    } cases[] = {
        {"an order within every limit: accepted", &ok, true, TS_RISK_RULE_NONE},
        {"an order past max_position_size: refused", &over, false, TS_RISK_RULE_MAX_POSITION_SIZE},
    };
    assert_true(counter_ready());

    /* the counter works: an allocation while counting is seen */
    allocations = 0;
    counting = 1;
    void *volatile p = malloc(16);
    counting = 0;
    free(p);
    assert_int_equal(allocations, 1);

    /* every round checks every case; the first wrong answer stops the rounds and fails the
       test once the counting is off (reporting allocates) */
    int bad_round = -1, bad_rc = 0;
    size_t bad_case = 0;
    struct ts_risk_verdict bad_v = {0};
    allocations = 0;
    counting = 1;
    for (int round = 0; round < 1000 && bad_round < 0; round++) {
        for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
            int rc = ts_risk_check(&st, cases[k].o, &v);
            if (rc != 0 || v.accepted != cases[k].accepted || v.rule != cases[k].rule) {
                bad_round = round;
                bad_case = k;
                bad_rc = rc;
                bad_v = v;
                break;
            }
        }
    }
    counting = 0;
    ts_risk_state_release(&st);
    if (bad_round >= 0) {
        fail_msg("case \"%s\", round %d: rc %d, accepted %d, rule %s; want rc 0, accepted %d, "
                 "rule %s",
                 cases[bad_case].name, bad_round, bad_rc, bad_v.accepted,
                 ts_risk_rule_str(bad_v.rule), cases[bad_case].accepted,
                 ts_risk_rule_str(cases[bad_case].rule));
    }
    assert_int_equal(allocations, 0);
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_rule_refuses_over_and_accepts_at_and_under_its_limit),
        cmocka_unit_test(test_kill_switch_refuses_every_order_until_released),
        cmocka_unit_test(test_trading_hours_are_checked_in_b3_local_time),
        cmocka_unit_test(test_orders_that_cannot_be_checked_are_refused),
        cmocka_unit_test(test_limits_apply_to_the_orders_their_scope_covers_only),
        cmocka_unit_test(test_the_first_broken_rule_is_reported_in_scope_order),
        cmocka_unit_test(test_counters_aggregate_fills_orders_and_marks_over_every_scope),
        cmocka_unit_test(test_apply_changes_all_keys_or_none),
        cmocka_unit_test(test_day_rollover_resets_daily_rules_but_not_positions),
        cmocka_unit_test(test_limit_shapes_and_values_are_checked),
        cmocka_unit_test(test_limits_are_replaced_moved_and_removed),
        cmocka_unit_test(test_thousands_of_limits_survive_growth_and_removal),
        cmocka_unit_test(test_the_check_allocates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
