/*
 * fuzz_tstime.c - fuzz target for ts_time_parse_rfc3339() (src/core/tstime.h).
 *
 * Whatever text parses must format to RFC 3339 text that parses back to the
 * same instant floored to the microsecond, and give B3 local fields in range.
 * An 8-byte input is also read as a raw int64 instant to push formatting and
 * local time through the whole int64 range. Aborts on any mismatch. Does not
 * check that refused text deserved refusal (tests/unit/test_tstime.c does).
 * Replayed over fuzz/seeds/tstime/ by ctest; with clang: -fsanitize=fuzzer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tstime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what, int64_t ns)
{
    if (!ok) {
        fprintf(stderr, "fuzz_tstime: %s fails for %lld\n", what, (long long)ns);
        abort();
    }
}

static void check_instant(int64_t ns)
{
    char text[TS_TIME_STRLEN];
    struct ts_local_time t;
    int64_t back = 0, below = ((ns % 1000) + 1000) % 1000;
    size_t n = ts_time_format_rfc3339(ns, text, sizeof(text));

    check(n == TS_TIME_STRLEN - 1 && strlen(text) == n && text[n - 1] == 'Z', "format", ns);
    if (ns >= INT64_MIN + below) {
        check(ts_time_parse_rfc3339(text, n, &back) == 0 && back == ns - below, "round trip", ns);
    } else {
        /* The bottom 808 ns floor to a microsecond before INT64_MIN (see tstime.h). */
        check(ts_time_parse_rfc3339(text, n, &back) == TS_ERANGE, "floor below range", ns);
    }
    check(ts_time_b3_local(ns, &t) == 0, "b3_local", ns);
    check(t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31 && t.hour >= 0 &&
              t.hour <= 23 && t.minute >= 0 && t.minute <= 59 && t.second >= 0 && t.second <= 59 &&
              t.weekday >= 0 && t.weekday <= 6 && t.minutes_of_day == t.hour * 60 + t.minute,
          "local fields in range", ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ts_err err = TS_ERR_INIT;
    int64_t ns = 0;
    int rc = ts_time_parse_rfc3339_err((const char *)data, size, &ns, &err);

    if (rc == 0) {
        check(err.code == 0, "no error reported on success", ns);
        check_instant(ns);
    } else {
        check((rc == TS_EINVAL || rc == TS_ERANGE) && err.code == rc && err.msg[0] != '\0',
              "failure explained", rc);
    }
    if (size == sizeof(int64_t)) {
        memcpy(&ns, data, sizeof(ns));
        check_instant(ns);
    }
    return 0;
}
