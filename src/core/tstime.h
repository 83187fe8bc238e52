/*
 * tstime.h - time as int64 nanoseconds since the Unix epoch, UTC (DESIGN.md §3).
 *
 * In memory every instant is an int64_t count of nanoseconds since
 * 1970-01-01T00:00:00Z (range 1677-09-21 to 2262-04-11). PostgreSQL's
 * TIMESTAMPTZ keeps microseconds, so the text we write has microseconds.
 * Conversions to calendar fields are our own (proleptic Gregorian,
 * days-from-civil), so neither the TZ environment variable, the locale nor the
 * system tz database can change a result.
 *
 * B3 local time is America/Sao_Paulo, which has had no daylight saving time
 * since 2019 (decree 9.772 of 2019-04-25; the last DST ended 2019-02-17):
 * it is UTC-3 all year. ts_time_b3_local() applies UTC-3 to every instant,
 * so local times before 2019-02-17 that fell in a DST period are one hour
 * off. We trade now; historical DST is not modelled. Should Brazil bring DST
 * back, this is the one place to change.
 *
 * Does not: handle leap seconds (":60" is refused; Unix time has none),
 * other time zones, or relative dates. Any thread may call everything here.
 */
#ifndef TS_CORE_TSTIME_H
#define TS_CORE_TSTIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define TS_NS_PER_US INT64_C(1000)
#define TS_NS_PER_MS INT64_C(1000000)
#define TS_NS_PER_SEC INT64_C(1000000000)
#define TS_B3_UTC_OFFSET_SEC (-3 * 3600) /* America/Sao_Paulo since 2019: UTC-3, no DST */

/* Bytes that always suffice for ts_time_format_rfc3339(): "2026-11-24T13:05:00.123456Z" + NUL. */
#define TS_TIME_STRLEN 28

/* Wall clock (CLOCK_REALTIME): for timestamps that are stored or shown. */
int64_t ts_now_ns(void);
/* CLOCK_MONOTONIC, arbitrary origin: for durations, timeouts and latencies only. */
int64_t ts_mono_ns(void);

/*
 * "2026-11-24T13:05:00.123456Z": UTC, always 6 fraction digits. Sub-microsecond
 * digits are dropped toward the past (floor), so the text never names a later
 * instant than ns and stays in the same second. (So the first 808 ns of the
 * int64 range, in 1677, format to a microsecond that does not parse back.)
 * Writes NUL-terminated text and returns its length (27); when
 * cap < TS_TIME_STRLEN writes "" (if cap > 0) and returns 0.
 */
size_t ts_time_format_rfc3339(int64_t ns, char *out, size_t cap);

/*
 * Parses an RFC 3339 date-time or a bare date:
 *   YYYY-MM-DD                                   midnight UTC
 *   YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|+hh:mm|-hh:mm)
 * 'T' may also be 't' or a space, 'Z' may be 'z' (RFC 3339 §5.6 notes).
 * Refused with TS_EINVAL: anything else, including missing offsets,
 * invalid calendar dates (2023-02-29, month 13), hour 24, second 60, more than
 * 9 fraction digits, offsets beyond 23:59. TS_ERANGE when the instant does not
 * fit int64 nanoseconds (outside 1677-09-21..2262-04-11). s need not be
 * NUL-terminated; *ns is untouched on failure.
 */
int ts_time_parse_rfc3339(const char *s, size_t len, int64_t *ns) TS_MUST_CHECK;
/* Same, and on failure explains why in err (may be NULL). */
int ts_time_parse_rfc3339_err(const char *s, size_t len, int64_t *ns,
                              struct ts_err *err) TS_MUST_CHECK;

enum ts_weekday {
    TS_SUNDAY = 0, /* numbered as struct tm's tm_wday */
    TS_MONDAY,
    TS_TUESDAY,
    TS_WEDNESDAY,
    TS_THURSDAY,
    TS_FRIDAY,
    TS_SATURDAY,
};

/* Calendar fields of an instant in B3 local time. */
struct ts_local_time {
    int year;           /* e.g. 2026 */
    int month;          /* 1..12 */
    int day;            /* 1..31 */
    int hour;           /* 0..23 */
    int minute;         /* 0..59 */
    int second;         /* 0..59 */
    int weekday;        /* enum ts_weekday, 0 = Sunday .. 6 = Saturday */
    int minutes_of_day; /* hour * 60 + minute, 0..1439: compare with session hours */
};

/*
 * ns as B3 local time (UTC-3; see the top of this file for DST). Returns 0 for
 * every int64 instant; it returns int so that a future rule table can refuse
 * instants it does not cover.
 */
int ts_time_b3_local(int64_t ns, struct ts_local_time *out) TS_MUST_CHECK;

#endif
