/*
 * test_pgcopy.c - unit tests of src/core/pgcopy.c: the binary COPY header and
 * trailer bytes, int8/text/NULL fields, numeric digit groups (weight, sign,
 * leading and trailing zero groups left out) and timestamptz's epoch.
 * (The integration path - COPY into PostgreSQL and read back - is tests/cli/test_feed.sh.)
 */
#include "db/pgcopy.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void expect_bytes(const struct ts_buf *b, const unsigned char *want, size_t n)
{
    assert_int_equal(b->len, n);
    assert_memory_equal(b->buf, want, n);
}

static void header_trailer(void **state)
{
    (void)state;
    struct ts_buf b = TS_BUF_INIT;
    ts_pgcopy_header(&b);
    static const unsigned char h[] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xFF, '\r', '\n',
                                      0,   0,   0,   0,   0,   0,   0,    0,    0};
    expect_bytes(&b, h, sizeof(h));
    ts_buf_reset(&b);
    ts_pgcopy_trailer(&b);
    static const unsigned char t[] = {0xFF, 0xFF};
    expect_bytes(&b, t, sizeof(t));
    ts_buf_release(&b);
}

static void scalars(void **state)
{
    (void)state;
    struct ts_buf b = TS_BUF_INIT;
    ts_pgcopy_tuple(&b, 3);
    ts_pgcopy_int8(&b, -2);
    ts_pgcopy_text(&b, "PETR4", 5);
    ts_pgcopy_null(&b);
    static const unsigned char w[] = {0,    3,    0,    0,    0,    8,    0xFF, 0xFF, 0xFF,
                                      0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0,    0,    0,    5,
                                      'P',  'E',  'T',  'R',  '4',  0xFF, 0xFF, 0xFF, 0xFF};
    expect_bytes(&b, w, sizeof(w));
    ts_buf_release(&b);
}

/* numeric: length, then ndigits, weight, sign, dscale, digits (all big-endian int16) */
static void numeric_case(ts_dec v, const uint16_t *want, size_t nwant)
{
    struct ts_buf b = TS_BUF_INIT;
    ts_pgcopy_numeric(&b, v);
    assert_int_equal(b.len, 4 + 2 * nwant);
    const unsigned char *p = (const unsigned char *)b.buf;
    assert_int_equal(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3],
                     2 * nwant);
    for (size_t i = 0; i < nwant; i++) {
        assert_int_equal((uint16_t)((p[4 + 2 * i] << 8) | p[5 + 2 * i]), want[i]);
    }
    ts_buf_release(&b);
}

static void numerics(void **state)
{
    (void)state;
    numeric_case(0, (const uint16_t[]){0, 0, 0, 8}, 4);
    numeric_case(TS_DEC_C(30) + TS_DEC_SCALE / 2, (const uint16_t[]){2, 0, 0, 8, 30, 5000}, 6);
    numeric_case(1, (const uint16_t[]){1, (uint16_t)-2, 0, 8, 1}, 5);          /* 1e-8 */
    numeric_case(-TS_DEC_C(20000), (const uint16_t[]){1, 1, 0x4000, 8, 2}, 5); /* -2x10000^1 */
    numeric_case(TS_DEC_C(123456789) + TS_DEC_SCALE / 2,
                 (const uint16_t[]){4, 2, 0, 8, 1, 2345, 6789, 5000}, 8);
    numeric_case(TS_DEC_MAX, (const uint16_t[]){5, 2, 0, 8, 99, 9999, 9999, 9999, 9999}, 9);
    numeric_case(TS_DEC_C(10000), (const uint16_t[]){1, 1, 0, 8, 1}, 5); /* trailing groups go */
    numeric_case(TS_DEC_SCALE / 10000, (const uint16_t[]){1, (uint16_t)-1, 0, 8, 1},
                 5); /* 0.0001 */
}

static void timestamps(void **state)
{
    (void)state;
    struct ts_buf b = TS_BUF_INIT;
    ts_pgcopy_timestamptz(&b, INT64_C(946684800000000000) + 1999); /* 2000-01-01 + 1.999 us */
    static const unsigned char w[] = {0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1};
    expect_bytes(&b, w, sizeof(w));
    ts_buf_reset(&b);
    ts_pgcopy_timestamptz(&b, 0); /* 1970: before the epoch, negative */
    static const unsigned char w2[] = {0, 0, 0, 8, 0xFF, 0xFC, 0xA2, 0xFE, 0xC4, 0xC8, 0x20, 0x00};
    expect_bytes(&b, w2, sizeof(w2));
    ts_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_trailer),
        cmocka_unit_test(scalars),
        cmocka_unit_test(numerics),
        cmocka_unit_test(timestamps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
