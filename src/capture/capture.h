/*
 * capture.h - the market-data service (DESIGN.md §4, docs/operations.md "Feeds"):
 * ticks from any source (the REST API, the feeds, replay) stored once in
 * data_capture.market_ticks with their 1-minute bars, the L2 books a feed sends,
 * the feeds themselves (sim, replay of a trade file, the ProfitDLL bridge) behind a
 * bounded queue and one storer, and the maintenance loop (partitions ahead of time,
 * the bars' watermark).
 *
 * It knows neither the order manager nor the transport: what it produces reaches
 * them through struct ts_cap_sink, which the app wires at start (stored ticks ->
 * marks and the paper venue; ticks, books and bars -> the streams). A NULL sink
 * function means nobody listens. The codecs it is built on are their own headers:
 * capture/sim.h, capture/tradefile.h, capture/book.h, capture/parquet.h; the
 * trade-file replay engine is capture/replayer.h.
 *
 * Threads: ts_cap_init/release from the app (before and after every other call);
 * everything else from any thread unless it says otherwise.
 */
#ifndef TS_CAPTURE_CAPTURE_H
#define TS_CAPTURE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/tick.h"

/*
 * Where the service's products go. Called from the service's threads (the
 * storer, a REST handler's thread for POST /market/ticks, the maintenance loop).
 */
struct ts_cap_sink {
    void *ctx;
    /* New ticks t[0..n-1], committed, in the order given: marks and paper fills.
     * 0 with *fills (fills made), or a TS_E* code with err (the ticks stay stored). */
    int (*ticks)(void *ctx, const char *source, const struct ts_tick *t, size_t n, int *fills,
                 struct ts_err *err);
    /* A market value (a whole JSON message) for topic "ticks:PETR4", "book:..",
     * "bars:PETR4:1m"; the latest one per topic wins. */
    void (*publish)(void *ctx, const char *topic, const char *msg, size_t len);
    /* Whether anyone listens to publish() (producers skip making messages otherwise). */
    bool (*listening)(void *ctx);
    /* The end of a maintenance turn (db_up: the database answered). */
    void (*maint_turn)(void *ctx, bool db_up);
};

struct ts_books;
struct ts_ingest_cache;
struct ts_feed;
struct ts_maint;

struct ts_cap {
    const struct ts_db_config *cfg;      /* borrowed, immutable */
    struct ts_cap_sink sink;             /* copied at init */
    struct ts_pool *pools[TS_MOD_COUNT]; /* owned; lazily connected (maintenance uses all) */
    struct ts_books *books;              /* owned; the L2 books the feed sends */
    struct ts_ingest_cache *ingest;      /* owned; see ts_cap_ingest() */
};

/* Sets up cap; sink may be NULL (nothing goes anywhere: the replay command). */
int ts_cap_init(struct ts_cap *cap, const struct ts_db_config *cfg, const struct ts_cap_sink *sink,
                struct ts_err *err) TS_MUST_CHECK;
void ts_cap_release(struct ts_cap *cap);

/* ---- ingestion (ingest.c) ---- */

/*
 * A batch is one transaction: a binary COPY straight into market_ticks when none of
 * it is stored yet, else (the key refuses it) a binary COPY into a staging table and
 * INSERT .. ON CONFLICT DO NOTHING, which says which ticks were new. The new ticks'
 * 1-minute bars are merged into data_capture.market_bars_1m in the same
 * transaction, so bars are never behind the ticks, whatever order the ticks come in.
 * Then only the new ones, in the order given, go to the sink (publish with
 * TS_CAP_PUBLISH, then ticks). Ticks of symbols missing from the instrument master
 * are not stored (the caller checks them first when it must refuse them).
 */
struct ts_ingest_result {
    size_t stored; /* new ticks */
    int fills;     /* paper fills they caused */
    int sink_rc;   /* 0, or what sink.ticks answered (the ticks are stored) */
    struct ts_err sink_err;
};

enum {
    TS_CAP_PUBLISH = 1
}; /* stream the new ticks (a feed that streamed them already,
      or a bulk load, leaves it out) */

/* A second COPY .. FROM STDIN committed in the same transaction as the ticks
 * (the bridge's callback log): `data` is the whole stream for `copy_sql`. */
struct ts_ingest_extra {
    const char *what;
    const char *copy_sql;
    const char *data;
    size_t len;
};

/* t[0..n-1] (times already in microseconds) are compacted to the new ones; extra may be
 * NULL. */
int ts_cap_ingest(struct ts_cap *cap, const char *source, struct ts_tick *t, size_t n,
                  unsigned flags, const struct ts_ingest_extra *extra, struct ts_ingest_result *res,
                  struct ts_err *err) TS_MUST_CHECK;
