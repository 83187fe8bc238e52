/*
 * backoff.c - the bridge feed's reconnect policy (backoff.h): a state machine of a
 * wait and two flags. Pure: the reader thread (bridge.c) passes the times in and
 * sleeps; tests/unit/test_backoff.c passes made-up ones.
 */
#include "capture/backoff.h"

#include <assert.h>

void ts_backoff_init(struct ts_backoff *b)
{
    *b = (struct ts_backoff){.wait_ns = TS_BACKOFF_MIN_NS};
}

int64_t ts_backoff_next(struct ts_backoff *b, bool asked)
{
    assert(!b->up);
    assert(b->wait_ns >= TS_BACKOFF_MIN_NS && b->wait_ns <= TS_BACKOFF_MAX_NS);
    bool first = !b->tried;
    b->tried = true;
    if (asked) {
        b->wait_ns = TS_BACKOFF_MIN_NS;
        return 0;
    }
    if (first) {
        return 0;
    }
    int64_t w = b->wait_ns;
    b->wait_ns = w * 2 < TS_BACKOFF_MAX_NS ? w * 2 : TS_BACKOFF_MAX_NS;
    return w;
}

void ts_backoff_restart(struct ts_backoff *b)
{
    assert(!b->up);
    b->wait_ns = TS_BACKOFF_MIN_NS;
}

void ts_backoff_up(struct ts_backoff *b, int64_t now_ns)
{
    assert(!b->up);
    b->up = true;
    b->up_ns = now_ns;
}

void ts_backoff_down(struct ts_backoff *b, int64_t now_ns)
{
    assert(b->up);
    b->up = false;
    if (now_ns - b->up_ns >= TS_BACKOFF_STABLE_NS) {
        b->wait_ns = TS_BACKOFF_MIN_NS;
    }
}
