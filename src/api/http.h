/*
 * http.h - the HTTP server: REST routes on one libwebsockets event loop.
 *
 * Why libwebsockets: one event loop serves REST, WebSocket and static files on one
 * port without a thread per connection, and other threads hand it work and wake it
 * with lws_cancel_service(); see bench/http_choice/README.md for the measurement.
 *
 * A route is either inline (runs on the event loop: must not block, for answers
 * from memory) or blocking (runs on a small worker pool: database queries). The
 * response is written by the loop when the connection is writable. Request bodies
 * over TS_HTTP_MAX_BODY are refused with 413 before they are read.
 *
 * Threads: ts_http_run() runs the loop on the calling thread; ts_http_stop() may be
 * called from any thread. Handlers run on the loop (inline) or on a worker.
 */
#ifndef TS_API_HTTP_H
#define TS_API_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define TS_HTTP_MAX_BODY (1024 * 1024) /* bytes; larger bodies get 413 */
#define TS_HTTP_MAX_PARAMS 4

enum ts_http_method {
    TS_HTTP_GET,
    TS_HTTP_POST,
    TS_HTTP_PUT,
    TS_HTTP_PATCH,
    TS_HTTP_DELETE,
    TS_HTTP_HEAD,
    TS_HTTP_OPTIONS,
    TS_HTTP_OTHER
};

/* Who sends a request, once the authenticate hook (ts_http_opts) has said so. */
struct ts_http_user {
    char id[37];         /* a UUID; "" before authentication and on public routes */
    char name[101];      /* the audit actor */
    int role;            /* a level the routes' `access` is compared with; 0: none */
    char credential[37]; /* the credential that proved it (logout revokes it) */
    int kind;            /* what kind of credential (the hook's numbering) */
    bool all_accounts;
    char accounts[64 * 37 + 3]; /* else the accounts granted, as a PostgreSQL uuid[] literal */
};

struct ts_http_req {
    enum ts_http_method method;
    const char *path;  /* decoded path, e.g. "/api/v1/health"; borrowed for the call */
    const char *query; /* "k=v&k=v" ("" when none), values percent-encoded: decode with
                          ts_api_qs() (api/respond.h) */
    const char *body;  /* request body, NUL-terminated; "" when none */
    size_t body_len;
    const char *actor; /* who acts, for the audit trail: user.name ("anonymous" on a public
                          route) */
    struct ts_http_user user;
    const char *bearer;                     /* the token of "Authorization: Bearer ...", or NULL */
    const char *session;                    /* the ts_session cookie's value, or NULL */
    const char *peer;                       /* the client's address */
    const char *params[TS_HTTP_MAX_PARAMS]; /* values of the route's {} segments */
    int nparams;
};

struct ts_http_resp {
    int status;               /* HTTP status, 200 by default */
    const char *content_type; /* static string; "application/json" by default */
    const char *cache;        /* Cache-Control value; "no-store" by default */
    char set_cookie[200];     /* a Set-Cookie value, or "" */
    char location[256];       /* a Location (redirects), or "" */
    struct ts_buf body;       /* owned by the server */
};

typedef void (*ts_http_handler)(void *app, const struct ts_http_req *req,
                                struct ts_http_resp *resp);

#define TS_HTTP_PUBLIC (-1) /* a route's access: no credentials asked */

struct ts_http_route {
    enum ts_http_method method;
    const char *pattern; /* "/api/v1/orders/{}": each {} matches one non-empty segment */
    ts_http_handler fn;
    bool blocking; /* true: run on a worker thread */
    /* the role level it needs; 0 (the default of a table that says nothing): any
       authenticated user; TS_HTTP_PUBLIC: anyone */
    int access;
};

/*
 * The authenticate hook: on a worker thread, before a route that is not public (and on the
 * loop thread for a WebSocket upgrade), it reads req->bearer / req->session, fills
 * req->user and answers true, or writes the refusal (401, 403, 503) into resp and answers
 * false. It also decides whether req->user.role may use the route (its access).
 */
