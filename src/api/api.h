/*
 * api.h - the REST API of `tradingsystem serve` (API.md), on top of http.h.
 *
 * struct ts_api holds what handlers need: the database configuration and one
 * connection pool per module. It is built by the app and outlives the server.
 */
#ifndef TS_API_API_H
#define TS_API_API_H

#include "api/http.h"
#include "db/db.h"

struct ts_oms;
struct ts_stream;
struct ts_feed;
struct ts_cap;

struct ts_api {
    const struct ts_db_config *cfg;      /* borrowed, immutable */
    struct ts_oms *oms;                  /* borrowed; NULL until the order manager runs */
    struct ts_stream *stream;            /* borrowed; NULL: no live streams */
    struct ts_feed *feed;                /* borrowed; NULL: no market feed (--feed none) */
    struct ts_cap *cap;                  /* borrowed; the market-data service (capture/capture.h) */
    struct ts_pool *pools[TS_MOD_COUNT]; /* owned; any thread */
    const char *version;                 /* static */
    const char *web_dir; /* the dashboard's files; borrowed, set by the app; NULL: none */
    int64_t started_ns;  /* wall clock at start */
    bool tls;            /* served over TLS: the session cookie is Secure */
    bool metrics_public; /* TS_METRICS_PUBLIC=1: GET /metrics needs no credentials (Prometheus) */
};

/* Opens the pools (connections are made lazily). */
int ts_api_init(struct ts_api *api, const struct ts_db_config *cfg, const char *version,
                struct ts_err *err) TS_MUST_CHECK;
void ts_api_release(struct ts_api *api);

/* The route table, terminated by {.fn = NULL}. */
const struct ts_http_route *ts_api_routes(void);
/* The authenticate hook of http.h (routes_auth.c): the request's API token or session
 * cookie checked against the workspace database, and the route's role. */
bool ts_api_authenticate(void *app, const struct ts_http_route *route, struct ts_http_req *req,
                         struct ts_http_resp *resp);
/* Reads the live credentials ahead (at start): while the workspace database is away, a
 * credential it confirmed in the last 10 minutes still counts, so that the reads answered
 * from memory (GET /feed, metrics, books) keep answering during an outage. */
void ts_api_auth_preload(struct ts_api *api);

#endif
