/*
 * fuzz_json.c - the strict JSON request reader on arbitrary bytes: parse, take a
 * few typed fields, finish. Must never crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stddef.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
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
        return 0;
    }
    if (ts_json_take_str(&r, "symbol", false, 50, &s, NULL, &err) ||
        ts_json_take_dec(&r, "quantity", false, &d, NULL, &err) ||
        ts_json_take_int(&r, "n", false, 0, 1000, &n, NULL, &err) ||
        ts_json_take_enum(&r, "side", false, sides, 2, &e, NULL, &err) ||
        ts_json_take_bool(&r, "active", false, &b, NULL, &err) ||
        ts_json_take_uuid(&r, "account_id", false, &u, NULL, &err) ||
        ts_json_finish(&r, &err)) {
        /* refused: fine */
    }
    ts_json_release(&r);
    return 0;
}
