/*
 * risk_table.c - the keys of the risk state and the two tables that hold
 * limits and counters by key (domain/internal.h, "Risk").
 *
 * A key is (account|any, strategy|any, symbol|any), zero-padded so that
 * equality is one memcmp. The parts of an order are hashed once (the
 * symbol with FNV-1a, the UUIDs by their own bits, each spread by
 * ts_hash_mix, core/hash.h) and combined per key shape; "any" hashes to 0.
 * The tables use linear probing over a power-of-two capacity at load <= 1/2,
 * with backward-shift deletion (no tombstones). Lookups allocate nothing (the
 * check's path); growth happens in ts_risk__table_reserve(), off the check.
 * Does not: know what a slot holds beyond its header, do I/O, read clocks.
 */
#include "domain/internal.h"

#include <assert.h>
#include <string.h>

#include "core/hash.h"
#include "core/mem.h"

/* ------------------------------------------------------------------------------------------- */
/* Keys and hashes */

const struct ts_risk__shape ts_risk__shapes[TS_RISK__NSHAPES] = {
    {TS_RISK__K_ACCOUNT, TS_RISK_SCOPE_ACCOUNT},
    {TS_RISK__K_ACCOUNT | TS_RISK__K_STRATEGY, TS_RISK_SCOPE_STRATEGY},
    {TS_RISK__K_STRATEGY, TS_RISK_SCOPE_STRATEGY},
    {TS_RISK__K_ACCOUNT | TS_RISK__K_STRATEGY | TS_RISK__K_SYMBOL, TS_RISK_SCOPE_SYMBOL},
    {TS_RISK__K_ACCOUNT | TS_RISK__K_SYMBOL, TS_RISK_SCOPE_SYMBOL},
    {TS_RISK__K_STRATEGY | TS_RISK__K_SYMBOL, TS_RISK_SCOPE_SYMBOL},
    {TS_RISK__K_SYMBOL, TS_RISK_SCOPE_SYMBOL},
};

static uint64_t hash_uuid(const struct ts_uuid *u)
{
    uint64_t a, b;

    memcpy(&a, u->b, 8);
    memcpy(&b, u->b + 8, 8);
    if ((a | b) == 0) {
        return 0; /* nil: "any" */
    }
    return ts_hash_mix(a ^ ts_hash_mix(b));
}

/* FNV-1a, then mixed: combine() needs every input bit to reach every output bit. */
static uint64_t hash_symbol(const char *s, size_t len)
{
    if (len == 0) {
        return 0; /* "": "any" */
    }
    return ts_hash_mix(ts_hash_add(TS_HASH_FNV_OFFSET, s, len));
}

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t combine(uint64_t ha, uint64_t hs, uint64_t hy)
{
    return ts_hash_mix(ha ^ rotl(hs, 21) ^ rotl(hy, 42) ^ UINT64_C(0x9e3779b97f4a7c15));
}

int ts_risk__parts_init(struct ts_risk__parts *p, const struct ts_uuid *account,
                        const struct ts_uuid *strategy, const char *symbol, bool symbol_required)
{
    static const struct ts_uuid nil;
    size_t len = symbol ? strnlen(symbol, TS_SYMBOL_MAX + 1) : 0;

    if (len > TS_SYMBOL_MAX || (symbol_required && len == 0)) {
        return TS_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)symbol[i];
        if (c <= ' ' || c >= 0x7f) {
            return TS_EINVAL;
        }
    }
    p->account = account ? *account : nil;
    p->strategy = strategy ? *strategy : nil;
    memset(p->symbol, 0, sizeof(p->symbol));
    if (len > 0) {
        memcpy(p->symbol, symbol, len);
    }
    p->ha = hash_uuid(&p->account);
    p->hs = hash_uuid(&p->strategy);
    p->hy = hash_symbol(p->symbol, len);
    return 0;
}

uint64_t ts_risk__key_of(const struct ts_risk__parts *p, unsigned mask, struct ts_risk__key *k)
{
    memset(k, 0, sizeof(*k));
    if (mask & TS_RISK__K_ACCOUNT) {
        k->account = p->account;
    }
    if (mask & TS_RISK__K_STRATEGY) {
        k->strategy = p->strategy;
    }
    if (mask & TS_RISK__K_SYMBOL) {
        memcpy(k->symbol, p->symbol, sizeof(k->symbol));
    }
    return combine(mask & TS_RISK__K_ACCOUNT ? p->ha : 0, mask & TS_RISK__K_STRATEGY ? p->hs : 0,
                   mask & TS_RISK__K_SYMBOL ? p->hy : 0);
}

