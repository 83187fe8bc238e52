/*
 * test_uuid.c - unit tests of src/core/uuid.c: UUIDv7 layout (RFC 9562 §5.7),
 * strict monotonicity within the process (same millisecond, clock going back,
 * counter exhaustion, several threads) and the canonical text form.
 *
 * Does not test uniqueness across processes or PostgreSQL's ordering of uuid
 * values (byte order; see tests/integration).
 */
#include "core/uuid.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "unit.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t ts_ms_of(const struct ts_uuid *u)
{
    int64_t ms = 0;
    for (int i = 0; i < 6; i++) {
        ms = (ms << 8) | u->b[i];
    }
    return ms;
}

static unsigned counter_of(const struct ts_uuid *u)
{
    return ((unsigned)(u->b[6] & 0x0f) << 8) | u->b[7];
}

static int cmp_uuid(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct ts_uuid));
}

static void test_new_ids_have_version_7_variant_10_and_the_current_time(void **state)
{
    int failures = 0;
    unsigned seen_last_byte[256] = {0};
    int distinct = 0;
    (void)state;

    for (int i = 0; i < 2000; i++) {
        struct ts_uuid u;
        int64_t before = now_ms();
        ts_uuid_v7(&u);
        int64_t after = now_ms();
        char text[TS_UUID_STRLEN];

        ts_uuid_format(&u, text);
        EXPECT(u.b[6] >> 4 == 7, text, "version nibble is %d", u.b[6] >> 4);
        EXPECT(u.b[8] >> 6 == 2, text, "variant bits are %d", u.b[8] >> 6);
        EXPECT(text[14] == '7', text, "text version digit is '%c'", text[14]);
        EXPECT(strchr("89ab", text[19]) != NULL, text, "text variant digit is '%c'", text[19]);
        EXPECT(!ts_uuid_is_nil(&u), text, "%s", "a new id is nil");
        /* Earlier ids in this loop may have borrowed a few future milliseconds. */
        EXPECT(ts_ms_of(&u) >= before && ts_ms_of(&u) <= after + 5, text,
               "timestamp %lld outside [%lld, %lld]", (long long)ts_ms_of(&u), (long long)before,
               (long long)after + 5);
        if (seen_last_byte[u.b[15]]++ == 0) {
            distinct++;
        }
    }
    /* rand_b is random: 2000 ids cover far more than a handful of byte values. */
    EXPECT(distinct > 200, "random bits", "only %d distinct last bytes in 2000 ids", distinct);
    assert_int_equal(failures, 0);
}

static void test_ten_thousand_ids_are_strictly_increasing(void **state)
{
    enum { N = 10000 };
    struct ts_uuid *ids = calloc(N, sizeof(*ids));
    int failures = 0;
    (void)state;

    assert_non_null(ids);
    for (int i = 0; i < N; i++) {
        ts_uuid_v7(&ids[i]);
    }
    for (int i = 1; i < N; i++) {
        char a[TS_UUID_STRLEN], b[TS_UUID_STRLEN];
        ts_uuid_format(&ids[i - 1], a);
        ts_uuid_format(&ids[i], b);
        EXPECT(memcmp(&ids[i - 1], &ids[i], sizeof(ids[i])) < 0, b, "not above previous %s", a);
        EXPECT(strcmp(a, b) < 0, b, "text does not sort after %s", a);
        if (failures > 10) {
            break;
        }
    }
    free(ids);
    assert_int_equal(failures, 0);
}

