/*
 * deadline.h - timed waits on CLOCK_MONOTONIC (CONVENTIONS.md "Threads"): a wall
 * clock that jumps (NTP, a trader changing the time) must neither wake a waiter
 * early nor starve it. Every condition variable that is waited on with a timeout
 * is made by ts_cond_init_mono() and waited on with ts_cond_wait_until().
 * Any thread.
 */
#ifndef TS_CORE_DEADLINE_H
#define TS_CORE_DEADLINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* pthread_cond_init with CLOCK_MONOTONIC as its clock; aborts on failure (a bug). */
void ts_cond_init_mono(pthread_cond_t *c);

/* A deadline ms milliseconds from now, in ts_mono_ns() units. */
int64_t ts_deadline_ms(int64_t ms);

/*
 * Waits on c (made by ts_cond_init_mono, m held) until signalled or until the
 * monotonic instant deadline_ns; false when the deadline has passed. Spurious
 * wake-ups return true: callers loop on their predicate.
 */
bool ts_cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, int64_t deadline_ns);

#endif
