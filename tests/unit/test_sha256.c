/*
 * test_sha256.c - unit tests of src/core/sha256.c against the FIPS 180-4 example
 * vectors and block-boundary lengths, fed whole and byte by byte.
 */
#include "core/sha256.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void vectors(void **state)
{
    (void)state;
    static const struct {
        const char *in, *hex;
    } cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrl"
         "mnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_sha256 s;
        char hex[TS_SHA256_HEXLEN];
        ts_sha256_init(&s);
        ts_sha256_update(&s, cases[i].in, strlen(cases[i].in));
        ts_sha256_hex(&s, hex);
        assert_string_equal(hex, cases[i].hex);
        ts_sha256_init(&s); /* byte by byte: the same */
        for (size_t k = 0; k < strlen(cases[i].in); k++) {
            ts_sha256_update(&s, cases[i].in + k, 1);
        }
        ts_sha256_hex(&s, hex);
        assert_string_equal(hex, cases[i].hex);
    }
}

static void a_million_a(void **state)
{
    (void)state;
    char *m = malloc(1000000);
    assert_non_null(m);
    memset(m, 'a', 1000000);
    struct ts_sha256 s;
    char hex[TS_SHA256_HEXLEN];
    ts_sha256_init(&s);
    ts_sha256_update(&s, m, 333333);
    ts_sha256_update(&s, m, 666667);
    ts_sha256_hex(&s, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(m);
}

static void boundaries_differ(void **state)
{
    (void)state;
    /* 55, 56, 63, 64 and 65 bytes: padding in one block or two */
    char prev[TS_SHA256_HEXLEN] = "";
    static const size_t lens[] = {55, 56, 63, 64, 65, 119, 120};
    char buf[128];
    memset(buf, 'x', sizeof(buf));
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        struct ts_sha256 s;
        char hex[TS_SHA256_HEXLEN];
        ts_sha256_init(&s);
        ts_sha256_update(&s, buf, lens[i]);
        ts_sha256_hex(&s, hex);
        assert_int_equal(strlen(hex), 64);
        assert_string_not_equal(hex, prev);
        memcpy(prev, hex, sizeof(hex));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vectors),
        cmocka_unit_test(a_million_a),
        cmocka_unit_test(boundaries_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
