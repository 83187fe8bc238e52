/*
 * routes_oms.c - the writes of the order manager (API.md, docs/api.md "Placing and
 * changing orders", "Market ticks", "Kill switch", "Metrics"): placing, modifying and
 * cancelling orders, feeding ticks to the paper venue, the kill switch, end of day,
 * and the Prometheus metrics.
 *
 * Each body is read strictly (api/json.h) into the order manager's command, then
 * the command is sent to the order manager's thread (src/oms), which decides,
 * writes and answers with a TS_E* code and, for a risk refusal, its verdict; this
 * file only translates, and is the one place where those codes become HTTP
 * statuses (oms_fail). A malformed request is answered 400 here and never reaches
 * the order manager, so it records nothing.
 *
 * Ticks are stored here, in data_capture.market_ticks, with one INSERT .. ON
 * CONFLICT DO NOTHING for the whole batch; only the ticks that were new are fed to
 * the order manager, so a batch sent twice fills nothing twice.
 *
 * Handlers run on the HTTP worker threads (blocking routes) and wait for the order
 * manager; with several workers waiting, the order manager commits their commands
 * together (group commit).
 */
#include "api/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/json.h"
#include "capture/book.h"
#include "capture/capture.h"
#include "api/query.h"
#include "api/respond.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/tstime.h"
#include "core/uuid.h"
#include "oms/oms.h"
#include "domain/tick.h"

#define REASON_MAX 1000
#define METADATA_MAX (64 * 1024)
#define TICKS_MAX 10000 /* ticks in one POST (a 1 MiB body holds about 8,000) */

static const char *const sides[] = {"BUY", "SELL"};
static const char *const order_types[] = {"MARKET", "LIMIT", "STOP", "STOP_LIMIT"};
static const char *const tifs[] = {"DAY", "GTC", "IOC", "FOK"};
static const char *const position_types[] = {"DAY_TRADE", "SWING", "POSITION"};
static const char *const aggressors[] = TS_AGGRESSOR_NAMES;
#define NAMES(a) a, (int)(sizeof(a) / sizeof(a[0]))

/* 503 when serve runs without an order manager (it failed to start). */
static bool oms_ready(struct ts_api *api, struct ts_http_resp *resp)
{
    if (!api->oms) {
        ts_http_error(resp, 503, "unavailable", "the order manager is not running");
        return false;
    }
    return true;
}

/*
 * "details" of a risk refusal (docs/api.md): the rule, and for a placement the order
 * recorded as REJECTED and the limit row; the limit and the value where the rule has
 * them (a modification always names them).
 */
static void risk_details(struct ts_buf *b, const struct ts_oms_result *res, bool placed)
{
    const struct ts_risk_verdict *v = &res->verdict;
    char id[TS_UUID_STRLEN], limit[TS_DEC_STRLEN], value[TS_DEC_STRLEN];
    ts_dec_format(v->limit, limit, sizeof(limit));
    ts_dec_format(v->value, value, sizeof(value));
    ts_buf_addf(b, "{\"rule\":\"%s\"", ts_risk_rule_str(v->rule));
    if (placed) {
        ts_uuid_format(&res->rejected_id, id);
        ts_buf_addf(b, ",\"order_id\":\"%s\"", id);
        if (v->from_limit) {
            ts_uuid_format(&v->limit_id, id);
            ts_buf_addf(b, ",\"scope\":\"%s\",\"limit_id\":\"%s\"", ts_risk_scope_str(v->scope),
                        id);
        }
    }
    if (!placed || (v->rule != TS_RISK_RULE_KILL_SWITCH && v->rule != TS_RISK_RULE_TRADING_HOURS &&
                    v->rule != TS_RISK_RULE_INVALID_ORDER)) {
        ts_buf_addf(b, ",\"limit\":\"%s\",\"value\":\"%s\"", limit, value);
    }
    ts_buf_addch(b, '}');
}

/*
 * A refusal of the order manager as the response, through the API's one mapping
 * (ts_api_fail_details): a TS_ERISK carries its verdict as details (res may be NULL). A
 * write the order manager could not commit (TS_ERETRY) is 503: nothing changed, the
 * client may send it again (the same order_ref places one order).
 */
static void oms_fail(struct ts_http_resp *resp, int rc, const struct ts_err *err,
                     const struct ts_oms_result *res, bool placed)
{
    struct ts_buf details = TS_BUF_INIT;
    struct ts_err e = *err;
    e.code = rc;
    if (rc == TS_ERISK && res) {
        risk_details(&details, res, placed);
    }
    ts_api_fail_details(resp, &e, details.len ? details.buf : NULL);
    ts_buf_release(&details);
}

