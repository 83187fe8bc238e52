/*
 * test_bars.c - the 1-minute bars of a batch of ticks (capture/bars.h) against a
 * brute-force oracle: for each symbol and minute, the earliest and latest trade by
 * (time, trade number), high, low, volume and count, whatever the ticks' order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/bars.h"
#include "core/mem.h"
#include "core/tstime.h"

#define MIN (60 * TS_NS_PER_SEC)
#define T0 (INT64_C(1764590400) * TS_NS_PER_SEC) /* 2025-12-01T12:00:00Z, a minute boundary */

static struct ts_tick tick(const char *sym, int64_t ns, int64_t id, ts_dec price, ts_dec vol)
{
    struct ts_tick t;
    memset(&t, 0, sizeof(t));
    snprintf(t.symbol, sizeof(t.symbol), "%s", sym);
    t.time_ns = ns;
    t.trade_id = id;
    t.price = price;
    t.volume = vol;
    return t;
}

/* The oracle: bar of (sym, bucket) by a scan of every tick. */
static void expect_bar(const struct ts_tick *t, size_t n, const bool *fresh, const struct ts_bar *b)
{
    const struct ts_tick *first = NULL, *last = NULL;
    ts_dec hi = 0, lo = 0, vol = 0;
    int64_t count = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t m = t[i].time_ns - ((t[i].time_ns % MIN) + MIN) % MIN;
        if ((fresh && !fresh[i]) || strcmp(t[i].symbol, b->first->symbol) || m != b->bucket) {
            continue;
        }
        if (!first || t[i].time_ns < first->time_ns ||
            (t[i].time_ns == first->time_ns && t[i].trade_id < first->trade_id)) {
            first = &t[i];
        }
        if (!last || t[i].time_ns > last->time_ns ||
            (t[i].time_ns == last->time_ns && t[i].trade_id > last->trade_id)) {
            last = &t[i];
        }
        hi = count == 0 || t[i].price > hi ? t[i].price : hi;
        lo = count == 0 || t[i].price < lo ? t[i].price : lo;
        vol += t[i].volume;
        count++;
    }
    assert_non_null(first);
    assert_ptr_equal(b->first, first);
    assert_ptr_equal(b->last, last);
    assert_int_equal(b->high, hi);
    assert_int_equal(b->low, lo);
    assert_int_equal(b->volume, vol);
    assert_int_equal(b->count, count);
}

static void check_all(const struct ts_tick *t, size_t n, const bool *fresh, size_t want_bars)
{
    struct ts_bar *bars = NULL;
    struct ts_err err = TS_ERR_INIT;
    size_t nb = ts_bars_make(t, n, fresh, &bars, &err);
    assert_int_equal(nb, want_bars);
    for (size_t i = 0; i < nb; i++) {
        expect_bar(t, n, fresh, &bars[i]);
        if (i) { /* sorted by symbol, then minute; each (symbol, minute) once */
            int c = strcmp(bars[i - 1].first->symbol, bars[i].first->symbol);
            assert_true(c < 0 || (c == 0 && bars[i - 1].bucket < bars[i].bucket));
        }
    }
    ts_free(bars);
}

static void test_ticks_in_any_order_make_the_bars_of_their_minutes(void **state)
{
    (void)state;
    const ts_dec p = TS_DEC_SCALE;
    struct ts_tick t[] = {
        tick("PETR4", T0 + 30 * TS_NS_PER_SEC, 7, 31 * p, 100 * p),
        tick("PETR4", T0 + 1 * TS_NS_PER_SEC, 5, 30 * p, 200 * p),
        tick("VALE3", T0 + 59 * TS_NS_PER_SEC, 2, 60 * p, 1 * p),
        tick("PETR4", T0 + 1 * TS_NS_PER_SEC, 4, 29 * p,
             300 * p),                              /* same time, lower number: opens */
        tick("PETR4", T0 + MIN, 8, 32 * p, 10 * p), /* the next minute */
        tick("PETR4", T0 + 30 * TS_NS_PER_SEC, 9, 28 * p, 5 * p), /* same time as 7, closes */
        tick("VALE3", T0 - 1, 1, 59 * p, 1 * p),                  /* the minute before */
    };
    check_all(t, sizeof(t) / sizeof(t[0]), NULL, 4);
    bool fresh[] = {true, false, true, false, true, true, false}; /* duplicates left out */
    check_all(t, sizeof(t) / sizeof(t[0]), fresh, 3);
}

static void test_many_symbols_grow_the_table_and_keep_every_bar(void **state)
{
    (void)state;
    enum { NSYM = 300, PER = 7 };
    struct ts_tick *t = ts_xcalloc(NSYM * PER, sizeof(*t));
    size_t n = 0;
    for (int k = 0; k < PER; k++) { /* interleaved: every symbol's ticks spread over the batch */
        for (int s = 0; s < NSYM; s++) {
            char sym[16];
            snprintf(sym, sizeof(sym), "SYM%03d", s);
            t[n++] = tick(sym, T0 + (k % 2) * MIN + (PER - k) * TS_NS_PER_MS, k,
                          (100 + (s * 7 + k * 13) % 50) * TS_DEC_SCALE, (k + 1) * TS_DEC_SCALE);
        }
    }
    check_all(t, n, NULL, NSYM * 2);
    ts_free(t);
}

static void test_a_minute_whose_volume_overflows_is_refused(void **state)
{
    (void)state;
    struct ts_tick t[] = {
        tick("PETR4", T0, 1, TS_DEC_SCALE, INT64_MAX - 1),
        tick("PETR4", T0 + 1, 2, TS_DEC_SCALE, INT64_MAX - 1),
    };
    struct ts_bar *bars = NULL;
    struct ts_err err = TS_ERR_INIT;
    assert_int_equal(ts_bars_make(t, 2, NULL, &bars, &err), (size_t)-1);
    assert_int_equal(err.code, TS_EINVAL);
    assert_non_null(strstr(err.msg, "PETR4"));
    ts_free(bars);
}

static void test_no_fresh_tick_makes_no_bar(void **state)
{
    (void)state;
    struct ts_tick t[] = {tick("PETR4", T0, 1, TS_DEC_SCALE, TS_DEC_SCALE)};
    bool fresh[] = {false};
    check_all(t, 1, fresh, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks_in_any_order_make_the_bars_of_their_minutes),
        cmocka_unit_test(test_many_symbols_grow_the_table_and_keep_every_bar),
        cmocka_unit_test(test_a_minute_whose_volume_overflows_is_refused),
        cmocka_unit_test(test_no_fresh_tick_makes_no_bar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
