/*
 * tick.h - one trade of the tape (a "tick"), the market type that capture
 * produces and the order manager and the paper venue consume. Plain data; the
 * codecs that make ticks are in src/capture (sim, trade files, the bridge).
 */
#ifndef TS_DOMAIN_TICK_H
#define TS_DOMAIN_TICK_H

#include <stdint.h>

#include "core/dec.h"
#include "domain/instrument.h"

/* The aggressor's names, by struct ts_tick's aggressor value (an array initialiser). */
#define TS_AGGRESSOR_NAMES                                                                         \
    {                                                                                              \
        "BUY", "SELL", "NEUTRAL"                                                                   \
    }

struct ts_tick {
    char symbol[TS_SYMBOL_MAX + 1];
    ts_dec price;     /* > 0 */
    ts_dec volume;    /* > 0 */
    int64_t time_ns;  /* trade time, ns UTC */
    int64_t trade_id; /* exchange trade number */
    int aggressor;    /* 0 BUY, 1 SELL, 2 NEUTRAL */
    int64_t recv_ns;  /* when it reached us (received_time), ns UTC; 0: when stored */
};

#endif
