/*
 * internal.h - what the files of the market-data service share (capture.h is its
 * public face). Not for other modules.
 *
 *  - the sink and the pools, as the service's files reach them (sink.c);
 *  - the L2 books of the symbols a feed sends books for (books.c), written by the
 *    feed, read by REST and the streams; any thread (one lock);
 *  - the feed's queue (feed.c: the queue, the storer, the sim; bridge.c: the bridge
 *    adapter). A producer thread (the sim's generator, the bridge's reader) fills
 *    batches of ticks and of profitdll_callbacks rows and pushes them into a bounded
 *    queue (TS_CAP__QUEUE_CAP items); the storer thread writes what is queued (up to
 *    TS_CAP__MAX_BATCH items) in one transaction through ts_cap_ingest() and only
 *    then takes it off the queue: a batch the database refuses stays queued and is
 *    retried, the producer waits when the queue is full (backpressure, counted),
 *    nothing is dropped.
 */
#ifndef TS_CAPTURE_INTERNAL_H
#define TS_CAPTURE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/book.h"
#include "capture/capture.h"
#include "capture/sim.h"
#include "domain/tick.h"

/* ---- the sink and the pools (sink.c) ---- */

/* One statement on a pooled connection of module m; *out as ts_db_exec(). */
int ts_cap__query(struct ts_cap *cap, enum ts_module m, const char *what, const char *sql,
                  int nparams, const char *const *params, PGresult **out,
                  struct ts_err *err) TS_MUST_CHECK;
/* sink.publish / sink.listening, when wired. */
void ts_cap__publish(struct ts_cap *cap, const char *topic, const char *msg, size_t len);
bool ts_cap__listening(struct ts_cap *cap);
/* ticks:SYMBOL messages for t[0..n-1] now (ingest.c). */
void ts_cap__publish_ticks(struct ts_cap *cap, const struct ts_tick *t, size_t n);

/* ---- the ingest path's symbol -> exchange cache (ingest.c) ---- */
struct ts_ingest_cache *ts_cap__ingest_cache_new(void);
void ts_cap__ingest_cache_free(struct ts_ingest_cache *c);

/* ---- books (books.c) ---- */
#define TS_BOOKS_MAX 256 /* symbols */

struct ts_books;

struct ts_books *ts_books_new(void);
void ts_books_free(struct ts_books *bs);
/* Replaces symbol's book (creating it); TS_EINVAL for a bad book, TS_ENOMEM when full. */
int ts_books_full(struct ts_books *bs, const char *symbol, const struct ts_book_level *bids,
                  int nbids, const struct ts_book_level *asks, int nasks, int64_t time_ns,
                  struct ts_err *err) TS_MUST_CHECK;
/* Applies a to symbol's book (creating it); TS_EINVAL leaves the book as it was. */
int ts_books_apply(struct ts_books *bs, const char *symbol, const struct ts_books_action *a,
                   struct ts_err *err) TS_MUST_CHECK;
/* symbol's book as ts_book_json() into out; false when there is none. */
bool ts_books_json(struct ts_books *bs, const char *symbol, int levels, struct ts_buf *out);

/* The books changed since their last snapshot (with top_only: those whose best bid or
 * ask changed), as a JSON array of ts_book_json(), marked snapshotted; how many. */
int ts_books_changed_json(struct ts_books *bs, bool top_only, struct ts_buf *out);


/* ---- the feed's queue (feed.c) and the bridge (bridge.c) ---- */

#define TS_CAP__MAX_BATCH 10000   /* items stored in one transaction */
#define TS_CAP__QUEUE_CAP (1 << 17) /* items queued and not yet stored */

struct ts_cap__batch {
    struct ts_tick *t; /* ticks to store */
    size_t n, cap;
    struct ts_buf cb;  /* data_capture.profitdll_callbacks rows, binary COPY tuples */
    size_t ncb;
    int64_t first_ns;  /* when its first item reached us */
    struct ts_cap__batch *next;
};

struct bridge;
struct ts_feed;

/* What feed.c calls of an adapter that produces through the queue (the bridge),
 * without knowing it. */
struct ts_cap__adapter {
    void (*free)(struct ts_feed *f);
    void (*status)(struct ts_feed *f, struct ts_buf *out);
    /* Drops the connection and connects again now; false when it cannot. */
    bool (*reconnect)(struct ts_feed *f);
};

struct ts_feed {
    enum { TS_FEED_SIM, TS_FEED_BRIDGE, TS_FEED_REPLAY } kind;
    struct ts_cap *cap;
    struct ts_feed_config cfg;
    pthread_t prod, store;
    atomic_bool stopping;
    atomic_bool paused;     /* POST /feed/stop */
    int64_t started_ns;

    pthread_mutex_t lock;   /* the queue, last_error, the latency rings */
    pthread_cond_t not_empty, not_full;
    struct ts_cap__batch *head, *tail;
    size_t queued;          /* items in the queue, incl. the batch being stored */
    int64_t store_us[256];  /* the last store transactions' durations */
    int64_t vis_us[256];    /* arrival of a batch's first item -> committed */
    uint64_t nstore;
    char last_error[256];

    _Atomic int64_t received, stored, errors, waits, last_tick_ns, callbacks_logged;

    struct ts_sim sim;      /* the sim's generator only */
    const struct ts_cap__adapter *ad; /* the bridge's calls (bridge.c); NULL for sim/replay */
    struct bridge *br;      /* the bridge's state (bridge.c) */
    struct ts_replayer *rp; /* replay: the engine (cap/replayer.h), run by the producer */
    atomic_int replay_end;  /* replay: 0 running, 1 finished, 2 failed (last_error) */
};

struct ts_cap__batch *ts_cap__batch_new(void);
void ts_cap__batch_free(struct ts_cap__batch *b);
void ts_cap__batch_add_tick(struct ts_cap__batch *b, const struct ts_tick *t);
static inline size_t ts_cap__batch_items(const struct ts_cap__batch *b)
{
    return b->n + b->ncb;
}
/* Queues b (taking it), waiting while the queue is full; false (b freed) when stopping. */
bool ts_cap__feed_push(struct ts_feed *f, struct ts_cap__batch *b);
void ts_cap__feed_error(struct ts_feed *f, const char *fmt, ...) TS_PRINTF(2, 3);
/* Sleeps up to ns, returning early when the feed stops. */
void ts_cap__feed_sleep(struct ts_feed *f, int64_t ns);
/* book:SYMBOL for each symbol of syms[0..n-1] (distinct) that has a book. */
void ts_cap__publish_books(struct ts_feed *f, char (*syms)[TS_SYMBOL_MAX + 1], size_t n);

/* The feed's life (feed.c), for the adapters that start one (bridge.c). */
struct ts_feed *ts_cap__feed_new(struct ts_cap *cap, const struct ts_feed_config *cfg, int kind);
/* Starts the storer, then the producer; on failure neither runs. */
int ts_cap__feed_start_threads(struct ts_feed *f, void *(*producer)(void *),
                               struct ts_err *err) TS_MUST_CHECK;
void ts_cap__feed_destroy(struct ts_feed *f);

#endif