static void test_ids_keep_increasing_when_the_clock_goes_backwards(void **state)
{
    static const struct {
        const char *name;
        bool absolute; /* ms is a clock reading, not an offset from the real clock */
        int64_t ms;
    } steps[] = {
        {"clock at now", false, 0},
        {"clock one second back", false, -1000},
        {"clock one hour back", false, -3600 * 1000},
        {"clock at the epoch", true, 0},
        {"clock before the epoch", true, -5},
        {"clock still back", false, -1000},
        {"clock forward again", false, 50},
    };
    int failures = 0;
    struct ts_uuid prev, cur;
    int64_t t0 = now_ms();
    (void)state;

    ts_uuid_v7(&prev);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        int64_t at = steps[i].absolute ? steps[i].ms : t0 + steps[i].ms;
        ts_uuid__v7_at(&cur, at);
        EXPECT(memcmp(&prev, &cur, sizeof(cur)) < 0, steps[i].name, "id %d is not above the last",
               (int)i);
        EXPECT(ts_ms_of(&cur) >= ts_ms_of(&prev), steps[i].name, "timestamp went back to %lld",
               (long long)ts_ms_of(&cur));
        EXPECT(cur.b[6] >> 4 == 7 && cur.b[8] >> 6 == 2, steps[i].name, "bad version/variant %x",
               cur.b[6]);
        prev = cur;
    }
    /* After the clock came back 50 ms ahead, ids use that newer time. */
    EXPECT(ts_ms_of(&prev) >= t0 + 50, "clock forward again", "timestamp %lld below %lld",
           (long long)ts_ms_of(&prev), (long long)(t0 + 50));
    assert_int_equal(failures, 0);
}

static void test_ids_in_one_millisecond_borrow_the_next_when_the_counter_runs_out(void **state)
{
    enum { N = 5000 };
    struct ts_uuid prev, cur;
    int failures = 0, borrows = 0;
    int64_t t = now_ms() + 1000; /* a fresh millisecond: the counter starts from its seed */
    (void)state;

    ts_uuid__v7_at(&prev, t);
    assert_int_equal(ts_ms_of(&prev), t);
    assert_true(counter_of(&prev) <= 0x7ff); /* seeded with the top bit clear */
    for (int i = 1; i < N; i++) {
        ts_uuid__v7_at(&cur, t); /* the clock stands still */
        EXPECT(memcmp(&prev, &cur, sizeof(cur)) < 0, "same millisecond", "id %d not above the last",
               i);
        if (ts_ms_of(&cur) != ts_ms_of(&prev)) {
            EXPECT(ts_ms_of(&cur) == ts_ms_of(&prev) + 1 && counter_of(&prev) == 0xfff,
                   "same millisecond", "id %d moved from %lld/%03x to %lld", i,
                   (long long)ts_ms_of(&prev), counter_of(&prev), (long long)ts_ms_of(&cur));
            borrows++;
        } else {
            EXPECT(counter_of(&cur) == counter_of(&prev) + 1, "same millisecond",
                   "id %d counter %03x after %03x", i, counter_of(&cur), counter_of(&prev));
        }
        prev = cur;
        if (failures > 10) {
            break;
        }
    }
    /* At least 2049 ids fit a millisecond and at most 4096: 5000 ids borrow once or twice. */
    EXPECT(borrows >= 1 && borrows <= 2, "same millisecond", "%d borrowed milliseconds", borrows);
    assert_int_equal(failures, 0);
}

enum { THREADS = 4, PER_THREAD = 5000 };

struct thread_job {
    struct ts_uuid ids[PER_THREAD];
    int out_of_order; /* ids not above the thread's previous one */
};

static void *make_ids(void *arg)
{
    struct thread_job *job = arg;

    for (int i = 0; i < PER_THREAD; i++) {
        ts_uuid_v7(&job->ids[i]);
        if (i > 0 && memcmp(&job->ids[i - 1], &job->ids[i], sizeof(job->ids[i])) >= 0) {
            job->out_of_order++;
        }
    }
    return NULL;
}

