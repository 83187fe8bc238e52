/*
 * frame.c - decoding the bridge protocol's frames (frame.h).
 */
#include "capture/frame.h"

#include <stdio.h>
#include <string.h>

#include "core/tstime.h"
#include "core/utf8.h"

const char *const ts_frame_type_names[6] = {"STATE",       "TRADE", "OFFER_BOOK",
                                            "PRICE_DEPTH", "ORDER", "UNKNOWN"};
static const char *const actions[] = {"ADD", "EDIT", "DELETE", "DELETE_FROM", "FULL_BOOK"};
static const char *const sides[] = {"BID", "ASK"};
static const char *const aggressors[] = TS_AGGRESSOR_NAMES;

int ts_frame_open(struct ts_frame *fr, const char *line, size_t len, int64_t recv_ns,
                  struct ts_err *err)
{
    const char *ts = NULL;
    bool has_time = false;
    int type = TS_FRAME_UNKNOWN;

    memset(fr, 0, sizeof(*fr));
    fr->type = TS_FRAME_UNKNOWN;
    fr->time_ns = recv_ns;
    if (!ts_utf8_valid(line, len) || memchr(line, 0, len)) { /* text cannot hold NUL */
        return ts_err_set(err, TS_EINVAL, "the line is not valid UTF-8");
    }
    if (ts_json_parse(&fr->json, line, len, err)) {
        return ts_err_wrap(err, "not a JSON object");
    }
    fr->parsed = true;
    int rc = ts_json_take_enum(&fr->json, "type", true, ts_frame_type_names, 5, &type, NULL, err);
    if (rc) {
        return rc;
    }
    fr->type = (enum ts_frame_type)type;
    rc = ts_json_take_str(&fr->json, "time", type == TS_FRAME_TRADE, 64, &ts, &has_time, err);
    if (!rc && has_time && ts_time_parse_rfc3339_err(ts, strlen(ts), &fr->time_ns, err)) {
        /* out of range (TS_ERANGE) is a bad field like any other: frame.h's one refusal */
        err->code = TS_EINVAL;
        rc = TS_EINVAL;
    }
    if (!rc && type != TS_FRAME_STATE && type != TS_FRAME_ORDER) {
        rc = ts_json_take_str(&fr->json, "symbol", true, TS_SYMBOL_MAX, &fr->symbol, NULL, err);
    }
    return rc;
}

static int take_levels(struct ts_json_req *r, const char *key, struct ts_book_level *lv, int *n,
                       struct ts_err *err)
{
    struct ts_json_array a;
    int rc = ts_json_take_array(r, key, true, &a, NULL, err);
    if (rc) {
        return rc;
    }
    if (a.n > TS_BOOK_DEPTH) {
        rc = ts_err_set(err, TS_EINVAL, "field '%s' has more than %d levels", key, TS_BOOK_DEPTH);
    }
    *n = 0;
    for (size_t i = 0; i < a.n && !rc; i++) {
        struct ts_json_req e;
        rc = ts_json_array_item(&a, i, &e, err);
        if (!rc && !(rc = ts_json_take_dec(&e, "price", true, &lv[i].price, NULL, err))) {
            rc = ts_json_take_dec(&e, "volume", true, &lv[i].volume, NULL, err);
        }
        if (rc) {
            ts_err_wrap(err, "%s[%zu]", key, i);
        }
        ts_json_release(&e);
        *n = (int)i + 1;
    }
    ts_json_array_release(&a);
    return rc;
}

/* A book action's fields (OFFER_BOOK and PRICE_DEPTH alike). */
static int body_book(struct ts_frame *fr, struct ts_err *err)
{
    struct ts_json_req *r = &fr->json;
    struct ts_books_action *a = &fr->book;
    int action, side = 0;
    int64_t pos = 0;
    int rc = ts_json_take_enum(r, "action", true, actions, 5, &action, NULL, err);
    if (!rc && action != TS_BOOKS_FULL) {
        rc = ts_json_take_enum(r, "side", true, sides, 2, &side, NULL, err);
        if (!rc) {
            rc = ts_json_take_int(r, "position", true, 0, TS_BOOK_DEPTH - 1, &pos, NULL, err);
        }
        if (!rc && (action == TS_BOOKS_ADD || action == TS_BOOKS_EDIT)) {
            rc = ts_json_take_dec(r, "price", true, &a->price, NULL, err);
            if (!rc) {
                rc = ts_json_take_dec(r, "volume", true, &a->volume, NULL, err);
            }
        }
    } else if (!rc) {
        rc = take_levels(r, "bids", fr->bids, &a->nbids, err);
        if (!rc) {
            rc = take_levels(r, "asks", fr->asks, &a->nasks, err);
        }
        a->bids = fr->bids;
        a->asks = fr->asks;
    }
    a->kind = (enum ts_books_kind)(rc ? 0 : action);
    a->side = side ? TS_BOOK_ASK : TS_BOOK_BID;
    a->pos = (int)pos;
    a->time_ns = fr->time_ns;
    return rc;
}

static int body_trade(struct ts_frame *fr, int64_t recv_ns, struct ts_err *err)
{
    struct ts_json_req *r = &fr->json;
    struct ts_tick *t = &fr->tick;
    int64_t id;
    int ag = 2;
    int rc;
    snprintf(t->symbol, sizeof(t->symbol), "%s", fr->symbol);
    if (!(rc = ts_json_take_dec(r, "price", true, &t->price, NULL, err)) &&
        !(rc = ts_json_take_dec(r, "quantity", true, &t->volume, NULL, err)) &&
        !(rc = ts_json_take_int(r, "trade_id", true, 0, INT64_MAX, &id, NULL, err)) &&
        !(rc = ts_json_take_enum(r, "aggressor", false, aggressors, 3, &ag, NULL, err))) {
        if (t->price <= 0 || t->volume <= 0) {
            rc = ts_err_set(err, TS_EINVAL, "price and quantity must be > 0");
        }
    }
    if (!rc) {
        t->time_ns = fr->time_ns - fr->time_ns % 1000; /* what TIMESTAMPTZ keeps */
        t->trade_id = id;
        t->aggressor = ag;
        t->recv_ns = recv_ns;
    }
    return rc;
}

int ts_frame_body(struct ts_frame *fr, int64_t recv_ns, struct ts_err *err)
{
    switch (fr->type) {
    case TS_FRAME_TRADE:
        return body_trade(fr, recv_ns, err);
    case TS_FRAME_OFFER_BOOK:
    case TS_FRAME_PRICE_DEPTH:
        return body_book(fr, err);
    case TS_FRAME_STATE: {
        int rc = ts_json_take_str(&fr->json, "conn", true, 32, &fr->conn, NULL, err);
        return rc ? rc : ts_json_take_str(&fr->json, "result", true, 64, &fr->result, NULL, err);
    }
    case TS_FRAME_ORDER:
        return 0;
    case TS_FRAME_UNKNOWN:
        break;
    }
    return ts_err_set(err, TS_EINVAL, "a frame without a valid type has no body");
}

void ts_frame_release(struct ts_frame *fr)
{
    if (fr->parsed) {
        ts_json_release(&fr->json);
        fr->parsed = false;
    }
}
