/*
 * feed.h - the market feed of `serve --feed` (API.md "Command line"). Only `sim`
 * exists yet: a thread that generates the simulated B3 tape (capture/sim.h) at a
 * steady rate and sends it through the one ingest path (api/ingest.h), so its
 * ticks are stored, streamed and fed to the paper venue like any others.
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
    int64_t rate; /* ticks per second, 1..1000000 */
    uint64_t seed;
};

struct ts_feed;

int ts_feed_start_sim(struct ts_api *api, const struct ts_feed_config *cfg, struct ts_feed **out,
                      struct ts_err *err) TS_MUST_CHECK;
void ts_feed_stop(struct ts_feed *f);
/* Pauses (false) or resumes (true) the generator; whether it was running. Any thread. */
bool ts_feed_set_running(struct ts_feed *f, bool running);
/* {"feed":"sim","state":"running",...} (docs/api.md "Feed"). */
void ts_feed_status(struct ts_feed *f, struct ts_buf *out);

#endif
