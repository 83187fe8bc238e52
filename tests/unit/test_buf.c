/*
 * test_buf.c - unit tests of src/core/buf.c: growth of struct ts_buf under
 * formatted appends, JSON string escaping, reset, release and detach.
 *
 * Checks the invariants buf.h promises (buf[len] == '\0', len < cap once
 * allocated, the shared empty string never written). Run under ASan to catch
 * overruns. Does not test JSON documents as a whole (src/api's tests do).
 */
#include "core/buf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/mem.h"

#include "unit.h"

/* The invariants of buf.h; returns a description of the first one broken, or NULL. */
static const char *broken_invariant(const struct ts_buf *b)
{
    if (b->buf == NULL) {
        return "buf is NULL";
    }
    if (b->buf[b->len] != '\0') {
        return "buf[len] is not NUL";
    }
    if (b->cap == 0 && (b->len != 0 || b->buf != ts_buf_empty)) {
        return "unallocated buffer is not the shared empty string";
    }
    if (b->cap > 0 && b->len >= b->cap) {
        return "len >= cap";
    }
    if (ts_buf_empty[0] != '\0') {
        return "the shared empty string was written";
    }
    return NULL;
}

static void test_addf_grows_the_buffer_for_every_size(void **state)
{
    static const struct {
        const char *name;
        size_t prefix; /* bytes already in the buffer */
        size_t arg;    /* length of the %s argument */
    } cases[] = {
        {"empty into empty", 0, 0},
        {"one byte into empty", 0, 1},
        /* The format adds 3 bytes ("<", "|7"); the first allocation is 64 with the NUL. */
        {"one byte short of the first allocation", 0, 59},
        {"exactly fills the first allocation", 0, 60},
        {"one byte past the first allocation", 0, 61},
        {"large into empty", 0, 100000},
        {"one byte after one byte", 1, 1},
        {"crosses 64 from 63", 63, 1},
        {"crosses 128 from 100", 100, 40},
        {"exactly doubles", 64, 64},
        {"page size", 10, 4096},
        {"page size minus one", 4095, 1},
        {"far beyond the doubling", 5, 1000000},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_buf b = TS_BUF_INIT;
        char *arg = ts_xmalloc(cases[i].arg + 1);
        char *want = ts_xmalloc(cases[i].prefix + cases[i].arg + 8);
        const char *bad;

        memset(arg, 'a' + (int)(i % 26), cases[i].arg);
        arg[cases[i].arg] = '\0';
        for (size_t k = 0; k < cases[i].prefix; k++) {
            ts_buf_addch(&b, 'p');
            want[k] = 'p';
        }
        ts_buf_addf(&b, "<%s|%d", arg, 7);
        /* Expected text built by hand, not by printf. */
        size_t n = cases[i].prefix;
        want[n++] = '<';
        memcpy(want + n, arg, cases[i].arg);
        n += cases[i].arg;
        want[n++] = '|';
        want[n++] = '7';
        want[n] = '\0';

        bad = broken_invariant(&b);
        EXPECT(bad == NULL, cases[i].name, "%s", bad ? bad : "");
        EXPECT(b.len == n, cases[i].name, "len %zu, want %zu", b.len, n);
        EXPECT(b.len == n && memcmp(b.buf, want, n + 1) == 0, cases[i].name, "%s",
               "content differs");
        ts_buf_release(&b);
        ts_free(arg);
        ts_free(want);
    }
    assert_int_equal(failures, 0);
}

static void test_many_small_appends_keep_every_byte(void **state)
{
    struct ts_buf b = TS_BUF_INIT;
    char want[64];
    size_t pos = 0;
    (void)state;

    for (int i = 0; i < 20000; i++) {
        if (i % 3 == 0) {
            ts_buf_addf(&b, "%d,", i);
        } else if (i % 3 == 1) {
            int n = snprintf(want, sizeof(want), "%d,", i);
            ts_buf_add(&b, want, (size_t)n);
        } else {
            int n = snprintf(want, sizeof(want), "%d,", i);
            for (int k = 0; k < n; k++) {
                ts_buf_addch(&b, want[k]);
            }
        }
        assert_null(broken_invariant(&b));
    }
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(want, sizeof(want), "%d,", i);
        assert_true(pos + (size_t)n <= b.len);
        assert_memory_equal(b.buf + pos, want, (size_t)n);
        pos += (size_t)n;
    }
    assert_int_equal(pos, b.len);
    ts_buf_release(&b);
}

