/*
 * routes_ref.c - the reference data of the REST API (API.md, docs/api.md "Accounts",
 * "Instruments", "Strategies", "Risk limits"): order_manager.accounts,
 * data_capture.instruments, order_manager.strategies and order_manager.risk_limits.
 *
 * Every body is read strictly (api/json.h): types and enums exact, decimals exact
 * (never through double), unknown fields refused. What the database would refuse
 * is refused here first with a message naming the field; the constraints stay as
 * the backstop (23505 -> 409, other 23xxx/22xxx -> 400, db/pg.c). Each change is
 * one statement, so a refused request changes nothing. References are checked
 * before the write: a risk limit's account and strategy (same database, also
 * guarded by the foreign keys) and its symbol (data_capture, another database:
 * checked here only, spec §5.1).
 *
 * SQL text is built only from the constant column and table names of this file;
 * every value is a bound parameter. Ids are UUIDv7 made here (core/uuid.h). The
 * lists go through the one list handler (routes_list.c); the {id} segments are read
 * as every GET read reads them (api/query.h).
 *
 * After a successful change the order manager, which holds this data in memory,
 * re-reads it (ts_oms_reload) before the answer is sent, so that an order placed
 * after the answer sees the change.
 *
 * Does not: delete accounts, strategies or instruments (orders refer to them; set
 * their status instead), merge metadata (a PATCH replaces the whole object).
 * Handlers run on the HTTP worker threads (blocking routes).
 */
#include "api/internal.h"

#include <assert.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/json.h"
#include "api/query.h"
#include "api/respond.h"
#include "core/dec.h"
#include "core/utf8.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/uuid.h"
#include "oms/oms.h"

#define OBJECT_MAX (256 * 1024) /* bytes of a metadata/parameters object */
#define MAX_COLS 16

/* ---- enums of the schema, spelled as the CHECK constraints spell them ---- */

static const char *const account_status[] = {"ACTIVE", "SUSPENDED", "CLOSED"};
static const char *const asset_classes[] = {"stock", "future", "fx", "crypto"};
static const char *const instrument_status[] = {"ACTIVE", "INACTIVE", "DELISTED", "HALTED"};
static const char *const strategy_types[] = {"TREND_FOLLOWING", "MEAN_REVERSION", "ARBITRAGE",
                                             "MANUAL"};
static const char *const strategy_status[] = {"ACTIVE", "INACTIVE", "PAUSED", "TESTING"};
static const char *const limit_types[] = {"ACCOUNT", "STRATEGY", "SYMBOL"};
static const char *const limit_status[] = {"ACTIVE", "INACTIVE"};

enum { LIMIT_ACCOUNT, LIMIT_STRATEGY, LIMIT_SYMBOL };

/* ---- the columns a request writes ---- */

/*
 * The columns of one INSERT or UPDATE with their text values, built while the body
 * is read. Column names are string constants of this file; values are borrowed
 * from the parsed body, or kept in text[] (numbers, ids) or owned[] (objects).
 */
struct row {
    const char *col[MAX_COLS];
    const char *val[MAX_COLS]; /* NULL: SQL NULL */
    char text[MAX_COLS][48];   /* storage for val[i] of numbers and ids */
    char *owned[MAX_COLS];     /* malloc'd values, freed by row_release() */
    int n, nowned;
};

static char *row_slot(struct row *r)
{
    assert(r->n < MAX_COLS);
    return r->text[r->n];
}

static void row_set(struct row *r, const char *col, const char *val)
{
    assert(r->n < MAX_COLS);
    r->col[r->n] = col;
    r->val[r->n++] = val;
}

static void row_set_owned(struct row *r, const char *col, char *val)
{
    assert(r->nowned < MAX_COLS);
    r->owned[r->nowned++] = val;
    row_set(r, col, val);
}

/* Index of col, or -1 when the request does not write it. */
static int row_find(const struct row *r, const char *col)
{
    for (int i = 0; i < r->n; i++) {
        if (!strcmp(r->col[i], col)) {
            return i;
        }
    }
    return -1;
}

