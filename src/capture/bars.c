/*
 * bars.c - 1-minute bars from a batch of ticks (bars.h): one bar per symbol-minute,
 * found through a small open-addressing table (one pass, no sort of the ticks),
 * then sorted by symbol and minute.
 */
#include "capture/bars.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/mem.h"
#include "core/tstime.h"

static bool earlier(const struct ts_tick *a, const struct ts_tick *b)
{
    return a->time_ns != b->time_ns ? a->time_ns < b->time_ns : a->trade_id < b->trade_id;
}

static int cmp_bar(const void *a, const void *b)
{
    const struct ts_bar *x = a, *y = b;
    int c = strcmp(x->first->symbol, y->first->symbol);
    return c ? c : (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

static int64_t minute_of(int64_t ns)
{
    int64_t m = 60 * TS_NS_PER_SEC, r = ns % m;
    return ns - (r < 0 ? r + m : r);
}

static uint64_t bar_hash(const char *symbol, int64_t bucket)
{
    uint64_t h = ts_hash_str(symbol) ^ (uint64_t)bucket;
    return h ^ (h >> 29);
}

size_t ts_bars_make(const struct ts_tick *t, size_t n, const bool *fresh, struct ts_bar **out,
                    struct ts_err *err)
{
    size_t cap = 16, nb = 0, slots = 64; /* slots: a power of two >= 2 x cap */
    struct ts_bar *bars = ts_xcalloc(cap, sizeof(*bars));
    int32_t *slot = ts_xcalloc(slots, sizeof(*slot)); /* bar index + 1; 0: empty */
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (fresh && !fresh[i]) {
            continue;
        }
        const struct ts_tick *x = &t[i];
        int64_t bucket = minute_of(x->time_ns);
        size_t k = bar_hash(x->symbol, bucket) & (slots - 1);
        while (slot[k] && (bars[slot[k] - 1].bucket != bucket ||
                           strcmp(bars[slot[k] - 1].first->symbol, x->symbol) != 0)) {
            k = (k + 1) & (slots - 1);
        }
        if (!slot[k]) {
            if (nb == cap) { /* grow, and rehash into twice the slots */
                cap *= 2;
                bars = ts_xreallocarray(bars, cap, sizeof(*bars));
                ts_free(slot);
                slots *= 2;
                slot = ts_xcalloc(slots, sizeof(*slot));
                for (size_t j = 0; j < nb; j++) {
                    size_t q = bar_hash(bars[j].first->symbol, bars[j].bucket) & (slots - 1);
                    while (slot[q]) {
                        q = (q + 1) & (slots - 1);
                    }
                    slot[q] = (int32_t)j + 1;
                }
                k = bar_hash(x->symbol, bucket) & (slots - 1);
                while (slot[k]) {
                    k = (k + 1) & (slots - 1);
                }
            }
            bars[nb] = (struct ts_bar){x, x, bucket, 0, x->price, x->price, 0};
            slot[k] = (int32_t)++nb;
        }
        struct ts_bar *b = &bars[slot[k] - 1];
        b->first = earlier(x, b->first) ? x : b->first;
        b->last = earlier(b->last, x) ? x : b->last;
        b->high = x->price > b->high ? x->price : b->high;
        b->low = x->price < b->low ? x->price : b->low;
        b->count++;
        if (ts_dec_add(b->volume, x->volume, &b->volume)) {
            rc = ts_err_set(err, TS_EINVAL,
                            "the volume of %s in one minute is beyond DECIMAL(18,8)", x->symbol);
        }
    }
    ts_free(slot);
    qsort(bars, nb, sizeof(*bars), cmp_bar);
    *out = bars;
    return rc ? (size_t)-1 : nb;
}
