/*
 * dec.c - fixed-point decimal: exact parsing, formatting, checked arithmetic.
 *
 * See dec.h for the unit (1e-8), the invariant (|v| <= TS_DEC_MAX) and the
 * rounding rule (half-even). Intermediates are 128-bit so that a product of
 * any two int64 values (< 2^126) or a dividend scaled by 1e8 (< 2^91) is exact
 * before it is rounded once. Does not allocate, use floating point, or read
 * the locale.
 */
#include "core/dec.h"

#include <assert.h>

__extension__ typedef __int128 ts_i128; /* GNU extension, named in CONVENTIONS.md */

static const int64_t pow10_tab[TS_DEC_PLACES + 1] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

static_assert(TS_DEC_SCALE == 100000000, "TS_DEC_SCALE is 10^TS_DEC_PLACES");
static_assert(TS_DEC_MAX == 10000000000 * TS_DEC_SCALE - 1, "TS_DEC_MAX is DECIMAL(18,8) max");

bool ts_dec_is_valid(ts_dec v)
{
    return v >= TS_DEC_MIN && v <= TS_DEC_MAX;
}

static bool fits(ts_i128 v)
{
    return v >= TS_DEC_MIN && v <= TS_DEC_MAX;
}

/*
 * n / d rounded half-even, d > 0. C division truncates toward zero and the
 * remainder takes the sign of n, so a discarded half or more moves the
 * quotient one step away from zero (for an exact half: only when it is odd).
 */
static ts_i128 div_half_even(ts_i128 n, ts_i128 d)
{
    assert(d > 0);
    ts_i128 q = n / d;
    ts_i128 r = n % d;
    ts_i128 twice = (r < 0 ? -r : r) * 2; /* |r| < d <= 2^64: no overflow */

    if (twice > d || (twice == d && q % 2 != 0)) {
        q += n < 0 ? -1 : 1;
    }
    return q;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9'; /* ASCII only: isdigit() would follow the locale */
}

int ts_dec_parse_err(const char *s, size_t len, ts_dec *out, struct ts_err *err)
{
    size_t i = 0, int_start, int_end, frac_start, frac_end;
    bool neg = false;
    uint64_t mag = 0;

    if (s == NULL || len == 0) {
        return ts_err_set(err, TS_EINVAL, "empty decimal");
    }
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    int_start = i;
    while (i < len && is_digit(s[i])) {
        i++;
    }
    int_end = i;
    if (int_end == int_start) {
        return ts_err_set(err, TS_EINVAL, "decimal has no digit before byte %zu", i);
    }
    frac_start = frac_end = i;
    if (i < len && s[i] == '.') {
        frac_start = ++i;
        while (i < len && is_digit(s[i])) {
            i++;
        }
        frac_end = i;
        if (frac_end == frac_start) {
            return ts_err_set(err, TS_EINVAL, "decimal has no digit after its point");
        }
    }
    if (i != len) {
        return ts_err_set(err, TS_EINVAL, "invalid character in decimal at byte %zu", i);
    }

    /* Well formed; now the range. Leading zeros do not count as digits. */
    while (int_start + 1 < int_end && s[int_start] == '0') {
        int_start++;
    }
    if (int_end - int_start > TS_DEC_INT_DIGITS) {
        return ts_err_set(err, TS_ERANGE, "decimal has more than %d integer digits",
                          TS_DEC_INT_DIGITS);
    }
    for (size_t k = frac_start + TS_DEC_PLACES; k < frac_end; k++) {
        if (s[k] != '0') {
            return ts_err_set(err, TS_ERANGE, "decimal has more than %d decimal places",
                              TS_DEC_PLACES);
        }
    }

    /* At most 10 + 8 digits: below 10^18, no overflow possible. */
    for (size_t k = int_start; k < int_end; k++) {
        mag = mag * 10 + (uint64_t)(s[k] - '0');
    }
    mag *= (uint64_t)TS_DEC_SCALE;
    for (size_t k = frac_start; k < frac_end && k - frac_start < TS_DEC_PLACES; k++) {
        mag += (uint64_t)(s[k] - '0') * (uint64_t)pow10_tab[TS_DEC_PLACES - 1 - (k - frac_start)];
    }
    assert(mag <= (uint64_t)TS_DEC_MAX);
    *out = neg ? -(ts_dec)mag : (ts_dec)mag;
    return 0;
}

int ts_dec_parse(const char *s, size_t len, ts_dec *out)
{
    return ts_dec_parse_err(s, len, out, NULL);
}

