/*
 * frame.h - the frames of the ProfitDLL bridge protocol (docs/api.md "Feed bridge
 * protocol"): one JSON object per line, shaped like ProfitDLL's callbacks. Pure (no
 * I/O, no clock): the bridge feed (bridge.c) reads lines from its socket, decodes
 * them here, and does what they say. Fuzzed by fuzz/fuzz_frame.c.
 *
 * Decoding is in two steps so that the feed can look the symbol up in between (a
 * frame of an unknown symbol is logged SKIPPED, whatever the rest holds):
 * ts_frame_open() (valid UTF-8, one JSON object, its type, time and symbol), then
 * ts_frame_body() (the type's fields). Every refusal is TS_EINVAL naming the field.
 */
#ifndef TS_CAPTURE_FRAME_H
#define TS_CAPTURE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/book.h"
#include "core/err.h"
#include "core/json.h"
#include "domain/tick.h"

enum ts_frame_type {
    TS_FRAME_STATE,
    TS_FRAME_TRADE,
    TS_FRAME_OFFER_BOOK,
    TS_FRAME_PRICE_DEPTH,
    TS_FRAME_ORDER,
    TS_FRAME_UNKNOWN /* no valid "type": logged FAILED */
};

/* "STATE", "TRADE", ..., "UNKNOWN": the callback_type column. */
extern const char *const ts_frame_type_names[6];

struct ts_frame {
    struct ts_json_req json; /* owned: the parsed line (ts_frame_release) */
    bool parsed;             /* json holds the line */
    enum ts_frame_type type;
    int64_t time_ns;    /* "time", or the receive time when absent */
    const char *symbol; /* borrowed from json; NULL for STATE and ORDER */
    /* ts_frame_body(): */
    struct ts_tick tick;         /* TRADE: time in whole microseconds */
    struct ts_books_action book; /* OFFER_BOOK, PRICE_DEPTH (bids/asks point below) */
    struct ts_book_level bids[TS_BOOK_DEPTH], asks[TS_BOOK_DEPTH];
    const char *conn, *result; /* STATE; borrowed from json */
};

/*
 * Opens line (len bytes, no newline) received at recv_ns: refuses a line that is
 * not valid UTF-8 or holds NUL, or is not one JSON object (fr->parsed false: log
 * the raw line); else reads type, time (required for TRADE) and symbol (not for
 * STATE and ORDER). A bad type leaves fr->type TS_FRAME_UNKNOWN with the error.
 * fr is released with ts_frame_release() in every case.
 */
int ts_frame_open(struct ts_frame *fr, const char *line, size_t len, int64_t recv_ns,
                  struct ts_err *err) TS_MUST_CHECK;
/* The fields of fr's type: TRADE's tick (price, quantity > 0; trade_id; aggressor),
 * a book action, a STATE's conn and result. ORDER has none. */
int ts_frame_body(struct ts_frame *fr, int64_t recv_ns, struct ts_err *err) TS_MUST_CHECK;
void ts_frame_release(struct ts_frame *fr);

#endif
