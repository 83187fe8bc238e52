/*
 * test_utf8.c - unit tests of src/core/utf8.c: sequence lengths at the edges of each
 * form, overlong forms, surrogates, > U+10FFFF, truncated sequences, character counts.
 */
#include "core/utf8.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

static void valid_and_invalid(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"", true},
        {"PETR4", true},
        {"a\xc3\xa7\xc3\xa3o", true}, /* ação */
        {"\xe2\x82\xac", true},       /* U+20AC */
        {"\xf0\x9f\x93\x88", true},   /* U+1F4C8 */
        {"\xf4\x8f\xbf\xbf", true},   /* U+10FFFF */
        {"\xc0\xaf", false},          /* overlong '/' */
        {"\xc1\xbf", false},          /* overlong */
        {"\xe0\x80\xaf", false},      /* overlong, 3 bytes */
        {"\xf0\x80\x80\xaf", false},  /* overlong, 4 bytes */
        {"\xed\xa0\x80", false},      /* surrogate U+D800 */
        {"\xf4\x90\x80\x80", false},  /* U+110000 */
        {"\xf5\x80\x80\x80", false},
        {"\xff\xfe", false},
        {"\x80", false},        /* lone continuation */
        {"\xc3", false},        /* truncated */
        {"\xe2\x82", false},    /* truncated */
        {"ok\xe2\x82x", false}, /* bad continuation */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (ts_utf8_valid(cases[i].s, strlen(cases[i].s)) != cases[i].ok) {
            fail_msg("case %zu", i);
        }
    }
}

static void sequences_and_chars(void **state)
{
    (void)state;
    assert_int_equal(ts_utf8_seq("A", 1), 1);
    assert_int_equal(ts_utf8_seq("\xc3\xa7", 2), 2);
    assert_int_equal(ts_utf8_seq("\xc3\xa7", 1), 0); /* not all of it available */
    assert_int_equal(ts_utf8_seq("\xe2\x82\xac", 3), 3);
    assert_int_equal(ts_utf8_seq("\xf0\x9f\x93\x88", 4), 4);
    assert_int_equal(ts_utf8_seq("", 0), 0);
    assert_true(ts_utf8_valid("a\0b", 3)); /* U+0000 is UTF-8; storing it is the caller's check */
    assert_int_equal(ts_utf8_chars("a\xc3\xa7\xc3\xa3o", 6), 4);
    assert_int_equal(ts_utf8_chars("\xf0\x9f\x93\x88x", 5), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_and_invalid),
        cmocka_unit_test(sequences_and_chars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
