/*
 * query.h - the query strings of the REST API's GET endpoints, read strictly
 * before the database is asked, and the answers of those reads (docs/api.md, the
 * shared rules of lists and reads): routes_query.c (orders, trades, positions,
 * audit, ticks, bars, rollups) and routes_ref.c (accounts, instruments,
 * strategies, risk limits).
 *
 * A struct ts_query holds one request's values as the parameters of one
 * statement: the value of keys[i] is bound to $i+1, a path parameter (when the
 * endpoint binds one) after the keys. Each reader checks one key and binds it in
 * canonical form; a key no reader checks is bound as decoded. Every refusal is
 * TS_EINVAL (400) naming the parameter: "query parameter 'x' must be ...".
 *
 * Does not: know the endpoints' SQL or columns, page beyond `limit`, read
 * bodies (api/json.h). Any thread; a struct ts_query belongs to the one request
 * (the HTTP worker thread) that opened it.
 */
#ifndef TS_API_QUERY_H
#define TS_API_QUERY_H

#include <stdint.h>

#include "api/api.h"
#include "api/http.h"
#include "core/err.h"
#include "core/uuid.h"
#include "db/db.h"

#define TS_QUERY_LIMIT_DEFAULT 100 /* rows of a list without ?limit= */
#define TS_QUERY_LIMIT_MAX 1000    /* the largest ?limit= */
#define TS_QUERY_MAX_KEYS 10       /* query keys of one endpoint, plus one path parameter */
#define TS_QUERY_SLOT_LEN 40       /* a canonical UUID (37), a time (28) or a limit */

/*
 * The values of one request: raw[i] is the decoded value of keys[i] (NULL when
 * absent); param[i] is what is bound to $i+1: raw[i] itself, or its canonical form
 * in slot[i] (UUIDs lowercase, times with microseconds, the limit with its default).
 */
struct ts_query {
    const char *const *keys;      /* NULL-terminated, borrowed (static) */
    int nkeys;                    /* < TS_QUERY_MAX_KEYS */
    char *raw[TS_QUERY_MAX_KEYS]; /* owned (ts_api_qs), freed by ts_query_close() */
    /* borrowed from raw[] or slot[] (the last: the user's accounts); NULL: SQL NULL */
    const char *param[TS_QUERY_MAX_KEYS + 1];
    char slot[TS_QUERY_MAX_KEYS][TS_QUERY_SLOT_LEN];
    int64_t ns[TS_QUERY_MAX_KEYS]; /* parsed times, ns since the epoch */
    int nparams; /* nkeys, plus 1 with a path parameter, plus 1 with the user's accounts */
};

/*
 * Reads req's query string: a key not among keys (NULL-terminated, static) or
 * given twice is refused. ts_query_close() is due after this call, even when it
 * failed.
 */
int ts_query_open(struct ts_query *q, const struct ts_http_req *req, const char *const *keys,
                  struct ts_err *err) TS_MUST_CHECK;
void ts_query_close(struct ts_query *q);

/* Index of key in q->keys; a key the endpoint does not declare is a bug (assert). */
int ts_query_idx(const struct ts_query *q, const char *key);

/* Free text compared exactly (symbol, changed_by): any valid UTF-8, even empty. */
int ts_query_text(struct ts_query *q, const char *key, struct ts_err *err) TS_MUST_CHECK;
/* One of names[0..n), exactly (enums are case-sensitive, as the schema spells them). */
int ts_query_enum(struct ts_query *q, const char *key, const char *const *names, int n,
                  struct ts_err *err) TS_MUST_CHECK;
/* A UUID in its canonical 8-4-4-4-12 form, either case; bound lowercase. */
int ts_query_uuid(struct ts_query *q, const char *key, struct ts_err *err) TS_MUST_CHECK;
/*
 * The keys "from" and "to", each optional: RFC 3339 times (or bare dates, midnight
 * UTC) bound as UTC text with microseconds, rounded up to the microsecond so that
 * [from, to) stays exact on microsecond columns; from must not be after to.
 */
int ts_query_range(struct ts_query *q, struct ts_err *err) TS_MUST_CHECK;
/* The key "limit": plain digits, 1..TS_QUERY_LIMIT_MAX, default TS_QUERY_LIMIT_DEFAULT. */
int ts_query_limit(struct ts_query *q, struct ts_err *err) TS_MUST_CHECK;

/*
 * The route's {} segment as a UUID, canonical (lowercase) in out: "<what> id 'x'
 * is not a UUID" otherwise. Needs no struct ts_query (PATCH, DELETE, the reads of
 * one row by id).
 */
int ts_query_path_uuid(const struct ts_http_req *req, const char *what, char out[TS_UUID_STRLEN],
                       struct ts_err *err) TS_MUST_CHECK;
/* The same, bound after the query keys ($nkeys+1). */
int ts_query_bind_path_uuid(struct ts_query *q, const struct ts_http_req *req, const char *what,
                            struct ts_err *err) TS_MUST_CHECK;

/*
 * The accounts the user of req may see, bound after the keys and the path parameter when
 * the user is not granted every account: the parameter's number ($n), or 0 when they see
 * all (nothing bound).
 */
int ts_query_bind_accounts(struct ts_query *q, const struct ts_http_req *req);
/* The user's accounts as a uuid[] literal, or NULL when they see every account. */
const char *ts_query_accounts(const struct ts_http_req *req);

/*
 * Runs the list statement sql of module m with q's parameters and answers its rows
 * as a JSON array (200); *nrows (when given) gets their number. what names the
 * step in errors ("list orders").
 */
int ts_query_list(struct ts_api *api, enum ts_module m, struct ts_http_resp *resp, const char *what,
                  const char *sql, const struct ts_query *q, int *nrows,
                  struct ts_err *err) TS_MUST_CHECK;
/*
 * Runs sql of module m with key as $1 and answers its one row (200), or 404
 * "<kind> '<key>' not found" (key cut at 64 bytes) when there is none.
 */
int ts_query_one(struct ts_api *api, enum ts_module m, struct ts_http_resp *resp, const char *what,
                 const char *sql, const char *key, const char *kind,
                 struct ts_err *err) TS_MUST_CHECK;
/* The same with the user's accounts (ts_query_accounts(): NULL for all) bound as $2: sql
 * hides what they may not see ("AND ($2::uuid[] IS NULL OR account_id = ANY ($2))"), which
 * then answers 404 like a row that does not exist. */
int ts_query_one_of(struct ts_api *api, enum ts_module m, struct ts_http_resp *resp,
                    const char *what, const char *sql, const char *key, const char *accounts,
                    const char *kind, struct ts_err *err) TS_MUST_CHECK;

#endif
