/*
 * routes_query.c - the reads of the order manager's records (API.md, docs/api.md
 * "Orders, trades, positions and audit (reads)"): orders, their audit trail,
 * trades, positions and their history, the compliance queries of spec §9.3 and
 * the daily trade rollup, all from the order_manager database.
 *
 * The order manager (src/oms) is the only writer of these tables; this file only
 * reads them, except for the daily trade summary, whose refresh function
 * (order_manager.rollup_trade_summary_daily, docs/schema.md "Rollups") is called
 * before the rollup is read, so that the answer includes every trade up to now.
 *
 * Every request is read strictly before the database is asked: an unknown or
 * repeated query parameter, a malformed UUID (path or filter), a malformed time,
 * a value outside an enum, a limit outside 1..1000 or text that is not UTF-8
 * answers 400 naming the parameter. Filters are exact matches (`=`, never LIKE);
 * `from`/`to` select the half-open interval [from, to). Lists answer a JSON array.
 *
 * SQL text is constant; every value is a bound parameter, the parameter of the
 * i-th query key being $i+1 (struct ts_query, api/query.h). Does not: page beyond `limit` (narrow
 * `to` instead), join other databases (symbols are not checked against
 * data_capture.instruments: an unknown symbol simply matches nothing).
 * Handlers run on the HTTP worker threads (blocking routes).
 */
#include "api/internal.h"

#include <stdbool.h>
#include <string.h>
#include <libpq-fe.h> // TS-LIBPQ-TEMP

#include "api/api.h"
#include "api/query.h"
#include "api/respond.h"
#include "core/utf8.h"

/* ---- enums of the schema, spelled as its CHECK constraints spell them ---- */

static const char *const order_status[] = {"PENDING",  "SUBMITTED", "PARTIAL_FILL", "FILLED",
                                           "CANCELED", "REJECTED",  "EXPIRED"};
static const char *const audit_actions[] = {"CREATED", "SUBMITTED", "PARTIAL_FILL",
                                            "FILLED",  "CANCELED",  "REJECTED",
                                            "EXPIRED", "MODIFIED",  "UPDATED"};
static const char *const position_status[] = {"OPEN", "CLOSING", "CLOSED"};
static const char *const history_reasons[] = {"trade_fill", "price_update", "eod_snapshot"};
#define NAMES(a) a, (int)(sizeof(a) / sizeof(a[0]))

/* ---- answers ---- */

/*
 * After an empty list under /<things>/{id}/...: 404 when the parent row does not
 * exist (an empty list means "none yet" only for a parent that exists).
 */
static int check_parent(struct ts_api *api, const char *sql, const char *key, const char *kind,
                        struct ts_err *err)
{
    PGresult *res;
    int rc = ts_api_query(api, TS_MOD_ORDER_MANAGER, "check parent", sql, 1, &key, &res, err);
    if (rc) {
        return rc;
    }
    bool found = PQntuples(res) > 0;
    PQclear(res);
    if (!found) {
        return ts_err_set(err, TS_ENOTFOUND, "%s '%s' not found", kind, key);
    }
    return 0;
}

/* ---- orders ---- */

