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
/* symbol's book as ts_book_json() into out; false when there is none. */
bool ts_books_json(struct ts_books *bs, const char *symbol, int levels, struct ts_buf *out);

/* The books changed since the last call, as a JSON array of ts_book_json(); how many. */
int ts_books_changed_json(struct ts_books *bs, struct ts_buf *out);

#endif
