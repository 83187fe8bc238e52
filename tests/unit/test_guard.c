/*
 * test_guard.c - what the HTTP server refuses before any route runs (api/guard.h), table
 * by table: Host names (DNS rebinding), where a request comes from (Origin,
 * Sec-Fetch-Site), the verdict on whole requests, and the settings that widen the policy.
 * The same refusals against the real server: tests/cli/test_guard.sh and, from a real
 * Chromium, tests/web/test_attacks.mjs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/guard.h"

#include "unit.h"

static struct ts_http_policy policy(const char *hosts, const char *origins)
{
    struct ts_http_policy p;
    struct ts_err err = TS_ERR_INIT;
    if (ts_http_policy_parse(hosts, origins, &p, &err)) {
        fail_msg("policy '%s' '%s': %s", hosts, origins, err.msg);
    }
    return p;
}

static void test_host(void **state)
{
    (void)state;
    static const struct {
        const char *host;
        bool ok;
    } cases[] = {
        {"127.0.0.1:8080", true},
        {"127.0.0.1", true},
        {"192.168.0.10:8080", true}, /* an address: nothing to rebind */
        {"[::1]:8080", true},
        {"[::1]", true},
        {"localhost:8080", true},
        {"LOCALHOST:8080", true},
        {"app.localhost:8080", true},
        {"desk.example:8080", true}, /* listed below */
        {"DESK.example", true},
        {"evil.example:8080", false},
        {"evil.example", false},
        {"localhost.evil.example:8080", false},
        {"evillocalhost", false},
        {"desk.example.evil:8080", false},
        {"127.0.0.1.evil.example", false},
        {"", false},
        {NULL, false},
        {":8080", false},
        {"localhost:", false},
        {"localhost:0", false},
        {"localhost:65536", false},
        {"localhost:80a", false},
        {"localhost:8080:1", false},
        {"[::1", false},
        {"[::1]x", false},
        {"[evil.example]:80", false},
        {"local host", false},
        {"localhost\t", false},
        {"loc\xc3\xa1lhost", false},
        {"127.0.0.1\r\nX-Evil: 1", false},
        {"-localhost", false},
    };
    struct ts_http_policy p = policy("desk.example", NULL);
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = ts_http_host_ok(&p, cases[i].host);
        EXPECT(got == cases[i].ok, cases[i].host ? cases[i].host : "(none)", "got %d, want %d", got,
               cases[i].ok);
    }
    assert_int_equal(failures, 0);
}

static void test_site(void **state)
{
    (void)state;
    static const struct {
        const char *name, *host, *origin, *fetch_site;
        enum ts_http_site want;
    } cases[] = {
        {"no browser evidence (curl)", "127.0.0.1:8080", NULL, NULL, TS_HTTP_SAME_SITE},
        {"our own page", "127.0.0.1:8080", "http://127.0.0.1:8080", "same-origin",
         TS_HTTP_SAME_SITE},
        {"our own page, case differs", "LOCALHOST:8080", "http://localhost:8080", NULL,
         TS_HTTP_SAME_SITE},
        {"our own page under TLS", "127.0.0.1:8443", "https://127.0.0.1:8443", NULL,
         TS_HTTP_SAME_SITE},
        {"typed in the address bar", "127.0.0.1:8080", NULL, "none", TS_HTTP_SAME_SITE},
        {"another site", "127.0.0.1:8080", "https://evil.example", "cross-site", TS_HTTP_CROSS},
        {"another port of localhost", "127.0.0.1:8080", "http://127.0.0.1:3000", "same-site",
         TS_HTTP_CROSS},
        {"the same name, another port", "localhost:8080", "http://localhost:8081", NULL,
         TS_HTTP_CROSS},
        {"a sandboxed frame or a file", "127.0.0.1:8080", "null", "cross-site", TS_HTTP_CROSS},
        {"a longer origin", "127.0.0.1:8080", "http://127.0.0.1:8080.evil.example", NULL,
         TS_HTTP_CROSS},
        {"another scheme", "127.0.0.1:8080", "ftp://127.0.0.1:8080", NULL, TS_HTTP_CROSS},
        {"no origin, cross-site", "127.0.0.1:8080", NULL, "cross-site", TS_HTTP_CROSS},
        {"no origin, same-site", "127.0.0.1:8080", NULL, "same-site", TS_HTTP_CROSS},
        {"a listed origin", "127.0.0.1:8080", "http://localhost:5173", "same-site", TS_HTTP_LISTED},
        {"a listed origin, case differs", "127.0.0.1:8080", "HTTP://LOCALHOST:5173", NULL,
         TS_HTTP_LISTED},
        {"the listed origin on another port", "127.0.0.1:8080", "http://localhost:5174", NULL,
         TS_HTTP_CROSS},
    };
    struct ts_http_policy p = policy(NULL, "http://localhost:5173");
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum ts_http_site got =
            ts_http_site_of(&p, cases[i].host, cases[i].origin, cases[i].fetch_site);
        EXPECT(got == cases[i].want, cases[i].name, "got %d, want %d", (int)got,
               (int)cases[i].want);
    }
    assert_int_equal(failures, 0);
}

