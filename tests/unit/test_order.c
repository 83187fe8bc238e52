/*
 * test_order.c - unit tests of src/domain/order.c: enum spellings, the order
 * life cycle against the full 7x7 matrix, fills (overfill, exact average
 * price), validation of new orders and of modifications.
 *
 * Table-driven; each failing case prints its name and the test fails at the
 * end, so one run shows every broken case. Does not test persistence or the
 * database's own guard trigger (tests/integration does).
 */
#include "domain/order.h"

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

#define T0 INT64_C(1795525500000000000) /* 2026-11-24T13:05:00Z, a Tuesday, 10:05 B3 local */

static struct ts_instrument petr4(void)
{
    struct ts_instrument in;
    if (ts_instrument_init(&in, "PETR4") != 0) {
        fail_msg("ts_instrument_init(PETR4) failed");
    }
    in.lot_size = D("100");
    in.tick_size = D("0.01");
    return in;
}

/* A working LIMIT order of qty @ 30.00, SUBMITTED at T0. */
static struct ts_order working_order(const char *qty)
{
    struct ts_order o;
    memset(&o, 0, sizeof(o));
    memcpy(o.order_ref, "r1", 3);
    memcpy(o.symbol, "PETR4", 6);
    o.account_id = U(1);
    o.strategy_id = U(2);
    o.side = TS_SIDE_BUY;
    o.type = TS_ORDER_LIMIT;
    o.quantity = D(qty);
    o.has_price = true;
    o.price = D("30.00");
    o.status = TS_ORDER_SUBMITTED;
    o.created_at = T0;
    o.submitted_at = T0;
    o.updated_at = T0;
    return o;
}

/* ------------------------------------------------------------------------------------------- */

enum kind { SIDE, TYPE, STATUS, TIF, PTYPE };

static int parse_kind(enum kind k, const char *s, size_t len, int *out)
{
    int rc = TS_EINVAL;
    switch (k) {
    case SIDE: {
        enum ts_side v = (enum ts_side)99;
        rc = ts_order_side_parse(s, len, &v);
        *out = (int)v;
        break;
    }
    case TYPE: {
        enum ts_order_type v = (enum ts_order_type)99;
        rc = ts_order_type_parse(s, len, &v);
        *out = (int)v;
        break;
    }
    case STATUS: {
        enum ts_order_status v = (enum ts_order_status)99;
        rc = ts_order_status_parse(s, len, &v);
        *out = (int)v;
        break;
    }
    case TIF: {
        enum ts_tif v = (enum ts_tif)99;
        rc = ts_order_tif_parse(s, len, &v);
        *out = (int)v;
        break;
    }
    case PTYPE: {
        enum ts_position_type v = (enum ts_position_type)99;
        rc = ts_order_position_type_parse(s, len, &v);
        *out = (int)v;
        break;
    }
    }
    return rc;
}

static const char *str_kind(enum kind k, int v)
{
    switch (k) {
    case SIDE:
        return ts_order_side_str((enum ts_side)v);
    case TYPE:
        return ts_order_type_str((enum ts_order_type)v);
    case STATUS:
        return ts_order_status_str((enum ts_order_status)v);
    case TIF:
        return ts_order_tif_str((enum ts_tif)v);
    case PTYPE:
        return ts_order_position_type_str((enum ts_position_type)v);
    }
    return NULL;
}

