/* respond.c - shared REST helpers. See respond.h. */
#include "api/respond.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"

void ts_api_fail_details(struct ts_http_resp *resp, const struct ts_err *err, const char *details)
{
    int status;
    const char *code;
    /* One flat switch from a service's code to a status and the envelope's code. */
    switch (err->code) {
    case TS_EINVAL:
    case TS_ERANGE:
        status = 400;
        code = "invalid_argument";
        break;
    case TS_ENOTFOUND:
        status = 404;
        code = "not_found";
        break;
    case TS_ECONFLICT:
    case TS_ESTATE:
        status = 409;
        code = "conflict";
        break;
    case TS_ERISK:
        status = 422;
        code = "risk_rejected";
        break;
    case TS_EAUTH:
        status = 401;
        code = "unauthenticated";
        break;
    case TS_EDENIED:
        status = 403;
        code = "forbidden";
        break;
    case TS_ELIMIT:
        status = 429;
        code = "too_many_attempts";
        break;
    case TS_ECONN:
    case TS_EBUSY:
    case TS_ETIMEDOUT:
    case TS_ERETRY:
        status = 503;
        code = "unavailable";
        break;
    default:
        status = 500;
        code = "internal";
        ts_error("api", "%s", err->msg);
    }
    ts_http_error_details(resp, status, code, details, "%s",
                          err->msg[0] ? err->msg : ts_strerror(err->code));
}

void ts_api_fail(struct ts_http_resp *resp, const struct ts_err *err)
{
    ts_api_fail_details(resp, err, NULL);
}

int ts_api_query(struct ts_api *api, enum ts_module m, const char *what, const char *sql,
                 int nparams, const char *const *params, PGresult **out, struct ts_err *err)
{
    return ts_pool_query(api->pools[m], what, sql, nparams, params, out, err);
}

void ts_api_row_json(struct ts_buf *out, const PGresult *res, int row)
{
    ts_db_row_json(out, res, row);
}

void ts_api_rows_json(struct ts_buf *out, const PGresult *res)
{
    ts_db_rows_json(out, res);
}

void ts_api_one_row(struct ts_http_resp *resp, const PGresult *res, const char *what)
{
    if (ts_db_nrows(res) == 0) {
        ts_http_error(resp, 404, "not_found", "%s not found", what);
        return;
    }
    ts_buf_reset(&resp->body);
    ts_api_row_json(&resp->body, res, 0);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Percent-decodes s[0..len) ('+' is a space) into a malloc'd string; NULL on bad escapes. */
static char *pct_decode(const char *s, size_t len)
{
    struct ts_buf b = TS_BUF_INIT;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < len ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                ts_buf_release(&b);
                return NULL;
            }
            ts_buf_addch(&b, (char)(hi * 16 + lo));
            i += 2;
        } else {
            ts_buf_addch(&b, s[i] == '+' ? ' ' : s[i]);
        }
    }
    return ts_buf_detach(&b, NULL);
}

int ts_api_qs(const char *query, const char *const *allowed, char **vals, struct ts_err *err)
{
    int n = 0;
    while (allowed[n]) {
        vals[n++] = NULL;
    }
    const char *p = query ? query : "";
    while (*p) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        if (len == 0) {
            p++;
            continue;
        }
        int idx = -1;
        for (int i = 0; i < n; i++) {
            if (strlen(allowed[i]) == klen && !memcmp(allowed[i], p, klen)) {
                idx = i;
            }
        }
        if (idx < 0) {
            ts_api_qs_free(allowed, vals);
            return ts_err_set(err, TS_EINVAL, "unknown query parameter '%.*s'",
                              (int)(klen > 64 ? 64 : klen), p);
        }
        if (vals[idx]) {
            ts_api_qs_free(allowed, vals);
            return ts_err_set(err, TS_EINVAL, "query parameter '%s' given twice", allowed[idx]);
        }
        vals[idx] = eq ? pct_decode(eq + 1, len - klen - 1) : ts_xstrdup("");
        if (!vals[idx]) {
            ts_api_qs_free(allowed, vals);
            return ts_err_set(err, TS_EINVAL, "bad percent-encoding in query parameter '%s'",
                              allowed[idx]);
        }
        p += len;
        if (*p == '&') {
            p++;
        }
    }
    return 0;
}

void ts_api_qs_free(const char *const *allowed, char **vals)
{
    for (int i = 0; allowed[i]; i++) {
        ts_free(vals[i]);
        vals[i] = NULL;
    }
}
