/*
 * http.c - REST over one libwebsockets event loop, with a worker pool for routes
 * that block (database queries). See http.h for the contract.
 *
 * Life of a request (all on the loop thread unless said otherwise):
 *   LWS_CALLBACK_HTTP          -> a job is created, the route matched; bodies are
 *                                 awaited (BODY / BODY_COMPLETION), bounded by
 *                                 TS_HTTP_MAX_BODY (413 beyond)
 *   dispatch                   -> inline routes run now; blocking routes go to the
 *                                 work queue; a worker runs the handler, puts the
 *                                 job on the done queue and wakes the loop with
 *                                 lws_cancel_service()
 *   EVENT_WAIT_CANCELLED       -> done jobs ask for WRITEABLE
 *   HTTP_WRITEABLE             -> headers, then the body in chunks, then the
 *                                 transaction completes (keep-alive)
 *   CLOSED_HTTP                -> a job still on a worker is marked orphaned and is
 *                                 freed when it comes back; others are freed now.
 * A job is touched by one thread at a time: the loop, or the worker that popped it.
 * Answers the server writes itself (errors, refusals, CORS) are in http_reply.c; the
 * WebSocket path's events go to http_ws.c and the address is checked by
 * http_addr.c (their ts_http__* functions: api/internal.h).
 */
#include "api/http.h"

#include <errno.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/guard.h"
#include "api/internal.h"
#include "core/log.h"
#include "core/mem.h"

enum job_state {
    JOB_READING, /* loop: collecting the body */
    JOB_WORKING, /* a worker owns it (queued or running) */
    JOB_READY,   /* loop: response ready to write */
};

struct job {
    struct lws *wsi; /* loop only; the connection this answers */
    enum job_state state;
    bool orphaned;     /* loop only: connection closed while WORKING */
    bool headers_sent; /* loop only */
    bool unread_body;  /* answered before its body was read: close after the answer */
    size_t sent;       /* body bytes written */
    const struct ts_http_route *route;
    struct ts_http_req req;
    struct ts_buf path;            /* storage of req.path */
    struct ts_buf query;           /* storage of req.query */
    struct ts_buf body;            /* storage of req.body */
    char bearer[128];              /* storage of req.bearer */
    char session[128];             /* storage of req.session */
    char peer[64];                 /* storage of req.peer */
    bool run_inline;               /* authenticated on a worker: the loop runs the route */
    char cors[TS_HTTP_POLICY_LEN]; /* a listed origin to answer with CORS headers, or "" */
    char *param_store;             /* storage of req.params, one allocation */
    struct ts_http_resp resp;
    struct job *next; /* queue link, owned by the queue holding it */
};

struct pss {
    struct job *job;          /* the request in flight on this connection, or NULL */
    struct ts_http_ws *ws;    /* a WebSocket connection (http_ws.c), or NULL */
    struct ts_http_user user; /* who upgraded it (from the filter to the open) */
};

struct queue {
    struct job *head, *tail;
};

struct ts_http {
    struct lws_context *ctx;
    const struct ts_http_route *routes;
    void *app;
    atomic_bool stopping;
    pthread_mutex_t lock; /* guards work, done and workers_exit */
    pthread_cond_t work_ready;
    struct queue work; /* jobs for the workers */
    struct queue done; /* jobs back to the loop */
    bool workers_exit;
    pthread_t *workers;
    int nworkers;
    const struct ts_http_ws_hooks *ws; /* NULL: no WebSocket endpoint */
    struct ts_http_policy policy;      /* guard.h */
    ts_http_authenticate authenticate; /* NULL: every route public */
    int ws_access;
    atomic_bool woken;           /* ts_http_wake() since the last wake hook */
    lws_sorted_usec_list_t tick; /* the wake hook's timer */
};

static void q_push(struct queue *q, struct job *j)
{
    j->next = NULL;
    if (q->tail) {
        q->tail->next = j;
    } else {
        q->head = j;
    }
    q->tail = j;
}

static struct job *q_pop(struct queue *q)
{
    struct job *j = q->head;
    if (j) {
        q->head = j->next;
        if (!q->head) {
            q->tail = NULL;
        }
        j->next = NULL;
    }
    return j;
}