static void test_verdict(void **state)
{
    (void)state;
#define H "127.0.0.1:8080"
    static const struct {
        const char *name;
        struct ts_http_guard_in in;
        int want;
        const char *code;
    } cases[] = {
        {"a GET", {TS_HTTP_GET, H, NULL, NULL, NULL, false, false}, 0, NULL},
        {"a GET from another site (CORS keeps its answer from the page)",
         {TS_HTTP_GET, H, "https://evil.example", "cross-site", NULL, false, false},
         0,
         NULL},
        {"a GET under a rebound name",
         {TS_HTTP_GET, "evil.example:8080", NULL, NULL, NULL, false, false},
         421,
         "misdirected_request"},
        {"no Host", {TS_HTTP_GET, NULL, NULL, NULL, NULL, false, false}, 421, NULL},
        {"a JSON POST from curl",
         {TS_HTTP_POST, H, NULL, NULL, "application/json", true, false},
         0,
         NULL},
        {"a JSON POST with a charset",
         {TS_HTTP_POST, H, NULL, NULL, "Application/JSON; charset=utf-8", true, false},
         0,
         NULL},
        {"a POST with no body and no type (POST /feed/stop)",
         {TS_HTTP_POST, H, NULL, NULL, NULL, false, false},
         0,
         NULL},
        {"a DELETE with no body", {TS_HTTP_DELETE, H, NULL, NULL, NULL, false, false}, 0, NULL},
        {"our own page's POST",
         {TS_HTTP_POST, H, "http://" H, "same-origin", "application/json", true, false},
         0,
         NULL},
        {"a simple cross-site POST (text/plain)",
         {TS_HTTP_POST, H, "https://evil.example", "cross-site", "text/plain", true, false},
         403,
         "cross_site"},
        {"a cross-site form",
         {TS_HTTP_POST, H, "https://evil.example", NULL, "application/x-www-form-urlencoded", true,
          false},
         403,
         "cross_site"},
        {"a cross-site POST without a body",
         {TS_HTTP_POST, H, "https://evil.example", "cross-site", NULL, false, false},
         403,
         "cross_site"},
        {"a cross-site DELETE", {TS_HTTP_DELETE, H, "null", NULL, NULL, false, false}, 403, NULL},
        {"a POST another localhost port sends",
         {TS_HTTP_POST, H, NULL, "same-site", "application/json", true, false},
         403,
         "cross_site"},
        {"a text/plain POST from curl",
         {TS_HTTP_POST, H, NULL, NULL, "text/plain", true, false},
         415,
         "unsupported_media_type"},
        {"a form from curl -d",
         {TS_HTTP_POST, H, NULL, NULL, "application/x-www-form-urlencoded", true, false},
         415,
         NULL},
        {"a body with no type", {TS_HTTP_PUT, H, NULL, NULL, NULL, true, false}, 415, NULL},
        {"application/jsonx",
         {TS_HTTP_PATCH, H, NULL, NULL, "application/jsonx", true, false},
         415,
         NULL},
        {"a WebSocket from our page",
         {TS_HTTP_GET, H, "http://" H, NULL, NULL, false, true},
         0,
         NULL},
        {"a WebSocket from a script", {TS_HTTP_GET, H, NULL, NULL, NULL, false, true}, 0, NULL},
        {"a WebSocket from another site",
         {TS_HTTP_GET, H, "https://evil.example", NULL, NULL, false, true},
         403,
         "cross_site"},
        {"a WebSocket under a rebound name",
         {TS_HTTP_GET, "evil.example:8080", "http://evil.example:8080", NULL, NULL, false, true},
         421,
         NULL},
        {"a listed origin's JSON POST",
         {TS_HTTP_POST, H, "http://localhost:5173", "same-site", "application/json", true, false},
         0,
         NULL},
        {"a listed origin's text/plain POST",
         {TS_HTTP_POST, H, "http://localhost:5173", NULL, "text/plain", true, false},
         415,
         NULL},
        {"an unknown method from another site",
         {TS_HTTP_OTHER, H, "https://evil.example", NULL, NULL, false, false},
         403,
         NULL},
    };
#undef H
    struct ts_http_policy p = policy(NULL, "http://localhost:5173");
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_http_verdict v;
        ts_http_guard(&p, &cases[i].in, &v);
        EXPECT(v.status == cases[i].want, cases[i].name, "status %d, want %d (%s)", v.status,
               cases[i].want, v.message);
        EXPECT(!cases[i].code || (v.code && !strcmp(v.code, cases[i].code)), cases[i].name,
               "code %s, want %s", v.code ? v.code : "(none)", cases[i].code);
        EXPECT((v.status == 0) == (v.message[0] == '\0'), cases[i].name,
               "a refusal says why, a pass says nothing: '%s'", v.message);
        EXPECT(!strchr(v.message, '\r') && !strchr(v.message, '\n'), cases[i].name,
               "one line: '%s'", v.message);
    }
    assert_int_equal(failures, 0);
}

