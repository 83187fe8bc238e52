/*
 * unit.h - helpers shared by the cmocka unit tests (tests/unit/test_*.c): the
 * EXPECT macro of table-driven tests, decimals and UUIDs written in tables, and
 * instants of the B3 trading day the domain tests use.
 *
 * One definition of each, so that a fix to a helper reaches every test
 * (CONVENTIONS.md "Tests"). Include it after the test's own includes. Does not:
 * start fixtures that need a database (tests/integration/harness.h does).
 */
#ifndef TS_TESTS_UNIT_H
#define TS_TESTS_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/dec.h"
#include "core/uuid.h"

/*
 * Records a failed case of a table-driven test and goes on, so that one run shows
 * every broken case. The test declares `int failures = 0;` and ends with
 * `assert_int_equal(failures, 0);`. name is the case's name, printed with the
 * file and line of the check and the printf-style detail fmt:
 *   test_order.c:123: case "fill beyond quantity": rc 0, want -22
 */
#define EXPECT(cond, name, fmt, ...)                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error("%s:%d: case \"%s\": " fmt "\n", __FILE__, __LINE__, (name), __VA_ARGS__); \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* A decimal written as text (tables read better that way); a table typo fails the test. */
static inline ts_dec D(const char *s)
{
    ts_dec v = 0;
    if (ts_dec_parse(s, strlen(s), &v) != 0) {
        fail_msg("test table value \"%s\" does not parse", s);
    }
    return v;
}

/* A UUID of sixteen bytes n: distinct, readable ids for accounts, strategies, orders. */
static inline struct ts_uuid U(uint8_t n) {
    struct ts_uuid u;
    memset(u.b, n, sizeof(u.b));
    return u;
}

/* Instants of the domain tests' trading days, in ns since the epoch. */
#define NS INT64_C(1000000000)
#define DAY0_UTC INT64_C(1795478400) /* 2026-11-24T00:00:00Z, a Tuesday */
/* B3 local time (UTC-3) h:m on 2026-11-24 plus days, as ns. */
#define LOCAL(days, h, m) ((DAY0_UTC + (days)*86400 + ((h) + 3) * 3600 + (m)*60) * NS)

#endif
