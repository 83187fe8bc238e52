/*
 * routes_list.c - the one handler of the REST API's GET lists (api/internal.h, struct
 * ts_api__list): read the query string, build the statement, run it, answer the rows.
 *
 * Every value is read strictly (api/query.h) before the database is asked, in the order
 * of the list's filters, the route's {} first; the first refusal is the answer. The
 * statement is built per request from the list's constant parts and the filters'
 * constant columns only; every value is a bound parameter. The rules the clients see are
 * in docs/api.md ("the shared rules of lists and reads").
 *
 * Does not: know any endpoint (routes_query.c and the reference-data route files describe
 * theirs), page beyond `limit`. HTTP worker threads (blocking routes).
 */
#include "api/internal.h"

#include <assert.h>
#include <string.h>

#include "api/respond.h"
#include "core/buf.h"

/* A condition of the list (account, parent_account) with its "$A" as $n. */
static void add_cond(struct ts_buf *sql, const char *cond, int n)
{
    for (const char *c = cond; *c; c++) {
        if (c[0] == '$' && c[1] == 'A') {
            ts_buf_addf(sql, "$%d", n);
            c++;
        } else {
            ts_buf_addch(sql, *c);
        }
    }
}

/* Reads and binds the value of every filter of l into q, in order. */
static int read_filters(const struct ts_api__list *l, struct ts_query *q, struct ts_err *err)
{
    int rc = 0;

    for (const struct ts_api__filter *f = l->filters; f->key && !rc; f++) {
        switch (f->kind) {
        case TS_API__TEXT:
            rc = ts_query_text(q, f->key, err);
            if (!rc && f->required && !q->param[ts_query_idx(q, f->key)]) {
                rc = ts_err_set(err, TS_EINVAL, "query parameter '%s' is required", f->key);
            }
            break;
        case TS_API__ENUM:
            rc = ts_query_enum(q, f->key, f->names, f->nnames, err);
            break;
        case TS_API__UUID:
            rc = ts_query_uuid(q, f->key, err);
            break;
        case TS_API__FROM:
        case TS_API__FROM_DAY:
            assert(!strcmp(f->key, "from") && f[1].key && !strcmp(f[1].key, "to"));
            rc = ts_query_range(q, err);
            break;
        case TS_API__TO:
        case TS_API__TO_DAY:
            break; /* read with "from" */
        case TS_API__LIMIT:
            assert(!strcmp(f->key, "limit") && !f[1].key);
            rc = ts_query_limit(q, err);
            break;
        }
    }
    return rc;
}

/* The condition of filter f, bound to $n, appended to sql. */
static void add_condition(struct ts_buf *sql, const struct ts_api__filter *f, int n)
{
    const char *c = f->column;

    switch (f->kind) {
    case TS_API__TEXT:
    case TS_API__ENUM:
        if (f->required) {
            ts_buf_addf(sql, "%s = $%d", c, n);
        } else {
            ts_buf_addf(sql, "($%d::text IS NULL OR %s = $%d)", n, c, n);
        }
        break;
    case TS_API__UUID:
        ts_buf_addf(sql, "($%d::uuid IS NULL OR %s = $%d)", n, c, n);
        break;
    case TS_API__FROM:
        ts_buf_addf(sql, "($%d::timestamptz IS NULL OR %s >= $%d)", n, c, n);
        break;
    case TS_API__TO:
        ts_buf_addf(sql, "($%d::timestamptz IS NULL OR %s < $%d)", n, c, n);
        break;
    case TS_API__FROM_DAY: /* the day that holds from, and later days */
        ts_buf_addf(sql,
                    "($%d::timestamptz IS NULL OR %s >="
                    " ($%d::timestamptz AT TIME ZONE 'UTC')::date)",
                    n, c, n);
        break;
    case TS_API__TO_DAY: /* the day that holds the last microsecond before to, and earlier days */
        ts_buf_addf(sql,
                    "($%d::timestamptz IS NULL OR %s <="
                    " (($%d::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC')::date)",
                    n, c, n);
        break;
    case TS_API__LIMIT:
        assert(!"a limit is no condition");
        break;
    }
}

