/*
 * feed.h - the market feed of `serve --feed` (API.md "Command line"):
 *   sim               a thread that generates the simulated B3 tape (capture/sim.h)
 *                     at a steady rate (or as fast as the database takes it);
 *   replay:FILE       a B3 or CSV trade file (api/replayer.h) at N times its pace;
 *   bridge:HOST:PORT  a TCP stream of JSON lines shaped like ProfitDLL's callbacks
 *                     (docs/api.md "Feed bridge protocol"), reconnecting with
 *                     exponential backoff, every callback logged to
 *                     data_capture.profitdll_callbacks with its status.
 * Either way ticks go through a bounded queue to one storer thread and the one
 * ingest path (api/ingest.h), so they are stored once, streamed and fed to the
 * paper venue like any others (feed_int.h says how).
 *
 * On start the sim seeds its instruments into the master when they are missing
 * (never changing existing ones), a paper account and a manual strategy when
 * there is no account or no strategy at all, and continues each symbol from its last stored
 * price and trade number, so a restart does not jump or repeat trades.
 * Threads: start/stop from the app; status from any thread.
 */
#ifndef TS_API_FEED_H
#define TS_API_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "core/buf.h"

struct ts_feed_config {
    int64_t rate;   /* sim: ticks per second, 1..1000000; 0: as fast as they are stored */
    uint64_t seed;  /* sim */
    char host[256]; /* bridge */
    int port;       /* bridge */
    bool listen;    /* bridge: accept the bridge's connection on HOST:PORT instead */
    const char *replay_path;  /* replay: the trade file (borrowed: outlives the feed) */
    int replay_format;        /* replay: enum ts_tradefile_format */
    double replay_speed;      /* replay: N times the trades' own pace; 0: max */
    bool replay_skip;         /* replay: malformed lines skipped (else the file is refused) */
};

/* "HOST:PORT" (a name, an IPv4 address or [IPv6]) into cfg; TS_EINVAL otherwise. */
int ts_feed_parse_bridge(const char *spec, struct ts_feed_config *cfg,
                         struct ts_err *err) TS_MUST_CHECK;

struct ts_feed;

int ts_feed_start_sim(struct ts_api *api, const struct ts_feed_config *cfg, struct ts_feed **out,
                      struct ts_err *err) TS_MUST_CHECK;
/* Connects to (or, with cfg->listen, listens for) the bridge in the background. */
int ts_feed_start_bridge(struct ts_api *api, const struct ts_feed_config *cfg,
                         struct ts_feed **out, struct ts_err *err) TS_MUST_CHECK;
/* Checks the file (unless replay_skip: a malformed line refuses it, TS_EINVAL
 * "FILE:LINE: why"), then replays it in the background through the ingest path:
 * stored once, streamed on ticks:SYMBOL, fed to the paper venue. */
int ts_feed_start_replay(struct ts_api *api, const struct ts_feed_config *cfg,
                         struct ts_feed **out, struct ts_err *err) TS_MUST_CHECK;
void ts_feed_stop(struct ts_feed *f);
/* The bridge drops its connection and connects again now; false for the sim. */
bool ts_feed_reconnect(struct ts_feed *f);
/* Pauses (false) or resumes (true) the generator; whether it was running. Any thread. */
bool ts_feed_set_running(struct ts_feed *f, bool running);
/* {"feed":"sim","state":"running",...} (docs/api.md "Feed"). */
void ts_feed_status(struct ts_feed *f, struct ts_buf *out);

#endif