static void test_enum_names_are_the_exact_spellings_of_the_schema(void **state)
{
    static const struct {
        const char *name;
        enum kind kind;
        int value;
        const char *text;
    } cases[] = {
        {"BUY", SIDE, TS_SIDE_BUY, "BUY"},
        {"SELL", SIDE, TS_SIDE_SELL, "SELL"},
        {"MARKET", TYPE, TS_ORDER_MARKET, "MARKET"},
        {"LIMIT", TYPE, TS_ORDER_LIMIT, "LIMIT"},
        {"STOP", TYPE, TS_ORDER_STOP, "STOP"},
        {"STOP_LIMIT", TYPE, TS_ORDER_STOP_LIMIT, "STOP_LIMIT"},
        {"PENDING", STATUS, TS_ORDER_PENDING, "PENDING"},
        {"SUBMITTED", STATUS, TS_ORDER_SUBMITTED, "SUBMITTED"},
        {"PARTIAL_FILL", STATUS, TS_ORDER_PARTIAL_FILL, "PARTIAL_FILL"},
        {"FILLED", STATUS, TS_ORDER_FILLED, "FILLED"},
        {"CANCELED", STATUS, TS_ORDER_CANCELED, "CANCELED"},
        {"REJECTED", STATUS, TS_ORDER_REJECTED, "REJECTED"},
        {"EXPIRED", STATUS, TS_ORDER_EXPIRED, "EXPIRED"},
        {"DAY", TIF, TS_TIF_DAY, "DAY"},
        {"GTC", TIF, TS_TIF_GTC, "GTC"},
        {"IOC", TIF, TS_TIF_IOC, "IOC"},
        {"FOK", TIF, TS_TIF_FOK, "FOK"},
        {"DAY_TRADE", PTYPE, TS_POSITION_DAY_TRADE, "DAY_TRADE"},
        {"SWING", PTYPE, TS_POSITION_SWING, "SWING"},
        {"POSITION", PTYPE, TS_POSITION_POSITION, "POSITION"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = -1;
        int rc = parse_kind(cases[i].kind, cases[i].text, strlen(cases[i].text), &got);
        EXPECT(rc == 0 && got == cases[i].value, cases[i].name, "parse rc %d value %d", rc, got);
        const char *s = str_kind(cases[i].kind, cases[i].value);
        EXPECT(strcmp(s, cases[i].text) == 0, cases[i].name, "str gives \"%s\"", s);
    }
    assert_int_equal(failures, 0);
}

static void test_anything_but_an_exact_name_is_refused_and_leaves_the_output_alone(void **state)
{
    static const struct {
        const char *name;
        enum kind kind;
        const char *text;
        size_t len;
    } cases[] = {
        {"lowercase side", SIDE, "buy", 3},
        {"empty side", SIDE, "", 0},
        {"NULL side", SIDE, NULL, 0},
        {"trailing space", SIDE, "BUY ", 4},
        {"prefix of a name", SIDE, "BU", 2},
        {"embedded NUL", SIDE, "BUY\0", 4},
        {"mixed case type", TYPE, "Limit", 5},
        {"space for underscore", TYPE, "STOP LIMIT", 10},
        {"plural", TYPE, "MARKETS", 7},
        {"lowercase status", STATUS, "filled", 6},
        {"British spelling", STATUS, "CANCELLED", 9},
        {"the spec's audit action", STATUS, "STATUS_CHANGE", 13},
        {"empty tif", TIF, "", 0},
        {"lowercase tif", TIF, "gtc", 3},
        {"hyphen in position type", PTYPE, "DAY-TRADE", 9},
        {"empty position type", PTYPE, "", 0},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = -1;
        int rc = parse_kind(cases[i].kind, cases[i].text, cases[i].len, &got);
        EXPECT(rc == TS_EINVAL, cases[i].name, "rc %d", rc);
        EXPECT(got == 99, cases[i].name, "output changed to %d", got);
    }
    assert_string_equal(ts_order_status_str((enum ts_order_status)42), "?");
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------------------------------- */
/* Life cycle */

static void test_every_transition_matches_the_expected_matrix(void **state)
{
    /* rows: from; columns: to, in enum order P S PF F C R E */
    /* clang-format off */
    static const bool want[TS_ORDER_STATUS_COUNT][TS_ORDER_STATUS_COUNT] = {
        /*                  P  S  PF F  C  R  E */
        /* PENDING */      {0, 1, 0, 0, 1, 1, 0},
        /* SUBMITTED */    {0, 0, 1, 1, 1, 1, 1},
        /* PARTIAL_FILL */ {0, 0, 1, 1, 1, 0, 1},
        /* FILLED */       {0, 0, 0, 0, 0, 0, 0},
        /* CANCELED */     {0, 0, 0, 0, 0, 0, 0},
        /* REJECTED */     {0, 0, 0, 0, 0, 0, 0},
        /* EXPIRED */      {0, 0, 0, 0, 0, 0, 0},
    };
    /* clang-format on */
    int failures = 0;
    (void)state;

    for (int f = 0; f < TS_ORDER_STATUS_COUNT; f++) {
        for (int t = 0; t < TS_ORDER_STATUS_COUNT; t++) {
            char name[64];
            snprintf(name, sizeof(name), "%s -> %s", ts_order_status_str(f),
                     ts_order_status_str(t));
            bool got = ts_order_can_transition(f, t);
            EXPECT(got == want[f][t], name, "can_transition %d, want %d", got, want[f][t]);

            /* Through ts_order_transition(): fill states only by a fill. */
            struct ts_order o = working_order("100");
            struct ts_err err = TS_ERR_INIT;
            o.status = f;
            if (f == TS_ORDER_PARTIAL_FILL || f == TS_ORDER_FILLED) {
                o.filled_quantity = f == TS_ORDER_FILLED ? o.quantity : D("50");
                o.avg_fill_price = D("30.00");
            }
            int rc = ts_order_transition(&o, t, T0 + 1, &err);
            bool fill_target = t == TS_ORDER_PARTIAL_FILL || t == TS_ORDER_FILLED;
            int want_rc = want[f][t] && !fill_target ? 0 : TS_ESTATE;
            EXPECT(rc == want_rc, name, "transition rc %d, want %d (%s)", rc, want_rc, err.msg);
            EXPECT(o.status == (enum ts_order_status)(rc == 0 ? t : f), name, "status now %s",
                   ts_order_status_str(o.status));
        }
    }
    assert_false(ts_order_can_transition((enum ts_order_status)7, TS_ORDER_SUBMITTED));
    assert_false(ts_order_can_transition(TS_ORDER_PENDING, (enum ts_order_status) - 1));
    assert_int_equal(failures, 0);
}

static void test_illegal_transition_names_both_states_and_changes_nothing(void **state)
{
    struct ts_order o = working_order("100");
    struct ts_err err = TS_ERR_INIT;
    (void)state;

    assert_int_equal(ts_order_apply_fill(&o, D("100"), D("30.00"), T0 + 5, &err), 0);
    struct ts_order before = o;
    assert_int_equal(ts_order_transition(&o, TS_ORDER_CANCELED, T0 + 9, &err), TS_ESTATE);
    assert_int_equal(err.code, TS_ESTATE);
    assert_string_equal(err.msg, "illegal order transition FILLED -> CANCELED");
    assert_memory_equal(&o, &before, sizeof(o));
}

static void test_transitions_stamp_the_time_of_the_state_they_enter(void **state)
{
    static const struct {
        const char *name;
        enum ts_order_status from, to;
        size_t stamp; /* offset of the field that must become now, or 0 for none */
    } cases[] = {
        {"submit", TS_ORDER_PENDING, TS_ORDER_SUBMITTED, offsetof(struct ts_order, submitted_at)},
        {"cancel pending", TS_ORDER_PENDING, TS_ORDER_CANCELED,
         offsetof(struct ts_order, canceled_at)},
        {"cancel working", TS_ORDER_SUBMITTED, TS_ORDER_CANCELED,
         offsetof(struct ts_order, canceled_at)},
        {"expire", TS_ORDER_SUBMITTED, TS_ORDER_EXPIRED, offsetof(struct ts_order, expired_at)},
        {"reject", TS_ORDER_PENDING, TS_ORDER_REJECTED, 0},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_order o = working_order("100");
        struct ts_err err = TS_ERR_INIT;
        const int64_t now = T0 + 777;
        o.status = cases[i].from;
        o.submitted_at = o.canceled_at = o.expired_at = o.filled_at = 0;
        int rc = ts_order_transition(&o, cases[i].to, now, &err);
        EXPECT(rc == 0, cases[i].name, "rc %d (%s)", rc, err.msg);
        EXPECT(o.updated_at == now, cases[i].name, "updated_at %lld", (long long)o.updated_at);
        if (cases[i].stamp) {
            int64_t got;
            memcpy(&got, (const char *)&o + cases[i].stamp, sizeof(got));
            EXPECT(got == now, cases[i].name, "state time %lld", (long long)got);
        } else {
            EXPECT(o.submitted_at == 0 && o.canceled_at == 0 && o.expired_at == 0, cases[i].name,
                   "%s", "a time was stamped");
        }
    }
    assert_int_equal(failures, 0);
}

static void test_reject_keeps_the_reason_and_truncates_a_long_one(void **state)
{
    struct ts_order o = working_order("100");
    struct ts_err err = TS_ERR_INIT;
    char longtext[600];
    (void)state;

    o.status = TS_ORDER_PENDING;
    assert_int_equal(
        ts_order_reject(&o, "order value 30000.00 exceeds max_order_value 25000.00", T0 + 1, &err),
        0);
    assert_int_equal(o.status, TS_ORDER_REJECTED);
    assert_string_equal(o.reject_reason, "order value 30000.00 exceeds max_order_value 25000.00");

    o = working_order("100");
    o.status = TS_ORDER_PENDING;
    memset(longtext, 'x', sizeof(longtext) - 1);
    longtext[sizeof(longtext) - 1] = '\0';
    assert_int_equal(ts_order_reject(&o, longtext, T0 + 1, &err), 0);
    assert_int_equal(strlen(o.reject_reason), TS_ORDER_REJECT_REASON - 1);

    /* A filled order cannot be rejected. */
    o = working_order("100");
    o.status = TS_ORDER_FILLED;
    assert_int_equal(ts_order_reject(&o, "late", T0 + 1, &err), TS_ESTATE);
    assert_string_equal(o.reject_reason, "");
}

/* ------------------------------------------------------------------------------------------- */
/* Fills */

static void test_fills_accumulate_and_average_price_is_exact_half_even(void **state)
{
    static const struct {
        const char *name;
        const char *qty;
        struct {
            const char *qty, *price;
        } fills[3];
        const char *want_filled, *want_avg;
        enum ts_order_status want_status;
    } cases[] = {
        {"the brief's example",
         "150",
         {{"100", "30.00"}, {"50", "30.03"}},
         "150",
         "30.01",
         TS_ORDER_FILLED},
        {"one partial fill", "300", {{"100", "30.00"}}, "100", "30.00", TS_ORDER_PARTIAL_FILL},
        {"two partial fills",
         "300",
         {{"100", "30.00"}, {"100", "30.01"}},
         "200",
         "30.005",
         TS_ORDER_PARTIAL_FILL},
        {"three fills complete the order",
         "300",
         {{"100", "30.00"}, {"100", "30.01"}, {"100", "30.05"}},
         "300",
         "30.02",
         TS_ORDER_FILLED},
        {"exact half rounds to even (down)",
         "2",
         {{"1", "10.00000002"}, {"1", "10.00000003"}},
         "2",
         "10.00000002",
         TS_ORDER_FILLED},
        {"exact half rounds to even (up)",
         "2",
         {{"1", "10.00000001"}, {"1", "10.00000002"}},
         "2",
         "10.00000002",
         TS_ORDER_FILLED},
        {"thirds round to nearest",
         "3",
         {{"1", "0.00000001"}, {"2", "0.00000002"}},
         "3",
         "0.00000002",
         TS_ORDER_FILLED},
        {"fractional quantities (crypto)",
         "1",
         {{"0.3", "100000.00"}, {"0.7", "100001.00"}},
         "1",
         "100000.70",
         TS_ORDER_FILLED},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_order o = working_order(cases[i].qty);
        struct ts_err err = TS_ERR_INIT;
        for (size_t f = 0; f < 3 && cases[i].fills[f].qty; f++) {
            int rc = ts_order_apply_fill(&o, D(cases[i].fills[f].qty), D(cases[i].fills[f].price),
                                         T0 + 10 + (int64_t)f, &err);
            EXPECT(rc == 0, cases[i].name, "fill %zu rc %d (%s)", f, rc, err.msg);
        }
        EXPECT(o.filled_quantity == D(cases[i].want_filled), cases[i].name, "filled %lld",
               (long long)o.filled_quantity);
        EXPECT(o.avg_fill_price == D(cases[i].want_avg), cases[i].name, "avg %lld",
               (long long)o.avg_fill_price);
        EXPECT(o.status == cases[i].want_status, cases[i].name, "status %s",
               ts_order_status_str(o.status));
        bool filled = o.status == TS_ORDER_FILLED;
        EXPECT(filled ? o.filled_at != 0 : o.filled_at == 0, cases[i].name, "filled_at %lld",
               (long long)o.filled_at);
    }
    assert_int_equal(failures, 0);
}

static void test_fill_beyond_order_quantity_is_rejected(void **state)
{
    struct ts_order o = working_order("100");
    struct ts_err err = TS_ERR_INIT;
    (void)state;

    assert_int_equal(ts_order_apply_fill(&o, D("50"), D("30.00"), T0 + 1, &err), 0);
    struct ts_order before = o;
    assert_int_equal(ts_order_apply_fill(&o, D("60"), D("30.00"), T0 + 2, &err), TS_ECONFLICT);
    assert_string_equal(err.msg, "fill of 60 exceeds remaining quantity 50 of order 'r1'");
    assert_memory_equal(&o, &before, sizeof(o));
    /* One hundred-millionth over the remainder is an overfill too. */
    assert_int_equal(ts_order_apply_fill(&o, D("50.00000001"), D("30.00"), T0 + 2, &err),
                     TS_ECONFLICT);
    assert_memory_equal(&o, &before, sizeof(o));
    /* The exact remainder is fine. */
    assert_int_equal(ts_order_apply_fill(&o, D("50"), D("30.00"), T0 + 3, &err), 0);
    assert_int_equal(o.status, TS_ORDER_FILLED);
    /* And nothing more, not even the smallest unit. */
    assert_int_equal(ts_order_apply_fill(&o, 1, D("30.00"), T0 + 4, &err), TS_ESTATE);
}

static void test_fill_on_an_order_that_is_not_working_is_refused(void **state)
{
    static const struct {
        const char *name;
        enum ts_order_status status;
    } cases[] = {
        {"pending", TS_ORDER_PENDING},   {"filled", TS_ORDER_FILLED},
        {"canceled", TS_ORDER_CANCELED}, {"rejected", TS_ORDER_REJECTED},
        {"expired", TS_ORDER_EXPIRED},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_order o = working_order("100");
        struct ts_err err = TS_ERR_INIT;
        o.status = cases[i].status;
        struct ts_order before = o;
        int rc = ts_order_apply_fill(&o, D("10"), D("30.00"), T0 + 1, &err);
        EXPECT(rc == TS_ESTATE, cases[i].name, "rc %d", rc);
        EXPECT(strstr(err.msg, "cannot fill order 'r1' in status") != NULL, cases[i].name,
               "message \"%s\"", err.msg);
        EXPECT(memcmp(&o, &before, sizeof(o)) == 0, cases[i].name, "%s", "order changed");
    }
    assert_int_equal(failures, 0);
}

static void test_fill_with_non_positive_quantity_or_price_is_refused(void **state)
{
    static const struct {
        const char *name;
        ts_dec qty, price;
    } cases[] = {
        {"zero quantity", 0, TS_DEC_C(30)},
        {"negative quantity", -TS_DEC_C(1), TS_DEC_C(30)},
        {"zero price", TS_DEC_C(1), 0},
        {"negative price", TS_DEC_C(1), -TS_DEC_C(30)},
        {"quantity beyond the decimal range", INT64_MAX, TS_DEC_C(30)},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_order o = working_order("100");
        struct ts_err err = TS_ERR_INIT;
        int rc = ts_order_apply_fill(&o, cases[i].qty, cases[i].price, T0 + 1, &err);
        EXPECT(rc == TS_EINVAL, cases[i].name, "rc %d", rc);
        EXPECT(o.filled_quantity == 0 && o.status == TS_ORDER_SUBMITTED, cases[i].name, "%s",
               "order changed");
    }
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------------------------------- */
/* Validation */

/* A request in table form: NULL price/stop = absent. */
struct req_case {
    const char *name;
    const char *ref;
    const char *symbol;
    enum ts_order_type type;
    const char *qty;
    const char *price;
    const char *stop;
    enum ts_instrument_status inst_status;
    bool no_instrument;
    int want_rc;
    const char *want_msg; /* exact message when refused */
};

static void build_request(const struct req_case *c, struct ts_order_request *r)
{
    memset(r, 0, sizeof(*r));
    r->order_ref = c->ref;
    r->order_ref_len = c->ref ? strlen(c->ref) : 0;
    r->account_id = U(1);
    r->strategy_id = U(2);
    r->symbol = c->symbol;
    r->symbol_len = c->symbol ? strlen(c->symbol) : 0;
    r->side = TS_SIDE_BUY;
    r->type = c->type;
    r->tif = TS_TIF_DAY;
    r->position_type = TS_POSITION_SWING;
    r->quantity = D(c->qty);
    r->has_price = c->price != NULL;
    r->price = c->price ? D(c->price) : 0;
    r->has_stop_price = c->stop != NULL;
    r->stop_price = c->stop ? D(c->stop) : 0;
}

#define REF50 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
#define REF51 REF50 "Y"

static void test_valid_and_invalid_requests_get_the_expected_answer(void **state)
{
    static const struct req_case cases[] = {
        /* accepted */
        {"limit order", "r1", "PETR4", TS_ORDER_LIMIT, "100", "30.00", NULL, 0, 0, 0, NULL},
        {"market order", "r1", "PETR4", TS_ORDER_MARKET, "300", NULL, NULL, 0, 0, 0, NULL},
        {"stop order", "r1", "PETR4", TS_ORDER_STOP, "100", NULL, "29.50", 0, 0, 0, NULL},
        {"stop-limit order", "r1", "PETR4", TS_ORDER_STOP_LIMIT, "100", "29.40", "29.50", 0, 0, 0,
         NULL},
        {"order_ref of 50 characters", REF50, "PETR4", TS_ORDER_MARKET, "100", NULL, NULL, 0, 0, 0,
         NULL},
        {"order_ref with inner spaces and punctuation", "my order #1 (retry)", "PETR4",
         TS_ORDER_MARKET, "100", NULL, NULL, 0, 0, 0, NULL},
        {"smallest tick", "r1", "PETR4", TS_ORDER_LIMIT, "100", "0.01", NULL, 0, 0, 0, NULL},
        /* refused: order_ref */
        {"empty order_ref", "", "PETR4", TS_ORDER_MARKET, "100", NULL, NULL, 0, 0, TS_EINVAL,
         "order_ref is required"},
        {"missing order_ref", NULL, "PETR4", TS_ORDER_MARKET, "100", NULL, NULL, 0, 0, TS_EINVAL,
         "order_ref is required"},
        {"order_ref of 51 characters", REF51, "PETR4", TS_ORDER_MARKET, "100", NULL, NULL, 0, 0,
         TS_EINVAL, "order_ref has 51 characters, at most 50 allowed"},
        {"order_ref with a tab", "a\tb", "PETR4", TS_ORDER_MARKET, "100", NULL, NULL, 0, 0,
         TS_EINVAL, "order_ref has a character that is not printable ASCII at position 2"},
        {"order_ref with UTF-8", "ordem-\xc3\xa7", "PETR4", TS_ORDER_MARKET, "100", NULL, NULL, 0,
         0, TS_EINVAL, "order_ref has a character that is not printable ASCII at position 7"},
        {"blank order_ref", "   ", "PETR4", TS_ORDER_MARKET, "100", NULL, NULL, 0, 0, TS_EINVAL,
         "order_ref must not be blank"},
        /* refused: symbol and instrument */
        {"unknown symbol", "r1", "XPTO3", TS_ORDER_MARKET, "100", NULL, NULL, 0, true, TS_EINVAL,
         "unknown symbol 'XPTO3'"},
        {"symbol of another instrument", "r1", "VALE3", TS_ORDER_MARKET, "100", NULL, NULL, 0, 0,
         TS_EINVAL, "unknown symbol 'VALE3'"},
        {"lowercase symbol", "r1", "petr4", TS_ORDER_MARKET, "100", NULL, NULL, 0, 0, TS_EINVAL,
         "unknown symbol 'petr4'"},
        {"halted instrument", "r1", "PETR4", TS_ORDER_MARKET, "100", NULL, NULL,
         TS_INSTRUMENT_HALTED, 0, TS_EINVAL, "instrument PETR4 is HALTED, not ACTIVE"},
        {"delisted instrument", "r1", "PETR4", TS_ORDER_MARKET, "100", NULL, NULL,
         TS_INSTRUMENT_DELISTED, 0, TS_EINVAL, "instrument PETR4 is DELISTED, not ACTIVE"},
        {"inactive instrument", "r1", "PETR4", TS_ORDER_MARKET, "100", NULL, NULL,
         TS_INSTRUMENT_INACTIVE, 0, TS_EINVAL, "instrument PETR4 is INACTIVE, not ACTIVE"},
        /* refused: quantity */
        {"zero quantity", "r1", "PETR4", TS_ORDER_MARKET, "0", NULL, NULL, 0, 0, TS_EINVAL,
         "quantity must be > 0, got 0"},
        {"negative quantity", "r1", "PETR4", TS_ORDER_MARKET, "-100", NULL, NULL, 0, 0, TS_EINVAL,
         "quantity must be > 0, got -100"},
        {"quantity off the lot", "r1", "PETR4", TS_ORDER_MARKET, "150", NULL, NULL, 0, 0, TS_EINVAL,
         "quantity 150 is not a multiple of lot size 100"},
        {"fractional quantity", "r1", "PETR4", TS_ORDER_MARKET, "100.5", NULL, NULL, 0, 0,
         TS_EINVAL, "quantity 100.5 is not a multiple of lot size 100"},
        /* refused: prices by type */
        {"limit without price", "r1", "PETR4", TS_ORDER_LIMIT, "100", NULL, NULL, 0, 0, TS_EINVAL,
         "LIMIT order needs a price"},
        {"market with a price", "r1", "PETR4", TS_ORDER_MARKET, "100", "30.00", NULL, 0, 0,
         TS_EINVAL, "MARKET order must not have a price"},
        {"market with a stop price", "r1", "PETR4", TS_ORDER_MARKET, "100", NULL, "30.00", 0, 0,
         TS_EINVAL, "MARKET order must not have a stop_price"},
        {"limit with a stop price", "r1", "PETR4", TS_ORDER_LIMIT, "100", "30.00", "29.00", 0, 0,
         TS_EINVAL, "LIMIT order must not have a stop_price"},
        {"stop without stop price", "r1", "PETR4", TS_ORDER_STOP, "100", NULL, NULL, 0, 0,
         TS_EINVAL, "STOP order needs a stop_price"},
        {"stop with a price", "r1", "PETR4", TS_ORDER_STOP, "100", "30.00", "29.00", 0, 0,
         TS_EINVAL, "STOP order must not have a price"},
        {"stop-limit without price", "r1", "PETR4", TS_ORDER_STOP_LIMIT, "100", NULL, "29.00", 0, 0,
         TS_EINVAL, "STOP_LIMIT order needs a price"},
        {"stop-limit without stop price", "r1", "PETR4", TS_ORDER_STOP_LIMIT, "100", "29.00", NULL,
         0, 0, TS_EINVAL, "STOP_LIMIT order needs a stop_price"},
        {"zero price", "r1", "PETR4", TS_ORDER_LIMIT, "100", "0", NULL, 0, 0, TS_EINVAL,
         "price must be > 0, got 0"},
        {"negative price", "r1", "PETR4", TS_ORDER_LIMIT, "100", "-30.00", NULL, 0, 0, TS_EINVAL,
         "price must be > 0, got -30"},
        {"price off the tick", "r1", "PETR4", TS_ORDER_LIMIT, "100", "30.005", NULL, 0, 0,
         TS_EINVAL, "price 30.005 is not a multiple of tick size 0.01"},
        {"stop price off the tick", "r1", "PETR4", TS_ORDER_STOP, "100", NULL, "29.999", 0, 0,
         TS_EINVAL, "stop_price 29.999 is not a multiple of tick size 0.01"},
        {"zero stop price", "r1", "PETR4", TS_ORDER_STOP_LIMIT, "100", "29.00", "0", 0, 0,
         TS_EINVAL, "stop_price must be > 0, got 0"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct req_case *c = &cases[i];
        struct ts_instrument in = petr4();
        struct ts_order_request r;
        struct ts_err err = TS_ERR_INIT;
        in.status = c->inst_status;
        build_request(c, &r);
        int rc = ts_order_validate(&r, c->no_instrument ? NULL : &in, &err);
        EXPECT(rc == c->want_rc, c->name, "rc %d, want %d (%s)", rc, c->want_rc, err.msg);
        if (c->want_msg) {
            EXPECT(strcmp(err.msg, c->want_msg) == 0, c->name, "message \"%s\"", err.msg);
            EXPECT(err.code == c->want_rc, c->name, "err.code %d", err.code);
        }
    }
    assert_int_equal(failures, 0);
}

static void test_request_needs_an_account_and_a_strategy(void **state)
{
    static const struct req_case c = {
        "market", "r1", "PETR4", TS_ORDER_MARKET, "100", NULL, NULL, 0, 0, 0, NULL};
    struct ts_instrument in = petr4();
    struct ts_order_request r;
    struct ts_err err = TS_ERR_INIT;
    (void)state;

    build_request(&c, &r);
    memset(&r.account_id, 0, sizeof(r.account_id));
    assert_int_equal(ts_order_validate(&r, &in, &err), TS_EINVAL);
    assert_string_equal(err.msg, "account_id is required");
    build_request(&c, &r);
    memset(&r.strategy_id, 0, sizeof(r.strategy_id));
    assert_int_equal(ts_order_validate(&r, &in, &err), TS_EINVAL);
    assert_string_equal(err.msg, "strategy_id is required");
    build_request(&c, &r);
    r.side = (enum ts_side)5;
    assert_int_equal(ts_order_validate(&r, &in, &err), TS_EINVAL);
    assert_string_equal(err.msg, "invalid side 5");
}

static void test_order_init_builds_a_pending_order_from_a_valid_request(void **state)
{
    static const struct req_case c = {
        "stop-limit", "abc-1", "PETR4", TS_ORDER_STOP_LIMIT, "200", "29.40", "29.50", 0, 0, 0,
        NULL};
    struct ts_instrument in = petr4();
    struct ts_order_request r;
    struct ts_order o;
    struct ts_uuid id = U(9);
    struct ts_err err = TS_ERR_INIT;
    (void)state;

    build_request(&c, &r);
    assert_int_equal(ts_order_init(&o, &r, &in, &id, T0, &err), 0);
    assert_memory_equal(&o.id, &id, sizeof(id));
    assert_string_equal(o.order_ref, "abc-1");
    assert_string_equal(o.symbol, "PETR4");
    assert_string_equal(o.exchange, "B3");
    assert_int_equal(o.asset_class, TS_ASSET_STOCK);
    assert_int_equal(o.status, TS_ORDER_PENDING);
    assert_int_equal(o.type, TS_ORDER_STOP_LIMIT);
    assert_true(o.quantity == D("200"));
    assert_true(o.has_price && o.price == D("29.40"));
    assert_true(o.has_stop_price && o.stop_price == D("29.50"));
    assert_true(o.filled_quantity == 0 && o.avg_fill_price == 0);
    assert_true(o.created_at == T0 && o.updated_at == T0 && o.submitted_at == 0);

    /* An invalid request leaves the order untouched. */
    struct ts_order before = o;
    r.quantity = D("150");
    assert_int_equal(ts_order_init(&o, &r, &in, &id, T0 + 1, &err), TS_EINVAL);
    assert_memory_equal(&o, &before, sizeof(o));
}

/* ------------------------------------------------------------------------------------------- */
/* Modification */

static void test_modify_is_checked_against_status_fills_lot_and_tick(void **state)
{
    static const struct {
        const char *name;
        enum ts_order_type type;
        enum ts_order_status status;
        const char *filled;
        const char *qty, *price, *stop; /* NULL = not modified */
        int want_rc;
        const char *want_msg;
    } cases[] = {
        {"raise quantity of a submitted order", TS_ORDER_LIMIT, TS_ORDER_SUBMITTED, "0", "500",
         NULL, NULL, 0, NULL},
        {"lower quantity of a submitted order", TS_ORDER_LIMIT, TS_ORDER_SUBMITTED, "0", "100",
         NULL, NULL, 0, NULL},
        {"change price of a pending order", TS_ORDER_LIMIT, TS_ORDER_PENDING, "0", NULL, "30.50",
         NULL, 0, NULL},
        {"lower quantity just above the filled part", TS_ORDER_LIMIT, TS_ORDER_PARTIAL_FILL, "100",
         "200", NULL, NULL, 0, NULL},
        {"change the stop of a stop-limit", TS_ORDER_STOP_LIMIT, TS_ORDER_SUBMITTED, "0", NULL,
         NULL, "29.10", 0, NULL},
        {"quantity below the filled part", TS_ORDER_LIMIT, TS_ORDER_PARTIAL_FILL, "200", "100",
         NULL, NULL, TS_EINVAL, "quantity 100 must be above the filled quantity 200 of order 'r1'"},
        {"quantity equal to the filled part", TS_ORDER_LIMIT, TS_ORDER_PARTIAL_FILL, "200", "200",
         NULL, NULL, TS_EINVAL, "quantity 200 must be above the filled quantity 200 of order 'r1'"},
        {"quantity off the lot", TS_ORDER_LIMIT, TS_ORDER_SUBMITTED, "0", "250", NULL, NULL,
         TS_EINVAL, "quantity 250 is not a multiple of lot size 100"},
        {"zero quantity", TS_ORDER_LIMIT, TS_ORDER_SUBMITTED, "0", "0", NULL, NULL, TS_EINVAL,
         "quantity must be > 0, got 0"},
        {"price off the tick", TS_ORDER_LIMIT, TS_ORDER_SUBMITTED, "0", NULL, "30.001", NULL,
         TS_EINVAL, "price 30.001 is not a multiple of tick size 0.01"},
        {"price on a market order", TS_ORDER_MARKET, TS_ORDER_SUBMITTED, "0", NULL, "30.00", NULL,
         TS_EINVAL, "MARKET order must not have a price"},
        {"stop on a limit order", TS_ORDER_LIMIT, TS_ORDER_SUBMITTED, "0", NULL, NULL, "30.00",
         TS_EINVAL, "LIMIT order must not have a stop_price"},
        {"nothing to change", TS_ORDER_LIMIT, TS_ORDER_SUBMITTED, "0", NULL, NULL, NULL, TS_EINVAL,
         "modification of order 'r1' changes nothing"},
        {"same values", TS_ORDER_LIMIT, TS_ORDER_SUBMITTED, "0", "300", "30.00", NULL, TS_EINVAL,
         "modification of order 'r1' changes nothing"},
        {"filled order", TS_ORDER_LIMIT, TS_ORDER_FILLED, "300", NULL, "30.10", NULL, TS_ESTATE,
         "cannot modify order 'r1' in status FILLED"},
        {"canceled order", TS_ORDER_LIMIT, TS_ORDER_CANCELED, "0", NULL, "30.10", NULL, TS_ESTATE,
         "cannot modify order 'r1' in status CANCELED"},
        {"rejected order", TS_ORDER_LIMIT, TS_ORDER_REJECTED, "0", "200", NULL, NULL, TS_ESTATE,
         "cannot modify order 'r1' in status REJECTED"},
        {"expired order", TS_ORDER_LIMIT, TS_ORDER_EXPIRED, "0", "200", NULL, NULL, TS_ESTATE,
         "cannot modify order 'r1' in status EXPIRED"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_instrument in = petr4();
        struct ts_order o = working_order("300");
        struct ts_order_modify m = {0};
        struct ts_err err = TS_ERR_INIT;
        o.type = cases[i].type;
        o.has_price = cases[i].type == TS_ORDER_LIMIT || cases[i].type == TS_ORDER_STOP_LIMIT;
        o.price = o.has_price ? D("30.00") : 0;
        o.has_stop_price = cases[i].type == TS_ORDER_STOP_LIMIT;
        o.stop_price = o.has_stop_price ? D("29.00") : 0;
        o.status = cases[i].status;
        o.filled_quantity = D(cases[i].filled);
        o.avg_fill_price = o.filled_quantity > 0 ? D("30.00") : 0;
        m.has_quantity = cases[i].qty != NULL;
        m.quantity = cases[i].qty ? D(cases[i].qty) : 0;
        m.has_price = cases[i].price != NULL;
        m.price = cases[i].price ? D(cases[i].price) : 0;
        m.has_stop_price = cases[i].stop != NULL;
        m.stop_price = cases[i].stop ? D(cases[i].stop) : 0;

        struct ts_order before = o;
        int rc = ts_order_modify(&o, &m, &in, T0 + 50, &err);
        EXPECT(rc == cases[i].want_rc, cases[i].name, "rc %d, want %d (%s)", rc, cases[i].want_rc,
               err.msg);
        if (cases[i].want_msg) {
            EXPECT(strcmp(err.msg, cases[i].want_msg) == 0, cases[i].name, "message \"%s\"",
                   err.msg);
        }
        if (rc != 0) {
            EXPECT(memcmp(&o, &before, sizeof(o)) == 0, cases[i].name, "%s",
                   "a refused modification changed the order");
        } else {
            EXPECT(!m.has_quantity || o.quantity == m.quantity, cases[i].name, "quantity %lld",
                   (long long)o.quantity);
            EXPECT(!m.has_price || o.price == m.price, cases[i].name, "price %lld",
                   (long long)o.price);
            EXPECT(!m.has_stop_price || o.stop_price == m.stop_price, cases[i].name, "stop %lld",
                   (long long)o.stop_price);
            EXPECT(o.updated_at == T0 + 50 && o.status == before.status, cases[i].name,
                   "updated_at %lld", (long long)o.updated_at);
        }
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enum_names_are_the_exact_spellings_of_the_schema),
        cmocka_unit_test(test_anything_but_an_exact_name_is_refused_and_leaves_the_output_alone),
        cmocka_unit_test(test_every_transition_matches_the_expected_matrix),
        cmocka_unit_test(test_illegal_transition_names_both_states_and_changes_nothing),
        cmocka_unit_test(test_transitions_stamp_the_time_of_the_state_they_enter),
        cmocka_unit_test(test_reject_keeps_the_reason_and_truncates_a_long_one),
        cmocka_unit_test(test_fills_accumulate_and_average_price_is_exact_half_even),
        cmocka_unit_test(test_fill_beyond_order_quantity_is_rejected),
        cmocka_unit_test(test_fill_on_an_order_that_is_not_working_is_refused),
        cmocka_unit_test(test_fill_with_non_positive_quantity_or_price_is_refused),
        cmocka_unit_test(test_valid_and_invalid_requests_get_the_expected_answer),
        cmocka_unit_test(test_request_needs_an_account_and_a_strategy),
        cmocka_unit_test(test_order_init_builds_a_pending_order_from_a_valid_request),
        cmocka_unit_test(test_modify_is_checked_against_status_fills_lot_and_tick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
