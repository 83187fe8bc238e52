/*
 * civet_hello.c - benchmark server for choosing the HTTP/WebSocket library
 * (bench/http_choice): civetweb 1.15 answering GET /api/v1/health with
 * {"status":"ok"} on 127.0.0.1:PORT, with a proper Content-Length.
 *
 *   civet_hello PORT              tuned: enable_keep_alive=yes, tcp_nodelay=1
 *   civet_hello PORT --defaults   civetweb's defaults (keep-alive off, Nagle on)
 *   civet_hello PORT --one-write  tuned, but the handler formats the whole reply
 *                                 itself and sends it with one mg_write():
 *                                 mg_send_http_ok() sends every header line with
 *                                 its own send(), i.e. its own TCP segment once
 *                                 tcp_nodelay=1 (10 per reply here)
 *
 * civetweb's model is one worker thread per connection (num_threads, left at its
 * default of 50 in both modes): the handler below runs on that thread and writes
 * the reply itself. The main thread waits for SIGINT/SIGTERM, then mg_stop().
 * Anything other than GET /api/v1/health gets a 404.
 */
#define _POSIX_C_SOURCE 200809L

#include <civetweb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char health_body[] = "{\"status\":\"ok\"}";
static bool one_write;

static int health(struct mg_connection *conn, void *cbdata)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    size_t n = sizeof(health_body) - 1;

    (void)cbdata;
    if (strcmp(ri->request_method, "GET") != 0 || strcmp(ri->local_uri, "/api/v1/health") != 0) {
        mg_send_http_error(conn, 404, "%s", "");
        return 404;
    }
    if (one_write) {
        /* HTTP/1.1 is persistent unless a side says close: no Connection header needed */
        char reply[256];
        int len = snprintf(reply, sizeof(reply),
                           "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           "Content-Length: %zu\r\n\r\n%s",
                           n, health_body);
        return mg_write(conn, reply, (size_t)len) == len ? 200 : 0;
    }
    /* status line and headers (Content-Length, Connection per keep-alive), then body */
    if (mg_send_http_ok(conn, "application/json", (long long)n) < 0 ||
        mg_write(conn, health_body, n) != (int)n) {
        return 0; /* civetweb closes the connection */
    }
    return 200;
}

/* Everything else: 404 (civetweb would otherwise try to serve files). */
static int not_found(struct mg_connection *conn, void *cbdata)
{
    (void)cbdata;
    mg_send_http_error(conn, 404, "%s", "");
    return 404;
}

int main(int argc, char **argv)
{
    char ports[32];
    struct mg_callbacks cb;
    struct mg_context *ctx;
    sigset_t set;
    int sig, port;
    bool defaults;

    if (argc < 2 || (port = atoi(argv[1])) <= 0 || port > 65535 ||
        (argc > 2 && strcmp(argv[2], "--defaults") != 0 && strcmp(argv[2], "--one-write") != 0) ||
        argc > 3) {
        fprintf(stderr, "usage: %s PORT [--defaults | --one-write]\n", argv[0]);
        return 2;
    }
    defaults = argc > 2 && strcmp(argv[2], "--defaults") == 0;
    one_write = argc > 2 && !defaults;
    snprintf(ports, sizeof(ports), "127.0.0.1:%d", port);

    const char *tuned_opts[] = {
        "listening_ports", ports, "enable_keep_alive", "yes", "tcp_nodelay", "1", NULL};
    const char *default_opts[] = {"listening_ports", ports, NULL};

    /* Block the stop signals in every thread (civetweb's inherit the mask). */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    mg_init_library(0);
    memset(&cb, 0, sizeof(cb));
    ctx = mg_start(&cb, NULL, defaults ? default_opts : tuned_opts);
    if (!ctx) {
        fprintf(stderr, "civet_hello: cannot start on %s\n", ports);
        mg_exit_library();
        return 1;
    }
    mg_set_request_handler(ctx, "/api/v1/health", health, NULL);
    mg_set_request_handler(ctx, "/", not_found, NULL);
    fprintf(stderr, "civet_hello: listening on %s (%s; websocket support %s)\n", ports,
            defaults    ? "defaults"
            : one_write ? "keep-alive + tcp_nodelay, one write"
                        : "keep-alive + tcp_nodelay",
            mg_check_feature(16) ? "built in" : "absent");

    sigwait(&set, &sig);
    mg_stop(ctx);
    mg_exit_library();
    return 0;
}
