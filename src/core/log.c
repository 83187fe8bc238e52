/* log.c - stderr logger. See log.h. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int min_level = TS_LOG_INFO;

void ts_log_set_level(enum ts_log_level lvl)
{
    atomic_store(&min_level, (int)lvl);
}

void ts_log_init_from_env(void)
{
    const char *v = getenv("TS_LOG_LEVEL");
    if (!v) {
        return;
    }
    if (!strcmp(v, "debug")) {
        ts_log_set_level(TS_LOG_DEBUG);
    } else if (!strcmp(v, "warn")) {
        ts_log_set_level(TS_LOG_WARN);
    } else if (!strcmp(v, "error")) {
        ts_log_set_level(TS_LOG_ERROR);
    } else {
        ts_log_set_level(TS_LOG_INFO);
    }
}

void ts_log(enum ts_log_level lvl, const char *area, const char *fmt, ...)
{
    static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    char line[2048];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    int n, m;

    if ((int)lvl < atomic_load(&min_level)) {
        return;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = snprintf(line, sizeof(line),
                 "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, names[lvl],
                 area);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        return;
    }
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0) {
        return;
    }
    n += m;
    if ((size_t)n > sizeof(line) - 2) {
        n = (int)sizeof(line) - 2;
    }
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}
