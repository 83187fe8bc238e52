/* json.c - strict request reading over json-c. See json.h. */
#include "core/json.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/utf8.h"

/*
 * What json-c accepts beyond what PostgreSQL stores (json/jsonb/text) or RFC 8259
 * allows, refused here so that nothing parsed can fail later in the database:
 * NaN/Infinity, numbers with an exponent beyond +-1000 or more than 1000 digits,
 * integers json-c clamped (beyond 64 bits), strings or keys holding U+0000 or
 * invalid UTF-8. (json-c turns a lone surrogate escape into U+FFFD.)
 */
#define NUM_MAX_DIGITS 1000
#define NUM_MAX_EXP 1000

static bool json_number_ok(const char *s)
{
    size_t digits = 0;
    long exp = 0;
    if (*s == '-') {
        s++;
    }
    if (*s == '0') {
        s++, digits++;
    } else if (*s >= '1' && *s <= '9') {
        while (*s >= '0' && *s <= '9') {
            s++, digits++;
        }
    } else {
        return false;
    }
    if (*s == '.') {
        if (!(*++s >= '0' && *s <= '9')) {
            return false;
        }
        while (*s >= '0' && *s <= '9') {
            s++, digits++;
        }
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') {
            s++;
        }
        if (!(*s >= '0' && *s <= '9')) {
            return false;
        }
        while (*s >= '0' && *s <= '9' && exp <= NUM_MAX_EXP) {
            exp = exp * 10 + (*s++ - '0');
        }
    }
    return !*s && digits <= NUM_MAX_DIGITS && exp <= NUM_MAX_EXP;
}

static bool text_ok(const char *s, size_t len)
{
    return !memchr(s, 0, len) && ts_utf8_valid(s, len);
}

static int check_tree(struct json_object *o, struct ts_err *err)
{
    switch (json_object_get_type(o)) {
    case json_type_double:
        if (!json_number_ok(json_object_get_string(o))) {
            return ts_err_set(err, TS_EINVAL,
                              "malformed JSON: the number '%.40s' is not one we can store",
                              json_object_get_string(o));
        }
        return 0;
    case json_type_int:
        if (json_object_get_int64(o) == INT64_MIN || json_object_get_uint64(o) == UINT64_MAX) {
            return ts_err_set(err, TS_EINVAL, "malformed JSON: an integer beyond 64 bits");
        }
        return 0;
    case json_type_string:
        if (!text_ok(json_object_get_string(o), (size_t)json_object_get_string_len(o))) {
            return ts_err_set(err, TS_EINVAL,
                              "malformed JSON: a string holds U+0000 or invalid UTF-8");
        }
        return 0;
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(o); i++) {
            int rc = check_tree(json_object_array_get_idx(o, i), err);
            if (rc) {
                return rc;
            }
        }
        return 0;
    case json_type_object: {
        json_object_object_foreach(o, key, val)
        {
            if (!text_ok(key, strlen(key))) {
                return ts_err_set(err, TS_EINVAL, "malformed JSON: a key holds invalid UTF-8");
            }
            int rc = val ? check_tree(val, err) : 0;
            if (rc) {
                return rc;
            }
        }
        return 0;
    }
    default:
        return 0;
    }
}

/* Whether the text holds a \u0000 escape (in a key too: json-c keeps keys as C strings,
 * so {"qty\u0000x":1} would read as "qty"). A backslash outside a string is malformed
 * JSON anyway, so the escapes are found without tracking strings. */
static bool has_nul_escape(const char *body, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (body[i] != '\\') {
            continue;
        }
        if (body[i + 1] == 'u' && i + 5 < len && !memcmp(body + i + 2, "0000", 4)) {
            return true;
        }
        i++; /* the escaped character (a second backslash starts nothing) */
    }
    return false;
}

