/*
 * internal.h - helpers shared by the files of src/domain; not a public header.
 *
 * Exact 128-bit arithmetic that src/core/dec.h does not offer (a weighted
 * average and a P&L rounded once, straight to cents, from the exact product),
 * the B3 trading-day key, enum name tables and bounded string copies; then
 * the keys and tables of the risk state (section "Risk").
 * Does not: read clocks or do I/O (src/domain is pure, DESIGN.md §4). The
 * helpers before "Risk" are pure, allocate nothing and may be called from any
 * thread; the risk tables belong to the thread that owns their state.
 */
#ifndef TS_DOMAIN_INTERNAL_H
#define TS_DOMAIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"
#include "domain/risk.h"

__extension__ typedef __int128 ts_domain__i128; /* GNU extension, named in CONVENTIONS.md */

#define TS_DOMAIN__CENT (TS_DEC_SCALE / 100) /* 0.01 as a ts_dec */

/* n / d rounded half-even; d > 0 (asserted), |n| < 2^126. */
ts_domain__i128 ts_domain__div_half_even(ts_domain__i128 n, ts_domain__i128 d);

/* v (a count of 1e-8 units) as a ts_dec: 0, or TS_ERANGE when outside the dec.h invariant. */
int ts_domain__put(ts_domain__i128 v, ts_dec *out) TS_MUST_CHECK;

/*
 * (p1 * q1 + p2 * q2) / (q1 + q2), rounded once, half-even, to 8 places: the
 * volume-weighted average price of two lots. Needs q1 >= 0, q2 > 0 (TS_EINVAL
 * otherwise); TS_ERANGE when the result breaks the invariant.
 */
int ts_domain__wavg(ts_dec p1, ts_dec q1, ts_dec p2, ts_dec q2, ts_dec *out) TS_MUST_CHECK;

/*
 * (a - b) * q rounded once, half-even, to cents (a ts_dec whose last six
 * digits are 0): P&L of q units bought at b and valued at a. TS_ERANGE when
 * the result breaks the invariant.
 */
int ts_domain__pnl_cents(ts_dec a, ts_dec b, ts_dec q, ts_dec *out) TS_MUST_CHECK;

/* Whether v is a whole number of cents. */
bool ts_domain__is_cents(ts_dec v);

/*
 * The B3 local calendar date of instant ns as yyyymmdd (20261124): the key of
 * the trading day for daily counters. Also the minute of the local day and
 * the weekday when those pointers are not NULL. Returns what
 * ts_time_b3_local() returns (0 for every instant today).
 */
int ts_domain__b3_day(int64_t ns, int32_t *day, int *minute_of_day, int *weekday) TS_MUST_CHECK;

/*
 * Index of s (exactly, case-sensitive, len bytes, no NUL needed) in
 * names[0..n-1] into *out: 0, or TS_EINVAL (also for s == NULL), *out untouched.
 */
int ts_domain__parse_name(const char *const *names, int n, const char *s, size_t len,
                          int *out) TS_MUST_CHECK;

/* names[v] when 0 <= v < n, else "?" (a bug: enums are checked on input). */
const char *ts_domain__name(const char *const *names, int n, int v);

/*
 * Daily counters (position.h struct ts_daily_stats) for an event of B3 day
 * day (yyyymmdd): a later day resets them first, an earlier day is ignored
 * (0, nothing added). realized (cents) and the counts are added, checked:
 * TS_ERANGE on overflow, st untouched.
 */
struct ts_daily_stats;
int ts_domain__daily_add(struct ts_daily_stats *st, int32_t day, ts_dec realized, int64_t trades,
                         int64_t orders) TS_MUST_CHECK;

/*
 * Copies s[0..len) into dst (cap bytes) with a NUL: 0, or TS_ERANGE when
 * len >= cap or s contains a NUL (dst is then set to "").
 */
int ts_domain__copy(char *dst, size_t cap, const char *s, size_t len) TS_MUST_CHECK;

/* ------------------------------------------------------------------------------------------- */
/*
 * Risk: the keys and tables behind risk.h, shared by risk.c (state, limits,
 * text), risk_table.c (keys, hashes, tables), risk_counters.c and risk_check.c.
 * A key is (account|any, strategy|any, symbol|any); two open-addressing tables
 * (struct ts_risk__table, risk.h) map keys to limits and to counters. Owned by
 * the thread that owns the struct ts_risk_state (the OMS thread).
 */

