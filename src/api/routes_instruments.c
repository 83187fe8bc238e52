/*
 * routes_instruments.c - the instruments of the REST API (API.md, docs/api.md
 * "Instruments"): data_capture.instruments, created, changed (PATCH replaces the
 * fields it gives), listed and read by symbol. What the order manager reads from an
 * instrument (trading hours, the fee schedule in metadata.fees) is checked here, so
 * that no instrument it cannot load is stored. Body readers and answers: refdata.c;
 * lists: routes_list.c.
 *
 * Does not: delete instruments (orders refer to them; set their status instead),
 * merge metadata (a PATCH replaces the whole object). Handlers run on the HTTP worker
 * threads (blocking routes).
 */
#include "api/internal.h"

#include <string.h>

#include "api/respond.h"
#include "core/dec.h"
#include "core/mem.h"
#include "oms/oms.h"

static const char *const asset_classes[] = {"stock", "future", "fx", "crypto"};
static const char *const instrument_status[] = {"ACTIVE", "INACTIVE", "DELISTED", "HALTED"};

/* ---- shapes of codes ---- */

/* B3 tickers: PETR4, WINZ26, WDOF27. */
static bool is_symbol(const char *s)
{
    return ts_api__all_of(s, 1, 50, true, true);
}

static bool is_exchange(const char *s)
{
    return ts_api__all_of(s, 1, 20, true, true);
}

/* ISO 6166 shape, as the column's CHECK: 2 letters, 9 letters or digits, 1 digit. */
static bool is_isin(const char *s)
{
    if (strlen(s) != 12) {
        return false;
    }
    char cc[3] = {s[0], s[1], 0}, body[10], last[2] = {s[11], 0};
    memcpy(body, s + 2, 9);
    body[9] = 0;
    return ts_api__all_of(cc, 2, 2, true, false) && ts_api__all_of(body, 9, 9, true, true) &&
           ts_api__all_of(last, 1, 1, false, true);
}

/* ---- checks of nested objects ---- */

/* "HH:MM" -> minute of the day, or -1. "24:00" is allowed only as a close. */
static int hhmm(const char *s, bool close)
{
    if (strlen(s) != 5 || s[2] != ':') {
        return -1;
    }
    for (int i = 0; i < 5; i++) {
        if (i != 2 && (s[i] < '0' || s[i] > '9')) {
            return -1;
        }
    }
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && (m != 0 || !close))) {
        return -1;
    }
    return h * 60 + m;
}

/*
 * trading_hours: {"open":"HH:MM","close":"HH:MM","tz"?:"America/Sao_Paulo"}, open <
 * close, B3 local time (the order manager reads open and close as such; a session
 * crossing midnight is not modelled, domain/instrument.h).
 */
static int check_hours(const char *text, struct ts_err *err)
{
    struct ts_json_req j;
    const char *open, *close, *tz;
    bool has_tz = false;
    int rc = ts_json_parse(&j, text, strlen(text), err);
    if (rc) {
        return rc;
    }
    if ((rc = ts_json_take_str(&j, "open", true, 16, &open, NULL, err)) ||
        (rc = ts_json_take_str(&j, "close", true, 16, &close, NULL, err)) ||
        (rc = ts_json_take_str(&j, "tz", false, 64, &tz, &has_tz, err)) ||
        (rc = ts_json_finish(&j, err))) {
        goto out;
    }
    int o = hhmm(open, false), c = hhmm(close, true);
    if (o < 0) {
        rc = ts_err_set(err, TS_EINVAL, "'open' must be a time HH:MM (00:00 to 23:59)");
    } else if (c < 0) {
        rc = ts_err_set(err, TS_EINVAL, "'close' must be a time HH:MM (00:01 to 24:00)");
    } else if (o >= c) {
        rc = ts_err_set(err, TS_EINVAL, "'open' must be before 'close'");
    } else if (has_tz && strcmp(tz, "America/Sao_Paulo")) {
        rc = ts_err_set(err, TS_EINVAL, "'tz' must be America/Sao_Paulo (B3 local time)");
    }
out:
    ts_json_release(&j);
    return rc;
}

/*
 * An instrument's metadata is free, except "fees", which the order manager reads
 * as its fee schedule (oms/load.c, domain/instrument.h): an object of decimals >= 0,
 * rates at most 1. A malformed schedule would make the instrument unloadable.
 */
static int check_instrument_metadata(const char *text, struct ts_err *err)
{
    static const char *const keys[] = {"commission_fixed", "commission_per_unit", "commission_rate",
                                       "tax_per_unit", "tax_rate"};
    struct ts_json_req meta, fees;
    char *fees_text = NULL;
    bool has_fees = false;
    int rc = ts_json_parse(&meta, text, strlen(text), err);
    if (rc) {
        return rc;
    }
    memset(&fees, 0, sizeof(fees));
    rc = ts_json_take_object_text(&meta, "fees", false, TS_API__OBJECT_MAX, &fees_text, &has_fees,
                                  err);
    if (rc || !has_fees) {
        goto out;
    }
    if ((rc = ts_json_parse(&fees, fees_text, strlen(fees_text), err))) {
        goto out;
    }
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        ts_dec v;
        bool here = false;
        if ((rc = ts_json_take_dec(&fees, keys[i], false, &v, &here, err))) {
            goto out;
        }
        if (here && v < 0) {
            rc = ts_err_set(err, TS_EINVAL, "field '%s' must not be negative", keys[i]);
            goto out;
        }
        if (here && strstr(keys[i], "rate") && v > TS_DEC_SCALE) {
            rc = ts_err_set(err, TS_EINVAL, "field '%s' is a fraction: at most 1", keys[i]);
            goto out;
        }
    }
    rc = ts_json_finish(&fees, err);
