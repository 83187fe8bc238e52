/*
 * test_position.c - unit tests of src/domain/position.c and the fee
 * schedule of src/domain/instrument.c: average entry price, realized P&L of
 * reductions, flips, fees, unrealized P&L at the mark, rounding to cents,
 * and the daily counters' rollover on the B3 local date.
 *
 * Table-driven; each failing case prints its name and the test fails at the
 * end. Includes the order-manager issue's scenario at the domain level.
 * Does not test persistence of positions (tests/integration does).
 */
#include "domain/position.h"

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

static const char *F(ts_dec v, char buf[TS_DEC_STRLEN])
{
    ts_dec_format_trim(v, buf, TS_DEC_STRLEN);
    return buf;
}

static struct ts_position flat(void)
{
    struct ts_position p;
    struct ts_uuid a = U(1), s = U(2);
    if (ts_position_init(&p, &a, &s, "PETR4", TS_POSITION_SWING) != 0) {
        fail_msg("ts_position_init failed");
    }
    return p;
}

static void test_position_names_are_the_schema_spellings(void **state)
{
    enum ts_position_side side = TS_POSITION_SHORT;
    enum ts_position_status status = TS_POSITION_OPEN;
    (void)state;

    assert_string_equal(ts_position_side_str(TS_POSITION_LONG), "LONG");
    assert_string_equal(ts_position_side_str(TS_POSITION_SHORT), "SHORT");
    assert_string_equal(ts_position_status_str(TS_POSITION_OPEN), "OPEN");
    assert_string_equal(ts_position_status_str(TS_POSITION_CLOSED), "CLOSED");
    assert_int_equal(ts_position_side_parse("LONG", 4, &side), 0);
    assert_int_equal(side, TS_POSITION_LONG);
    assert_int_equal(ts_position_side_parse("long", 4, &side), TS_EINVAL);
    assert_int_equal(ts_position_status_parse("CLOSED", 6, &status), 0);
    assert_int_equal(status, TS_POSITION_CLOSED);
    assert_int_equal(ts_position_status_parse("", 0, &status), TS_EINVAL);
    assert_int_equal(ts_position_status_parse("CLOSING", 7, &status), TS_EINVAL);
}

/* ------------------------------------------------------------------------------------------- */
/* Steps: a fill or a mark, and the position and result after it. */

enum act { FILL, MARK };

struct step {
    enum act act;
    enum ts_side side;
    const char *qty, *price, *fees;
    /* the position after the step */
    enum ts_position_status status;
    enum ts_position_side pside;
    const char *pqty, *avg, *realized, *unrealized;
    /* the result of a fill */
    bool opened, closed, flipped;
    const char *r_realized;      /* result.realized */
    const char *closed_realized; /* closed_row.realized_pnl when closed */
};

