/*
 * refdata.c - what the reference-data routes share (API.md, docs/api.md "Accounts",
 * "Instruments", "Strategies", "Risk limits"; the routes are in routes_accounts.c,
 * routes_instruments.c, routes_strategies.c and routes_limits.c): a request body read
 * strictly into the columns of one INSERT or UPDATE, and the answers after a change.
 *
 * Every body is read strictly (api/json.h): types and enums exact, decimals exact
 * (never through double), unknown fields refused. What the database would refuse
 * is refused here first with a message naming the field; the constraints stay as
 * the backstop (23505 -> 409, other 23xxx/22xxx -> 400, db/pg.c). Each change is
 * one statement, so a refused request changes nothing.
 *
 * SQL text is built only from the constant column and table names of the route files;
 * every value is a bound parameter. Ids are UUIDv7 made here (core/uuid.h).
 *
 * After a successful change the order manager, which holds this data in memory,
 * re-reads it (ts_oms_reload) before the answer is sent, so that an order placed
 * after the answer sees the change.
 *
 * Does not: know the resources' fields (each route file reads its own). Handlers run on
 * the HTTP worker threads (blocking routes).
 */
#include "api/internal.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/respond.h"
#include "core/dec.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "oms/oms.h"

/* ---- the columns a request writes ---- */

static char *row_slot(struct ts_api__row *r)
{
    assert(r->n < TS_API__MAX_COLS);
    return r->text[r->n];
}

void ts_api__row_set(struct ts_api__row *r, const char *col, const char *val)
{
    assert(r->n < TS_API__MAX_COLS);
    r->col[r->n] = col;
    r->val[r->n++] = val;
}

static void row_set_owned(struct ts_api__row *r, const char *col, char *val)
{
    assert(r->nowned < TS_API__MAX_COLS);
    r->owned[r->nowned++] = val;
    ts_api__row_set(r, col, val);
}

/* Index of col, or -1 when the request does not write it. */
int ts_api__row_find(const struct ts_api__row *r, const char *col)
{
    for (int i = 0; i < r->n; i++) {
        if (!strcmp(r->col[i], col)) {
            return i;
        }
    }
    return -1;
}

/* Whether the request gives col a value (not absent, not null). */
bool ts_api__row_has(const struct ts_api__row *r, const char *col)
{
    int i = ts_api__row_find(r, col);
    return i >= 0 && r->val[i];
}

static void row_release(struct ts_api__row *r)
{
    for (int i = 0; i < r->nowned; i++) {
        ts_free(r->owned[i]);
    }
    memset(r, 0, sizeof(*r));
}

/* INSERT INTO table (cols) VALUES ($1..) RETURNING *. Types come from the columns. */
int ts_api__row_insert(struct ts_api *api, enum ts_module m, const char *table, const char *what,
                       const struct ts_api__row *r, PGresult **res, struct ts_err *err)
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
int ts_api__row_update(struct ts_api *api, enum ts_module m, const char *table, const char *key,
                       const char *keyval, const char *what, const struct ts_api__row *r,
                       PGresult **res, struct ts_err *err)
{
    struct ts_buf sql = TS_BUF_INIT;
    const char *params[TS_API__MAX_COLS + 1];
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

int ts_api__body_open(struct ts_api__body *b, const struct ts_http_req *req, bool patch,
                      struct ts_err *err)
{
    memset(b, 0, sizeof(*b));
    b->patch = patch;
    return ts_json_parse(&b->j, req->body, req->body_len, err);
}

void ts_api__body_close(struct ts_api__body *b)
{
    ts_json_release(&b->j);
    row_release(&b->row);
}

/*
 * The common start of every field reader: 1 when the field holds a value for the
 * reader to take, 0 when the field is settled (absent; null on create; null
 * clearing a nullable column on PATCH), or an error.
 */
static int field_start(struct ts_api__body *b, const char *key, unsigned flags, struct ts_err *err)
{
    enum ts_json_field kind = ts_json_field(&b->j, key);
    if (kind == TS_JSON_ABSENT) {
        if ((flags & TS_API__F_REQ) && !b->patch) {
            return ts_err_set(err, TS_EINVAL, "missing field '%s'", key);
        }
        return 0;
    }
    if (b->patch && (flags & TS_API__F_FIXED)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' cannot be changed", key);
    }
    if (kind == TS_JSON_VALUE) {
        return 1;
    }
    if ((flags & TS_API__F_REQ) && !b->patch) {
        return ts_err_set(err, TS_EINVAL, "missing field '%s' (null given)", key);
    }
    if (b->patch && !(flags & TS_API__F_NULLABLE)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' cannot be null", key);
    }
    const char *unused;
    int rc = ts_json_take_str(&b->j, key, false, 0, &unused, NULL, err); /* marks it read */
    if (rc) {
        return rc;
    }
    if (b->patch) {
        ts_api__row_set(&b->row, key, NULL);
    }
    return 0;
}

/* Free text: at most maxchars characters (varchar counts characters), no control characters. */
int ts_api__body_text(struct ts_api__body *b, const char *key, unsigned flags, size_t maxchars,
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
        if ((*p < 0x20 || *p == 0x7f) && !((flags & TS_API__F_MULTILINE) && space)) {
            return ts_err_set(err, TS_EINVAL, "field '%s' contains a control character", key);
        }
        blank &= space;
    }
    if ((flags & TS_API__F_NONBLANK) && blank) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must not be empty", key);
    }
    ts_api__row_set(&b->row, key, s);
    return 0;
}

