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
 * Each list is a constant struct ts_api__list answered by the one list handler
 * (routes_list.c): SQL text is built from its constant parts; every value is a bound
 * parameter, the parameter of the i-th query key being $i+1 (api/internal.h). Does not:
 * page beyond `limit` (narrow `to` instead), join other databases (symbols are not
 * checked against data_capture.instruments: an unknown symbol simply matches nothing).
 * Handlers run on the HTTP worker threads (blocking routes).
 */
#include "api/internal.h"

#include <string.h>

#include "api/query.h"
#include "api/respond.h"
#include "core/utf8.h"

/* ---- enums of the schema, spelled as its CHECK constraints spell them ---- */

static const char *const order_status[] = {"PENDING",  "SUBMITTED", "PARTIAL_FILL", "FILLED",
                                           "CANCELED", "REJECTED",  "EXPIRED"};
static const char *const audit_actions[] = {"CREATED",  "SUBMITTED", "PARTIAL_FILL", "FILLED",
                                            "CANCELED", "REJECTED",  "EXPIRED",      "MODIFIED",
                                            "UPDATED",  "TRIGGERED"};
static const char *const position_status[] = {"OPEN", "CLOSING", "CLOSED"};
static const char *const history_reasons[] = {"trade_fill", "price_update", "eod_snapshot"};
static const char *const intervals[] = {"1m", "5m", "15m", "1h", "1d"};

/* ---- orders ---- */

static const struct ts_api__list orders = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "list orders",
    .select = "SELECT * FROM order_manager.orders",
    .filters = {TS_API__FILTER_ENUM("status", "status", order_status),
                TS_API__FILTER_TEXT("symbol", "symbol"),
                TS_API__FILTER_UUID("account_id", "account_id"),
                TS_API__FILTER_UUID("strategy_id", "strategy_id"),
                TS_API__FILTER_RANGE("created_at"), TS_API__FILTER_LIMIT},
    .order = "created_at DESC, id DESC",
    .account = "account_id = ANY ($A::uuid[])",
};

static void get_orders(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &orders);
}

static void get_order(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    static const char *const keys[] = {NULL};
    struct ts_err err = TS_ERR_INIT;
    struct ts_query q;
    int rc;
    TRY(ts_query_open(&q, req, keys, &err));
    TRY(ts_query_bind_path_uuid(&q, req, "order", &err));
    TRY(ts_query_one_of(app, TS_MOD_ORDER_MANAGER, resp, "read order",
                        "SELECT * FROM order_manager.orders WHERE id = $1"
                        " AND ($2::uuid[] IS NULL OR account_id = ANY ($2::uuid[]))",
                        q.param[0], ts_query_accounts(req), "order", &err));
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
    TRY(ts_query_one_of(app, TS_MOD_ORDER_MANAGER, resp, "read order",
                        "SELECT * FROM order_manager.orders WHERE order_ref = $1"
                        " AND ($2::uuid[] IS NULL OR account_id = ANY ($2::uuid[]))",
                        ref, ts_query_accounts(req), "order with order_ref", &err));
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_query_close(&q);
}

/* The trail of one order, oldest first: seq orders its rows (changed_at can tie). */
static const struct ts_api__list order_audit = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "read order audit trail",
    .select = "SELECT * FROM order_manager.order_audit_log",
    .order = "seq",
    .path = "order",
    .path_column = "order_id",
    .parent = "order_manager.orders",
    .account =
        "order_id IN (SELECT id FROM order_manager.orders WHERE account_id = ANY ($A::uuid[]))",
    .parent_account = "account_id = ANY ($A::uuid[])",
};

static void get_order_audit(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &order_audit);
}

/* ---- trades ---- */

static const struct ts_api__list trades = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "list trades",
    .select = "SELECT * FROM order_manager.trades",
    .filters = {TS_API__FILTER_UUID("order_id", "order_id"),
                TS_API__FILTER_TEXT("symbol", "symbol"),
                TS_API__FILTER_UUID("account_id", "account_id"),
                TS_API__FILTER_RANGE("executed_at"), TS_API__FILTER_LIMIT},
    .order = "executed_at DESC, id DESC",
    .account = "account_id = ANY ($A::uuid[])",
};

static void get_trades(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &trades);
}

