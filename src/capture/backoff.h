/*
 * backoff.h - when the bridge feed (bridge.c) tries to connect again (docs/api.md "Feed
 * bridge protocol"): the first attempt, and one asked for (POST /feed/reconnect), at
 * once; after that each attempt waits, 1 s, then 2, 4, ... up to 60 s, and the wait
 * starts again from 1 s after a connection that stayed up TS_BACKOFF_STABLE_NS.
 *
 * Pure: no clock, no I/O, no sleeping. The caller passes the times in (any one clock,
 * in ns) and does the waiting, so that tests/unit/test_backoff.c can drive it with
 * made-up times. Does not: decide when a connection has failed, or cut a wait short
 * (the caller does, then says so with ts_backoff_restart()).
 *
 * Thread: one struct per feed, used by its reader thread only.
 */
#ifndef TS_CAPTURE_BACKOFF_H
#define TS_CAPTURE_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tstime.h"

#define TS_BACKOFF_MIN_NS (1 * TS_NS_PER_SEC)
#define TS_BACKOFF_MAX_NS (60 * TS_NS_PER_SEC)
#define TS_BACKOFF_STABLE_NS (10 * TS_NS_PER_SEC) /* a connection this old resets the wait */

struct ts_backoff {
    int64_t wait_ns; /* the wait before the next attempt that is not at once: MIN..MAX */
    int64_t up_ns;   /* when the connection came up (the caller's clock); valid while up */
    bool up;         /* between ts_backoff_up() and ts_backoff_down() */
    bool tried;      /* an attempt was made: only the first one is at once unasked */
};

/* Before the first attempt: it is made at once, and the first wait is MIN. */
void ts_backoff_init(struct ts_backoff *b);

/*
 * Before each attempt: how long to wait first, in ns (0: at once). asked: a reconnect
 * was asked for, so the attempt is made at once and the wait starts over from MIN.
 * Otherwise only the first attempt is at once; every later one waits, and the wait
 * after it doubles, up to MAX. Not while a connection is up.
 */
int64_t ts_backoff_next(struct ts_backoff *b, bool asked);

/* A reconnect was asked for during the wait: the caller cut it short and attempts now;
 * the wait starts over from MIN. */
void ts_backoff_restart(struct ts_backoff *b);

/* A connection came up at now_ns. */
void ts_backoff_up(struct ts_backoff *b, int64_t now_ns);

/* The connection that came up ended at now_ns (the caller's clock, as for
 * ts_backoff_up()): one that stayed up TS_BACKOFF_STABLE_NS or more starts the wait
 * over from MIN; a shorter one leaves it as it was. */
void ts_backoff_down(struct ts_backoff *b, int64_t now_ns);

#endif
