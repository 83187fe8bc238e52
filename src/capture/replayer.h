/*
 * replayer.h - the engine of trade-file replay (capture/tradefile.h formats) through
 * the one ingest path: used by the `tradingsystem replay` command (app/replay.c)
 * and by `serve --feed replay:FILE` (feed.c). Trades are stored in batches of
 * TS_REPLAYER_BATCH (each once, however often the file is replayed); a B3 cancel
 * removes the trade it names after the trades before it are stored, and rebuilds
 * its minutes' bars. Trades of symbols missing from the master are counted and
 * named, never stored. --speed N paces trades at N times their own clock.
 *
 * One thread runs a replayer; its counts may be read from others (atomics).
 */
#ifndef TS_CAPTURE_REPLAYER_H
#define TS_CAPTURE_REPLAYER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "capture/tradefile.h"

#define TS_REPLAYER_BATCH 5000
#define TS_REPLAYER_MAX_UNKNOWN 64

struct ts_replayer_cfg {
    const char *path;
    enum ts_tradefile_format format;
    double speed;    /* 0: as fast as the database takes */
    bool skip;       /* malformed lines: reported and skipped (else they stop the pass) */
    unsigned ingest; /* ts_cap_ingest flags (TS_CAP_PUBLISH for serve) */
    bool retry;      /* a lost database is waited for (serve), not an error (the command) */
    bool quiet;      /* no progress or skipped-line lines on stderr (serve logs instead) */
};

struct ts_replayer {
    struct ts_replayer_cfg cfg;
    struct ts_cap *cap;
    atomic_bool stop, pause; /* any thread */
    struct ts_tick batch[TS_REPLAYER_BATCH];
    size_t nbatch;
    struct ts_buf cancel_sym, cancel_id, cancel_time; /* array literals of the pending cancels */
    size_t ncancel;
    int64_t cancel_lo, cancel_hi; /* times of the pending cancels */
    char unknown[TS_REPLAYER_MAX_UNKNOWN][24];
    int nunknown;
    /* counts (written by the replaying thread) */
    _Atomic int64_t lines, trades, stored, cancels, removed, skipped_unknown, malformed, retries;
    int64_t t0_ns, first_tick_ns, last_progress_ns;
    long size;
    _Atomic long done_bytes;
};

/* Sets up r for the file (its size for the progress); TS_EIO when it cannot be read. */
int ts_replayer_init(struct ts_replayer *r, struct ts_cap *cap, const struct ts_replayer_cfg *cfg,
                     struct ts_err *err) TS_MUST_CHECK;
void ts_replayer_release(struct ts_replayer *r);
/* Parses every line and stops at the first malformed one ("FILE:LINE: why", TS_EINVAL). */
int ts_replayer_check(struct ts_replayer *r, struct ts_err *err) TS_MUST_CHECK;
/* Replays the file (once); stops early, with 0, when r->stop is set. */
int ts_replayer_run(struct ts_replayer *r, struct ts_err *err) TS_MUST_CHECK;
/* "progress":0.42,"lines":..,"trades":..,... as JSON members (no braces). */
void ts_replayer_json(struct ts_replayer *r, struct ts_buf *out);

#endif