/* Parses body as one JSON value of type want (no trailing data, depth-limited). */
static int parse_value(const char *body, size_t len, enum json_type want, struct json_object **out,
                       struct ts_err *err)
{
    const char *what = want == json_type_array ? "a JSON array" : "a JSON object";
    *out = NULL;
    if (len == 0) {
        return ts_err_set(err, TS_EINVAL, "request body is empty: %s is expected", what);
    }
    if (len > INT32_MAX) {
        return ts_err_set(err, TS_EINVAL, "request body too large");
    }
    if (has_nul_escape(body, len)) {
        return ts_err_set(err, TS_EINVAL, "malformed JSON: a string or key holds U+0000");
    }
    json_tokener *tok = json_tokener_new_ex(TS_JSON_MAX_DEPTH);
    if (!tok) {
        return ts_err_set(err, TS_ENOMEM, "out of memory parsing JSON");
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    struct json_object *o = json_tokener_parse_ex(tok, body, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    int rc = 0;
    if (!o || jerr != json_tokener_success) {
        rc = ts_err_set(err, TS_EINVAL, "malformed JSON at byte %zu: %s", end,
                        jerr == json_tokener_continue ? "unexpected end of input"
                                                      : json_tokener_error_desc(jerr));
    } else {
        while (end < len &&
               (body[end] == ' ' || body[end] == '\n' || body[end] == '\r' || body[end] == '\t')) {
            end++;
        }
        if (end != len) {
            rc = ts_err_set(err, TS_EINVAL, "malformed JSON: trailing data at byte %zu", end);
        } else if (!json_object_is_type(o, want)) {
            rc = ts_err_set(err, TS_EINVAL, "request body must be %s", what);
        } else {
            rc = check_tree(o, err);
        }
    }
    json_tokener_free(tok);
    if (rc) {
        json_object_put(o);
        return rc;
    }
    *out = o;
    return 0;
}

int ts_json_parse(struct ts_json_req *r, const char *body, size_t len, struct ts_err *err)
{
    memset(r, 0, sizeof(*r));
    return parse_value(body, len, json_type_object, &r->root, err);
}

int ts_json_parse_array(struct ts_json_array *a, const char *body, size_t len, struct ts_err *err)
{
    memset(a, 0, sizeof(*a));
    int rc = parse_value(body, len, json_type_array, &a->root, err);
    if (!rc) {
        a->n = json_object_array_length(a->root);
    }
    return rc;
}

int ts_json_array_item(const struct ts_json_array *a, size_t i, struct ts_json_req *r,
                       struct ts_err *err)
{
    memset(r, 0, sizeof(*r));
    struct json_object *v = json_object_array_get_idx(a->root, i);
    if (!v || !json_object_is_type(v, json_type_object)) {
        return ts_err_set(err, TS_EINVAL, "element %zu must be a JSON object, not %s", i,
                          v ? json_type_to_name(json_object_get_type(v)) : "null");
    }
    r->root = json_object_get(v);
    return 0;
}

const char *ts_json_array_str(const struct ts_json_array *a, size_t i)
{
    struct json_object *v = json_object_array_get_idx(a->root, i);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

enum ts_json_field ts_json_field(const struct ts_json_req *r, const char *key)
{
    struct json_object *v = NULL;
    if (!json_object_object_get_ex(r->root, key, &v)) {
        return TS_JSON_ABSENT;
    }
    return !v || json_object_is_type(v, json_type_null) ? TS_JSON_NULL : TS_JSON_VALUE;
}

const char *ts_json_unknown_key(const struct ts_json_req *r, const char *const *allowed)
{
    json_object_object_foreach(r->root, key, val)
    {
        (void)val;
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++) {
            known = !strcmp(key, *a);
        }
        if (!known) {
            return key;
        }
    }
    return NULL;
}

void ts_json_array_release(struct ts_json_array *a)
{
    json_object_put(a->root);
    memset(a, 0, sizeof(*a));
}

void ts_json_release(struct ts_json_req *r)
{
    json_object_put(r->root);
    memset(r, 0, sizeof(*r));
}

/* Looks key up and records it as taken. Returns the value, or NULL when absent or null. */
static struct json_object *take(struct ts_json_req *r, const char *key)
{
    struct json_object *v = NULL;
    if (!json_object_object_get_ex(r->root, key, &v)) {
        return NULL;
    }
    if (r->ntaken < TS_JSON_MAX_FIELDS) {
        r->taken[r->ntaken++] = key;
    }
    return json_object_is_type(v, json_type_null) ? NULL : v;
}

static int missing(const char *key, bool required, bool *present, struct ts_err *err)
{
    if (present) {
        *present = false;
    }
    if (required) {
        return ts_err_set(err, TS_EINVAL, "missing field '%s'", key);
    }
    return 0;
}

static const char *type_name(struct json_object *v)
{
    return json_type_to_name(json_object_get_type(v));
}

int ts_json_take_str(struct ts_json_req *r, const char *key, bool required, size_t maxlen,
                     const char **out, bool *present, struct ts_err *err)
{
    struct json_object *v = take(r, key);
    if (!v) {
        return missing(key, required, present, err);
    }
    if (!json_object_is_type(v, json_type_string)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be a string, not %s", key, type_name(v));
    }
    size_t len = (size_t)json_object_get_string_len(v);
    const char *s = json_object_get_string(v);
    if (strlen(s) != len) {
        return ts_err_set(err, TS_EINVAL, "field '%s' contains a NUL character", key);
    }
    if (len > maxlen) {
        return ts_err_set(err, TS_EINVAL, "field '%s' is longer than %zu bytes", key, maxlen);
    }
    *out = s;
    if (present) {
        *present = true;
    }
    return 0;
}

int ts_json_take_dec(struct ts_json_req *r, const char *key, bool required, ts_dec *out,
                     bool *present, struct ts_err *err)
{
    struct json_object *v = take(r, key);
    if (!v) {
        return missing(key, required, present, err);
    }
    enum json_type t = json_object_get_type(v);
    if (t != json_type_string && t != json_type_int && t != json_type_double) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be a decimal (string or number), not %s",
                          key, type_name(v));
    }
    /* json-c keeps a parsed number's original text: no double on the way */
    const char *s = json_object_get_string(v);
    size_t len = t == json_type_string ? (size_t)json_object_get_string_len(v) : strlen(s);
    struct ts_err e2 = TS_ERR_INIT;
    int rc = ts_dec_parse_err(s, len, out, &e2);
    if (rc) {
        return ts_err_set(err, TS_EINVAL, "field '%s': %s", key, e2.msg);
    }
    if (present) {
        *present = true;
    }
    return 0;
}

