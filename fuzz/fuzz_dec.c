/*
 * fuzz_dec.c - fuzz target for ts_dec_parse() (src/core/dec.h).
 *
 * Whatever text parses must be a valid decimal that survives format -> parse
 * unchanged in all three text forms, and obey a few arithmetic identities.
 * An 8-byte input is also read as a raw int64 to push formatting through the
 * whole int64 range. Aborts on any mismatch. Does not check that refused text
 * deserved refusal (tests/unit/test_dec.c has those cases).
 * Replayed over fuzz/seeds/dec/ by ctest; with clang: -fsanitize=fuzzer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what, ts_dec v)
{
    if (!ok) {
        fprintf(stderr, "fuzz_dec: %s fails for %lld\n", what, (long long)v);
        abort();
    }
}

/* Text written by one of the formatters must parse back to want. */
static void check_text(const char *text, size_t n, ts_dec want, const char *what)
{
    ts_dec back = 0;
    check(n > 0 && n < TS_DEC_STRLEN && strlen(text) == n, what, want);
    check(ts_dec_parse(text, n, &back) == 0 && back == want, what, want);
}

static void check_value(ts_dec v)
{
    char text[TS_DEC_STRLEN];
    ts_dec r;
    size_t n;

    check(ts_dec_is_valid(v), "validity", v);
    n = ts_dec_format(v, text, sizeof(text));
    check_text(text, n, v, "format round trip");
    check(n > 9 && text[n - 9] == '.', "eight decimals", v);
    n = ts_dec_format_trim(v, text, sizeof(text));
    check_text(text, n, v, "format_trim round trip");
    check(text[n - 1] != '.' && (strchr(text, '.') == NULL || text[n - 1] != '0'), "trimmed", v);
    if (ts_dec_round_checked(v, 2, &r) == 0) {
        n = ts_dec_format_scale(v, 2, text, sizeof(text));
        check_text(text, n, r, "format_scale(2) equals round(2)");
        check(r - v <= 500000 && v - r <= 500000, "rounding moves at most half a cent", v);
    }
    check(ts_dec_add(v, 0, &r) == 0 && r == v, "v + 0 == v", v);
    check(ts_dec_sub(v, v, &r) == 0 && r == 0, "v - v == 0", v);
    check(ts_dec_mul(v, TS_DEC_SCALE, &r) == 0 && r == v, "v * 1 == v", v);
    check(ts_dec_div(v, TS_DEC_SCALE, &r) == 0 && r == v, "v / 1 == v", v);
    check(ts_dec_mul_int(v, -1, &r) == 0 && r == -v, "v * -1 == -v", v);
    check(ts_dec_div(v, 0, &r) == TS_EINVAL, "v / 0 refused", v);
    check(ts_dec_is_multiple(v, 1), "multiple of one unit", v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_dec v;

    if (ts_dec_parse((const char *)data, size, &v) == 0) {
        check_value(v);
    }
    if (size == sizeof(int64_t)) {
        memcpy(&v, data, sizeof(v));
        char text[TS_DEC_STRLEN];
        size_t n = ts_dec_format(v, text, sizeof(text));
        check(n > 0, "format of any int64", v);
        if (ts_dec_is_valid(v)) {
            check_value(v);
        } else {
            ts_dec back;
            check(ts_dec_parse(text, n, &back) == TS_ERANGE, "invalid value text refused", v);
        }
    }
    return 0;
}
