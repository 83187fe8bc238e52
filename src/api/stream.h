/*
 * stream.h - the live streams of GET /api/v1/stream (API.md "Streams", docs/api.md
 * "Streams"): WebSocket clients subscribe to event topics (orders, trades,
 * positions, risk, signals, status), delivered from the order manager's outbox in
 * seq order with replay from a seq, and to market topics (ticks:SYM, book:SYM,
 * bars:SYM:1m), live and conflated.
 *
 * Events: a poller thread reads order_manager.outbox (woken by NOTIFY ts_outbox,
 * which the order manager sends with each committed batch, and every second) into
 * a ring of the last TS_STREAM_RING events held by the loop thread. Every client
 * holds a cursor into the ring; a client that falls a whole ring behind is closed
 * ("too slow"): nothing waits for a client, and nothing per client grows.
 * Market values: the latest message per topic and client; a slow client gets the
 * newest value, not every value.
 *
 * Threads: the hooks run on the HTTP loop; ts_stream_publish_market() and
 * ts_stream_free() on any thread.
 */
#ifndef TS_API_STREAM_H
#define TS_API_STREAM_H

#include <stdbool.h>

#include <stddef.h>

#include "api/http.h"
#include "core/err.h"
#include "db/db.h"

#define TS_STREAM_RING 65536 /* events kept for replay and slow clients (env TS_STREAM_RING) */

struct ts_stream;

/* Loads the newest events and starts the poller (conninfo of order_manager). */
int ts_stream_new(const struct ts_db_config *cfg, struct ts_stream **out,
                  struct ts_err *err) TS_MUST_CHECK;
/* The loop that serves the clients (for wake-ups); call before it runs. */
void ts_stream_attach(struct ts_stream *s, struct ts_http *h);
/* Stops the poller; call after the HTTP server is freed. */
void ts_stream_free(struct ts_stream *s);

/* Hooks for ts_http_opts.ws; their app is the struct ts_api, whose stream is used. */
extern const struct ts_http_ws_hooks ts_stream_hooks;

/* Any thread: a market value (msg: a whole JSON message) for topic "ticks:PETR4"...,
 * or "status" (the latest one is also sent to each new subscriber of status). */
void ts_stream_publish_market(struct ts_stream *s, const char *topic, const char *msg, size_t len);
/* Any thread: whether a client is connected (a producer may skip making market values). */
bool ts_stream_has_clients(struct ts_stream *s);

#endif
