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
 *  - STOP / STOP_LIMIT: trigger when a tick trades at or through the stop price
 *    (whatever volume is left on it), then behave as MARKET / LIMIT from that
 *    tick on.
 */
#ifndef TS_VENUE_VENUE_H
#define TS_VENUE_VENUE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dec.h"
#include "domain/order.h"
#include "domain/tick.h"

/*
 * Whether tick t triggers the stop order o: a working STOP or STOP_LIMIT whose stop
 * price t trades at or through (BUY: t->price >= stop_price; SELL: <=). Volume plays
 * no part: a print at the stop triggers every stop there, also one behind orders
 * that took all of the print. Whether o has triggered before is the caller's state
 * (the order manager keeps it per order); call this only while it has not. False
 * for every other order.
 */
bool ts_paper_triggers(const struct ts_order *o, const struct ts_tick *t);

/*
 * Matches one working order against one tick with `avail` volume left on it.
 * triggered: whether a STOP/STOP_LIMIT has triggered (on an earlier tick, or on this
 * one by ts_paper_triggers() just before); an untriggered stop never fills. Ignored
 * for MARKET and LIMIT. Returns true with *qty > 0 and *price when it fills.
 */
bool ts_paper_match(const struct ts_order *o, bool triggered, const struct ts_tick *t, ts_dec avail,
                    ts_dec *qty, ts_dec *price);

#endif
