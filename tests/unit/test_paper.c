/*
 * test_paper.c - unit tests of the paper venue's matching rule, ts_paper_match()
 * (src/venue/paper.c; the rules in venue.h and docs/api.md "Paper venue"): LIMIT
 * at, through and beyond its price on both sides, MARKET at the tick, STOP and
 * STOP_LIMIT triggering (ts_paper_triggers(): on which tick, whatever volume is
 * left, staying triggered across ticks, and a stop that comes in triggered as the
 * order manager rebuilds it after a restart), partial fills, and several orders
 * sharing one tick's volume in time priority.
 *
 * Table-driven: each case is a book of orders (oldest first) and a tape of ticks,
 * run through the loop the order manager runs for each tick (src/oms/fills.c,
 * ts_oms__ticks(): avail starts at the tick's volume; each order not yet triggered
 * is asked whether the tick triggers it, then matched while volume is left; each
 * fill is applied to its order with ts_order_apply_fill() and taken from avail);
 * the case lists every fill it wants, in order, and the tick that triggered each
 * stop. The loop is re-written here because the order manager's is not exported.
 * Does not test trades, positions or the database (tests/integration/test_oms.c
 * and tests/cli/test_oms.sh do).
 */
#include "venue/venue.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"

#define MAX_ORDERS 4
#define MAX_TICKS 4
#define MAX_FILLS 8
#define T0 LOCAL(0, 10, 30)

#define BUY TS_SIDE_BUY
#define SELL TS_SIDE_SELL
/*
 * The orders of a case's book (struct order_spec); LIMIT_FILLED has `filled` filled
 * already; STOP_LIMIT_TRIGGERED triggered before the tape (as loaded after a restart).
 */
/* clang-format off */
#define MARKET(side, qty) {side, TS_ORDER_MARKET, qty, NULL, NULL, NULL, false}
#define LIMIT(side, qty, price) {side, TS_ORDER_LIMIT, qty, price, NULL, NULL, false}
#define LIMIT_FILLED(side, qty, price, filled) {side, TS_ORDER_LIMIT, qty, price, NULL, filled, false}
#define STOP(side, qty, stop) {side, TS_ORDER_STOP, qty, NULL, stop, NULL, false}
#define STOP_LIMIT(side, qty, price, stop) {side, TS_ORDER_STOP_LIMIT, qty, price, stop, NULL, false}
#define STOP_TRIGGERED(side, qty, stop) {side, TS_ORDER_STOP, qty, NULL, stop, NULL, true}
#define STOP_LIMIT_TRIGGERED(side, qty, price, stop) \
    {side, TS_ORDER_STOP_LIMIT, qty, price, stop, NULL, true}
/* clang-format on */
/* paper_case.triggered_by: the tick (0-based) that triggered an order; 0 there means never. */
#define ON_TICK(k) ((k) + 1)

struct order_spec {
    enum ts_side side;
    enum ts_order_type type;
    const char *qty;    /* NULL ends the book */
    const char *price;  /* LIMIT and STOP_LIMIT */
    const char *stop;   /* STOP and STOP_LIMIT */
    const char *filled; /* quantity already filled before the tape; NULL: none */
    bool triggered;     /* a stop that triggered before the tape */
};

struct tick_spec {
    const char *price; /* NULL ends the tape */
    const char *volume;
};

struct fill_spec {
    int tick, order;
    const char *qty; /* NULL ends the list */
    const char *price;
};

struct paper_case {
    const char *name;                     /* what the case shows, as a sentence */
    struct order_spec orders[MAX_ORDERS]; /* oldest first: time priority */
    struct tick_spec ticks[MAX_TICKS];
    struct fill_spec fills[MAX_FILLS]; /* every fill, in the order they happen; none: no fill */
    int triggered_by[MAX_ORDERS];      /* ON_TICK(k): tick k triggered the order; 0: no tick did */
};

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

/* A SUBMITTED order built from spec through ts_order_init(), so that it is a valid one. */
static struct ts_order make_order(const char *name, int k, const struct order_spec *s)
{
    struct ts_instrument in = petr4();
    struct ts_order_request r;
    struct ts_order o;
    struct ts_err err = TS_ERR_INIT;
    char ref[16];
    struct ts_uuid id = U((uint8_t)(0x40 + k));

