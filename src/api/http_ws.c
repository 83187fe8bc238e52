/*
 * http_ws.c - the WebSocket connections of the HTTP server (http.h): the state of one
 * connection, the lws events of the WebSocket path turned into the calls of struct
 * ts_http_ws_hooks, and the sends and closes the hooks ask for.
 *
 * Does not: own the event loop, the wake hook or its timer (http.c, whose lws callback
 * calls the ts_http__ws_* functions below), or know what the messages say (stream.c).
 * Everything here runs on the loop thread. A message arriving in fragments is gathered
 * into one buffer, bounded by hooks->max_message; RFC 6455 §5.4 for fragments, §7.4 for
 * the close codes.
 */
#include "api/http.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "api/guard.h"
#include "api/internal.h"
#include "core/log.h"
#include "core/mem.h"

#define WS_SNDBUF (128 * 1024) /* bytes of kernel send buffer per WebSocket connection */

/* A WebSocket connection: the lws handle, and the hooks' state for it. */
struct ts_http_ws {
    struct lws *wsi;
    const struct ts_http_ws_hooks *hooks; /* the server's, borrowed */
    void *conn;                           /* from hooks->open */
    struct ts_buf in;                     /* a message arriving in fragments */
    int close_code;                       /* set by ts_http_ws_close: close at the next writable */
    char close_reason[124];
};

int ts_http__ws_filter(const struct ts_http_ws_hooks *hooks, const struct ts_http_policy *p,
                       struct lws *wsi, ts_http_authenticate authenticate, void *app, int access,
                       struct ts_http_user *user)
{
    char uri[256];
    if (!hooks || lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 ||
        strcmp(uri, hooks->path) != 0) {
        return -1;
    }
    struct ts_http_verdict v;
    struct ts_http_resp r = {.status = 200};
    int rc = 0;
    ts_buf_init(&r.body);
    ts_http__guard(p, wsi, TS_HTTP_GET, true, &v);
    if (v.status) {
        ts_info("http", "WebSocket upgrade refused: %s", v.message);
        ts_http_error(&r, v.status, v.code, "%s", v.message);
        rc = ts_http__refuse_now(wsi, &r);
    } else if (authenticate) {
        /* on the loop thread: one indexed query per upgrade (a dashboard opens one) */
        char bearer[128], session[128], peer[64];
        struct ts_http_route route = {
            .method = TS_HTTP_GET, .pattern = hooks->path, .access = access};
        struct ts_http_req req = {
            .method = TS_HTTP_GET, .path = hooks->path, .query = "", .body = ""};
        ts_http__credentials(wsi, bearer, sizeof(bearer), session, sizeof(session), peer,
                             sizeof(peer));
        req.bearer = bearer[0] ? bearer : NULL;
        req.session = session[0] ? session : NULL;
        req.peer = peer;
        if (!authenticate(app, &route, &req, &r)) {
            ts_info("http", "WebSocket upgrade refused: %d (%.200s)", r.status, r.body.buf);
            rc = ts_http__refuse_now(wsi, &r);
        } else if (user) {
            *user = req.user;
        }
    }
    ts_buf_release(&r.body);
    return rc;
}

int ts_http__ws_open(const struct ts_http_ws_hooks *hooks, void *app, struct lws *wsi,
                     struct ts_http_ws **slot, const struct ts_http_user *user)
{
    /*
     * A fixed send buffer instead of the kernel's autotuning (up to 4 MiB): a
     * client that stops reading is noticed after WS_SNDBUF bytes, not megabytes,
     * and 50 stuck clients cannot pin 200 MiB of kernel memory.
     */
    int sndbuf = WS_SNDBUF;
    setsockopt(lws_get_socket_fd(wsi), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    struct ts_http_ws *ws = ts_xcalloc(1, sizeof(*ws));
    ws->wsi = wsi;
    ws->hooks = hooks;
    ts_buf_init(&ws->in);
    *slot = ws;
    ws->conn = hooks->open(app, ws, user);
    if (!ws->conn) {
        return -1; /* CLOSED frees ws */
    }
    return 0;
}

int ts_http__ws_receive(struct ts_http_ws *ws, struct lws *wsi, const void *in, size_t len)
{
    if (!ws || !ws->conn) {
        return -1;
    }
    if (lws_frame_is_binary(wsi)) {
        ts_http_ws_close(ws, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "text frames only");
        return 0;
    }
    if (ws->in.len + len > ws->hooks->max_message) {
        ts_http_ws_close(ws, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message too large");
        ts_buf_reset(&ws->in);
        return 0;
    }
    ts_buf_add(&ws->in, in, len);
    if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
        ws->hooks->message(ws->conn, ws->in.buf ? ws->in.buf : "", ws->in.len);
        ts_buf_reset(&ws->in);
    }
    return 0;
}

int ts_http__ws_writable(struct ts_http_ws *ws, struct lws *wsi)
{
    if (!ws) {
        return 0;
    }
    if (ws->close_code) {
        lws_close_reason(wsi, (enum lws_close_status)ws->close_code,
                         (unsigned char *)ws->close_reason, strlen(ws->close_reason));
        return -1;
    }
    if (ws->conn) {
        ws->hooks->writable(ws->conn);
    }
    return 0;
}

void ts_http__ws_closed(struct ts_http_ws **slot)
{
    struct ts_http_ws *ws = slot ? *slot : NULL;
    if (!ws) {
        return;
    }
    if (ws->conn) {
        ws->hooks->close(ws->conn);
    }
    ts_buf_release(&ws->in);
    ts_free(ws);
    *slot = NULL;
}

int ts_http_ws_send(struct ts_http_ws *ws, const char *msg, size_t len)
{
    unsigned char stackbuf[LWS_PRE + 4096];
    unsigned char *buf = stackbuf;
    if (ws->close_code) {
        return -1;
    }
    if (len > sizeof(stackbuf) - LWS_PRE) {
        buf = ts_xmalloc(LWS_PRE + len);
    }
    memcpy(buf + LWS_PRE, msg, len);
    int n = lws_write(ws->wsi, buf + LWS_PRE, len, LWS_WRITE_TEXT);
    if (buf != stackbuf) {
        ts_free(buf);
    }
    return n < (int)len ? -1 : 0;
}

void ts_http_ws_want_write(struct ts_http_ws *ws)
{
    lws_callback_on_writable(ws->wsi);
}

void ts_http_ws_close(struct ts_http_ws *ws, int code, const char *reason)
{
    if (ws->close_code) {
        return;
    }
    ws->close_code = code;
    snprintf(ws->close_reason, sizeof(ws->close_reason), "%s", reason);
    lws_callback_on_writable(ws->wsi);
    /* a peer that reads nothing never makes it writable: drop it after 5 s */
    lws_set_timeout(ws->wsi, PENDING_TIMEOUT_CLOSE_SEND, 5);
}