/* Runs steps on a flat position; a fill that opens gets id U(100 + step). */
static int run_steps(const char *name, const struct step *steps, size_t n)
{
    struct ts_position p = flat();
    int failures = 0;
    char b1[TS_DEC_STRLEN], b2[TS_DEC_STRLEN];

    for (size_t i = 0; i < n; i++) {
        const struct step *s = &steps[i];
        struct ts_err err = TS_ERR_INIT;
        struct ts_position_fill_result r;
        char sn[128];
        snprintf(sn, sizeof(sn), "%s, step %zu", name, i + 1);
        if (s->act == FILL) {
            struct ts_uuid id = U((uint8_t)(100 + i));
            struct ts_fill f = {s->side, D(s->qty), D(s->price), D(s->fees), LOCAL(0, 11, (int)i)};
            int rc = ts_position_apply_fill(&p, &f, &id, &r, &err);
            EXPECT(rc == 0, sn, "rc %d (%s)", rc, err.msg);
            EXPECT(r.opened == s->opened && r.closed == s->closed && r.flipped == s->flipped, sn,
                   "opened %d closed %d flipped %d", r.opened, r.closed, r.flipped);
            EXPECT(r.realized == D(s->r_realized), sn, "result realized %s, want %s",
                   F(r.realized, b1), s->r_realized);
            if (s->closed) {
                EXPECT(r.closed_row.status == TS_POSITION_CLOSED && r.closed_row.quantity == 0 &&
                           r.closed_row.closed_at == f.time_ns,
                       sn, "closed row status %d qty %lld", r.closed_row.status,
                       (long long)r.closed_row.quantity);
                EXPECT(r.closed_row.realized_pnl == D(s->closed_realized), sn,
                       "closed row realized %s, want %s", F(r.closed_row.realized_pnl, b1),
                       s->closed_realized);
            }
            if (s->opened) {
                EXPECT(memcmp(&p.id, &id, sizeof(id)) == 0 && p.opened_at == f.time_ns, sn, "%s",
                       "opened row has not the new id and time");
            }
        } else {
            int rc = ts_position_mark(&p, D(s->price), &err);
            EXPECT(rc == 0, sn, "mark rc %d (%s)", rc, err.msg);
        }
        EXPECT(p.status == s->status, sn, "status %s", ts_position_status_str(p.status));
        if (s->status == TS_POSITION_OPEN) {
            EXPECT(p.side == s->pside, sn, "side %s", ts_position_side_str(p.side));
        }
        EXPECT(p.quantity == D(s->pqty), sn, "quantity %s, want %s", F(p.quantity, b1), s->pqty);
        EXPECT(p.avg_entry_price == D(s->avg), sn, "avg %s, want %s", F(p.avg_entry_price, b1),
               s->avg);
        EXPECT(p.realized_pnl == D(s->realized), sn, "realized %s, want %s", F(p.realized_pnl, b1),
               s->realized);
        EXPECT(p.unrealized_pnl == D(s->unrealized), sn, "unrealized %s, want %s",
               F(p.unrealized_pnl, b2), s->unrealized);
    }
    return failures;
}

static void test_the_issue_scenario_buy_mark_sell_and_flip(void **state)
{
    /* buy 100 PETR4 @ 30.00; mark 31.00; sell 50 @ 31.00; sell 100 @ 31.00 (flip) */
    static const struct step steps[] = {
        {FILL, TS_SIDE_BUY, "100", "30.00", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "100", "30.00",
         "0", "0", true, false, false, "0", NULL},
        {MARK, 0, NULL, "31.00", NULL, TS_POSITION_OPEN, TS_POSITION_LONG, "100", "30.00", "0",
         "100.00", 0, 0, 0, NULL, NULL},
        {FILL, TS_SIDE_SELL, "50", "31.00", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "50", "30.00",
         "50.00", "50.00", false, false, false, "50.00", NULL},
        {FILL, TS_SIDE_SELL, "100", "31.00", "0", TS_POSITION_OPEN, TS_POSITION_SHORT, "50",
         "31.00", "0", "0", true, true, true, "50.00", "100.00"},
        /* the new short at the same mark: a move down is a gain */
        {MARK, 0, NULL, "30.50", NULL, TS_POSITION_OPEN, TS_POSITION_SHORT, "50", "31.00", "0",
         "25.00", 0, 0, 0, NULL, NULL},
    };
    (void)state;
    assert_int_equal(run_steps("issue scenario", steps, sizeof(steps) / sizeof(steps[0])), 0);
}

