/*
 * fuzz_json.c - fuzz target for the strict JSON reader and writer (src/core/json.h)
 * on arbitrary bytes. Must never crash, leak or read out of bounds, and a wrong
 * parse must fail it, not only a crash:
 *
 *  - what parses is storable as json.h promises, checked by a walk written here:
 *    strings and keys are valid UTF-8 (RFC 3629) without U+0000, numbers follow
 *    the RFC 8259 grammar with at most 1000 digits and an exponent within +-1000
 *    (PostgreSQL's numeric), integers are not json-c's clamped 64-bit ends, and
 *    the nesting is at most TS_JSON_MAX_DEPTH;
 *  - parse -> write -> parse gives the same document, and writing it again gives
 *    the same text: compact, valid UTF-8, control characters escaped, no \u0000;
 *  - each top-level field is read by the reader of its type and gives json-c's
 *    value; decimals read the same from the original and from the written text,
 *    agree with json-c's double or integer, and survive ts_dec text -> JSON
 *    number and JSON string -> ts_dec exactly; once every field is taken,
 *    ts_json_finish() accepts;
 *  - the body as the one element of an array reads as that same object.
 *
 * Aborts on any mismatch. Does not check that refused bodies deserved it
 * (tests/unit/test_json.c has those cases). Replayed over fuzz/seeds/json/ by
 * ctest; with clang: -fsanitize=fuzzer.
 */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

#include "core/json.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *cur_data; /* the input, for the message of a failed check */
static size_t cur_size;

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_json: %s: '%.*s'\n", what, (int)(cur_size > 300 ? 300 : cur_size),
                (const char *)cur_data);
        abort();
    }
}

static size_t run_of_digits(const char *s)
{
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9') {
        n++;
    }
    return n;
}

/* RFC 8259 number; at most 1000 digits; an exponent of at most 1000 in magnitude. */
static bool ref_number(const char *s)
{
    size_t i = 0, digits, n;
    i += s[i] == '-';
    n = run_of_digits(s + i);
    if (n == 0 || (n > 1 && s[i] == '0')) {
        return false;
    }
    digits = n;
    i += n;
    if (s[i] == '.') {
        n = run_of_digits(s + i + 1);
        if (n == 0) {
            return false;
        }
        digits += n;
        i += 1 + n;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        i += s[i] == '+' || s[i] == '-';
        n = run_of_digits(s + i);
        size_t z = 0;
        while (z + 1 < n && s[i + z] == '0') {
            z++; /* leading zeros of the exponent */
        }
        if (n == 0 || n - z > 4 || atoi(s + i + z) > 1000) {
            return false;
        }
        i += n;
    }
    return s[i] == '\0' && digits <= 1000;
}

/* What json.h says can be stored: the walk of a parsed tree. */
static void check_storable(struct json_object *o, int depth)
{
    switch (json_object_get_type(o)) {
    case json_type_string: {
        const char *s = json_object_get_string(o);
        size_t n = (size_t)json_object_get_string_len(o);
        check(strlen(s) == n, "a string holds U+0000");
        check(ts_fuzz_ref_utf8(s, n), "a string is not valid UTF-8");
        break;
    }
    case json_type_double: {
        const char *s = json_object_get_string(o);
        check(ref_number(s), "a number PostgreSQL's numeric would refuse");
        break;
    }
    case json_type_int: {
        const char *s = json_object_get_string(o);
        check(ref_number(s) && strpbrk(s, ".eE") == NULL, "an integer that is not digits");
        check(json_object_get_int64(o) != INT64_MIN && json_object_get_uint64(o) != UINT64_MAX,
              "an integer json-c clamped");
        break;
    }
    case json_type_array:
        check(depth <= TS_JSON_MAX_DEPTH, "arrays nested deeper than TS_JSON_MAX_DEPTH");
        for (size_t i = 0; i < json_object_array_length(o); i++) {
            check_storable(json_object_array_get_idx(o, i), depth + 1);
        }
        break;
    case json_type_object: {
        check(depth <= TS_JSON_MAX_DEPTH, "objects nested deeper than TS_JSON_MAX_DEPTH");
        json_object_object_foreach(o, key, val)
        {
            check(ts_fuzz_ref_utf8(key, strlen(key)), "a key is not valid UTF-8");
            if (val) {
                check_storable(val, depth + 1);
            }
        }
        break;
    }
    default:
        break;
    }
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* The writer's text: compact, valid UTF-8, control characters escaped, no \u0000. */
static void check_written(const char *t, size_t n)
{
    bool in_string = false;
    check(strlen(t) == n, "written text holds a NUL byte");
    check(ts_fuzz_ref_utf8(t, n), "written text is not valid UTF-8");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (!in_string) {
            check(c != ' ' && c != '\t' && c != '\n' && c != '\r', "written text not compact");
            in_string = c == '"';
            continue;
        }
        check(c >= 0x20, "a control character written unescaped");
        if (c == '"') {
            in_string = false;
        } else if (c == '\\') {
            char e = t[++i];
            check(e != '\0' && strchr("\"\\/bfnrtu", e) != NULL, "an invalid escape written");
            if (e == 'u') {
                check(i + 4 < n && is_hex(t[i + 1]) && is_hex(t[i + 2]) && is_hex(t[i + 3]) &&
                          is_hex(t[i + 4]),
                      "a short \\u escape written");
                check(strncmp(t + i + 1, "0000", 4) != 0, "\\u0000 written");
                i += 4;
            }
        }
    }
    check(!in_string, "written text ends inside a string");
}

