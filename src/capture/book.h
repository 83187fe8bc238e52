/*
 * book.h - an L2 order book (price levels, best first) maintained from a feed's
 * book actions, ProfitDLL-style (API.md "Feed bridge protocol", OFFER_BOOK /
 * PRICE_DEPTH): add a level at a position, edit the level at a position, delete
 * the level at a position, delete from a position to the end of the side, or
 * replace the whole book. Positions count from the best level (0).
 *
 * Every action is checked before it changes anything: a position out of range, a
 * price that would break the side's order (bids strictly descending, asks strictly
 * ascending), a price or volume <= 0 refuse the action with TS_EINVAL and leave the
 * book as it was. A crossed book (best bid >= best ask) is allowed: feeds show it
 * briefly during auctions.
 *
 * Pure: no clock, no I/O. One book per symbol; one thread at a time.
 */
#ifndef TS_CAPTURE_BOOK_H
#define TS_CAPTURE_BOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/dec.h"
#include "core/err.h"

#define TS_BOOK_DEPTH 50 /* levels kept per side */

enum ts_book_side { TS_BOOK_BID, TS_BOOK_ASK };

struct ts_book_level {
    ts_dec price;  /* > 0 */
    ts_dec volume; /* > 0 */
};

struct ts_book {
    struct ts_book_level side[2][TS_BOOK_DEPTH];
    int n[2];
    int64_t seq;     /* actions applied */
    int64_t time_ns; /* time of the last action */
};

void ts_book_init(struct ts_book *b);
int ts_book_add(struct ts_book *b, enum ts_book_side s, int pos, ts_dec price, ts_dec volume,
                int64_t time_ns, struct ts_err *err) TS_MUST_CHECK;
int ts_book_edit(struct ts_book *b, enum ts_book_side s, int pos, ts_dec price, ts_dec volume,
                 int64_t time_ns, struct ts_err *err) TS_MUST_CHECK;
int ts_book_delete(struct ts_book *b, enum ts_book_side s, int pos, int64_t time_ns,
                   struct ts_err *err) TS_MUST_CHECK;
int ts_book_delete_from(struct ts_book *b, enum ts_book_side s, int pos, int64_t time_ns,
                        struct ts_err *err) TS_MUST_CHECK;
/* Replaces both sides (each best first, at most TS_BOOK_DEPTH levels). */
int ts_book_full(struct ts_book *b, const struct ts_book_level *bids, int nbids,
                 const struct ts_book_level *asks, int nasks, int64_t time_ns,
                 struct ts_err *err) TS_MUST_CHECK;

/* Best bid / ask (false when that side is empty). */
bool ts_book_best(const struct ts_book *b, enum ts_book_side s, ts_dec *price);
/*
 * {"symbol":..,"seq":..,"time":..,"best_bid":..|null,"best_ask":..|null,"spread":..|null,
 *  "bids":[{"price":..,"volume":..},...],"asks":[...]} with at most `levels` per side.
 */
void ts_book_json(const struct ts_book *b, const char *symbol, int levels, struct ts_buf *out);

/* One book action of a feed (docs/api.md "Feed bridge protocol"), for a store of books
 * (capture's books.c applies it with the checks above). */
enum ts_books_kind {
    TS_BOOKS_ADD,
    TS_BOOKS_EDIT,
    TS_BOOKS_DELETE,
    TS_BOOKS_DELETE_FROM,
    TS_BOOKS_FULL
};
struct ts_books_action {
    enum ts_books_kind kind;
    enum ts_book_side side; /* not for FULL */
    int pos;
    ts_dec price, volume;                    /* ADD, EDIT */
    const struct ts_book_level *bids, *asks; /* FULL */
    int nbids, nasks;
    int64_t time_ns;
};

#endif
