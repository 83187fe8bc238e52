/*
 * internal.c - exact arithmetic and small helpers shared inside src/domain.
 * See internal.h. Does not allocate, read clocks or do I/O.
 */
#include "domain/internal.h"

#include <assert.h>
#include <string.h>

#include "core/tstime.h"

ts_domain__i128 ts_domain__div_half_even(ts_domain__i128 n, ts_domain__i128 d)
{
    assert(d > 0);
    ts_domain__i128 q = n / d;
    ts_domain__i128 r = n % d;
    ts_domain__i128 twice = (r < 0 ? -r : r) * 2; /* |r| < d < 2^126: no overflow */

    if (twice > d || (twice == d && q % 2 != 0)) {
        q += n < 0 ? -1 : 1;
    }
    return q;
}

int ts_domain__put(ts_domain__i128 v, ts_dec *out)
{
    if (v < TS_DEC_MIN || v > TS_DEC_MAX) {
        return TS_ERANGE;
    }
    *out = (ts_dec)v;
    return 0;
}

int ts_domain__wavg(ts_dec p1, ts_dec q1, ts_dec p2, ts_dec q2, ts_dec *out)
{
    if (q1 < 0 || q2 <= 0 || !ts_dec_is_valid(p1) || !ts_dec_is_valid(p2) || !ts_dec_is_valid(q1) ||
        !ts_dec_is_valid(q2)) {
        return TS_EINVAL;
    }
    /* Each product < 10^36, the sum < 2^121: exact. The sum of quantities < 2^61. */
    ts_domain__i128 num = (ts_domain__i128)p1 * q1 + (ts_domain__i128)p2 * q2;
    ts_domain__i128 den = (ts_domain__i128)q1 + q2;
    return ts_domain__put(ts_domain__div_half_even(num, den), out);
}

int ts_domain__pnl_cents(ts_dec a, ts_dec b, ts_dec q, ts_dec *out)
{
    if (!ts_dec_is_valid(a) || !ts_dec_is_valid(b) || !ts_dec_is_valid(q)) {
        return TS_EINVAL;
    }
    /* |a - b| < 2 * 10^18 and |q| < 10^18: the product (1e-16 units) < 2^121. */
    ts_domain__i128 prod = ((ts_domain__i128)a - b) * q;
    /* 1e-16 units -> cents (1e-2): divide by 10^14, once, half-even. */
    ts_domain__i128 cents = ts_domain__div_half_even(prod, (ts_domain__i128)100000000000000);
    return ts_domain__put(cents * TS_DOMAIN__CENT, out);
}

bool ts_domain__is_cents(ts_dec v)
{
    return v % TS_DOMAIN__CENT == 0;
}

int ts_domain__b3_day(int64_t ns, int32_t *day, int *minute_of_day, int *weekday)
{
    struct ts_local_time lt;
    int rc = ts_time_b3_local(ns, &lt);

    if (rc != 0) {
        return rc;
    }
    if (day) {
        *day = (int32_t)(lt.year * 10000 + lt.month * 100 + lt.day);
    }
    if (minute_of_day) {
        *minute_of_day = lt.minutes_of_day;
    }
    if (weekday) {
        *weekday = lt.weekday;
    }
    return 0;
}

int ts_domain__parse_name(const char *const *names, int n, const char *s, size_t len, int *out)
{
    if (!s) {
        return TS_EINVAL;
    }
    for (int i = 0; i < n; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
            *out = i;
            return 0;
        }
    }
    return TS_EINVAL;
}

const char *ts_domain__name(const char *const *names, int n, int v)
{
    return v >= 0 && v < n ? names[v] : "?";
}

int ts_domain__copy(char *dst, size_t cap, const char *s, size_t len)
{
    assert(cap > 0);
    dst[0] = '\0';
    if (len >= cap || (len > 0 && memchr(s, '\0', len) != NULL)) {
        return TS_ERANGE;
    }
    if (len > 0) {
        memcpy(dst, s, len);
    }
    dst[len] = '\0';
    return 0;
}
