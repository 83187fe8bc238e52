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
#include "domain/tick.h"

/*
 * Matches one working order against one tick with `avail` volume left on it.
 * *triggered carries a stop order's state across ticks (set when it triggers).
 * Returns true with *qty > 0 and *price when it fills.
 */
bool ts_paper_match(const struct ts_order *o, bool *triggered, const struct ts_tick *t,
                    ts_dec avail, ts_dec *qty, ts_dec *price);

#endif
