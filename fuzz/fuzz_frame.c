/*
 * fuzz_frame.c - fuzz target for the bridge protocol's frame decoder
 * (src/capture/frame.h), with invariants so that a wrong decode fails, not only a
 * crash: an opened frame has a known type and a symbol of allowed length where its
 * type needs one; a decoded TRADE has price and quantity > 0, its symbol, a time in
 * whole microseconds and an aggressor 0..2; a book action has its levels within
 * TS_BOOK_DEPTH, each price and volume decoded; a STATE has conn and result.
 * Replayed over fuzz/seeds/frame/ by ctest; with clang: -fsanitize=fuzzer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_frame: %s\n", what);
        abort();
    }
}

static void check_body(const struct ts_frame *fr)
{
    switch (fr->type) {
    case TS_FRAME_TRADE:
        check(fr->tick.price > 0 && fr->tick.volume > 0, "a trade with price or quantity <= 0");
        check(!strcmp(fr->tick.symbol, fr->symbol), "a trade's tick lost its symbol");
        check(fr->tick.time_ns % 1000 == 0, "a trade's time is not in whole microseconds");
        check(fr->tick.aggressor >= 0 && fr->tick.aggressor <= 2, "an aggressor out of range");
        check(fr->tick.trade_id >= 0, "a negative trade number");
        break;
    case TS_FRAME_OFFER_BOOK:
    case TS_FRAME_PRICE_DEPTH:
        check(fr->book.nbids >= 0 && fr->book.nbids <= TS_BOOK_DEPTH, "too many bid levels");
        check(fr->book.nasks >= 0 && fr->book.nasks <= TS_BOOK_DEPTH, "too many ask levels");
        check(fr->book.kind == TS_BOOKS_FULL || (fr->book.pos >= 0 && fr->book.pos < TS_BOOK_DEPTH),
              "a book position out of range");
        break;
    case TS_FRAME_STATE:
        check(fr->conn && fr->result && strlen(fr->conn) <= 32 && strlen(fr->result) <= 64,
              "a state without its fields");
        break;
    case TS_FRAME_ORDER:
        break;
    case TS_FRAME_UNKNOWN:
        check(false, "a body decoded for an unknown type");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ts_frame fr; /* large: not on the fuzzer's stack */
    struct ts_err err = TS_ERR_INIT;
    const int64_t recv = INT64_C(1764590400000000000);
    int rc = ts_frame_open(&fr, (const char *)data, size, recv, &err);
    if (rc) {
        check(err.code == TS_EINVAL && err.msg[0], "a refusal without a message");
        check(!fr.parsed || fr.type <= TS_FRAME_UNKNOWN, "a type out of range");
        ts_frame_release(&fr);
        return 0;
    }
    check(fr.parsed && fr.type < TS_FRAME_UNKNOWN, "an opened frame without a type");
    bool needs_symbol = fr.type != TS_FRAME_STATE && fr.type != TS_FRAME_ORDER;
    check(needs_symbol == (fr.symbol != NULL), "a symbol where the type has none, or none");
    check(!fr.symbol || strlen(fr.symbol) <= TS_SYMBOL_MAX, "a symbol too long");
    check(fr.time_ns == recv || memmem(data, size, "time", 4), "a time from nowhere");
    if (!ts_frame_body(&fr, recv, &err)) {
        check_body(&fr);
    } else {
        check(err.msg[0] != 0, "a body refused without a message");
    }
    ts_frame_release(&fr);
    return 0;
}
