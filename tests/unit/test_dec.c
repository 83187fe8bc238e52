/*
 * test_dec.c - unit tests of src/core/dec.c: exact parsing, formatting,
 * half-even rounding and overflow-checked arithmetic of fixed-point decimals.
 *
 * Table-driven; each failing case prints its name and the test fails at the
 * end, so one run shows every broken case. Does not test the database's view
 * of DECIMAL(18,8) (tests/integration does); fuzz/fuzz_dec.c fuzzes the parser.
 */
#include "core/dec.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"

#define SENTINEL INT64_C(777777777)

/* A value written as decimal text, or INT64_MIN / INT64_MAX by name (they cannot be parsed). */
static ts_dec val(const char *s)
{
    ts_dec v;

    if (strcmp(s, "INT64_MIN") == 0) {
        return INT64_MIN;
    }
    if (strcmp(s, "INT64_MAX") == 0) {
        return INT64_MAX;
    }
    if (ts_dec_parse(s, strlen(s), &v) != 0) {
        fail_msg("test table value \"%s\" does not parse", s);
    }
    return v;
}

/* An integer written in decimal, or INT64_MIN / INT64_MAX by name. */
static int64_t int_val(const char *s)
{
    char *end;
    long long v;

    if (strcmp(s, "INT64_MIN") == 0) {
        return INT64_MIN;
    }
    if (strcmp(s, "INT64_MAX") == 0) {
        return INT64_MAX;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || end == s) {
        fail_msg("test table integer \"%s\" does not parse", s);
    }
    return v;
}

static void test_valid_decimal_text_parses_to_exact_units(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        ts_dec want;
    } cases[] = {
        {"zero", "0", 0},
        {"negative zero is zero", "-0", 0},
        {"negative zero with decimals is zero", "-0.00000000", 0},
        {"plus sign", "+1", TS_DEC_SCALE},
        {"integer", "30", INT64_C(3000000000)},
        {"one decimal", "30.5", INT64_C(3050000000)},
        {"half below one", "0.5", INT64_C(50000000)},
        {"smallest unit", "0.00000001", 1},
        {"negative smallest unit", "-0.00000001", -1},
        {"largest value DECIMAL(18,8) stores", "9999999999.99999999", TS_DEC_MAX},
        {"most negative value", "-9999999999.99999999", TS_DEC_MIN},
        {"ten integer digits", "1234567890", INT64_C(123456789000000000)},
        {"zeros beyond 8 places are exact", "1.000000000", TS_DEC_SCALE},
        {"many zeros beyond 8 places", "2.50000000000000000000000", INT64_C(250000000)},
        {"leading zeros", "007.5", INT64_C(750000000)},
        {"leading zeros do not count as digits", "0000000000001234567890.5",
         INT64_C(123456789050000000)},
        {"all eight places", "-12.34567891", INT64_C(-1234567891)},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_dec got = SENTINEL;
        int rc = ts_dec_parse(cases[i].text, strlen(cases[i].text), &got);
        EXPECT(rc == 0, cases[i].name, "parse(\"%s\") returned %d", cases[i].text, rc);
        EXPECT(rc != 0 || got == cases[i].want, cases[i].name, "parse(\"%s\") = %lld, want %lld",
               cases[i].text, (long long)got, (long long)cases[i].want);
    }
    assert_int_equal(failures, 0);
}

