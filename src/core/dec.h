/*
 * dec.h - fixed-point decimal for prices, quantities and money (DESIGN.md §3).
 *
 * A ts_dec is an int64 count of 1e-8 units: 30.5 is 3050000000. Eight places
 * match the spec's DECIMAL(18,8) columns; money stored in DECIMAL(18,2) is
 * rounded half-even at that boundary with ts_dec_round()/ts_dec_format_scale().
 *
 * Invariant: every valid ts_dec satisfies |v| <= TS_DEC_MAX, the largest value
 * DECIMAL(18,8) can store (9999999999.99999999, i.e. |value| < 10^10). Every
 * function that produces a ts_dec either keeps that invariant or fails with
 * TS_ERANGE, so whatever this module hands out can be written to PostgreSQL.
 * Values that arrive as raw integers (binary protocols) must be checked
 * with ts_dec_is_valid() before use.
 *
 * Comparison is plain integer comparison: all values share one scale, so
 * a < b, a == b, a > b and sorting by integer value are exact and correct.
 *
 * Rounding is half-even everywhere. PostgreSQL's numeric rounds half away
 * from zero, so money is rounded here before it reaches a DECIMAL(18,2)
 * column and the database never rounds for us.
 *
 * Does not: use floating point anywhere, know about currencies, parse
 * exponents ("1e5") or locale digits: a JSON number with an exponent must be
 * expanded exactly or refused by its caller.
 *
 * All functions are pure and may be called from any thread.
 */
#ifndef TS_CORE_DEC_H
#define TS_CORE_DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef int64_t ts_dec; /* 1e-8 units; |v| <= TS_DEC_MAX */

#define TS_DEC_PLACES 8
#define TS_DEC_SCALE INT64_C(100000000)        /* 1.0 */
#define TS_DEC_MAX INT64_C(999999999999999999) /* 9999999999.99999999 = DECIMAL(18,8) max */
#define TS_DEC_MIN (-TS_DEC_MAX)
#define TS_DEC_INT_DIGITS 10 /* integer digits DECIMAL(18,8) holds */

/*
 * Bytes of output buffer that always suffice for ts_dec_format*(), for any
 * int64 (valid or not) and any places: "-92233720368.54775808" + NUL.
 */
#define TS_DEC_STRLEN 22

/* A constant from an integer literal, for code and tests: TS_DEC_C(5) is 5.0. No check. */
#define TS_DEC_C(i) ((ts_dec)(i)*TS_DEC_SCALE)

/* Whether v keeps the module invariant (|v| <= TS_DEC_MAX). */
bool ts_dec_is_valid(ts_dec v);

/*
 * Parses exact decimal text: [+|-]digits[.digits]. At least one digit before
 * and after a '.', so "0.5" is accepted and ".5", "5." are not. No spaces,
 * exponent, hex, locale or non-ASCII digits. Leading zeros are accepted
 * ("007.5"). More than 8 fraction digits are accepted only when the extra
 * ones are zeros ("1.000000000"). s need not be NUL-terminated; an embedded
 * NUL is an invalid character.
 * Returns 0 and sets *out, TS_EINVAL for malformed text, TS_ERANGE for text that is
 * well formed but too precise (a non-zero 9th decimal) or too big (|value| >= 10^10).
 * *out is untouched on failure.
 */
int ts_dec_parse(const char *s, size_t len, ts_dec *out) TS_MUST_CHECK;
/* Same, and on failure explains why in err (may be NULL): "decimal has more than 8 ...". */
int ts_dec_parse_err(const char *s, size_t len, ts_dec *out, struct ts_err *err) TS_MUST_CHECK;

/*
 * Formatting. Each writes NUL-terminated text into out and returns its length
 * (without the NUL). cap >= TS_DEC_STRLEN always suffices; when cap is too
 * small they write "" (if cap > 0) and return 0, which no value produces.
 */
/* Always 8 decimals: "30.50000000", "-0.00000001", "0.00000000". */
size_t ts_dec_format(ts_dec v, char *out, size_t cap);
/* Fewest digits: "30.5", "30", "-12.3", "0". */
size_t ts_dec_format_trim(ts_dec v, char *out, size_t cap);
/*
 * Rounded half-even to places (0..8) and written with exactly that many
 * decimals: places 2 gives money text "30.50", places 0 gives "31" (no '.').
 * places outside 0..8 writes "" and returns 0.
 */
size_t ts_dec_format_scale(ts_dec v, int places, char *out, size_t cap);

/*
 * Arithmetic. Each returns 0 and sets *out, or TS_ERANGE when the exact
 * (or rounded) result is outside the invariant; *out is untouched on failure.
 * Products and quotients use a 128-bit intermediate and round half-even to 8 places.
 */
int ts_dec_add(ts_dec a, ts_dec b, ts_dec *out) TS_MUST_CHECK;
int ts_dec_sub(ts_dec a, ts_dec b, ts_dec *out) TS_MUST_CHECK;
int ts_dec_mul(ts_dec a, ts_dec b, ts_dec *out) TS_MUST_CHECK;
/* a / b; TS_EINVAL when b == 0. */
int ts_dec_div(ts_dec a, ts_dec b, ts_dec *out) TS_MUST_CHECK;
/* a * n for an integer n (a count of lots, contracts...). Exact, no rounding. */
int ts_dec_mul_int(ts_dec a, int64_t n, ts_dec *out) TS_MUST_CHECK;
/* n as a decimal (5 -> 5.0); TS_ERANGE when |n| >= 10^10. */
int ts_dec_from_int(int64_t n, ts_dec *out) TS_MUST_CHECK;

/*
 * v rounded half-even to places decimals (0..8): ts_dec_round(2.345, 2) is
 * 2.34, ts_dec_round(2.355, 2) is 2.36, ts_dec_round(-2.345, 2) is -2.34.
 * Preconditions (asserted; breaking them is a bug): 0 <= places <= 8 and
 * ts_dec_is_valid(v). The result always fits int64 but, for the few values
 * within half a step of +-10^10, is +-10^10 itself, just outside the invariant
 * (9999999999.999 -> 10000000000.00): use ts_dec_round_checked() when the
 * result is stored or computed on.
 */
ts_dec ts_dec_round(ts_dec v, int places);
/*
 * Same, for any int64 v and any places: TS_EINVAL when places is outside 0..8,
 * TS_ERANGE when the result breaks the invariant.
 */
int ts_dec_round_checked(ts_dec v, int places, ts_dec *out) TS_MUST_CHECK;

/*
 * Whether v is a whole multiple of step (v % step == 0): lot size and tick
 * size checks. Zero is a multiple of everything; negative v are allowed.
 * A step <= 0 is not a valid lot or tick size: returns false.
 */
bool ts_dec_is_multiple(ts_dec v, ts_dec step);

#endif
