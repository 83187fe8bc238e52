/*
 * api.c - route table and the health endpoint.
 *
 * GET /api/v1/health asks every module database a question (SELECT of its newest
 * migration and of rows stranded in default partitions) with a short timeout and
 * answers 200 {"status":"ok"} when all answer, 503 {"status":"degraded"} otherwise,
 * naming the module and the cause.
 */
#include "api/api.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/tstime.h"
#include "api/internal.h"

int ts_api_init(struct ts_api *api, const struct ts_db_config *cfg, const char *version,
                struct ts_err *err)
{
    memset(api, 0, sizeof(*api));
    api->cfg = cfg;
    api->version = version;
    api->started_ns = ts_now_ns();
    for (int i = 0; i < TS_MOD_COUNT; i++) {
        int rc = ts_pool_new(cfg->conninfo[i], 4, &api->pools[i], err);
        if (rc) {
            ts_api_release(api);
            return rc;
        }
    }
    return 0;
}

void ts_api_release(struct ts_api *api)
{
    for (int i = 0; i < TS_MOD_COUNT; i++) {
        ts_pool_free(api->pools[i]);
        api->pools[i] = NULL;
    }
}

/*
 * One module's answer, appended to out as a JSON object; true when the database
 * answered and is migrated. "up" says it answered at all.
 */
static bool check_module(struct ts_api *api, enum ts_module m, struct ts_buf *out)
{
    struct ts_err err = TS_ERR_INIT;
    PGconn *c = NULL;
    PGresult *res = NULL;
    bool up = false;
    int64_t t0 = ts_mono_ns();
    int rc = ts_pool_get(api->pools[m], 2000, &c, &err);
    if (!rc) {
        rc = ts_db_exec(c, "ask database", "SELECT 1", 0, NULL, NULL, &err);
        up = rc == 0;
        if (!rc) {
            rc = ts_db_exec(c, "read schema state",
                            "SELECT (SELECT max(version) FROM public.schema_migrations),"
                            " (SELECT coalesce(sum(rows), 0)"
                            "  FROM public.ts_default_partition_rows())",
                            0, NULL, &res, &err);
            if (rc) {
                ts_err_wrap(&err, "not migrated (run `tradingsystem db migrate`)");
            }
        }
        ts_pool_put(api->pools[m], c, rc == TS_ECONN);
    }
    int64_t us = (ts_mono_ns() - t0) / 1000;
    ts_buf_addf(out, "\"%s\":{\"up\":%s,\"latency_us\":%lld", ts_db_module_name(m),
                up ? "true" : "false", (long long)us);
    if (rc) {
        ts_buf_adds(out, ",\"error\":");
        ts_buf_add_json_str(out, err.msg);
    } else {
        const char *v = ts_db_val(res, 0, 0);
        ts_buf_addf(out, ",\"migration\":%s,\"default_partition_rows\":%s", *v ? v : "null",
                    ts_db_val(res, 0, 1));
    }
    ts_buf_addch(out, '}');
    ts_db_clear(res);
    return rc == 0;
}

static void get_health(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_buf dbs = TS_BUF_INIT;
    char now[40], since[40];
    bool all = true;
    (void)req;

    for (int i = 0; i < TS_MOD_COUNT; i++) {
        if (i) {
            ts_buf_addch(&dbs, ',');
        }
        all &= check_module(api, (enum ts_module)i, &dbs);
    }
    ts_time_format_rfc3339(ts_now_ns(), now, sizeof(now));
    ts_time_format_rfc3339(api->started_ns, since, sizeof(since));
    resp->status = all ? 200 : 503;
    ts_buf_addf(&resp->body,
                "{\"status\":\"%s\",\"version\":\"%s\",\"time\":\"%s\",\"started_at\":\"%s\","
                "\"databases\":{%s}}",
                all ? "ok" : "degraded", api->version, now, since, dbs.buf);
    ts_buf_release(&dbs);
}

static const struct ts_http_route health_routes[] = {
    {TS_HTTP_GET, "/api/v1/health", get_health, true, TS_HTTP_PUBLIC},
    {0, NULL, NULL, false, 0},
};

static struct ts_http_route all_routes[256];

static void merge_routes(void)
{
    const struct ts_http_route *tables[] = {
        health_routes,           ts_api__account_routes, ts_api__instrument_routes,
        ts_api__strategy_routes, ts_api__limit_routes,   ts_api__query_routes,
        ts_api__oms_routes,      ts_api__web_routes,     ts_api__auth_routes};
    size_t n = 0;
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (const struct ts_http_route *r = tables[t]; r->fn; r++) {
            assert(n + 1 < sizeof(all_routes) / sizeof(all_routes[0]));
            all_routes[n++] = *r;
        }
    }
}

const struct ts_http_route *ts_api_routes(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, merge_routes);
    return all_routes;
}
