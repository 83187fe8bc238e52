/*
 * json.h - strict reading of JSON request bodies, exact for money.
 *
 * Built on json-c, which keeps the original text of a parsed number, so that a
 * price sent as 30.10 becomes exactly 30.10 (never through double). A request is
 * read as an object whose fields are taken one by one with ts_json_take_*();
 * ts_json_finish() then refuses any field that nobody took ("unknown field").
 * Every refusal names the field and what was wrong, for a 400 invalid_argument.
 * Whatever parses can be stored in PostgreSQL: NaN/Infinity, numbers beyond what
 * numeric holds, integers beyond 64 bits, U+0000 and invalid UTF-8 are refused.
 *
 * Never include jansson headers next to this one (both define json_object).
 * One request at a time per struct ts_json_req; any thread.
 */
#ifndef TS_CORE_JSON_H
#define TS_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/dec.h"
#include "core/err.h"
#include "core/uuid.h"

#define TS_JSON_MAX_DEPTH 16
#define TS_JSON_MAX_FIELDS 64

struct json_object;

struct ts_json_req {
    struct json_object *root;              /* owned; the parsed object */
    const char *taken[TS_JSON_MAX_FIELDS]; /* keys already read (borrowed from root) */
    int ntaken;
};

/* Parses body as one JSON object (no trailing data, depth-limited). */
int ts_json_parse(struct ts_json_req *r, const char *body, size_t len,
                  struct ts_err *err) TS_MUST_CHECK;
void ts_json_release(struct ts_json_req *r);

/* A request body that is a JSON array of objects (a batch). */
struct ts_json_array {
    struct json_object *root; /* owned */
    size_t n;                 /* elements */
};
int ts_json_parse_array(struct ts_json_array *a, const char *body, size_t len,
                        struct ts_err *err) TS_MUST_CHECK;
/* Element i as a request object (release it with ts_json_release()); TS_EINVAL
 * "element 3 must be a JSON object, not string" otherwise. */
int ts_json_array_item(const struct ts_json_array *a, size_t i, struct ts_json_req *r,
                       struct ts_err *err) TS_MUST_CHECK;
void ts_json_array_release(struct ts_json_array *a);
/* Element i as a string (borrowed from a), or NULL when it is not a string. */
const char *ts_json_array_str(const struct ts_json_array *a, size_t i);
/* The first key of the object that is not among allowed (NULL-terminated; borrowed
 * from r), or NULL: to refuse unknown fields before reading any. */
const char *ts_json_unknown_key(const struct ts_json_req *r, const char *const *allowed);

/*
 * Field readers. With required = false a missing field (or JSON null) leaves *out
 * untouched and sets *present (when given) to false. Types are strict: a string
 * field refuses a number, an enum refuses a value not in names.
 */
int ts_json_take_str(struct ts_json_req *r, const char *key, bool required, size_t maxlen,
                     const char **out, bool *present, struct ts_err *err) TS_MUST_CHECK;
/* A decimal given as a JSON string or number, converted exactly (ts_dec_parse). */
int ts_json_take_dec(struct ts_json_req *r, const char *key, bool required, ts_dec *out,
                     bool *present, struct ts_err *err) TS_MUST_CHECK;
int ts_json_take_int(struct ts_json_req *r, const char *key, bool required, int64_t min,
                     int64_t max, int64_t *out, bool *present, struct ts_err *err) TS_MUST_CHECK;
int ts_json_take_bool(struct ts_json_req *r, const char *key, bool required, bool *out,
                      bool *present, struct ts_err *err) TS_MUST_CHECK;
int ts_json_take_uuid(struct ts_json_req *r, const char *key, bool required, struct ts_uuid *out,
                      bool *present, struct ts_err *err) TS_MUST_CHECK;
/* One of names[0..n-1], exactly as spelled; *out is the index. */
int ts_json_take_enum(struct ts_json_req *r, const char *key, bool required,
                      const char *const *names, int n, int *out, bool *present,
                      struct ts_err *err) TS_MUST_CHECK;
/* A JSON object, re-serialised compactly into a malloc'd string (caller ts_free()s). */
int ts_json_take_object_text(struct ts_json_req *r, const char *key, bool required, size_t maxlen,
                             char **out, bool *present, struct ts_err *err) TS_MUST_CHECK;
/* An array field, as a ts_json_array (release it with ts_json_array_release()). */
int ts_json_take_array(struct ts_json_req *r, const char *key, bool required,
                       struct ts_json_array *out, bool *present, struct ts_err *err) TS_MUST_CHECK;
/* The parsed object as compact JSON text that PostgreSQL's json/jsonb accept as it is. */
void ts_json_text(const struct ts_json_req *r, struct ts_buf *out);
/* Whether key is absent, null or holds a value (without taking it). */
enum ts_json_field { TS_JSON_ABSENT, TS_JSON_NULL, TS_JSON_VALUE };
enum ts_json_field ts_json_field(const struct ts_json_req *r, const char *key);
/* Refuses the first field that no take_* read. */
int ts_json_finish(struct ts_json_req *r, struct ts_err *err) TS_MUST_CHECK;

#endif