    snprintf(ref, sizeof(ref), "r%d", k);
    memset(&r, 0, sizeof(r));
    r.order_ref = ref;
    r.order_ref_len = strlen(ref);
    r.account_id = U(1);
    r.strategy_id = U(2);
    r.symbol = "PETR4";
    r.symbol_len = 5;
    r.side = s->side;
    r.type = s->type;
    r.tif = TS_TIF_DAY;
    r.position_type = TS_POSITION_SWING;
    r.quantity = D(s->qty);
    r.has_price = s->price != NULL;
    r.price = s->price ? D(s->price) : 0;
    r.has_stop_price = s->stop != NULL;
    r.stop_price = s->stop ? D(s->stop) : 0;
    if (ts_order_init(&o, &r, &in, &id, T0 + k, &err) != 0 ||
        ts_order_transition(&o, TS_ORDER_SUBMITTED, T0 + k, &err) != 0) {
        fail_msg("case \"%s\": order %d is not a valid order: %s", name, k, err.msg);
    }
    if (s->filled &&
        ts_order_apply_fill(&o, D(s->filled), o.has_price ? o.price : D("10"), T0 + k, &err) != 0) {
        fail_msg("case \"%s\": order %d: cannot pre-fill %s: %s", name, k, s->filled, err.msg);
    }
    return o;
}

static struct ts_tick make_tick(int k, const struct tick_spec *s)
{
    struct ts_tick t;
    memset(&t, 0, sizeof(t));
    memcpy(t.symbol, "PETR4", 6);
    t.price = D(s->price);
    t.volume = D(s->volume);
    t.time_ns = T0 + (k + 1) * NS;
    t.trade_id = 1000 + k;
    t.aggressor = 2;
    return t;
}

static const char *dec_str(ts_dec v, char buf[TS_DEC_STRLEN])
{
    ts_dec_format_trim(v, buf, TS_DEC_STRLEN);
    return buf;
}