static void test_ids_from_many_threads_are_unique_and_increasing_per_thread(void **state)
{
    struct thread_job *jobs = calloc(THREADS, sizeof(*jobs));
    struct ts_uuid *all = calloc(THREADS * PER_THREAD, sizeof(*all));
    pthread_t tid[THREADS];
    int dups = 0;
    (void)state;

    assert_non_null(jobs);
    assert_non_null(all);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_create(&tid[t], NULL, make_ids, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(tid[t], NULL), 0);
        assert_int_equal(jobs[t].out_of_order, 0);
        memcpy(&all[t * PER_THREAD], jobs[t].ids, sizeof(jobs[t].ids));
    }
    qsort(all, THREADS * PER_THREAD, sizeof(*all), cmp_uuid);
    for (int i = 1; i < THREADS * PER_THREAD; i++) {
        if (cmp_uuid(&all[i - 1], &all[i]) == 0) {
            dups++;
        }
    }
    free(all);
    free(jobs);
    assert_int_equal(dups, 0);
}

static void test_canonical_text_parses_and_formats_back_in_lowercase(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        const char *want; /* formatted back */
        uint8_t b0, b15;  /* first and last byte */
    } cases[] = {
        {"nil", "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000", 0,
         0},
        {"max", "ffffffff-ffff-ffff-ffff-ffffffffffff", "ffffffff-ffff-ffff-ffff-ffffffffffff",
         0xff, 0xff},
        {"RFC 9562 appendix A.6 example, uppercase", "017F22E2-79B0-7CC3-98C4-DC0C0C07398F",
         "017f22e2-79b0-7cc3-98c4-dc0c0c07398f", 0x01, 0x8f},
        {"mixed case", "017f22E2-79b0-7Cc3-98C4-dc0c0C07398f",
         "017f22e2-79b0-7cc3-98c4-dc0c0c07398f", 0x01, 0x8f},
        {"version 4 is accepted too", "9b2c6f4e-1d3a-4c5b-8e7f-0a1b2c3d4e5f",
         "9b2c6f4e-1d3a-4c5b-8e7f-0a1b2c3d4e5f", 0x9b, 0x5f},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_uuid u;
        char out[TS_UUID_STRLEN];
        int rc = ts_uuid_parse(cases[i].text, strlen(cases[i].text), &u);

        EXPECT(rc == 0, cases[i].name, "parse returned %d", rc);
        if (rc != 0) {
            continue;
        }
        ts_uuid_format(&u, out);
        EXPECT(strcmp(out, cases[i].want) == 0, cases[i].name, "formatted as %s, want %s", out,
               cases[i].want);
        EXPECT(u.b[0] == cases[i].b0 && u.b[15] == cases[i].b15, cases[i].name,
               "bytes %02x..%02x, want %02x..%02x", u.b[0], u.b[15], cases[i].b0, cases[i].b15);
    }
    assert_int_equal(failures, 0);
}

static void test_rfc_example_carries_its_timestamp_version_and_variant(void **state)
{
    struct ts_uuid u;
    (void)state;

    assert_int_equal(ts_uuid_parse("017F22E2-79B0-7CC3-98C4-DC0C0C07398F", 36, &u), 0);
    assert_int_equal(ts_ms_of(&u), INT64_C(0x017F22E279B0)); /* 2022-02-22T19:22:22Z */
    assert_int_equal(u.b[6] >> 4, 7);
    assert_int_equal(u.b[8] >> 6, 2);
}

static void test_generated_ids_format_and_parse_back_to_the_same_bytes(void **state)
{
    int failures = 0;
    (void)state;

    for (int i = 0; i < 1000; i++) {
        struct ts_uuid u, back;
        char text[TS_UUID_STRLEN];

        ts_uuid_v7(&u);
        ts_uuid_format(&u, text);
        EXPECT(strlen(text) == 36, text, "length %zu", strlen(text));
        EXPECT(ts_uuid_parse(text, strlen(text), &back) == 0 && memcmp(&u, &back, sizeof(u)) == 0,
               text, "%s", "does not parse back to the same bytes");
    }
    assert_int_equal(failures, 0);
}

