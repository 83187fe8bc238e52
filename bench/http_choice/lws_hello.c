/*
 * lws_hello.c - benchmark server for choosing the HTTP/WebSocket library
 * (bench/http_choice): libwebsockets 4.1 answering GET /api/v1/health with
 * {"status":"ok"} on 127.0.0.1:PORT, HTTP/1.1 keep-alive, Content-Length set.
 *
 * It is shaped the way the back-end uses lws: one event loop on a service
 * thread; the main thread only waits for SIGINT/SIGTERM and then stops the loop
 * from outside with lws_cancel_service(), the same wake-up other threads use to
 * hand the loop work. LWS_CALLBACK_HTTP only notes the request and asks for
 * LWS_CALLBACK_HTTP_WRITEABLE, where the reply is written.
 *
 *   lws_hello PORT            headers and body written in one WRITEABLE callback
 *   lws_hello PORT --split    headers in one WRITEABLE, body in the next one
 *                             (what src/api/http.c does today), for comparison
 *
 * Anything other than GET /api/v1/health gets a 404 with an empty body.
 */
#define _POSIX_C_SOURCE 200809L

#include <libwebsockets.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char health_body[] = "{\"status\":\"ok\"}";

enum reply_state {
    REPLY_NONE,    /* no request pending on this connection */
    REPLY_HEADERS, /* headers still to write */
    REPLY_BODY,    /* headers written (split mode), body still to write */
};

/* per connection */
struct conn {
    enum reply_state state;
    unsigned status;
};

static atomic_bool stopping;
static bool split_mode;

static int finish(struct lws *wsi, struct conn *c)
{
    c->state = REPLY_NONE;
    /* keep-alive: wait for the next request, or close when lws says so */
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int write_body(struct lws *wsi, struct conn *c)
{
    unsigned char buf[LWS_PRE + sizeof(health_body)];
    size_t n = sizeof(health_body) - 1;

    memcpy(buf + LWS_PRE, health_body, n);
    if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP_FINAL) != (int)n) {
        return -1;
    }
    return finish(wsi, c);
}

static int on_writeable(struct lws *wsi, struct conn *c)
{
    unsigned char buf[LWS_PRE + 512];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof(buf) - 1;
    bool ok = c->status == HTTP_STATUS_OK;
    lws_filepos_t len = ok ? sizeof(health_body) - 1 : 0;

    if (c->state == REPLY_BODY) {
        return write_body(wsi, c);
    }
    if (c->state != REPLY_HEADERS) {
        return 0; /* a spurious writeable: nothing to say */
    }
    if (lws_add_http_common_headers(wsi, c->status, "application/json", len, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end)) {
        return -1;
    }
    if (!ok) {
        return finish(wsi, c);
    }
    if (split_mode) {
        c->state = REPLY_BODY;
        lws_callback_on_writable(wsi);
        return 0;
    }
    return write_body(wsi, c);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct conn *c = user;

    switch (reason) {
    case LWS_CALLBACK_HTTP: {
        const char *uri = in;
        bool get = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0;
        if (c->state != REPLY_NONE) {
            return -1; /* pipelined request before our answer: not supported here */
        }
        c->status =
            get && len == strlen("/api/v1/health") && memcmp(uri, "/api/v1/health", len) == 0
                ? HTTP_STATUS_OK
                : HTTP_STATUS_NOT_FOUND;
        c->state = REPLY_HEADERS;
        lws_callback_on_writable(wsi);
        return 0;
    }
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return c ? on_writeable(wsi, c) : 0;

    case LWS_CALLBACK_CLOSED_HTTP:
        if (c) {
            c->state = REPLY_NONE;
        }
        return 0;

    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        /* Woken by lws_cancel_service(): in the real server, finished work is
         * collected here. Here it only means "look at the stopping flag". */
        return 0;

    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"http", callback, sizeof(struct conn), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void *service_main(void *arg)
{
    struct lws_context *ctx = arg;
    while (!atomic_load(&stopping)) {
        if (lws_service(ctx, 0) < 0) {
            break;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct lws_context_creation_info info;
    struct lws_context *ctx;
    pthread_t service;
    sigset_t set;
    int sig, port;

    if (argc < 2 || (port = atoi(argv[1])) <= 0 || port > 65535 ||
        (argc > 2 && strcmp(argv[2], "--split") != 0) || argc > 3) {
        fprintf(stderr, "usage: %s PORT [--split]\n", argv[0]);
        return 2;
    }
    split_mode = argc > 2;

    /* Block the stop signals in every thread; main waits for them with sigwait(). */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    memset(&info, 0, sizeof(info));
    info.port = port;
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    info.count_threads = 1;
    info.keepalive_timeout = 60;
    info.timeout_secs = 30;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    ctx = lws_create_context(&info);
    if (!ctx) {
        fprintf(stderr, "lws_hello: cannot start on 127.0.0.1:%d\n", port);
        return 1;
    }
    if (pthread_create(&service, NULL, service_main, ctx)) {
        lws_context_destroy(ctx);
        return 1;
    }
    fprintf(stderr, "lws_hello: listening on 127.0.0.1:%d (%s)\n", port,
            split_mode ? "split" : "one callback");

    sigwait(&set, &sig);
    atomic_store(&stopping, true);
    lws_cancel_service(ctx); /* wake the loop from this thread */
    pthread_join(service, NULL);
    lws_context_destroy(ctx);
    return 0;
}
