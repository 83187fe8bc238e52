/*
 * order.h - orders: the enums of spec §6.2 with their exact spellings, the
 * order life cycle (state machine), fills, validation of new orders and of
 * modifications against the instrument.
 *
 * Life cycle (DESIGN.md §6 erratum 15; the same table as the guard trigger of
 * migrations/order_manager/0001_init.sql):
 *   PENDING      -> SUBMITTED | REJECTED | CANCELED
 *   SUBMITTED    -> PARTIAL_FILL | FILLED | CANCELED | REJECTED | EXPIRED
 *   PARTIAL_FILL -> PARTIAL_FILL | FILLED | CANCELED | EXPIRED
 *   FILLED, CANCELED, REJECTED, EXPIRED: terminal.
 * PARTIAL_FILL and FILLED are reached only through ts_order_apply_fill(), which
 * keeps filled_quantity and the status in step (the orders_status_fill_check
 * constraint); ts_order_transition() refuses to jump there on its own.
 *
 * Units: quantities and prices are ts_dec (8 decimals); times are int64 ns
 * since the Unix epoch, UTC, passed in by the caller (src/domain reads no clock).
 *
 * Does not: generate ids (the caller passes a UUIDv7), persist or audit
 * anything, know about risk (risk.h), positions (position.h) or the venue,
 * or check a fill's price against the order's limit (the venue's job).
 * Thread: an order belongs to the OMS thread; these functions are pure and
 * touch only the order they are given.
 */
#ifndef TS_DOMAIN_ORDER_H
#define TS_DOMAIN_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"
#include "core/err.h"
#include "core/uuid.h"
#include "domain/instrument.h"

#define TS_ORDER_REF_MAX 50        /* orders.order_ref VARCHAR(50) */
#define TS_ORDER_REJECT_REASON 256 /* bytes kept of a reject reason, NUL included */

enum ts_side {
    TS_SIDE_BUY,
    TS_SIDE_SELL,
};
#define TS_SIDE_COUNT 2

enum ts_order_type {
    TS_ORDER_MARKET,
    TS_ORDER_LIMIT,
    TS_ORDER_STOP,
    TS_ORDER_STOP_LIMIT,
};
#define TS_ORDER_TYPE_COUNT 4

enum ts_order_status {
    TS_ORDER_PENDING,
    TS_ORDER_SUBMITTED,
    TS_ORDER_PARTIAL_FILL,
    TS_ORDER_FILLED,
    TS_ORDER_CANCELED,
    TS_ORDER_REJECTED,
    TS_ORDER_EXPIRED,
};
#define TS_ORDER_STATUS_COUNT 7

enum ts_tif {
    TS_TIF_DAY,
    TS_TIF_GTC,
    TS_TIF_IOC,
    TS_TIF_FOK,
};
#define TS_TIF_COUNT 4

enum ts_position_type {
    TS_POSITION_DAY_TRADE,
    TS_POSITION_SWING,
    TS_POSITION_POSITION,
};
#define TS_POSITION_TYPE_COUNT 3

/*
 * Names are the exact uppercase spellings of the schema ("BUY", "STOP_LIMIT",
 * "PARTIAL_FILL", "DAY_TRADE"); *_str() returns "?" for a value out of range.
 * Parsing is exact: anything else, lowercase and "" included, is TS_EINVAL
 * and *out is untouched. s need not be NUL-terminated.
 */
const char *ts_order_side_str(enum ts_side v);
int ts_order_side_parse(const char *s, size_t len, enum ts_side *out) TS_MUST_CHECK;
const char *ts_order_type_str(enum ts_order_type v);
int ts_order_type_parse(const char *s, size_t len, enum ts_order_type *out) TS_MUST_CHECK;
const char *ts_order_status_str(enum ts_order_status v);
int ts_order_status_parse(const char *s, size_t len, enum ts_order_status *out) TS_MUST_CHECK;
const char *ts_order_tif_str(enum ts_tif v);
int ts_order_tif_parse(const char *s, size_t len, enum ts_tif *out) TS_MUST_CHECK;
const char *ts_order_position_type_str(enum ts_position_type v);
int ts_order_position_type_parse(const char *s, size_t len,
                                 enum ts_position_type *out) TS_MUST_CHECK;

/*
 * A request to place an order, as the API decoded it. Strings are borrowed
 * slices (need not be NUL-terminated), valid for the call only.
 */
struct ts_order_request {
    const char *order_ref; /* client's idempotency key: 1..50 printable ASCII, not blank */
    size_t order_ref_len;
    struct ts_uuid account_id;
    struct ts_uuid strategy_id;
    const char *symbol; /* must equal the instrument's symbol */
    size_t symbol_len;
    enum ts_side side;
    enum ts_order_type type;
    enum ts_tif tif;
    enum ts_position_type position_type;
    ts_dec quantity;     /* > 0, a multiple of the instrument's lot size */
    bool has_price;      /* LIMIT and STOP_LIMIT: true; MARKET and STOP: false */
    ts_dec price;        /* when has_price: > 0, on the tick size */
    bool has_stop_price; /* STOP and STOP_LIMIT: true; MARKET and LIMIT: false */
    ts_dec stop_price;   /* when has_stop_price: > 0, on the tick size */
};

/*
 * An order. Owned by the OMS thread. Fields mirror order_manager.orders;
 * the columns the domain does not need (created_by, reason, metadata,
 * venue_order_id) are the OMS's.
 */
