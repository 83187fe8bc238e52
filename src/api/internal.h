/*
 * internal.h - the route tables of the REST API, one per file, merged by api.c.
 * Each table ends with a route whose fn is NULL.
 */
#ifndef TS_API_INTERNAL_H
#define TS_API_INTERNAL_H

#include "api/http.h"

extern const struct ts_http_route ts_api__ref_routes[];   /* routes_ref.c: accounts, instruments, strategies, risk limits */
extern const struct ts_http_route ts_api__query_routes[]; /* routes_query.c: orders, trades, positions, audit (reads) */
extern const struct ts_http_route ts_api__web_routes[];   /* routes_web.c: the dashboard's files */
extern const struct ts_http_route ts_api__oms_routes[];   /* routes_oms.c: place, modify, cancel, ticks, kill switch, metrics */

#endif
