/*
 * test_tstime.c - unit tests of src/core/tstime.c: RFC 3339 parsing and
 * formatting of int64 nanosecond instants, calendar validation, B3 local time.
 *
 * Expected instants were computed independently with Python's datetime.
 * Does not test the clocks beyond sanity (they are the kernel's) or the
 * round trip through PostgreSQL's TIMESTAMPTZ (tests/integration does).
 */
#include "core/tstime.h"

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

#define SENTINEL INT64_C(4242)

static void test_valid_text_parses_to_nanoseconds_since_the_epoch(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        int64_t want;
    } cases[] = {
        {"epoch", "1970-01-01T00:00:00Z", 0},
        {"bare date is midnight UTC", "2026-11-24", INT64_C(1795478400000000000)},
        {"whole seconds", "2026-11-24T13:05:00Z", INT64_C(1795525500000000000)},
        {"microseconds", "2026-11-24T13:05:00.123456Z", INT64_C(1795525500123456000)},
        {"nanoseconds", "2026-11-24T13:05:00.123456789Z", INT64_C(1795525500123456789)},
        {"one fraction digit", "2026-11-24T13:05:00.5Z", INT64_C(1795525500500000000)},
        {"B3 offset", "2026-11-24T10:05:00-03:00", INT64_C(1795525500000000000)},
        {"half-hour offset", "2026-11-24T18:35:00+05:30", INT64_C(1795525500000000000)},
        {"largest offset", "2026-11-25T13:04:00+23:59", INT64_C(1795525500000000000)},
        {"unknown-local offset", "2026-11-24T13:05:00-00:00", INT64_C(1795525500000000000)},
        {"lowercase t and z", "2026-11-24t13:05:00.123456z", INT64_C(1795525500123456000)},
        {"space for T", "2026-11-24 13:05:00Z", INT64_C(1795525500000000000)},
        {"offset crosses midnight", "2026-11-24T23:30:00-03:00", INT64_C(1795573800000000000)},
        {"fraction with offset", "2026-11-24T10:05:00.123456789-03:00",
         INT64_C(1795525500123456789)},
        {"leap day", "2024-02-29T12:00:00Z", INT64_C(1709208000000000000)},
        {"leap day of a year divisible by 400", "2000-02-29", INT64_C(951782400000000000)},
        {"last second of a year", "2026-12-31T23:59:59Z", INT64_C(1798761599000000000)},
        {"one nanosecond before the epoch", "1969-12-31T23:59:59.999999999Z", -1},
        {"earliest instant", "1677-09-21T00:12:43.145224192Z", INT64_MIN},
        {"latest instant", "2262-04-11T23:47:16.854775807Z", INT64_MAX},
        {"latest instant with an offset", "2262-04-11T20:47:16.854775807-03:00", INT64_MAX},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t got = SENTINEL;
        int rc = ts_time_parse_rfc3339(cases[i].text, strlen(cases[i].text), &got);
        EXPECT(rc == 0, cases[i].name, "parse(\"%s\") returned %d", cases[i].text, rc);
        EXPECT(rc != 0 || got == cases[i].want, cases[i].name, "parse(\"%s\") = %lld, want %lld",
               cases[i].text, (long long)got, (long long)cases[i].want);
    }
    assert_int_equal(failures, 0);
}