static struct job *job_new(struct lws *wsi)
{
    struct job *j = ts_xcalloc(1, sizeof(*j));
    j->wsi = wsi;
    ts_buf_init(&j->path);
    ts_buf_init(&j->query);
    ts_buf_init(&j->body);
    ts_buf_init(&j->resp.body);
    j->resp.status = 200;
    j->resp.content_type = "application/json";
    j->resp.cache = "no-store";
    return j;
}

static void job_free(struct job *j)
{
    if (!j) {
        return;
    }
    ts_buf_release(&j->path);
    ts_buf_release(&j->query);
    ts_buf_release(&j->body);
    ts_buf_release(&j->resp.body);
    ts_free(j->param_store);
    ts_free(j);
}

static enum ts_http_method method_of(struct lws *wsi)
{
    static const struct {
        enum lws_token_indexes tok;
        enum ts_http_method m;
    } map[] = {
        {WSI_TOKEN_GET_URI, TS_HTTP_GET},         {WSI_TOKEN_POST_URI, TS_HTTP_POST},
        {WSI_TOKEN_PUT_URI, TS_HTTP_PUT},         {WSI_TOKEN_PATCH_URI, TS_HTTP_PATCH},
        {WSI_TOKEN_DELETE_URI, TS_HTTP_DELETE},   {WSI_TOKEN_HEAD_URI, TS_HTTP_HEAD},
        {WSI_TOKEN_OPTIONS_URI, TS_HTTP_OPTIONS},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (lws_hdr_total_length(wsi, map[i].tok) > 0) {
            return map[i].m;
        }
    }
    return TS_HTTP_OTHER;
}

/*
 * Matches path against pattern segment by segment; "{}" captures one non-empty
 * segment. Captures are copied into j->param_store.
 */
static bool route_match(const char *pattern, const char *path, struct job *j)
{
    const char *p = pattern, *s = path;
    const char *starts[TS_HTTP_MAX_PARAMS];
    size_t lens[TS_HTTP_MAX_PARAMS];
    int n = 0;

    while (*p && *s) {
        if (p[0] == '{' && p[1] == '}') {
            size_t len = strcspn(s, "/");
            if (len == 0 || n == TS_HTTP_MAX_PARAMS) {
                return false;
            }
            starts[n] = s;
            lens[n++] = len;
            s += len;
            p += 2;
        } else if (*p == *s) {
            p++;
            s++;
        } else {
            return false;
        }
    }
    if (*p || *s) {
        return false;
    }
    if (j) {
        size_t total = 0;
        for (int i = 0; i < n; i++) {
            total += lens[i] + 1;
        }
        ts_free(j->param_store);
        j->param_store = ts_xmalloc(total ? total : 1);
        char *w = j->param_store;
        for (int i = 0; i < n; i++) {
            memcpy(w, starts[i], lens[i]);
            w[lens[i]] = '\0';
            j->req.params[i] = w;
            w += lens[i] + 1;
        }
        j->req.nparams = n;
    }
    return true;
}

/* Finds the route; sets 404/405 on the job's response when there is none. */
static const struct ts_http_route *find_route(struct ts_http *h, struct job *j)
{
    bool path_known = false;
    for (const struct ts_http_route *r = h->routes; r->fn; r++) {
        if (!route_match(r->pattern, j->req.path, NULL)) {
            continue;
        }
        path_known = true;
        if (r->method == j->req.method ||
            (j->req.method == TS_HTTP_HEAD && r->method == TS_HTTP_GET)) {
            route_match(r->pattern, j->req.path, j);
            return r;
        }
    }
    if (path_known) {
        ts_http_error(&j->resp, 405, "method_not_allowed", "method not allowed on %s", j->req.path);
    } else {
        ts_http_error(&j->resp, 404, "not_found", "no such endpoint: %s", j->req.path);
    }
    return NULL;
}

static void ready(struct job *j)
{
    j->state = JOB_READY;
    lws_callback_on_writable(j->wsi);
}

