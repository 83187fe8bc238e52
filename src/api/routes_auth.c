/*
 * routes_auth.c - who is asking (docs/api.md "Logging in", docs/security.md): the
 * authenticate hook every route that is not public goes through, and the routes of a
 * login: a password login and a one-time login link that set the session cookie, the
 * logout, and "who am I".
 *
 * A script proves itself with "Authorization: Bearer <API token>", the dashboard with the
 * ts_session cookie (HttpOnly, SameSite=Strict: a page of another site cannot read it nor
 * make the browser send it). Secrets are never logged nor answered except the one a login
 * sets as the cookie. Handlers run on the HTTP worker threads.
 */
#include "api/internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/respond.h"
#include "core/log.h"
#include "core/tstime.h"

#define COOKIE_ATTRS "Path=/; HttpOnly; SameSite=Strict"

/* One statement's worth of work on a pooled workspace connection; the pool's rules. */
static PGconn *workspace_conn(struct ts_api *api, struct ts_err *err)
{
    PGconn *c = NULL;
    return ts_pool_get(api->pools[TS_MOD_WORKSPACE], 2000, &c, err) ? NULL : c;
}

static void user_from(struct ts_http_user *u, const struct ts_principal *who)
{
    snprintf(u->id, sizeof(u->id), "%s", who->user_id);
    snprintf(u->name, sizeof(u->name), "%s", who->username);
    snprintf(u->credential, sizeof(u->credential), "%s", who->credential_id);
    u->role = (int)who->role;
    u->kind = (int)who->kind;
    u->all_accounts = who->all_accounts;
    snprintf(u->accounts, sizeof(u->accounts), "%s", who->accounts);
}

/*
 * The credentials verified lately, for when the database is away: the API cannot check a
 * secret then, and the operator's reads that answer from memory (GET /feed, the metrics, the
 * books) must keep answering during an outage. A secret the database confirmed less than
 * GRACE_NS ago still counts while the database cannot be asked; while it can, it is always
 * asked (a revoked token stops at once: revoking needs the database too).
 */
#define CACHE_N 256
#define GRACE_NS (INT64_C(600) * TS_NS_PER_SEC)

static struct {
    pthread_mutex_t lock;
    struct {
        unsigned char key[32];
        struct ts_principal who;
        int64_t at; /* monotonic ns of the last confirmation; 0: empty */
    } e[CACHE_N];
} verified = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void cache_put(const unsigned char key[32], const struct ts_principal *who)
{
    pthread_mutex_lock(&verified.lock);
    int slot = 0;
    for (int i = 0; i < CACHE_N; i++) {
        if (!memcmp(verified.e[i].key, key, 32)) {
            slot = i;
            break;
        }
        if (verified.e[i].at < verified.e[slot].at) {
            slot = i; /* the oldest (or an empty one) goes */
        }
    }
    memcpy(verified.e[slot].key, key, 32);
    verified.e[slot].who = *who;
    verified.e[slot].at = ts_mono_ns();
    pthread_mutex_unlock(&verified.lock);
}

static void cache_drop(const unsigned char key[32])
{
    pthread_mutex_lock(&verified.lock);
    for (int i = 0; i < CACHE_N; i++) {
        if (verified.e[i].at && !memcmp(verified.e[i].key, key, 32)) {
            memset(&verified.e[i], 0, sizeof(verified.e[i]));
        }
    }
    pthread_mutex_unlock(&verified.lock);
}

static bool cache_get(const unsigned char key[32], struct ts_principal *who)
{
    bool hit = false;
    int64_t now = ts_mono_ns();
    pthread_mutex_lock(&verified.lock);
    for (int i = 0; i < CACHE_N && !hit; i++) {
        if (verified.e[i].at && now - verified.e[i].at < GRACE_NS &&
            !memcmp(verified.e[i].key, key, 32)) {
            *who = verified.e[i].who;
            hit = true;
        }
    }
    pthread_mutex_unlock(&verified.lock);
    return hit;
}

static void cache_put_cb(void *ctx, const unsigned char key[32], const struct ts_principal *who)
{
    (void)ctx;
    cache_put(key, who);
}

