/*
 * state.c - the order manager's memory: lookups over the reference data, the
 * working orders and open positions, the marks, and the two indexes of order refs
 * (a hash table of the refs this run knows, a Bloom filter of every ref on file).
 * No I/O and no decisions: commands.c and fills.c decide, load.c fills it from the
 * databases. OMS thread only; see internal.h for the sizes and why scans suffice.
 */
#include "oms/internal.h"

#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "core/mem.h"

void ts_oms__state_release(struct ts_oms__state *st)
{
    for (size_t i = 0; i < st->norders; i++) {
        ts_free(st->orders[i]);
    }
    ts_free(st->orders);
    ts_free(st->inst);
    ts_free(st->accts);
    ts_free(st->strats);
    ts_free(st->pos);
    ts_free(st->marks);
    ts_free(st->refs);
    ts_free(st->bloom);
    if (st->risk_ready) {
        ts_risk_state_release(&st->risk);
    }
    memset(st, 0, sizeof(*st));
}

/* ---- lookups ---- */

const struct ts_instrument *ts_oms__find_inst(const struct ts_oms__state *st, const char *sym,
                                              size_t len)
{
    for (size_t i = 0; i < st->ninst; i++) {
        if (strlen(st->inst[i].symbol) == len && !memcmp(st->inst[i].symbol, sym, len)) {
            return &st->inst[i];
        }
    }
    return NULL;
}

const struct ts_oms__account *ts_oms__find_account(const struct ts_oms__state *st,
                                                   const struct ts_uuid *id)
{
    for (size_t i = 0; i < st->naccts; i++) {
        if (!memcmp(&st->accts[i].id, id, sizeof(*id))) {
            return &st->accts[i];
        }
    }
    return NULL;
}

const struct ts_oms__strategy *ts_oms__find_strategy(const struct ts_oms__state *st,
                                                     const struct ts_uuid *id)
{
    for (size_t i = 0; i < st->nstrats; i++) {
        if (!memcmp(&st->strats[i].id, id, sizeof(*id))) {
            return &st->strats[i];
        }
    }
    return NULL;
}

struct ts_oms__order *ts_oms__find_order(const struct ts_oms__state *st, const struct ts_uuid *id)
{
    for (size_t i = 0; i < st->norders; i++) {
        if (!memcmp(&st->orders[i]->o.id, id, sizeof(*id))) {
            return st->orders[i];
        }
    }
    return NULL;
}

struct ts_oms__position *ts_oms__find_position(const struct ts_oms__state *st,
                                               const struct ts_uuid *acc,
                                               const struct ts_uuid *strat, const char *sym)
{
    for (size_t i = 0; i < st->npos; i++) {
        const struct ts_position *p = &st->pos[i].p;
        if (!memcmp(&p->account_id, acc, sizeof(*acc)) &&
            !memcmp(&p->strategy_id, strat, sizeof(*strat)) && !strcmp(p->symbol, sym)) {
            return &st->pos[i];
        }
    }
    return NULL;
}

/* ---- working orders and open positions ---- */

void ts_oms__add_order(struct ts_oms__state *st, struct ts_oms__order *w)
{
    if (st->norders == st->corders) {
        st->corders = st->corders ? st->corders * 2 : 64;
        st->orders = ts_xreallocarray(st->orders, st->corders, sizeof(w));
    }
    st->orders[st->norders++] = w;
}

void ts_oms__compact_orders(struct ts_oms__state *st)
{
    size_t k = 0;
    for (size_t i = 0; i < st->norders; i++) {
        if (ts_order_is_working(&st->orders[i]->o)) {
            st->orders[k++] = st->orders[i];
        } else {
            ts_free(st->orders[i]);
        }
    }
    st->norders = k;
}

struct ts_oms__position *ts_oms__add_position(struct ts_oms__state *st, const struct ts_position *p,
                                              const char *exchange, enum ts_asset_class ac)
{
    if (st->npos == st->cpos) {
        st->cpos = st->cpos ? st->cpos * 2 : 64;
        st->pos = ts_xreallocarray(st->pos, st->cpos, sizeof(*st->pos));
    }
    struct ts_oms__position *op = &st->pos[st->npos++];
    memset(op, 0, sizeof(*op));
    op->p = *p;
    snprintf(op->exchange, sizeof(op->exchange), "%s", exchange);
    op->asset_class = ac;
    return op;
}

void ts_oms__remove_position(struct ts_oms__state *st, struct ts_oms__position *op)
{
    size_t i = (size_t)(op - st->pos);
    memmove(&st->pos[i], &st->pos[i + 1], (st->npos - i - 1) * sizeof(*op));
    st->npos--;
}

/* ---- marks ---- */

ts_dec ts_oms__mark(const struct ts_oms__state *st, const char *sym)
{
    for (size_t i = 0; i < st->nmarks; i++) {
        if (!strcmp(st->marks[i].symbol, sym)) {
            return st->marks[i].price;
        }
    }
    return 0;
}

