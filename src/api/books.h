/*
 * books.h - the L2 books of the symbols a feed sends books for (capture/book.h),
 * shared by the feed (writer) and the REST/stream readers. Any thread (one lock).
 */
#ifndef TS_API_BOOKS_H
#define TS_API_BOOKS_H

#include <stdbool.h>

#include "capture/book.h"
#include "core/buf.h"

#define TS_BOOKS_MAX 256 /* symbols */

struct ts_books;

struct ts_books *ts_books_new(void);
void ts_books_free(struct ts_books *bs);
/* Replaces symbol's book (creating it); TS_EINVAL for a bad book, TS_ENOMEM when full. */
int ts_books_full(struct ts_books *bs, const char *symbol, const struct ts_book_level *bids,
                  int nbids, const struct ts_book_level *asks, int nasks, int64_t time_ns,
                  struct ts_err *err) TS_MUST_CHECK;
/* One book action (API.md "Feed bridge protocol"), checked as capture/book.h says. */
enum ts_books_kind { TS_BOOKS_ADD, TS_BOOKS_EDIT, TS_BOOKS_DELETE, TS_BOOKS_DELETE_FROM,
                     TS_BOOKS_FULL };
struct ts_books_action {
    enum ts_books_kind kind;
    enum ts_book_side side; /* not for FULL */
    int pos;
    ts_dec price, volume;   /* ADD, EDIT */
    const struct ts_book_level *bids, *asks; /* FULL */
    int nbids, nasks;
    int64_t time_ns;
};
/* Applies a to symbol's book (creating it); TS_EINVAL leaves the book as it was. */
int ts_books_apply(struct ts_books *bs, const char *symbol, const struct ts_books_action *a,
                   struct ts_err *err) TS_MUST_CHECK;
/* symbol's book as ts_book_json() into out; false when there is none. */
bool ts_books_json(struct ts_books *bs, const char *symbol, int levels, struct ts_buf *out);

/* The books changed since their last snapshot (with top_only: those whose best bid or
 * ask changed), as a JSON array of ts_book_json(), marked snapshotted; how many. */
int ts_books_changed_json(struct ts_books *bs, bool top_only, struct ts_buf *out);

#endif