static void test_average_entry_price_and_realized_pnl_follow_each_fill(void **state)
{
    static const struct {
        const char *name;
        struct step steps[4];
    } cases[] = {
        {"raise at two prices averages exactly",
         {{FILL, TS_SIDE_BUY, "100", "30.00", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "100",
           "30.00", "0", "0", true, false, false, "0", NULL},
          {FILL, TS_SIDE_BUY, "50", "30.03", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "150",
           "30.01", "0", "0", false, false, false, "0", NULL}}},
        {"average rounds half-even to 8 places",
         {{FILL, TS_SIDE_BUY, "1", "10.00", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "1", "10.00",
           "0", "0", true, false, false, "0", NULL},
          {FILL, TS_SIDE_BUY, "2", "10.01", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "3",
           "10.00666667", "0", "0", false, false, false, "0", NULL}}},
        {"short reduced at a gain then closed at a loss",
         {{FILL, TS_SIDE_SELL, "100", "30.00", "0", TS_POSITION_OPEN, TS_POSITION_SHORT, "100",
           "30.00", "0", "0", true, false, false, "0", NULL},
          {FILL, TS_SIDE_BUY, "40", "29.50", "0", TS_POSITION_OPEN, TS_POSITION_SHORT, "60",
           "30.00", "20.00", "0", false, false, false, "20.00", NULL},
          {FILL, TS_SIDE_BUY, "60", "30.10", "0", TS_POSITION_CLOSED, TS_POSITION_SHORT, "0",
           "30.00", "14.00", "0", false, true, false, "-6.00", "14.00"}}},
        {"long closed exactly, then reopened as a new row",
         {{FILL, TS_SIDE_BUY, "100", "30.00", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "100",
           "30.00", "0", "0", true, false, false, "0", NULL},
          {FILL, TS_SIDE_SELL, "100", "29.00", "0", TS_POSITION_CLOSED, TS_POSITION_LONG, "0",
           "30.00", "-100.00", "0", false, true, false, "-100.00", "-100.00"},
          {FILL, TS_SIDE_SELL, "10", "29.00", "0", TS_POSITION_OPEN, TS_POSITION_SHORT, "10",
           "29.00", "0", "0", true, false, false, "0", NULL}}},
        {"half a cent of P&L rounds to even (zero)",
         {{FILL, TS_SIDE_BUY, "1", "10.00", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "1", "10.00",
           "0", "0", true, false, false, "0", NULL},
          {FILL, TS_SIDE_SELL, "1", "10.005", "0", TS_POSITION_CLOSED, TS_POSITION_LONG, "0",
           "10.00", "0", "0", false, true, false, "0", "0"}}},
        {"one and a half cents of P&L rounds to even (two)",
         {{FILL, TS_SIDE_BUY, "1", "10.00", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "1", "10.00",
           "0", "0", true, false, false, "0", NULL},
          {FILL, TS_SIDE_SELL, "1", "10.015", "0", TS_POSITION_CLOSED, TS_POSITION_LONG, "0",
           "10.00", "0.02", "0", false, true, false, "0.02", "0.02"}}},
        {"a loss of one and a half cents rounds to even (minus two)",
         {{FILL, TS_SIDE_BUY, "1", "10.00", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "1", "10.00",
           "0", "0", true, false, false, "0", NULL},
          {FILL, TS_SIDE_SELL, "1", "9.985", "0", TS_POSITION_CLOSED, TS_POSITION_LONG, "0",
           "10.00", "-0.02", "0", false, true, false, "-0.02", "-0.02"}}},
        {"mark rounds unrealized half-even to cents",
         {{FILL, TS_SIDE_BUY, "3", "10.00", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "3", "10.00",
           "0", "0", true, false, false, "0", NULL},
          {MARK, 0, NULL, "10.005", NULL, TS_POSITION_OPEN, TS_POSITION_LONG, "3", "10.00", "0",
           "0.02", 0, 0, 0, NULL, NULL},
          {MARK, 0, NULL, "10.001", NULL, TS_POSITION_OPEN, TS_POSITION_LONG, "3", "10.00", "0",
           "0", 0, 0, 0, NULL, NULL},
          {MARK, 0, NULL, "9.00", NULL, TS_POSITION_OPEN, TS_POSITION_LONG, "3", "10.00", "0",
           "-3.00", 0, 0, 0, NULL, NULL}}},
        {"a raise is valued at the last mark",
         {{MARK, 0, NULL, "31.00", NULL, TS_POSITION_CLOSED, TS_POSITION_LONG, "0", "0", "0", "0",
           0, 0, 0, NULL, NULL},
          {FILL, TS_SIDE_BUY, "100", "30.00", "0", TS_POSITION_OPEN, TS_POSITION_LONG, "100",
           "30.00", "0", "100.00", true, false, false, "0", NULL}}},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = 0;
        while (n < 4 && (cases[i].steps[n].qty || cases[i].steps[n].act == MARK) &&
               cases[i].steps[n].price) {
            n++;
        }
        failures += run_steps(cases[i].name, cases[i].steps, n);
    }
    assert_int_equal(failures, 0);
}