static void test_malformed_or_out_of_range_text_is_refused(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        size_t len; /* 0: strlen(text) */
        int want;
    } cases[] = {
        {"empty", "", 0, TS_EINVAL},
        {"sign alone", "-", 0, TS_EINVAL},
        {"plus alone", "+", 0, TS_EINVAL},
        {"point alone", ".", 0, TS_EINVAL},
        {"no digit after point", "1.", 0, TS_EINVAL},
        {"no digit before point", ".5", 0, TS_EINVAL},
        {"negative without integer digit", "-.5", 0, TS_EINVAL},
        {"leading space", " 1", 0, TS_EINVAL},
        {"trailing space", "1 ", 0, TS_EINVAL},
        {"leading tab", "\t1", 0, TS_EINVAL},
        {"exponent", "1e5", 0, TS_EINVAL},
        {"capital exponent", "1.5E+2", 0, TS_EINVAL},
        {"double sign", "--1", 0, TS_EINVAL},
        {"mixed signs", "+-1", 0, TS_EINVAL},
        {"trailing sign", "1-", 0, TS_EINVAL},
        {"two points", "1.2.3", 0, TS_EINVAL},
        {"comma as decimal separator", "1,5", 0, TS_EINVAL},
        {"digit group separator", "1_000", 0, TS_EINVAL},
        {"hex", "0x10", 0, TS_EINVAL},
        {"not a number", "NaN", 0, TS_EINVAL},
        {"infinity", "inf", 0, TS_EINVAL},
        {"arabic-indic digit one", "\xd9\xa1", 0, TS_EINVAL},
        {"fullwidth digit one", "\xef\xbc\x91", 0, TS_EINVAL},
        {"devanagari digit in fraction", "1.\xe0\xa5\xa7", 0, TS_EINVAL},
        {"embedded NUL", "1\0005", 3, TS_EINVAL},
        {"syntax error wins over range", "10000000000x", 0, TS_EINVAL},
        {"ten to the tenth", "10000000000", 0, TS_ERANGE},
        {"minus ten to the tenth", "-10000000000", 0, TS_ERANGE},
        {"just over the largest value", "10000000000.00000000", 0, TS_ERANGE},
        {"more digits than int64 holds", "123456789012345678901234567890", 0, TS_ERANGE},
        {"nine decimal places", "0.000000001", 0, TS_ERANGE},
        {"non-zero ninth place", "1.000000001", 0, TS_ERANGE},
        {"non-zero far past eighth place", "1.00000000000000000001", 0, TS_ERANGE},
        {"largest value with a non-zero ninth place", "9999999999.999999999", 0, TS_ERANGE},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        ts_dec got = SENTINEL;
        int rc = ts_dec_parse(cases[i].text, len, &got);
        EXPECT(rc == cases[i].want, cases[i].name, "parse returned %d (%s), want %d", rc,
               ts_errname(rc), cases[i].want);
        EXPECT(got == SENTINEL, cases[i].name, "out was overwritten with %lld on failure",
               (long long)got);
    }
    assert_int_equal(failures, 0);
}

static void test_parse_of_null_is_refused(void **state)
{
    ts_dec got = SENTINEL;
    (void)state;

    assert_int_equal(ts_dec_parse(NULL, 0, &got), TS_EINVAL);
    assert_int_equal(got, SENTINEL);
}

static void test_parse_errors_explain_themselves(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        int want;
        const char *msg_part;
    } cases[] = {
        {"too precise", "0.000000001", TS_ERANGE, "more than 8 decimal places"},
        {"too big", "12345678901", TS_ERANGE, "more than 10 integer digits"},
        {"bad character", "12a", TS_EINVAL, "invalid character in decimal at byte 2"},
        {"bare point", "5.", TS_EINVAL, "no digit after its point"},
        {"empty", "", TS_EINVAL, "empty decimal"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_err err = TS_ERR_INIT;
        ts_dec got;
        int rc = ts_dec_parse_err(cases[i].text, strlen(cases[i].text), &got, &err);
        EXPECT(rc == cases[i].want && err.code == cases[i].want, cases[i].name,
               "rc %d, err.code %d, want %d", rc, err.code, cases[i].want);
        EXPECT(strstr(err.msg, cases[i].msg_part) != NULL, cases[i].name,
               "message \"%s\" lacks \"%s\"", err.msg, cases[i].msg_part);
    }
    assert_int_equal(failures, 0);
}

