/* books.c - the books of the feed's symbols. See books.h. */
#include "api/books.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

struct entry {
    char symbol[24];
    struct ts_book book;
    int64_t snapped; /* book.seq at the last snapshot */
};

struct ts_books {
    pthread_mutex_t lock;
    struct entry *e; /* TS_BOOKS_MAX */
    int n;
};

struct ts_books *ts_books_new(void)
{
    struct ts_books *bs = ts_xcalloc(1, sizeof(*bs));
    bs->e = ts_xcalloc(TS_BOOKS_MAX, sizeof(*bs->e));
    pthread_mutex_init(&bs->lock, NULL);
    return bs;
}

void ts_books_free(struct ts_books *bs)
{
    if (!bs) {
        return;
    }
    pthread_mutex_destroy(&bs->lock);
    ts_free(bs->e);
    ts_free(bs);
}

static struct entry *find(struct ts_books *bs, const char *symbol)
{
    for (int i = 0; i < bs->n; i++) {
        if (!strcmp(bs->e[i].symbol, symbol)) {
            return &bs->e[i];
        }
    }
    return NULL;
}

int ts_books_full(struct ts_books *bs, const char *symbol, const struct ts_book_level *bids,
                  int nbids, const struct ts_book_level *asks, int nasks, int64_t time_ns,
                  struct ts_err *err)
{
    int rc = 0;
    if (strlen(symbol) >= sizeof(bs->e[0].symbol)) {
        return ts_err_set(err, TS_EINVAL, "symbol too long for a book");
    }
    pthread_mutex_lock(&bs->lock);
    struct entry *e = find(bs, symbol);
    if (!e && bs->n == TS_BOOKS_MAX) {
        rc = ts_err_set(err, TS_ENOMEM, "books of more than %d symbols", TS_BOOKS_MAX);
    } else {
        if (!e) {
            e = &bs->e[bs->n++];
            snprintf(e->symbol, sizeof(e->symbol), "%s", symbol);
            ts_book_init(&e->book);
        }
        rc = ts_book_full(&e->book, bids, nbids, asks, nasks, time_ns, err);
    }
    pthread_mutex_unlock(&bs->lock);
    return rc;
}

bool ts_books_json(struct ts_books *bs, const char *symbol, int levels, struct ts_buf *out)
{
    pthread_mutex_lock(&bs->lock);
    struct entry *e = find(bs, symbol);
    if (e) {
        ts_book_json(&e->book, symbol, levels, out);
    }
    pthread_mutex_unlock(&bs->lock);
    return e != NULL;
}

int ts_books_changed_json(struct ts_books *bs, struct ts_buf *out)
{
    int n = 0;
    pthread_mutex_lock(&bs->lock);
    ts_buf_addch(out, '[');
    for (int i = 0; i < bs->n; i++) {
        struct entry *e = &bs->e[i];
        if (e->book.seq == e->snapped) {
            continue;
        }
        ts_buf_adds(out, n++ ? "," : "");
        ts_book_json(&e->book, e->symbol, TS_BOOK_DEPTH, out);
        e->snapped = e->book.seq;
    }
    ts_buf_addch(out, ']');
    pthread_mutex_unlock(&bs->lock);
    return n;
}
