/*
 * test_query.c - unit tests of the query strings of the REST API's GET endpoints:
 * decoding (ts_api_qs, src/api/respond.c: percent-escapes, '+', unknown, repeated
 * and badly encoded parameters) and the readers of src/api/query.c that check and
 * bind each value (text as UTF-8, enums, UUIDs, the [from, to) range, limit, the
 * {id} of a path). The rules are docs/api.md's, "shared rules of lists and reads".
 *
 * Table-driven; each failing case prints its name. Does not run the statements
 * (ts_query_list, ts_query_one need a database: tests/cli/test_api_query.sh);
 * fuzz/fuzz_query.c checks the decoder against a reference one on any bytes.
 */
#include "api/query.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "api/respond.h"
#include "unit.h"

#define ABSENT NULL /* a parameter the query string does not give */

/* The keys of a list endpoint such as GET /orders. */
static const char *const keys[] = {"symbol", "status", "account_id", "from", "to", "limit", NULL};
enum { K_SYMBOL, K_STATUS, K_ACCOUNT, K_FROM, K_TO, K_LIMIT, K_COUNT };

static const char *const statuses[] = {"PENDING", "SUBMITTED", "FILLED"};

static struct ts_http_req get(const char *query)
{
    struct ts_http_req req;
    memset(&req, 0, sizeof(req));
    req.method = TS_HTTP_GET;
    req.path = "/api/v1/orders";
    req.query = query;
    req.body = "";
    req.actor = "local";
    return req;
}

/* Whether got (NULL: absent) is want (NULL: absent). */
static bool same(const char *got, const char *want)
{
    return got == want || (got && want && strcmp(got, want) == 0);
}

static const char *show(const char *s)
{
    return s ? s : "(absent)";
}

static void test_values_are_percent_decoded_and_plus_is_a_space(void **state)
{
    static const struct {
        const char *name;
        const char *query;
        const char *want[K_COUNT]; /* decoded value of each key */
    } cases[] = {
        {"no query string at all", NULL, {ABSENT}},
        {"an empty query string", "", {ABSENT}},
        {"plain values", "symbol=PETR4&status=FILLED", {"PETR4", "FILLED"}},
        {"keys in any order", "limit=5&symbol=VALE3", {"VALE3", [K_LIMIT] = "5"}},
        {"a plus is a space", "symbol=a+b", {"a b"}},
        {"%20 is a space too", "symbol=a%20b", {"a b"}},
        {"%2B is a plus",
         "from=2026-11-03T08:00:00%2B03:00",
         {[K_FROM] = "2026-11-03T08:00:00+03:00"}},
        {"%25 is a percent sign, decoded once", "symbol=100%2541", {"100%41"}},
        {"hex digits in either case", "symbol=%c3%A9%C3%a9", {"\xc3\xa9\xc3\xa9"}},
        {"a four-byte character", "symbol=%F0%9F%98%80", {"\xf0\x9f\x98\x80"}},
        {"escaped reserved characters", "symbol=%26%3D%3F%23", {"&=?#"}},
        {"an '=' inside a value belongs to it", "symbol=a=b", {"a=b"}},
        {"an empty value is empty, not absent", "symbol=", {""}},
        {"a key without '=' is an empty value", "symbol", {""}},
        {"empty segments are skipped", "&&symbol=x&&status=FILLED&", {"x", "FILLED"}},
        {"an escape at the very end", "symbol=ab%41", {"abA"}},
        {"bytes above 0x7f pass as they are", "symbol=\xc3\xa9", {"\xc3\xa9"}},
        {"quotes and SQL stay text", "symbol=x'%3B--", {"x';--"}},
        {"every key at once",
         "symbol=S&status=PENDING&account_id=A&from=F&to=T&limit=1",
         {"S", "PENDING", "A", "F", "T", "1"}},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *vals[K_COUNT + 1];
        struct ts_err err = TS_ERR_INIT;
        memset(vals, 0x5a, sizeof(vals)); /* not NULL: the call must set every slot */
        int rc = ts_api_qs(cases[i].query, keys, vals, &err);
        EXPECT(rc == 0, cases[i].name, "rc %d (%s)", rc, err.msg);
        if (rc == 0) {
            for (int k = 0; k < K_COUNT; k++) {
                EXPECT(same(vals[k], cases[i].want[k]), cases[i].name, "%s = \"%s\", want \"%s\"",
                       keys[k], show(vals[k]), show(cases[i].want[k]));
            }
            ts_api_qs_free(keys, vals);
            for (int k = 0; k < K_COUNT; k++) {
                EXPECT(vals[k] == NULL, cases[i].name, "%s not NULL after free", keys[k]);
            }
        }

        /* ts_query_open reads the request's query the same way */
        struct ts_http_req req = get(cases[i].query ? cases[i].query : "");
        struct ts_query q;
        rc = ts_query_open(&q, &req, keys, &err);
        EXPECT(rc == 0 && q.nkeys == K_COUNT && q.nparams == K_COUNT, cases[i].name,
               "ts_query_open rc %d nkeys %d nparams %d", rc, q.nkeys, q.nparams);
        for (int k = 0; rc == 0 && k < K_COUNT; k++) {
            EXPECT(same(q.param[k], cases[i].want[k]), cases[i].name,
                   "ts_query_open: param %s = \"%s\", want \"%s\"", keys[k], show(q.param[k]),
                   show(cases[i].want[k]));
        }
        ts_query_close(&q);
    }
    assert_int_equal(failures, 0);
}