static const struct paper_case paper_cases[] = {
    /* LIMIT, both sides: at, through and beyond the price */
    {
        "BUY LIMIT fills at its price on a tick at the limit",
        .orders = {LIMIT(BUY, "100", "10.00")},
        .ticks = {{"10.00", "500"}},
        .fills = {{0, 0, "100", "10.00"}},
    },
    {
        "BUY LIMIT fills at the limit, not the tick, on a tick through it",
        .orders = {LIMIT(BUY, "100", "10.00")},
        .ticks = {{"9.90", "500"}},
        .fills = {{0, 0, "100", "10.00"}},
    },
    {
        "BUY LIMIT does not fill on a tick one cent above the limit",
        .orders = {LIMIT(BUY, "100", "10.00")},
        .ticks = {{"10.01", "500"}},
    },
    {
        "SELL LIMIT fills at its price on a tick at the limit",
        .orders = {LIMIT(SELL, "100", "10.00")},
        .ticks = {{"10.00", "500"}},
        .fills = {{0, 0, "100", "10.00"}},
    },
    {
        "SELL LIMIT filled by a tick through its price fills at the limit",
        .orders = {LIMIT(SELL, "200", "10.00")},
        .ticks = {{"10.25", "500"}},
        .fills = {{0, 0, "200", "10.00"}},
    },
    {
        "SELL LIMIT does not fill on a tick one cent below the limit",
        .orders = {LIMIT(SELL, "100", "10.00")},
        .ticks = {{"9.99", "500"}},
    },
    {
        "LIMIT rests through ticks beyond its price and fills on the first one at it",
        .orders = {LIMIT(BUY, "100", "10.00")},
        .ticks = {{"10.05", "500"}, {"10.02", "500"}, {"10.00", "500"}, {"9.95", "500"}},
        .fills = {{2, 0, "100", "10.00"}},
    },

    /* partial fills and time priority */
    {
        "LIMIT fills partially when the tick's volume is below the remaining quantity",
        .orders = {LIMIT(BUY, "500", "10.00")},
        .ticks = {{"10.00", "200"}, {"10.00", "1000"}},
        .fills = {{0, 0, "200", "10.00"}, {1, 0, "300", "10.00"}},
    },
    {
        "an order filled before the tape fills only its remaining quantity",
        .orders = {LIMIT_FILLED(SELL, "500", "10.00", "300")},
        .ticks = {{"10.00", "1000"}},
        .fills = {{0, 0, "200", "10.00"}},
    },
    {
        "three orders share one tick's volume oldest first, the last filling partially",
        .orders = {LIMIT(BUY, "300", "10.00"), LIMIT(BUY, "300", "10.00"),
                   LIMIT(BUY, "300", "10.00")},
        .ticks = {{"10.00", "700"}, {"10.00", "500"}},
        .fills = {{0, 0, "300", "10.00"},
                  {0, 1, "300", "10.00"},
                  {0, 2, "100", "10.00"},
                  {1, 2, "200", "10.00"}},
    },
    {
        "the oldest order takes all of a print smaller than its quantity",
        .orders = {LIMIT(BUY, "500", "10.00"), LIMIT(BUY, "500", "10.00")},
        .ticks = {{"10.00", "200"}},
        .fills = {{0, 0, "200", "10.00"}},
    },
    {
        "an older order beyond the tick takes no volume from a younger one at it",
        .orders = {LIMIT(BUY, "300", "9.00"), LIMIT(BUY, "300", "10.00")},
        .ticks = {{"10.00", "100"}},
        .fills = {{0, 1, "100", "10.00"}},
    },
    {
        "a filled order takes no volume from later ticks",
        .orders = {LIMIT(BUY, "100", "10.00"), LIMIT(BUY, "300", "10.00")},
        .ticks = {{"10.00", "100"}, {"10.00", "1000"}},
        .fills = {{0, 0, "100", "10.00"}, {1, 1, "300", "10.00"}},
    },

    /* MARKET */
    {
        "BUY MARKET fills in full at the tick's price",
        .orders = {MARKET(BUY, "100")},
        .ticks = {{"12.34", "1000"}},
        .fills = {{0, 0, "100", "12.34"}},
    },
    {
        "SELL MARKET fills in full at the tick's price",
        .orders = {MARKET(SELL, "300")},
        .ticks = {{"7.01", "300"}},
        .fills = {{0, 0, "300", "7.01"}},
    },
    {
        "MARKET fills partially, then the rest at the next tick's price",
        .orders = {MARKET(BUY, "500")},
        .ticks = {{"12.34", "200"}, {"12.40", "1000"}},
        .fills = {{0, 0, "200", "12.34"}, {1, 0, "300", "12.40"}},
    },

    /* STOP */
    {
        "BUY STOP waits below its stop, then triggers at it and fills at the tick",
        .orders = {STOP(BUY, "100", "10.50")},
        .ticks = {{"10.49", "500"}, {"10.50", "500"}},
        .fills = {{1, 0, "100", "10.50"}},
        .triggered_by = {ON_TICK(1)},
    },
    {
        "BUY STOP triggered through its stop fills at the tick's price",
        .orders = {STOP(BUY, "100", "10.50")},
        .ticks = {{"10.60", "500"}},
        .fills = {{0, 0, "100", "10.60"}},
        .triggered_by = {ON_TICK(0)},
    },
    {
        "BUY STOP below its stop never triggers",
        .orders = {STOP(BUY, "100", "10.50")},
        .ticks = {{"10.49", "500"}, {"9.00", "500"}},
    },
    {
        "SELL STOP waits above its stop, then triggers through it and fills at the tick",
        .orders = {STOP(SELL, "100", "9.50")},
        .ticks = {{"9.51", "500"}, {"9.40", "500"}},
        .fills = {{1, 0, "100", "9.40"}},
        .triggered_by = {ON_TICK(1)},
    },
    {
        "SELL STOP triggers at its stop",
        .orders = {STOP(SELL, "100", "9.50")},
        .ticks = {{"9.50", "500"}},
        .fills = {{0, 0, "100", "9.50"}},
        .triggered_by = {ON_TICK(0)},
    },
    {
        "SELL STOP above its stop never triggers",
        .orders = {STOP(SELL, "100", "9.50")},
        .ticks = {{"9.51", "500"}, {"12.00", "500"}},
    },
    {
        "a triggered STOP stays a MARKET order when the price goes back",
        .orders = {STOP(BUY, "500", "10.50")},
        .ticks = {{"10.50", "200"}, {"10.20", "1000"}},
        .fills = {{0, 0, "200", "10.50"}, {1, 0, "300", "10.20"}},
        .triggered_by = {ON_TICK(0)},
    },

    /* STOP_LIMIT */
    {
        "BUY STOP_LIMIT triggers and cannot fill, then fills at its limit on a later tick",
        .orders = {STOP_LIMIT(BUY, "100", "10.40", "10.50")},
        .ticks = {{"10.50", "500"}, {"10.45", "500"}, {"10.40", "500"}},
        .fills = {{2, 0, "100", "10.40"}},
        .triggered_by = {ON_TICK(0)},
    },
    {
        "BUY STOP_LIMIT that never triggered does not fill at its limit",
        .orders = {STOP_LIMIT(BUY, "100", "10.40", "10.50")},
        .ticks = {{"10.40", "500"}, {"10.30", "500"}},
    },
    {
        "SELL STOP_LIMIT triggers and cannot fill, then fills at its limit on a later tick",
        .orders = {STOP_LIMIT(SELL, "100", "9.60", "9.50")},
        .ticks = {{"9.50", "500"}, {"9.60", "500"}},
        .fills = {{1, 0, "100", "9.60"}},
        .triggered_by = {ON_TICK(0)},
    },
    {
        "BUY STOP_LIMIT triggered by a tick within its limit fills at the limit on that tick",
        .orders = {STOP_LIMIT(BUY, "100", "10.60", "10.50")},
        .ticks = {{"10.55", "500"}},
        .fills = {{0, 0, "100", "10.60"}},
        .triggered_by = {ON_TICK(0)},
    },
    {
        "a STOP takes no volume before it triggers; the LIMIT behind it does",
        .orders = {STOP(BUY, "300", "10.50"), LIMIT(BUY, "300", "10.00")},
        .ticks = {{"10.00", "400"}, {"10.50", "400"}},
        .fills = {{0, 1, "300", "10.00"}, {1, 0, "300", "10.50"}},
        .triggered_by = {ON_TICK(1), 0},
    },
    {
        "a stop behind an order that took the whole print still triggers on that print",
        .orders = {LIMIT(BUY, "300", "10.50"), STOP_LIMIT(BUY, "300", "10.50", "10.50")},
        .ticks = {{"10.50", "300"}, {"10.45", "300"}},
        .fills = {{0, 0, "300", "10.50"}, {1, 1, "300", "10.50"}},
        .triggered_by = {0, ON_TICK(0)},
    },
    {
        "a SELL STOP behind a print taken whole triggers on it and fills on the next tick",
        .orders = {LIMIT(SELL, "100", "9.50"), STOP(SELL, "100", "9.50")},
        .ticks = {{"9.50", "100"}, {"9.70", "100"}},
        .fills = {{0, 0, "100", "9.50"}, {1, 1, "100", "9.70"}},
        .triggered_by = {0, ON_TICK(0)},
    },
    {
        "a STOP_LIMIT that comes in triggered fills at its limit without trading its stop again",
        .orders = {STOP_LIMIT_TRIGGERED(BUY, "100", "10.40", "10.50")},
        .ticks = {{"10.40", "500"}},
        .fills = {{0, 0, "100", "10.40"}},
    },
    {
        "a SELL STOP that comes in triggered fills at the next tick, above its stop",
        .orders = {STOP_TRIGGERED(SELL, "100", "9.50")},
        .ticks = {{"9.80", "500"}},
        .fills = {{0, 0, "100", "9.80"}},
    },
};