static void test_fees_reduce_realized_pnl_exactly(void **state)
{
    static const struct step steps[] = {
        /* opening fees are realized at once, not folded into the entry price */
        {FILL, TS_SIDE_BUY, "100", "30.00", "1.23", TS_POSITION_OPEN, TS_POSITION_LONG, "100",
         "30.00", "-1.23", "0", true, false, false, "-1.23", NULL},
        {FILL, TS_SIDE_BUY, "100", "30.00", "0.77", TS_POSITION_OPEN, TS_POSITION_LONG, "200",
         "30.00", "-2.00", "0", false, false, false, "-0.77", NULL},
        {FILL, TS_SIDE_SELL, "200", "31.00", "1.24", TS_POSITION_CLOSED, TS_POSITION_LONG, "0",
         "30.00", "196.76", "0", false, true, false, "198.76", "196.76"},
    };
    (void)state;
    assert_int_equal(run_steps("fees", steps, sizeof(steps) / sizeof(steps[0])), 0);
}

static void test_flip_splits_fees_by_quantity_and_the_parts_sum_to_the_fee(void **state)
{
    static const struct {
        const char *name;
        const char *pos_qty, *fill_qty, *fees;
        const char *want_closed, *want_opened;
    } cases[] = {
        {"a third of a real", "100", "300", "1.00", "0.33", "0.67"},
        {"half of three cents rounds to even (two)", "50", "100", "0.03", "0.02", "0.01"},
        {"half of one cent rounds to even (zero)", "50", "100", "0.01", "0.00", "0.01"},
        {"no fees", "100", "150", "0", "0", "0"},
        {"almost all to the closed leg", "999", "1000", "10.00", "9.99", "0.01"},
    };
    int failures = 0;
    char b1[TS_DEC_STRLEN], b2[TS_DEC_STRLEN];
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_position p = flat();
        struct ts_position_fill_result r;
        struct ts_err err = TS_ERR_INIT;
        struct ts_uuid id1 = U(10), id2 = U(11);
        struct ts_fill buy = {TS_SIDE_BUY, D(cases[i].pos_qty), D("30.00"), 0, LOCAL(0, 11, 0)};
        struct ts_fill sell = {TS_SIDE_SELL, D(cases[i].fill_qty), D("30.00"), D(cases[i].fees),
                               LOCAL(0, 12, 0)};
        int rc = ts_position_apply_fill(&p, &buy, &id1, &r, &err);
        EXPECT(rc == 0, cases[i].name, "open rc %d", rc);
        rc = ts_position_apply_fill(&p, &sell, &id2, &r, &err);
        EXPECT(rc == 0 && r.flipped, cases[i].name, "flip rc %d flipped %d", rc, r.flipped);
        EXPECT(r.fees_closed == D(cases[i].want_closed), cases[i].name, "closed share %s",
               F(r.fees_closed, b1));
        EXPECT(r.fees_opened == D(cases[i].want_opened), cases[i].name, "opened share %s",
               F(r.fees_opened, b2));
        EXPECT(r.fees_closed + r.fees_opened == D(cases[i].fees), cases[i].name, "%s",
               "shares do not sum to the fee");
        EXPECT(r.closed_row.realized_pnl == -r.fees_closed, cases[i].name, "closed row realized %s",
               F(r.closed_row.realized_pnl, b1));
        EXPECT(p.realized_pnl == -r.fees_opened, cases[i].name, "new row realized %s",
               F(p.realized_pnl, b1));
        EXPECT(r.realized == -D(cases[i].fees), cases[i].name, "fill realized %s",
               F(r.realized, b1));
        EXPECT(memcmp(&r.closed_row.id, &id1, sizeof(id1)) == 0 &&
                   memcmp(&p.id, &id2, sizeof(id2)) == 0,
               cases[i].name, "%s", "row ids");
    }
    assert_int_equal(failures, 0);
}

