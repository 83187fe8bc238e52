/*
 * test_json.c - strict request reading: malformed bodies, unknown fields, types,
 * and exact decimals whether sent as strings or JSON numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"

static void test_malformed_bodies_are_refused_with_a_reason(void **state)
{
    static const struct {
        const char *name, *body, *want;
    } cases[] = {
        {"empty", "", "empty"},
        {"not json", "hello", "malformed JSON"},
        {"truncated", "{\"a\":", "malformed JSON"},
        {"trailing garbage", "{\"a\":1} x", "malformed JSON"},
        {"two objects", "{}{}", "malformed JSON"},
        {"array", "[1,2]", "must be a JSON object"},
        {"string", "\"x\"", "must be a JSON object"},
        {"trailing comma", "{\"a\":1,}", "malformed JSON"},
        {"too deep", "{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", "malformed JSON"},
        {"invalid utf-8", "{\"a\":\"\xc3\x28\"}", "malformed JSON"},
        /* json-c takes these; PostgreSQL (numeric, json, text) would not */
        {"NaN", "{\"a\":NaN}", "not one we can store"},
        {"-Infinity", "{\"a\":[-Infinity]}", "not one we can store"},
        {"exponent too large", "{\"a\":{\"b\":1e99999}}", "not one we can store"},
        {"exponent too small", "{\"a\":1.5e-99999}", "not one we can store"},
        {"integer beyond 64 bits", "{\"a\":99999999999999999999}", "beyond 64 bits"},
        {"U+0000 in a string", "{\"a\":\"x\\u0000y\"}", "U+0000"},
        /* json-c keeps keys as C strings: this key would read as "quantity" */
        {"U+0000 in a key", "{\"quantity\\u0000junk\":\"5\"}", "U+0000"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_json_req r;
        struct ts_err err = TS_ERR_INIT;
        int rc = ts_json_parse(&r, cases[i].body, strlen(cases[i].body), &err);
        if (rc != TS_EINVAL || !strstr(err.msg, cases[i].want)) {
            fail_msg("case '%s': rc %d, message '%s', want '%s'", cases[i].name, rc, err.msg,
                     cases[i].want);
        }
    }
}

/* What the database takes is still read, and written back as PostgreSQL takes it. */
static void test_storable_numbers_and_text_pass(void **state)
{
    static const char body[] = "{\"a\":-0.5e-3,\"b\":1E+300,\"c\":[0,-12,9223372036854775807],"
                               "\"d\":\"\\u00e9\\ud800/\"}";
    struct ts_json_req r;
    struct ts_err err = TS_ERR_INIT;
    struct ts_buf out = TS_BUF_INIT;
    (void)state;
    assert_int_equal(ts_json_parse(&r, body, strlen(body), &err), 0);
    ts_json_text(&r, &out);
    /* numbers keep their text; a lone surrogate escape is U+FFFD; '/' is not escaped */
    assert_string_equal(out.buf, "{\"a\":-0.5e-3,\"b\":1E+300,\"c\":[0,-12,9223372036854775807],"
                                 "\"d\":\"\xc3\xa9\xef\xbf\xbd/\"}");
    ts_buf_release(&out);
    ts_json_release(&r);
    /* an escaped backslash followed by the text u0000 is no U+0000 */
    static const char text[] = "{\"k\":\"\\\\u0000\"}";
    assert_int_equal(ts_json_parse(&r, text, strlen(text), &err), 0);
    ts_json_release(&r);
}