static void test_orders_fill_from_the_tape_as_the_paper_rules_say(void **state)
{
    int failures = 0;
    char a[TS_DEC_STRLEN], b[TS_DEC_STRLEN];
    (void)state;

    for (size_t i = 0; i < sizeof(paper_cases) / sizeof(paper_cases[0]); i++) {
        const struct paper_case *c = &paper_cases[i];
        struct ts_order o[MAX_ORDERS];
        bool triggered[MAX_ORDERS] = {false};
        int triggered_by[MAX_ORDERS] = {0};
        int norders = 0, nwant = 0, ngot = 0;

        while (norders < MAX_ORDERS && c->orders[norders].qty) {
            o[norders] = make_order(c->name, norders, &c->orders[norders]);
            triggered[norders] = c->orders[norders].triggered;
            norders++;
        }
        while (nwant < MAX_FILLS && c->fills[nwant].qty) {
            nwant++;
        }
        for (int k = 0; k < MAX_TICKS && c->ticks[k].price; k++) {
            struct ts_tick t = make_tick(k, &c->ticks[k]);
            ts_dec avail = t.volume;
            for (int j = 0; j < norders; j++) {
                ts_dec qty = 0, price = 0, remaining = o[j].quantity - o[j].filled_quantity;
                if (!triggered[j] && ts_paper_triggers(&o[j], &t)) {
                    triggered[j] = true;
                    triggered_by[j] = ON_TICK(k);
                }
                if (avail <= 0 || !ts_paper_match(&o[j], triggered[j], &t, avail, &qty, &price)) {
                    continue;
                }
                EXPECT(qty > 0 && qty <= avail && qty <= remaining, c->name,
                       "tick %d order %d: qty %s outside (0, min(avail %s, remaining))", k, j,
                       dec_str(qty, a), dec_str(avail, b));
                const struct fill_spec *w = ngot < nwant ? &c->fills[ngot] : NULL;
                EXPECT(w != NULL, c->name, "tick %d order %d: unexpected fill of %s at %s", k, j,
                       dec_str(qty, a), dec_str(price, b));
                if (w) {
                    EXPECT(w->tick == k && w->order == j, c->name,
                           "fill %d: tick %d order %d, want tick %d order %d", ngot, k, j, w->tick,
                           w->order);
                    EXPECT(qty == D(w->qty), c->name, "fill %d: qty %s, want %s", ngot,
                           dec_str(qty, a), w->qty);
                    EXPECT(price == D(w->price), c->name, "fill %d: price %s, want %s", ngot,
                           dec_str(price, a), w->price);
                }
                struct ts_err err = TS_ERR_INIT;
                int rc = ts_order_apply_fill(&o[j], qty, price, t.time_ns, &err);
                EXPECT(rc == 0, c->name, "tick %d order %d: the fill does not apply: %s", k, j,
                       err.msg);
                avail -= qty;
                ngot++;
            }
        }
        EXPECT(ngot >= nwant, c->name, "%d fills, want %d (first missing: tick %d order %d)", ngot,
               nwant, ngot < nwant ? c->fills[ngot].tick : -1,
               ngot < nwant ? c->fills[ngot].order : -1);
        for (int j = 0; j < norders; j++) {
            EXPECT(triggered_by[j] == c->triggered_by[j], c->name,
                   "order %d: triggered by tick %d, want tick %d (-1: none)", j,
                   triggered_by[j] - 1, c->triggered_by[j] - 1);
        }
    }
    assert_int_equal(failures, 0);
}