static void test_invalid_dates_times_and_shapes_are_refused(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        size_t len; /* 0: strlen(text) */
        int want;
    } cases[] = {
        {"empty", "", 0, TS_EINVAL},
        {"february 29 of a common year", "2023-02-29", 0, TS_EINVAL},
        {"february 29 of a century year", "1900-02-29", 0, TS_EINVAL},
        {"february 30", "2024-02-30", 0, TS_EINVAL},
        {"april 31", "2026-04-31", 0, TS_EINVAL},
        {"month 13", "2026-13-01", 0, TS_EINVAL},
        {"month 0", "2026-00-10", 0, TS_EINVAL},
        {"day 0", "2026-11-00", 0, TS_EINVAL},
        {"day 32", "2026-01-32", 0, TS_EINVAL},
        {"hour 24", "2026-11-24T24:00:00Z", 0, TS_EINVAL},
        {"minute 60", "2026-11-24T23:60:00Z", 0, TS_EINVAL},
        {"leap second", "2016-12-31T23:59:60Z", 0, TS_EINVAL},
        {"no offset", "2026-11-24T13:05:00", 0, TS_EINVAL},
        {"no seconds", "2026-11-24T13:05Z", 0, TS_EINVAL},
        {"point without digits", "2026-11-24T13:05:00.Z", 0, TS_EINVAL},
        {"ten fraction digits", "2026-11-24T13:05:00.1234567891Z", 0, TS_EINVAL},
        {"comma fraction", "2026-11-24T13:05:00,5Z", 0, TS_EINVAL},
        {"offset without colon", "2026-11-24T13:05:00+0300", 0, TS_EINVAL},
        {"offset hours only", "2026-11-24T13:05:00+03", 0, TS_EINVAL},
        {"offset hour 24", "2026-11-24T13:05:00+24:00", 0, TS_EINVAL},
        {"offset minute 60", "2026-11-24T13:05:00+03:60", 0, TS_EINVAL},
        {"offset and Z", "2026-11-24T13:05:00Z+00:00", 0, TS_EINVAL},
        {"T without time", "2026-11-24T", 0, TS_EINVAL},
        {"other separator", "2026-11-24x13:05:00Z", 0, TS_EINVAL},
        {"two-digit year", "26-11-24", 0, TS_EINVAL},
        {"slashes", "2026/11/24", 0, TS_EINVAL},
        {"one-digit month", "2026-1-24", 0, TS_EINVAL},
        {"leading space", " 2026-11-24", 0, TS_EINVAL},
        {"trailing space after date", "2026-11-24 ", 0, TS_EINVAL},
        {"trailing space after offset", "2026-11-24T13:05:00Z ", 0, TS_EINVAL},
        {"signed year", "+2026-11-24", 0, TS_EINVAL},
        {"fullwidth digits", "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-11-24", 0,
         TS_EINVAL},
        {"embedded NUL", "2026-11-24T13:05:00\0Z", 21, TS_EINVAL},
        {"unix seconds", "1795525500", 0, TS_EINVAL},
        {"one nanosecond past the latest instant", "2262-04-11T23:47:16.854775808Z", 0, TS_ERANGE},
        {"one nanosecond before the earliest instant", "1677-09-21T00:12:43.145224191Z", 0,
         TS_ERANGE},
        {"earliest instant moved earlier by an offset", "1677-09-21T00:12:43.145224192+00:01", 0,
         TS_ERANGE},
        {"year 9999", "9999-12-31T23:59:59Z", 0, TS_ERANGE},
        {"year 0", "0000-01-01", 0, TS_ERANGE},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        int64_t got = SENTINEL;
        int rc = ts_time_parse_rfc3339(cases[i].text, len, &got);
        EXPECT(rc == cases[i].want, cases[i].name, "returned %d (%s), want %d", rc, ts_errname(rc),
               cases[i].want);
        EXPECT(got == SENTINEL, cases[i].name, "out was overwritten with %lld", (long long)got);
    }
    assert_int_equal(ts_time_parse_rfc3339(NULL, 0, &(int64_t){0}), TS_EINVAL);
    assert_int_equal(failures, 0);
}

static void test_parse_errors_explain_themselves(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        const char *msg_part;
    } cases[] = {
        {"calendar", "2023-02-29", "invalid date 2023-02-29"},
        {"clock", "2026-11-24T24:00:00Z", "invalid time of day 24:00:00"},
        {"offset", "2026-11-24T13:05:00", "no offset"},
        {"range", "2262-04-12", "outside 1677-09-21..2262-04-11"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_err err = TS_ERR_INIT;
        int64_t got;
        int rc = ts_time_parse_rfc3339_err(cases[i].text, strlen(cases[i].text), &got, &err);
        EXPECT(rc != 0 && err.code == rc, cases[i].name, "rc %d, err.code %d", rc, err.code);
        EXPECT(strstr(err.msg, cases[i].msg_part) != NULL, cases[i].name,
               "message \"%s\" lacks \"%s\"", err.msg, cases[i].msg_part);
    }
    assert_int_equal(failures, 0);
}