static void test_anything_but_the_canonical_form_is_refused(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        size_t len; /* 0: strlen(text) */
    } cases[] = {
        {"empty", "", 0},
        {"one character short", "017f22e2-79b0-7cc3-98c4-dc0c0c07398", 0},
        {"one character long", "017f22e2-79b0-7cc3-98c4-dc0c0c07398f0", 0},
        {"no dashes", "017f22e279b07cc398c4dc0c0c07398f", 0},
        {"braces", "{017f22e2-79b0-7cc3-98c4-dc0c0c07398f}", 0},
        {"urn", "urn:uuid:017f22e2-79b0-7cc3-98c4-dc0c0c07398f", 0},
        {"dash moved left", "017f22e-279b0-7cc3-98c4-dc0c0c07398f", 0},
        {"dash moved right", "017f22e27-9b0-7cc3-98c4-dc0c0c07398f", 0},
        {"colon instead of dash", "017f22e2:79b0-7cc3-98c4-dc0c0c07398f", 0},
        {"non-hex letter", "017f22e2-79b0-7cc3-98c4-dc0c0c07398g", 0},
        {"space inside", "017f22e2-79b0-7cc3-98c4-dc0c0c0 398f", 0},
        {"leading space", " 017f22e2-79b0-7cc3-98c4-dc0c0c07398", 0},
        {"trailing newline", "017f22e2-79b0-7cc3-98c4-dc0c0c07398\n", 0},
        {"embedded NUL", "017f22e2-79b0-7cc3-98c4-dc0c\0c07398f", 36},
        {"fullwidth digit", "017f22e2-79b0-7cc3-98c4-dc0c0c073\xef\xbc\x91", 0},
        {"sign in a group", "017f22e2-+9b0-7cc3-98c4-dc0c0c07398f", 0},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_uuid u;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);

        memset(&u, 0xa5, sizeof(u));
        int rc = ts_uuid_parse(cases[i].text, len, &u);
        EXPECT(rc == TS_EINVAL, cases[i].name, "parse returned %d", rc);
        EXPECT(u.b[0] == 0xa5 && u.b[15] == 0xa5, cases[i].name, "%s", "out written on failure");
    }
    assert_int_equal(ts_uuid_parse(NULL, 36, &(struct ts_uuid){{0}}), TS_EINVAL);
    assert_int_equal(failures, 0);
}

static void test_only_the_all_zero_id_is_nil(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        bool want;
    } cases[] = {
        {"all zero", "00000000-0000-0000-0000-000000000000", true},
        {"last bit set", "00000000-0000-0000-0000-000000000001", false},
        {"first bit set", "80000000-0000-0000-0000-000000000000", false},
        {"max", "ffffffff-ffff-ffff-ffff-ffffffffffff", false},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_uuid u;
        assert_int_equal(ts_uuid_parse(cases[i].text, strlen(cases[i].text), &u), 0);
        EXPECT(ts_uuid_is_nil(&u) == cases[i].want, cases[i].name, "is_nil = %d",
               (int)ts_uuid_is_nil(&u));
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    /* Order matters little, but the clock-stepping tests go last: they move the shared state. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_ids_have_version_7_variant_10_and_the_current_time),
        cmocka_unit_test(test_ten_thousand_ids_are_strictly_increasing),
        cmocka_unit_test(test_ids_from_many_threads_are_unique_and_increasing_per_thread),
        cmocka_unit_test(test_canonical_text_parses_and_formats_back_in_lowercase),
        cmocka_unit_test(test_rfc_example_carries_its_timestamp_version_and_variant),
        cmocka_unit_test(test_generated_ids_format_and_parse_back_to_the_same_bytes),
        cmocka_unit_test(test_anything_but_the_canonical_form_is_refused),
        cmocka_unit_test(test_only_the_all_zero_id_is_nil),
        cmocka_unit_test(test_ids_keep_increasing_when_the_clock_goes_backwards),
        cmocka_unit_test(test_ids_in_one_millisecond_borrow_the_next_when_the_counter_runs_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