/* The order manager's answer about an order: `status` with the order, or the refusal. */
static void reply_order(struct ts_http_resp *resp, int rc, const struct ts_err *err,
                        const struct ts_oms_result *res, int status, bool placed)
{
    if (rc) {
        oms_fail(resp, rc, err, res, placed);
        return;
    }
    resp->status = status;
    ts_buf_reset(&resp->body);
    ts_buf_add(&resp->body, res->order.buf ? res->order.buf : "", res->order.len);
}

/*
 * Whether the user of req may trade through the account (an order's, or the order id's,
 * looked up in the database): 0, or TS_ENOTFOUND as for an account or order that does not
 * exist (a user learns nothing of the accounts not granted to them). Nothing is asked of
 * the database for a user granted every account.
 */
static int granted(struct ts_api *api, const struct ts_http_req *req, const struct ts_uuid *account,
                   const struct ts_uuid *order, struct ts_err *err)
{
    const char *acc = ts_query_accounts(req);
    if (!acc) {
        return 0;
    }
    char id[TS_UUID_STRLEN];
    ts_uuid_format(account ? account : order, id);
    const char *p[2] = {id, acc};
    PGresult *r = NULL;
    int rc = ts_api_query(api, TS_MOD_ORDER_MANAGER, "check the account",
                          account ? "SELECT $1::uuid = ANY ($2::uuid[])"
                                  : "SELECT EXISTS (SELECT 1 FROM order_manager.orders WHERE id ="
                                    " $1 AND account_id = ANY ($2::uuid[]))",
                          2, p, &r, err);
    if (!rc && strcmp(ts_db_val(r, 0, 0), "t") != 0) {
        rc = ts_err_set(err, TS_ENOTFOUND, "%s '%s' not found", account ? "account" : "order", id);
    }
    ts_db_clear(r);
    return rc;
}

/* The {} of /orders/{id}... as a UUID, or 400. */
static int path_id(const struct ts_http_req *req, struct ts_uuid *id, struct ts_err *err)
{
    const char *s = req->params[0];
    if (ts_uuid_parse(s, strlen(s), id)) {
        return ts_err_set(err, TS_EINVAL, "order id '%.40s' is not a UUID", s);
    }
    return 0;
}

/* A decimal > 0, exactly as ts_dec holds it (8 places). */
static int take_positive(struct ts_json_req *j, const char *key, bool required, ts_dec *out,
                         bool *present, struct ts_err *err)
{
    bool have = false;
    int rc = ts_json_take_dec(j, key, required, out, &have, err);
    if (!rc && have && *out <= 0) {
        rc = ts_err_set(err, TS_EINVAL, "field '%s' must be greater than 0", key);
    }
    if (present) {
        *present = have;
    }
    return rc;
}

/* ---- POST /orders ---- */