/* Whether the request gives col a value (not absent, not null). */
static bool row_has(const struct row *r, const char *col)
{
    int i = row_find(r, col);
    return i >= 0 && r->val[i];
}

static void row_release(struct row *r)
{
    for (int i = 0; i < r->nowned; i++) {
        ts_free(r->owned[i]);
    }
    memset(r, 0, sizeof(*r));
}

/* INSERT INTO table (cols) VALUES ($1..) RETURNING *. Types come from the columns. */
static int row_insert(struct ts_api *api, enum ts_module m, const char *table, const char *what,
                      const struct row *r, PGresult **res, struct ts_err *err)
{
    struct ts_buf sql = TS_BUF_INIT;
    ts_buf_addf(&sql, "INSERT INTO %s (", table);
    for (int i = 0; i < r->n; i++) {
        ts_buf_addf(&sql, "%s%s", i ? ", " : "", r->col[i]);
    }
    ts_buf_adds(&sql, ") VALUES (");
    for (int i = 0; i < r->n; i++) {
        ts_buf_addf(&sql, "%s$%d", i ? ", " : "", i + 1);
    }
    ts_buf_adds(&sql, ") RETURNING *");
    int rc = ts_api_query(api, m, what, sql.buf, r->n, r->val, res, err);
    ts_buf_release(&sql);
    return rc;
}

/* UPDATE table SET col = $2.. WHERE key = $1 RETURNING *. */
static int row_update(struct ts_api *api, enum ts_module m, const char *table, const char *key,
                      const char *keyval, const char *what, const struct row *r, PGresult **res,
                      struct ts_err *err)
{
    struct ts_buf sql = TS_BUF_INIT;
    const char *params[MAX_COLS + 1];
    params[0] = keyval;
    ts_buf_addf(&sql, "UPDATE %s SET ", table);
    for (int i = 0; i < r->n; i++) {
        ts_buf_addf(&sql, "%s%s = $%d", i ? ", " : "", r->col[i], i + 2);
        params[i + 1] = r->val[i];
    }
    ts_buf_addf(&sql, " WHERE %s = $1 RETURNING *", key);
    int rc = ts_api_query(api, m, what, sql.buf, r->n + 1, params, res, err);
    ts_buf_release(&sql);
    return rc;
}

/* ---- reading a body into a row ---- */

struct body {
    struct ts_json_req j;
    struct row row;
    bool patch; /* PATCH: fields optional, null clears a nullable column */
};

enum {
    F_REQ = 1,       /* required on create */
    F_NULLABLE = 2,  /* PATCH may set it to null */
    F_FIXED = 4,     /* set on create, refused by PATCH */
    F_NONBLANK = 8,  /* text: not empty nor only spaces */
    F_MULTILINE = 16 /* text: tabs and newlines allowed */
};

static int body_open(struct body *b, const struct ts_http_req *req, bool patch, struct ts_err *err)
{
    memset(b, 0, sizeof(*b));
    b->patch = patch;
    return ts_json_parse(&b->j, req->body, req->body_len, err);
}

static void body_close(struct body *b)
{
    ts_json_release(&b->j);
    row_release(&b->row);
}

/*
 * The common start of every field reader: 1 when the field holds a value for the
 * reader to take, 0 when the field is settled (absent; null on create; null
 * clearing a nullable column on PATCH), or an error.
 */
static int field_start(struct body *b, const char *key, unsigned flags, struct ts_err *err)
{
    struct json_object *v = NULL;
    if (!json_object_object_get_ex(b->j.root, key, &v)) {
        if ((flags & F_REQ) && !b->patch) {
            return ts_err_set(err, TS_EINVAL, "missing field '%s'", key);
        }
        return 0;
    }
    if (b->patch && (flags & F_FIXED)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' cannot be changed", key);
    }
    if (!json_object_is_type(v, json_type_null)) {
        return 1;
    }
    if ((flags & F_REQ) && !b->patch) {
        return ts_err_set(err, TS_EINVAL, "missing field '%s' (null given)", key);
    }
    if (b->patch && !(flags & F_NULLABLE)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' cannot be null", key);
    }
    const char *unused;
    int rc = ts_json_take_str(&b->j, key, false, 0, &unused, NULL, err); /* marks it read */
    if (rc) {
        return rc;
    }
    if (b->patch) {
        row_set(&b->row, key, NULL);
    }
    return 0;
}

