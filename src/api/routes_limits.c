/*
 * routes_limits.c - the risk limits of the REST API (API.md, docs/api.md "Risk
 * limits"): order_manager.risk_limits, created, changed (limits, status and metadata
 * only: the scope is the limit's identity), deleted, listed and read. References are
 * checked before the write: the account and strategy (same database, also guarded by
 * the foreign keys) and the symbol (data_capture, another database: checked here only,
 * spec §5.1). Body readers and answers: refdata.c; lists: routes_list.c.
 *
 * Handlers run on the HTTP worker threads (blocking routes).
 */
#include "api/internal.h"

#include <string.h>

#include "api/respond.h"
#include "oms/oms.h"

static const char *const limit_types[] = {"ACCOUNT", "STRATEGY", "SYMBOL"};
static const char *const limit_status[] = {"ACTIVE", "INACTIVE"};

enum { LIMIT_ACCOUNT, LIMIT_STRATEGY, LIMIT_SYMBOL };

static const char *const limit_fields[] = {"max_order_value", "max_position_size", "max_daily_loss",
                                           "max_daily_trades"};

/* A symbol as other tables hold it (risk limits name an existing instrument). */
static bool is_symbol_ref(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 50) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) {
            return false;
        }
    }
    return true;
}

static int read_limit(struct ts_api__body *b, int *type, struct ts_err *err)
{
    int rc;
    TRY(ts_api__body_enum(b, "limit_type", TS_API__F_REQ | TS_API__F_FIXED,
                          TS_API__NAMES(limit_types), type, err));
    TRY(ts_api__body_uuid(b, "account_id", TS_API__F_FIXED, err));
    TRY(ts_api__body_uuid(b, "strategy_id", TS_API__F_FIXED, err));
    TRY(ts_api__body_code(b, "symbol", TS_API__F_FIXED, is_symbol_ref,
                          "a symbol (1 to 50 characters, no spaces)", err));
    TRY(ts_api__body_dec(b, "max_order_value", TS_API__F_NULLABLE, TS_API__DEC_MONEY, err));
    TRY(ts_api__body_dec(b, "max_position_size", TS_API__F_NULLABLE, TS_API__DEC_QTY, err));
    TRY(ts_api__body_dec(b, "max_daily_loss", TS_API__F_NULLABLE, TS_API__DEC_MONEY, err));
    TRY(ts_api__body_int(b, "max_daily_trades", TS_API__F_NULLABLE, 0, INT32_MAX, err));
    TRY(ts_api__body_enum(b, "status", 0, TS_API__NAMES(limit_status), NULL, err));
    TRY(ts_api__body_object(b, "metadata", 0, NULL, err));
    TRY(ts_json_finish(&b->j, err));
out:
    return rc;
}

/*
 * The scope columns must match limit_type (docs/schema.md, risk_limits_scope_check):
 * ACCOUNT: account_id, no strategy_id, no symbol; STRATEGY: strategy_id, optionally
 * account_id, no symbol; SYMBOL: symbol, optionally account_id and/or strategy_id.
 */
static int check_scope(const struct ts_api__row *r, int type, struct ts_err *err)
{
    static const char *const needs[] = {"account_id", "strategy_id", "symbol"};
    const char *t = limit_types[type];
    if (!ts_api__row_has(r, needs[type])) {
        return ts_err_set(err, TS_EINVAL, "missing field '%s': limit_type %s needs it", needs[type],
                          t);
    }
    if (type == LIMIT_ACCOUNT && ts_api__row_has(r, "strategy_id")) {
        return ts_err_set(err, TS_EINVAL,
                          "field 'strategy_id' is not allowed with limit_type ACCOUNT"
                          " (use STRATEGY or SYMBOL)");
    }
    if (type != LIMIT_SYMBOL && ts_api__row_has(r, "symbol")) {
        return ts_err_set(err, TS_EINVAL,
                          "field 'symbol' is not allowed with limit_type %s (use SYMBOL)", t);
    }
    for (size_t i = 0; i < sizeof(limit_fields) / sizeof(limit_fields[0]); i++) {
        if (ts_api__row_has(r, limit_fields[i])) {
            return 0;
        }
    }
    return ts_err_set(err, TS_EINVAL,
                      "no limit given: set at least one of max_order_value, max_position_size,"
                      " max_daily_loss, max_daily_trades");
}