static void test_json_escaping_escapes_quotes_backslashes_and_controls_only(void **state)
{
    static const struct {
        const char *name;
        const char *in;
        size_t len; /* 0: strlen(in) */
        const char *want;
    } cases[] = {
        {"empty", "", 0, ""},
        {"plain ascii unchanged", "PETR4 buy 100", 0, "PETR4 buy 100"},
        {"double quote", "say \"hi\"", 0, "say \\\"hi\\\""},
        {"backslash", "C:\\dir", 0, "C:\\\\dir"},
        {"newline", "a\nb", 0, "a\\nb"},
        {"carriage return", "a\rb", 0, "a\\rb"},
        {"tab", "a\tb", 0, "a\\tb"},
        {"control byte 0x01", "a\001b", 0, "a\\u0001b"},
        {"control byte 0x1f", "\x1f", 0, "\\u001f"},
        {"backspace and form feed", "\b\f", 0, "\\u0008\\u000c"},
        {"embedded NUL", "a\0b", 3, "a\\u0000b"},
        {"DEL", "\x7f", 0, "\\u007f"},
        {"space and slash unchanged", " / ", 0, " / "},
        {"two-byte UTF-8 unchanged", "a\xc3\xa7\xc3\xa3o", 0, "a\xc3\xa7\xc3\xa3o"},
        {"three-byte UTF-8 unchanged", "R$ 30,50 \xe2\x80\x94 ok", 0, "R$ 30,50 \xe2\x80\x94 ok"},
        {"four-byte UTF-8 unchanged", "\xf0\x9f\x93\x88 up", 0, "\xf0\x9f\x93\x88 up"},
        {"escape at both ends", "\"x\"", 0, "\\\"x\\\""},
        {"only escapes", "\"\\\n", 0, "\\\"\\\\\\n"},
        {"lone continuation byte replaced",
         "a\x80"
         "b",
         0,
         "a\xef\xbf\xbd"
         "b"},
        {"truncated two-byte sequence replaced", "a\xc3", 0, "a\xef\xbf\xbd"},
        {"overlong slash replaced", "\xc0\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd"},
        {"surrogate replaced", "\xed\xa0\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"latin-1 byte replaced", "caf\xe9!", 0, "caf\xef\xbf\xbd!"},
        {"beyond U+10FFFF replaced", "\xf4\x90\x80\x80", 0,
         "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_buf b = TS_BUF_INIT;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
        const char *bad;

        ts_buf_adds(&b, "[");
        ts_buf_add_json_escaped(&b, cases[i].in, len);
        bad = broken_invariant(&b);
        EXPECT(bad == NULL, cases[i].name, "%s", bad ? bad : "");
        EXPECT(b.len == 1 + strlen(cases[i].want) && strcmp(b.buf + 1, cases[i].want) == 0,
               cases[i].name, "got \"%s\", want \"%s\"", b.buf + 1, cases[i].want);
        ts_buf_release(&b);
    }
    assert_int_equal(failures, 0);
}

static void test_json_string_is_quoted_and_null_becomes_null(void **state)
{
    static const struct {
        const char *name;
        const char *in;
        const char *want;
    } cases[] = {
        {"NULL", NULL, "null"},
        {"empty", "", "\"\""},
        {"with a quote", "a\"b", "\"a\\\"b\""},
        {"unicode", "S\xc3\xa3o Paulo", "\"S\xc3\xa3o Paulo\""},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_buf b = TS_BUF_INIT;
        ts_buf_add_json_str(&b, cases[i].in);
        EXPECT(strcmp(b.buf, cases[i].want) == 0 && b.len == strlen(cases[i].want), cases[i].name,
               "got %s, want %s", b.buf, cases[i].want);
        ts_buf_release(&b);
    }
    assert_int_equal(failures, 0);
}

static void test_reset_empties_the_buffer_but_keeps_its_memory(void **state)
{
    struct ts_buf b = TS_BUF_INIT;
    char *mem;
    size_t cap;
    (void)state;

    for (int i = 0; i < 1000; i++) {
        ts_buf_addf(&b, "%04d", i);
    }
    mem = b.buf;
    cap = b.cap;
    assert_true(cap > 4000);

    ts_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.buf[0], '\0');
    assert_ptr_equal(b.buf, mem);
    assert_int_equal(b.cap, cap);

    ts_buf_addf(&b, "%s", "again");
    assert_ptr_equal(b.buf, mem); /* reused, not reallocated */
    assert_string_equal(b.buf, "again");
    ts_buf_release(&b);
}

static void test_reset_and_release_of_an_empty_buffer_touch_nothing(void **state)
{
    struct ts_buf b = TS_BUF_INIT;
    (void)state;

    ts_buf_reset(&b);
    assert_null(broken_invariant(&b));
    ts_buf_release(&b);
    assert_null(broken_invariant(&b));
    ts_buf_truncate(&b, 0);
    assert_null(broken_invariant(&b));
    ts_buf_add(&b, "", 0);
    assert_null(broken_invariant(&b));
    assert_int_equal(b.cap, 0);
}

static void test_release_frees_and_leaves_an_initialised_buffer(void **state)
{
    struct ts_buf b = TS_BUF_INIT;
    (void)state;

    ts_buf_adds(&b, "something");
    ts_buf_release(&b);
    assert_ptr_equal(b.buf, ts_buf_empty);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    ts_buf_adds(&b, "usable again"); /* ASan reports a use after free if release lied */
    assert_string_equal(b.buf, "usable again");
    ts_buf_release(&b);
}

static void test_detach_hands_over_the_string_and_empties_the_buffer(void **state)
{
    static const struct {
        const char *name;
        const char *content;
    } cases[] = {
        {"empty buffer gives a heap empty string", ""},
        {"short", "abc"},
        {"long", "0123456789012345678901234567890123456789012345678901234567890123456789"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_buf b = TS_BUF_INIT;
        size_t len = 999;
        char *s;

        ts_buf_adds(&b, cases[i].content);
        s = ts_buf_detach(&b, &len);
        EXPECT(s != NULL && s != ts_buf_empty, cases[i].name, "%s",
               "detach returned NULL or the shared empty string");
        EXPECT(s != NULL && strcmp(s, cases[i].content) == 0, cases[i].name, "got \"%s\"",
               s ? s : "(null)");
        EXPECT(len == strlen(cases[i].content), cases[i].name, "len %zu", len);
        EXPECT(b.buf == ts_buf_empty && b.len == 0 && b.cap == 0, cases[i].name, "%s",
               "buffer not reset to TS_BUF_INIT");
        ts_free(s); /* ASan reports a bad free if s was not a heap string of our own */
        ts_buf_adds(&b, "x");
        EXPECT(strcmp(b.buf, "x") == 0, cases[i].name, "%s", "buffer unusable after detach");
        ts_buf_release(&b);
    }
    assert_int_equal(failures, 0);
}

static void test_truncate_shortens_and_keeps_the_nul(void **state)
{
    struct ts_buf b = TS_BUF_INIT;
    (void)state;

    ts_buf_adds(&b, "hello world");
    ts_buf_truncate(&b, 5);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.buf, "hello");
    ts_buf_truncate(&b, 0);
    assert_string_equal(b.buf, "");
    assert_null(broken_invariant(&b));
    ts_buf_release(&b);
}

static void test_binary_data_with_nul_bytes_is_kept_whole(void **state)
{
    struct ts_buf b = TS_BUF_INIT;
    static const char data[] = {'a', '\0', 'b', '\0', 'c'};
    (void)state;

    ts_buf_add(&b, data, sizeof(data));
    assert_int_equal(b.len, sizeof(data));
    assert_memory_equal(b.buf, data, sizeof(data));
    assert_int_equal(b.buf[b.len], '\0');
    ts_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addf_grows_the_buffer_for_every_size),
        cmocka_unit_test(test_many_small_appends_keep_every_byte),
        cmocka_unit_test(test_json_escaping_escapes_quotes_backslashes_and_controls_only),
        cmocka_unit_test(test_json_string_is_quoted_and_null_becomes_null),
        cmocka_unit_test(test_reset_empties_the_buffer_but_keeps_its_memory),
        cmocka_unit_test(test_reset_and_release_of_an_empty_buffer_touch_nothing),
        cmocka_unit_test(test_release_frees_and_leaves_an_initialised_buffer),
        cmocka_unit_test(test_detach_hands_over_the_string_and_empties_the_buffer),
        cmocka_unit_test(test_truncate_shortens_and_keeps_the_nul),
        cmocka_unit_test(test_binary_data_with_nul_bytes_is_kept_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
