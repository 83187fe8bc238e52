/*
 * routes_web.c - the dashboard's files (docs/api.md "Dashboard"): GET / answers
 * index.html and GET /assets/NAME a built asset, from the web directory
 * api->web_dir (the app finds it: TS_WEB_DIR, the installed share/tradingsystem/web,
 * or the source tree's web/dist; src/app/dirs.c).
 *
 * Caching: asset names carry a content hash (web/build.mjs), so they are
 * immutable for a year; index.html is revalidated every time (no-cache), so a
 * new build is picked up at the next load. NAME is one path segment of letters,
 * digits, '.', '-' and '_', not starting with '.': nothing outside assets/ can
 * be named. Handlers run on the HTTP workers (they read files).
 */
#include "api/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/buf.h"

#define WEB_FILE_MAX (16 * 1024 * 1024)

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".map", "application/json"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".woff2", "font/woff2"},
    {".ico", "image/x-icon"},
};

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++) {
        if (!strcmp(dot, types[i].ext)) {
            return types[i].type;
        }
    }
    return NULL;
}

/* dir/sub/name into resp, or 404 naming what is missing. */
static void send_file(struct ts_api *api, const char *sub, const char *name, const char *cache,
                      struct ts_http_resp *resp)
{
    char path[4096];
    const char *why = NULL; /* why there is no file to send */
    FILE *f = NULL;
    if (!api->web_dir) {
        why = "no web folder";
    } else {
        int n = snprintf(path, sizeof(path), "%s/%s%s", api->web_dir, sub, name);
        why = n < 0 || (size_t)n >= sizeof(path) ? "path too long" : NULL;
    }
    if (!why && !(f = fopen(path, "rb"))) {
        why = strerror(errno);
    }
    if (!f) {
        if (!*sub) {
            ts_http_error(resp, 404, "not_found",
                          "the dashboard is not built (%s): run make, or set TS_WEB_DIR", why);
        } else {
            ts_http_error(resp, 404, "not_found", "no asset '%s'", name);
        }
        return;
    }
    char chunk[65536];
    size_t n;
    ts_buf_reset(&resp->body);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && resp->body.len <= WEB_FILE_MAX) {
        ts_buf_add(&resp->body, chunk, n);
    }
    bool failed = ferror(f) || resp->body.len > WEB_FILE_MAX;
    fclose(f);
    if (failed) {
        ts_http_error(resp, 500, "internal", "cannot read %s", name);
        return;
    }
    resp->content_type = type_of(name);
    resp->cache = cache;
}

static void get_index(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    (void)req;
    send_file(app, "", "index.html", "no-cache", resp);
}

static void get_asset(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    const char *name = req->params[0];
    size_t n = strlen(name);
    if (n == 0 || n > 200 || name[0] == '.' ||
        strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_") != n ||
        !type_of(name)) {
        ts_http_error(resp, 404, "not_found", "no asset '%.200s'", name);
        return;
    }
    send_file(app, "assets/", name, "public, max-age=31536000, immutable", resp);
}

const struct ts_http_route ts_api__web_routes[] = {
    {TS_HTTP_GET, "/", get_index, true, TS_HTTP_PUBLIC},
    {TS_HTTP_GET, "/index.html", get_index, true, TS_HTTP_PUBLIC},
    {TS_HTTP_GET, "/assets/{}", get_asset, true, TS_HTTP_PUBLIC},
    {0, NULL, NULL, false, 0},
};