int ts_json_take_int(struct ts_json_req *r, const char *key, bool required, int64_t min,
                     int64_t max, int64_t *out, bool *present, struct ts_err *err)
{
    struct json_object *v = take(r, key);
    if (!v) {
        return missing(key, required, present, err);
    }
    if (!json_object_is_type(v, json_type_int)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be an integer, not %s", key,
                          type_name(v));
    }
    /* json-c saturates out-of-range integers: compare the text too */
    int64_t n = json_object_get_int64(v);
    if (n < min || n > max || n == INT64_MAX || n == INT64_MIN) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be between %lld and %lld", key,
                          (long long)min, (long long)max);
    }
    *out = n;
    if (present) {
        *present = true;
    }
    return 0;
}

int ts_json_take_bool(struct ts_json_req *r, const char *key, bool required, bool *out,
                      bool *present, struct ts_err *err)
{
    struct json_object *v = take(r, key);
    if (!v) {
        return missing(key, required, present, err);
    }
    if (!json_object_is_type(v, json_type_boolean)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be true or false, not %s", key,
                          type_name(v));
    }
    *out = json_object_get_boolean(v);
    if (present) {
        *present = true;
    }
    return 0;
}

int ts_json_take_uuid(struct ts_json_req *r, const char *key, bool required, struct ts_uuid *out,
                      bool *present, struct ts_err *err)
{
    const char *s;
    bool here = false;
    int rc = ts_json_take_str(r, key, required, 64, &s, &here, err);
    if (rc || !here) {
        if (present) {
            *present = false;
        }
        return rc;
    }
    if (ts_uuid_parse(s, strlen(s), out)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be a UUID", key);
    }
    if (present) {
        *present = true;
    }
    return 0;
}

int ts_json_take_enum(struct ts_json_req *r, const char *key, bool required,
                      const char *const *names, int n, int *out, bool *present, struct ts_err *err)
{
    const char *s;
    bool here = false;
    int rc = ts_json_take_str(r, key, required, 64, &s, &here, err);
    if (rc || !here) {
        if (present) {
            *present = false;
        }
        return rc;
    }
    for (int i = 0; i < n; i++) {
        if (!strcmp(s, names[i])) {
            *out = i;
            if (present) {
                *present = true;
            }
            return 0;
        }
    }
    char allowed[256] = "";
    size_t used = 0;
    for (int i = 0; i < n && used < sizeof(allowed); i++) {
        int k = snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "", names[i]);
        if (k < 0) {
            break;
        }
        used += (size_t)k;
    }
    return ts_err_set(err, TS_EINVAL, "field '%s' must be one of %s", key, allowed);
}

int ts_json_take_object_text(struct ts_json_req *r, const char *key, bool required, size_t maxlen,
                             char **out, bool *present, struct ts_err *err)
{
    struct json_object *v = take(r, key);
    if (!v) {
        return missing(key, required, present, err);
    }
    if (!json_object_is_type(v, json_type_object)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be an object, not %s", key,
                          type_name(v));
    }
    const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
    if (strlen(s) > maxlen) {
        return ts_err_set(err, TS_EINVAL, "field '%s' is larger than %zu bytes", key, maxlen);
    }
    *out = ts_xstrdup(s);
    if (present) {
        *present = true;
    }
    return 0;
}

int ts_json_finish(struct ts_json_req *r, struct ts_err *err)
{
    json_object_object_foreach(r->root, key, val)
    {
        (void)val;
        bool known = false;
        for (int i = 0; i < r->ntaken && !known; i++) {
            known = !strcmp(r->taken[i], key);
        }
        if (!known) {
            return ts_err_set(err, TS_EINVAL, "unknown field '%s'", key);
        }
    }
    return 0;
}

int ts_json_take_array(struct ts_json_req *r, const char *key, bool required,
                       struct ts_json_array *out, bool *present, struct ts_err *err)
{
    memset(out, 0, sizeof(*out));
    struct json_object *v = take(r, key);
    if (!v) {
        return missing(key, required, present, err);
    }
    if (!json_object_is_type(v, json_type_array)) {
        return ts_err_set(err, TS_EINVAL, "field '%s' must be an array, not %s", key, type_name(v));
    }
    out->root = json_object_get(v);
    out->n = json_object_array_length(v);
    if (present) {
        *present = true;
    }
    return 0;
}

void ts_json_text(const struct ts_json_req *r, struct ts_buf *out)
{
    ts_buf_adds(out, json_object_to_json_string_ext(r->root, JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
}