static void post_limit(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_api__body b;
    PGresult *res = NULL;
    int type = -1, rc, i;

    TRY(ts_api__body_open(&b, req, false, &err));
    ts_api__body_new_id(&b);
    TRY(read_limit(&b, &type, &err));
    TRY(check_scope(&b.row, type, &err));
    if ((i = ts_api__row_find(&b.row, "account_id")) >= 0 && b.row.val[i]) {
        TRY(ts_api__check_ref(api, TS_MOD_ORDER_MANAGER,
                              "SELECT 1 FROM order_manager.accounts WHERE id = $1", "account_id",
                              "account", b.row.val[i], &err));
    }
    if ((i = ts_api__row_find(&b.row, "strategy_id")) >= 0 && b.row.val[i]) {
        TRY(ts_api__check_ref(api, TS_MOD_ORDER_MANAGER,
                              "SELECT 1 FROM order_manager.strategies WHERE id = $1", "strategy_id",
                              "strategy", b.row.val[i], &err));
    }
    if ((i = ts_api__row_find(&b.row, "symbol")) >= 0 && b.row.val[i]) {
        /* another database: no foreign key can do this (spec §5.1) */
        TRY(ts_api__check_ref(api, TS_MOD_DATA_CAPTURE,
                              "SELECT 1 FROM data_capture.instruments WHERE symbol = $1", "symbol",
                              "instrument", b.row.val[i], &err));
    }
    TRY(ts_api__row_insert(api, TS_MOD_ORDER_MANAGER, "order_manager.risk_limits",
                           "insert risk limit", &b.row, &res, &err));
    ts_api__reload(api, TS_OMS_RELOAD_RISK_LIMITS);
    ts_api__reply_row(resp, 201, res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_db_clear(res);
    ts_api__body_close(&b);
}

/* Only limits, status and metadata change; the scope is the limit's identity. */
static void patch_limit(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_api__body b;
    PGresult *res = NULL;
    char id[TS_UUID_STRLEN];
    int type, rc;

    memset(&b, 0, sizeof(b));
    TRY(ts_query_path_uuid(req, "risk limit", id, &err));
    TRY(ts_api__body_open(&b, req, true, &err));
    TRY(read_limit(&b, &type, &err));
    if (b.row.n == 0) {
        rc = ts_err_set(&err, TS_EINVAL,
                        "nothing to change: give max_order_value, max_position_size,"
                        " max_daily_loss, max_daily_trades, status or metadata");
        goto out;
    }
    /* clearing every limit is refused by risk_limits_some_limit_check (400) */
    TRY(ts_api__row_update(api, TS_MOD_ORDER_MANAGER, "order_manager.risk_limits", "id", id,
                           "update risk limit", &b.row, &res, &err));
    if (ts_db_nrows(res) > 0) {
        ts_api__reload(api, TS_OMS_RELOAD_RISK_LIMITS);
    }
    ts_api__reply_updated(resp, res, "risk limit", id);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_db_clear(res);
    ts_api__body_close(&b);
}

/* 200 with the row as it was; 404 when there is none. */
static void delete_limit(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    PGresult *res = NULL;
    char id[TS_UUID_STRLEN];
    const char *params[1] = {id};
    int rc;

    TRY(ts_query_path_uuid(req, "risk limit", id, &err));
    TRY(ts_api_query(api, TS_MOD_ORDER_MANAGER, "delete risk limit",
                     "DELETE FROM order_manager.risk_limits WHERE id = $1 RETURNING *", 1, params,
                     &res, &err));
    if (ts_db_nrows(res) > 0) {
        ts_api__reload(api, TS_OMS_RELOAD_RISK_LIMITS);
    }
    ts_api__reply_updated(resp, res, "risk limit", id);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_db_clear(res);
}

static const struct ts_api__list limits = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "list risk limits",
    .select = "SELECT * FROM order_manager.risk_limits",
    .filters = {TS_API__FILTER_ENUM("limit_type", "limit_type", limit_types),
                TS_API__FILTER_UUID("account_id", "account_id"),
                TS_API__FILTER_UUID("strategy_id", "strategy_id"),
                TS_API__FILTER_TEXT("symbol", "symbol"),
                TS_API__FILTER_ENUM("status", "status", limit_status), TS_API__FILTER_LIMIT},
    .order = "created_at DESC, id DESC",
};

static void get_limits(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &limits);
}

static void get_limit(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_err err = TS_ERR_INIT;
    char id[TS_UUID_STRLEN];
    if (ts_query_path_uuid(req, "risk limit", id, &err) ||
        ts_query_one(app, TS_MOD_ORDER_MANAGER, resp, "read risk limit",
                     "SELECT * FROM order_manager.risk_limits WHERE id = $1", id, "risk limit",
                     &err)) {
        ts_api_fail(resp, &err);
    }
}

const struct ts_http_route ts_api__limit_routes[] = {
    {TS_HTTP_POST, "/api/v1/risk-limits", post_limit, true, TS_API_ADMIN},
    {TS_HTTP_GET, "/api/v1/risk-limits", get_limits, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/risk-limits/{}", get_limit, true, TS_API_VIEW},
    {TS_HTTP_PATCH, "/api/v1/risk-limits/{}", patch_limit, true, TS_API_ADMIN},
    {TS_HTTP_DELETE, "/api/v1/risk-limits/{}", delete_limit, true, TS_API_ADMIN},
    {0, NULL, NULL, false, 0},
};
