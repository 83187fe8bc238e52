/*
 * guard.h - what the HTTP server refuses before any route runs: the browser attacks on a
 * server that listens on the trader's own machine (docs/security.md).
 *
 *   - DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 sends
 *     `Host: evil.example:8080`. Only our own names pass: IP literals (a rebinding needs a
 *     name), `localhost` and `*.localhost` (browsers pin them to loopback), and the names of
 *     TS_ALLOWED_HOSTS. Refused with 421.
 *   - Cross-site requests: a page elsewhere may POST a "simple" request (text/plain, a
 *     form) without asking. A state-changing request (POST, PUT, PATCH, DELETE) whose
 *     Origin is not ours, or whose Sec-Fetch-Site says cross-site or same-site (another
 *     port of localhost is the same site), is refused with 403 unless TS_CORS_ORIGINS lists
 *     that origin. A WebSocket upgrade (which CORS does not protect) likewise.
 *   - A state-changing request that carries a Content-Type must say application/json, and
 *     one without a Content-Type must have no body: 415 otherwise. A browser cannot send
 *     application/json cross-site without a preflight, which we answer only for listed
 *     origins.
 * A request with no Origin and no Sec-Fetch-Site is not a browser's (curl, scripts): only
 * its Host is checked. Pure string logic: no I/O, any thread.
 */
#ifndef TS_API_GUARD_H
#define TS_API_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "api/http.h"
#include "core/err.h"

#define TS_HTTP_POLICY_MAX 16  /* names, and origins, a policy lists */
#define TS_HTTP_POLICY_LEN 256 /* bytes of one name or origin, with its NUL */

/* The server's own names beyond the built-in ones, and the origins allowed cross-site. */
struct ts_http_policy {
    char hosts[TS_HTTP_POLICY_MAX][TS_HTTP_POLICY_LEN]; /* lowercase host names */
    int nhosts;
    char origins[TS_HTTP_POLICY_MAX][TS_HTTP_POLICY_LEN]; /* "scheme://host[:port]", lowercase */
    int norigins;
};

/*
 * Reads the settings: hosts "name,name" (TS_ALLOWED_HOSTS) and origins
 * "http://host:port,https://host" (TS_CORS_ORIGINS); either may be NULL or empty.
 * TS_EINVAL naming the setting and the bad entry.
 */
int ts_http_policy_parse(const char *hosts, const char *origins, struct ts_http_policy *out,
                         struct ts_err *err) TS_MUST_CHECK;

/* What a request says about where it comes from; NULL for a header it does not carry. */
struct ts_http_guard_in {
    enum ts_http_method method;
    const char *host;
    const char *origin;
    const char *fetch_site; /* Sec-Fetch-Site */
    const char *content_type;
    bool has_body; /* a Content-Length above 0, or a Transfer-Encoding */
    bool upgrade;  /* a WebSocket upgrade */
};

enum ts_http_site {
    TS_HTTP_SAME_SITE, /* our own page, or not a browser */
    TS_HTTP_LISTED,    /* another origin, listed in TS_CORS_ORIGINS: CORS headers answer it */
    TS_HTTP_CROSS,     /* another site, not listed */
};

struct ts_http_verdict {
    int status;        /* 0: pass; else 421, 403 or 415 */
    const char *code;  /* the error envelope's code */
    char message[400]; /* says what was refused and which setting would allow it */
    enum ts_http_site site;
};

/* Whether the Host header names this server (see above). */
bool ts_http_host_ok(const struct ts_http_policy *p, const char *host);
/* Where the request comes from, by its Origin, else its Sec-Fetch-Site. */
enum ts_http_site ts_http_site_of(const struct ts_http_policy *p, const char *host,
                                  const char *origin, const char *fetch_site);
/* The verdict on one request. */
void ts_http_guard(const struct ts_http_policy *p, const struct ts_http_guard_in *in,
                   struct ts_http_verdict *out);

#endif