/* Free text: at most maxchars characters (varchar counts characters), no control characters. */
static int rd_text(struct body *b, const char *key, unsigned flags, size_t maxchars,
                   struct ts_err *err)
{
    const char *s;
    int rc = field_start(b, key, flags, err);
    if (rc <= 0) {
        return rc;
    }
    if ((rc = ts_json_take_str(&b->j, key, true, maxchars * 4, &s, NULL, err))) {
        return rc;
    }
    if (ts_utf8_chars(s, strlen(s)) > maxchars) {
        return ts_err_set(err, TS_EINVAL, "field '%s' is longer than %zu characters", key,
                          maxchars);
    }
    bool blank = true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool space = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
        if ((*p < 0x20 || *p == 0x7f) && !((flags & F_MULTILINE) && space)) {
            return ts_err_set(err, TS_EINVAL, "field '%s' contains a control character", key);
        }
        blank &= space;
    }
    if ((flags & F_NONBLANK) && blank) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must not be empty", key);
    }
    row_set(&b->row, key, s);
    return 0;
}

/* A code with a fixed shape (symbol, currency, ISIN): ok() decides, want says what is wanted. */
static int rd_code(struct body *b, const char *key, unsigned flags, bool (*ok)(const char *),
                   const char *want, struct ts_err *err)
{
    const char *s;
    int rc = field_start(b, key, flags, err);
    if (rc <= 0) {
        return rc;
    }
    if ((rc = ts_json_take_str(&b->j, key, true, 64, &s, NULL, err))) {
        return rc;
    }
    if (!ok(s)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be %s", key, want);
    }
    row_set(&b->row, key, s);
    return 0;
}

/* One of names; *idx (when given) receives its index, or stays untouched when not read. */
static int rd_enum(struct body *b, const char *key, unsigned flags, const char *const *names, int n,
                   int *idx, struct ts_err *err)
{
    int i;
    int rc = field_start(b, key, flags, err);
    if (rc <= 0) {
        return rc;
    }
    if ((rc = ts_json_take_enum(&b->j, key, true, names, n, &i, NULL, err))) {
        return rc;
    }
    if (idx) {
        *idx = i;
    }
    row_set(&b->row, key, names[i]);
    return 0;
}

enum dec_kind {
    DEC_POSITIVE, /* DECIMAL(18,8) > 0: lot and tick sizes */
    DEC_QTY,      /* DECIMAL(18,8) >= 0: quantity limits */
    DEC_MONEY,    /* DECIMAL(18,2) >= 0: money limits */
    DEC_PCT       /* DECIMAL(5,2), 0..100 */
};

#define DEC_CENT (TS_DEC_SCALE / 100)

/*
 * A decimal given as a string or a JSON number, exact. Money and percentages with
 * more than 2 decimals are refused rather than rounded: the database would round
 * them silently (half away from zero), and the trader would not get what was sent.
 */
static int rd_dec(struct body *b, const char *key, unsigned flags, enum dec_kind kind,
                  struct ts_err *err)
{
    ts_dec v;
    int rc = field_start(b, key, flags, err);
    if (rc <= 0) {
        return rc;
    }
    if ((rc = ts_json_take_dec(&b->j, key, true, &v, NULL, err))) {
        return rc;
    }
    if (kind == DEC_POSITIVE && v <= 0) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be greater than 0", key);
    }
    if (v < 0) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must not be negative", key);
    }
    if ((kind == DEC_MONEY || kind == DEC_PCT) && v % DEC_CENT != 0) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must have at most 2 decimals", key);
    }
    if (kind == DEC_PCT && v > TS_DEC_C(100)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be between 0 and 100", key);
    }
    char *out = row_slot(&b->row);
    if (kind == DEC_MONEY || kind == DEC_PCT) {
        ts_dec_format_scale(v, 2, out, sizeof(b->row.text[0]));
    } else {
        ts_dec_format(v, out, sizeof(b->row.text[0]));
    }
    row_set(&b->row, key, out);
    return 0;
}

