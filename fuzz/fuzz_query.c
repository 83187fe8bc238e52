/*
 * fuzz_query.c - fuzz target for the query strings of the GET endpoints: the
 * decoder ts_api_qs (src/api/respond.h) and the readers of src/api/query.h.
 *
 * The input (up to its first NUL, as a query string is a C string) is decoded by
 * ts_api_qs and by a reference decoder written here from docs/api.md: '&'-separated,
 * empty segments skipped, the key up to the first '=', exact and among the allowed,
 * never twice; '+' is a space, %XX a byte (not %00), anything else after '%' refused.
 * Both must agree on the verdict, the refusal's message and every decoded byte.
 * Then each reader is checked against what it promises: text passes only when it is
 * valid UTF-8 (a reference validator, RFC 3629), an enum only when it is listed, a
 * UUID only in its 8-4-4-4-12 form and is bound lowercase, limit only as 1..4
 * digits from 1 to 1000, times bound as UTC microseconds rounded up with from <=
 * to. The input is also tried as the {id} of a path. Aborts on any mismatch.
 * Replayed over fuzz/seeds/query/ by ctest; with clang: -fsanitize=fuzzer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

#include "api/query.h"
#include "api/respond.h"
#include "core/mem.h"
#include "core/tstime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {"symbol", "status", "account_id", "from", "to", "limit", NULL};
enum { K_SYMBOL, K_STATUS, K_ACCOUNT, K_FROM, K_TO, K_LIMIT, K_COUNT };
static const char *const statuses[] = {"PENDING", "FILLED", "CANCELED"};

static void check(bool ok, const char *what, const char *query)
{
    if (!ok) {
        fprintf(stderr, "fuzz_query: %s: '%.200s'\n", what, query);
        abort();
    }
}

/* ------------------------------------------------------------------ reference */

struct ref {
    char *val[K_COUNT]; /* decoded, NUL-terminated; NULL when absent */
    char msg[512];      /* the refusal, "" when accepted */
};

static int hex(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
        return (c | 0x20) - 'a' + 10;
    }
    return -1;
}

static void ref_release(struct ref *r)
{
    for (int k = 0; k < K_COUNT; k++) {
        ts_free(r->val[k]);
        r->val[k] = NULL;
    }
}

/* Decodes query by the documented rules; r->msg is the expected refusal, or "". */
static void ref_decode(const char *query, struct ref *r)
{
    memset(r, 0, sizeof(*r));
    const char *seg = query;
    while (true) {
        const char *end = strchr(seg, '&');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len > 0) {
            const char *eq = memchr(seg, '=', len);
            size_t klen = eq ? (size_t)(eq - seg) : len;
            int k = 0;
            while (k < K_COUNT && !(strlen(keys[k]) == klen && !memcmp(keys[k], seg, klen))) {
                k++;
            }
            if (k == K_COUNT) {
                snprintf(r->msg, sizeof(r->msg), "unknown query parameter '%.*s'",
                         (int)(klen > 64 ? 64 : klen), seg);
                break;
            }
            if (r->val[k]) {
                snprintf(r->msg, sizeof(r->msg), "query parameter '%s' given twice", keys[k]);
                break;
            }
            const char *v = eq ? eq + 1 : seg + len;
            size_t vlen = (size_t)(seg + len - v), n = 0;
            char *out = ts_xmalloc(vlen + 1);
            bool bad = false;
            for (size_t i = 0; i < vlen && !bad; i++) {
                if (v[i] == '+') {
                    out[n++] = ' ';
                } else if (v[i] != '%') {
                    out[n++] = v[i];
                } else if (i + 2 < vlen && hex(v[i + 1]) >= 0 && hex(v[i + 2]) >= 0 &&
                           (hex(v[i + 1]) | hex(v[i + 2])) != 0) {
                    out[n++] = (char)(hex(v[i + 1]) * 16 + hex(v[i + 2]));
                    i += 2;
                } else {
                    bad = true;
                }
            }
            out[n] = '\0';
            r->val[k] = out;
            if (bad) {
                snprintf(r->msg, sizeof(r->msg), "bad percent-encoding in query parameter '%s'",
                         keys[k]);
                break;
            }
        }
        if (!end) {
            break;
        }
        seg = end + 1;
    }
    if (r->msg[0]) {
        ref_release(r);
    }
}

