/*
 * sim.h - a simulated B3 tape (the `sim` feed): trades for a set of instruments,
 * each a random walk on its tick size with volumes in lots, trade numbers and an
 * aggressor side. Pure: no clock, no I/O; the same seed and the same calls give
 * the same ticks, so a run can be repeated exactly.
 *
 * The caller stamps times (ts_sim_next takes the tick's time) and paces the rate.
 * Thread: one struct ts_sim per thread.
 */
#ifndef TS_CAPTURE_SIM_H
#define TS_CAPTURE_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"
#include "core/err.h"
#include "domain/tick.h"

#define TS_SIM_MAX_SYMBOLS 64

struct ts_sim_instrument {
    char symbol[TS_SYMBOL_MAX + 1];
    const char *asset_class; /* "stock", "future" */
    const char *name;
    ts_dec price;     /* start price, on the tick size */
    ts_dec tick_size; /* > 0 */
    ts_dec lot_size;  /* > 0 */
};

/* The default market: liquid B3 stocks and the mini index and dollar futures. */
extern const struct ts_sim_instrument ts_sim_default_market[];
extern const size_t ts_sim_default_market_len;

struct ts_sim {
    uint64_t rng;
    size_t n;
    struct {
        struct ts_sim_instrument in;
        ts_dec last;      /* last traded price */
        int64_t trade_no; /* last trade number */
    } sym[TS_SIM_MAX_SYMBOLS];
};

/* Sets up the instruments (at most TS_SIM_MAX_SYMBOLS) with a seed (any value). */
int ts_sim_init(struct ts_sim *s, const struct ts_sim_instrument *ins, size_t n, uint64_t seed,
                struct ts_err *err) TS_MUST_CHECK;
/* Moves symbol i's last price (e.g. to the last price stored), snapped to its tick. */
void ts_sim_set_last(struct ts_sim *s, size_t i, ts_dec price, int64_t trade_no);
/* The next trade at time_ns: a symbol, a step of -3..+3 ticks (never below one
 * tick), 1..20 lots, BUY when the price went up, SELL when down, else either. */
void ts_sim_next(struct ts_sim *s, int64_t time_ns, struct ts_tick *out);

#endif