/* d written as a JSON number and as a JSON string reads back as d. */
static void check_dec_text(ts_dec d)
{
    char text[TS_DEC_STRLEN], body[2 * TS_DEC_STRLEN + 16];
    ts_dec_format_trim(d, text, sizeof(text));
    for (int quoted = 0; quoted < 2; quoted++) {
        struct ts_json_req r;
        struct ts_err err = TS_ERR_INIT;
        ts_dec back = 0;
        int n = snprintf(body, sizeof(body), quoted ? "{\"v\":\"%s\"}" : "{\"v\":%s}", text);
        check(n > 0 && (size_t)n < sizeof(body), "decimal body too long");
        check(ts_json_parse(&r, body, (size_t)n, &err) == 0 &&
                  ts_json_take_dec(&r, "v", true, &back, NULL, &err) == 0 && back == d,
              quoted ? "a decimal written as a JSON string reads differently"
                     : "a decimal written as a JSON number reads differently");
        ts_json_release(&r);
    }
}

/* The decimal of one field, read from the original (r) and the rewritten (r2) document. */
static void check_decimal(struct ts_json_req *r2, const char *key, struct json_object *v, int rc,
                          ts_dec d)
{
    struct ts_err err = TS_ERR_INIT;
    ts_dec d2 = 0;
    int rc2 = ts_json_take_dec(r2, key, true, &d2, NULL, &err);
    check(rc2 == rc && (rc || d2 == d), "a decimal reads differently once written back");
    if (rc) {
        return;
    }
    check_dec_text(d);
    enum json_type t = json_object_get_type(v);
    if (t == json_type_int) {
        int64_t i = json_object_get_int64(v);
        check(d % TS_DEC_SCALE == 0 && d / TS_DEC_SCALE == i, "an integer's decimal is not it");
    } else if (t == json_type_double) {
        double want = json_object_get_double(v), got = (double)d / (double)TS_DEC_SCALE;
        double diff = got > want ? got - want : want - got, mag = want < 0 ? -want : want;
        check(diff <= 1e-12 * (mag > 1.0 ? mag : 1.0), "a number's decimal is not json-c's value");
    }
}

/* Each top-level field through the reader of its type; returns how many were taken. */
static int check_fields(struct ts_json_req *r, struct ts_json_req *r2)
{
    int taken = 0;
    json_object_object_foreach(r->root, key, val)
    {
        struct ts_err err = TS_ERR_INIT;
        bool present = true;
        int rc;
        if (taken == TS_JSON_MAX_FIELDS) {
            break; /* take() records no more: finish() would refuse the rest */
        }
        taken++;
        switch (val ? json_object_get_type(val) : json_type_null) {
        case json_type_null: {
            const char *s = NULL;
            rc = ts_json_take_str(r, key, false, 10, &s, &present, &err);
            check(rc == 0 && !present && s == NULL, "a null field is not absent");
            break;
        }
        case json_type_boolean: {
            bool b = !json_object_get_boolean(val);
            rc = ts_json_take_bool(r, key, true, &b, &present, &err);
            check(rc == 0 && present && b == json_object_get_boolean(val),
                  "a boolean reads differently");
            break;
        }
        case json_type_string: {
            const char *s = NULL;
            rc = ts_json_take_str(r, key, true, SIZE_MAX, &s, &present, &err);
            check(rc == 0 && present && s && strcmp(s, json_object_get_string(val)) == 0,
                  "a string reads differently");
            ts_dec d = 0;
            int drc = ts_dec_parse(s, strlen(s), &d) ? TS_EINVAL : 0;
            check_decimal(r2, key, val, drc, d);
            break;
        }
        case json_type_int:
        case json_type_double: {
            ts_dec d = 0;
            rc = ts_json_take_dec(r, key, true, &d, &present, &err);
            check(rc == 0 || rc == TS_EINVAL, "a decimal refused with a strange code");
            check_decimal(r2, key, val, rc, d);
            break;
        }
        case json_type_object: {
            char *text = NULL;
            struct ts_json_req sub;
            rc = ts_json_take_object_text(r, key, true, SIZE_MAX, &text, &present, &err);
            check(rc == 0 && text != NULL, "an object field is refused");
            check(ts_json_parse(&sub, text, strlen(text), &err) == 0 &&
                      json_object_equal(sub.root, val),
                  "an object field's text reads differently");
            ts_json_release(&sub);
            ts_free(text);
            break;
        }
        case json_type_array: {
            struct ts_json_array a;
            rc = ts_json_take_array(r, key, true, &a, &present, &err);
            check(rc == 0 && a.n == json_object_array_length(val), "an array field differs");
            ts_json_array_release(&a);
            break;
        }
        }
    }
    return taken;
}

