/*
 * query.c - the query strings of the GET endpoints as statement parameters, and
 * the answers of lists and single reads. See query.h; the rules the clients see
 * are in docs/api.md.
 *
 * Every value is checked before the database is asked and bound as a parameter;
 * SQL text stays the callers' constants. Does not: decode the query string itself
 * (ts_api_qs, respond.c), build SQL.
 */
#include "api/query.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api/respond.h"
#include "core/buf.h"
#include "core/tstime.h"
#include "core/utf8.h"

static_assert(TS_UUID_STRLEN <= TS_QUERY_SLOT_LEN, "a path UUID is bound from a slot");

int ts_query_open(struct ts_query *q, const struct ts_http_req *req, const char *const *keys,
                  struct ts_err *err)
{
    memset(q, 0, sizeof(*q));
    q->keys = keys;
    while (keys[q->nkeys]) {
        q->nkeys++;
    }
    assert(q->nkeys < TS_QUERY_MAX_KEYS); /* one slot stays for the path parameter */
    int rc = ts_api_qs(req->query, keys, q->raw, err);
    if (rc) {
        return rc;
    }
    for (int i = 0; i < q->nkeys; i++) {
        q->param[i] = q->raw[i];
    }
    q->nparams = q->nkeys;
    return 0;
}

void ts_query_close(struct ts_query *q)
{
    if (q->keys) {
        ts_api_qs_free(q->keys, q->raw);
    }
}

int ts_query_idx(const struct ts_query *q, const char *key)
{
    int i = 0;
    while (i < q->nkeys && strcmp(q->keys[i], key)) {
        i++;
    }
    assert(i < q->nkeys);
    return i;
}

int ts_query_text(struct ts_query *q, const char *key, struct ts_err *err)
{
    int i = ts_query_idx(q, key);
    if (!q->raw[i]) {
        return 0;
    }
    if (!ts_utf8_valid(q->raw[i], strlen(q->raw[i]))) {
        return ts_err_set(err, TS_EINVAL, "query parameter '%s' is not valid UTF-8", key);
    }
    return 0;
}

int ts_query_enum(struct ts_query *q, const char *key, const char *const *names, int n,
                  struct ts_err *err)
{
    int i = ts_query_idx(q, key);
    if (!q->raw[i]) {
        return 0;
    }
    for (int k = 0; k < n; k++) {
        if (!strcmp(q->raw[i], names[k])) {
            return 0;
        }
    }
    struct ts_buf allowed = TS_BUF_INIT;
    for (int k = 0; k < n; k++) {
        ts_buf_addf(&allowed, "%s%s", k ? ", " : "", names[k]);
    }
    ts_err_set(err, TS_EINVAL, "query parameter '%s' must be one of %s (not '%.64s')", key,
               allowed.buf, q->raw[i]);
    ts_buf_release(&allowed);
    return TS_EINVAL;
}

int ts_query_uuid(struct ts_query *q, const char *key, struct ts_err *err)
{
    struct ts_uuid u;
    int i = ts_query_idx(q, key);
    if (!q->raw[i]) {
        return 0;
    }
    if (ts_uuid_parse(q->raw[i], strlen(q->raw[i]), &u)) {
        return ts_err_set(err, TS_EINVAL, "query parameter '%s' must be a UUID (not '%.64s')", key,
                          q->raw[i]);
    }
    ts_uuid_format(&u, q->slot[i]);
    q->param[i] = q->slot[i];
    return 0;
}

/*
 * An RFC 3339 time (or a bare date, midnight UTC), bound as UTC text with
 * microseconds. Columns hold microseconds, so a finer instant is rounded up:
 * for a column c and an instant t, c >= t and c < t both equal the comparison
 * with t rounded up to the microsecond, and [from, to) stays exact.
 */
static int query_time(struct ts_query *q, const char *key, struct ts_err *err)
{
    int64_t ns;
    char fixed[64];
    int i = ts_query_idx(q, key);
    if (!q->raw[i]) {
        return 0;
    }
    /*
     * A '+' left unencoded in a query string arrives as a space (form encoding):
     * "…T14:00:00 03:00". After the time of day a space can only have been the '+'
     * of an offset, so it is read as one; anywhere else it stays a space.
     */
    const char *s = q->raw[i];
    size_t len = strlen(s);
    if (len > 19 && len < sizeof(fixed) && s[len - 6] == ' ' && s[len - 3] == ':') {
        memcpy(fixed, s, len + 1);
        fixed[len - 6] = '+';
        s = fixed;
    }
    int rc = ts_time_parse_rfc3339_err(s, len, &ns, err);
    if (rc) {
        ts_err_wrap(err, "query parameter '%s' is not an RFC 3339 time", key);
        return rc; /* not the wrap's: err may be NULL */
    }
    int64_t rem = ns % TS_NS_PER_US;
    if (rem > 0 && ns <= INT64_MAX - TS_NS_PER_US) {
        ns += TS_NS_PER_US - rem;
    } else if (rem < 0) {
        ns -= rem;
    }
    if (ts_time_format_rfc3339(ns, q->slot[i], sizeof(q->slot[i])) == 0) {
        return ts_err_set(err, TS_EINVAL, "query parameter '%s' is out of range", key);
    }
    q->ns[i] = ns;
    q->param[i] = q->slot[i];
    return 0;
}

