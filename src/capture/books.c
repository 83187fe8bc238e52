/* books.c - the L2 books of the feed's symbols. See internal.h. */
#include "capture/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

struct entry {
    char symbol[24];
    struct ts_book book;
    int64_t snapped;  /* book.seq at the last snapshot */
    bool top_changed; /* the best bid or ask (price or volume) changed since it */
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

/* symbol's entry, created when missing; NULL (err set) when there is no room. Locked. */
static struct entry *get(struct ts_books *bs, const char *symbol, struct ts_err *err)
{
    struct entry *e = find(bs, symbol);
    if (!e && bs->n == TS_BOOKS_MAX) {
        ts_err_set(err, TS_ENOMEM, "books of more than %d symbols", TS_BOOKS_MAX);
    } else if (!e) {
        e = &bs->e[bs->n++];
        snprintf(e->symbol, sizeof(e->symbol), "%s", symbol);
        ts_book_init(&e->book);
    }
    return e;
}

static bool same_top(const struct ts_book *a, const struct ts_book *b)
{
    for (int s = 0; s < 2; s++) {
        if (a->n[s] != b->n[s] && (a->n[s] == 0 || b->n[s] == 0)) {
            return false;
        }
        if (a->n[s] && (a->side[s][0].price != b->side[s][0].price ||
                        a->side[s][0].volume != b->side[s][0].volume)) {
            return false;
        }
    }
    return true;
}

int ts_books_apply(struct ts_books *bs, const char *symbol, const struct ts_books_action *a,
                   struct ts_err *err)
{
    if (strlen(symbol) >= sizeof(bs->e[0].symbol)) {
        return ts_err_set(err, TS_EINVAL, "symbol too long for a book");
    }
    pthread_mutex_lock(&bs->lock);
    int had = bs->n;
    struct entry *e = get(bs, symbol, err);
    int rc = e ? 0 : TS_ENOMEM;
    if (e) {
        struct ts_book before = e->book;
        switch (a->kind) {
        case TS_BOOKS_ADD:
            rc = ts_book_add(&e->book, a->side, a->pos, a->price, a->volume, a->time_ns, err);
            break;
        case TS_BOOKS_EDIT:
            rc = ts_book_edit(&e->book, a->side, a->pos, a->price, a->volume, a->time_ns, err);
            break;
        case TS_BOOKS_DELETE:
            rc = ts_book_delete(&e->book, a->side, a->pos, a->time_ns, err);
            break;
        case TS_BOOKS_DELETE_FROM:
            rc = ts_book_delete_from(&e->book, a->side, a->pos, a->time_ns, err);
            break;
        case TS_BOOKS_FULL:
            rc = ts_book_full(&e->book, a->bids, a->nbids, a->asks, a->nasks, a->time_ns, err);
            break;
        }
        if (!rc && !same_top(&before, &e->book)) {
            e->top_changed = true;
        }
        if (rc && bs->n > had) {
            bs->n--; /* refused on a new symbol: no (empty) book for it */
        }
    }
    pthread_mutex_unlock(&bs->lock);
    return rc;
}

int ts_books_full(struct ts_books *bs, const char *symbol, const struct ts_book_level *bids,
                  int nbids, const struct ts_book_level *asks, int nasks, int64_t time_ns,
                  struct ts_err *err)
{
    struct ts_books_action a = {.kind = TS_BOOKS_FULL,
                                .bids = bids,
                                .nbids = nbids,
                                .asks = asks,
                                .nasks = nasks,
                                .time_ns = time_ns};
    return ts_books_apply(bs, symbol, &a, err);
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

int ts_books_changed_json(struct ts_books *bs, bool top_only, struct ts_buf *out)
{
    int n = 0;
    pthread_mutex_lock(&bs->lock);
    ts_buf_addch(out, '[');
    for (int i = 0; i < bs->n; i++) {
        struct entry *e = &bs->e[i];
        if (e->book.seq == e->snapped || (top_only && !e->top_changed)) {
            continue;
        }
        ts_buf_adds(out, n++ ? "," : "");
        ts_book_json(&e->book, e->symbol, TS_BOOK_DEPTH, out);
        e->snapped = e->book.seq;
        e->top_changed = false;
    }
    ts_buf_addch(out, ']');
    pthread_mutex_unlock(&bs->lock);
    return n;
}
