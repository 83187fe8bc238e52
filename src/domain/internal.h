/*
 * internal.h - helpers shared by the files of src/domain; not a public header.
 *
 * Exact 128-bit arithmetic that src/core/dec.h does not offer (a weighted
 * average and a P&L rounded once, straight to cents, from the exact product),
 * the B3 trading-day key, enum name tables and bounded string copies.
 * Does not: allocate, read clocks or do I/O (src/domain is pure, DESIGN.md §4).
 * All functions are pure and may be called from any thread.
 */
#ifndef TS_DOMAIN_INTERNAL_H
#define TS_DOMAIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"

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

#endif