/* The same object as the one element of a batch (an array) reads the same. */
static void check_as_batch(const uint8_t *data, size_t size, const char *text)
{
    char *body = ts_xmalloc(size + 2);
    struct ts_json_array a;
    struct ts_json_req item;
    struct ts_err err = TS_ERR_INIT;
    body[0] = '[';
    memcpy(body + 1, data, size);
    body[size + 1] = ']';
    if (ts_json_parse_array(&a, body, size + 2, &err) == 0) {
        check(a.n == 1, "a batch of one has another length");
        check(ts_json_array_item(&a, 0, &item, &err) == 0, "the batch's element is refused");
        struct ts_buf t = TS_BUF_INIT;
        ts_json_text(&item, &t);
        check(strcmp(t.buf, text) == 0, "the batch's element reads differently");
        ts_buf_release(&t);
        ts_json_release(&item);
        ts_json_array_release(&a);
    } else {
        check(strstr(err.msg, "too deep") != NULL, "a body refused as a batch's element");
    }
    ts_free(body);
}

/* The readers of the request bodies, as the routes call them (crash coverage). */
static void take_order_fields(const uint8_t *data, size_t size)
{
    static const char *const sides[] = {"BUY", "SELL"};
    struct ts_json_req r;
    struct ts_err err = TS_ERR_INIT;
    const char *s;
    ts_dec d;
    int64_t n;
    int e;
    bool b;
    struct ts_uuid u;
    if (ts_json_parse(&r, (const char *)data, size, &err)) {
        return;
    }
    if (ts_json_take_str(&r, "symbol", false, 50, &s, NULL, &err) ||
        ts_json_take_dec(&r, "quantity", false, &d, NULL, &err) ||
        ts_json_take_int(&r, "n", false, 0, 1000, &n, NULL, &err) ||
        ts_json_take_enum(&r, "side", false, sides, 2, &e, NULL, &err) ||
        ts_json_take_bool(&r, "active", false, &b, NULL, &err) ||
        ts_json_take_uuid(&r, "account_id", false, &u, NULL, &err) || ts_json_finish(&r, &err)) {
        check(err.code == TS_EINVAL && err.msg[0] != '\0', "a refusal without a message");
    }
    ts_json_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ts_json_req r, r2;
    struct ts_json_array a;
    struct ts_err err = TS_ERR_INIT;
    cur_data = data;
    cur_size = size;

    take_order_fields(data, size);
    int rc = ts_json_parse(&r, (const char *)data, size, &err);
    int arc = ts_json_parse_array(&a, (const char *)data, size, &err);
    check(rc != 0 || arc != 0, "a body both an object and an array");
    if (arc == 0) {
        ts_json_array_release(&a);
    }
    if (rc) {
        check(rc == TS_EINVAL && r.root == NULL, "a refusal that is not TS_EINVAL");
        return 0;
    }
    check_storable(r.root, 1);

    struct ts_buf t1 = TS_BUF_INIT, t2 = TS_BUF_INIT;
    ts_json_text(&r, &t1);
    check_written(t1.buf, t1.len);
    check(ts_json_parse(&r2, t1.buf, t1.len, &err) == 0, "the written text is refused");
    ts_json_text(&r2, &t2);
    check(t1.len == t2.len && memcmp(t1.buf, t2.buf, t1.len) == 0,
          "writing what was read back gives another text");
    check(json_object_equal(r.root, r2.root), "the written text is another document");

    /* RFC 8259 whitespace around the text is not part of the document */
    struct ts_buf spaced = TS_BUF_INIT, t3 = TS_BUF_INIT;
    struct ts_json_req r3;
    ts_buf_addf(&spaced, " \t\r\n%s\n\r\t ", t1.buf);
    check(ts_json_parse(&r3, spaced.buf, spaced.len, &err) == 0, "whitespace around it refused");
    ts_json_text(&r3, &t3);
    check(strcmp(t3.buf, t1.buf) == 0, "whitespace around it changes the document");
    ts_json_release(&r3);
    ts_buf_release(&t3);
    ts_buf_release(&spaced);

    int taken = check_fields(&r, &r2);
    if (taken == json_object_object_length(r.root)) {
        check(ts_json_finish(&r, &err) == 0, "finish refuses after every field was taken");
    }
    check_as_batch(data, size, t1.buf);

    ts_buf_release(&t1);
    ts_buf_release(&t2);
    ts_json_release(&r2);
    ts_json_release(&r);
    return 0;
}
