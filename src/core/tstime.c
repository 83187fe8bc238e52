/*
 * tstime.c - clocks, RFC 3339 text, B3 local time. See tstime.h.
 *
 * Calendar arithmetic is Howard Hinnant's days_from_civil/civil_from_days
 * (http://howardhinnant.github.io/date_algorithms.html): exact integer
 * formulas for the proleptic Gregorian calendar, no tables, no libc time
 * zone machinery (gmtime/mktime/timegm are not used, so TZ cannot matter).
 * Does not allocate.
 */
#include "core/tstime.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#define SEC_PER_DAY INT64_C(86400)

int64_t ts_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * TS_NS_PER_SEC + ts.tv_nsec;
}

int64_t ts_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * TS_NS_PER_SEC + ts.tv_nsec;
}

/* Floor division and its non-negative remainder (C's / truncates toward zero). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) {
        q--;
    }
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b; /* not a - floor_div(a, b) * b: that overflows at INT64_MIN */
    if (r != 0 && ((r < 0) != (b < 0))) {
        r += b;
    }
    return r;
}

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Calendar fields of a count of seconds since the epoch (any sign). */
static void fields_from_secs(int64_t secs, struct ts_local_time *out)
{
    int64_t days = floor_div(secs, SEC_PER_DAY);
    int64_t sod = floor_mod(secs, SEC_PER_DAY);
    int64_t y;

    civil_from_days(days, &y, &out->month, &out->day);
    out->year = (int)y;
    out->hour = (int)(sod / 3600);
    out->minute = (int)(sod / 60 % 60);
    out->second = (int)(sod % 60);
    out->weekday = (int)floor_mod(days + TS_THURSDAY, 7); /* 1970-01-01 was a Thursday */
    out->minutes_of_day = out->hour * 60 + out->minute;
}

size_t ts_time_format_rfc3339(int64_t ns, char *out, size_t cap)
{
    struct ts_local_time t;
    int64_t us = floor_mod(ns, TS_NS_PER_SEC) / TS_NS_PER_US;
    int n;

    if (cap < TS_TIME_STRLEN) {
        if (cap > 0) {
            out[0] = '\0';
        }
        return 0;
    }
    fields_from_secs(floor_div(ns, TS_NS_PER_SEC), &t);
    n = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", t.year, t.month, t.day, t.hour,
                 t.minute, t.second, (int)us);
    /* int64 ns spans years 1677..2262: always 27 characters. */
    assert(n == TS_TIME_STRLEN - 1);
    return (size_t)n;
}

/* n ASCII digits at s[*pos] as a number; advances *pos. */
static bool take_digits(const char *s, size_t len, size_t *pos, int n, int *out)
{
    int v = 0;

    if (len - *pos < (size_t)n) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        char c = s[*pos + (size_t)i];
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    *pos += (size_t)n;
    *out = v;
    return true;
}

static bool take_char(const char *s, size_t len, size_t *pos, char c)
{
    if (*pos < len && s[*pos] == c) {
        (*pos)++;
        return true;
    }
    return false;
}

int ts_time_parse_rfc3339_err(const char *s, size_t len, int64_t *ns, struct ts_err *err)
{
    size_t pos = 0;
    int year, month, day, hour = 0, minute = 0, second = 0, frac = 0;
    int64_t offset_sec = 0, secs, total, frac_ns;

    if (s == NULL) {
        return ts_err_set(err, TS_EINVAL, "empty time");
    }
    if (!take_digits(s, len, &pos, 4, &year) || !take_char(s, len, &pos, '-') ||
        !take_digits(s, len, &pos, 2, &month) || !take_char(s, len, &pos, '-') ||
        !take_digits(s, len, &pos, 2, &day)) {
        return ts_err_set(err, TS_EINVAL, "time does not start with a YYYY-MM-DD date");
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
        return ts_err_set(err, TS_EINVAL, "invalid date %04d-%02d-%02d", year, month, day);
    }
    if (pos < len) {
        char sep = s[pos++];
        if (sep != 'T' && sep != 't' && sep != ' ') {
            return ts_err_set(err, TS_EINVAL, "time has no 'T' after its date");
        }
        if (!take_digits(s, len, &pos, 2, &hour) || !take_char(s, len, &pos, ':') ||
            !take_digits(s, len, &pos, 2, &minute) || !take_char(s, len, &pos, ':') ||
            !take_digits(s, len, &pos, 2, &second)) {
            return ts_err_set(err, TS_EINVAL, "time of day is not hh:mm:ss");
        }
        if (hour > 23 || minute > 59 || second > 59) {
            return ts_err_set(err, TS_EINVAL, "invalid time of day %02d:%02d:%02d", hour, minute,
                              second);
        }
        if (take_char(s, len, &pos, '.')) {
            int digits = 0;
            while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
                if (++digits > 9) {
                    return ts_err_set(err, TS_EINVAL, "time has more than 9 fraction digits");
                }
                frac = frac * 10 + (s[pos++] - '0');
            }
            if (digits == 0) {
                return ts_err_set(err, TS_EINVAL, "time has no digit after its point");
            }
            for (; digits < 9; digits++) {
                frac *= 10;
            }
        }
        if (take_char(s, len, &pos, 'Z') || take_char(s, len, &pos, 'z')) {
            offset_sec = 0;
        } else if (pos < len && (s[pos] == '+' || s[pos] == '-')) {
            int sign = s[pos++] == '-' ? -1 : 1, oh, om;
            if (!take_digits(s, len, &pos, 2, &oh) || !take_char(s, len, &pos, ':') ||
                !take_digits(s, len, &pos, 2, &om) || oh > 23 || om > 59) {
                return ts_err_set(err, TS_EINVAL, "time offset is not +hh:mm or -hh:mm");
            }
            offset_sec = sign * (oh * 3600 + om * 60);
        } else {
            return ts_err_set(err, TS_EINVAL, "time has no offset ('Z' or +hh:mm)");
        }
        if (pos != len) {
            return ts_err_set(err, TS_EINVAL, "unexpected character in time at byte %zu", pos);
        }
    }

    /* Years 0..9999 in seconds fit easily; only the nanoseconds can overflow. */
    secs = days_from_civil(year, month, day) * SEC_PER_DAY + hour * 3600 + minute * 60 + second -
           offset_sec;
    frac_ns = frac;
    if (secs < 0 && frac_ns > 0) {
        /* Borrow a second so that the earliest instant (INT64_MIN) does not overflow midway. */
        secs++;
        frac_ns -= TS_NS_PER_SEC;
    }
    if (__builtin_mul_overflow(secs, TS_NS_PER_SEC, &total) ||
        __builtin_add_overflow(total, frac_ns, &total)) {
        return ts_err_set(err, TS_ERANGE, "time is outside 1677-09-21..2262-04-11");
    }
    *ns = total;
    return 0;
}

int ts_time_parse_rfc3339(const char *s, size_t len, int64_t *ns)
{
    return ts_time_parse_rfc3339_err(s, len, ns, NULL);
}

int ts_time_b3_local(int64_t ns, struct ts_local_time *out)
{
    /* Seconds first: ns - 3h could overflow at the bottom of the int64 range. */
    fields_from_secs(floor_div(ns, TS_NS_PER_SEC) + TS_B3_UTC_OFFSET_SEC, out);
    return 0;
}