static void test_format_writes_full_trimmed_and_money_text(void **state)
{
    static const struct {
        const char *name;
        const char *v;
        const char *full;  /* ts_dec_format */
        const char *trim;  /* ts_dec_format_trim */
        const char *money; /* ts_dec_format_scale(v, 2) */
    } cases[] = {
        {"zero", "0", "0.00000000", "0", "0.00"},
        {"price", "30.5", "30.50000000", "30.5", "30.50"},
        {"integer", "30", "30.00000000", "30", "30.00"},
        {"one", "1", "1.00000000", "1", "1.00"},
        {"negative", "-12.3", "-12.30000000", "-12.3", "-12.30"},
        {"smallest unit", "0.00000001", "0.00000001", "0.00000001", "0.00"},
        {"negative smallest unit loses its sign as money", "-0.00000001", "-0.00000001",
         "-0.00000001", "0.00"},
        {"money half rounds to even below", "2.345", "2.34500000", "2.345", "2.34"},
        {"money half rounds to even above", "2.355", "2.35500000", "2.355", "2.36"},
        {"negative money half rounds to even", "-2.345", "-2.34500000", "-2.345", "-2.34"},
        {"money above half rounds up", "2.34500001", "2.34500001", "2.34500001", "2.35"},
        {"money below half rounds down", "-2.34499999", "-2.34499999", "-2.34499999", "-2.34"},
        {"largest value", "9999999999.99999999", "9999999999.99999999", "9999999999.99999999",
         "10000000000.00"},
        {"most negative value", "-9999999999.99999999", "-9999999999.99999999",
         "-9999999999.99999999", "-10000000000.00"},
        {"int64 min, invalid but formattable", "INT64_MIN", "-92233720368.54775808",
         "-92233720368.54775808", "-92233720368.55"},
        {"int64 max, invalid but formattable", "INT64_MAX", "92233720368.54775807",
         "92233720368.54775807", "92233720368.55"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_dec v = val(cases[i].v);
        char full[TS_DEC_STRLEN], trim[TS_DEC_STRLEN], money[TS_DEC_STRLEN];
        size_t nf = ts_dec_format(v, full, sizeof(full));
        size_t nt = ts_dec_format_trim(v, trim, sizeof(trim));
        size_t nm = ts_dec_format_scale(v, 2, money, sizeof(money));

        EXPECT(strcmp(full, cases[i].full) == 0 && nf == strlen(full), cases[i].name,
               "format = \"%s\" (%zu), want \"%s\"", full, nf, cases[i].full);
        EXPECT(strcmp(trim, cases[i].trim) == 0 && nt == strlen(trim), cases[i].name,
               "format_trim = \"%s\" (%zu), want \"%s\"", trim, nt, cases[i].trim);
        EXPECT(strcmp(money, cases[i].money) == 0 && nm == strlen(money), cases[i].name,
               "format_scale(2) = \"%s\" (%zu), want \"%s\"", money, nm, cases[i].money);
        if (ts_dec_is_valid(v)) {
            ts_dec back = SENTINEL, back_trim = SENTINEL;
            EXPECT(ts_dec_parse(full, nf, &back) == 0 && back == v, cases[i].name,
                   "\"%s\" does not parse back to %lld", full, (long long)v);
            EXPECT(ts_dec_parse(trim, nt, &back_trim) == 0 && back_trim == v, cases[i].name,
                   "\"%s\" does not parse back to %lld", trim, (long long)v);
        }
    }
    assert_int_equal(failures, 0);
}

static void test_format_scale_rounds_half_even_to_any_place(void **state)
{
    static const struct {
        const char *name;
        const char *v;
        int places;
        const char *want;
    } cases[] = {
        {"half to even integer below", "2.5", 0, "2"},
        {"half to even integer above", "3.5", 0, "4"},
        {"negative half to even integer", "-2.5", 0, "-2"},
        {"negative half rounding to zero has no sign", "-0.5", 0, "0"},
        {"all eight places", "1.23456789", 8, "1.23456789"},
        {"four places", "1.23456789", 4, "1.2346"},
        {"seven places, half to even", "0.00000005", 7, "0.0000000"},
        {"seven places, half to even up", "0.00000015", 7, "0.0000002"},
        {"places above 8 are refused", "1", 9, ""},
        {"negative places are refused", "1", -1, ""},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[TS_DEC_STRLEN] = "garbage";
        size_t n = ts_dec_format_scale(val(cases[i].v), cases[i].places, out, sizeof(out));
        EXPECT(strcmp(out, cases[i].want) == 0 && n == strlen(cases[i].want), cases[i].name,
               "got \"%s\" (%zu), want \"%s\"", out, n, cases[i].want);
    }
    assert_int_equal(failures, 0);
}

static void test_format_into_a_too_small_buffer_writes_nothing(void **state)
{
    static const struct {
        const char *name;
        const char *v;
        int which; /* 0 format, 1 trim, 2 scale(2) */
        size_t cap;
        size_t want; /* 0: refused */
    } cases[] = {
        {"longest text fits TS_DEC_STRLEN", "INT64_MIN", 0, TS_DEC_STRLEN, TS_DEC_STRLEN - 1},
        {"longest text one byte short", "INT64_MIN", 0, TS_DEC_STRLEN - 1, 0},
        {"trimmed text exactly fits", "30.5", 1, 5, 4},
        {"trimmed text without room for NUL", "30.5", 1, 4, 0},
        {"money text exactly fits", "30.5", 2, 6, 5},
        {"money text without room for NUL", "30.5", 2, 5, 0},
        {"zero capacity", "1", 0, 0, 0},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[TS_DEC_STRLEN + 8];
        size_t n;

        memset(out, 'x', sizeof(out));
        if (cases[i].which == 0) {
            n = ts_dec_format(val(cases[i].v), out, cases[i].cap);
        } else if (cases[i].which == 1) {
            n = ts_dec_format_trim(val(cases[i].v), out, cases[i].cap);
        } else {
            n = ts_dec_format_scale(val(cases[i].v), 2, out, cases[i].cap);
        }
        EXPECT(n == cases[i].want, cases[i].name, "returned %zu, want %zu", n, cases[i].want);
        if (cases[i].cap == 0) {
            EXPECT(out[0] == 'x', cases[i].name, "wrote '%c' into a zero-capacity buffer", out[0]);
        } else if (n == 0) {
            EXPECT(out[0] == '\0', cases[i].name, "left \"%.8s\" instead of \"\"", out);
        }
        for (size_t k = cases[i].cap; k < sizeof(out); k++) {
            EXPECT(out[k] == 'x', cases[i].name, "wrote byte %zu beyond capacity %zu", k,
                   cases[i].cap);
        }
    }
    assert_int_equal(failures, 0);
}

static void test_format_then_parse_gives_back_every_value(void **state)
{
    uint64_t x = 0x9e3779b97f4a7c15u; /* xorshift: deterministic, no seed to record */
    int failures = 0;
    (void)state;

    for (int i = 0; i < 200000; i++) {
        char full[TS_DEC_STRLEN], trim[TS_DEC_STRLEN];
        ts_dec v, a = SENTINEL, b = SENTINEL;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* Alternate huge and small magnitudes so both ends of the range are hit. */
        v = (ts_dec)(x % (uint64_t)(i % 2 ? TS_DEC_MAX : 100000000000)) * (x >> 63 ? -1 : 1);
        size_t nf = ts_dec_format(v, full, sizeof(full));
        size_t nt = ts_dec_format_trim(v, trim, sizeof(trim));
        EXPECT(ts_dec_parse(full, nf, &a) == 0 && a == v, "random value", "%lld -> \"%s\" -> %lld",
               (long long)v, full, (long long)a);
        EXPECT(ts_dec_parse(trim, nt, &b) == 0 && b == v, "random value", "%lld -> \"%s\" -> %lld",
               (long long)v, trim, (long long)b);
        if (failures > 10) {
            break;
        }
    }
    assert_int_equal(failures, 0);
}

enum op { ADD, SUB, MUL, DIV, MUL_INT, FROM_INT };

static void test_arithmetic_rounds_half_even_and_detects_overflow(void **state)
{
    static const struct {
        const char *name;
        enum op op;
        const char *a;
        const char *b; /* for MUL_INT and FROM_INT: an integer, written as one */
        int want_rc;
        const char *want;
    } cases[] = {
        {"add", ADD, "1.5", "2.25", 0, "3.75"},
        {"add to the largest value", ADD, "9999999999.99999998", "0.00000001", 0,
         "9999999999.99999999"},
        {"add past the largest value", ADD, "9999999999.99999999", "0.00000001", TS_ERANGE, ""},
        {"add extremes of opposite sign", ADD, "9999999999.99999999", "-9999999999.99999999", 0,
         "0"},
        {"add that overflows int64", ADD, "INT64_MAX", "INT64_MAX", TS_ERANGE, ""},
        {"sub", SUB, "1", "1.00000001", 0, "-0.00000001"},
        {"sub past the most negative value", SUB, "-9999999999.99999999", "0.00000001", TS_ERANGE,
         ""},
        {"sub of int64 min", SUB, "0", "INT64_MIN", TS_ERANGE, ""},
        {"mul", MUL, "30.5", "100", 0, "3050"},
        {"mul exact half of one unit rounds to even zero", MUL, "0.00000001", "0.5", 0, "0"},
        {"mul half of three units rounds to even two", MUL, "0.00000003", "0.5", 0, "0.00000002"},
        {"mul half of five units rounds to even two", MUL, "0.00000005", "0.5", 0, "0.00000002"},
        {"mul half of seven units rounds to even four", MUL, "0.00000007", "0.5", 0, "0.00000004"},
        {"mul negative half of one unit rounds to zero", MUL, "-0.00000001", "0.5", 0, "0"},
        {"mul negative half of three units rounds to even", MUL, "-0.00000003", "0.5", 0,
         "-0.00000002"},
        {"mul negative half of five units rounds to even", MUL, "0.00000005", "-0.5", 0,
         "-0.00000002"},
        {"mul just above half rounds away from zero", MUL, "0.00000001", "0.50000001", 0,
         "0.00000001"},
        {"mul just below half rounds toward zero", MUL, "-0.00000001", "0.49999999", 0, "0"},
        {"mul near the largest value", MUL, "99999.99999999", "100000", 0, "9999999999.999"},
        {"mul to the largest value", MUL, "9999999999.99999999", "1", 0, "9999999999.99999999"},
        {"mul past the largest value", MUL, "100000", "100000", TS_ERANGE, ""},
        {"mul of the largest values", MUL, "9999999999.99999999", "9999999999.99999999", TS_ERANGE,
         ""},
        {"mul of int64 min by itself", MUL, "INT64_MIN", "INT64_MIN", TS_ERANGE, ""},
        {"mul by minus one", MUL, "9999999999.99999999", "-1", 0, "-9999999999.99999999"},
        {"div", DIV, "10", "4", 0, "2.5"},
        {"div one third", DIV, "1", "3", 0, "0.33333333"},
        {"div two thirds", DIV, "2", "3", 0, "0.66666667"},
        {"div negative two thirds", DIV, "-2", "3", 0, "-0.66666667"},
        {"div by a negative", DIV, "1", "-3", 0, "-0.33333333"},
        {"div half of one unit rounds to even zero", DIV, "0.00000001", "2", 0, "0"},
        {"div half of three units rounds to even two", DIV, "0.00000003", "2", 0, "0.00000002"},
        {"div negative half of three units", DIV, "-0.00000003", "2", 0, "-0.00000002"},
        {"div by zero", DIV, "1", "0", TS_EINVAL, ""},
        {"div zero by zero", DIV, "0", "0", TS_EINVAL, ""},
        {"div past the largest value", DIV, "9999999999.99999999", "0.00000001", TS_ERANGE, ""},
        {"div of int64 min by minus one unit", DIV, "INT64_MIN", "-0.00000001", TS_ERANGE, ""},
        {"mul_int", MUL_INT, "30.5", "100", 0, "3050"},
        {"mul_int negative", MUL_INT, "-0.00000001", "3", 0, "-0.00000003"},
        {"mul_int past the largest value", MUL_INT, "9999999999.99999999", "2", TS_ERANGE, ""},
        {"mul_int by int64 min", MUL_INT, "0.00000001", "INT64_MIN", TS_ERANGE, ""},
        {"from_int", FROM_INT, "", "5", 0, "5"},
        {"from_int most negative", FROM_INT, "", "-9999999999", 0, "-9999999999"},
        {"from_int of ten to the tenth", FROM_INT, "", "10000000000", TS_ERANGE, ""},
        {"from_int of int64 max", FROM_INT, "", "INT64_MAX", TS_ERANGE, ""},
        {"from_int of int64 min", FROM_INT, "", "INT64_MIN", TS_ERANGE, ""},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool int_operand = cases[i].op == MUL_INT || cases[i].op == FROM_INT;
        ts_dec a = cases[i].a[0] ? val(cases[i].a) : 0;
        ts_dec b = int_operand ? 0 : val(cases[i].b);
        int64_t n = int_operand ? int_val(cases[i].b) : 0;
        ts_dec got = SENTINEL;
        int rc = 0;

        switch (cases[i].op) {
        case ADD:
            rc = ts_dec_add(a, b, &got);
            break;
        case SUB:
            rc = ts_dec_sub(a, b, &got);
            break;
        case MUL:
            rc = ts_dec_mul(a, b, &got);
            break;
        case DIV:
            rc = ts_dec_div(a, b, &got);
            break;
        case MUL_INT:
            rc = ts_dec_mul_int(a, n, &got);
            break;
        case FROM_INT:
            rc = ts_dec_from_int(n, &got);
            break;
        }
        EXPECT(rc == cases[i].want_rc, cases[i].name, "returned %d (%s), want %d", rc,
               ts_errname(rc), cases[i].want_rc);
        if (cases[i].want_rc == 0) {
            ts_dec want = val(cases[i].want);
            EXPECT(got == want, cases[i].name, "got %lld, want %lld", (long long)got,
                   (long long)want);
        } else {
            EXPECT(got == SENTINEL, cases[i].name, "out was overwritten with %lld on failure",
                   (long long)got);
        }
    }
    assert_int_equal(failures, 0);
}

static void test_round_is_half_even_at_every_place(void **state)
{
    static const struct {
        const char *name;
        const char *v;
        int places;
        int want_rc; /* of ts_dec_round_checked */
        const char *want;
    } cases[] = {
        {"money half rounds to even below", "2.345", 2, 0, "2.34"},
        {"money half rounds to even above", "2.355", 2, 0, "2.36"},
        {"negative money half rounds to even", "-2.345", 2, 0, "-2.34"},
        {"negative money half rounds to even away", "-2.355", 2, 0, "-2.36"},
        {"money above half rounds up", "2.34500001", 2, 0, "2.35"},
        {"integer half to even below", "2.5", 0, 0, "2"},
        {"integer half to even above", "3.5", 0, 0, "4"},
        {"negative half to zero", "-0.5", 0, 0, "0"},
        {"eight places is the identity", "1.23456789", 8, 0, "1.23456789"},
        {"seven places", "1.23456785", 7, 0, "1.2345678"},
        {"largest value rounds past the invariant", "9999999999.99999999", 0, TS_ERANGE,
         "10000000000"},
        {"largest value rounded down stays", "9999999999.49999999", 0, 0, "9999999999"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_dec v = val(cases[i].v);
        ts_dec want = 0, got = SENTINEL;
        int rc = ts_dec_round_checked(v, cases[i].places, &got);

        if (strcmp(cases[i].want, "10000000000") == 0) {
            want = INT64_C(10000000000) * TS_DEC_SCALE; /* not parseable, by design */
        } else {
            want = val(cases[i].want);
        }
        EXPECT(ts_dec_round(v, cases[i].places) == want, cases[i].name, "round = %lld, want %lld",
               (long long)ts_dec_round(v, cases[i].places), (long long)want);
        EXPECT(rc == cases[i].want_rc, cases[i].name, "round_checked returned %d, want %d", rc,
               cases[i].want_rc);
        EXPECT(rc != 0 || got == want, cases[i].name, "round_checked = %lld, want %lld",
               (long long)got, (long long)want);
    }
    assert_int_equal(failures, 0);
}

static void test_round_checked_refuses_bad_places_and_invalid_values(void **state)
{
    static const struct {
        const char *name;
        const char *v;
        int places;
        int want_rc;
    } cases[] = {
        {"nine places", "1", 9, TS_EINVAL},
        {"negative places", "1", -1, TS_EINVAL},
        {"int64 min", "INT64_MIN", 0, TS_ERANGE},
        {"int64 max", "INT64_MAX", 8, TS_ERANGE},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_dec got = SENTINEL;
        int rc = ts_dec_round_checked(val(cases[i].v), cases[i].places, &got);
        EXPECT(rc == cases[i].want_rc && got == SENTINEL, cases[i].name,
               "returned %d with out %lld, want %d and out untouched", rc, (long long)got,
               cases[i].want_rc);
    }
    assert_int_equal(failures, 0);
}

static void test_is_multiple_checks_lot_and_tick_sizes(void **state)
{
    static const struct {
        const char *name;
        const char *v;
        const char *step;
        bool want;
    } cases[] = {
        {"three round lots", "300", "100", true},
        {"one and a half lots", "150", "100", false},
        {"zero is a multiple", "0", "100", true},
        {"negative multiple", "-300", "100", true},
        {"negative non-multiple", "-301", "100", false},
        {"price on the tick", "30.51", "0.01", true},
        {"price between ticks", "30.515", "0.01", false},
        {"price on a half-cent tick", "30.515", "0.005", true},
        {"smallest unit", "0.00000001", "0.00000001", true},
        {"zero step is not a size", "300", "0", false},
        {"negative step is not a size", "300", "-100", false},
        {"int64 min with unit step", "INT64_MIN", "0.00000001", true},
        {"any value with int64 min step", "1", "INT64_MIN", false},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = ts_dec_is_multiple(val(cases[i].v), val(cases[i].step));
        EXPECT(got == cases[i].want, cases[i].name, "is_multiple(%s, %s) = %d", cases[i].v,
               cases[i].step, (int)got);
    }
    assert_int_equal(failures, 0);
}

static void test_is_valid_matches_decimal_18_8(void **state)
{
    static const struct {
        const char *name;
        ts_dec v;
        bool want;
    } cases[] = {
        {"zero", 0, true},
        {"largest", TS_DEC_MAX, true},
        {"one past largest", TS_DEC_MAX + 1, false},
        {"most negative", TS_DEC_MIN, true},
        {"one past most negative", TS_DEC_MIN - 1, false},
        {"int64 min", INT64_MIN, false},
        {"int64 max", INT64_MAX, false},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        EXPECT(ts_dec_is_valid(cases[i].v) == cases[i].want, cases[i].name, "is_valid(%lld)",
               (long long)cases[i].v);
    }
    assert_int_equal(failures, 0);
}

static void test_comparison_is_integer_comparison(void **state)
{
    (void)state;
    /* Same scale everywhere: text order and integer order agree. */
    assert_true(val("30.5") > val("30.49999999"));
    assert_true(val("-0.00000001") < val("0"));
    assert_true(val("30.50") == val("30.5"));
    assert_true(TS_DEC_C(5) == val("5"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_decimal_text_parses_to_exact_units),
        cmocka_unit_test(test_malformed_or_out_of_range_text_is_refused),
        cmocka_unit_test(test_parse_of_null_is_refused),
        cmocka_unit_test(test_parse_errors_explain_themselves),
        cmocka_unit_test(test_format_writes_full_trimmed_and_money_text),
        cmocka_unit_test(test_format_scale_rounds_half_even_to_any_place),
        cmocka_unit_test(test_format_into_a_too_small_buffer_writes_nothing),
        cmocka_unit_test(test_format_then_parse_gives_back_every_value),
        cmocka_unit_test(test_arithmetic_rounds_half_even_and_detects_overflow),
        cmocka_unit_test(test_round_is_half_even_at_every_place),
        cmocka_unit_test(test_round_checked_refuses_bad_places_and_invalid_values),
        cmocka_unit_test(test_is_multiple_checks_lot_and_tick_sizes),
        cmocka_unit_test(test_is_valid_matches_decimal_18_8),
        cmocka_unit_test(test_comparison_is_integer_comparison),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
