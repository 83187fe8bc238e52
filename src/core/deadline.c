/*
 * deadline.c - condition variables on CLOCK_MONOTONIC (deadline.h).
 */
#include "core/deadline.h"

#include <assert.h>
#include <errno.h>
#include <time.h>

#include "core/tstime.h"

void ts_cond_init_mono(pthread_cond_t *c)
{
    pthread_condattr_t a;
    int rc = pthread_condattr_init(&a);

    assert(rc == 0);
    rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    assert(rc == 0);
    rc = pthread_cond_init(c, &a);
    assert(rc == 0);
    pthread_condattr_destroy(&a);
    (void)rc;
}

int64_t ts_deadline_ms(int64_t ms)
{
    return ts_mono_ns() + ms * TS_NS_PER_MS;
}

bool ts_cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, int64_t deadline_ns)
{
    struct timespec until = {
        .tv_sec = deadline_ns / TS_NS_PER_SEC,
        .tv_nsec = deadline_ns % TS_NS_PER_SEC,
    };

    if (ts_mono_ns() >= deadline_ns) {
        return false;
    }
    return pthread_cond_timedwait(c, m, &until) != ETIMEDOUT;
}