static void test_invalid_fills_are_refused_and_leave_the_position_untouched(void **state)
{
    static const struct {
        const char *name;
        struct ts_fill fill;
        bool no_id;
        int want;
    } cases[] = {
        {"zero quantity", {TS_SIDE_BUY, 0, TS_DEC_C(30), 0, 1}, false, TS_EINVAL},
        {"negative quantity", {TS_SIDE_BUY, -TS_DEC_C(1), TS_DEC_C(30), 0, 1}, false, TS_EINVAL},
        {"zero price", {TS_SIDE_BUY, TS_DEC_C(1), 0, 0, 1}, false, TS_EINVAL},
        {"negative fees",
         {TS_SIDE_BUY, TS_DEC_C(1), TS_DEC_C(30), -TS_DEC_C(1), 1},
         false,
         TS_EINVAL},
        {"fees in fractions of a cent",
         {TS_SIDE_BUY, TS_DEC_C(1), TS_DEC_C(30), 100000, 1},
         false,
         TS_EINVAL},
        {"unknown side", {(enum ts_side)7, TS_DEC_C(1), TS_DEC_C(30), 0, 1}, false, TS_EINVAL},
        {"a flip without an id for the new row",
         {TS_SIDE_SELL, TS_DEC_C(200), TS_DEC_C(30), 0, 1},
         true,
         TS_EINVAL},
        {"a raise beyond DECIMAL(18,8)",
         {TS_SIDE_BUY, TS_DEC_MAX, TS_DEC_C(30), 0, 1},
         false,
         TS_ERANGE},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_position p = flat();
        struct ts_position_fill_result r;
        struct ts_err err = TS_ERR_INIT;
        struct ts_uuid id = U(5);
        struct ts_fill open = {TS_SIDE_BUY, TS_DEC_C(100), TS_DEC_C(30), 0, 1};
        if (ts_position_apply_fill(&p, &open, &id, &r, &err) != 0) {
            fail_msg("opening fill failed: %s", err.msg);
        }
        struct ts_position before = p;
        static unsigned char pattern[sizeof(r)];
        memset(pattern, 0x5a, sizeof(pattern));
        memcpy(&r, pattern, sizeof(r));
        int rc = ts_position_apply_fill(&p, &cases[i].fill, cases[i].no_id ? NULL : &id, &r, &err);
        EXPECT(rc == cases[i].want, cases[i].name, "rc %d (%s)", rc, err.msg);
        EXPECT(memcmp(&p, &before, sizeof(p)) == 0, cases[i].name, "%s", "position changed");
        EXPECT(memcmp(&r, pattern, sizeof(r)) == 0, cases[i].name, "%s",
               "result written on failure");
    }
    struct ts_position p = flat();
    struct ts_err err = TS_ERR_INIT;
    assert_int_equal(ts_position_mark(&p, 0, &err), TS_EINVAL);
    assert_int_equal(ts_position_mark(&p, D("31.00"), &err), 0);
    assert_true(p.unrealized_pnl == 0 && p.mark_price == D("31.00"));
    struct ts_uuid a = U(1), s = U(2);
    assert_int_equal(ts_position_init(&p, &a, &s, "", TS_POSITION_SWING), TS_EINVAL);
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------------------------------- */
/* Fees */

static void test_fees_are_exact_and_rounded_once_half_even_to_cents(void **state)
{
    static const struct {
        const char *name;
        const char *fixed, *per_unit, *rate, *tax_per_unit, *tax_rate;
        const char *qty, *price;
        const char *commission, *tax, *total;
    } cases[] = {
        {"B3 emolumentos on 100 x 30.00", "0", "0", "0", "0", "0.00005", "100", "30.00", "0",
         "0.15", "0.15"},
        {"half a cent rounds to even (zero)", "0", "0", "0", "0", "0.00005", "1", "100.00", "0",
         "0", "0"},
        {"one and a half cents rounds to even (two)", "0", "0", "0", "0", "0.00005", "1", "300.00",
         "0", "0.02", "0.02"},
        {"just above half a cent rounds up", "0", "0", "0", "0", "0.00005", "1", "100.02", "0",
         "0.01", "0.01"},
        {"flat fee plus 5 bps, and emolumentos", "4.90", "0", "0.0005", "0", "0.00005", "333",
         "12.34", "6.95", "0.21", "7.16"},
        {"mini-index future per contract", "0", "0.50", "0", "0.25", "0", "10", "120000", "5.00",
         "2.50", "7.50"},
        {"terms are summed before the one rounding", "0.006", "0.006", "0", "0", "0", "1", "1",
         "0.01", "0", "0.01"},
        {"no fees", "0", "0", "0", "0", "0", "100", "30.00", "0", "0", "0"},
    };
    int failures = 0;
    char b1[TS_DEC_STRLEN], b2[TS_DEC_STRLEN], b3[TS_DEC_STRLEN];
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_instrument in;
        struct ts_fees f;
        struct ts_err err = TS_ERR_INIT;
        if (ts_instrument_init(&in, "PETR4") != 0) {
            fail_msg("instrument init");
        }
        in.fees.commission_fixed = D(cases[i].fixed);
        in.fees.commission_per_unit = D(cases[i].per_unit);
        in.fees.commission_rate = D(cases[i].rate);
        in.fees.tax_per_unit = D(cases[i].tax_per_unit);
        in.fees.tax_rate = D(cases[i].tax_rate);
        EXPECT(ts_instrument_check(&in, &err) == 0, cases[i].name, "check: %s", err.msg);
        int rc = ts_instrument_compute_fees(&in, D(cases[i].qty), D(cases[i].price), &f, &err);
        EXPECT(rc == 0, cases[i].name, "rc %d (%s)", rc, err.msg);
        EXPECT(f.commission == D(cases[i].commission) && f.tax == D(cases[i].tax) &&
                   f.total == D(cases[i].total),
               cases[i].name, "commission %s tax %s total %s", F(f.commission, b1), F(f.tax, b2),
               F(f.total, b3));
    }
    assert_int_equal(failures, 0);
}