/* Calls outside the tape loop: orders that cannot fill whatever the tick. */
static void test_orders_that_are_not_working_or_have_nothing_left_never_fill(void **state)
{
    static const struct {
        const char *name;
        enum ts_order_status status; /* forced after the order is built */
        const char *filled;          /* pre-filled quantity of the 100 ordered */
        const char *avail;
    } cases[] = {
        {"a PENDING order (not yet at the venue)", TS_ORDER_PENDING, NULL, "500"},
        {"a CANCELED order", TS_ORDER_CANCELED, NULL, "500"},
        {"an EXPIRED order", TS_ORDER_EXPIRED, NULL, "500"},
        {"a REJECTED order", TS_ORDER_REJECTED, NULL, "500"},
        {"a FILLED order", TS_ORDER_FILLED, "100", "500"},
        {"a working order with nothing left to fill", TS_ORDER_PARTIAL_FILL, "100", "500"},
        {"a working order on a tick with no volume left", TS_ORDER_SUBMITTED, NULL, "0"},
        {"a working order on negative volume", TS_ORDER_SUBMITTED, NULL, "-100"},
    };
    static const struct order_spec spec = MARKET(BUY, "100");
    static const struct tick_spec tape = {"10.00", "500"};
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_order o = make_order(cases[i].name, 0, &spec);
        struct ts_tick t = make_tick(0, &tape);
        ts_dec qty = 0, price = 0;
        if (cases[i].filled) {
            o.filled_quantity = D(cases[i].filled);
        }
        o.status = cases[i].status;
        bool got = ts_paper_match(&o, false, &t, D(cases[i].avail), &qty, &price);
        EXPECT(!got, cases[i].name, "filled %lld at %lld", (long long)qty, (long long)price);
    }
    /* the control: the same order, working, on the same tick, fills */
    struct ts_order o = make_order("control", 0, &spec);
    struct ts_tick t = make_tick(0, &tape);
    ts_dec qty = 0, price = 0;
    assert_true(ts_paper_match(&o, false, &t, t.volume, &qty, &price));
    assert_int_equal(qty, D("100"));
    assert_int_equal(price, D("10.00"));
    assert_int_equal(failures, 0);
}

