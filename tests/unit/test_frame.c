/*
 * test_frame.c - the bridge protocol's frame decoder (capture/frame.h), table-driven:
 * every callback type, what is refused at open (not UTF-8, not one object, a bad
 * type, a TRADE without time, a symbol too long) and in the body (each field), with
 * the field named in the error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/frame.h"

#define RECV INT64_C(1764590400000000000)

struct fcase {
    const char *name, *line;
    int open_rc; /* 0 or TS_EINVAL */
    bool parsed; /* the line is kept as JSON (logged as sent) */
    enum ts_frame_type type;
    int body_rc;     /* when open_rc == 0 */
    const char *err; /* a substring of the error, or NULL */
};

static const struct fcase cases[] = {
    {"a trade",
     "{\"type\":\"TRADE\",\"time\":\"2026-11-27T13:00:00.123456789Z\",\"symbol\":\"PETR4\","
     "\"price\":\"30.10\",\"quantity\":\"100\",\"trade_id\":42,\"aggressor\":\"SELL\"}",
     0, true, TS_FRAME_TRADE, 0, NULL},
    {"a trade without time",
     "{\"type\":\"TRADE\",\"symbol\":\"PETR4\",\"price\":\"1\",\"quantity\":\"1\",\"trade_id\":1}",
     TS_EINVAL, true, TS_FRAME_TRADE, 0, "time"},
    {"a trade at price 0",
     "{\"type\":\"TRADE\",\"time\":\"2026-11-27T13:00:00Z\",\"symbol\":\"PETR4\",\"price\":\"0\","
     "\"quantity\":\"1\",\"trade_id\":1}",
     0, true, TS_FRAME_TRADE, TS_EINVAL, "must be > 0"},
    {"a trade without trade_id",
     "{\"type\":\"TRADE\",\"time\":\"2026-11-27T13:00:00Z\",\"symbol\":\"PETR4\","
     "\"price\":\"1\",\"quantity\":\"1\"}",
     0, true, TS_FRAME_TRADE, TS_EINVAL, "trade_id"},
    {"a trade with a bad aggressor",
     "{\"type\":\"TRADE\",\"time\":\"2026-11-27T13:00:00Z\",\"symbol\":\"PETR4\","
     "\"price\":\"1\",\"quantity\":\"1\",\"trade_id\":1,\"aggressor\":\"UP\"}",
     0, true, TS_FRAME_TRADE, TS_EINVAL, "aggressor"},
    {"a book add",
     "{\"type\":\"OFFER_BOOK\",\"symbol\":\"PETR4\",\"action\":\"ADD\",\"side\":\"ASK\","
     "\"position\":3,"
     "\"price\":\"30\",\"volume\":\"5\"}",
     0, true, TS_FRAME_OFFER_BOOK, 0, NULL},
    {"a full book",
     "{\"type\":\"PRICE_DEPTH\",\"symbol\":\"PETR4\",\"action\":\"FULL_BOOK\","
     "\"bids\":[{\"price\":\"30\",\"volume\":\"1\"}],\"asks\":[]}",
     0, true, TS_FRAME_PRICE_DEPTH, 0, NULL},
    {"a book level without volume",
     "{\"type\":\"PRICE_DEPTH\",\"symbol\":\"PETR4\",\"action\":\"FULL_BOOK\","
     "\"bids\":[{\"price\":\"30\"}],\"asks\":[]}",
     0, true, TS_FRAME_PRICE_DEPTH, TS_EINVAL, "bids[0]"},
    {"a book position beyond the depth",
     "{\"type\":\"OFFER_BOOK\",\"symbol\":\"PETR4\",\"action\":\"DELETE\","
     "\"side\":\"BID\",\"position\":50}",
     0, true, TS_FRAME_OFFER_BOOK, TS_EINVAL, "position"},
    {"a state", "{\"type\":\"STATE\",\"conn\":\"MARKET_DATA\",\"result\":\"CONNECTED\"}", 0, true,
     TS_FRAME_STATE, 0, NULL},
    {"a state without result", "{\"type\":\"STATE\",\"conn\":\"MARKET_DATA\"}", 0, true,
     TS_FRAME_STATE, TS_EINVAL, "result"},
    {"an order", "{\"type\":\"ORDER\",\"id\":7}", 0, true, TS_FRAME_ORDER, 0, NULL},
    {"an unknown type", "{\"type\":\"QUOTE\",\"symbol\":\"PETR4\"}", TS_EINVAL, true,
     TS_FRAME_UNKNOWN, 0, "type"},
    {"a symbol too long",
     "{\"type\":\"OFFER_BOOK\",\"symbol\":"
     "\"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ\"}",
     TS_EINVAL, true, TS_FRAME_OFFER_BOOK, 0, "symbol"},
    {"not JSON", "PETR4;30,10;100", TS_EINVAL, false, TS_FRAME_UNKNOWN, 0, "not a JSON object"},
    {"a JSON array", "[{\"type\":\"STATE\"}]", TS_EINVAL, false, TS_FRAME_UNKNOWN, 0,
     "not a JSON object"},
    {"not UTF-8", "{\"type\":\"STATE\",\"conn\":\"\xff\"}", TS_EINVAL, false, TS_FRAME_UNKNOWN, 0,
     "UTF-8"},
};