typedef bool (*ts_http_authenticate)(void *app, const struct ts_http_route *route,
                                     struct ts_http_req *req, struct ts_http_resp *resp);

struct ts_http;
struct ts_http_ws; /* one WebSocket connection (opaque; loop thread only) */

/*
 * WebSocket endpoint: one path upgrades to WebSocket; its events arrive on the
 * loop thread. Text frames only; a message over max_message bytes closes the
 * connection (1009). The server pings idle connections and drops those that
 * do not answer (about 30 s + 10 s).
 */
struct ts_http_ws_hooks {
    const char *path;   /* e.g. "/api/v1/stream" */
    size_t max_message; /* bytes of one client message */
    /* returns the connection's state (passed back below), NULL to refuse it; user: who
       opened it (authenticated by the upgrade; empty when there is no authenticate hook) */
    void *(*open)(void *app, struct ts_http_ws *ws, const struct ts_http_user *user);
    void (*message)(void *conn, const char *data, size_t len);
    /* the connection may take one message now (ts_http_ws_send) */
    void (*writable)(void *conn);
    void (*close)(void *conn); /* last call for conn */
    /* the loop was woken by ts_http_wake(), or tick_ms passed */
    void (*wake)(void *app);
    int tick_ms;
};

struct ts_http_policy; /* api/guard.h: what is refused before any route runs */

struct ts_http_opts {
    const char *addr;                    /* "127.0.0.1:8080" */
    const struct ts_http_policy *policy; /* copied; NULL: only the built-in names, no CORS */
    const struct ts_http_route *routes;  /* terminated by a route with fn == NULL; borrowed */
    void *app;                           /* passed to handlers */
    int workers;                         /* worker threads for blocking routes */
    const struct ts_http_ws_hooks *ws;   /* NULL: no WebSocket endpoint */
    ts_http_authenticate authenticate;   /* NULL: every route is public (tests of the server) */
    const char *tls_cert;                /* PEM files: serve HTTPS (and WSS); NULL: plain HTTP */
    const char *tls_key;
    int ws_access; /* the access a WebSocket upgrade needs */
};

/* Loop thread: sends one text message (call from the writable hook); 0 or -1. */
int ts_http_ws_send(struct ts_http_ws *ws, const char *msg, size_t len);
/* Loop thread: asks for a writable call. */
void ts_http_ws_want_write(struct ts_http_ws *ws);
/* Loop thread: closes with a WebSocket status code and a reason (<= 120 bytes). */
void ts_http_ws_close(struct ts_http_ws *ws, int code, const char *reason);
/* Any thread: wakes the loop, which calls the wake hook. */
void ts_http_wake(struct ts_http *h);

/* Binds the address; fails with a clear message when it is taken or invalid. */
int ts_http_new(const struct ts_http_opts *opts, struct ts_http **out,
                struct ts_err *err) TS_MUST_CHECK;
/* Serves until ts_http_stop(). */
void ts_http_run(struct ts_http *h);
/* Any thread, async-signal context excluded. */
void ts_http_stop(struct ts_http *h);
void ts_http_free(struct ts_http *h);

/* Splits "host:port"; host may be "[::1]". */
int ts_http_parse_addr(const char *addr, char *host, size_t hostcap, int *port,
                       struct ts_err *err) TS_MUST_CHECK;

/* Sets resp to the error envelope of API.md: {"error":{"code":...,"message":...}}. */
void ts_http_error(struct ts_http_resp *resp, int status, const char *code, const char *fmt, ...)
    TS_PRINTF(4, 5);
/* The same with "details": a JSON object text (e.g. the rule of a risk refusal), or NULL. */
void ts_http_error_details(struct ts_http_resp *resp, int status, const char *code,
                           const char *details, const char *fmt, ...) TS_PRINTF(5, 6);

#endif
