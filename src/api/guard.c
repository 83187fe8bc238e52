/*
 * guard.c - the refusals of guard.h: Host names, origins, content types. Header values
 * arrive as the client sent them; every comparison here is ASCII case-insensitive, and a
 * value with a byte outside printable ASCII never matches anything.
 */
#include "api/guard.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e) {
            return false;
        }
    }
    return true;
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

/* A DNS name: letters, digits, '-' and '.', 1..253 of them, not starting with '.' or '-'. */
static bool dns_name(const char *s, size_t n)
{
    if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!name_char(s[i])) {
            return false;
        }
    }
    return true;
}

static void lower_copy(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        dst[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    dst[n] = '\0';
}

/* "digits" 1..65535 */
static bool port_ok(const char *s, size_t n)
{
    if (n == 0 || n > 5) {
        return false;
    }
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

/*
 * Splits "host[:port]" ("[v6][:port]"): name and nlen give the host without brackets or port.
 * False when it is not of that shape.
 */
static bool split_host(const char *h, const char **name, size_t *nlen, bool *v6)
{
    size_t n = strlen(h);
    *v6 = false;
    if (n == 0 || !printable(h, n)) {
        return false;
    }
    if (h[0] == '[') {
        const char *close = strchr(h, ']');
        if (!close || (close[1] && (close[1] != ':' || !port_ok(close + 2, strlen(close + 2))))) {
            return false;
        }
        *name = h + 1;
        *nlen = (size_t)(close - h - 1);
        *v6 = true;
        return *nlen > 0;
    }
    const char *colon = strchr(h, ':');
    if (colon && !port_ok(colon + 1, strlen(colon + 1))) {
        return false;
    }
    *name = h;
    *nlen = colon ? (size_t)(colon - h) : n;
    return *nlen > 0;
}

bool ts_http_host_ok(const struct ts_http_policy *p, const char *host)
{
    const char *name;
    size_t n;
    bool v6;
    char buf[TS_HTTP_POLICY_LEN];
    unsigned char addr[16];
    if (!host || !split_host(host, &name, &n, &v6) || n >= sizeof(buf)) {
        return false;
    }
    lower_copy(buf, name, n);
    if (v6) {
        return inet_pton(AF_INET6, buf, addr) == 1; /* an address: no name to rebind */
    }
    if (inet_pton(AF_INET, buf, addr) == 1) {
        return true;
    }
    if (!dns_name(buf, n)) {
        return false;
    }
    if (!strcmp(buf, "localhost") || (n > 10 && !strcmp(buf + n - 10, ".localhost"))) {
        return true; /* browsers resolve these to loopback themselves */
    }
    for (int i = 0; i < p->nhosts; i++) {
        if (!strcmp(buf, p->hosts[i])) {
            return true;
        }
    }
    return false;
}

/* Whether origin is "http://<host>" or "https://<host>", host as the request named it. */
static bool same_origin(const char *origin, const char *host)
{
    size_t skip = !strncasecmp(origin, "http://", 7)    ? 7
                  : !strncasecmp(origin, "https://", 8) ? 8
                                                        : 0;
    return skip && host && *host && !strcasecmp(origin + skip, host);
}

enum ts_http_site ts_http_site_of(const struct ts_http_policy *p, const char *host,
                                  const char *origin, const char *fetch_site)
{
    if (origin) {
        if (same_origin(origin, host)) {
            return TS_HTTP_SAME_SITE;
        }
        for (int i = 0; i < p->norigins; i++) {
            if (!strcasecmp(origin, p->origins[i])) {
                return TS_HTTP_LISTED;
            }
        }
        return TS_HTTP_CROSS; /* "null" (a sandbox, a file) included */
    }
    if (fetch_site &&
        (!strcasecmp(fetch_site, "cross-site") || !strcasecmp(fetch_site, "same-site"))) {
        return TS_HTTP_CROSS; /* a browser said so and gave no origin to allow */
    }
    return TS_HTTP_SAME_SITE;
}

/* application/json, optionally with parameters ("; charset=utf-8"). */
static bool json_type(const char *ct)
{
    static const char want[] = "application/json";
    size_t n = sizeof(want) - 1;
    if (strncasecmp(ct, want, n) != 0) {
        return false;
    }
    const char *rest = ct + n;
    while (*rest == ' ' || *rest == '\t') {
        rest++;
    }
    return *rest == '\0' || *rest == ';';
}

static bool changes_state(enum ts_http_method m)
{
    return m == TS_HTTP_POST || m == TS_HTTP_PUT || m == TS_HTTP_PATCH || m == TS_HTTP_DELETE ||
           m == TS_HTTP_OTHER;
}

/* A header's value for a message: printable, cut to fit. */
static const char *shown(const char *v, char *buf, size_t cap)
{
    size_t n = strlen(v);
    if (n >= cap) {
        n = cap - 4;
    }
    if (!printable(v, n)) {
        return "(not printable)";
    }
    snprintf(buf, cap, "%.*s%s", (int)n, v, n < strlen(v) ? "..." : "");
    return buf;
}

void ts_http_guard(const struct ts_http_policy *p, const struct ts_http_guard_in *in,
                   struct ts_http_verdict *out)
{
    char b[160];
    out->status = 0;
    out->code = NULL;
    out->message[0] = '\0';
    out->site = TS_HTTP_SAME_SITE;
    if (!ts_http_host_ok(p, in->host)) {
        out->status = 421;
        out->code = "misdirected_request";
        snprintf(out->message, sizeof(out->message),
                 "Host '%s' is not a name of this server (an IP address, localhost, or a name "
                 "of TS_ALLOWED_HOSTS)",
                 in->host ? shown(in->host, b, sizeof(b)) : "");
        return;
    }
    out->site = ts_http_site_of(p, in->host, in->origin, in->fetch_site);
    if ((in->upgrade || changes_state(in->method)) && out->site == TS_HTTP_CROSS) {
        out->status = 403;
        out->code = "cross_site";
        snprintf(out->message, sizeof(out->message),
                 "%s from another site refused (origin '%s'; TS_CORS_ORIGINS lists the "
                 "origins allowed)",
                 in->upgrade ? "a WebSocket" : "a request that changes state",
                 in->origin ? shown(in->origin, b, sizeof(b)) : "not given");
        return;
    }
    if (!in->upgrade && changes_state(in->method) &&
        (in->content_type ? !json_type(in->content_type) : in->has_body)) {
        out->status = 415;
        out->code = "unsupported_media_type";
        snprintf(out->message, sizeof(out->message),
                 "a request body must be sent as Content-Type: application/json (got '%s')",
                 in->content_type ? shown(in->content_type, b, sizeof(b)) : "none");
    }
}

/* One comma-separated entry at a time into dst (trimmed); false at the end. */
static bool next_entry(const char **s, char *dst, size_t cap, bool *too_long)
{
    while (**s == ',' || **s == ' ') {
        (*s)++;
    }
    if (!**s) {
        return false;
    }
    size_t n = strcspn(*s, ",");
    size_t m = n;
    while (m && (*s)[m - 1] == ' ') {
        m--;
    }
    *too_long = m >= cap;
    if (!*too_long) {
        lower_copy(dst, *s, m);
    }
    *s += n;
    return true;
}

/* "http://name[:port]" or "https://...": the shape of an origin, no path. */
static bool origin_ok(const char *o)
{
    size_t skip = !strncmp(o, "http://", 7) ? 7 : !strncmp(o, "https://", 8) ? 8 : 0;
    const char *name;
    size_t n;
    bool v6;
    if (!skip || !split_host(o + skip, &name, &n, &v6)) {
        return false;
    }
    return v6 || dns_name(name, n);
}

static bool host_entry_ok(const char *e)
{
    return dns_name(e, strlen(e));
}

/* One setting's comma-separated entries, each checked by ok, into list (at most
 * TS_HTTP_POLICY_MAX); setting and want name them in the refusal. */
static int parse_list(const char *setting, const char *value, bool (*ok)(const char *),
                      const char *want, char list[][TS_HTTP_POLICY_LEN], int *n, struct ts_err *err)
{
    char e[TS_HTTP_POLICY_LEN];
    bool too_long;
    for (const char *s = value ? value : ""; next_entry(&s, e, sizeof(e), &too_long);) {
        if (too_long || !ok(e)) {
            return ts_err_set(err, TS_EINVAL, "%s: '%.60s' is not %s (separated by commas)",
                              setting, too_long ? "(too long)" : e, want);
        }
        if (*n == TS_HTTP_POLICY_MAX) {
            return ts_err_set(err, TS_EINVAL, "%s: at most %d entries", setting,
                              TS_HTTP_POLICY_MAX);
        }
        memcpy(list[(*n)++], e, sizeof(e));
    }
    return 0;
}

int ts_http_policy_parse(const char *hosts, const char *origins, struct ts_http_policy *out,
                         struct ts_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = parse_list("TS_ALLOWED_HOSTS", hosts, host_entry_ok, "a host name", out->hosts,
                        &out->nhosts, err);
    return rc ? rc
              : parse_list("TS_CORS_ORIGINS", origins, origin_ok,
                           "an origin (http[s]://host[:port])", out->origins, &out->norigins, err);
}