struct ts_order {
    struct ts_uuid id;                    /* UUIDv7 from the caller */
    char order_ref[TS_ORDER_REF_MAX + 1]; /* NUL-terminated, validated */
    struct ts_uuid account_id;
    struct ts_uuid strategy_id;
    char symbol[TS_SYMBOL_MAX + 1];     /* NUL-terminated */
    char exchange[TS_EXCHANGE_MAX + 1]; /* copied from the instrument */
    enum ts_asset_class asset_class;    /* copied from the instrument */
    enum ts_side side;
    enum ts_order_type type;
    enum ts_tif tif;
    enum ts_position_type position_type;
    ts_dec quantity;     /* > 0; filled_quantity <= quantity */
    bool has_price;      /* price column not NULL */
    ts_dec price;        /* > 0 when has_price, else 0 */
    bool has_stop_price; /* stop_price column not NULL */
    ts_dec stop_price;   /* > 0 when has_stop_price, else 0 */
    enum ts_order_status status;
    ts_dec filled_quantity; /* 0 <= filled_quantity <= quantity; > 0 iff some fill applied */
    ts_dec avg_fill_price;  /* volume-weighted, half-even to 8 places; 0 (NULL) while unfilled */
    int64_t created_at;     /* ns UTC */
    int64_t submitted_at;   /* ns, 0 = NULL */
    int64_t filled_at;      /* ns of the fill that made it FILLED, 0 = NULL */
    int64_t canceled_at;    /* ns, 0 = NULL */
    int64_t expired_at;     /* ns, 0 = NULL */
    int64_t updated_at;     /* ns of the last change */
    char reject_reason[TS_ORDER_REJECT_REASON]; /* "" unless REJECTED */
};

/* A modification: only the fields whose has_* is true change. */
struct ts_order_modify {
    bool has_quantity;
    ts_dec quantity; /* new total quantity (filled part included): > filled_quantity, on lot */
    bool has_price;
    ts_dec price; /* LIMIT and STOP_LIMIT only, > 0, on tick */
    bool has_stop_price;
    ts_dec stop_price; /* STOP and STOP_LIMIT only, > 0, on tick */
};

/*
 * Checks a request against the instrument it names (NULL when the OMS does
 * not know the symbol). Returns 0, or TS_EINVAL with a message naming the
 * field: "quantity 150 is not a multiple of lot size 100", "LIMIT order needs
 * a price", "instrument PETR4 is HALTED", "unknown symbol 'XPTO3'".
 */
int ts_order_validate(const struct ts_order_request *req, const struct ts_instrument *inst,
                      struct ts_err *err) TS_MUST_CHECK;

/*
 * Validates req (as above) and, when valid, sets *o to a new PENDING order
 * with id, created_at = updated_at = now_ns. *o is untouched on failure.
 */
int ts_order_init(struct ts_order *o, const struct ts_order_request *req,
                  const struct ts_instrument *inst, const struct ts_uuid *id, int64_t now_ns,
                  struct ts_err *err) TS_MUST_CHECK;

/* Whether the life cycle allows from -> to (the table at the top of this file). */
bool ts_order_can_transition(enum ts_order_status from, enum ts_order_status to);
/* FILLED, CANCELED, REJECTED, EXPIRED. */
bool ts_order_status_is_terminal(enum ts_order_status s);
/* SUBMITTED or PARTIAL_FILL: at the venue, may still fill. */
bool ts_order_is_working(const struct ts_order *o);

/*
 * Moves o to status to at now_ns, stamping submitted_at / canceled_at /
 * expired_at and updated_at. TS_ESTATE "illegal order transition FILLED ->
 * CANCELED" when the table forbids it; TS_ESTATE too for PARTIAL_FILL or
 * FILLED (use ts_order_apply_fill()). o is untouched on failure.
 */
int ts_order_transition(struct ts_order *o, enum ts_order_status to, int64_t now_ns,
                        struct ts_err *err) TS_MUST_CHECK;

/* ts_order_transition(o, REJECTED) and keeps reason (truncated to fit) in reject_reason. */
int ts_order_reject(struct ts_order *o, const char *reason, int64_t now_ns,
                    struct ts_err *err) TS_MUST_CHECK;

/*
 * Applies a fill of quantity (> 0) at price (> 0) to a working order:
 * filled_quantity grows, avg_fill_price becomes the exact volume-weighted
 * average rounded half-even to 8 places, status becomes PARTIAL_FILL or
 * FILLED (filled_at = now_ns). Refused, o untouched: TS_EINVAL for a bad
 * quantity/price, TS_ESTATE for an order that is not working ("cannot fill
 * order 'r1' in status CANCELED"), TS_ECONFLICT for an overfill ("fill of 60
 * exceeds remaining quantity 50 of order 'r1'").
 */
int ts_order_apply_fill(struct ts_order *o, ts_dec quantity, ts_dec price, int64_t now_ns,
                        struct ts_err *err) TS_MUST_CHECK;

/*
 * Whether m may be applied to o: o PENDING, SUBMITTED or PARTIAL_FILL
 * (TS_ESTATE otherwise: "cannot modify order 'r1' in status CANCELED"); the
 * new quantity > 0, on the lot size and above filled_quantity (equal is
 * refused too: that is a cancel of the rest); price / stop_price only for
 * the types that have one, > 0, on the tick size; something must change
 * (TS_EINVAL for all of these).
 */
int ts_order_modify_check(const struct ts_order *o, const struct ts_order_modify *m,
                          const struct ts_instrument *inst, struct ts_err *err) TS_MUST_CHECK;

/* ts_order_modify_check() then applies m, updated_at = now_ns. o untouched on failure. */
int ts_order_modify(struct ts_order *o, const struct ts_order_modify *m,
                    const struct ts_instrument *inst, int64_t now_ns,
                    struct ts_err *err) TS_MUST_CHECK;

#endif