static int rd_int(struct body *b, const char *key, unsigned flags, int64_t min, int64_t max,
                  struct ts_err *err)
{
    int64_t v;
    int rc = field_start(b, key, flags, err);
    if (rc <= 0) {
        return rc;
    }
    if ((rc = ts_json_take_int(&b->j, key, true, min, max, &v, NULL, err))) {
        return rc;
    }
    char *out = row_slot(&b->row);
    snprintf(out, sizeof(b->row.text[0]), "%lld", (long long)v);
    row_set(&b->row, key, out);
    return 0;
}

/* A UUID, stored in canonical lowercase form. */
static int rd_uuid(struct body *b, const char *key, unsigned flags, struct ts_err *err)
{
    struct ts_uuid u;
    int rc = field_start(b, key, flags, err);
    if (rc <= 0) {
        return rc;
    }
    if ((rc = ts_json_take_uuid(&b->j, key, true, &u, NULL, err))) {
        return rc;
    }
    char *out = row_slot(&b->row);
    ts_uuid_format(&u, out);
    row_set(&b->row, key, out);
    return 0;
}

/* A JSON object; check (may be NULL) validates its compact text. */
static int rd_object(struct body *b, const char *key, unsigned flags,
                     int (*check)(const char *, struct ts_err *), struct ts_err *err)
{
    char *text = NULL;
    int rc = field_start(b, key, flags, err);
    if (rc <= 0) {
        return rc;
    }
    if ((rc = ts_json_take_object_text(&b->j, key, true, OBJECT_MAX, &text, NULL, err))) {
        return rc;
    }
    if (check && (rc = check(text, err))) {
        ts_free(text);
        return ts_err_wrap(err, "field '%s'", key);
    }
    row_set_owned(&b->row, key, text);
    return 0;
}

/* A new UUIDv7 as the row's id. */
static void set_new_id(struct body *b)
{
    struct ts_uuid u;
    char *out = row_slot(&b->row);
    ts_uuid_v7(&u);
    ts_uuid_format(&u, out);
    row_set(&b->row, "id", out);
}

/* ---- shapes of codes ---- */

static bool all_of(const char *s, size_t min, size_t max, bool letters, bool digits)
{
    size_t n = strlen(s);
    if (n < min || n > max) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        bool up = s[i] >= 'A' && s[i] <= 'Z', dig = s[i] >= '0' && s[i] <= '9';
        if (!((letters && up) || (digits && dig))) {
            return false;
        }
    }
    return true;
}

/* B3 tickers: PETR4, WINZ26, WDOF27. */
static bool is_symbol(const char *s)
{
    return all_of(s, 1, 50, true, true);
}

static bool is_exchange(const char *s)
{
    return all_of(s, 1, 20, true, true);
}

static bool is_currency(const char *s)
{
    return all_of(s, 3, 3, true, false);
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
    return all_of(cc, 2, 2, true, false) && all_of(body, 9, 9, true, true) &&
           all_of(last, 1, 1, false, true);
}

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
    rc = ts_json_take_object_text(&meta, "fees", false, OBJECT_MAX, &fees_text, &has_fees, err);
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

/* ---- answers ---- */

static void reply_row(struct ts_http_resp *resp, int status, const PGresult *res)
{
    resp->status = status;
    ts_buf_reset(&resp->body);
    ts_api_row_json(&resp->body, res, 0);
}

/*
 * The order manager re-reads what changed. The change is committed by now: a
 * failure here does not undo it and does not turn the answer into a refusal; it
 * is logged (the order manager rebuilds its state from the database after any
 * failed write of its own, and at every start).
 */