static void test_message_shows_no_raw_bytes(void **state)
{
    (void)state;
    struct ts_http_policy p = policy(NULL, NULL);
    struct ts_http_guard_in in = {TS_HTTP_GET, "evil\x01\x7f.example", NULL, NULL, NULL, false,
                                  false};
    struct ts_http_verdict v;
    ts_http_guard(&p, &in, &v);
    assert_int_equal(v.status, 421);
    assert_non_null(strstr(v.message, "(not printable)"));
    char longhost[600];
    memset(longhost, 'a', sizeof(longhost) - 1);
    longhost[sizeof(longhost) - 1] = '\0';
    in.host = longhost;
    ts_http_guard(&p, &in, &v);
    assert_int_equal(v.status, 421);
    assert_true(strlen(v.message) < sizeof(v.message));
    assert_non_null(strstr(v.message, "..."));
}

static void test_policy_parse(void **state)
{
    (void)state;
    static const struct {
        const char *hosts, *origins;
        bool ok;
        int nhosts, norigins;
        const char *first; /* the first entry as kept (lowercase) */
    } cases[] = {
        {NULL, NULL, true, 0, 0, NULL},
        {"", "", true, 0, 0, NULL},
        {"Desk.Example", NULL, true, 1, 0, "desk.example"},
        {" a.example , b.example,", NULL, true, 2, 0, "a.example"},
        {NULL, "http://localhost:5173,https://desk.example", true, 0, 2, "http://localhost:5173"},
        {NULL, "https://[::1]:8443", true, 0, 1, "https://[::1]:8443"},
        {"a b", NULL, false, 0, 0, NULL},
        {"evil.example:8080", NULL, false, 0, 0, NULL},
        {"*.example", NULL, false, 0, 0, NULL},
        {NULL, "localhost:5173", false, 0, 0, NULL},
        {NULL, "http://localhost:5173/", false, 0, 0, NULL},
        {NULL, "ftp://x.example", false, 0, 0, NULL},
        {NULL, "http://x.example:99999", false, 0, 0, NULL},
        {NULL, "*", false, 0, 0, NULL},
        {"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", NULL, false, 0, 0, NULL},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_http_policy p;
        struct ts_err err = TS_ERR_INIT;
        char name[128];
        snprintf(name, sizeof(name), "hosts '%s' origins '%s'",
                 cases[i].hosts ? cases[i].hosts : "", cases[i].origins ? cases[i].origins : "");
        int rc = ts_http_policy_parse(cases[i].hosts, cases[i].origins, &p, &err);
        EXPECT((rc == 0) == cases[i].ok, name, "rc %d (%s)", rc, err.msg);
        if (rc) {
            EXPECT(rc == TS_EINVAL && strstr(err.msg, "TS_"), name, "names the setting: %s",
                   err.msg);
            continue;
        }
        EXPECT(p.nhosts == cases[i].nhosts && p.norigins == cases[i].norigins, name,
               "%d hosts %d origins", p.nhosts, p.norigins);
        const char *first = p.nhosts ? p.hosts[0] : p.norigins ? p.origins[0] : NULL;
        EXPECT((!first && !cases[i].first) ||
                   (first && cases[i].first && !strcmp(first, cases[i].first)),
               name, "first '%s'", first ? first : "(none)");
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host),         cmocka_unit_test(test_site),
        cmocka_unit_test(test_verdict),      cmocka_unit_test(test_message_shows_no_raw_bytes),
        cmocka_unit_test(test_policy_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
