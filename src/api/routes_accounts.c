/*
 * routes_accounts.c - the trading accounts of the REST API (API.md, docs/api.md
 * "Accounts"): order_manager.accounts, created, listed and read. The body readers and
 * the answers are shared with the other reference data (refdata.c); lists go through
 * the one list handler (routes_list.c).
 *
 * Does not: delete accounts (orders refer to them; set their status instead) or change
 * them. Handlers run on the HTTP worker threads (blocking routes).
 */
#include "api/internal.h"

#include "api/query.h"
#include "api/respond.h"
#include "oms/oms.h"

static const char *const account_status[] = {"ACTIVE", "SUSPENDED", "CLOSED"};

static void post_account(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_api__body b;
    PGresult *res = NULL;
    int rc;

    TRY(ts_api__body_open(&b, req, false, &err));
    ts_api__body_new_id(&b);
    TRY(ts_api__body_text(&b, "name", TS_API__F_REQ | TS_API__F_NONBLANK, 100, &err));
    TRY(ts_api__body_text(&b, "broker_account", TS_API__F_REQ | TS_API__F_NONBLANK, 50, &err));
    TRY(ts_api__body_code(&b, "currency", 0, ts_api__is_currency,
                          "an ISO 4217 code of 3 uppercase letters", &err));
    TRY(ts_api__body_enum(&b, "status", 0, TS_API__NAMES(account_status), NULL, &err));
    TRY(ts_api__body_object(&b, "metadata", 0, NULL, &err));
    TRY(ts_json_finish(&b.j, &err));
    TRY(ts_api__row_insert(api, TS_MOD_ORDER_MANAGER, "order_manager.accounts", "insert account",
                           &b.row, &res, &err));
    ts_api__reload(api, TS_OMS_RELOAD_ACCOUNTS);
    ts_api__reply_row(resp, 201, res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_db_clear(res);
    ts_api__body_close(&b);
}

static const struct ts_api__list accounts = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "list accounts",
    .select = "SELECT * FROM order_manager.accounts",
    .filters = {TS_API__FILTER_ENUM("status", "status", account_status),
                TS_API__FILTER_TEXT("currency", "currency"), TS_API__FILTER_LIMIT},
    .order = "created_at DESC, id DESC",
    .account = "id = ANY ($A::uuid[])",
};

static void get_accounts(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &accounts);
}

static void get_account(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_err err = TS_ERR_INIT;
    char id[TS_UUID_STRLEN];
    if (ts_query_path_uuid(req, "account", id, &err) ||
        ts_query_one_of(app, TS_MOD_ORDER_MANAGER, resp, "read account",
                        "SELECT * FROM order_manager.accounts WHERE id = $1"
                        " AND ($2::uuid[] IS NULL OR id = ANY ($2::uuid[]))",
                        id, ts_query_accounts(req), "account", &err)) {
        ts_api_fail(resp, &err);
    }
}

const struct ts_http_route ts_api__account_routes[] = {
    {TS_HTTP_POST, "/api/v1/accounts", post_account, true, TS_API_ADMIN},
    {TS_HTTP_GET, "/api/v1/accounts", get_accounts, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/accounts/{}", get_account, true, TS_API_VIEW},
    {0, NULL, NULL, false, 0},
};