/* Batches stored by the COPY fast path and by the careful path so far. */
void ts_cap_ingest_counts(struct ts_cap *cap, int64_t *copy_batches, int64_t *careful_batches);
/* Whether symbol is in the instrument master (a cache, reloaded at most once a second). */
bool ts_cap_known(struct ts_cap *cap, const char *symbol);
/* Recomputes the 1-minute bars of the minutes in [from_ns, to_ns] (after cancels). */
void ts_cap_rebuild_bars(struct ts_cap *cap, int64_t from_ns, int64_t to_ns);

/* symbol's L2 book (capture/book.h's ts_book_json) into out; false when there is none. */
bool ts_cap_book_json(struct ts_cap *cap, const char *symbol, int levels, struct ts_buf *out);

/* ---- feeds (feed.c, bridge.c) ---- */

/*
 * The market feed of `serve --feed`:
 *   sim               a thread that generates the simulated B3 tape (capture/sim.h)
 *                     at a steady rate (or as fast as the database takes it);
 *   replay:FILE       a B3 or CSV trade file (capture/replayer.h) at N times its pace;
 *   bridge:HOST:PORT  a TCP stream of JSON lines shaped like ProfitDLL's callbacks
 *                     (docs/api.md "Feed bridge protocol"), reconnecting with
 *                     exponential backoff, every callback logged to
 *                     data_capture.profitdll_callbacks with its status.
 * Ticks go through a bounded queue to one storer thread and ts_cap_ingest(), so they
 * are stored once, streamed and given to the sink like any others.
 *
 * The sim seeds its instruments into the master when they are missing (never
 * changing existing ones) and continues each symbol from its last stored price and
 * trade number, so a restart does not jump or repeat trades. (A paper account and
 * a strategy to trade with are the order manager's to seed: ts_oms_seed_paper.)
 * Threads: start/stop from the app; the rest from any thread.
 */
struct ts_feed_config {
    int64_t rate;            /* sim: ticks per second, 1..1000000; 0: as fast as they are stored */
    uint64_t seed;           /* sim */
    char host[256];          /* bridge */
    int port;                /* bridge */
    bool listen;             /* bridge: accept the bridge's connection on HOST:PORT instead */
    const char *replay_path; /* replay: the trade file (borrowed: outlives the feed) */
    int replay_format;       /* replay: enum ts_tradefile_format */
    double replay_speed;     /* replay: N times the trades' own pace; 0: max */
    bool replay_skip;        /* replay: malformed lines skipped (else the file is refused) */
};

/* "HOST:PORT" (a name, an IPv4 address or [IPv6]) into cfg; TS_EINVAL otherwise. */
int ts_feed_parse_bridge(const char *spec, struct ts_feed_config *cfg,
                         struct ts_err *err) TS_MUST_CHECK;

/* Inserts the sim's instruments that the master lacks (never changing existing ones). */
int ts_cap_seed_sim(struct ts_cap *cap, struct ts_err *err) TS_MUST_CHECK;
int ts_feed_start_sim(struct ts_cap *cap, const struct ts_feed_config *cfg, struct ts_feed **out,
                      struct ts_err *err) TS_MUST_CHECK;
/* Connects to (or, with cfg->listen, listens for) the bridge in the background. */
int ts_feed_start_bridge(struct ts_cap *cap, const struct ts_feed_config *cfg, struct ts_feed **out,
                         struct ts_err *err) TS_MUST_CHECK;
/* Checks the file (unless replay_skip: a malformed line refuses it, TS_EINVAL
 * "FILE:LINE: why"), then replays it in the background through the ingest path. */
int ts_feed_start_replay(struct ts_cap *cap, const struct ts_feed_config *cfg, struct ts_feed **out,
                         struct ts_err *err) TS_MUST_CHECK;
void ts_feed_stop(struct ts_feed *f);
/* The bridge drops its connection and connects again now; false for the sim. */
bool ts_feed_reconnect(struct ts_feed *f);
/* Pauses (false) or resumes (true) the generator; whether it was running. */
bool ts_feed_set_running(struct ts_feed *f, bool running);
/* {"feed":"sim","state":"running",...} (docs/api.md "Feed"). */
void ts_feed_status(struct ts_feed *f, struct ts_buf *out);

/* ---- maintenance (maint.c) ---- */

/*
 * The maintenance loop of `serve` (docs/operations.md "Maintenance"): a thread that
 * keeps partitions ahead of time in every module database
 * (public.ts_partition_maintain, at start and every 10 minutes), warns when rows
 * land in a default partition, every TS_BARS_REFRESH_MS (default 5 s) moves the
 * 1-minute bars' watermark (the first turn rebuilds the last 15 s) and publishes
 * the current bars, then calls sink.maint_turn. Book snapshots are the feed's
 * storer's. Failures are logged and retried at the next turn; nothing is fatal.
 */
int ts_maint_start(struct ts_cap *cap, struct ts_maint **out, struct ts_err *err) TS_MUST_CHECK;
void ts_maint_stop(struct ts_maint *m);

#endif