static void test_decimals_are_exact_from_strings_and_numbers(void **state)
{
    static const struct {
        const char *name, *body;
        ts_dec want;
        int rc;
    } cases[] = {
        {"number with two places", "{\"p\":30.10}", 3010000000, 0},
        {"number 0.1 exactly", "{\"p\":0.1}", 10000000, 0},
        {"string", "{\"p\":\"30.5\"}", 3050000000, 0},
        {"integer", "{\"p\":100}", 10000000000, 0},
        {"smallest unit", "{\"p\":\"0.00000001\"}", 1, 0},
        {"negative number", "{\"p\":-12.3}", -1230000000, 0},
        {"too precise number", "{\"p\":0.000000001}", 0, TS_EINVAL},
        {"too precise string", "{\"p\":\"1.123456789\"}", 0, TS_EINVAL},
        {"exponent", "{\"p\":1e5}", 0, TS_EINVAL},
        {"huge integer in a string", "{\"p\":\"99999999999999999999999\"}", 0, TS_EINVAL},
        {"beyond DECIMAL(18,8)", "{\"p\":\"10000000000\"}", 0, TS_EINVAL},
        {"boolean", "{\"p\":true}", 0, TS_EINVAL},
        {"object", "{\"p\":{}}", 0, TS_EINVAL},
        {"words", "{\"p\":\"thirty\"}", 0, TS_EINVAL},
        {"sql", "{\"p\":\"1; DROP TABLE orders\"}", 0, TS_EINVAL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_json_req r;
        struct ts_err err = TS_ERR_INIT;
        ts_dec v = 0;
        assert_int_equal(ts_json_parse(&r, cases[i].body, strlen(cases[i].body), &err), 0);
        int rc = ts_json_take_dec(&r, "p", true, &v, NULL, &err);
        ts_json_release(&r);
        if (rc != cases[i].rc || (rc == 0 && v != cases[i].want)) {
            fail_msg("case '%s': rc %d value %lld (%s), want rc %d value %lld", cases[i].name, rc,
                     (long long)v, err.msg, cases[i].rc, (long long)cases[i].want);
        }
        if (rc && !strstr(err.msg, "'p'")) {
            fail_msg("case '%s': the message does not name the field: %s", cases[i].name, err.msg);
        }
    }
}

static void test_unknown_fields_are_refused_by_name(void **state)
{
    const char *body = "{\"symbol\":\"PETR4\",\"quantity\":\"100\",\"colour\":\"red\"}";
    struct ts_json_req r;
    struct ts_err err = TS_ERR_INIT;
    const char *sym;
    ts_dec q;
    (void)state;
    assert_int_equal(ts_json_parse(&r, body, strlen(body), &err), 0);
    assert_int_equal(ts_json_take_str(&r, "symbol", true, 50, &sym, NULL, &err), 0);
    assert_string_equal(sym, "PETR4");
    assert_int_equal(ts_json_take_dec(&r, "quantity", true, &q, NULL, &err), 0);
    assert_int_equal(ts_json_finish(&r, &err), TS_EINVAL);
    assert_string_equal(err.msg, "unknown field 'colour'");
    ts_json_release(&r);
}

static void test_missing_null_and_wrong_types_are_told_apart(void **state)
{
    const char *body = "{\"a\":null,\"n\":\"5\",\"s\":5,\"b\":1,\"e\":\"buy\",\"u\":\"nope\","
                       "\"i\":9.5,\"long\":\"abcdef\"}"; /* U+0000: refused by the parser */
    struct ts_json_req r;
    struct ts_err err = TS_ERR_INIT;
    const char *s = NULL;
    bool present = true, b;
    int64_t n;
    int e;
    struct ts_uuid u;
    static const char *const sides[] = {"BUY", "SELL"};
    (void)state;
    assert_int_equal(ts_json_parse(&r, body, strlen(body), &err), 0);
    assert_int_equal(ts_json_take_str(&r, "missing", false, 10, &s, &present, &err), 0);
    assert_false(present);
    assert_int_equal(ts_json_take_str(&r, "missing", true, 10, &s, NULL, &err), TS_EINVAL);
    assert_string_equal(err.msg, "missing field 'missing'");
    assert_int_equal(ts_json_take_str(&r, "a", false, 10, &s, &present, &err), 0);
    assert_false(present);
    assert_int_equal(ts_json_take_int(&r, "n", true, 0, 10, &n, NULL, &err), TS_EINVAL);
    assert_int_equal(ts_json_take_str(&r, "s", true, 10, &s, NULL, &err), TS_EINVAL);
    assert_int_equal(ts_json_take_bool(&r, "b", true, &b, NULL, &err), TS_EINVAL);
    assert_int_equal(ts_json_take_enum(&r, "e", true, sides, 2, &e, NULL, &err), TS_EINVAL);
    assert_string_equal(err.msg, "field 'e' must be one of BUY, SELL");
    assert_int_equal(ts_json_take_uuid(&r, "u", true, &u, NULL, &err), TS_EINVAL);
    assert_int_equal(ts_json_take_int(&r, "i", true, 0, 10, &n, NULL, &err), TS_EINVAL);
    assert_int_equal(ts_json_take_str(&r, "long", true, 5, &s, NULL, &err), TS_EINVAL);
    assert_int_equal(ts_json_finish(&r, &err), 0);
    ts_json_release(&r);
}

static void test_unicode_strings_pass_through(void **state)
{
    const char *body = "{\"reason\":\"compra \\u00e7 \xf0\x9f\x93\x88\"}";
    struct ts_json_req r;
    struct ts_err err = TS_ERR_INIT;
    const char *s;
    (void)state;
    assert_int_equal(ts_json_parse(&r, body, strlen(body), &err), 0);
    assert_int_equal(ts_json_take_str(&r, "reason", true, 100, &s, NULL, &err), 0);
    assert_string_equal(s, "compra \xc3\xa7 \xf0\x9f\x93\x88");
    ts_json_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_bodies_are_refused_with_a_reason),
        cmocka_unit_test(test_storable_numbers_and_text_pass),
        cmocka_unit_test(test_decimals_are_exact_from_strings_and_numbers),
        cmocka_unit_test(test_unknown_fields_are_refused_by_name),
        cmocka_unit_test(test_missing_null_and_wrong_types_are_told_apart),
        cmocka_unit_test(test_unicode_strings_pass_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