/* ------------------------------------------------------------------------------------------- */
/* Tables */

#define TABLE_MAX_CAPACITY ((size_t)1 << 25) /* slots; configs are bounded to 2^24 entries */

struct ts_risk__hdr *ts_risk__slot_at(const struct ts_risk__table *t, size_t i)
{
    return (struct ts_risk__hdr *)(t->slots + i * t->slot_size);
}

void ts_risk__table_init(struct ts_risk__table *t, size_t slot_size, size_t expected)
{
    size_t cap = 16;

    while (cap < expected * 2) {
        cap *= 2;
    }
    t->slots = ts_xcalloc(cap, slot_size);
    t->slot_size = slot_size;
    t->mask = cap - 1;
    t->count = 0;
}

void ts_risk__table_release(struct ts_risk__table *t)
{
    ts_free(t->slots);
    memset(t, 0, sizeof(*t));
}

struct ts_risk__hdr *ts_risk__table_find(const struct ts_risk__table *t, uint64_t h,
                                         const struct ts_risk__key *k)
{
    size_t i = h & t->mask;

    for (;;) { /* terminates: load <= 1/2 leaves empty slots */
        struct ts_risk__hdr *s = ts_risk__slot_at(t, i);
        if (!s->used) {
            return NULL;
        }
        if (s->hash == h && memcmp(&s->key, k, sizeof(*k)) == 0) {
            return s;
        }
        i = (i + 1) & t->mask;
    }
}

/* Places a copy of slot src (used) into t, which has room and does not hold its key. */
static void table_place(struct ts_risk__table *t, const struct ts_risk__hdr *src)
{
    size_t i = src->hash & t->mask;

    while (ts_risk__slot_at(t, i)->used) {
        i = (i + 1) & t->mask;
    }
    memcpy(ts_risk__slot_at(t, i), src, t->slot_size);
    t->count++;
}

int ts_risk__table_reserve(struct ts_risk__table *t, size_t extra)
{
    size_t cap = t->mask + 1;

    if ((t->count + extra) * 2 <= cap) {
        return 0;
    }
    while ((t->count + extra) * 2 > cap) {
        if (cap >= TABLE_MAX_CAPACITY) {
            return TS_ERANGE;
        }
        cap *= 2;
    }
    struct ts_risk__table n = {ts_xcalloc(cap, t->slot_size), t->slot_size, cap - 1, 0};
    for (size_t i = 0; i <= t->mask; i++) {
        struct ts_risk__hdr *s = ts_risk__slot_at(t, i);
        if (s->used) {
            table_place(&n, s);
        }
    }
    ts_free(t->slots);
    *t = n;
    return 0;
}

struct ts_risk__hdr *ts_risk__table_get(struct ts_risk__table *t, uint64_t h,
                                        const struct ts_risk__key *k)
{
    struct ts_risk__hdr *s = ts_risk__table_find(t, h, k);
    size_t i = h & t->mask;

    if (s) {
        return s;
    }
    assert((t->count + 1) * 2 <= t->mask + 1);
    while (ts_risk__slot_at(t, i)->used) {
        i = (i + 1) & t->mask;
    }
    s = ts_risk__slot_at(t, i);
    memset(s, 0, t->slot_size);
    s->hash = h;
    s->used = 1;
    s->key = *k;
    t->count++;
    return s;
}

/* Shifts back the entries of s's probe run into the hole it leaves (no tombstones). */
void ts_risk__table_remove(struct ts_risk__table *t, struct ts_risk__hdr *s)
{
    size_t i = (size_t)((unsigned char *)s - t->slots) / t->slot_size;
    size_t j = i;

    memset(ts_risk__slot_at(t, i), 0, t->slot_size);
    t->count--;
    for (;;) {
        j = (j + 1) & t->mask;
        struct ts_risk__hdr *e = ts_risk__slot_at(t, j);
        if (!e->used) {
            return;
        }
        size_t home = e->hash & t->mask;
        /* e may move to the hole at i unless its home lies cyclically in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            memcpy(ts_risk__slot_at(t, i), e, t->slot_size);
            memset(e, 0, t->slot_size);
            i = j;
        }
    }
}

const struct ts_risk__counter_slot *ts_risk__find_counters(const struct ts_risk_state *st,
                                                           const struct ts_risk__parts *p,
                                                           unsigned mask)
{
    struct ts_risk__key k;
    uint64_t h = ts_risk__key_of(p, mask, &k);
    return (const struct ts_risk__counter_slot *)ts_risk__table_find(&st->counters, h, &k);
}
