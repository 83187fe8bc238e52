/* book.c - an L2 order book. See book.h. */
#include "capture/book.h"

#include <inttypes.h>
#include <string.h>

#include "core/tstime.h"

static const char *const side_names[2] = {"bid", "ask"};

void ts_book_init(struct ts_book *b)
{
    memset(b, 0, sizeof(*b));
}

/* Whether price may sit at pos of side s, its neighbours being lo (better) and hi (worse). */
static bool ordered(enum ts_book_side s, const struct ts_book_level *better,
                    const struct ts_book_level *worse, ts_dec price)
{
    if (s == TS_BOOK_BID) {
        return (!better || better->price > price) && (!worse || worse->price < price);
    }
    return (!better || better->price < price) && (!worse || worse->price > price);
}

static int check_level(enum ts_book_side s, ts_dec price, ts_dec volume, struct ts_err *err)
{
    if (price <= 0 || volume <= 0) {
        return ts_err_set(err, TS_EINVAL, "%s level: price and volume must be > 0", side_names[s]);
    }
    return 0;
}

static void applied(struct ts_book *b, int64_t time_ns)
{
    b->seq++;
    b->time_ns = time_ns;
}

int ts_book_add(struct ts_book *b, enum ts_book_side s, int pos, ts_dec price, ts_dec volume,
                int64_t time_ns, struct ts_err *err)
{
    int n = b->n[s];
    struct ts_book_level *l = b->side[s];
    int rc = check_level(s, price, volume, err);
    if (rc) {
        return rc;
    }
    if (pos < 0 || pos > n || pos >= TS_BOOK_DEPTH) {
        return ts_err_set(err, TS_EINVAL, "add %s at position %d: the side has %d levels",
                          side_names[s], pos, n);
    }
    if (!ordered(s, pos > 0 ? &l[pos - 1] : NULL, pos < n ? &l[pos] : NULL, price)) {
        return ts_err_set(err, TS_EINVAL, "add %s at position %d: price out of order",
                          side_names[s], pos);
    }
    int keep = n < TS_BOOK_DEPTH ? n : TS_BOOK_DEPTH - 1; /* the worst level falls off */
    memmove(&l[pos + 1], &l[pos], (size_t)(keep - pos) * sizeof(*l));
    l[pos] = (struct ts_book_level){price, volume};
    b->n[s] = keep + 1;
    applied(b, time_ns);
    return 0;
}

int ts_book_edit(struct ts_book *b, enum ts_book_side s, int pos, ts_dec price, ts_dec volume,
                 int64_t time_ns, struct ts_err *err)
{
    int n = b->n[s];
    struct ts_book_level *l = b->side[s];
    int rc = check_level(s, price, volume, err);
    if (rc) {
        return rc;
    }
    if (pos < 0 || pos >= n) {
        return ts_err_set(err, TS_EINVAL, "edit %s at position %d: the side has %d levels",
                          side_names[s], pos, n);
    }
    if (!ordered(s, pos > 0 ? &l[pos - 1] : NULL, pos + 1 < n ? &l[pos + 1] : NULL, price)) {
        return ts_err_set(err, TS_EINVAL, "edit %s at position %d: price out of order",
                          side_names[s], pos);
    }
    l[pos] = (struct ts_book_level){price, volume};
    applied(b, time_ns);
    return 0;
}

int ts_book_delete(struct ts_book *b, enum ts_book_side s, int pos, int64_t time_ns,
                   struct ts_err *err)
{
    int n = b->n[s];
    if (pos < 0 || pos >= n) {
        return ts_err_set(err, TS_EINVAL, "delete %s at position %d: the side has %d levels",
                          side_names[s], pos, n);
    }
    memmove(&b->side[s][pos], &b->side[s][pos + 1], (size_t)(n - pos - 1) * sizeof(b->side[s][0]));
    b->n[s] = n - 1;
    applied(b, time_ns);
    return 0;
}