void ts_oms__set_mark(struct ts_oms__state *st, const char *sym, ts_dec price)
{
    for (size_t i = 0; i < st->nmarks; i++) {
        if (!strcmp(st->marks[i].symbol, sym)) {
            st->marks[i].price = price;
            return;
        }
    }
    if (st->nmarks == st->cmarks) {
        st->cmarks = st->cmarks ? st->cmarks * 2 : 64;
        st->marks = ts_xreallocarray(st->marks, st->cmarks, sizeof(*st->marks));
    }
    snprintf(st->marks[st->nmarks].symbol, sizeof(st->marks[0].symbol), "%s", sym);
    st->marks[st->nmarks++].price = price;
}

/* ---- order_ref -> id: open addressing, linear probing, at most half full ---- */

const struct ts_oms__ref *ts_oms__find_ref(const struct ts_oms__state *st, const char *ref)
{
    if (!st->crefs) {
        return NULL;
    }
    for (size_t i = ts_hash_str(ref) & (st->crefs - 1);; i = (i + 1) & (st->crefs - 1)) {
        if (!st->refs[i].ref[0]) {
            return NULL;
        }
        if (!strcmp(st->refs[i].ref, ref)) {
            return &st->refs[i];
        }
    }
}

static void ref_put(struct ts_oms__ref *tab, size_t cap, const char *ref, const struct ts_uuid *id)
{
    size_t i = ts_hash_str(ref) & (cap - 1);
    while (tab[i].ref[0] && strcmp(tab[i].ref, ref) != 0) {
        i = (i + 1) & (cap - 1);
    }
    snprintf(tab[i].ref, sizeof(tab[i].ref), "%s", ref);
    tab[i].id = *id;
}

void ts_oms__add_ref(struct ts_oms__state *st, const char *ref, const struct ts_uuid *id)
{
    if (!ref[0] || ts_oms__find_ref(st, ref)) {
        return;
    }
    if (2 * (st->nrefs + 1) > st->crefs) {
        size_t cap = st->crefs ? st->crefs * 2 : 1024;
        struct ts_oms__ref *tab = ts_xcalloc(cap, sizeof(*tab));
        for (size_t i = 0; i < st->crefs; i++) {
            if (st->refs[i].ref[0]) {
                ref_put(tab, cap, st->refs[i].ref, &st->refs[i].id);
            }
        }
        ts_free(st->refs);
        st->refs = tab;
        st->crefs = cap;
    }
    ref_put(st->refs, st->crefs, ref, id);
    st->nrefs++;
    ts_oms__bloom_add(st, ref);
}

/* ---- the Bloom filter of order refs: 7 probes by double hashing ---- */

#define BLOOM_K 7
#define BLOOM_MIN_BITS ((size_t)1 << 22) /* 512 KiB: about 1% false "maybe" at 400k refs */

/*
 * Two independent hashes of ref: FNV-1a (core/hash.h), and a multiply-xorshift
 * that shares nothing with it (double hashing needs h2 independent of h1; odd, so
 * that the probes of a power-of-two table never cycle early).
 */
static void bloom_hashes(const char *ref, uint64_t *h1, uint64_t *h2)
{
    uint64_t b = 0x9e3779b97f4a7c15ULL;
    for (const unsigned char *p = (const unsigned char *)ref; *p; p++) {
        b = (b ^ *p) * 0xff51afd7ed558ccdULL;
        b ^= b >> 29;
    }
    *h1 = ts_hash_str(ref);
    *h2 = b | 1;
}

/* A filter sized for nrefs refs and as many again (10 bits each), empty. */
void ts_oms__bloom_init(struct ts_oms__state *st, size_t nrefs)
{
    size_t bits = BLOOM_MIN_BITS;
    while (bits < nrefs * 2 * 10) {
        bits *= 2;
    }
    ts_free(st->bloom);
    st->bloom_bits = bits;
    st->bloom = ts_xcalloc(bits / 64, sizeof(uint64_t));
}

void ts_oms__bloom_add(struct ts_oms__state *st, const char *ref)
{
    uint64_t h1, h2;
    if (!st->bloom) {
        return;
    }
    bloom_hashes(ref, &h1, &h2);
    for (int i = 0; i < BLOOM_K; i++) {
        size_t bit = (size_t)(h1 + (uint64_t)i * h2) & (st->bloom_bits - 1);
        st->bloom[bit / 64] |= (uint64_t)1 << (bit % 64);
    }
}

bool ts_oms__bloom_maybe(const struct ts_oms__state *st, const char *ref)
{
    uint64_t h1, h2;
    if (!st->bloom) {
        return true; /* no filter: ask the database */
    }
    bloom_hashes(ref, &h1, &h2);
    for (int i = 0; i < BLOOM_K; i++) {
        size_t bit = (size_t)(h1 + (uint64_t)i * h2) & (st->bloom_bits - 1);
        if (!(st->bloom[bit / 64] & ((uint64_t)1 << (bit % 64)))) {
            return false;
        }
    }
    return true;
}
