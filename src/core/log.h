/*
 * log.h - one-line structured logging to stderr.
 *
 * Lines look like `2026-11-26T13:05:00.123Z INFO db: cluster started pid=123`.
 * Any thread may call; each line is written with one write(2) so lines from
 * different threads do not interleave. Never log secrets (keys, tokens).
 */
#ifndef TS_CORE_LOG_H
#define TS_CORE_LOG_H

#include "core/err.h"

enum ts_log_level { TS_LOG_DEBUG, TS_LOG_INFO, TS_LOG_WARN, TS_LOG_ERROR };

/* Level from TS_LOG_LEVEL (debug|info|warn|error), default info. */
void ts_log_init_from_env(void);
void ts_log_set_level(enum ts_log_level lvl);
void ts_log(enum ts_log_level lvl, const char *area, const char *fmt, ...) TS_PRINTF(3, 4);

#define ts_debug(area, ...) ts_log(TS_LOG_DEBUG, area, __VA_ARGS__)
#define ts_info(area, ...) ts_log(TS_LOG_INFO, area, __VA_ARGS__)
#define ts_warn(area, ...) ts_log(TS_LOG_WARN, area, __VA_ARGS__)
#define ts_error(area, ...) ts_log(TS_LOG_ERROR, area, __VA_ARGS__)

#endif
