/*
 * venue.h - where orders go. The paper venue (default) fills working orders
 * against the tape: it is pure (no I/O, no clock), so fills are deterministic for
 * a given sequence of ticks, and the OMS thread calls it directly.
 *
 * Paper rules (docs/api.md "Paper venue"):
 *  - MARKET: fills in full at the last trade price when there is one at placement
 *    (no book yet: the capture issue adds it), else at the next tick's price;
 *  - LIMIT: rests; a tick at or through the limit fills it at the limit price,
 *    partially when the tick's volume (minus what earlier orders took from the same
 *    tick, in time priority) is smaller than the remaining quantity;
 *  - STOP / STOP_LIMIT: trigger when a tick trades at or through the stop price,
 *    then behave as MARKET / LIMIT from that tick on.
 */
#ifndef TS_VENUE_VENUE_H
#define TS_VENUE_VENUE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dec.h"
#include "domain/order.h"

/* The aggressor's names, by struct ts_tick's aggressor value (an array initialiser). */
#define TS_AGGRESSOR_NAMES {"BUY", "SELL", "NEUTRAL"}

struct ts_tick {
    char symbol[TS_SYMBOL_MAX + 1];
    ts_dec price;    /* > 0 */
    ts_dec volume;   /* > 0 */
    int64_t time_ns; /* trade time, ns UTC */
    int64_t trade_id; /* exchange trade number */
    int aggressor;   /* 0 BUY, 1 SELL, 2 NEUTRAL */
    int64_t recv_ns; /* when it reached us (received_time), ns UTC; 0: when stored */
};

/*
 * Matches one working order against one tick with `avail` volume left on it.
 * *triggered carries a stop order's state across ticks (set when it triggers).
 * Returns true with *qty > 0 and *price when it fills.
 */
bool ts_paper_match(const struct ts_order *o, bool *triggered, const struct ts_tick *t,
                    ts_dec avail, ts_dec *qty, ts_dec *price);

#endif
