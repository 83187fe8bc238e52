/*
 * wire.h - how `serve` connects the services to each other at start (DESIGN.md §4:
 * services never call each other or the transport; the app wires them). The
 * market-data service's sink (capture/capture.h) is implemented here: stored ticks
 * go to the order manager (marks, paper fills), market values to the streams, and
 * each maintenance turn publishes the `status` topic (database, order manager,
 * kill switch, feed).
 */
#ifndef TS_APP_WIRE_H
#define TS_APP_WIRE_H

#include "capture/capture.h"
#include "db/db.h"

struct ts_oms;
struct ts_stream;

/* What the sink reaches; each NULL until its service runs. Set before the
 * maintenance loop and the feed start, never changed while they run. */
struct ts_app_wire {
    struct ts_oms *oms;
    struct ts_stream *stream;
    struct ts_feed *feed;
};

/* The sink of the market-data service over w (borrowed: w outlives the service). */
void ts_app_wire_sink(struct ts_app_wire *w, struct ts_cap_sink *out);

/*
 * A trader with nothing set up yet gets a paper account and a manual strategy to
 * trade the simulated market with (only when there is no account, or no strategy,
 * at all). Run before the order manager starts, so that it loads them.
 */
int ts_app_seed_paper(const struct ts_db_config *cfg, struct ts_err *err) TS_MUST_CHECK;

#endif