static void get_orders(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {"status", "symbol", "account_id", "strategy_id",
                                       "from",   "to",     "limit",      NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_enum(&q, "status", NAMES(order_status), &err));
    TRY(ts_query_text(&q, "symbol", &err));
    TRY(ts_query_uuid(&q, "account_id", &err));
    TRY(ts_query_uuid(&q, "strategy_id", &err));
    TRY(ts_query_range(&q, &err));
    TRY(ts_query_limit(&q, &err));
    TRY(ts_query_list(app, TS_MOD_ORDER_MANAGER, resp, "list orders",
                      "SELECT * FROM order_manager.orders"
                      " WHERE ($1::text IS NULL OR status = $1)"
                      " AND ($2::text IS NULL OR symbol = $2)"
                      " AND ($3::uuid IS NULL OR account_id = $3)"
                      " AND ($4::uuid IS NULL OR strategy_id = $4)"
                      " AND ($5::timestamptz IS NULL OR created_at >= $5)"
                      " AND ($6::timestamptz IS NULL OR created_at < $6)"
                      " ORDER BY created_at DESC, id DESC LIMIT $7::int",
                      &q, NULL, &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

static void get_order(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_bind_path_uuid(&q, req, "order", &err));
    TRY(ts_query_one(app, TS_MOD_ORDER_MANAGER, resp, "read order",
                     "SELECT * FROM order_manager.orders WHERE id = $1", q.param[0], "order",
                     &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

static void get_order_by_ref(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    const char *ref = req->nparams > 0 ? req->params[0] : "";
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    if (!ts_utf8_valid(ref, strlen(ref))) {
        rc = ts_err_set(&err, TS_EINVAL, "order_ref is not valid UTF-8");
        goto out;
    }
    TRY(ts_query_one(app, TS_MOD_ORDER_MANAGER, resp, "read order",
                     "SELECT * FROM order_manager.orders WHERE order_ref = $1", ref,
                     "order with order_ref", &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

/* The trail of one order, oldest first: seq orders its rows (changed_at can tie). */
static void get_order_audit(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int n = 0, rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_bind_path_uuid(&q, req, "order", &err));
    TRY(ts_query_list(app, TS_MOD_ORDER_MANAGER, resp, "read order audit trail",
                      "SELECT * FROM order_manager.order_audit_log WHERE order_id = $1"
                      " ORDER BY seq",
                      &q, &n, &err));
    if (n == 0) {
        TRY(check_parent(app, "SELECT 1 FROM order_manager.orders WHERE id = $1", q.param[0],
                         "order", &err));
    }
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

/* ---- trades ---- */

static void get_trades(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {"order_id", "symbol", "account_id", "from",
                                       "to",       "limit",  NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_uuid(&q, "order_id", &err));
    TRY(ts_query_text(&q, "symbol", &err));
    TRY(ts_query_uuid(&q, "account_id", &err));
    TRY(ts_query_range(&q, &err));
    TRY(ts_query_limit(&q, &err));
    TRY(ts_query_list(app, TS_MOD_ORDER_MANAGER, resp, "list trades",
                      "SELECT * FROM order_manager.trades"
                      " WHERE ($1::uuid IS NULL OR order_id = $1)"
                      " AND ($2::text IS NULL OR symbol = $2)"
                      " AND ($3::uuid IS NULL OR account_id = $3)"
                      " AND ($4::timestamptz IS NULL OR executed_at >= $4)"
                      " AND ($5::timestamptz IS NULL OR executed_at < $5)"
                      " ORDER BY executed_at DESC, id DESC LIMIT $6::int",
                      &q, NULL, &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

/* ---- the tape (data_capture) ---- */

static void get_market_ticks(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {"symbol", "from", "to", "limit", NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_text(&q, "symbol", &err));
    TRY(ts_query_range(&q, &err));
    TRY(ts_query_limit(&q, &err));
    TRY(ts_query_list(app, TS_MOD_DATA_CAPTURE, resp, "list ticks",
                      "SELECT symbol, tick_time, trade_id, exchange, price, volume, aggressor,"
                      " received_time, source FROM data_capture.market_ticks"
                      " WHERE ($1::text IS NULL OR symbol = $1)"
                      " AND ($2::timestamptz IS NULL OR tick_time >= $2)"
                      " AND ($3::timestamptz IS NULL OR tick_time < $3)"
                      " ORDER BY tick_time DESC, trade_id DESC LIMIT $4::int",
                      &q, NULL, &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

/* 1m bars from the rollup, or 5m..1d bars made of them (1d: B3 trading dates). */
static void get_market_bars(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {"symbol", "interval", "from", "to", "limit", NULL};
    static const char *const intervals[] = {"1m", "5m", "15m", "1h", "1d"};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_text(&q, "symbol", &err));
    if (!q.param[ts_query_idx(&q, "symbol")]) {
        TRY(ts_err_set(&err, TS_EINVAL, "query parameter 'symbol' is required"));
    }
    TRY(ts_query_enum(&q, "interval", NAMES(intervals), &err));
    TRY(ts_query_range(&q, &err));
    TRY(ts_query_limit(&q, &err));
    /* $2 is the interval's name: '1m' -> '1 minute' ... bucketed from midnight B3 (03:00 UTC) */
    TRY(ts_query_list(
        app, TS_MOD_DATA_CAPTURE, resp, "list bars",
        "WITH iv AS (SELECT CASE coalesce($2::text, '1m') WHEN '1m' THEN interval"
        " '1 minute' WHEN '5m' THEN interval '5 minutes' WHEN '15m' THEN interval"
        " '15 minutes' WHEN '1h' THEN interval '1 hour' ELSE interval '1 day' END"
        " AS step)"
        " SELECT symbol, coalesce($2::text, '1m') AS interval, bucket, open, high,"
        " low, close, volume, trade_count FROM ("
        "  SELECT b.symbol, date_bin(iv.step, b.bucket,"
        "   timestamptz '2000-01-03 03:00:00+00') AS bucket,"
        "   (array_agg(b.open ORDER BY b.bucket))[1] AS open, max(b.high) AS high,"
        "   min(b.low) AS low, (array_agg(b.close ORDER BY b.bucket DESC))[1] AS close,"
        "   sum(b.volume) AS volume, sum(b.trade_count)::bigint AS trade_count"
        "  FROM data_capture.market_bars_1m b, iv WHERE b.symbol = $1"
        "  AND ($3::timestamptz IS NULL OR b.bucket >= $3)"
        "  AND ($4::timestamptz IS NULL OR b.bucket < $4)"
        "  GROUP BY 1, 2) x ORDER BY bucket DESC LIMIT $5::int",
        &q, NULL, &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

/* ---- positions ---- */

static void get_positions(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {"status", "account_id", "strategy_id",
                                       "symbol", "limit",      NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_enum(&q, "status", NAMES(position_status), &err));
    TRY(ts_query_uuid(&q, "account_id", &err));
    TRY(ts_query_uuid(&q, "strategy_id", &err));
    TRY(ts_query_text(&q, "symbol", &err));
    TRY(ts_query_limit(&q, &err));
    TRY(ts_query_list(app, TS_MOD_ORDER_MANAGER, resp, "list positions",
                      "SELECT * FROM order_manager.positions"
                      " WHERE ($1::text IS NULL OR status = $1)"
                      " AND ($2::uuid IS NULL OR account_id = $2)"
                      " AND ($3::uuid IS NULL OR strategy_id = $3)"
                      " AND ($4::text IS NULL OR symbol = $4)"
                      " ORDER BY opened_at DESC, id DESC LIMIT $5::int",
                      &q, NULL, &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

static void get_position_history(void *app, const struct ts_http_req *req,
                                 struct ts_http_resp *resp)
{
    static const char *const keys[] = {"reason", "from", "to", "limit", NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int n = 0, rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_bind_path_uuid(&q, req, "position", &err));
    TRY(ts_query_enum(&q, "reason", NAMES(history_reasons), &err));
    TRY(ts_query_range(&q, &err));
    TRY(ts_query_limit(&q, &err));
    TRY(ts_query_list(app, TS_MOD_ORDER_MANAGER, resp, "read position history",
                      "SELECT * FROM order_manager.position_history"
                      " WHERE position_id = $5"
                      " AND ($1::text IS NULL OR reason = $1)"
                      " AND ($2::timestamptz IS NULL OR snapshot_at >= $2)"
                      " AND ($3::timestamptz IS NULL OR snapshot_at < $3)"
                      " ORDER BY snapshot_at DESC, id DESC LIMIT $4::int",
                      &q, &n, &err));
    if (n == 0) {
        TRY(check_parent(app, "SELECT 1 FROM order_manager.positions WHERE id = $1",
                         q.param[q.nkeys], "position", &err));
    }
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

/* ---- compliance (spec §9.3) ---- */

/* Who did what when: audit rows, newest first, with the order's ref, symbol and account. */
static void get_audit(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {"changed_by", "action", "from", "to",
                                       "order_id",   "limit",  NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_text(&q, "changed_by", &err));
    TRY(ts_query_enum(&q, "action", NAMES(audit_actions), &err));
    TRY(ts_query_range(&q, &err));
    TRY(ts_query_uuid(&q, "order_id", &err));
    TRY(ts_query_limit(&q, &err));
    TRY(ts_query_list(app, TS_MOD_ORDER_MANAGER, resp, "read order audit log",
                      "SELECT a.*, o.order_ref, o.symbol, o.account_id"
                      " FROM order_manager.order_audit_log a"
                      " LEFT JOIN order_manager.orders o ON o.id = a.order_id"
                      " WHERE ($1::text IS NULL OR a.changed_by = $1)"
                      " AND ($2::text IS NULL OR a.action = $2)"
                      " AND ($3::timestamptz IS NULL OR a.changed_at >= $3)"
                      " AND ($4::timestamptz IS NULL OR a.changed_at < $4)"
                      " AND ($5::uuid IS NULL OR a.order_id = $5)"
                      " ORDER BY a.changed_at DESC, a.seq DESC LIMIT $6::int",
                      &q, NULL, &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

/*
 * Orders whose price, quantity or stop price changed after they reached the venue
 * (spec §9.3 "suspicious activity"): one row per MODIFIED audit row later than the
 * order's submitted_at, newest first. A change while PENDING is not one of them.
 */
static void get_audit_modified(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {"changed_by", "account_id", "symbol", "from",
                                       "to",         "limit",      NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_text(&q, "changed_by", &err));
    TRY(ts_query_uuid(&q, "account_id", &err));
    TRY(ts_query_text(&q, "symbol", &err));
    TRY(ts_query_range(&q, &err));
    TRY(ts_query_limit(&q, &err));
    TRY(ts_query_list(app, TS_MOD_ORDER_MANAGER, resp, "read orders modified after submission",
                      "SELECT a.order_id, o.order_ref, o.symbol, o.side, o.order_type,"
                      " o.status AS order_status, o.account_id, o.strategy_id, o.submitted_at,"
                      " a.id AS audit_id, a.seq, a.changed_by, a.changed_at, a.reason, a.changes"
                      " FROM order_manager.order_audit_log a"
                      " JOIN order_manager.orders o ON o.id = a.order_id"
                      " WHERE a.action = 'MODIFIED' AND a.changed_at > o.submitted_at"
                      " AND ($1::text IS NULL OR a.changed_by = $1)"
                      " AND ($2::uuid IS NULL OR o.account_id = $2)"
                      " AND ($3::text IS NULL OR o.symbol = $3)"
                      " AND ($4::timestamptz IS NULL OR a.changed_at >= $4)"
                      " AND ($5::timestamptz IS NULL OR a.changed_at < $5)"
                      " ORDER BY a.changed_at DESC, a.seq DESC LIMIT $6::int",
                      &q, NULL, &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

/*
 * Rejected orders and why: the order (reject_reason included) with when and by
 * whom it was rejected, from its first audit row entering REJECTED (CREATED for an
 * order refused before it was placed, REJECTED for one the venue refused).
 */
static void get_audit_rejected(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {"account_id", "strategy_id", "symbol", "from",
                                       "to",         "limit",       NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_uuid(&q, "account_id", &err));
    TRY(ts_query_uuid(&q, "strategy_id", &err));
    TRY(ts_query_text(&q, "symbol", &err));
    TRY(ts_query_range(&q, &err));
    TRY(ts_query_limit(&q, &err));
    TRY(ts_query_list(app, TS_MOD_ORDER_MANAGER, resp, "read rejected orders",
                      "SELECT * FROM ("
                      " SELECT o.*, coalesce(r.changed_at, o.updated_at) AS rejected_at,"
                      " r.changed_by AS rejected_by"
                      " FROM order_manager.orders o"
                      " LEFT JOIN LATERAL (SELECT a.changed_at, a.changed_by"
                      "  FROM order_manager.order_audit_log a"
                      "  WHERE a.order_id = o.id AND a.new_status = 'REJECTED'"
                      "  ORDER BY a.seq LIMIT 1) r ON true"
                      " WHERE o.status = 'REJECTED'"
                      " AND ($1::uuid IS NULL OR o.account_id = $1)"
                      " AND ($2::uuid IS NULL OR o.strategy_id = $2)"
                      " AND ($3::text IS NULL OR o.symbol = $3)) x"
                      " WHERE ($4::timestamptz IS NULL OR rejected_at >= $4)"
                      " AND ($5::timestamptz IS NULL OR rejected_at < $5)"
                      " ORDER BY rejected_at DESC, id DESC LIMIT $6::int",
                      &q, NULL, &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

/* ---- rollups ---- */

/*
 * The daily trade summary (spec §8.2), per UTC day, symbol and side, newest day
 * first. The rollup is refreshed first (watermark less a day of lookback up to now,
 * docs/schema.md "Rollups"), in its own statement: a statement does not see what a
 * function it calls wrote. Days are selected when they overlap [from, to).
 */
static void get_trade_summary(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {"from", "to", "symbol", "limit", NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_range(&q, &err));
    TRY(ts_query_text(&q, "symbol", &err));
    TRY(ts_query_limit(&q, &err));
    TRY(ts_api_query(app, TS_MOD_ORDER_MANAGER, "refresh the daily trade summary",
                     "SELECT order_manager.rollup_trade_summary_daily()", 0, NULL, NULL, &err));
    TRY(ts_query_list(app, TS_MOD_ORDER_MANAGER, resp, "read the daily trade summary",
                      "SELECT trade_date, symbol, side, trade_count, total_volume, avg_price,"
                      " total_value, total_commission, total_tax, refreshed_at"
                      " FROM order_manager.trade_summary_daily"
                      " WHERE ($1::timestamptz IS NULL"
                      "  OR trade_date >= ($1::timestamptz AT TIME ZONE 'UTC')::date)"
                      " AND ($2::timestamptz IS NULL OR trade_date <="
                      "  (($2::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC')::date)"
                      " AND ($3::text IS NULL OR symbol = $3)"
                      " ORDER BY trade_date DESC, symbol, side LIMIT $4::int",
                      &q, NULL, &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

/* by-ref before {}/audit: /orders/by-ref/audit is the order whose ref is "audit". */
const struct ts_http_route ts_api__query_routes[] = {
    {TS_HTTP_GET, "/api/v1/orders", get_orders, true},
    {TS_HTTP_GET, "/api/v1/orders/by-ref/{}", get_order_by_ref, true},
    {TS_HTTP_GET, "/api/v1/orders/{}", get_order, true},
    {TS_HTTP_GET, "/api/v1/orders/{}/audit", get_order_audit, true},
    {TS_HTTP_GET, "/api/v1/trades", get_trades, true},
    {TS_HTTP_GET, "/api/v1/market/ticks", get_market_ticks, true},
    {TS_HTTP_GET, "/api/v1/market/bars", get_market_bars, true},
    {TS_HTTP_GET, "/api/v1/positions", get_positions, true},
    {TS_HTTP_GET, "/api/v1/positions/{}/history", get_position_history, true},
    {TS_HTTP_GET, "/api/v1/audit/orders", get_audit, true},
    {TS_HTTP_GET, "/api/v1/audit/orders/modified-after-submission", get_audit_modified, true},
    {TS_HTTP_GET, "/api/v1/audit/orders/rejected", get_audit_rejected, true},
    {TS_HTTP_GET, "/api/v1/summaries/trades/daily", get_trade_summary, true},
    {0, NULL, NULL, false},
};
