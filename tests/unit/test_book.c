/*
 * test_book.c - unit tests of src/capture/book.c: a scripted sequence of book actions
 * (full book, add, edit, delete, delete-from) yields the expected book after every step;
 * each refused action names why and leaves the book unchanged; depth is bounded.
 */
#include "capture/book.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#define P(units, cents) ((ts_dec)(units)*TS_DEC_SCALE + (ts_dec)(cents) * (TS_DEC_SCALE / 100))
#define V(n) ((ts_dec)(n)*TS_DEC_SCALE)

/* "30.10x100 30.05x200 | 30.15x50" : bids best first, then asks */
static void render(const struct ts_book *b, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = '\0';
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < b->n[s]; i++) {
            char p[48], v[48];
            ts_dec_format_trim(b->side[s][i].price, p, sizeof(p));
            ts_dec_format_trim(b->side[s][i].volume, v, sizeof(v));
            k += (size_t)snprintf(out + k, cap - k, "%s%sx%s", k && out[k - 1] != ' ' ? " " : "", p,
                                  v);
        }
        if (s == 0) {
            k += (size_t)snprintf(out + k, cap - k, "%s|", k ? " " : "");
            k += (size_t)snprintf(out + k, cap - k, " ");
        }
    }
    while (k && out[k - 1] == ' ') {
        out[--k] = '\0';
    }
}

static void scripted_sequence(void **state)
{
    (void)state;
    struct ts_book b;
    struct ts_err err = TS_ERR_INIT;
    char got[512];
    ts_book_init(&b);
    struct ts_book_level bids[] = {{P(30, 10), V(100)}, {P(30, 5), V(200)}};
    struct ts_book_level asks[] = {{P(30, 15), V(50)}, {P(30, 20), V(70)}};
    assert_int_equal(ts_book_full(&b, bids, 2, asks, 2, 1, &err), 0);
    render(&b, got, sizeof(got));
    assert_string_equal(got, "30.1x100 30.05x200 | 30.15x50 30.2x70");

    assert_int_equal(ts_book_add(&b, TS_BOOK_BID, 0, P(30, 12), V(10), 2, &err), 0); /* new best */
    assert_int_equal(ts_book_add(&b, TS_BOOK_ASK, 2, P(30, 25), V(5), 3, &err), 0); /* at the end */
    render(&b, got, sizeof(got));
    assert_string_equal(got, "30.12x10 30.1x100 30.05x200 | 30.15x50 30.2x70 30.25x5");

    assert_int_equal(ts_book_edit(&b, TS_BOOK_BID, 1, P(30, 10), V(150), 4, &err), 0); /* volume */
    assert_int_equal(ts_book_delete(&b, TS_BOOK_ASK, 0, 5, &err), 0); /* best ask traded */
    render(&b, got, sizeof(got));
    assert_string_equal(got, "30.12x10 30.1x150 30.05x200 | 30.2x70 30.25x5");

    assert_int_equal(ts_book_delete_from(&b, TS_BOOK_BID, 1, 6, &err), 0);
    render(&b, got, sizeof(got));
    assert_string_equal(got, "30.12x10 | 30.2x70 30.25x5");
    assert_int_equal(b.seq, 6); /* every action counts */
    assert_int_equal(b.time_ns, 6);

    struct ts_buf j = TS_BUF_INIT;
    ts_book_json(&b, "PETR4", 1, &j);
    assert_string_equal(j.buf,
                        "{\"symbol\":\"PETR4\",\"seq\":6,\"time\":\"1970-01-01T00:00:00.000000Z\","
                        "\"best_bid\":\"30.12000000\",\"best_ask\":\"30.20000000\","
                        "\"spread\":\"0.08000000\",\"bids\":[{\"price\":\"30.12000000\","
                        "\"volume\":\"10.00000000\"}],\"asks\":[{\"price\":\"30.20000000\","
                        "\"volume\":\"70.00000000\"}]}");
    ts_buf_release(&j);
    assert_int_equal(ts_book_delete_from(&b, TS_BOOK_ASK, 0, 7, &err), 0);
    ts_buf_init(&j);
    ts_book_json(&b, "PETR4", 10, &j);
    assert_non_null(strstr(j.buf, "\"best_ask\":null,\"spread\":null"));
    ts_buf_release(&j);
}

static void refusals_change_nothing(void **state)
{
    (void)state;
    struct ts_book b;
    struct ts_err err = TS_ERR_INIT;
    ts_book_init(&b);
    struct ts_book_level bids[] = {{P(30, 10), V(100)}, {P(30, 5), V(200)}};
    struct ts_book_level asks[] = {{P(30, 15), V(50)}};
    assert_int_equal(ts_book_full(&b, bids, 2, asks, 1, 1, &err), 0);
    struct ts_book before = b;
    static const struct {
        const char *msg;
    } want[] = {{"position 3"}, {"price out of order"}, {"price out of order"}, {"must be > 0"},
                {"position 2"}, {"position -1"},        {"position 5"},         {"out of order"}};
    int rc[8];
    struct ts_err e[8];
    memset(e, 0, sizeof(e));
    rc[0] = ts_book_add(&b, TS_BOOK_BID, 3, P(29, 0), V(1), 9, &e[0]);
    rc[1] = ts_book_add(&b, TS_BOOK_BID, 0, P(30, 5), V(1), 9, &e[1]); /* not better than 30.10 */
    rc[2] =
        ts_book_edit(&b, TS_BOOK_BID, 1, P(30, 10), V(1), 9, &e[2]); /* equal to the level above */
    rc[3] = ts_book_edit(&b, TS_BOOK_ASK, 0, P(30, 15), 0, 9, &e[3]);
    rc[4] = ts_book_delete(&b, TS_BOOK_BID, 2, 9, &e[4]);
    rc[5] = ts_book_delete_from(&b, TS_BOOK_ASK, -1, 9, &e[5]);
    rc[6] = ts_book_delete_from(&b, TS_BOOK_BID, 5, 9, &e[6]);
    struct ts_book_level bad[] = {{P(30, 15), V(1)}, {P(30, 15), V(1)}};
    rc[7] = ts_book_full(&b, bids, 2, bad, 2, 9, &e[7]);
    for (int i = 0; i < 8; i++) {
        if (rc[i] != TS_EINVAL || !strstr(e[i].msg, want[i].msg)) {
            print_error("case %d: rc %d '%s', want '%s'\n", i, rc[i], e[i].msg, want[i].msg);
        }
        assert_int_equal(rc[i], TS_EINVAL);
        assert_non_null(strstr(e[i].msg, want[i].msg));
    }
    assert_memory_equal(&b, &before, sizeof(b));
}

static void depth_is_bounded(void **state)
{
    (void)state;
    struct ts_book b;
    struct ts_err err = TS_ERR_INIT;
    ts_book_init(&b);
    for (int i = 0; i < TS_BOOK_DEPTH + 10; i++) {
        assert_int_equal(
            ts_book_add(&b, TS_BOOK_ASK, 0, P(100, 0) - i * (TS_DEC_SCALE / 100), V(1), i, &err),
            0);
    }
    assert_int_equal(b.n[TS_BOOK_ASK], TS_BOOK_DEPTH);
    ts_dec best;
    assert_true(ts_book_best(&b, TS_BOOK_ASK, &best));
    assert_int_equal(best, P(100, 0) - (TS_BOOK_DEPTH + 9) * (TS_DEC_SCALE / 100));
    assert_false(ts_book_best(&b, TS_BOOK_BID, &best));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scripted_sequence),
        cmocka_unit_test(refusals_change_nothing),
        cmocka_unit_test(depth_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