out:
    if (rc) {
        ts_err_wrap(err, "fees");
    }
    ts_json_release(&fees);
    ts_json_release(&meta);
    ts_free(fees_text);
    return rc;
}

/* ---- routes ---- */

/* The fields of an instrument a request may write (create: all; PATCH: not the TS_API__F_FIXED
 * ones). */
static int read_instrument(struct ts_api__body *b, struct ts_err *err)
{
    int rc;
    TRY(ts_api__body_code(b, "symbol", TS_API__F_REQ | TS_API__F_FIXED, is_symbol,
                          "1 to 50 uppercase letters or digits", err));
    TRY(ts_api__body_code(b, "exchange", TS_API__F_FIXED, is_exchange,
                          "1 to 20 uppercase letters or digits", err));
    TRY(ts_api__body_enum(b, "asset_class", TS_API__F_REQ | TS_API__F_FIXED,
                          TS_API__NAMES(asset_classes), NULL, err));
    TRY(ts_api__body_text(b, "name", TS_API__F_REQ | TS_API__F_NONBLANK, 255, err));
    TRY(ts_api__body_code(b, "isin", TS_API__F_NULLABLE, is_isin,
                          "an ISIN: 2 letters, 9 letters or digits, 1 digit (e.g. BRPETRACNPR6)",
                          err));
    TRY(ts_api__body_code(b, "currency", TS_API__F_FIXED, ts_api__is_currency,
                          "an ISO 4217 code of 3 uppercase letters", err));
    TRY(ts_api__body_dec(b, "lot_size", 0, TS_API__DEC_POSITIVE, err));
    TRY(ts_api__body_dec(b, "tick_size", TS_API__F_REQ, TS_API__DEC_POSITIVE, err));
    TRY(ts_api__body_object(b, "trading_hours", TS_API__F_NULLABLE, check_hours, err));
    TRY(ts_api__body_enum(b, "status", 0, TS_API__NAMES(instrument_status), NULL, err));
    TRY(ts_api__body_object(b, "metadata", 0, check_instrument_metadata, err));
    TRY(ts_json_finish(&b->j, err));
out:
    return rc;
}

static void post_instrument(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_api__body b;
    PGresult *res = NULL;
    int rc;

    TRY(ts_api__body_open(&b, req, false, &err));
    ts_api__body_new_id(&b);
    TRY(read_instrument(&b, &err));
    if (ts_api__row_find(&b.row, "exchange") < 0) {
        ts_api__row_set(&b.row, "exchange",
                        "B3"); /* the platform's exchange; the column has no default */
    }
    TRY(ts_api__row_insert(api, TS_MOD_DATA_CAPTURE, "data_capture.instruments",
                           "insert instrument", &b.row, &res, &err));
    ts_api__reload(api, TS_OMS_RELOAD_INSTRUMENTS);
    ts_api__reply_row(resp, 201, res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_db_clear(res);
    ts_api__body_close(&b);
}

static void patch_instrument(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_api__body b;
    PGresult *res = NULL;
    const char *symbol = req->params[0];
    int rc;

    TRY(ts_api__body_open(&b, req, true, &err));
    TRY(read_instrument(&b, &err));
    if (b.row.n == 0) {
        rc = ts_err_set(&err, TS_EINVAL,
                        "nothing to change: give name, isin, lot_size, tick_size, trading_hours,"
                        " status or metadata");
        goto out;
    }
    TRY(ts_api__row_update(api, TS_MOD_DATA_CAPTURE, "data_capture.instruments", "symbol", symbol,
                           "update instrument", &b.row, &res, &err));
    if (ts_db_nrows(res) > 0) {
        ts_api__reload(api, TS_OMS_RELOAD_INSTRUMENTS);
    }
    ts_api__reply_updated(resp, res, "instrument", symbol);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_db_clear(res);
    ts_api__body_close(&b);
}

static const struct ts_api__list instruments = {
    .module = TS_MOD_DATA_CAPTURE,
    .what = "list instruments",
    .select = "SELECT * FROM data_capture.instruments",
    .filters = {TS_API__FILTER_ENUM("status", "status", instrument_status),
                TS_API__FILTER_ENUM("asset_class", "asset_class", asset_classes),
                TS_API__FILTER_TEXT("exchange", "exchange"), TS_API__FILTER_LIMIT},
    .order = "created_at DESC, id DESC",
};

static void get_instruments(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    ts_api__list(app, req, resp, &instruments);
}

/* Looked up exactly as given (symbols are case-sensitive): unknown -> 404. */
static void get_instrument(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_err err = TS_ERR_INIT;
    if (ts_query_one(app, TS_MOD_DATA_CAPTURE, resp, "read instrument",
                     "SELECT * FROM data_capture.instruments WHERE symbol = $1", req->params[0],
                     "instrument", &err)) {
        ts_api_fail(resp, &err);
    }
}

const struct ts_http_route ts_api__instrument_routes[] = {
    {TS_HTTP_POST, "/api/v1/instruments", post_instrument, true, TS_API_ADMIN},
    {TS_HTTP_GET, "/api/v1/instruments", get_instruments, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/instruments/{}", get_instrument, true, TS_API_VIEW},
    {TS_HTTP_PATCH, "/api/v1/instruments/{}", patch_instrument, true, TS_API_ADMIN},
    {0, NULL, NULL, false, 0},
};