int ts_query_range(struct ts_query *q, struct ts_err *err)
{
    int rc = query_time(q, "from", err);
    if (rc || (rc = query_time(q, "to", err))) {
        return rc;
    }
    int f = ts_query_idx(q, "from"), t = ts_query_idx(q, "to");
    if (q->param[f] && q->param[t] && q->ns[f] > q->ns[t]) {
        return ts_err_set(err, TS_EINVAL, "query parameter 'from' is after 'to'");
    }
    return 0;
}

int ts_query_limit(struct ts_query *q, struct ts_err *err)
{
    int i = ts_query_idx(q, "limit");
    const char *s = q->raw[i];
    int v = 0;
    if (s) {
        size_t n = strlen(s);
        bool ok = n >= 1 && n <= 4;
        for (size_t k = 0; ok && k < n; k++) {
            ok = s[k] >= '0' && s[k] <= '9';
            v = v * 10 + (s[k] - '0');
        }
        if (!ok || v < 1 || v > TS_QUERY_LIMIT_MAX) {
            return ts_err_set(err, TS_EINVAL,
                              "query parameter 'limit' must be an integer from 1 to %d (not "
                              "'%.64s')",
                              TS_QUERY_LIMIT_MAX, s);
        }
    } else {
        v = TS_QUERY_LIMIT_DEFAULT;
    }
    snprintf(q->slot[i], sizeof(q->slot[i]), "%d", v);
    q->param[i] = q->slot[i];
    return 0;
}

int ts_query_path_uuid(const struct ts_http_req *req, const char *what, char out[TS_UUID_STRLEN],
                       struct ts_err *err)
{
    struct ts_uuid u;
    const char *s = req->nparams > 0 ? req->params[0] : "";
    if (ts_uuid_parse(s, strlen(s), &u)) {
        return ts_err_set(err, TS_EINVAL, "%s id '%.64s' is not a UUID", what, s);
    }
    ts_uuid_format(&u, out);
    return 0;
}

int ts_query_bind_path_uuid(struct ts_query *q, const struct ts_http_req *req, const char *what,
                            struct ts_err *err)
{
    int i = q->nkeys;
    int rc = ts_query_path_uuid(req, what, q->slot[i], err);
    if (rc) {
        return rc;
    }
    q->param[i] = q->slot[i];
    q->nparams = q->nkeys + 1;
    return 0;
}

int ts_query_list(struct ts_api *api, enum ts_module m, struct ts_http_resp *resp, const char *what,
                  const char *sql, const struct ts_query *q, int *nrows, struct ts_err *err)
{
    PGresult *res;
    int rc = ts_api_query(api, m, what, sql, q->nparams, q->param, &res, err);
    if (rc) {
        return rc;
    }
    if (nrows) {
        *nrows = ts_db_nrows(res);
    }
    ts_buf_reset(&resp->body);
    ts_api_rows_json(&resp->body, res);
    ts_db_clear(res);
    return 0;
}

const char *ts_query_accounts(const struct ts_http_req *req)
{
    return req->user.all_accounts || !req->user.id[0] ? NULL : req->user.accounts;
}

int ts_query_bind_accounts(struct ts_query *q, const struct ts_http_req *req)
{
    const char *acc = ts_query_accounts(req);
    if (!acc) {
        return 0;
    }
    q->param[q->nparams++] = acc;
    return q->nparams;
}

int ts_query_one(struct ts_api *api, enum ts_module m, struct ts_http_resp *resp, const char *what,
                 const char *sql, const char *key, const char *kind, struct ts_err *err)
{
    return ts_query_one_of(api, m, resp, what, sql, key, NULL, kind, err);
}

int ts_query_one_of(struct ts_api *api, enum ts_module m, struct ts_http_resp *resp,
                    const char *what, const char *sql, const char *key, const char *accounts,
                    const char *kind, struct ts_err *err)
{
    PGresult *res;
    const char *p[2] = {key, accounts};
    int rc = ts_api_query(api, m, what, sql, strstr(sql, "$2") ? 2 : 1, p, &res, err);
    if (rc) {
        return rc;
    }
    struct ts_buf notfound = TS_BUF_INIT;
    ts_buf_addf(&notfound, "%s '%.64s'", kind, key);
    ts_api_one_row(resp, res, notfound.buf);
    ts_buf_release(&notfound);
    ts_db_clear(res);
    return 0;
}