static void reload(struct ts_api *api, unsigned what)
{
    struct ts_err err = TS_ERR_INIT;
    if (api->oms && ts_oms_reload(api->oms, what, &err)) {
        ts_error("api", "change stored, but the order manager did not reload it: %s", err.msg);
    }
}

/* Whether a row with this key exists: 0, TS_EINVAL naming the field when it does not. */
static int check_ref(struct ts_api *api, enum ts_module m, const char *sql, const char *field,
                     const char *kind, const char *key, struct ts_err *err)
{
    PGresult *res;
    char what[96];
    snprintf(what, sizeof(what), "check %s", field);
    int rc = ts_api_query(api, m, what, sql, 1, &key, &res, err);
    if (rc) {
        return rc;
    }
    bool found = PQntuples(res) > 0;
    PQclear(res);
    if (!found) {
        return ts_err_set(err, TS_EINVAL, "field '%s': no %s '%s'", field, kind, key);
    }
    return 0;
}

/* After an UPDATE ... RETURNING: 200 with the row, or 404 when the key matched nothing. */
static void reply_updated(struct ts_http_resp *resp, const PGresult *res, const char *kind,
                          const char *key)
{
    char what[128];
    snprintf(what, sizeof(what), "%s '%.64s'", kind, key);
    ts_api_one_row(resp, res, what);
}

/* ---- accounts ---- */

static void post_account(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct body b;
    PGresult *res = NULL;
    int rc;

    TRY(body_open(&b, req, false, &err));
    set_new_id(&b);
    TRY(rd_text(&b, "name", F_REQ | F_NONBLANK, 100, &err));
    TRY(rd_text(&b, "broker_account", F_REQ | F_NONBLANK, 50, &err));
    TRY(rd_code(&b, "currency", 0, is_currency, "an ISO 4217 code of 3 uppercase letters", &err));
    TRY(rd_enum(&b, "status", 0, TS_API__NAMES(account_status), NULL, &err));
    TRY(rd_object(&b, "metadata", 0, NULL, &err));
    TRY(ts_json_finish(&b.j, &err));
    TRY(row_insert(api, TS_MOD_ORDER_MANAGER, "order_manager.accounts", "insert account", &b.row,
                   &res, &err));
    reload(api, TS_OMS_RELOAD_ACCOUNTS);
    reply_row(resp, 201, res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    PQclear(res);
    body_close(&b);
}

static const struct ts_api__list accounts = {
    .module = TS_MOD_ORDER_MANAGER,
    .what = "list accounts",
    .select = "SELECT * FROM order_manager.accounts",
    .filters = {TS_API__FILTER_ENUM("status", "status", account_status),
                TS_API__FILTER_TEXT("currency", "currency"), TS_API__FILTER_LIMIT},
    .order = "created_at DESC, id DESC",
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
        ts_query_one(app, TS_MOD_ORDER_MANAGER, resp, "read account",
                     "SELECT * FROM order_manager.accounts WHERE id = $1", id, "account", &err)) {
        ts_api_fail(resp, &err);
    }
}

/* ---- instruments ---- */

/* The fields of an instrument a request may write (create: all; PATCH: not the F_FIXED ones). */
static int read_instrument(struct body *b, struct ts_err *err)
{
    int rc;
    TRY(rd_code(b, "symbol", F_REQ | F_FIXED, is_symbol, "1 to 50 uppercase letters or digits",
                err));
    TRY(rd_code(b, "exchange", F_FIXED, is_exchange, "1 to 20 uppercase letters or digits", err));
    TRY(rd_enum(b, "asset_class", F_REQ | F_FIXED, TS_API__NAMES(asset_classes), NULL, err));
    TRY(rd_text(b, "name", F_REQ | F_NONBLANK, 255, err));
    TRY(rd_code(b, "isin", F_NULLABLE, is_isin,
                "an ISIN: 2 letters, 9 letters or digits, 1 digit (e.g. BRPETRACNPR6)", err));
    TRY(rd_code(b, "currency", F_FIXED, is_currency, "an ISO 4217 code of 3 uppercase letters",
                err));
    TRY(rd_dec(b, "lot_size", 0, DEC_POSITIVE, err));
    TRY(rd_dec(b, "tick_size", F_REQ, DEC_POSITIVE, err));
    TRY(rd_object(b, "trading_hours", F_NULLABLE, check_hours, err));
    TRY(rd_enum(b, "status", 0, TS_API__NAMES(instrument_status), NULL, err));
    TRY(rd_object(b, "metadata", 0, check_instrument_metadata, err));
    TRY(ts_json_finish(&b->j, err));
out:
    return rc;
}

