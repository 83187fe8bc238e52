/*
 * http_reply.c - what the HTTP server answers by itself, before or beside a route: the
 * error envelope of API.md (its one writer), the guard's verdict on a request's headers
 * (guard.h) and a refusal written before a job exists (an upgrade), and the CORS headers
 * of a listed origin. Loop thread, but for ts_http_error*, which handlers call anywhere.
 */
#include "api/http.h"

#include <libwebsockets.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/guard.h"
#include "api/internal.h"

/* The one writer of the error envelope of API.md (details: a JSON object text or NULL). */
static void error_envelope(struct ts_http_resp *resp, int status, const char *code,
                           const char *details, const char *fmt, va_list ap) TS_PRINTF(5, 0);
static void error_envelope(struct ts_http_resp *resp, int status, const char *code,
                           const char *details, const char *fmt, va_list ap)
{
    struct ts_buf msg = TS_BUF_INIT;
    ts_buf_vaddf(&msg, fmt, ap);
    resp->status = status;
    resp->content_type = "application/json";
    ts_buf_reset(&resp->body);
    ts_buf_adds(&resp->body, "{\"error\":{\"code\":");
    ts_buf_add_json_str(&resp->body, code);
    ts_buf_adds(&resp->body, ",\"message\":");
    ts_buf_add_json_str(&resp->body, msg.buf);
    if (details) {
        ts_buf_adds(&resp->body, ",\"details\":");
        ts_buf_adds(&resp->body, details);
    }
    ts_buf_adds(&resp->body, "}}");
    ts_buf_release(&msg);
}

void ts_http_error(struct ts_http_resp *resp, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_envelope(resp, status, code, NULL, fmt, ap);
    va_end(ap);
}

void ts_http_error_details(struct ts_http_resp *resp, int status, const char *code,
                           const char *details, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_envelope(resp, status, code, details, fmt, ap);
    va_end(ap);
}

/* A header's value into buf: NULL when absent, "" when it does not fit (never matches). */
static const char *header(struct lws *wsi, enum lws_token_indexes tok, char *buf, int cap)
{
    int n = lws_hdr_total_length(wsi, tok);
    if (n <= 0) {
        return NULL;
    }
    if (n >= cap || lws_hdr_copy(wsi, buf, cap, tok) != n) {
        buf[0] = '\0';
    }
    return buf;
}

void ts_http__guard(const struct ts_http_policy *p, struct lws *wsi, enum ts_http_method m,
                    bool upgrade, struct ts_http_verdict *v)
{
    char host[TS_HTTP_POLICY_LEN], origin[TS_HTTP_POLICY_LEN], ct[256], site[32];
    struct ts_http_guard_in in = {
        .method = m,
        .host = header(wsi, WSI_TOKEN_HOST, host, sizeof(host)),
        .origin = header(wsi, WSI_TOKEN_ORIGIN, origin, sizeof(origin)),
        .content_type = header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, ct, sizeof(ct)),
        .has_body = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 ||
                    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0,
        .upgrade = upgrade,
    };
    int n = lws_hdr_custom_length(wsi, "sec-fetch-site:", 15);
    if (n > 0) {
        if (n >= (int)sizeof(site) ||
            lws_hdr_custom_copy(wsi, site, sizeof(site), "sec-fetch-site:", 15) != n) {
            snprintf(site, sizeof(site), "cross-site"); /* no browser sends that: the worst case */
        }
        in.fetch_site = site;
    }
    if (in.has_body && lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
        char cl[32];
        in.has_body =
            !(header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, cl, sizeof(cl)) && !strcmp(cl, "0") &&
              lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) <= 0);
    }
    ts_http_guard(p, &in, v);
}

int ts_http__refuse_now(struct lws *wsi, const struct ts_http_resp *r)
{
    unsigned char buf[LWS_PRE + 2048];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof(buf) - 1;
    if (!lws_add_http_common_headers(wsi, (unsigned)r->status, "application/json", r->body.len, &p,
                                     end) &&
        !lws_add_http_header_by_name(wsi, (const unsigned char *)"connection:",
                                     (const unsigned char *)"close", 5, &p, end) &&
        !lws_finalize_http_header(wsi, &p, end) && (size_t)(end - p) >= r->body.len) {
        memcpy(p, r->body.buf, r->body.len);
        p += r->body.len;
        (void)lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_HEADERS);
    }
    return -1; /* the connection closes */
}

/* The value of cookie `name` in a Cookie header ("a=1; b=2") into out, or "". */
static void cookie_value(const char *header, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    out[0] = '\0';
    for (const char *c = header; c && *c;) {
        while (*c == ' ' || *c == ';') {
            c++;
        }
        size_t len = strcspn(c, ";");
        if (len > n && !strncmp(c, name, n) && c[n] == '=') {
            size_t v = len - n - 1;
            if (v < cap) {
                memcpy(out, c + n + 1, v);
                out[v] = '\0';
            }
            return;
        }
        c += len;
    }
}

void ts_http__credentials(struct lws *wsi, char *bearer, size_t bcap, char *session, size_t scap,
                          char *peer, size_t pcap)
{
    char buf[4096];
    bearer[0] = session[0] = '\0';
    const char *auth = header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, buf, sizeof(buf));
    if (auth && !strncasecmp(auth, "Bearer ", 7)) {
        const char *t = auth + 7;
        while (*t == ' ') {
            t++;
        }
        if (strlen(t) < bcap) {
            snprintf(bearer, bcap, "%s", t);
        }
    }
    const char *cookies = header(wsi, WSI_TOKEN_HTTP_COOKIE, buf, sizeof(buf));
    cookie_value(cookies, "ts_session", session, scap);
    peer[0] = '\0';
    lws_get_peer_simple(wsi, peer, pcap);
}

int ts_http__extra_headers(struct lws *wsi, const struct ts_http_resp *r, unsigned char **p,
                           unsigned char *end)
{
    if (r->set_cookie[0] && lws_add_http_header_by_name(wsi, (const unsigned char *)"set-cookie:",
                                                        (const unsigned char *)r->set_cookie,
                                                        (int)strlen(r->set_cookie), p, end)) {
        return -1;
    }
    if (r->location[0] && lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_LOCATION,
                                                       (const unsigned char *)r->location,
                                                       (int)strlen(r->location), p, end)) {
        return -1;
    }
    return 0;
}

/* A listed origin's answer (guard.h): who may read it, and for a preflight what it may send. */
int ts_http__cors_headers(struct lws *wsi, const char *origin, bool preflight, unsigned char **p,
                          unsigned char *end)
{
    static const struct {
        const char *name, *value;
    } asks[] = {
        {"access-control-allow-methods:", "GET, POST, PUT, PATCH, DELETE"},
        {"access-control-allow-headers:", "Authorization, Content-Type"},
        {"access-control-max-age:", "600"},
    };
    if (!origin[0]) {
        return 0;
    }
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)"access-control-allow-origin:",
                                    (const unsigned char *)origin, (int)strlen(origin), p, end) ||
        lws_add_http_header_by_name(
            wsi, (const unsigned char *)"vary:", (const unsigned char *)"Origin", 6, p, end)) {
        return -1;
    }
    for (size_t i = 0; preflight && i < sizeof(asks) / sizeof(asks[0]); i++) {
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)asks[i].name,
                                        (const unsigned char *)asks[i].value,
                                        (int)strlen(asks[i].value), p, end)) {
            return -1;
        }
    }
    return 0;
}