static void test_unknown_repeated_or_badly_encoded_parameters_are_refused_by_name(void **state)
{
    static const struct {
        const char *name;
        const char *query;
        const char *want_msg;
    } cases[] = {
        {"an unknown key", "colour=red", "unknown query parameter 'colour'"},
        {"an unknown key after good ones", "symbol=PETR4&colour=red",
         "unknown query parameter 'colour'"},
        {"keys are case-sensitive", "Symbol=PETR4", "unknown query parameter 'Symbol'"},
        {"a key is not percent-decoded", "%73ymbol=PETR4", "unknown query parameter '%73ymbol'"},
        {"a prefix of a key", "sym=PETR4", "unknown query parameter 'sym'"},
        {"a key with a suffix", "symbols=PETR4", "unknown query parameter 'symbols'"},
        {"an empty key", "=PETR4", "unknown query parameter ''"},
        {"a long unknown key is cut at 64 bytes",
         "k123456789012345678901234567890123456789012345678901234567890123456789=1",
         "unknown query parameter 'k12345678901234567890123456789012345678901234567890123456789"
         "0123'"},
        {"a repeated key", "symbol=PETR4&symbol=VALE3", "query parameter 'symbol' given twice"},
        {"a repeated key with the same value", "limit=5&limit=5",
         "query parameter 'limit' given twice"},
        {"a repeated key, the first without a value", "symbol&symbol=x",
         "query parameter 'symbol' given twice"},
        {"a lone percent sign", "symbol=100%", "bad percent-encoding in query parameter 'symbol'"},
        {"one hex digit at the end", "symbol=%4",
         "bad percent-encoding in query parameter 'symbol'"},
        {"one hex digit then more text", "symbol=%4g",
         "bad percent-encoding in query parameter 'symbol'"},
        {"a non-hex escape", "status=%zz", "bad percent-encoding in query parameter 'status'"},
        {"an escape of NUL", "symbol=a%00b", "bad percent-encoding in query parameter 'symbol'"},
        {"a bad escape after a good one", "symbol=%41%", "bad percent-encoding in query parameter"},
        {"a signed escape", "symbol=%+1", "bad percent-encoding in query parameter 'symbol'"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *vals[K_COUNT + 1];
        struct ts_err err = TS_ERR_INIT;
        int rc = ts_api_qs(cases[i].query, keys, vals, &err);
        EXPECT(rc == TS_EINVAL, cases[i].name, "rc %d, want TS_EINVAL", rc);
        EXPECT(err.code == TS_EINVAL && strstr(err.msg, cases[i].want_msg) != NULL, cases[i].name,
               "message \"%s\", want \"%s\"", err.msg, cases[i].want_msg);
        for (int k = 0; k < K_COUNT; k++) {
            EXPECT(vals[k] == NULL, cases[i].name, "%s left allocated after the refusal", keys[k]);
        }

        struct ts_http_req req = get(cases[i].query);
        struct ts_query q;
        struct ts_err err2 = TS_ERR_INIT;
        rc = ts_query_open(&q, &req, keys, &err2);
        EXPECT(rc == TS_EINVAL && strcmp(err.msg, err2.msg) == 0, cases[i].name,
               "ts_query_open rc %d message \"%s\"", rc, err2.msg);
        ts_query_close(&q); /* due even after a failed open */
    }
    assert_int_equal(failures, 0);
}

/* Opens query (which must decode) for a reader's test; fails the test otherwise. */
static void open_ok(struct ts_query *q, const char *name, const char *query)
{
    struct ts_http_req req = get(query);
    struct ts_err err = TS_ERR_INIT;
    if (ts_query_open(q, &req, keys, &err) != 0) {
        ts_query_close(q);
        fail_msg("case \"%s\": query \"%s\" does not decode: %s", name, query, err.msg);
    }
}

enum reader { TEXT, ENUM, UUID, RANGE, LIMIT };

static int run_reader(enum reader r, struct ts_query *q, struct ts_err *err)
{
    switch (r) {
    case TEXT:
        return ts_query_text(q, "symbol", err);
    case ENUM:
        return ts_query_enum(q, "status", statuses, 3, err);
    case UUID:
        return ts_query_uuid(q, "account_id", err);
    case RANGE:
        return ts_query_range(q, err);
    case LIMIT:
        return ts_query_limit(q, err);
    }
    return TS_EINVAL;
}

static void test_each_reader_binds_a_valid_value_in_canonical_form(void **state)
{
    static const struct {
        const char *name;
        enum reader reader;
        const char *query;
        int key;             /* the key whose bound parameter is checked (and "to" for RANGE) */
        const char *want;    /* the bound parameter; ABSENT: SQL NULL */
        const char *want_to; /* RANGE: the bound "to" */
    } cases[] = {
        /* text: any valid UTF-8, even empty, bound as decoded */
        {"text: ASCII", TEXT, "symbol=PETR4", K_SYMBOL, "PETR4", ABSENT},
        {"text: absent is NULL", TEXT, "", K_SYMBOL, ABSENT, ABSENT},
        {"text: empty stays empty", TEXT, "symbol=", K_SYMBOL, "", ABSENT},
        {"text: LIKE and quote characters are plain text", TEXT, "symbol=PE_R4%25'", K_SYMBOL,
         "PE_R4%'", ABSENT},
        {"text: two-byte UTF-8", TEXT, "symbol=a%C3%A7%C3%A3o", K_SYMBOL, "a\xc3\xa7\xc3\xa3o",
         ABSENT},
        {"text: four-byte UTF-8", TEXT, "symbol=%F0%9F%98%80", K_SYMBOL, "\xf0\x9f\x98\x80",
         ABSENT},
        {"text: U+10FFFF, the last code point", TEXT, "symbol=%F4%8F%BF%BF", K_SYMBOL,
         "\xf4\x8f\xbf\xbf", ABSENT},
        /* enum: exact spelling */
        {"enum: a listed value", ENUM, "status=FILLED", K_STATUS, "FILLED", ABSENT},
        {"enum: the first listed value", ENUM, "status=PENDING", K_STATUS, "PENDING", ABSENT},
        {"enum: absent is NULL", ENUM, "symbol=x", K_STATUS, ABSENT, ABSENT},
        /* uuid: either case, bound lowercase */
        {"uuid: lowercase", UUID, "account_id=0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978", K_ACCOUNT,
         "0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978", ABSENT},
        {"uuid: uppercase is bound lowercase", UUID,
         "account_id=0190C3F2-5B7E-7C3A-9F1E-2D3C4B5A6978", K_ACCOUNT,
         "0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978", ABSENT},
        {"uuid: percent-encoded hex decodes first", UUID,
         "account_id=%30190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978", K_ACCOUNT,
         "0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978", ABSENT},
        {"uuid: the nil UUID", UUID, "account_id=00000000-0000-0000-0000-000000000000", K_ACCOUNT,
         "00000000-0000-0000-0000-000000000000", ABSENT},
        {"uuid: absent is NULL", UUID, "", K_ACCOUNT, ABSENT, ABSENT},
        /* range: RFC 3339 or bare dates, bound as UTC with microseconds */
        {"range: both bounds in UTC", RANGE, "from=2026-11-03T11:00:00Z&to=2026-11-03T12:00:00Z",
         K_FROM, "2026-11-03T11:00:00.000000Z", "2026-11-03T12:00:00.000000Z"},
        {"range: an offset is converted to UTC", RANGE, "from=2026-11-03T08:00:00-03:00", K_FROM,
         "2026-11-03T11:00:00.000000Z", ABSENT},
        {"range: %2B is a positive offset", RANGE, "to=2026-11-03T14:00:00%2B03:00", K_FROM, ABSENT,
         "2026-11-03T11:00:00.000000Z"},
        {"range: an unencoded '+' before the offset is read back as '+'", RANGE,
         "to=2026-11-03T14:00:00+03:00", K_FROM, ABSENT, "2026-11-03T11:00:00.000000Z"},
        {"range: an unencoded '+' with a fraction", RANGE, "from=2026-11-03T14:00:00.5+03:00",
         K_FROM, "2026-11-03T11:00:00.500000Z", ABSENT},
        {"range: a space for the T", RANGE, "from=2026-11-03+11:00:00Z", K_FROM,
         "2026-11-03T11:00:00.000000Z", ABSENT},
        {"range: bare dates are midnight UTC", RANGE, "from=2026-11-03&to=2026-11-04", K_FROM,
         "2026-11-03T00:00:00.000000Z", "2026-11-04T00:00:00.000000Z"},
        {"range: microseconds are kept", RANGE, "from=2026-11-03T11:00:00.123456Z", K_FROM,
         "2026-11-03T11:00:00.123456Z", ABSENT},
        {"range: a finer instant is rounded up to the microsecond", RANGE,
         "from=2026-11-03T11:00:00.1234561Z&to=2026-11-03T11:00:01.000000001Z", K_FROM,
         "2026-11-03T11:00:00.123457Z", "2026-11-03T11:00:01.000001Z"},
        {"range: rounding up before 1970 goes toward the future", RANGE,
         "from=1969-12-31T23:59:59.9999999Z", K_FROM, "1970-01-01T00:00:00.000000Z", ABSENT},
        {"range: from equal to to is an empty interval, allowed", RANGE,
         "from=2026-11-03T11:00:00Z&to=2026-11-03T08:00:00-03:00", K_FROM,
         "2026-11-03T11:00:00.000000Z", "2026-11-03T11:00:00.000000Z"},
        {"range: both absent are NULL", RANGE, "symbol=x", K_FROM, ABSENT, ABSENT},
        /* limit: plain digits 1..1000, default 100 */
        {"limit: absent is the default 100", LIMIT, "", K_LIMIT, "100", ABSENT},
        {"limit: 1", LIMIT, "limit=1", K_LIMIT, "1", ABSENT},
        {"limit: 1000, the largest", LIMIT, "limit=1000", K_LIMIT, "1000", ABSENT},
        {"limit: leading zeros within four digits", LIMIT, "limit=0042", K_LIMIT, "42", ABSENT},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_query q;
        struct ts_err err = TS_ERR_INIT;
        open_ok(&q, cases[i].name, cases[i].query);
        int rc = run_reader(cases[i].reader, &q, &err);
        EXPECT(rc == 0, cases[i].name, "rc %d (%s)", rc, err.msg);
        EXPECT(same(q.param[cases[i].key], cases[i].want), cases[i].name,
               "param %s = \"%s\", want \"%s\"", keys[cases[i].key], show(q.param[cases[i].key]),
               show(cases[i].want));
        if (cases[i].reader == RANGE) {
            EXPECT(same(q.param[K_TO], cases[i].want_to), cases[i].name,
                   "param to = \"%s\", want \"%s\"", show(q.param[K_TO]), show(cases[i].want_to));
        }
        EXPECT(q.nparams == K_COUNT, cases[i].name, "nparams %d", q.nparams);
        ts_query_close(&q);
    }
    assert_int_equal(failures, 0);
}

static void test_each_reader_refuses_a_bad_value_naming_the_parameter(void **state)
{
    static const struct {
        const char *name;
        enum reader reader;
        const char *query;
        int want_rc;
        const char *want_msg;
    } cases[] = {
        /* text */
        {"text: a lone continuation byte", TEXT, "symbol=%80", TS_EINVAL,
         "query parameter 'symbol' is not valid UTF-8"},
        {"text: 0xFF", TEXT, "symbol=%FF", TS_EINVAL,
         "query parameter 'symbol' is not valid UTF-8"},
        {"text: a truncated two-byte sequence", TEXT, "symbol=abc%C3", TS_EINVAL,
         "is not valid UTF-8"},
        {"text: an overlong '/'", TEXT, "symbol=%C0%AF", TS_EINVAL, "is not valid UTF-8"},
        {"text: a UTF-16 surrogate", TEXT, "symbol=%ED%A0%80", TS_EINVAL, "is not valid UTF-8"},
        {"text: beyond U+10FFFF", TEXT, "symbol=%F4%90%80%80", TS_EINVAL, "is not valid UTF-8"},
        {"text: raw invalid bytes, not escaped", TEXT, "symbol=\xc3\x28", TS_EINVAL,
         "is not valid UTF-8"},
        /* enum */
        {"enum: lowercase", ENUM, "status=filled", TS_EINVAL,
         "query parameter 'status' must be one of PENDING, SUBMITTED, FILLED (not 'filled')"},
        {"enum: empty", ENUM, "status=", TS_EINVAL, "must be one of PENDING, SUBMITTED, FILLED"},
        {"enum: trailing space from a '+'", ENUM, "status=FILLED+", TS_EINVAL, "(not 'FILLED ')"},
        {"enum: a prefix", ENUM, "status=FILL", TS_EINVAL, "(not 'FILL')"},
        /* uuid */
        {"uuid: a number", UUID, "account_id=42", TS_EINVAL,
         "query parameter 'account_id' must be a UUID (not '42')"},
        {"uuid: no hyphens", UUID, "account_id=0190c3f25b7e7c3a9f1e2d3c4b5a6978", TS_EINVAL,
         "must be a UUID"},
        {"uuid: braces", UUID, "account_id=%7B0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978%7D", TS_EINVAL,
         "must be a UUID"},
        {"uuid: a non-hex digit", UUID, "account_id=0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a697g",
         TS_EINVAL, "must be a UUID"},
        {"uuid: empty", UUID, "account_id=", TS_EINVAL, "must be a UUID (not '')"},
        /* range */
        {"range: not a time", RANGE, "from=yesterday", TS_EINVAL,
         "query parameter 'from' is not an RFC 3339 time"},
        {"range: an invalid date", RANGE, "to=2026-02-30", TS_EINVAL,
         "query parameter 'to' is not an RFC 3339 time: "},
        {"range: no offset", RANGE, "from=2026-11-03T11:00:00", TS_EINVAL,
         "query parameter 'from' is not an RFC 3339 time"},
        {"range: hour 24", RANGE, "to=2026-11-03T24:00:00Z", TS_EINVAL,
         "query parameter 'to' is not an RFC 3339 time"},
        {"range: empty", RANGE, "from=", TS_EINVAL, "query parameter 'from' is not"},
        {"range: beyond int64 nanoseconds", RANGE, "to=2263-01-01", TS_ERANGE,
         "query parameter 'to' is not an RFC 3339 time"},
        {"range: from after to", RANGE, "from=2026-11-04&to=2026-11-03", TS_EINVAL,
         "query parameter 'from' is after 'to'"},
        {"range: from after to by one microsecond", RANGE,
         "from=2026-11-03T11:00:00.000001Z&to=2026-11-03T11:00:00Z", TS_EINVAL,
         "query parameter 'from' is after 'to'"},
        {"range: from after to once both are rounded up", RANGE,
         "from=2026-11-03T11:00:00.0000001Z&to=2026-11-03T11:00:00Z", TS_EINVAL,
         "query parameter 'from' is after 'to'"},
        /* limit */
        {"limit: zero", LIMIT, "limit=0", TS_EINVAL,
         "query parameter 'limit' must be an integer from 1 to 1000 (not '0')"},
        {"limit: one past the largest", LIMIT, "limit=1001", TS_EINVAL, "(not '1001')"},
        {"limit: five digits", LIMIT, "limit=00001", TS_EINVAL, "(not '00001')"},
        {"limit: empty", LIMIT, "limit=", TS_EINVAL, "(not '')"},
        {"limit: negative", LIMIT, "limit=-1", TS_EINVAL, "(not '-1')"},
        {"limit: a sign", LIMIT, "limit=%2B5", TS_EINVAL, "(not '+5')"},
        {"limit: a space from a '+'", LIMIT, "limit=+5", TS_EINVAL, "(not ' 5')"},
        {"limit: an exponent", LIMIT, "limit=1e3", TS_EINVAL, "(not '1e3')"},
        {"limit: a fraction", LIMIT, "limit=10.0", TS_EINVAL, "(not '10.0')"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_query q;
        struct ts_err err = TS_ERR_INIT;
        open_ok(&q, cases[i].name, cases[i].query);
        int rc = run_reader(cases[i].reader, &q, &err);
        EXPECT(rc == cases[i].want_rc && err.code == cases[i].want_rc, cases[i].name,
               "rc %d code %d, want %d", rc, err.code, cases[i].want_rc);
        EXPECT(strstr(err.msg, cases[i].want_msg) != NULL, cases[i].name,
               "message \"%s\", want \"%s\"", err.msg, cases[i].want_msg);
        ts_query_close(&q);
    }
    assert_int_equal(failures, 0);
}

static void test_a_path_id_must_be_a_uuid_and_is_bound_after_the_keys(void **state)
{
    static const struct {
        const char *name;
        const char *id;       /* the route's {} segment; NULL: the route has none */
        const char *want;     /* canonical id; NULL: refused with want_msg */
        const char *want_msg; /* how the refusal's message starts */
    } cases[] = {
        {"a lowercase id", "0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978",
         "0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978", NULL},
        {"an uppercase id is bound lowercase", "0190C3F2-5B7E-7C3A-9F1E-2D3C4B5A6978",
         "0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978", NULL},
        {"not a UUID", "x", NULL, "order id 'x' is not a UUID"},
        {"a UUID with a trailing slash", "0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978/", NULL,
         "order id '0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978/' is not a UUID"},
        {"one digit short", "0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a697", NULL,
         "order id '0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a697' is not a UUID"},
        {"an empty segment", "", NULL, "order id '' is not a UUID"},
        {"no segment at all (nparams 0)", NULL, NULL, "order id '' is not a UUID"},
        {"a long id is cut at 64 bytes in the message",
         "0123456789012345678901234567890123456789012345678901234567890123456789", NULL,
         "order id '0123456789012345678901234567890123456789012345678901234567890123' is not"},
    };
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_http_req req = get("limit=7");
        char out[TS_UUID_STRLEN] = "untouched";
        struct ts_err err = TS_ERR_INIT;
        /* with no segment, params[0] holds a valid id past nparams: it must not be read */
        req.params[0] = cases[i].id ? cases[i].id : "0190c3f2-5b7e-7c3a-9f1e-2d3c4b5a6978";
        req.nparams = cases[i].id ? 1 : 0;
        int rc = ts_query_path_uuid(&req, "order", out, &err);
        if (cases[i].want) {
            EXPECT(rc == 0 && strcmp(out, cases[i].want) == 0, cases[i].name,
                   "rc %d id \"%s\" (%s)", rc, out, err.msg);
        } else {
            EXPECT(rc == TS_EINVAL &&
                       strncmp(err.msg, cases[i].want_msg, strlen(cases[i].want_msg)) == 0,
                   cases[i].name, "rc %d message \"%s\", want it to start \"%s\"", rc, err.msg,
                   cases[i].want_msg);
            EXPECT(strcmp(out, "untouched") == 0, cases[i].name, "out written: \"%s\"", out);
        }

        /* bound after the query keys: $nkeys+1 */
        struct ts_query q;
        struct ts_err err2 = TS_ERR_INIT;
        open_ok(&q, cases[i].name, "limit=7");
        rc = ts_query_bind_path_uuid(&q, &req, "order", &err2);
        if (cases[i].want) {
            EXPECT(rc == 0 && q.nparams == K_COUNT + 1 && same(q.param[K_COUNT], cases[i].want),
                   cases[i].name, "bind: rc %d nparams %d param \"%s\"", rc, q.nparams,
                   show(q.param[K_COUNT]));
            EXPECT(same(q.param[K_LIMIT], "7"), cases[i].name, "bind moved limit to \"%s\"",
                   show(q.param[K_LIMIT]));
        } else {
            EXPECT(rc == TS_EINVAL && q.nparams == K_COUNT && q.param[K_COUNT] == NULL,
                   cases[i].name, "bind: rc %d nparams %d after a refusal", rc, q.nparams);
        }
        ts_query_close(&q);
    }
    assert_int_equal(failures, 0);
}

static void test_keys_are_found_by_their_index_in_the_declaration(void **state)
{
    struct ts_query q;
    (void)state;
    open_ok(&q, "index", "");
    for (int k = 0; k < K_COUNT; k++) {
        assert_int_equal(ts_query_idx(&q, keys[k]), k);
    }
    ts_query_close(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_are_percent_decoded_and_plus_is_a_space),
        cmocka_unit_test(test_unknown_repeated_or_badly_encoded_parameters_are_refused_by_name),
        cmocka_unit_test(test_each_reader_binds_a_valid_value_in_canonical_form),
        cmocka_unit_test(test_each_reader_refuses_a_bad_value_naming_the_parameter),
        cmocka_unit_test(test_a_path_id_must_be_a_uuid_and_is_bound_after_the_keys),
        cmocka_unit_test(test_keys_are_found_by_their_index_in_the_declaration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