static void test_format_writes_utc_microseconds_rounded_toward_the_past(void **state)
{
    static const struct {
        const char *name;
        int64_t ns;
        const char *want;
    } cases[] = {
        {"epoch", 0, "1970-01-01T00:00:00.000000Z"},
        {"microseconds", INT64_C(1795525500123456000), "2026-11-24T13:05:00.123456Z"},
        {"nanoseconds are dropped", INT64_C(1795525500123456789), "2026-11-24T13:05:00.123456Z"},
        {"one nanosecond before the epoch", -1, "1969-12-31T23:59:59.999999Z"},
        {"leap day", INT64_C(1709208000000000000), "2024-02-29T12:00:00.000000Z"},
        {"earliest instant", INT64_MIN, "1677-09-21T00:12:43.145224Z"},
        {"latest instant", INT64_MAX, "2262-04-11T23:47:16.854775Z"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[TS_TIME_STRLEN];
        size_t n = ts_time_format_rfc3339(cases[i].ns, out, sizeof(out));
        EXPECT(n == strlen(cases[i].want) && strcmp(out, cases[i].want) == 0, cases[i].name,
               "got \"%s\" (%zu), want \"%s\"", out, n, cases[i].want);
    }
    assert_int_equal(failures, 0);
}

static void test_format_into_a_too_small_buffer_writes_nothing(void **state)
{
    char out[TS_TIME_STRLEN + 4];
    (void)state;

    memset(out, 'x', sizeof(out));
    assert_int_equal(ts_time_format_rfc3339(0, out, TS_TIME_STRLEN - 1), 0);
    assert_int_equal(out[0], '\0');
    assert_int_equal(out[TS_TIME_STRLEN - 1], 'x');
    memset(out, 'x', sizeof(out));
    assert_int_equal(ts_time_format_rfc3339(0, out, 0), 0);
    assert_int_equal(out[0], 'x');
    assert_int_equal(ts_time_format_rfc3339(0, out, TS_TIME_STRLEN), TS_TIME_STRLEN - 1);
    assert_int_equal(out[TS_TIME_STRLEN - 1], '\0');
}

static void test_format_then_parse_gives_back_the_instant_to_the_microsecond(void **state)
{
    uint64_t x = 0x2545f4914f6cdd1du; /* xorshift: deterministic */
    int failures = 0;
    (void)state;

    for (int i = 0; i < 200000; i++) {
        char out[TS_TIME_STRLEN];
        int64_t ns, back = SENTINEL, want;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        ns = (int64_t)x;
        if (i % 2) {
            ns /= 1000000; /* also cover the decades around the epoch */
        }
        if (ns < INT64_MIN + 1000) {
            continue; /* its floor may be below the range: checked below */
        }
        want = ns - (((ns % 1000) + 1000) % 1000); /* floor to the microsecond */
        size_t n = ts_time_format_rfc3339(ns, out, sizeof(out));
        EXPECT(n == 27 && ts_time_parse_rfc3339(out, n, &back) == 0 && back == want,
               "random instant", "%lld -> \"%s\" -> %lld", (long long)ns, out, (long long)back);
        if (failures > 10) {
            break;
        }
    }
    /* The earliest instants floor to a microsecond outside the range: refused, not wrapped. */
    {
        char out[TS_TIME_STRLEN];
        int64_t back = SENTINEL;
        size_t n = ts_time_format_rfc3339(INT64_MIN, out, sizeof(out));
        EXPECT(ts_time_parse_rfc3339(out, n, &back) == TS_ERANGE && back == SENTINEL,
               "earliest instant", "\"%s\" parsed to %lld", out, (long long)back);
    }
    assert_int_equal(failures, 0);
}

static void test_b3_local_time_is_utc_minus_three(void **state)
{
    static const struct {
        const char *name;
        const char *utc;
        int64_t ns; /* used when utc is NULL */
        int year, month, day, hour, minute, second, weekday, minutes_of_day;
    } cases[] = {
        {"midday UTC is 09:00 on a Thursday", "2026-11-26T12:00:00Z", 0, 2026, 11, 26, 9, 0, 0,
         TS_THURSDAY, 540},
        {"B3 opening in July, no DST", "2026-07-15T13:00:00Z", 0, 2026, 7, 15, 10, 0, 0,
         TS_WEDNESDAY, 600},
        {"last second of the local day", "2026-11-27T02:59:59Z", 0, 2026, 11, 26, 23, 59, 59,
         TS_THURSDAY, 1439},
        {"local midnight", "2026-11-27T03:00:00Z", 0, 2026, 11, 27, 0, 0, 0, TS_FRIDAY, 0},
        {"saturday", "2026-11-28T20:30:00Z", 0, 2026, 11, 28, 17, 30, 0, TS_SATURDAY, 1050},
        {"new year in UTC is still last year locally", "2027-01-01T01:00:00Z", 0, 2026, 12, 31, 22,
         0, 0, TS_THURSDAY, 1320},
        {"leap day locally", "2024-03-01T02:00:00Z", 0, 2024, 2, 29, 23, 0, 0, TS_THURSDAY, 1380},
        {"epoch", "1970-01-01T00:00:00Z", 0, 1969, 12, 31, 21, 0, 0, TS_WEDNESDAY, 1260},
        {"earliest instant", NULL, INT64_MIN, 1677, 9, 20, 21, 12, 43, TS_MONDAY, 1272},
        {"latest instant", NULL, INT64_MAX, 2262, 4, 11, 20, 47, 16, TS_FRIDAY, 1247},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_local_time t;
        int64_t ns = cases[i].ns;

        if (cases[i].utc) {
            assert_int_equal(ts_time_parse_rfc3339(cases[i].utc, strlen(cases[i].utc), &ns), 0);
        }
        memset(&t, 0xff, sizeof(t));
        EXPECT(ts_time_b3_local(ns, &t) == 0, cases[i].name, "%s", "b3_local failed");
        EXPECT(t.year == cases[i].year && t.month == cases[i].month && t.day == cases[i].day,
               cases[i].name, "date %04d-%02d-%02d, want %04d-%02d-%02d", t.year, t.month, t.day,
               cases[i].year, cases[i].month, cases[i].day);
        EXPECT(t.hour == cases[i].hour && t.minute == cases[i].minute &&
                   t.second == cases[i].second,
               cases[i].name, "time %02d:%02d:%02d, want %02d:%02d:%02d", t.hour, t.minute,
               t.second, cases[i].hour, cases[i].minute, cases[i].second);
        EXPECT(t.weekday == cases[i].weekday, cases[i].name, "weekday %d, want %d", t.weekday,
               cases[i].weekday);
        EXPECT(t.minutes_of_day == cases[i].minutes_of_day, cases[i].name,
               "minutes_of_day %d, want %d", t.minutes_of_day, cases[i].minutes_of_day);
    }
    assert_int_equal(failures, 0);
}

static void test_results_do_not_depend_on_the_tz_environment(void **state)
{
    static const char *const zones[] = {"UTC", "America/Sao_Paulo", "Asia/Kolkata",
                                        "EST5EDT,M3.2.0,M11.1.0", "garbage"};
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        char out[TS_TIME_STRLEN];
        struct ts_local_time t;
        int64_t ns = 0;

        setenv("TZ", zones[i], 1);
        tzset();
        EXPECT(ts_time_parse_rfc3339("2026-11-26T12:00:00Z", 20, &ns) == 0 &&
                   ns == INT64_C(1795694400000000000),
               zones[i], "parsed as %lld", (long long)ns);
        ts_time_format_rfc3339(ns, out, sizeof(out));
        EXPECT(strcmp(out, "2026-11-26T12:00:00.000000Z") == 0, zones[i], "formatted as %s", out);
        EXPECT(ts_time_b3_local(ns, &t) == 0 && t.hour == 9, zones[i], "local hour %d", t.hour);
    }
    unsetenv("TZ");
    tzset();
    assert_int_equal(failures, 0);
}

