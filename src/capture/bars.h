/*
 * bars.h - the 1-minute bars of a batch of ticks (pure; any thread): per symbol and
 * minute (UTC), the opening and closing trades by (time, trade number), high, low,
 * volume and count - exactly what data_capture.rebuild_market_bars_1m() makes from
 * the same ticks, whatever their order. The ingest path merges them into
 * market_bars_1m in the ticks' transaction (ingest.c).
 */
#ifndef TS_CAPTURE_BARS_H
#define TS_CAPTURE_BARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"
#include "core/err.h"
#include "domain/tick.h"

struct ts_bar {
    const struct ts_tick *first, *last; /* borrowed from the ticks: opening, closing trade */
    int64_t bucket;                     /* the minute, ns UTC (a multiple of 60 s) */
    int64_t count;                      /* trades */
    ts_dec high, low, volume;           /* 1e-8 units */
};

/*
 * The bars of the ticks t[i] with fresh[i] (fresh == NULL: all), sorted by symbol
 * and minute, into *out (caller ts_free()s it, also on error). Returns how many, or
 * (size_t)-1 with err (TS_EINVAL) when a minute's volume overflows DECIMAL(18,8).
 */
size_t ts_bars_make(const struct ts_tick *t, size_t n, const bool *fresh, struct ts_bar **out,
                    struct ts_err *err);

#endif