void ts_api_auth_preload(struct ts_api *api)
{
    struct ts_err err = TS_ERR_INIT;
    PGconn *c = workspace_conn(api, &err);
    int rc = c ? ts_auth_each_live(c, 1u << TS_CRED_TOKEN | 1u << TS_CRED_SESSION, cache_put_cb,
                                   NULL, &err)
               : err.code;
    if (c) {
        ts_pool_put(api->pools[TS_MOD_WORKSPACE], c, rc == TS_ECONN);
    }
    if (rc) {
        ts_warn("api", "the live credentials were not read ahead: %s", err.msg);
    }
}

/* The user a secret proves: the database's word, or while it is away, a recent one. */
static int verify(struct ts_api *api, const char *secret, unsigned kinds, struct ts_principal *who,
                  struct ts_err *err)
{
    unsigned char key[32];
    ts_auth_secret_digest(secret, key);
    PGconn *c = workspace_conn(api, err);
    int rc = c ? ts_auth_verify(c, secret, kinds, who, err) : err->code;
    if (c) {
        ts_pool_put(api->pools[TS_MOD_WORKSPACE], c, rc == TS_ECONN);
    }
    if (!rc) {
        cache_put(key, who);
    } else if (rc == TS_EAUTH) {
        cache_drop(key); /* revoked, expired or disabled: never again from the copy */
    } else if ((rc == TS_ECONN || rc == TS_EBUSY || rc == TS_ETIMEDOUT) && cache_get(key, who) &&
               (kinds & (1u << who->kind))) {
        ts_err_clear(err);
        rc = 0;
    }
    return rc;
}

bool ts_api_authenticate(void *app, const struct ts_http_route *route, struct ts_http_req *req,
                         struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_principal who;
    const char *secret = req->bearer ? req->bearer : req->session;
    if (api->metrics_public && !strcmp(route->pattern, "/api/v1/metrics")) {
        snprintf(req->user.name, sizeof(req->user.name), "anonymous");
        return true; /* a local Prometheus scrapes without a token (TS_METRICS_PUBLIC) */
    }
    if (!secret) {
        ts_http_error(resp, 401, "unauthenticated",
                      "not logged in: send Authorization: Bearer TOKEN (`tradingsystem user "
                      "token NAME` prints one) or log in on the dashboard");
        return false;
    }
    int rc =
        verify(api, secret, req->bearer ? 1u << TS_CRED_TOKEN : 1u << TS_CRED_SESSION, &who, &err);
    if (rc) {
        ts_api_fail(resp, &err);
        return false;
    }
    user_from(&req->user, &who);
    if (route->access > req->user.role) {
        ts_http_error(resp, 403, "forbidden", "%s is a %s: %s %s needs the %s role", who.username,
                      ts_role_name(who.role), req->method == TS_HTTP_GET ? "reading" : "changing",
                      route->pattern, ts_role_name((enum ts_role)route->access));
        return false;
    }
    return true;
}

/* The session cookie (Secure when the server speaks TLS). */
static void set_session(const struct ts_api *api, struct ts_http_resp *resp,
                        const char secret[TS_AUTH_SECRET_LEN + 1])
{
    snprintf(resp->set_cookie, sizeof(resp->set_cookie),
             "ts_session=%s; " COOKIE_ATTRS "; Max-Age=%d%s", secret, TS_AUTH_SESSION_MAX_S,
             api->tls ? "; Secure" : "");
}

/* Sets the session cookie and answers who logged in. */
static void logged_in(const struct ts_api *api, struct ts_http_resp *resp,
                      const struct ts_principal *who, const char secret[TS_AUTH_SECRET_LEN + 1])
{
    set_session(api, resp, secret);
    ts_buf_addf(&resp->body, "{\"username\":");
    ts_buf_add_json_str(&resp->body, who->username);
    ts_buf_addf(&resp->body, ",\"role\":\"%s\",\"credential\":\"session\"}",
                ts_role_name(who->role));
}