static void test_each_frame_decodes_or_is_refused_naming_why(void **state)
{
    (void)state;
    static struct ts_frame fr;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct fcase *c = &cases[i];
        struct ts_err err = TS_ERR_INIT;
        int rc = ts_frame_open(&fr, c->line, strlen(c->line), RECV, &err);
        if (!rc) {
            rc = ts_frame_body(&fr, RECV, &err);
            if (rc != c->body_rc) {
                fail_msg("%s: body rc %d, want %d (%s)", c->name, rc, c->body_rc, err.msg);
            }
        } else if (rc != c->open_rc) {
            fail_msg("%s: open rc %d, want %d (%s)", c->name, rc, c->open_rc, err.msg);
        }
        if (!c->open_rc && !c->body_rc && rc) {
            fail_msg("%s: refused: %s", c->name, err.msg);
        }
        if (fr.parsed != c->parsed || fr.type != c->type) {
            fail_msg("%s: parsed %d type %d, want %d %d", c->name, fr.parsed, fr.type, c->parsed,
                     c->type);
        }
        if (c->err && !strstr(err.msg, c->err)) {
            fail_msg("%s: error '%s' does not name '%s'", c->name, err.msg, c->err);
        }
        ts_frame_release(&fr);
    }
}

static void test_a_trade_carries_its_fields_at_microseconds(void **state)
{
    (void)state;
    static struct ts_frame fr;
    struct ts_err err = TS_ERR_INIT;
    const char *line = cases[0].line;
    assert_int_equal(ts_frame_open(&fr, line, strlen(line), RECV, &err), 0);
    assert_int_equal(ts_frame_body(&fr, RECV, &err), 0);
    assert_string_equal(fr.tick.symbol, "PETR4");
    assert_int_equal(fr.tick.price, INT64_C(3010000000));
    assert_int_equal(fr.tick.volume, INT64_C(10000000000));
    assert_int_equal(fr.tick.trade_id, 42);
    assert_int_equal(fr.tick.aggressor, 1);
    assert_int_equal(fr.tick.time_ns % 1000, 0); /* .123456789 -> .123456 */
    assert_int_equal(fr.tick.time_ns % TS_NS_PER_SEC, 123456000);
    assert_int_equal(fr.tick.recv_ns, RECV);
    ts_frame_release(&fr);
}

static void
test_a_full_book_keeps_its_levels_and_a_frame_without_time_gets_the_receive_time(void **state)
{
    (void)state;
    static struct ts_frame fr;
    struct ts_err err = TS_ERR_INIT;
    const char *line = cases[6].line;
    assert_int_equal(ts_frame_open(&fr, line, strlen(line), RECV, &err), 0);
    assert_int_equal(ts_frame_body(&fr, RECV, &err), 0);
    assert_int_equal(fr.book.kind, TS_BOOKS_FULL);
    assert_int_equal(fr.book.nbids, 1);
    assert_int_equal(fr.book.nasks, 0);
    assert_int_equal(fr.book.bids[0].price, INT64_C(3000000000));
    assert_int_equal(fr.time_ns, RECV);
    assert_int_equal(fr.book.time_ns, RECV);
    ts_frame_release(&fr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_frame_decodes_or_is_refused_naming_why),
        cmocka_unit_test(test_a_trade_carries_its_fields_at_microseconds),
        cmocka_unit_test(
            test_a_full_book_keeps_its_levels_and_a_frame_without_time_gets_the_receive_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
