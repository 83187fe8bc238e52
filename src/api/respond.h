/*
 * respond.h - helpers shared by the REST handlers: database access through the
 * module pools, PostgreSQL rows as JSON (API.md conventions), query strings, and
 * errors mapped to HTTP statuses in the error envelope.
 *
 * JSON conventions: numeric columns become strings (exact decimals), integers
 * numbers, timestamps RFC 3339 UTC strings ("2026-11-24T13:05:00.123456Z"), jsonb
 * inline, NULL null.
 */
#ifndef TS_API_RESPOND_H
#define TS_API_RESPOND_H

#include "api/api.h"
#include "api/http.h"
#include "core/buf.h"
#include "db/db.h"

/* Maps err->code to a status and the error envelope (the one mapping of the API):
 * EINVAL/ERANGE 400, ENOTFOUND 404, ECONFLICT/ESTATE 409, ERISK 422,
 * ECONN/EBUSY/ETIMEDOUT/ERETRY 503, else 500 (the message is kept; 500s are logged). */
void ts_api_fail(struct ts_http_resp *resp, const struct ts_err *err);
/* The same with a "details" JSON object (borrowed; NULL: none), e.g. a risk verdict. */
void ts_api_fail_details(struct ts_http_resp *resp, const struct ts_err *err, const char *details);

/* One statement on a pooled connection of module m; *out as ts_db_exec(). */
int ts_api_query(struct ts_api *api, enum ts_module m, const char *what, const char *sql,
                 int nparams, const char *const *params, PGresult **out,
                 struct ts_err *err) TS_MUST_CHECK;

/* Row `row` of res as a JSON object, appended to out. */
void ts_api_row_json(struct ts_buf *out, const PGresult *res, int row);
/* Every row as a JSON array. */
void ts_api_rows_json(struct ts_buf *out, const PGresult *res);
/* 200 with the one row, or 404 "<what> not found" when res has no row. */
void ts_api_one_row(struct ts_http_resp *resp, const PGresult *res, const char *what);

/*
 * Query string parsing: keys must be among allowed (NULL-terminated) or the call
 * fails with "unknown query parameter 'x'"; values are percent-decoded into
 * vals[i] (malloc'd, NULL when absent). Repeated keys are refused.
 */
int ts_api_qs(const char *query, const char *const *allowed, char **vals,
              struct ts_err *err) TS_MUST_CHECK;
void ts_api_qs_free(const char *const *allowed, char **vals);

/* Runs x into the caller's `int rc`; on failure jumps to the caller's `out:` label. */
#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((rc = (x))) {                                                                          \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

#endif
