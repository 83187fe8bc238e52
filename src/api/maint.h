/*
 * maint.h - the maintenance loop of `serve` (docs/operations.md "Maintenance"): a
 * thread that keeps partitions ahead of time in every module database
 * (public.ts_partition_maintain, at start and every 10 minutes), warns when rows
 * land in a default partition, every TS_BARS_REFRESH_MS (default 5 s) moves the
 * 1-minute bars' watermark (ingest merges bars with their ticks; the first turn
 * rebuilds the last 15 s: data_capture.rollup_market_bars_1m) and streams the
 * current bars, then publishes the `status` stream topic (database, order manager, kill switch,
 * feed). Book snapshots are the feed's storer's (feed.c).
 * Failures are logged and retried at the next turn; nothing here is fatal.
 */
#ifndef TS_API_MAINT_H
#define TS_API_MAINT_H

#include "api/api.h"

struct ts_maint;

int ts_maint_start(struct ts_api *api, struct ts_maint **out, struct ts_err *err) TS_MUST_CHECK;
void ts_maint_stop(struct ts_maint *m);

#endif
