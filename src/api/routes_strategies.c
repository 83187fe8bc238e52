/*
 * routes_strategies.c - the strategies of the REST API (API.md, docs/api.md
 * "Strategies"): order_manager.strategies, created (created_by: the request's actor),
 * changed (PATCH replaces the fields it gives), listed and read. Body readers and
 * answers: refdata.c; lists: routes_list.c.
 *
 * Does not: delete strategies (orders refer to them; set their status instead), merge
 * parameters or metadata. Handlers run on the HTTP worker threads (blocking routes).
 */
#include "api/internal.h"

#include <string.h>

#include "api/respond.h"
#include "oms/oms.h"

static const char *const strategy_types[] = {"TREND_FOLLOWING", "MEAN_REVERSION", "ARBITRAGE",
                                             "MANUAL"};
static const char *const strategy_status[] = {"ACTIVE", "INACTIVE", "PAUSED", "TESTING"};

static int read_strategy(struct ts_api__body *b, struct ts_err *err)
{
    int rc;
    TRY(ts_api__body_text(b, "name", TS_API__F_REQ | TS_API__F_NONBLANK, 255, err));
    TRY(ts_api__body_text(b, "description", TS_API__F_NULLABLE | TS_API__F_MULTILINE, 10000, err));
    TRY(ts_api__body_enum(b, "strategy_type", TS_API__F_REQ, TS_API__NAMES(strategy_types), NULL,
                          err));
    TRY(ts_api__body_enum(b, "status", 0, TS_API__NAMES(strategy_status), NULL, err));
    TRY(ts_api__body_object(b, "parameters", 0, NULL, err));
    TRY(ts_api__body_dec(b, "max_position_size", TS_API__F_NULLABLE, TS_API__DEC_QTY, err));
    TRY(ts_api__body_dec(b, "max_daily_loss", TS_API__F_NULLABLE, TS_API__DEC_MONEY, err));
    TRY(ts_api__body_dec(b, "max_drawdown_pct", TS_API__F_NULLABLE, TS_API__DEC_PCT, err));
    TRY(ts_api__body_object(b, "metadata", 0, NULL, err));
    TRY(ts_json_finish(&b->j, err));
out:
    return rc;
}

static void post_strategy(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_api__body b;
    PGresult *res = NULL;
    int rc;

    TRY(ts_api__body_open(&b, req, false, &err));
    ts_api__body_new_id(&b);
    TRY(read_strategy(&b, &err));
    ts_api__row_set(&b.row, "created_by", req->actor);
    TRY(ts_api__row_insert(api, TS_MOD_ORDER_MANAGER, "order_manager.strategies", "insert strategy",
                           &b.row, &res, &err));
    ts_api__reload(api, TS_OMS_RELOAD_STRATEGIES);
    ts_api__reply_row(resp, 201, res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_db_clear(res);
    ts_api__body_close(&b);
}

static void patch_strategy(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_api__body b;
    PGresult *res = NULL;
    char id[TS_UUID_STRLEN];
    int rc;

    memset(&b, 0, sizeof(b));
    TRY(ts_query_path_uuid(req, "strategy", id, &err));
    TRY(ts_api__body_open(&b, req, true, &err));
    TRY(read_strategy(&b, &err));
    if (b.row.n == 0) {
        rc = ts_err_set(&err, TS_EINVAL,
                        "nothing to change: give name, description, strategy_type, status,"
                        " parameters, max_position_size, max_daily_loss, max_drawdown_pct or"
                        " metadata");
        goto out;
    }
    TRY(ts_api__row_update(api, TS_MOD_ORDER_MANAGER, "order_manager.strategies", "id", id,
                           "update strategy", &b.row, &res, &err));
    if (ts_db_nrows(res) > 0) {
        ts_api__reload(api, TS_OMS_RELOAD_STRATEGIES);
    }
    ts_api__reply_updated(resp, res, "strategy", id);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_db_clear(res);
    ts_api__body_close(&b);
}

static const struct ts_api__list strategies = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "list strategies",
    .select = "SELECT * FROM order_manager.strategies",
    .filters = {TS_API__FILTER_ENUM("status", "status", strategy_status),
                TS_API__FILTER_ENUM("strategy_type", "strategy_type", strategy_types),
                TS_API__FILTER_LIMIT},
    .order = "created_at DESC, id DESC",
};

static void get_strategies(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &strategies);
}

static void get_strategy(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_err err = TS_ERR_INIT;
    char id[TS_UUID_STRLEN];
    if (ts_query_path_uuid(req, "strategy", id, &err) ||
        ts_query_one(app, TS_MOD_ORDER_MANAGER, resp, "read strategy",
                     "SELECT * FROM order_manager.strategies WHERE id = $1", id, "strategy",
                     &err)) {
        ts_api_fail(resp, &err);
    }
}

const struct ts_http_route ts_api__strategy_routes[] = {
    {TS_HTTP_POST, "/api/v1/strategies", post_strategy, true, TS_API_ADMIN},
    {TS_HTTP_GET, "/api/v1/strategies", get_strategies, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/strategies/{}", get_strategy, true, TS_API_VIEW},
    {TS_HTTP_PATCH, "/api/v1/strategies/{}", patch_strategy, true, TS_API_ADMIN},
    {0, NULL, NULL, false, 0},
};
