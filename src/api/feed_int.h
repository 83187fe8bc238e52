/*
 * feed_int.h - what the feed's parts share (feed.c: the queue, the storer, the sim;
 * bridge.c: the bridge adapter). Not for other modules: they use feed.h.
 *
 * A producer thread (the sim's generator, the bridge's reader) fills batches of
 * ticks and of profitdll_callbacks rows and pushes them into a bounded queue
 * (QUEUE_CAP items); the storer thread writes what is queued (up to MAX_BATCH
 * items) in one transaction through api/ingest.h and only then takes it off the
 * queue: a batch the database refuses stays queued and is retried, the producer
 * waits when the queue is full (backpressure, counted), nothing is dropped.
 */
#ifndef TS_API_FEED_INT_H
#define TS_API_FEED_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/feed.h"
#include "capture/sim.h"
#include "domain/tick.h"

#define FEED_MAX_BATCH 10000   /* items stored in one transaction */
#define FEED_QUEUE_CAP (1 << 17) /* items queued and not yet stored */

struct feed_batch {
    struct ts_tick *t; /* ticks to store */
    size_t n, cap;
    struct ts_buf cb;  /* data_capture.profitdll_callbacks rows, binary COPY tuples */
    size_t ncb;
    int64_t first_ns;  /* when its first item reached us */
    struct feed_batch *next;
};

struct bridge;

struct ts_feed {
    enum { FEED_SIM, FEED_BRIDGE, FEED_REPLAY } kind;
    struct ts_api *api;
    struct ts_feed_config cfg;
    pthread_t prod, store;
    atomic_bool stopping;
    atomic_bool paused;     /* POST /feed/stop */
    int64_t started_ns;

    pthread_mutex_t lock;   /* the queue, last_error, the latency rings */
    pthread_cond_t not_empty, not_full;
    struct feed_batch *head, *tail;
    size_t queued;          /* items in the queue, incl. the batch being stored */
    int64_t store_us[256];  /* the last store transactions' durations */
    int64_t vis_us[256];    /* arrival of a batch's first item -> committed */
    uint64_t nstore;
    char last_error[256];

    _Atomic int64_t received, stored, errors, waits, last_tick_ns, callbacks_logged;

    struct ts_sim sim;      /* the sim's generator only */
    struct bridge *br;      /* the bridge's state (bridge.c) */
    struct ts_replayer *rp; /* replay: the engine (api/replayer.h), run by the producer */
    atomic_int replay_end;  /* replay: 0 running, 1 finished, 2 failed (last_error) */
};

struct feed_batch *feed_batch_new(void);
void feed_batch_free(struct feed_batch *b);
void feed_batch_add_tick(struct feed_batch *b, const struct ts_tick *t);
static inline size_t feed_batch_items(const struct feed_batch *b)
{
    return b->n + b->ncb;
}
/* Queues b (taking it), waiting while the queue is full; false (b freed) when stopping. */
bool feed_push(struct ts_feed *f, struct feed_batch *b);
void feed_set_error(struct ts_feed *f, const char *fmt, ...) TS_PRINTF(2, 3);
/* Sleeps up to ns, returning early when the feed stops. */
void feed_sleep(struct ts_feed *f, int64_t ns);
/* book:SYMBOL for each symbol of syms[0..n-1] (distinct) that has a book. */
void feed_publish_books(struct ts_feed *f, char (*syms)[TS_SYMBOL_MAX + 1], size_t n);

/* bridge.c */
int bridge_start(struct ts_feed *f, struct ts_err *err) TS_MUST_CHECK;
void *bridge_main(void *arg);
void bridge_free(struct ts_feed *f);
void bridge_status(struct ts_feed *f, struct ts_buf *out);
/* The reader checks stop, start and reconnect at least every 100 ms. */
bool bridge_reconnect(struct ts_feed *f);

#endif