static bool ref_uuid(const char *s)
{
    if (strlen(s) != 36) {
        return false;
    }
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : hex(s[i]) < 0) {
            return false;
        }
    }
    return true;
}

static bool is_lower_of(const char *bound, const char *raw)
{
    size_t n = strlen(raw);
    if (strlen(bound) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char want = raw[i] >= 'A' && raw[i] <= 'F' ? (char)(raw[i] | 0x20) : raw[i];
        if (bound[i] != want) {
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------ readers */

static void check_text(struct ts_query *q, const char *query)
{
    const char *raw = q->raw[K_SYMBOL];
    struct ts_err err = TS_ERR_INIT;
    int rc = ts_query_text(q, "symbol", &err);
    check(rc == 0 ? !raw || ts_fuzz_ref_utf8(raw, strlen(raw))
                  : rc == TS_EINVAL && raw && !ts_fuzz_ref_utf8(raw, strlen(raw)),
          "text: the verdict is not whether the value is valid UTF-8", query);
    check(rc || q->param[K_SYMBOL] == raw, "text: bound something else than the value", query);
}

static void check_enum(struct ts_query *q, const char *query)
{
    const char *raw = q->raw[K_STATUS];
    struct ts_err err = TS_ERR_INIT;
    bool listed = false;
    for (int k = 0; raw && k < 3; k++) {
        listed = listed || strcmp(raw, statuses[k]) == 0;
    }
    int rc = ts_query_enum(q, "status", statuses, 3, &err);
    check(rc == 0 ? !raw || listed : rc == TS_EINVAL && raw && !listed,
          "enum: the verdict is not whether the value is listed", query);
}

static void check_uuid(struct ts_query *q, const char *query)
{
    const char *raw = q->raw[K_ACCOUNT];
    struct ts_err err = TS_ERR_INIT;
    int rc = ts_query_uuid(q, "account_id", &err);
    check(rc == 0 ? !raw || ref_uuid(raw) : rc == TS_EINVAL && raw && !ref_uuid(raw),
          "uuid: the verdict is not whether the value is 8-4-4-4-12 hex", query);
    check(rc || !raw || is_lower_of(q->param[K_ACCOUNT], raw), "uuid: not bound lowercase", query);
}

static void check_limit(struct ts_query *q, const char *query)
{
    const char *raw = q->raw[K_LIMIT];
    struct ts_err err = TS_ERR_INIT;
    int want = raw ? -1 : 100;
    size_t n = raw ? strlen(raw) : 0;
    if (raw && n >= 1 && n <= 4 && strspn(raw, "0123456789") == n && atoi(raw) >= 1 &&
        atoi(raw) <= 1000) {
        want = atoi(raw);
    }
    int rc = ts_query_limit(q, &err);
    char text[16];
    snprintf(text, sizeof(text), "%d", want);
    check(rc == 0 ? want > 0 && strcmp(q->param[K_LIMIT], text) == 0 : rc == TS_EINVAL && want < 0,
          "limit: not 1..4 digits from 1 to 1000 bound as an integer", query);
}

/*
 * The instant a raw bound names, rounded up to the microsecond, when it parses: as it
 * is, or with the space before an offset read as the '+' form encoding turned into one
 * (docs/api.md). False when it does not, or is too close to the end of int64 to round.
 */
static bool ceil_us(const char *raw, int64_t *ns)
{
    char fixed[64];
    size_t len = strlen(raw);
    if (len > 19 && len < sizeof(fixed) && raw[len - 6] == ' ' && raw[len - 3] == ':') {
        memcpy(fixed, raw, len + 1);
        fixed[len - 6] = '+';
        raw = fixed;
    }
    if (ts_time_parse_rfc3339(raw, len, ns) != 0 || *ns > INT64_MAX - TS_NS_PER_US) {
        return false;
    }
    int64_t rem = *ns % TS_NS_PER_US;
    *ns += rem > 0 ? TS_NS_PER_US - rem : -rem;
    return true;
}

static void check_range(struct ts_query *q, const char *query)
{
    struct ts_err err = TS_ERR_INIT;
    int rc = ts_query_range(q, &err);
    int64_t want[2];
    bool parses[2];
    for (int b = 0; b < 2; b++) {
        const char *raw = q->raw[K_FROM + b];
        parses[b] = raw && ceil_us(raw, &want[b]);
    }
    if (rc) {
        check(rc == err.code && (rc == TS_EINVAL || rc == TS_ERANGE) &&
                  (!strncmp(err.msg, "query parameter 'from'", 22) ||
                   !strncmp(err.msg, "query parameter 'to'", 20)),
              "range: a refusal that does not name its parameter", query);
        check(!(parses[0] && parses[1] && want[0] <= want[1]) && !(parses[0] && !q->raw[K_TO]) &&
                  !(parses[1] && !q->raw[K_FROM]),
              "range: a valid range refused", query);
        return;
    }
    for (int b = 0; b < 2; b++) {
        const char *p = q->param[K_FROM + b];
        int64_t back;
        if (!q->raw[K_FROM + b]) {
            check(p == NULL, "range: an absent bound is not NULL", query);
            continue;
        }
        check(p != NULL && strlen(p) == 27 && p[10] == 'T' && p[19] == '.' && p[26] == 'Z',
              "range: a bound not as UTC with microseconds", query);
        /*
         * The last microsecond of the int64 range cannot be rounded up: there the reader
         * binds it rounded down and keeps ns unrounded (query.c, query_time). A known edge,
         * 2262-04-11T23:47:16.854775001Z and after; everything before it must be exact.
         */
        check(ts_time_parse_rfc3339(p, strlen(p), &back) == 0 &&
                  (q->ns[K_FROM + b] > INT64_MAX - TS_NS_PER_US ||
                   (back == q->ns[K_FROM + b] && back % TS_NS_PER_US == 0)),
              "range: the bound text is not the instant", query);
        check(!parses[b] || back == want[b], "range: not the instant rounded up", query);
    }
    check(!q->raw[K_FROM] || !q->raw[K_TO] || q->ns[K_FROM] <= q->ns[K_TO],
          "range: from after to accepted", query);
}

static void check_path_id(const char *query)
{
    struct ts_http_req req;
    struct ts_err err = TS_ERR_INIT;
    char out[TS_UUID_STRLEN];
    memset(&req, 0, sizeof(req));
    req.query = "";
    req.params[0] = query;
    req.nparams = 1;
    int rc = ts_query_path_uuid(&req, "order", out, &err);
    check(rc == 0 ? ref_uuid(query) && is_lower_of(out, query)
                  : rc == TS_EINVAL && !ref_uuid(query) && strncmp(err.msg, "order id '", 10) == 0,
          "path id: the verdict is not whether it is a UUID, or not bound lowercase", query);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *query = ts_xmalloc(size + 1);
    memcpy(query, data, size);
    query[size] = '\0';

    struct ref want;
    char *vals[K_COUNT + 1];
    struct ts_err err = TS_ERR_INIT;
    ref_decode(query, &want);
    int rc = ts_api_qs(query, keys, vals, &err);
    if (want.msg[0]) {
        check(rc == TS_EINVAL && err.code == TS_EINVAL, "refused by the reference only", query);
        check(strcmp(err.msg, want.msg) == 0, "not the reference's refusal", query);
        for (int k = 0; k < K_COUNT; k++) {
            check(vals[k] == NULL, "a value left after a refusal", query);
        }
    } else {
        check(rc == 0, "refused, the reference accepts", query);
        for (int k = 0; k < K_COUNT; k++) {
            check((vals[k] == NULL) == (want.val[k] == NULL) &&
                      (!vals[k] || strcmp(vals[k], want.val[k]) == 0),
                  "a value differs from the reference's", query);
        }
        ts_api_qs_free(keys, vals);
    }

    struct ts_http_req req;
    struct ts_query q;
    memset(&req, 0, sizeof(req));
    req.query = query;
    rc = ts_query_open(&q, &req, keys, &err);
    check((rc == 0) == (want.msg[0] == '\0'), "ts_query_open and ts_api_qs disagree", query);
    if (rc == 0) {
        check_text(&q, query);
        check_enum(&q, query);
        check_uuid(&q, query);
        check_limit(&q, query);
        check_range(&q, query);
    }
    ts_query_close(&q);
    check_path_id(query);
    ref_release(&want);
    ts_free(query);
    return 0;
}
