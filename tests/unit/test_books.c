/*
 * test_books.c - the store of L2 books a feed keeps (capture/internal.h "books"):
 * one book per symbol, actions applied or refused whole, and the snapshot
 * bookkeeping (which books changed, which only below the top) that
 * order_book_snapshots is written from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/internal.h"
#include "core/buf.h"

#define P(x) ((ts_dec)(x)*TS_DEC_SCALE)

static struct ts_books_action add(enum ts_book_side side, int pos, ts_dec price, ts_dec vol)
{
    return (struct ts_books_action){.kind = TS_BOOKS_ADD,
                                    .side = side,
                                    .pos = pos,
                                    .price = price,
                                    .volume = vol,
                                    .time_ns = 1000};
}

/* How many books ts_books_changed_json() lists, and the list in out. */
static int changed(struct ts_books *bs, bool top_only, struct ts_buf *out)
{
    ts_buf_reset(out);
    return ts_books_changed_json(bs, top_only, out);
}

static void test_books_are_kept_per_symbol_and_read_back(void **state)
{
    (void)state;
    struct ts_books *bs = ts_books_new();
    struct ts_buf out = TS_BUF_INIT;
    struct ts_err err = TS_ERR_INIT;
    struct ts_books_action a = add(TS_BOOK_BID, 0, P(30), P(100));
    assert_int_equal(ts_books_apply(bs, "PETR4", &a, &err), 0);
    a = add(TS_BOOK_ASK, 0, P(61), P(5));
    assert_int_equal(ts_books_apply(bs, "VALE3", &a, &err), 0);
    assert_true(ts_books_json(bs, "PETR4", 10, &out));
    assert_non_null(strstr(out.buf, "\"symbol\":\"PETR4\""));
    assert_non_null(strstr(out.buf, "\"30.00000000\""));
    assert_null(strstr(out.buf, "61.00000000")); /* VALE3's level is VALE3's */
    ts_buf_reset(&out);
    assert_false(ts_books_json(bs, "ITUB4", 10, &out));
    ts_buf_release(&out);
    ts_books_free(bs);
}

static void test_a_refused_action_changes_nothing_and_makes_no_book(void **state)
{
    (void)state;
    struct ts_books *bs = ts_books_new();
    struct ts_buf out = TS_BUF_INIT, before = TS_BUF_INIT;
    struct ts_err err = TS_ERR_INIT;
    struct ts_books_action a = add(TS_BOOK_BID, 0, P(30), P(100));
    assert_int_equal(ts_books_apply(bs, "PETR4", &a, &err), 0);
    assert_true(ts_books_json(bs, "PETR4", 10, &before));
    assert_int_equal(changed(bs, false, &out), 1); /* snapshot taken */
    a = add(TS_BOOK_BID, 5, P(29), P(1));          /* a gap: position 5 of a 1-level side */
    assert_int_equal(ts_books_apply(bs, "PETR4", &a, &err), TS_EINVAL);
    ts_buf_reset(&out);
    assert_true(ts_books_json(bs, "PETR4", 10, &out));
    assert_string_equal(out.buf, before.buf);
    assert_int_equal(changed(bs, false, &out), 0);
    /* refused on a symbol without a book: still no book */
    assert_int_equal(ts_books_apply(bs, "VALE3", &a, &err), TS_EINVAL);
    ts_buf_reset(&out);
    assert_false(ts_books_json(bs, "VALE3", 10, &out));
    assert_int_equal(changed(bs, false, &out), 0);
    ts_buf_release(&out);
    ts_buf_release(&before);
    ts_books_free(bs);
}

static void test_snapshots_list_the_changed_books_and_top_only_the_new_tops(void **state)
{
    (void)state;
    struct ts_books *bs = ts_books_new();
    struct ts_buf out = TS_BUF_INIT;
    struct ts_err err = TS_ERR_INIT;
    struct ts_books_action a = add(TS_BOOK_BID, 0, P(30), P(100));
    assert_int_equal(ts_books_apply(bs, "PETR4", &a, &err), 0);
    assert_int_equal(ts_books_apply(bs, "VALE3", &a, &err), 0);
    assert_int_equal(changed(bs, true, &out), 2);  /* both tops are new */
    assert_int_equal(changed(bs, false, &out), 0); /* and marked snapshotted */
    a = add(TS_BOOK_BID, 1, P(29), P(50));         /* below PETR4's top */
    assert_int_equal(ts_books_apply(bs, "PETR4", &a, &err), 0);
    assert_int_equal(changed(bs, true, &out), 0); /* the top did not move */
    assert_int_equal(changed(bs, false, &out), 1);
    assert_non_null(strstr(out.buf, "PETR4"));
    assert_null(strstr(out.buf, "VALE3"));
    a = (struct ts_books_action){.kind = TS_BOOKS_EDIT,
                                 .side = TS_BOOK_BID,
                                 .pos = 0,
                                 .price = P(30),
                                 .volume = P(7),
                                 .time_ns = 2000};
    assert_int_equal(ts_books_apply(bs, "VALE3", &a, &err), 0); /* the top's volume */
    assert_int_equal(changed(bs, true, &out), 1);
    assert_non_null(strstr(out.buf, "VALE3"));
    ts_buf_release(&out);
    ts_books_free(bs);
}

static void test_the_store_is_bounded(void **state)
{
    (void)state;
    struct ts_books *bs = ts_books_new();
    struct ts_err err = TS_ERR_INIT;
    struct ts_books_action a = add(TS_BOOK_ASK, 0, P(1), P(1));
    char sym[16];
    for (int i = 0; i < TS_BOOKS_MAX; i++) {
        snprintf(sym, sizeof(sym), "S%05d", i);
        assert_int_equal(ts_books_apply(bs, sym, &a, &err), 0);
    }
    assert_int_equal(ts_books_apply(bs, "ONEMORE3", &a, &err), TS_ENOMEM);
    a.kind = TS_BOOKS_EDIT; /* an existing one still takes actions */
    a.volume = P(2);
    assert_int_equal(ts_books_apply(bs, "S00000", &a, &err), 0);
    ts_books_free(bs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_books_are_kept_per_symbol_and_read_back),
        cmocka_unit_test(test_a_refused_action_changes_nothing_and_makes_no_book),
        cmocka_unit_test(test_snapshots_list_the_changed_books_and_top_only_the_new_tops),
        cmocka_unit_test(test_the_store_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