static void post_order(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_json_req j;
    struct ts_oms_place p;
    char *metadata = NULL;
    int side = 0, type = 0, tif = TS_TIF_DAY, ptype = 0;
    int rc;

    memset(&p, 0, sizeof(p));
    if (!oms_ready(api, resp)) {
        return;
    }
    TRY(ts_json_parse(&j, req->body, req->body_len, &err));
    struct ts_order_request *rq = &p.req;
    TRY(ts_json_take_str(&j, "order_ref", true, TS_ORDER_REF_MAX, &rq->order_ref, NULL, &err));
    TRY(ts_json_take_uuid(&j, "account_id", true, &rq->account_id, NULL, &err));
    TRY(ts_json_take_uuid(&j, "strategy_id", true, &rq->strategy_id, NULL, &err));
    TRY(ts_json_take_str(&j, "symbol", true, TS_SYMBOL_MAX, &rq->symbol, NULL, &err));
    TRY(ts_json_take_enum(&j, "side", true, NAMES(sides), &side, NULL, &err));
    TRY(ts_json_take_enum(&j, "order_type", true, NAMES(order_types), &type, NULL, &err));
    TRY(ts_json_take_enum(&j, "time_in_force", false, NAMES(tifs), &tif, NULL, &err));
    TRY(ts_json_take_enum(&j, "position_type", true, NAMES(position_types), &ptype, NULL, &err));
    /* sign, lot and tick are the domain's (ts_order_validate): one message per rule */
    TRY(ts_json_take_dec(&j, "quantity", true, &rq->quantity, NULL, &err));
    TRY(ts_json_take_dec(&j, "price", false, &rq->price, &rq->has_price, &err));
    TRY(ts_json_take_dec(&j, "stop_price", false, &rq->stop_price, &rq->has_stop_price, &err));
    TRY(ts_json_take_str(&j, "reason", false, REASON_MAX, &p.reason, NULL, &err));
    TRY(ts_json_take_object_text(&j, "metadata", false, METADATA_MAX, &metadata, NULL, &err));
    TRY(ts_json_finish(&j, &err));
    rq->order_ref_len = strlen(rq->order_ref);
    rq->symbol_len = strlen(rq->symbol);
    rq->side = (enum ts_side)side;
    rq->type = (enum ts_order_type)type;
    rq->tif = (enum ts_tif)tif;
    rq->position_type = (enum ts_position_type)ptype;
    p.metadata = metadata;
    TRY(granted(api, req, &rq->account_id, NULL, &err));

    struct ts_oms_result res;
    ts_oms_result_init(&res);
    int orc = ts_oms_place(api->oms, req->actor, &p, &res, &err);
    reply_order(resp, orc, &err, &res, res.created ? 201 : 200, true);
    ts_oms_result_release(&res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_free(metadata);
    ts_json_release(&j);
}

/* ---- PATCH /orders/{id}, POST /orders/{id}/cancel ---- */

static void patch_order(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_json_req j;
    struct ts_oms_modify m;
    int rc;

    memset(&m, 0, sizeof(m));
    memset(&j, 0, sizeof(j));
    if (!oms_ready(api, resp)) {
        return;
    }
    TRY(path_id(req, &m.id, &err));
    TRY(ts_json_parse(&j, req->body, req->body_len, &err));
    TRY(take_positive(&j, "quantity", false, &m.m.quantity, &m.m.has_quantity, &err));
    TRY(take_positive(&j, "price", false, &m.m.price, &m.m.has_price, &err));
    TRY(take_positive(&j, "stop_price", false, &m.m.stop_price, &m.m.has_stop_price, &err));
    TRY(ts_json_take_str(&j, "reason", false, REASON_MAX, &m.reason, NULL, &err));
    TRY(ts_json_finish(&j, &err));
    if (!m.m.has_quantity && !m.m.has_price && !m.m.has_stop_price) {
        TRY(ts_err_set(&err, TS_EINVAL, "nothing to modify: give quantity, price or stop_price"));
    }
    TRY(granted(api, req, NULL, &m.id, &err));
    struct ts_oms_result res;
    ts_oms_result_init(&res);
    int orc = ts_oms_modify(api->oms, req->actor, &m, &res, &err);
    reply_order(resp, orc, &err, &res, 200, false);
    ts_oms_result_release(&res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_json_release(&j);
}

/* An optional body {"reason": "..."} (empty body: no reason). */
static int optional_reason(const struct ts_http_req *req, struct ts_json_req *j,
                           const char **reason, struct ts_err *err)
{
    memset(j, 0, sizeof(*j));
    *reason = NULL;
    if (req->body_len == 0) {
        return 0;
    }
    int rc = ts_json_parse(j, req->body, req->body_len, err);
    rc = rc ? rc : ts_json_take_str(j, "reason", false, REASON_MAX, reason, NULL, err);
    return rc ? rc : ts_json_finish(j, err);
}

static void post_cancel(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_json_req j;
    struct ts_uuid id;
    const char *reason = NULL;
    int rc;

    memset(&j, 0, sizeof(j));
    if (!oms_ready(api, resp)) {
        return;
    }
    TRY(path_id(req, &id, &err));
    TRY(optional_reason(req, &j, &reason, &err));
    TRY(granted(api, req, NULL, &id, &err));
    struct ts_oms_result res;
    ts_oms_result_init(&res);
    int orc = ts_oms_cancel(api->oms, req->actor, &id, reason, &res, &err);
    reply_order(resp, orc, &err, &res, 200, false);
    ts_oms_result_release(&res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_json_release(&j);
}

/* ---- kill switch and end of day ---- */

static void get_kill_switch(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    (void)req;
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    PGresult *res = NULL;
    if (ts_api_query(api, TS_MOD_ORDER_MANAGER, "read the kill switch",
                     "SELECT coalesce(k.active, false) AS active, k.reason, k.changed_by,"
                     " k.changed_at FROM (SELECT 1) one LEFT JOIN LATERAL"
                     " (SELECT * FROM order_manager.kill_switch_log ORDER BY id DESC LIMIT 1) k"
                     " ON true",
                     0, NULL, &res, &err)) {
        ts_api_fail(resp, &err);
        return;
    }
    ts_api_one_row(resp, res, "kill switch");
    ts_db_clear(res);
}

static void post_kill_switch(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_json_req j;
    bool active = false;
    const char *reason = NULL;
    int rc;

    memset(&j, 0, sizeof(j));
    if (!oms_ready(api, resp)) {
        return;
    }
    TRY(ts_json_parse(&j, req->body, req->body_len, &err));
    TRY(ts_json_take_bool(&j, "active", true, &active, NULL, &err));
    TRY(ts_json_take_str(&j, "reason", true, REASON_MAX, &reason, NULL, &err));
    TRY(ts_json_finish(&j, &err));
    if (strspn(reason, " \t\r\n") == strlen(reason)) {
        TRY(ts_err_set(&err, TS_EINVAL, "field 'reason' must not be blank"));
    }
    /* a trader may stop trading; only an admin may start it again (docs/security.md) */
    if (!active && req->user.role < TS_ROLE_ADMIN) {
        TRY(ts_err_set(&err, TS_EDENIED,
                       "%s is a %s: releasing the kill switch needs the admin role", req->user.name,
                       ts_role_name((enum ts_role)req->user.role)));
    }
    struct ts_oms_result res;
    ts_oms_result_init(&res);
    int orc = ts_oms_kill_switch(api->oms, req->actor, active, reason, &res, &err);
    if (orc) {
        oms_fail(resp, orc, &err, &res, false);
    } else {
        ts_buf_reset(&resp->body);
        ts_buf_addf(&resp->body,
                    "{\"active\":%s,\"canceled\":%d,\"changed_by\":", active ? "true" : "false",
                    res.canceled);
        ts_buf_add_json_str(&resp->body, req->actor);
        ts_buf_adds(&resp->body, ",\"reason\":");
        ts_buf_add_json_str(&resp->body, reason);
        ts_buf_addch(&resp->body, '}');
    }
    ts_oms_result_release(&res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_json_release(&j);
}

static void post_end_of_day(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    if (req->body_len) {
        ts_http_error(resp, 400, "invalid_argument", "end-of-day takes no body");
        return;
    }
    if (!oms_ready(api, resp)) {
        return;
    }
    struct ts_err err = TS_ERR_INIT;
    struct ts_oms_result res;
    ts_oms_result_init(&res);
    int rc = ts_oms_end_of_day(api->oms, req->actor, &res, &err);
    if (rc) {
        oms_fail(resp, rc, &err, &res, false);
    } else {
        ts_buf_reset(&resp->body);
        ts_buf_addf(&resp->body, "{\"expired\":%d,\"snapshots\":%zu}", res.expired, res.snapshots);
    }
    ts_oms_result_release(&res);
}

/* ---- POST /market/ticks ---- */

/* One element of the body into *t. */
static int read_tick(const struct ts_json_array *arr, size_t i, struct ts_tick *t,
                     struct ts_err *err)
{
    struct ts_json_req j;
    const char *sym = NULL, *time = NULL;
    int64_t trade_id = 0;
    int aggr = 2;
    int rc = ts_json_array_item(arr, i, &j, err);
    if (rc) {
        return rc;
    }
    TRY(ts_json_take_str(&j, "symbol", true, TS_SYMBOL_MAX, &sym, NULL, err));
    TRY(take_positive(&j, "price", true, &t->price, NULL, err));
    TRY(take_positive(&j, "volume", true, &t->volume, NULL, err));
    TRY(ts_json_take_enum(&j, "aggressor", false, NAMES(aggressors), &aggr, NULL, err));
    TRY(ts_json_take_str(&j, "tick_time", true, 40, &time, NULL, err));
    TRY(ts_json_take_int(&j, "trade_id", true, 0, INT64_MAX, &trade_id, NULL, err));
    TRY(ts_json_finish(&j, err));
    if (!*sym || strspn(sym, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(sym)) {
        TRY(ts_err_set(err, TS_EINVAL, "field 'symbol' must be uppercase letters and digits"));
    }
    TRY(ts_time_parse_rfc3339_err(time, strlen(time), &t->time_ns, err));
    t->time_ns -= t->time_ns % 1000; /* the column keeps microseconds */
    snprintf(t->symbol, sizeof(t->symbol), "%s", sym);
    t->trade_id = trade_id;
    t->aggressor = aggr;
out:
    if (rc) {
        ts_err_wrap(err, "tick %zu", i);
    }
    ts_json_release(&j);
    return rc;
}

static void post_ticks(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_json_array arr;
    struct ts_tick *t = NULL;
    struct ts_buf syms = TS_BUF_INIT;
    struct ts_ingest_result res;
    PGresult *r = NULL;
    char source[128];
    int rc;

    memset(&arr, 0, sizeof(arr));
    if (!oms_ready(api, resp)) {
        return;
    }
    TRY(ts_json_parse_array(&arr, req->body, req->body_len, &err));
    if (arr.n == 0 || arr.n > TICKS_MAX) {
        TRY(ts_err_set(&err, TS_EINVAL, "a batch holds 1 to %d ticks, not %zu", TICKS_MAX, arr.n));
    }
    t = ts_xcalloc(arr.n, sizeof(*t));
    for (size_t i = 0; i < arr.n; i++) {
        TRY(read_tick(&arr, i, &t[i], &err));
        ts_buf_addch(&syms, i ? ',' : '{');
        ts_buf_adds(&syms, t[i].symbol);
    }
    ts_buf_addch(&syms, '}');

    /* every symbol must be an instrument of the master */
    const char *sp[1] = {syms.buf};
    TRY(ts_api_query(api, TS_MOD_DATA_CAPTURE, "check tick symbols",
                     "SELECT s FROM unnest($1::text[]) s EXCEPT"
                     " SELECT symbol FROM data_capture.instruments LIMIT 1",
                     1, sp, &r, &err));
    if (ts_db_nrows(r) > 0) {
        TRY(ts_err_set(&err, TS_EINVAL, "unknown symbol '%s': not in the instrument master",
                       ts_db_val(r, 0, 0)));
    }
    snprintf(source, sizeof(source), "api:%s", req->actor);
    TRY(ts_cap_ingest(api->cap, source, t, arr.n, TS_CAP_PUBLISH, NULL, &res, &err));
    if (res.sink_rc) {
        /* the ticks are stored; the order manager refused them (its code, app/wire.c) */
        oms_fail(resp, res.sink_rc, &res.sink_err, NULL, false);
        goto out;
    }
    ts_buf_reset(&resp->body);
    ts_buf_addf(&resp->body, "{\"received\":%zu,\"stored\":%zu,\"duplicates\":%zu,\"fills\":%d}",
                arr.n, res.stored, arr.n - res.stored, res.fills);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_db_clear(r);
    ts_buf_release(&syms);
    ts_free(t);
    ts_json_array_release(&arr);
}

/* ---- GET /feed ---- */

static void get_feed(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    (void)req;
    struct ts_api *api = app;
    ts_buf_reset(&resp->body);
    if (api->feed) {
        ts_feed_status(api->feed, &resp->body);
    } else {
        ts_buf_adds(&resp->body, "{\"feed\":\"none\",\"state\":\"off\"}");
    }
}

enum feed_op { FEED_STOP, FEED_START, FEED_RECONNECT };

static void feed_control(struct ts_api *api, const struct ts_http_req *req,
                         struct ts_http_resp *resp, enum feed_op op)
{
    if (req->body_len) {
        ts_http_error(resp, 400, "invalid_argument", "this request takes no body");
        return;
    }
    if (!api->feed) {
        ts_http_error(resp, 409, "conflict",
                      "no feed runs: start serve with --feed sim or --feed bridge:HOST:PORT");
        return;
    }
    if (op == FEED_RECONNECT) {
        if (!ts_feed_reconnect(api->feed)) {
            ts_http_error(resp, 409, "conflict", "the sim feed has no connection to renew");
            return;
        }
        ts_info("api", "feed reconnect asked by %s", req->actor);
    } else if (ts_feed_set_running(api->feed, op == FEED_START) != (op == FEED_START)) {
        ts_info("api", "feed %s by %s", op == FEED_START ? "started" : "stopped", req->actor);
    }
    ts_buf_reset(&resp->body);
    ts_feed_status(api->feed, &resp->body);
}

static void post_feed_stop(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    feed_control(app, req, resp, FEED_STOP);
}

static void post_feed_start(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    feed_control(app, req, resp, FEED_START);
}

static void post_feed_reconnect(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    feed_control(app, req, resp, FEED_RECONNECT);
}

/* ---- GET /market/book/{symbol} ---- */

static void get_book(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    const char *sym = req->params[0];
    ts_buf_reset(&resp->body);
    if (!api->cap || !ts_cap_book_json(api->cap, sym, TS_BOOK_DEPTH, &resp->body)) {
        ts_http_error(resp, 404, "not_found", "no book for '%.40s': the feed sends none", sym);
    }
}

/* ---- GET /metrics ---- */

static void counter(struct ts_buf *b, const char *name, const char *help, uint64_t v)
{
    ts_buf_addf(b, "# HELP %s %s\n# TYPE %s counter\n%s %" PRIu64 "\n", name, help, name, name, v);
}

static void get_metrics(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    (void)req;
    struct ts_api *api = app;
    struct ts_buf *b = &resp->body;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    ts_buf_reset(b);
    ts_buf_addf(b,
                "# HELP ts_up Whether the order manager is running.\n# TYPE ts_up gauge\n"
                "ts_up %d\n",
                api->oms ? 1 : 0);
    if (!api->oms) {
        return;
    }
    struct ts_oms_metrics m;
    ts_oms_get_metrics(api->oms, &m);
    counter(b, "ts_orders_placed_total", "Orders accepted and sent to the venue.", m.placed);
    counter(b, "ts_orders_rejected_total", "Orders refused by the pre-trade risk check.",
            m.rejected);
    counter(b, "ts_orders_filled_total", "Orders completely filled.", m.filled);
    counter(b, "ts_orders_canceled_total", "Orders canceled.", m.canceled);
    counter(b, "ts_fills_total", "Fills (trades) executed.", m.fills);
    counter(b, "ts_oms_commands_total", "Commands handled by the order manager.", m.commands);
    counter(b, "ts_oms_batches_total", "Transactions committed by the order manager.", m.batches);
    const char *h = "ts_order_latency_seconds";
    ts_buf_addf(b,
                "# HELP %s Time from a placement reaching the order manager to its answer.\n"
                "# TYPE %s histogram\n",
                h, h);
    uint64_t cum = 0;
    for (int i = 0; i < 16; i++) {
        cum += m.latency_buckets[i];
        int64_t le = ts_oms_latency_le_us[i];
        if (le == INT64_MAX) {
            ts_buf_addf(b, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", h, cum);
        } else {
            ts_buf_addf(b, "%s_bucket{le=\"%" PRId64 ".%06" PRId64 "\"} %" PRIu64 "\n", h,
                        le / 1000000, le % 1000000, cum);
        }
    }
    ts_buf_addf(b, "%s_sum %" PRIu64 ".%06" PRIu64 "\n%s_count %" PRIu64 "\n", h,
                m.latency_sum_us / 1000000, m.latency_sum_us % 1000000, h, m.latency_count);
}

const struct ts_http_route ts_api__oms_routes[] = {
    {TS_HTTP_POST, "/api/v1/orders", post_order, true, TS_API_TRADE},
    {TS_HTTP_PATCH, "/api/v1/orders/{}", patch_order, true, TS_API_TRADE},
    {TS_HTTP_POST, "/api/v1/orders/{}/cancel", post_cancel, true, TS_API_TRADE},
    {TS_HTTP_POST, "/api/v1/market/ticks", post_ticks, true, TS_API_ADMIN},
    {TS_HTTP_GET, "/api/v1/risk/kill-switch", get_kill_switch, true, TS_API_VIEW},
    {TS_HTTP_POST, "/api/v1/risk/kill-switch", post_kill_switch, true, TS_API_TRADE},
    {TS_HTTP_POST, "/api/v1/session/end-of-day", post_end_of_day, true, TS_API_ADMIN},
    {TS_HTTP_GET, "/api/v1/metrics", get_metrics, false, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/feed", get_feed, false, TS_API_VIEW},
    {TS_HTTP_POST, "/api/v1/feed/stop", post_feed_stop, false, TS_API_ADMIN},
    {TS_HTTP_POST, "/api/v1/feed/start", post_feed_start, false, TS_API_ADMIN},
    {TS_HTTP_POST, "/api/v1/feed/reconnect", post_feed_reconnect, false, TS_API_ADMIN},
    {TS_HTTP_GET, "/api/v1/market/book/{}", get_book, false, TS_API_VIEW},
    {0, NULL, NULL, false, 0},
};