/*
 * ts_paper_triggers() alone: a working stop at or through its stop, on either side,
 * whatever its limit; never another type, never an order that is not working.
 */
static void test_only_a_working_stop_at_or_through_its_stop_triggers(void **state)
{
    static const struct {
        const char *name;
        struct order_spec order;
        enum ts_order_status status; /* forced after the order is built */
        const char *tick;            /* the tick's price */
        bool want;
    } cases[] = {
        {"BUY STOP at its stop", STOP(BUY, "100", "10.50"), TS_ORDER_SUBMITTED, "10.50", true},
        {"BUY STOP through its stop", STOP(BUY, "100", "10.50"), TS_ORDER_SUBMITTED, "11.00", true},
        {"BUY STOP one cent below", STOP(BUY, "100", "10.50"), TS_ORDER_SUBMITTED, "10.49", false},
        {"SELL STOP at its stop", STOP(SELL, "100", "9.50"), TS_ORDER_SUBMITTED, "9.50", true},
        {"SELL STOP through its stop", STOP(SELL, "100", "9.50"), TS_ORDER_SUBMITTED, "9.00", true},
        {"SELL STOP one cent above", STOP(SELL, "100", "9.50"), TS_ORDER_SUBMITTED, "9.51", false},
        {"BUY STOP_LIMIT at its stop, above its limit", STOP_LIMIT(BUY, "100", "10.40", "10.50"),
         TS_ORDER_SUBMITTED, "10.50", true},
        {"SELL STOP_LIMIT one cent above", STOP_LIMIT(SELL, "100", "9.40", "9.50"),
         TS_ORDER_SUBMITTED, "9.51", false},
        {"a partly filled STOP at its stop", STOP(BUY, "100", "10.50"), TS_ORDER_PARTIAL_FILL,
         "10.50", true},
        {"a PENDING STOP at its stop", STOP(BUY, "100", "10.50"), TS_ORDER_PENDING, "10.50", false},
        {"a CANCELED STOP at its stop", STOP(BUY, "100", "10.50"), TS_ORDER_CANCELED, "10.50",
         false},
        {"an EXPIRED STOP_LIMIT at its stop", STOP_LIMIT(BUY, "100", "10.40", "10.50"),
         TS_ORDER_EXPIRED, "10.50", false},
        {"a BUY LIMIT at its price", LIMIT(BUY, "100", "10.50"), TS_ORDER_SUBMITTED, "10.50",
         false},
        {"a SELL MARKET", MARKET(SELL, "100"), TS_ORDER_SUBMITTED, "10.50", false},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_order o = make_order(cases[i].name, 0, &cases[i].order);
        struct tick_spec tape = {cases[i].tick, "100"};
        struct ts_tick t = make_tick(0, &tape);
        if (cases[i].status == TS_ORDER_PARTIAL_FILL) {
            o.filled_quantity = D("1");
        }
        o.status = cases[i].status;
        bool got = ts_paper_triggers(&o, &t);
        EXPECT(got == cases[i].want, cases[i].name, "triggers %d, want %d", got, cases[i].want);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orders_fill_from_the_tape_as_the_paper_rules_say),
        cmocka_unit_test(test_orders_that_are_not_working_or_have_nothing_left_never_fill),
        cmocka_unit_test(test_only_a_working_stop_at_or_through_its_stop_triggers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