static void post_login(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    struct ts_json_req j = {0};
    const char *user = NULL, *password = NULL;
    struct ts_principal who;
    char secret[TS_AUTH_SECRET_LEN + 1] = "";
    PGconn *c = NULL;
    int rc;

    TRY(ts_json_parse(&j, req->body, req->body_len, &err));
    TRY(ts_json_take_str(&j, "username", true, 100, &user, NULL, &err));
    TRY(ts_json_take_str(&j, "password", true, 1024, &password, NULL, &err));
    TRY(ts_json_finish(&j, &err));
    c = workspace_conn(api, &err);
    TRY(c ? ts_auth_login(c, user, password, req->peer, &who, secret, &err) : err.code);
    logged_in(api, resp, &who, secret);
out:
    if (c) {
        ts_pool_put(api->pools[TS_MOD_WORKSPACE], c, rc == TS_ECONN);
    }
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_json_release(&j);
}

/* GET /login?token=LINK: the one-time link `serve` and `user login-url` print. */
static void get_login_link(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    static const char *const allowed[] = {"token", NULL};
    char *vals[1] = {NULL};
    struct ts_principal who;
    char secret[TS_AUTH_SECRET_LEN + 1] = "";
    PGconn *c = NULL;
    int rc;

    TRY(ts_api_qs(req->query, allowed, vals, &err));
    TRY(vals[0] ? 0 : ts_err_set(&err, TS_EINVAL, "query parameter 'token' is required"));
    c = workspace_conn(api, &err);
    TRY(c ? ts_auth_login_link(c, vals[0], req->peer, &who, secret, &err) : err.code);
    ts_info("api", "%s logged in with a login link", who.username);
    set_session(api, resp, secret);
    resp->status = 303;
    snprintf(resp->location, sizeof(resp->location), "/");
    ts_buf_adds(&resp->body, "{\"logged_in\":true}");
out:
    if (c) {
        ts_pool_put(api->pools[TS_MOD_WORKSPACE], c, rc == TS_ECONN);
    }
    if (rc) {
        ts_api_fail(resp, &err);
    }
    ts_api_qs_free(allowed, vals);
}

static void post_logout(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    struct ts_api *api = app;
    struct ts_err err = TS_ERR_INIT;
    PGconn *c = NULL;
    int rc;

    TRY(req->body_len ? ts_err_set(&err, TS_EINVAL, "POST /auth/logout takes no body") : 0);
    TRY(req->user.kind == TS_CRED_SESSION
            ? 0
            : ts_err_set(&err, TS_EINVAL,
                         "an API token is not logged out: `tradingsystem user revoke ID` "
                         "revokes it"));
    c = workspace_conn(api, &err);
    TRY(c ? ts_auth_revoke(c, req->user.credential, &err) : err.code);
    TRY(ts_auth_event(c, "logout", req->user.name, req->peer, NULL, &err));
    if (req->session) {
        unsigned char key[32];
        ts_auth_secret_digest(req->session, key);
        cache_drop(key); /* not even while the database is away */
    }
    snprintf(resp->set_cookie, sizeof(resp->set_cookie),
             "ts_session=; " COOKIE_ATTRS "; Max-Age=0");
    ts_buf_adds(&resp->body, "{\"logged_out\":true}");
out:
    if (c) {
        ts_pool_put(api->pools[TS_MOD_WORKSPACE], c, rc == TS_ECONN);
    }
    if (rc) {
        ts_api_fail(resp, &err);
    }
}

static void get_me(void *app, const struct ts_http_req *req, struct ts_http_resp *resp)
{
    (void)app;
    ts_buf_adds(&resp->body, "{\"username\":");
    ts_buf_add_json_str(&resp->body, req->user.name);
    ts_buf_addf(&resp->body, ",\"role\":\"%s\",\"credential\":\"%s\",\"all_accounts\":%s}",
                ts_role_name((enum ts_role)req->user.role),
                req->user.kind == TS_CRED_SESSION ? "session" : "token",
                req->user.all_accounts ? "true" : "false");
}

const struct ts_http_route ts_api__auth_routes[] = {
    {TS_HTTP_POST, "/api/v1/auth/login", post_login, true, TS_HTTP_PUBLIC},
    {TS_HTTP_GET, "/login", get_login_link, true, TS_HTTP_PUBLIC},
    {TS_HTTP_POST, "/api/v1/auth/logout", post_logout, true, TS_API_VIEW},
    {TS_HTTP_GET, "/api/v1/auth/me", get_me, true, TS_API_VIEW},
    {0, NULL, NULL, false, 0},
};