static void test_clocks_tell_the_time_and_never_run_backwards(void **state)
{
    int64_t wall = ts_now_ns();
    int64_t libc = (int64_t)time(NULL) * TS_NS_PER_SEC;
    int64_t prev = ts_mono_ns();
    (void)state;

    assert_true(wall > libc - 5 * TS_NS_PER_SEC && wall < libc + 5 * TS_NS_PER_SEC);
    for (int i = 0; i < 10000; i++) {
        int64_t cur = ts_mono_ns();
        assert_true(cur >= prev);
        prev = cur;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_text_parses_to_nanoseconds_since_the_epoch),
        cmocka_unit_test(test_invalid_dates_times_and_shapes_are_refused),
        cmocka_unit_test(test_parse_errors_explain_themselves),
        cmocka_unit_test(test_format_writes_utc_microseconds_rounded_toward_the_past),
        cmocka_unit_test(test_format_into_a_too_small_buffer_writes_nothing),
        cmocka_unit_test(test_format_then_parse_gives_back_the_instant_to_the_microsecond),
        cmocka_unit_test(test_b3_local_time_is_utc_minus_three),
        cmocka_unit_test(test_results_do_not_depend_on_the_tz_environment),
        cmocka_unit_test(test_clocks_tell_the_time_and_never_run_backwards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