static bool needs_auth(const struct ts_http *h, const struct ts_http_route *r)
{
    return h->authenticate && r->access != TS_HTTP_PUBLIC;
}

static void dispatch(struct ts_http *h, struct job *j)
{
    j->req.body = j->body.buf;
    j->req.body_len = j->body.len;
    if (!j->route) {
        ready(j);
        return;
    }
    if (!j->route->blocking && !needs_auth(h, j->route)) {
        j->route->fn(h->app, &j->req, &j->resp);
        ready(j);
        return;
    }
    j->state = JOB_WORKING;
    pthread_mutex_lock(&h->lock);
    q_push(&h->work, j);
    pthread_cond_signal(&h->work_ready);
    pthread_mutex_unlock(&h->lock);
}

static void *worker_main(void *arg)
{
    struct ts_http *h = arg;
    for (;;) {
        pthread_mutex_lock(&h->lock);
        while (!h->work.head && !h->workers_exit) {
            pthread_cond_wait(&h->work_ready, &h->lock);
        }
        struct job *j = q_pop(&h->work);
        pthread_mutex_unlock(&h->lock);
        if (!j) {
            return NULL; /* exiting and nothing left */
        }
        bool ok = true;
        if (needs_auth(h, j->route)) {
            ok = h->authenticate(h->app, j->route, &j->req, &j->resp);
            j->req.actor = j->req.user.name;
        }
        if (ok && j->route->blocking) {
            j->route->fn(h->app, &j->req, &j->resp);
        } else if (ok) {
            j->run_inline = true; /* a route that answers from the loop's memory */
        }
        pthread_mutex_lock(&h->lock);
        q_push(&h->done, j);
        pthread_mutex_unlock(&h->lock);
        lws_cancel_service(h->ctx);
    }
}

/* Loop thread: jobs back from workers ask for a writable callback, or die with their socket. */
static void drain_done(struct ts_http *h)
{
    struct queue q;
    pthread_mutex_lock(&h->lock);
    q = h->done;
    h->done.head = h->done.tail = NULL;
    pthread_mutex_unlock(&h->lock);
    struct job *j;
    while ((j = q_pop(&q))) {
        if (j->orphaned) {
            job_free(j);
            continue;
        }
        if (j->run_inline) {
            j->run_inline = false;
            j->route->fn(h->app, &j->req, &j->resp);
        }
        ready(j);
    }
}