/*
 * The statement of l (api/internal.h shows its shape) into sql. nkeys: the number of
 * filters, so the route's {} is $nkeys+1.
 */
static void build_sql(const struct ts_api__list *l, int nkeys, int acc, struct ts_buf *sql)
{
    const char *sep = " WHERE ";
    int limit = 0;

    ts_buf_adds(sql, l->select);
    if (l->path_column) {
        ts_buf_addf(sql, "%s%s = $%d", sep, l->path_column, nkeys + 1);
        sep = " AND ";
    }
    if (l->where) {
        ts_buf_addf(sql, "%s%s", sep, l->where);
        sep = " AND ";
    }
    if (acc) {
        ts_buf_adds(sql, sep);
        add_cond(sql, l->account, acc);
        sep = " AND ";
    }
    for (int i = 0; i < nkeys; i++) {
        const struct ts_api__filter *f = &l->filters[i];
        if (f->kind == TS_API__LIMIT) {
            limit = i + 1;
        } else if (f->column) {
            ts_buf_adds(sql, sep);
            add_condition(sql, f, i + 1);
            sep = " AND ";
        }
    }
    if (l->group) {
        ts_buf_addf(sql, " %s", l->group);
    }
    ts_buf_addf(sql, " ORDER BY %s", l->order);
    if (limit) {
        ts_buf_addf(sql, " LIMIT $%d::int", limit);
    }
}

/*
 * After an empty list under /<things>/{id}/...: 404 when the parent row does not exist
 * (an empty list means "none yet" only for a parent that exists).
 */
static int check_parent(struct ts_api *api, const struct ts_api__list *l, const char *key,
                        const char *accounts, struct ts_err *err)
{
    struct ts_buf sql = TS_BUF_INIT;
    PGresult *res;
    const char *p[2] = {key, accounts};

    ts_buf_addf(&sql, "SELECT 1 FROM %s WHERE id = $1", l->parent);
    if (accounts) {
        ts_buf_adds(&sql, " AND ");
        add_cond(&sql, l->parent_account, 2);
    }
    int rc = ts_api_query(api, l->module, "check parent", sql.buf, accounts ? 2 : 1, p, &res, err);
    ts_buf_release(&sql);
    if (rc) {
        return rc;
    }
    bool found = ts_db_nrows(res) > 0;
    ts_db_clear(res);
    if (!found) {
        return ts_err_set(err, TS_ENOTFOUND, "%s '%s' not found", l->path, key);
    }
    return 0;
}

void ts_api__list(struct ts_api *api, const struct ts_http_req *req, struct ts_http_resp *resp,
                  const struct ts_api__list *l)
{
    const char *keys[TS_QUERY_MAX_KEYS] = {NULL}; /* outlives q: closed below */
    struct ts_err err = TS_ERR_INIT;
    struct ts_buf sql = TS_BUF_INIT;
    struct ts_query q;
    int nkeys = 0, n = 0, rc;

    while (l->filters[nkeys].key) {
        assert(nkeys < TS_QUERY_MAX_KEYS - 1);
        keys[nkeys] = l->filters[nkeys].key;
        nkeys++;
    }
    TRY(ts_query_open(&q, req, keys, &err));
    if (l->path) {
        TRY(ts_query_bind_path_uuid(&q, req, l->path, &err));
    }
    TRY(read_filters(l, &q, &err));
    int acc = l->account ? ts_query_bind_accounts(&q, req) : 0;
    if (l->refresh) {
        TRY(ts_api_query(api, l->module, l->refresh_what, l->refresh, 0, NULL, NULL, &err));
    }
    build_sql(l, nkeys, acc, &sql);
    TRY(ts_query_list(api, l->module, resp, l->what, sql.buf, &q, &n, &err));
    if (n == 0 && l->parent) {
        TRY(check_parent(api, l, q.param[q.nkeys],
                         acc && l->parent_account ? q.param[acc - 1] : NULL, &err));
    }
out:
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_buf_release(&sql);
    ts_query_close(&q);
}