static void test_bad_fee_schedules_and_inputs_are_refused(void **state)
{
    static const struct {
        const char *name;
        const char *rate, *per_unit, *qty, *price;
        int want;
    } cases[] = {
        {"rate above one", "1.5", "0", "1", "1", TS_EINVAL},
        {"negative per-unit fee", "0", "-0.01", "1", "1", TS_EINVAL},
        {"zero quantity", "0", "0", "0", "1", TS_EINVAL},
        {"negative price", "0", "0", "1", "-1", TS_EINVAL},
        {"traded value beyond DECIMAL(18,8)", "0", "0", "1000000", "1000000", TS_ERANGE},
        {"per-unit fee beyond DECIMAL(18,8)", "0", "100000", "1000000", "1", TS_ERANGE},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_instrument in;
        struct ts_fees f = {1, 2, 3};
        struct ts_err err = TS_ERR_INIT;
        if (ts_instrument_init(&in, "WINZ26") != 0) {
            fail_msg("instrument init");
        }
        in.fees.commission_rate = D(cases[i].rate);
        in.fees.commission_per_unit = D(cases[i].per_unit);
        int rc = ts_instrument_compute_fees(&in, D(cases[i].qty), D(cases[i].price), &f, &err);
        EXPECT(rc == cases[i].want, cases[i].name, "rc %d (%s)", rc, err.msg);
        EXPECT(f.commission == 1 && f.tax == 2 && f.total == 3, cases[i].name, "%s",
               "output written on failure");
    }
    assert_int_equal(failures, 0);
}