/* ---- the tape (data_capture) ---- */

static const struct ts_api__list ticks = {
    .module = TS_MOD_DATA_CAPTURE,
    .what = "list ticks",
    .select = "SELECT symbol, tick_time, trade_id, exchange, price, volume, aggressor,"
              " received_time, source FROM data_capture.market_ticks",
    .filters = {TS_API__FILTER_TEXT("symbol", "symbol"), TS_API__FILTER_RANGE("tick_time"),
                TS_API__FILTER_LIMIT},
    .order = "tick_time DESC, trade_id DESC",
};

static void get_market_ticks(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &ticks);
}

/*
 * 1m bars from the rollup, or 5m..1d bars made of them (1d: B3 trading dates). $2 is
 * the interval's name: '1m' -> '1 minute' ... bucketed from midnight B3 (03:00 UTC).
 */
static const struct ts_api__list bars = {
    .module = TS_MOD_DATA_CAPTURE,
    .what = "list bars",
    .select = "WITH iv AS (SELECT CASE coalesce($2::text, '1m') WHEN '1m' THEN interval"
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
              "  FROM data_capture.market_bars_1m b, iv",
    .filters = {{"symbol", TS_API__TEXT, "b.symbol", NULL, 0, true},
                TS_API__FILTER_ENUM("interval", NULL, intervals),
                TS_API__FILTER_RANGE("b.bucket"),
                TS_API__FILTER_LIMIT},
    .group = "GROUP BY 1, 2) x",
    .order = "bucket DESC",
};

static void get_market_bars(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &bars);
}

/* ---- positions ---- */

static const struct ts_api__list positions = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "list positions",
    .select = "SELECT * FROM order_manager.positions",
    .filters = {TS_API__FILTER_ENUM("status", "status", position_status),
                TS_API__FILTER_UUID("account_id", "account_id"),
                TS_API__FILTER_UUID("strategy_id", "strategy_id"),
                TS_API__FILTER_TEXT("symbol", "symbol"), TS_API__FILTER_LIMIT},
    .order = "opened_at DESC, id DESC",
    .account = "account_id = ANY ($A::uuid[])",
};

static void get_positions(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &positions);
}

static const struct ts_api__list position_history = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "read position history",
    .select = "SELECT * FROM order_manager.position_history",
    .filters = {TS_API__FILTER_ENUM("reason", "reason", history_reasons),
                TS_API__FILTER_RANGE("snapshot_at"), TS_API__FILTER_LIMIT},
    .order = "snapshot_at DESC, id DESC",
    .path = "position",
    .path_column = "position_id",
    .parent = "order_manager.positions",
    .account = "position_id IN (SELECT id FROM order_manager.positions WHERE account_id = ANY "
               "($A::uuid[]))",
    .parent_account = "account_id = ANY ($A::uuid[])",
};

static void get_position_history(void *app, const struct ts_http_req *req,
                                 struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &position_history);
}

/* ---- compliance (spec §9.3) ---- */

/* Who did what when: audit rows, newest first, with the order's ref, symbol and account. */
static const struct ts_api__list audit = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "read order audit log",
    .select = "SELECT a.*, o.order_ref, o.symbol, o.account_id"
              " FROM order_manager.order_audit_log a"
              " LEFT JOIN order_manager.orders o ON o.id = a.order_id",
    .filters = {TS_API__FILTER_TEXT("changed_by", "a.changed_by"),
                TS_API__FILTER_ENUM("action", "a.action", audit_actions),
                TS_API__FILTER_RANGE("a.changed_at"), TS_API__FILTER_UUID("order_id", "a.order_id"),
                TS_API__FILTER_LIMIT},
    .order = "a.changed_at DESC, a.seq DESC",
    .account = "o.account_id = ANY ($A::uuid[])",
};

static void get_audit(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &audit);
}

/*
 * Orders whose price, quantity or stop price changed after they reached the venue
 * (spec §9.3 "suspicious activity"): one row per MODIFIED audit row later than the
 * order's submitted_at, newest first. A change while PENDING is not one of them.
 */