/*
 * Writes [-]int[.frac] where mag counts units of 10^-places. With trim, the
 * trailing zeros of the fraction (and a bare point) are left out.
 */
static size_t write_fixed(bool neg, uint64_t mag, int places, bool trim, char *out, size_t cap)
{
    char rev[24]; /* digits, least significant first: 20 for 2^64 + padding */
    int nd = 0, skip = 0, nfrac;
    size_t n = 0, need;

    assert(places >= 0 && places <= TS_DEC_PLACES);
    do {
        rev[nd++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag != 0);
    while (nd < places + 1) {
        rev[nd++] = '0';
    }
    if (trim) {
        while (skip < places && rev[skip] == '0') {
            skip++;
        }
    }
    nfrac = places - skip;
    need = (neg ? 1u : 0u) + (size_t)(nd - places) + (nfrac > 0 ? 1u + (size_t)nfrac : 0u);
    if (need >= cap) {
        if (cap > 0) {
            out[0] = '\0';
        }
        return 0;
    }
    if (neg) {
        out[n++] = '-';
    }
    for (int k = nd - 1; k >= places; k--) {
        out[n++] = rev[k];
    }
    if (nfrac > 0) {
        out[n++] = '.';
        for (int k = places - 1; k >= skip; k--) {
            out[n++] = rev[k];
        }
    }
    out[n] = '\0';
    assert(n == need);
    return n;
}

static uint64_t magnitude(ts_i128 v)
{
    return (uint64_t)(v < 0 ? -v : v); /* callers pass |v| <= 2^63 */
}

size_t ts_dec_format(ts_dec v, char *out, size_t cap)
{
    return write_fixed(v < 0, magnitude(v), TS_DEC_PLACES, false, out, cap);
}

size_t ts_dec_format_trim(ts_dec v, char *out, size_t cap)
{
    return write_fixed(v < 0, magnitude(v), TS_DEC_PLACES, true, out, cap);
}

size_t ts_dec_format_scale(ts_dec v, int places, char *out, size_t cap)
{
    if (places < 0 || places > TS_DEC_PLACES) {
        if (cap > 0) {
            out[0] = '\0';
        }
        return 0;
    }
    ts_i128 q = div_half_even(v, pow10_tab[TS_DEC_PLACES - places]);
    return write_fixed(q < 0, magnitude(q), places, false, out, cap);
}

static int put(ts_i128 r, ts_dec *out)
{
    if (!fits(r)) {
        return TS_ERANGE;
    }
    *out = (ts_dec)r;
    return 0;
}

int ts_dec_add(ts_dec a, ts_dec b, ts_dec *out)
{
    return put((ts_i128)a + b, out);
}

int ts_dec_sub(ts_dec a, ts_dec b, ts_dec *out)
{
    return put((ts_i128)a - b, out);
}

int ts_dec_mul(ts_dec a, ts_dec b, ts_dec *out)
{
    return put(div_half_even((ts_i128)a * b, TS_DEC_SCALE), out);
}

int ts_dec_div(ts_dec a, ts_dec b, ts_dec *out)
{
    ts_i128 n = (ts_i128)a * TS_DEC_SCALE;
    ts_i128 d = b;

    if (b == 0) {
        return TS_EINVAL;
    }
    if (d < 0) {
        n = -n;
        d = -d;
    }
    return put(div_half_even(n, d), out);
}

int ts_dec_mul_int(ts_dec a, int64_t n, ts_dec *out)
{
    return put((ts_i128)a * n, out);
}

int ts_dec_from_int(int64_t n, ts_dec *out)
{
    return put((ts_i128)n * TS_DEC_SCALE, out);
}

static ts_i128 round_to(ts_i128 v, int places)
{
    int64_t step = pow10_tab[TS_DEC_PLACES - places];
    return div_half_even(v, step) * step;
}

ts_dec ts_dec_round(ts_dec v, int places)
{
    assert(places >= 0 && places <= TS_DEC_PLACES);
    assert(ts_dec_is_valid(v));
    return (ts_dec)round_to(v, places);
}

int ts_dec_round_checked(ts_dec v, int places, ts_dec *out)
{
    if (places < 0 || places > TS_DEC_PLACES) {
        return TS_EINVAL;
    }
    return put(round_to(v, places), out);
}

bool ts_dec_is_multiple(ts_dec v, ts_dec step)
{
    if (step <= 0) {
        return false;
    }
    return v % step == 0;
}