static void post_instrument(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct body b;
    PGresult *res = NULL;
    int rc;

    TRY(body_open(&b, req, false, &err));
    set_new_id(&b);
    TRY(read_instrument(&b, &err));
    if (row_find(&b.row, "exchange") < 0) {
        row_set(&b.row, "exchange", "B3"); /* the platform's exchange; the column has no default */
    }
    TRY(row_insert(api, TS_MOD_DATA_CAPTURE, "data_capture.instruments", "insert instrument",
                   &b.row, &res, &err));
    reload(api, TS_OMS_RELOAD_INSTRUMENTS);
    reply_row(resp, 201, res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    PQclear(res);
    body_close(&b);
}

static void patch_instrument(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct body b;
    PGresult *res = NULL;
    const char *symbol = req->params[0];
    int rc;

    TRY(body_open(&b, req, true, &err));
    TRY(read_instrument(&b, &err));
    if (b.row.n == 0) {
        rc = ts_err_set(&err, TS_EINVAL,
                        "nothing to change: give name, isin, lot_size, tick_size, trading_hours,"
                        " status or metadata");
        goto out;
    }
    TRY(row_update(api, TS_MOD_DATA_CAPTURE, "data_capture.instruments", "symbol", symbol,
                   "update instrument", &b.row, &res, &err));
    if (PQntuples(res) > 0) {
        reload(api, TS_OMS_RELOAD_INSTRUMENTS);
    }
    reply_updated(resp, res, "instrument", symbol);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    PQclear(res);
    body_close(&b);
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

/* ---- strategies ---- */

static int read_strategy(struct body *b, struct ts_err *err)
{
    int rc;
    TRY(rd_text(b, "name", F_REQ | F_NONBLANK, 255, err));
    TRY(rd_text(b, "description", F_NULLABLE | F_MULTILINE, 10000, err));
    TRY(rd_enum(b, "strategy_type", F_REQ, TS_API__NAMES(strategy_types), NULL, err));
    TRY(rd_enum(b, "status", 0, TS_API__NAMES(strategy_status), NULL, err));
    TRY(rd_object(b, "parameters", 0, NULL, err));
    TRY(rd_dec(b, "max_position_size", F_NULLABLE, DEC_QTY, err));
    TRY(rd_dec(b, "max_daily_loss", F_NULLABLE, DEC_MONEY, err));
    TRY(rd_dec(b, "max_drawdown_pct", F_NULLABLE, DEC_PCT, err));
    TRY(rd_object(b, "metadata", 0, NULL, err));
    TRY(ts_json_finish(&b->j, err));
out:
    return rc;
}

static void post_strategy(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct body b;
    PGresult *res = NULL;
    int rc;

    TRY(body_open(&b, req, false, &err));
    set_new_id(&b);
    TRY(read_strategy(&b, &err));
    row_set(&b.row, "created_by", req->actor);
    TRY(row_insert(api, TS_MOD_ORDER_MANAGER, "order_manager.strategies", "insert strategy", &b.row,
                   &res, &err));
    reload(api, TS_OMS_RELOAD_STRATEGIES);
    reply_row(resp, 201, res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    PQclear(res);
    body_close(&b);
}

static void patch_strategy(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct body b;
    PGresult *res = NULL;
    char id[TS_UUID_STRLEN];
    int rc;

    memset(&b, 0, sizeof(b));
    TRY(ts_query_path_uuid(req, "strategy", id, &err));
    TRY(body_open(&b, req, true, &err));
    TRY(read_strategy(&b, &err));
    if (b.row.n == 0) {
        rc = ts_err_set(&err, TS_EINVAL,
                        "nothing to change: give name, description, strategy_type, status,"
                        " parameters, max_position_size, max_daily_loss, max_drawdown_pct or"
                        " metadata");
        goto out;
    }
    TRY(row_update(api, TS_MOD_ORDER_MANAGER, "order_manager.strategies", "id", id,
                   "update strategy", &b.row, &res, &err));
    if (PQntuples(res) > 0) {
        reload(api, TS_OMS_RELOAD_STRATEGIES);
    }
    reply_updated(resp, res, "strategy", id);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    PQclear(res);
    body_close(&b);
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

/* ---- risk limits ---- */

static const char *const limit_fields[] = {"max_order_value", "max_position_size", "max_daily_loss",
                                           "max_daily_trades"};

static int read_limit(struct body *b, int *type, struct ts_err *err)
{
    int rc;
    TRY(rd_enum(b, "limit_type", F_REQ | F_FIXED, TS_API__NAMES(limit_types), type, err));
    TRY(rd_uuid(b, "account_id", F_FIXED, err));
    TRY(rd_uuid(b, "strategy_id", F_FIXED, err));
    TRY(rd_code(b, "symbol", F_FIXED, is_symbol_ref, "a symbol (1 to 50 characters, no spaces)",
                err));
    TRY(rd_dec(b, "max_order_value", F_NULLABLE, DEC_MONEY, err));
    TRY(rd_dec(b, "max_position_size", F_NULLABLE, DEC_QTY, err));
    TRY(rd_dec(b, "max_daily_loss", F_NULLABLE, DEC_MONEY, err));
    TRY(rd_int(b, "max_daily_trades", F_NULLABLE, 0, INT32_MAX, err));
    TRY(rd_enum(b, "status", 0, TS_API__NAMES(limit_status), NULL, err));
    TRY(rd_object(b, "metadata", 0, NULL, err));
    TRY(ts_json_finish(&b->j, err));
out:
    return rc;
}

/*
 * The scope columns must match limit_type (docs/schema.md, risk_limits_scope_check):
 * ACCOUNT: account_id, no strategy_id, no symbol; STRATEGY: strategy_id, optionally
 * account_id, no symbol; SYMBOL: symbol, optionally account_id and/or strategy_id.
 */
static int check_scope(const struct row *r, int type, struct ts_err *err)
{
    static const char *const needs[] = {"account_id", "strategy_id", "symbol"};
    const char *t = limit_types[type];
    if (!row_has(r, needs[type])) {
        return ts_err_set(err, TS_EINVAL, "missing field '%s': limit_type %s needs it", needs[type],
                          t);
    }
    if (type == LIMIT_ACCOUNT && row_has(r, "strategy_id")) {
        return ts_err_set(err, TS_EINVAL,
                          "field 'strategy_id' is not allowed with limit_type ACCOUNT"
                          " (use STRATEGY or SYMBOL)");
    }
    if (type != LIMIT_SYMBOL && row_has(r, "symbol")) {
        return ts_err_set(err, TS_EINVAL,
                          "field 'symbol' is not allowed with limit_type %s (use SYMBOL)", t);
    }
    for (size_t i = 0; i < sizeof(limit_fields) / sizeof(limit_fields[0]); i++) {
        if (row_has(r, limit_fields[i])) {
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
    struct body b;
    PGresult *res = NULL;
    int type = -1, rc, i;

    TRY(body_open(&b, req, false, &err));
    set_new_id(&b);
    TRY(read_limit(&b, &type, &err));
    TRY(check_scope(&b.row, type, &err));
    if ((i = row_find(&b.row, "account_id")) >= 0 && b.row.val[i]) {
        TRY(check_ref(api, TS_MOD_ORDER_MANAGER,
                      "SELECT 1 FROM order_manager.accounts WHERE id = $1", "account_id", "account",
                      b.row.val[i], &err));
    }
    if ((i = row_find(&b.row, "strategy_id")) >= 0 && b.row.val[i]) {
        TRY(check_ref(api, TS_MOD_ORDER_MANAGER,
                      "SELECT 1 FROM order_manager.strategies WHERE id = $1", "strategy_id",
                      "strategy", b.row.val[i], &err));
    }
    if ((i = row_find(&b.row, "symbol")) >= 0 && b.row.val[i]) {
        /* another database: no foreign key can do this (spec §5.1) */
        TRY(check_ref(api, TS_MOD_DATA_CAPTURE,
                      "SELECT 1 FROM data_capture.instruments WHERE symbol = $1", "symbol",
                      "instrument", b.row.val[i], &err));
    }
    TRY(row_insert(api, TS_MOD_ORDER_MANAGER, "order_manager.risk_limits", "insert risk limit",
                   &b.row, &res, &err));
    reload(api, TS_OMS_RELOAD_RISK_LIMITS);
    reply_row(resp, 201, res);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    PQclear(res);
    body_close(&b);
}

/* Only limits, status and metadata change; the scope is the limit's identity. */
static void patch_limit(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct body b;
    PGresult *res = NULL;
    char id[TS_UUID_STRLEN];
    int type, rc;

    memset(&b, 0, sizeof(b));
    TRY(ts_query_path_uuid(req, "risk limit", id, &err));
    TRY(body_open(&b, req, true, &err));
    TRY(read_limit(&b, &type, &err));
    if (b.row.n == 0) {
        rc = ts_err_set(&err, TS_EINVAL,
                        "nothing to change: give max_order_value, max_position_size,"
                        " max_daily_loss, max_daily_trades, status or metadata");
        goto out;
    }
    /* clearing every limit is refused by risk_limits_some_limit_check (400) */
    TRY(row_update(api, TS_MOD_ORDER_MANAGER, "order_manager.risk_limits", "id", id,
                   "update risk limit", &b.row, &res, &err));
    if (PQntuples(res) > 0) {
        reload(api, TS_OMS_RELOAD_RISK_LIMITS);
    }
    reply_updated(resp, res, "risk limit", id);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    PQclear(res);
    body_close(&b);
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
    if (PQntuples(res) > 0) {
        reload(api, TS_OMS_RELOAD_RISK_LIMITS);
    }
    reply_updated(resp, res, "risk limit", id);
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    PQclear(res);
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

const struct ts_http_route ts_api__ref_routes[] = {
    {TS_HTTP_POST, "/api/v1/accounts", post_account, true},
    {TS_HTTP_GET, "/api/v1/accounts", get_accounts, true},
    {TS_HTTP_GET, "/api/v1/accounts/{}", get_account, true},
    {TS_HTTP_POST, "/api/v1/instruments", post_instrument, true},
    {TS_HTTP_GET, "/api/v1/instruments", get_instruments, true},
    {TS_HTTP_GET, "/api/v1/instruments/{}", get_instrument, true},
    {TS_HTTP_PATCH, "/api/v1/instruments/{}", patch_instrument, true},
    {TS_HTTP_POST, "/api/v1/strategies", post_strategy, true},
    {TS_HTTP_GET, "/api/v1/strategies", get_strategies, true},
    {TS_HTTP_GET, "/api/v1/strategies/{}", get_strategy, true},
    {TS_HTTP_PATCH, "/api/v1/strategies/{}", patch_strategy, true},
    {TS_HTTP_POST, "/api/v1/risk-limits", post_limit, true},
    {TS_HTTP_GET, "/api/v1/risk-limits", get_limits, true},
    {TS_HTTP_GET, "/api/v1/risk-limits/{}", get_limit, true},
    {TS_HTTP_PATCH, "/api/v1/risk-limits/{}", patch_limit, true},
    {TS_HTTP_DELETE, "/api/v1/risk-limits/{}", delete_limit, true},
    {0, NULL, NULL, false},
};