static int write_response(struct lws *wsi, struct pss *pss)
{
    struct job *j = pss->job;
    unsigned char buf[LWS_PRE + 16384];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof(buf) - 1;
    bool head = j->req.method == TS_HTTP_HEAD;

    if (!j->headers_sent) {
        if (lws_add_http_common_headers(wsi, (unsigned)j->resp.status, j->resp.content_type,
                                        head ? LWS_ILLEGAL_HTTP_CONTENT_LEN : j->resp.body.len, &p,
                                        end) ||
            lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                         (const unsigned char *)j->resp.cache,
                                         (int)strlen(j->resp.cache), &p, end) ||
            lws_add_http_header_by_name(wsi, (const unsigned char *)"x-content-type-options:",
                                        (const unsigned char *)"nosniff", 7, &p, end) ||
            ts_http__cors_headers(wsi, j->cors, j->req.method == TS_HTTP_OPTIONS, &p, end) ||
            ts_http__extra_headers(wsi, &j->resp, &p, end) ||
            lws_finalize_write_http_header(wsi, start, &p, end)) {
            return -1;
        }
        j->headers_sent = true;
        if (!head && j->resp.body.len) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    } else {
        size_t left = j->resp.body.len - j->sent;
        size_t n = left < 16384 ? left : 16384;
        bool last = n == left;
        memcpy(start, j->resp.body.buf + j->sent, n);
        if (lws_write(wsi, start, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n) {
            return -1;
        }
        j->sent += n;
        if (!last) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    }
    bool close_now = j->unread_body;
    job_free(j);
    pss->job = NULL;
    if (close_now) {
        return -1; /* the rest of its body would be read as the next request */
    }
    /* keep-alive: ready for the next request, or close */
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/*
 * lws hands the query over split into fragments and already percent-decoded;
 * rebuild "k=v&k=v" with '%', '&' and '+' re-encoded so that a value may hold
 * them (ts_api_qs() decodes again).
 */
static void read_query(struct lws *wsi, struct job *j)
{
    char tmp[8192];

    for (int idx = 0; idx < 64; idx++) {
        int n = lws_hdr_copy_fragment(wsi, tmp, sizeof(tmp), WSI_TOKEN_HTTP_URI_ARGS, idx);
        if (n < 0) {
            break;
        }
        if (j->query.len) {
            ts_buf_addch(&j->query, '&');
        }
        for (int i = 0; i < n; i++) {
            char c = tmp[i];
            if (c == '%' || c == '&' || c == '+') {
                ts_buf_addf(&j->query, "%%%02X", (unsigned char)c);
            } else {
                ts_buf_addch(&j->query, c);
            }
        }
    }
    j->req.query = j->query.buf;
}

/*
 * POST, PUT and PATCH with a Content-Length wait for their body (BODY callbacks);
 * the rest is answered or dispatched now.
 */
static void await_body(struct ts_http *h, struct lws *wsi, struct job *j)
{
    char tmp[8192];
    bool has_body = j->req.method == TS_HTTP_POST || j->req.method == TS_HTTP_PUT ||
                    j->req.method == TS_HTTP_PATCH;

    if (has_body) {
        if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
            lws_hdr_copy(wsi, tmp, sizeof(tmp), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
            char *e;
            errno = 0;
            unsigned long long cl = strtoull(tmp, &e, 10);
            if (errno || *e || cl > TS_HTTP_MAX_BODY) {
                ts_http_error(&j->resp, 413, "payload_too_large", "request body over %d bytes",
                              TS_HTTP_MAX_BODY);
                j->route = NULL;
                ready(j);
                return;
            }
            if (cl == 0) {
                j->unread_body = false;
            }
            if (cl == 0 || !j->route) {
                dispatch(h, j); /* no route: answer 404/405 now, the body is not read */
                return;
            }
            return; /* wait for BODY callbacks */
        }
        /* No Content-Length: an empty body (lws does not decode chunked uploads) */
    }
    dispatch(h, j);
}

static int on_http(struct ts_http *h, struct lws *wsi, struct pss *pss, const char *uri, size_t len)
{
    struct job *j;

    if (pss->job) {
        /* pipelined request before the previous answer: refuse rather than mix them */
        return -1;
    }
    j = job_new(wsi);
    pss->job = j;
    ts_buf_add(&j->path, uri, len);
    j->req.path = j->path.buf;
    read_query(wsi, j);
    j->req.method = method_of(wsi);
    j->unread_body = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 ||
                     lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0;
    struct ts_http_verdict v;
    ts_http__guard(&h->policy, wsi, j->req.method, false, &v);
    if (v.status) { /* refused before its body is read: the connection closes after */
        static const char *const names[] = {"GET",    "POST", "PUT",     "PATCH",
                                            "DELETE", "HEAD", "OPTIONS", "(other)"};
        ts_info("http", "refused %s %.200s: %s", names[j->req.method], j->req.path, v.message);
        ts_http_error(&j->resp, v.status, v.code, "%s", v.message);
        dispatch(h, j);
        return 0;
    }
    if (v.site == TS_HTTP_LISTED &&
        lws_hdr_copy(wsi, j->cors, sizeof(j->cors), WSI_TOKEN_ORIGIN) > 0 &&
        j->req.method == TS_HTTP_OPTIONS) {
        j->resp.status = 204; /* a listed origin's preflight: write_response adds the rest */
        dispatch(h, j);
        return 0;
    }
    j->route = find_route(h, j);
    ts_http__credentials(wsi, j->bearer, sizeof(j->bearer), j->session, sizeof(j->session), j->peer,
                         sizeof(j->peer));
    j->req.bearer = j->bearer[0] ? j->bearer : NULL;
    j->req.session = j->session[0] ? j->session : NULL;
    j->req.peer = j->peer;
    j->req.actor = "anonymous";
    await_body(h, wsi, j);
    return 0;
}

/* A piece of the request body; more than Content-Length announced gets 413. */
static int on_body(struct pss *pss, const void *in, size_t len)
{
    if (!pss->job || pss->job->state != JOB_READING) {
        return 0;
    }
    if (pss->job->body.len + len > TS_HTTP_MAX_BODY) {
        /* lied about its length: refuse; the connection closes after the answer */
        ts_http_error(&pss->job->resp, 413, "payload_too_large", "request body over %d bytes",
                      TS_HTTP_MAX_BODY);
        pss->job->route = NULL;
        ready(pss->job);
        return 0;
    }
    ts_buf_add(&pss->job->body, in, len);
    return 0;
}

static int on_body_done(struct ts_http *h, struct pss *pss)
{
    if (pss->job && pss->job->state == JOB_READING) {
        pss->job->unread_body = false;
        dispatch(h, pss->job);
    }
    return 0;
}

static int on_http_writable(struct lws *wsi, struct pss *pss)
{
    if (!pss || !pss->job || pss->job->state != JOB_READY) {
        return 0;
    }
    return write_response(wsi, pss);
}

static int on_http_closed(struct pss *pss)
{
    if (pss && pss->job) {
        if (pss->job->state == JOB_WORKING) {
            pss->job->orphaned = true; /* freed by drain_done() */
        } else {
            job_free(pss->job);
        }
        pss->job = NULL;
    }
    return 0;
}

/* lws_cancel_service() woke the loop: jobs back from workers, then the wake hook. */
static int on_cancelled(struct ts_http *h)
{
    if (h) {
        drain_done(h);
        if (h->ws && atomic_exchange(&h->woken, false)) {
            h->ws->wake(h->app);
        }
    }
    return 0;
}

/* One flat switch over lws callback reasons: kept whole on purpose. */
static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct ts_http *h = lws_context_user(lws_get_context(wsi));
    struct pss *pss = user;

    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return on_http(h, wsi, pss, in, len);
    case LWS_CALLBACK_HTTP_BODY:
        return on_body(pss, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return on_body_done(h, pss);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return on_http_writable(wsi, pss);
    case LWS_CALLBACK_CLOSED_HTTP:
        return on_http_closed(pss);
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        return on_cancelled(h);
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: /* an upgrade: only on the WebSocket path */
        return h ? ts_http__ws_filter(h->ws, &h->policy, wsi, h->authenticate, h->app, h->ws_access,
                                      pss ? &pss->user : NULL)
                 : -1;
    case LWS_CALLBACK_ESTABLISHED:
        return ts_http__ws_open(h->ws, h->app, wsi, &pss->ws, &pss->user);
    case LWS_CALLBACK_RECEIVE:
        return ts_http__ws_receive(pss ? pss->ws : NULL, wsi, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return ts_http__ws_writable(pss ? pss->ws : NULL, wsi);
    case LWS_CALLBACK_CLOSED:
        ts_http__ws_closed(pss ? &pss->ws : NULL);
        return 0;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"http", callback, sizeof(struct pss), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

void ts_http_wake(struct ts_http *h)
{
    atomic_store(&h->woken, true);
    lws_cancel_service(h->ctx);
}

static void on_tick(lws_sorted_usec_list_t *sul)
{
    struct ts_http *h = lws_container_of(sul, struct ts_http, tick);
    h->ws->wake(h->app);
    lws_sul_schedule(h->ctx, 0, &h->tick, on_tick, (lws_usec_t)h->ws->tick_ms * 1000);
}

static void lws_to_log(int level, const char *line)
{
    size_t n = strcspn(line, "\n");
    if (strstr(line, "User code denied connection")) {
        return; /* an upgrade the guard refused: ts_http__ws_filter() said why */
    }
    if (level & LLL_ERR) {
        ts_log(TS_LOG_ERROR, "http", "%.*s", (int)n, line);
    } else {
        ts_log(TS_LOG_WARN, "http", "%.*s", (int)n, line);
    }
}

int ts_http_new(const struct ts_http_opts *opts, struct ts_http **out, struct ts_err *err)
{
    char host[256];
    int port, rc;
    struct lws_context_creation_info info;

    rc = ts_http_parse_addr(opts->addr, host, sizeof(host), &port, err);
    if (rc || (rc = ts_http__probe_bind(host, port, err))) {
        return rc;
    }
    struct ts_http *h = ts_xcalloc(1, sizeof(*h));
    h->routes = opts->routes;
    h->app = opts->app;
    h->ws = opts->ws;
    h->authenticate = opts->authenticate;
    h->ws_access = opts->ws_access;
    if (opts->policy) {
        h->policy = *opts->policy;
    }
    atomic_init(&h->woken, false);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->work_ready, NULL);
    atomic_init(&h->stopping, false);

    lws_set_log_level(LLL_ERR | LLL_WARN, lws_to_log);
    memset(&info, 0, sizeof(info));
    info.port = port;
    info.iface = host;
    info.protocols = protocols;
    info.user = h;
    info.max_http_header_data = 8192;
    info.keepalive_timeout = 60;
    info.timeout_secs = 30;
    info.count_threads = 1;
    static const lws_retry_bo_t idle = {.secs_since_valid_ping = 30, .secs_since_valid_hangup = 40};
    info.retry_and_idle_policy = &idle;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6 * (strchr(host, ':') == NULL) |
                   LWS_SERVER_OPTION_VALIDATE_UTF8;
    if (opts->tls_cert) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = opts->tls_cert;
        info.ssl_private_key_filepath = opts->tls_key;
        /* HTTP/1.1 only: the server's requests, bodies and WebSocket upgrades are HTTP/1.1's
           (an h2 client falls back through ALPN) */
        info.alpn = "http/1.1";
    }
    h->ctx = lws_create_context(&info);
    if (!h->ctx) {
        ts_http_free(h);
        return ts_err_set(err, TS_EIO, "cannot start the HTTP server on %s%s", opts->addr,
                          opts->tls_cert ? " (check the TLS certificate and key: PEM files, the "
                                           "key matching the certificate)"
                                         : "");
    }
    if (h->ws && h->ws->tick_ms > 0) {
        lws_sul_schedule(h->ctx, 0, &h->tick, on_tick, (lws_usec_t)h->ws->tick_ms * 1000);
    }
    h->nworkers = opts->workers > 0 ? opts->workers : 4;
    h->workers = ts_xcalloc((size_t)h->nworkers, sizeof(pthread_t));
    for (int i = 0; i < h->nworkers; i++) {
        if (pthread_create(&h->workers[i], NULL, worker_main, h)) {
            h->nworkers = i;
            ts_http_free(h);
            return ts_err_set(err, TS_EIO, "cannot start HTTP worker threads");
        }
    }
    *out = h;
    return 0;
}

void ts_http_run(struct ts_http *h)
{
    while (!atomic_load(&h->stopping)) {
        if (lws_service(h->ctx, 0) < 0) {
            break;
        }
    }
}

void ts_http_stop(struct ts_http *h)
{
    atomic_store(&h->stopping, true);
    if (h->ctx) {
        lws_cancel_service(h->ctx);
    }
}

void ts_http_free(struct ts_http *h)
{
    if (!h) {
        return;
    }
    pthread_mutex_lock(&h->lock);
    h->workers_exit = true;
    pthread_cond_broadcast(&h->work_ready);
    pthread_mutex_unlock(&h->lock);
    for (int i = 0; i < h->nworkers; i++) {
        pthread_join(h->workers[i], NULL);
    }
    /* Workers are gone: jobs they finished are ours to free before the context goes. */
    struct job *j;
    while ((j = q_pop(&h->done))) {
        if (j->orphaned) {
            job_free(j);
        } else {
            j->state = JOB_READY; /* its connection's CLOSED_HTTP frees it */
        }
    }
    if (h->ctx) {
        lws_context_destroy(h->ctx); /* closes connections: CLOSED_HTTP frees their jobs */
    }
    ts_free(h->workers);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->work_ready);
    ts_free(h);
}