struct ts_risk__key {
    struct ts_uuid account;         /* nil = any */
    struct ts_uuid strategy;        /* nil = any */
    char symbol[TS_SYMBOL_MAX + 1]; /* "" = any; zero-padded to the end: equality is one memcmp */
};

/* Which parts of the order a key keeps. */
enum {
    TS_RISK__K_ACCOUNT = 1,
    TS_RISK__K_STRATEGY = 2,
    TS_RISK__K_SYMBOL = 4,
};

/* A key shape a limit may have, and its scope. */
struct ts_risk__shape {
    unsigned mask; /* TS_RISK__K_* */
    enum ts_risk_scope scope;
};

#define TS_RISK__NSHAPES 7
/* The key shapes in evaluation order (risk.h). */
extern const struct ts_risk__shape ts_risk__shapes[TS_RISK__NSHAPES];

/* The start of every slot of a table. */
struct ts_risk__hdr {
    uint64_t hash;
    uint32_t used; /* 0: empty slot */
    struct ts_risk__key key;
};

struct ts_risk__limit_slot {
    struct ts_risk__hdr h;
    struct ts_risk_limit limit;
};

struct ts_risk__counter_slot {
    struct ts_risk__hdr h;
    ts_dec position;             /* signed net quantity; keys with a symbol only */
    ts_dec unrealized;           /* cents */
    struct ts_daily_stats daily; /* realized, trades, orders of daily.day */
};

/* The parts of an (account, strategy, symbol) and their hashes, computed once. */
struct ts_risk__parts {
    struct ts_uuid account;
    struct ts_uuid strategy;
    char symbol[TS_SYMBOL_MAX + 1]; /* zero-padded */
    uint64_t ha, hs, hy;            /* 0 for "any" */
};

/*
 * Fills p (NULL ids are "any"): 0, or TS_EINVAL when symbol is too long, has a
 * byte outside printable non-space ASCII, or is NULL/"" and symbol_required.
 */
int ts_risk__parts_init(struct ts_risk__parts *p, const struct ts_uuid *account,
                        const struct ts_uuid *strategy, const char *symbol,
                        bool symbol_required) TS_MUST_CHECK;
/* The key of shape mask (TS_RISK__K_*) over p into *k, and its hash. */
uint64_t ts_risk__key_of(const struct ts_risk__parts *p, unsigned mask, struct ts_risk__key *k);

/*
 * The tables: linear probing, power-of-two capacity, load <= 1/2, backward-shift
 * deletion. Only init, reserve and release allocate (ts_xcalloc: aborts on OOM).
 */
void ts_risk__table_init(struct ts_risk__table *t, size_t slot_size, size_t expected);
void ts_risk__table_release(struct ts_risk__table *t);
/* Slot i (0..mask); borrowed, valid until the table changes. */
struct ts_risk__hdr *ts_risk__slot_at(const struct ts_risk__table *t, size_t i);
/* The slot of key k (hash h), or NULL. Borrowed, valid until the table changes. */
struct ts_risk__hdr *ts_risk__table_find(const struct ts_risk__table *t, uint64_t h,
                                         const struct ts_risk__key *k);
/* Room for extra more keys at load <= 1/2: 0, or TS_ERANGE (too many keys). */
int ts_risk__table_reserve(struct ts_risk__table *t, size_t extra) TS_MUST_CHECK;
/* The slot of k, created zeroed when absent; the caller reserved room first. */
struct ts_risk__hdr *ts_risk__table_get(struct ts_risk__table *t, uint64_t h,
                                        const struct ts_risk__key *k);
/* Removes slot s (used) of t. */
void ts_risk__table_remove(struct ts_risk__table *t, struct ts_risk__hdr *s);

/* The counters of p's key of shape mask, or NULL: borrowed, valid until st changes. */
const struct ts_risk__counter_slot *ts_risk__find_counters(const struct ts_risk_state *st,
                                                           const struct ts_risk__parts *p,
                                                           unsigned mask);

#endif