static void test_instrument_check_refuses_broken_sessions_and_sizes(void **state)
{
    static const struct {
        const char *name;
        int open, close;
        const char *lot, *tick;
        bool ok;
    } cases[] = {
        {"B3 equities session", 600, 1075, "100", "0.01", true},
        {"round the clock", 0, 1440, "0.00000001", "0.01", true},
        {"close before open", 1000, 600, "1", "0.01", false},
        {"empty session", 600, 600, "1", "0.01", false},
        {"close after midnight", 600, 1441, "1", "0.01", false},
        {"negative open", -1, 600, "1", "0.01", false},
        {"zero lot", 600, 1020, "0", "0.01", false},
        {"negative tick", 600, 1020, "1", "-0.01", false},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_instrument in;
        struct ts_err err = TS_ERR_INIT;
        if (ts_instrument_init(&in, "PETR4") != 0) {
            fail_msg("instrument init");
        }
        in.open_minute = cases[i].open;
        in.close_minute = cases[i].close;
        in.lot_size = D(cases[i].lot);
        in.tick_size = D(cases[i].tick);
        int rc = ts_instrument_check(&in, &err);
        EXPECT((rc == 0) == cases[i].ok, cases[i].name, "rc %d (%s)", rc, err.msg);
    }
    struct ts_instrument in;
    assert_int_equal(ts_instrument_init(&in, "PETR 4"), TS_EINVAL);
    assert_int_equal(ts_instrument_init(&in, ""), TS_EINVAL);
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------------------------------- */
/* Daily counters */

static void test_day_rollover_resets_counters_on_the_b3_local_date(void **state)
{
    static const struct {
        const char *name;
        int64_t t;
        const char *realized;
        int32_t want_day;
        const char *want_realized;
        int64_t want_trades;
    } steps[] = {
        {"first fill of Tuesday", LOCAL(0, 10, 5), "-100.00", 20261124, "-100.00", 1},
        {"UTC midnight is 21:00 local: same day", LOCAL(0, 21, 30), "-50.00", 20261124, "-150.00",
         2},
        {"23:59 local: same day", LOCAL(0, 23, 59), "10.00", 20261124, "-140.00", 3},
        {"00:00 local Wednesday: a new day", LOCAL(1, 0, 0), "5.00", 20261125, "5.00", 1},
        {"a late report of Tuesday does not count", LOCAL(0, 16, 0), "-999.00", 20261125, "5.00",
         1},
        {"Wednesday goes on", LOCAL(1, 10, 0), "-0.01", 20261125, "4.99", 2},
    };
    struct ts_daily_stats st, view;
    int failures = 0;
    char b[TS_DEC_STRLEN];
    (void)state;

    ts_daily_stats_init(&st);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        int rc = ts_daily_stats_add_fill(&st, steps[i].t, D(steps[i].realized));
        EXPECT(rc == 0, steps[i].name, "rc %d", rc);
        EXPECT(st.day == steps[i].want_day, steps[i].name, "day %d", (int)st.day);
        EXPECT(st.realized_pnl == D(steps[i].want_realized), steps[i].name, "realized %s",
               F(st.realized_pnl, b));
        EXPECT(st.trades == steps[i].want_trades, steps[i].name, "trades %lld",
               (long long)st.trades);
    }
    assert_int_equal(ts_daily_stats_add_order(&st, LOCAL(1, 11, 0)), 0);
    assert_int_equal(st.orders, 1);
    /* Seen from Wednesday the counters stand; from Thursday they are zero. */
    assert_int_equal(ts_daily_stats_view(&st, LOCAL(1, 17, 0), &view), 0);
    assert_true(view.realized_pnl == D("4.99") && view.trades == 2 && view.orders == 1);
    assert_int_equal(ts_daily_stats_view(&st, LOCAL(2, 9, 0), &view), 0);
    assert_true(view.day == 20261126 && view.realized_pnl == 0 && view.trades == 0 &&
                view.orders == 0);
    /* A non-cent amount is refused. */
    assert_int_equal(ts_daily_stats_add_fill(&st, LOCAL(1, 12, 0), 1), TS_EINVAL);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_position_names_are_the_schema_spellings),
        cmocka_unit_test(test_the_issue_scenario_buy_mark_sell_and_flip),
        cmocka_unit_test(test_average_entry_price_and_realized_pnl_follow_each_fill),
        cmocka_unit_test(test_fees_reduce_realized_pnl_exactly),
        cmocka_unit_test(test_flip_splits_fees_by_quantity_and_the_parts_sum_to_the_fee),
        cmocka_unit_test(test_invalid_fills_are_refused_and_leave_the_position_untouched),
        cmocka_unit_test(test_fees_are_exact_and_rounded_once_half_even_to_cents),
        cmocka_unit_test(test_bad_fee_schedules_and_inputs_are_refused),
        cmocka_unit_test(test_instrument_check_refuses_broken_sessions_and_sizes),
        cmocka_unit_test(test_day_rollover_resets_counters_on_the_b3_local_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
