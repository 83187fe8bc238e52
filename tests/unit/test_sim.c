/*
 * test_sim.c - unit tests of src/capture/sim.c, the simulated tape: the same
 * seed repeats the same ticks, prices stay on the tick grid and above zero,
 * volumes are whole lots, trade numbers grow per symbol, the aggressor follows
 * the price's direction, and bad set-ups are refused.
 */
#include "capture/sim.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#define N 20000

static void same_seed_same_tape(void **state)
{
    (void)state;
    static struct ts_sim a, b, c;
    struct ts_err err = TS_ERR_INIT;
    assert_int_equal(ts_sim_init(&a, ts_sim_default_market, ts_sim_default_market_len, 42, &err),
                     0);
    assert_int_equal(ts_sim_init(&b, ts_sim_default_market, ts_sim_default_market_len, 42, &err),
                     0);
    assert_int_equal(ts_sim_init(&c, ts_sim_default_market, ts_sim_default_market_len, 43, &err),
                     0);
    int differ = 0;
    for (int i = 0; i < N; i++) {
        struct ts_tick x, y, z;
        ts_sim_next(&a, 1000 + i, &x);
        ts_sim_next(&b, 1000 + i, &y);
        ts_sim_next(&c, 1000 + i, &z);
        assert_memory_equal(&x, &y, sizeof(x));
        differ += x.price != z.price || strcmp(x.symbol, z.symbol) != 0;
    }
    assert_true(differ > N / 2); /* another seed, another tape */
}

static void ticks_are_well_formed(void **state)
{
    (void)state;
    static struct ts_sim s;
    struct ts_err err = TS_ERR_INIT;
    int64_t last_no[TS_SIM_MAX_SYMBOLS] = {0};
    ts_dec last_px[TS_SIM_MAX_SYMBOLS] = {0};
    int seen[TS_SIM_MAX_SYMBOLS] = {0};
    assert_int_equal(ts_sim_init(&s, ts_sim_default_market, ts_sim_default_market_len, 7, &err), 0);
    for (size_t k = 0; k < s.n; k++) {
        last_px[k] = s.sym[k].last;
    }
    for (int i = 0; i < N; i++) {
        struct ts_tick t;
        ts_sim_next(&s, 5000 + i, &t);
        size_t k = 0;
        while (k < s.n && strcmp(s.sym[k].in.symbol, t.symbol) != 0) {
            k++;
        }
        assert_true(k < s.n);
        const struct ts_sim_instrument *in = &s.sym[k].in;
        assert_true(t.price > 0);
        assert_int_equal(t.price % in->tick_size, 0);
        assert_true(t.volume >= in->lot_size && t.volume <= 20 * in->lot_size);
        assert_int_equal(t.volume % in->lot_size, 0);
        assert_int_equal(t.trade_id, last_no[k] + 1);
        assert_int_equal(t.time_ns, 5000 + i);
        ts_dec move = t.price - last_px[k];
        assert_true(move >= -3 * in->tick_size && move <= 3 * in->tick_size);
        if (move > 0) {
            assert_int_equal(t.aggressor, 0);
        } else if (move < 0) {
            assert_int_equal(t.aggressor, 1);
        } else {
            assert_true(t.aggressor == 0 || t.aggressor == 1);
        }
        last_no[k] = t.trade_id;
        last_px[k] = t.price;
        seen[k]++;
    }
    for (size_t k = 0; k < s.n; k++) {
        assert_true(seen[k] > N / (int)s.n / 2); /* every symbol trades */
    }
}

static void a_price_never_goes_below_one_tick(void **state)
{
    (void)state;
    static struct ts_sim s;
    struct ts_err err = TS_ERR_INIT;
    struct ts_sim_instrument penny = {"PENY3", "stock", "Penny",
                                      3000000, 1000000, 100 * TS_DEC_SCALE};
    assert_int_equal(ts_sim_init(&s, &penny, 1, 1, &err), 0);
    for (int i = 0; i < N; i++) {
        struct ts_tick t;
        ts_sim_next(&s, i, &t);
        assert_true(t.price >= penny.tick_size);
    }
    ts_sim_set_last(&s, 0, 123456789, 99); /* snapped down to the tick */
    struct ts_tick t;
    ts_sim_next(&s, 1, &t);
    assert_int_equal(t.trade_id, 100);
    assert_true(t.price % penny.tick_size == 0);
}

static void bad_setups_are_refused(void **state)
{
    (void)state;
    static struct ts_sim s;
    struct ts_err err = TS_ERR_INIT;
    struct ts_sim_instrument bad = {"BAD3", "stock", "Bad", TS_DEC_SCALE, 0, TS_DEC_SCALE};
    assert_int_equal(ts_sim_init(&s, &bad, 1, 1, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "BAD3"));
    assert_int_equal(ts_sim_init(&s, ts_sim_default_market, 0, 1, &err), TS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_tape),
        cmocka_unit_test(ticks_are_well_formed),
        cmocka_unit_test(a_price_never_goes_below_one_tick),
        cmocka_unit_test(bad_setups_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