/* A code with a fixed shape (symbol, currency, ISIN): ok() decides, want says what is wanted. */
int ts_api__body_code(struct ts_api__body *b, const char *key, unsigned flags,
                      bool (*ok)(const char *), const char *want, struct ts_err *err)
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
    ts_api__row_set(&b->row, key, s);
    return 0;
}

/* One of names; *idx (when given) receives its index, or stays untouched when not read. */
int ts_api__body_enum(struct ts_api__body *b, const char *key, unsigned flags,
                      const char *const *names, int n, int *idx, struct ts_err *err)
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
    ts_api__row_set(&b->row, key, names[i]);
    return 0;
}

#define DEC_CENT (TS_DEC_SCALE / 100)

/*
 * A decimal given as a string or a JSON number, exact. Money and percentages with
 * more than 2 decimals are refused rather than rounded: the database would round
 * them silently (half away from zero), and the trader would not get what was sent.
 */
int ts_api__body_dec(struct ts_api__body *b, const char *key, unsigned flags,
                     enum ts_api__dec_kind kind, struct ts_err *err)
{
    ts_dec v;
    int rc = field_start(b, key, flags, err);
    if (rc <= 0) {
        return rc;
    }
    if ((rc = ts_json_take_dec(&b->j, key, true, &v, NULL, err))) {
        return rc;
    }
    if (kind == TS_API__DEC_POSITIVE && v <= 0) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be greater than 0", key);
    }
    if (v < 0) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must not be negative", key);
    }
    if ((kind == TS_API__DEC_MONEY || kind == TS_API__DEC_PCT) && v % DEC_CENT != 0) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must have at most 2 decimals", key);
    }
    if (kind == TS_API__DEC_PCT && v > TS_DEC_C(100)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be between 0 and 100", key);
    }
    char *out = row_slot(&b->row);
    if (kind == TS_API__DEC_MONEY || kind == TS_API__DEC_PCT) {
        ts_dec_format_scale(v, 2, out, sizeof(b->row.text[0]));
    } else {
        ts_dec_format(v, out, sizeof(b->row.text[0]));
    }
    ts_api__row_set(&b->row, key, out);
    return 0;
}

int ts_api__body_int(struct ts_api__body *b, const char *key, unsigned flags, int64_t min,
                     int64_t max, struct ts_err *err)
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
    ts_api__row_set(&b->row, key, out);
    return 0;
}

/* A UUID, stored in canonical lowercase form. */
int ts_api__body_uuid(struct ts_api__body *b, const char *key, unsigned flags, struct ts_err *err)
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
    ts_api__row_set(&b->row, key, out);
    return 0;
}

/* A JSON object; check (may be NULL) validates its compact text. */
int ts_api__body_object(struct ts_api__body *b, const char *key, unsigned flags,
                        int (*check)(const char *, struct ts_err *), struct ts_err *err)
{
    char *text = NULL;
    int rc = field_start(b, key, flags, err);
    if (rc <= 0) {
        return rc;
    }
    if ((rc = ts_json_take_object_text(&b->j, key, true, TS_API__OBJECT_MAX, &text, NULL, err))) {
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
void ts_api__body_new_id(struct ts_api__body *b)
{
    struct ts_uuid u;
    char *out = row_slot(&b->row);
    ts_uuid_v7(&u);
    ts_uuid_format(&u, out);
    ts_api__row_set(&b->row, "id", out);
}

/* ---- shapes of codes ---- */

bool ts_api__all_of(const char *s, size_t min, size_t max, bool letters, bool digits)
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

bool ts_api__is_currency(const char *s)
{
    return ts_api__all_of(s, 3, 3, true, false);
}

/* ---- answers ---- */

void ts_api__reply_row(struct ts_http_resp *resp, int status, const PGresult *res)
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
void ts_api__reload(struct ts_api *api, unsigned what)
{
    struct ts_err err = TS_ERR_INIT;
    if (api->oms && ts_oms_reload(api->oms, what, &err)) {
        ts_error("api", "change stored, but the order manager did not reload it: %s", err.msg);
    }
}

/* Whether a row with this key exists: 0, TS_EINVAL naming the field when it does not. */
int ts_api__check_ref(struct ts_api *api, enum ts_module m, const char *sql, const char *field,
                      const char *kind, const char *key, struct ts_err *err)
{
    PGresult *res;
    char what[96];
    snprintf(what, sizeof(what), "check %s", field);
    int rc = ts_api_query(api, m, what, sql, 1, &key, &res, err);
    if (rc) {
        return rc;
    }
    bool found = ts_db_nrows(res) > 0;
    ts_db_clear(res);
    if (!found) {
        return ts_err_set(err, TS_EINVAL, "field '%s': no %s '%s'", field, kind, key);
    }
    return 0;
}

/* After an UPDATE ... RETURNING: 200 with the row, or 404 when the key matched nothing. */
void ts_api__reply_updated(struct ts_http_resp *resp, const PGresult *res, const char *kind,
                           const char *key)
{
    char what[128];
    snprintf(what, sizeof(what), "%s '%.64s'", kind, key);
    ts_api_one_row(resp, res, what);
}