int ts_book_delete_from(struct ts_book *b, enum ts_book_side s, int pos, int64_t time_ns,
                        struct ts_err *err)
{
    if (pos < 0 || pos > b->n[s]) {
        return ts_err_set(err, TS_EINVAL, "delete %s from position %d: the side has %d levels",
                          side_names[s], pos, b->n[s]);
    }
    b->n[s] = pos;
    applied(b, time_ns);
    return 0;
}

int ts_book_full(struct ts_book *b, const struct ts_book_level *bids, int nbids,
                 const struct ts_book_level *asks, int nasks, int64_t time_ns, struct ts_err *err)
{
    const struct ts_book_level *src[2] = {bids, asks};
    int n[2] = {nbids, nasks};
    for (int s = 0; s < 2; s++) {
        if (n[s] < 0 || n[s] > TS_BOOK_DEPTH) {
            return ts_err_set(err, TS_EINVAL, "full book: %d %s levels (at most %d)", n[s],
                              side_names[s], TS_BOOK_DEPTH);
        }
        for (int i = 0; i < n[s]; i++) {
            int rc = check_level((enum ts_book_side)s, src[s][i].price, src[s][i].volume, err);
            if (rc) {
                return rc;
            }
            if (i > 0 && !ordered((enum ts_book_side)s, &src[s][i - 1], NULL, src[s][i].price)) {
                return ts_err_set(err, TS_EINVAL, "full book: %s level %d out of order",
                                  side_names[s], i);
            }
        }
    }
    for (int s = 0; s < 2; s++) {
        memcpy(b->side[s], src[s], (size_t)n[s] * sizeof(*src[s]));
        b->n[s] = n[s];
    }
    applied(b, time_ns);
    return 0;
}

bool ts_book_best(const struct ts_book *b, enum ts_book_side s, ts_dec *price)
{
    if (!b->n[s]) {
        return false;
    }
    *price = b->side[s][0].price;
    return true;
}

void ts_book_json(const struct ts_book *b, const char *symbol, int levels, struct ts_buf *out)
{
    char p[48], v[48], t[40];
    ts_dec bid = 0, ask = 0;
    bool hb = ts_book_best(b, TS_BOOK_BID, &bid), ha = ts_book_best(b, TS_BOOK_ASK, &ask);
    ts_buf_adds(out, "{\"symbol\":");
    ts_buf_add_json_str(out, symbol);
    ts_buf_addf(out, ",\"seq\":%" PRId64 ",\"time\":", b->seq);
    if (b->time_ns) {
        ts_time_format_rfc3339(b->time_ns, t, sizeof(t));
        ts_buf_addf(out, "\"%s\"", t);
    } else {
        ts_buf_adds(out, "null");
    }
    const char *names[3] = {"best_bid", "best_ask", "spread"};
    ts_dec vals[3] = {bid, ask, ask - bid};
    bool have[3] = {hb, ha, hb && ha};
    for (int i = 0; i < 3; i++) {
        ts_buf_addf(out, ",\"%s\":", names[i]);
        if (have[i]) {
            ts_dec_format(vals[i], p, sizeof(p));
            ts_buf_addf(out, "\"%s\"", p);
        } else {
            ts_buf_adds(out, "null");
        }
    }
    for (int s = 0; s < 2; s++) {
        ts_buf_addf(out, ",\"%s\":[", s == TS_BOOK_BID ? "bids" : "asks");
        for (int i = 0; i < b->n[s] && i < levels; i++) {
            ts_dec_format(b->side[s][i].price, p, sizeof(p));
            ts_dec_format(b->side[s][i].volume, v, sizeof(v));
            ts_buf_addf(out, "%s{\"price\":\"%s\",\"volume\":\"%s\"}", i ? "," : "", p, v);
        }
        ts_buf_addch(out, ']');
    }
    ts_buf_addch(out, '}');
}