static const struct ts_api__list audit_modified = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "read orders modified after submission",
    .select = "SELECT a.order_id, o.order_ref, o.symbol, o.side, o.order_type,"
              " o.status AS order_status, o.account_id, o.strategy_id, o.submitted_at,"
              " a.id AS audit_id, a.seq, a.changed_by, a.changed_at, a.reason, a.changes"
              " FROM order_manager.order_audit_log a"
              " JOIN order_manager.orders o ON o.id = a.order_id",
    .where = "a.action = 'MODIFIED' AND a.changed_at > o.submitted_at",
    .filters = {TS_API__FILTER_TEXT("changed_by", "a.changed_by"),
                TS_API__FILTER_UUID("account_id", "o.account_id"),
                TS_API__FILTER_TEXT("symbol", "o.symbol"), TS_API__FILTER_RANGE("a.changed_at"),
                TS_API__FILTER_LIMIT},
    .order = "a.changed_at DESC, a.seq DESC",
    .account = "o.account_id = ANY ($A::uuid[])",
};

static void get_audit_modified(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &audit_modified);
}

/*
 * Rejected orders and why: the order (reject_reason included) with when and by
 * whom it was rejected, from its first audit row entering REJECTED (CREATED for an
 * order refused before it was placed, REJECTED for one the venue refused).
 */
static const struct ts_api__list audit_rejected = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "read rejected orders",
    .select = "SELECT * FROM ("
              " SELECT o.*, coalesce(r.changed_at, o.updated_at) AS rejected_at,"
              " r.changed_by AS rejected_by"
              " FROM order_manager.orders o"
              " LEFT JOIN LATERAL (SELECT a.changed_at, a.changed_by"
              "  FROM order_manager.order_audit_log a"
              "  WHERE a.order_id = o.id AND a.new_status = 'REJECTED'"
              "  ORDER BY a.seq LIMIT 1) r ON true"
              " WHERE o.status = 'REJECTED') x",
    .filters = {TS_API__FILTER_UUID("account_id", "account_id"),
                TS_API__FILTER_UUID("strategy_id", "strategy_id"),
                TS_API__FILTER_TEXT("symbol", "symbol"), TS_API__FILTER_RANGE("rejected_at"),
                TS_API__FILTER_LIMIT},
    .order = "rejected_at DESC, id DESC",
    .account = "account_id = ANY ($A::uuid[])",
};

static void get_audit_rejected(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &audit_rejected);
}

/* ---- rollups ---- */

/*
 * The daily trade summary (spec §8.2), per UTC day, symbol and side, newest day
 * first. The rollup is refreshed first (watermark less a day of lookback up to now,
 * docs/schema.md "Rollups"), in its own statement: a statement does not see what a
 * function it calls wrote. Days are selected when they overlap [from, to).
 */
static const struct ts_api__list trade_summary = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "read the daily trade summary",
    .select = "SELECT trade_date, symbol, side, trade_count, total_volume, avg_price,"
              " total_value, total_commission, total_tax, refreshed_at"
              " FROM order_manager.trade_summary_daily",
    .filters = {{"from", TS_API__FROM_DAY, "trade_date", NULL, 0, false},
                {"to", TS_API__TO_DAY, "trade_date", NULL, 0, false},
                TS_API__FILTER_TEXT("symbol", "symbol"),
                TS_API__FILTER_LIMIT},
    .order = "trade_date DESC, symbol, side",
    .refresh = "SELECT order_manager.rollup_trade_summary_daily()",
    .refresh_what = "refresh the daily trade summary",
};

static void get_trade_summary(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &trade_summary);
}

/* by-ref before {}/audit: /orders/by-ref/audit is the order whose ref is "audit". */
const struct ts_http_route ts_api__query_routes[] = {
    {TS_HTTP_GET, "/api/v1/orders", get_orders, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/orders/by-ref/{}", get_order_by_ref, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/orders/{}", get_order, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/orders/{}/audit", get_order_audit, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/trades", get_trades, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/market/ticks", get_market_ticks, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/market/bars", get_market_bars, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/positions", get_positions, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/positions/{}/history", get_position_history, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/audit/orders", get_audit, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/audit/orders/modified-after-submission", get_audit_modified, true,
     TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/audit/orders/rejected", get_audit_rejected, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/summaries/trades/daily", get_trade_summary, true, TS_API_VIEW},
    {0, NULL, NULL, false, 0},
};
