/*
 * order.c - order enums, life cycle, fills, validation and modification.
 * See order.h. Does not allocate, read clocks or do I/O.
 */
#include "domain/order.h"

#include <assert.h>
#include <string.h>

#include "domain/internal.h"

static const char *const side_names[TS_SIDE_COUNT] = {"BUY", "SELL"};
static const char *const type_names[TS_ORDER_TYPE_COUNT] = {"MARKET", "LIMIT", "STOP",
                                                            "STOP_LIMIT"};
static const char *const status_names[TS_ORDER_STATUS_COUNT] = {
    "PENDING", "SUBMITTED", "PARTIAL_FILL", "FILLED", "CANCELED", "REJECTED", "EXPIRED",
};
static const char *const tif_names[TS_TIF_COUNT] = {"DAY", "GTC", "IOC", "FOK"};
static const char *const position_type_names[TS_POSITION_TYPE_COUNT] = {"DAY_TRADE", "SWING",
                                                                        "POSITION"};

/* One str/parse pair per enum, all backed by a name table. */
#define TS_ORDER_ENUM_NAMES(fn, type, table, count)                                                \
    const char *ts_order_##fn##_str(type v)                                                        \
    {                                                                                              \
        return ts_domain__name(table, count, (int)v);                                              \
    }                                                                                              \
    int ts_order_##fn##_parse(const char *s, size_t len, type *out)                                \
    {                                                                                              \
        int i;                                                                                     \
        int rc = ts_domain__parse_name(table, count, s, len, &i);                                  \
        if (rc == 0) {                                                                             \
            *out = (type)i;                                                                        \
        }                                                                                          \
        return rc;                                                                                 \
    }

TS_ORDER_ENUM_NAMES(side, enum ts_side, side_names, TS_SIDE_COUNT)
TS_ORDER_ENUM_NAMES(type, enum ts_order_type, type_names, TS_ORDER_TYPE_COUNT)
TS_ORDER_ENUM_NAMES(status, enum ts_order_status, status_names, TS_ORDER_STATUS_COUNT)
TS_ORDER_ENUM_NAMES(tif, enum ts_tif, tif_names, TS_TIF_COUNT)
TS_ORDER_ENUM_NAMES(position_type, enum ts_position_type, position_type_names,
                    TS_POSITION_TYPE_COUNT)

#undef TS_ORDER_ENUM_NAMES

/* ------------------------------------------------------------------------------------------- */
/* Life cycle */

#define BIT(s) (1u << (s))

/* allowed[from] has bit to set when from -> to is legal. */
static const unsigned allowed[TS_ORDER_STATUS_COUNT] = {
    [TS_ORDER_PENDING] = BIT(TS_ORDER_SUBMITTED) | BIT(TS_ORDER_REJECTED) | BIT(TS_ORDER_CANCELED),
    [TS_ORDER_SUBMITTED] = BIT(TS_ORDER_PARTIAL_FILL) | BIT(TS_ORDER_FILLED) |
                           BIT(TS_ORDER_CANCELED) | BIT(TS_ORDER_REJECTED) | BIT(TS_ORDER_EXPIRED),
    [TS_ORDER_PARTIAL_FILL] = BIT(TS_ORDER_PARTIAL_FILL) | BIT(TS_ORDER_FILLED) |
                              BIT(TS_ORDER_CANCELED) | BIT(TS_ORDER_EXPIRED),
    [TS_ORDER_FILLED] = 0,
    [TS_ORDER_CANCELED] = 0,
    [TS_ORDER_REJECTED] = 0,
    [TS_ORDER_EXPIRED] = 0,
};

static bool status_ok(enum ts_order_status s)
{
    return (unsigned)s < TS_ORDER_STATUS_COUNT;
}

bool ts_order_can_transition(enum ts_order_status from, enum ts_order_status to)
{
    return status_ok(from) && status_ok(to) && (allowed[from] & BIT(to)) != 0;
}

bool ts_order_status_is_terminal(enum ts_order_status s)
{
    return s == TS_ORDER_FILLED || s == TS_ORDER_CANCELED || s == TS_ORDER_REJECTED ||
           s == TS_ORDER_EXPIRED;
}

bool ts_order_is_working(const struct ts_order *o)
{
    return o->status == TS_ORDER_SUBMITTED || o->status == TS_ORDER_PARTIAL_FILL;
}

static int illegal(const struct ts_order *o, enum ts_order_status to, struct ts_err *err)
{
    return ts_err_set(err, TS_ESTATE, "illegal order transition %s -> %s",
                      ts_order_status_str(o->status), ts_order_status_str(to));
}

/* Sets the status and the time columns that go with it; the move was checked. */
static void move(struct ts_order *o, enum ts_order_status to, int64_t now_ns)
{
    assert(ts_order_can_transition(o->status, to));
    switch (to) {
    case TS_ORDER_SUBMITTED:
        o->submitted_at = now_ns;
        break;
    case TS_ORDER_FILLED:
        o->filled_at = now_ns;
        break;
    case TS_ORDER_CANCELED:
        o->canceled_at = now_ns;
        break;
    case TS_ORDER_EXPIRED:
        o->expired_at = now_ns;
        break;
    case TS_ORDER_PENDING:
    case TS_ORDER_PARTIAL_FILL:
    case TS_ORDER_REJECTED:
        break;
    }
    o->status = to;
    o->updated_at = now_ns;
}

int ts_order_transition(struct ts_order *o, enum ts_order_status to, int64_t now_ns,
                        struct ts_err *err)
{
    if (!ts_order_can_transition(o->status, to)) {
        return illegal(o, to, err);
    }
    if (to == TS_ORDER_PARTIAL_FILL || to == TS_ORDER_FILLED) {
        return ts_err_set(err, TS_ESTATE,
                          "order transition %s -> %s happens only by applying a fill",
                          ts_order_status_str(o->status), ts_order_status_str(to));
    }
    move(o, to, now_ns);
    return 0;
}

int ts_order_reject(struct ts_order *o, const char *reason, int64_t now_ns, struct ts_err *err)
{
    int rc = ts_order_transition(o, TS_ORDER_REJECTED, now_ns, err);

    if (rc != 0) {
        return rc;
    }
    size_t len = reason ? strlen(reason) : 0;
    if (len >= sizeof(o->reject_reason)) {
        len = sizeof(o->reject_reason) - 1; /* a reason is text for people: truncating is fine */
    }
    if (len > 0) {
        memcpy(o->reject_reason, reason, len);
    }
    o->reject_reason[len] = '\0';
    return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* Fills */

int ts_order_apply_fill(struct ts_order *o, ts_dec quantity, ts_dec price, int64_t now_ns,
                        struct ts_err *err)
{
    char q[TS_DEC_STRLEN], r[TS_DEC_STRLEN];
    ts_dec remaining, filled, avg;

    if (quantity <= 0 || !ts_dec_is_valid(quantity)) {
        ts_dec_format_trim(quantity, q, sizeof(q));
        return ts_err_set(err, TS_EINVAL, "fill quantity must be > 0, got %s", q);
    }
    if (price <= 0 || !ts_dec_is_valid(price)) {
        ts_dec_format_trim(price, q, sizeof(q));
        return ts_err_set(err, TS_EINVAL, "fill price must be > 0, got %s", q);
    }
    if (!ts_order_is_working(o)) {
        return ts_err_set(err, TS_ESTATE, "cannot fill order '%s' in status %s", o->order_ref,
                          ts_order_status_str(o->status));
    }
    remaining = o->quantity - o->filled_quantity; /* both valid, 0 <= filled <= qty: no overflow */
    if (quantity > remaining) {
        ts_dec_format_trim(quantity, q, sizeof(q));
        ts_dec_format_trim(remaining, r, sizeof(r));
        return ts_err_set(err, TS_ECONFLICT,
                          "fill of %s exceeds remaining quantity %s of order '%s'", q, r,
                          o->order_ref);
    }
    filled = o->filled_quantity + quantity; /* <= o->quantity */
    if (ts_domain__wavg(o->avg_fill_price, o->filled_quantity, price, quantity, &avg) != 0) {
        return ts_err_set(err, TS_ERANGE, "average fill price of order '%s' is out of range",
                          o->order_ref);
    }
    o->filled_quantity = filled;
    o->avg_fill_price = avg;
    move(o, filled == o->quantity ? TS_ORDER_FILLED : TS_ORDER_PARTIAL_FILL, now_ns);
    return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* Validation */

/* A quantity field: > 0 and on the lot size. */
static int check_quantity(const char *field, ts_dec v, const struct ts_instrument *inst,
                          struct ts_err *err)
{
    char a[TS_DEC_STRLEN], b[TS_DEC_STRLEN];

    ts_dec_format_trim(v, a, sizeof(a));
    if (v <= 0 || !ts_dec_is_valid(v)) {
        return ts_err_set(err, TS_EINVAL, "%s must be > 0, got %s", field, a);
    }
    if (!ts_dec_is_multiple(v, inst->lot_size)) {
        ts_dec_format_trim(inst->lot_size, b, sizeof(b));
        return ts_err_set(err, TS_EINVAL, "%s %s is not a multiple of lot size %s", field, a, b);
    }
    return 0;
}

/* A price field: > 0 and on the tick size. */
static int check_price(const char *field, ts_dec v, const struct ts_instrument *inst,
                       struct ts_err *err)
{
    char a[TS_DEC_STRLEN], b[TS_DEC_STRLEN];

    ts_dec_format_trim(v, a, sizeof(a));
    if (v <= 0 || !ts_dec_is_valid(v)) {
        return ts_err_set(err, TS_EINVAL, "%s must be > 0, got %s", field, a);
    }
    if (!ts_dec_is_multiple(v, inst->tick_size)) {
        ts_dec_format_trim(inst->tick_size, b, sizeof(b));
        return ts_err_set(err, TS_EINVAL, "%s %s is not a multiple of tick size %s", field, a, b);
    }
    return 0;
}

static bool type_has_price(enum ts_order_type t)
{
    return t == TS_ORDER_LIMIT || t == TS_ORDER_STOP_LIMIT;
}

static bool type_has_stop(enum ts_order_type t)
{
    return t == TS_ORDER_STOP || t == TS_ORDER_STOP_LIMIT;
}

static int check_order_ref(const char *s, size_t len, struct ts_err *err)
{
    bool blank = true;

    if (!s || len == 0) {
        return ts_err_set(err, TS_EINVAL, "order_ref is required");
    }
    if (len > TS_ORDER_REF_MAX) {
        return ts_err_set(err, TS_EINVAL, "order_ref has %zu characters, at most %d allowed", len,
                          TS_ORDER_REF_MAX);
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e) {
            return ts_err_set(err, TS_EINVAL,
                              "order_ref has a character that is not printable ASCII at "
                              "position %zu",
                              i + 1);
        }
        blank = blank && c == ' ';
    }
    if (blank) {
        return ts_err_set(err, TS_EINVAL, "order_ref must not be blank");
    }
    return 0;
}

/* The symbol as text for a message: at most 50 bytes, non-printable bytes as '?'. */
static void symbol_text(const char *s, size_t len, char out[TS_SYMBOL_MAX + 1])
{
    size_t n = len > TS_SYMBOL_MAX ? TS_SYMBOL_MAX : len;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = c >= 0x20 && c <= 0x7e && c != '\'' ? (char)c : '?';
    }
    out[n] = '\0';
}

/* Price and stop price present exactly for the types that have them, each on tick. */
static int check_prices(enum ts_order_type type, bool has_price, ts_dec price, bool has_stop,
                        ts_dec stop, const struct ts_instrument *inst, struct ts_err *err)
{
    const char *tn = ts_order_type_str(type);
    int rc;

    if (type_has_price(type) && !has_price) {
        return ts_err_set(err, TS_EINVAL, "%s order needs a price", tn);
    }
    if (!type_has_price(type) && has_price) {
        return ts_err_set(err, TS_EINVAL, "%s order must not have a price", tn);
    }
    if (type_has_stop(type) && !has_stop) {
        return ts_err_set(err, TS_EINVAL, "%s order needs a stop_price", tn);
    }
    if (!type_has_stop(type) && has_stop) {
        return ts_err_set(err, TS_EINVAL, "%s order must not have a stop_price", tn);
    }
    if (has_price && (rc = check_price("price", price, inst, err)) != 0) {
        return rc;
    }
    if (has_stop && (rc = check_price("stop_price", stop, inst, err)) != 0) {
        return rc;
    }
    return 0;
}

int ts_order_validate(const struct ts_order_request *req, const struct ts_instrument *inst,
                      struct ts_err *err)
{
    char sym[TS_SYMBOL_MAX + 1];
    int rc;

    if ((rc = check_order_ref(req->order_ref, req->order_ref_len, err)) != 0) {
        return rc;
    }
    if (!req->symbol || req->symbol_len == 0) {
        return ts_err_set(err, TS_EINVAL, "symbol is required");
    }
    symbol_text(req->symbol, req->symbol_len, sym);
    if (!inst || req->symbol_len > TS_SYMBOL_MAX || strlen(inst->symbol) != req->symbol_len ||
        memcmp(inst->symbol, req->symbol, req->symbol_len) != 0) {
        return ts_err_set(err, TS_EINVAL, "unknown symbol '%s'", sym);
    }
    if (inst->status != TS_INSTRUMENT_ACTIVE) {
        return ts_err_set(err, TS_EINVAL, "instrument %s is %s, not ACTIVE", inst->symbol,
                          ts_instrument_status_str(inst->status));
    }
    if (ts_uuid_is_nil(&req->account_id)) {
        return ts_err_set(err, TS_EINVAL, "account_id is required");
    }
    if (ts_uuid_is_nil(&req->strategy_id)) {
        return ts_err_set(err, TS_EINVAL, "strategy_id is required");
    }
    if ((unsigned)req->side >= TS_SIDE_COUNT) {
        return ts_err_set(err, TS_EINVAL, "invalid side %d", (int)req->side);
    }
    if ((unsigned)req->type >= TS_ORDER_TYPE_COUNT) {
        return ts_err_set(err, TS_EINVAL, "invalid order_type %d", (int)req->type);
    }
    if ((unsigned)req->tif >= TS_TIF_COUNT) {
        return ts_err_set(err, TS_EINVAL, "invalid time_in_force %d", (int)req->tif);
    }
    if ((unsigned)req->position_type >= TS_POSITION_TYPE_COUNT) {
        return ts_err_set(err, TS_EINVAL, "invalid position_type %d", (int)req->position_type);
    }
    if ((rc = check_quantity("quantity", req->quantity, inst, err)) != 0) {
        return rc;
    }
    return check_prices(req->type, req->has_price, req->price, req->has_stop_price, req->stop_price,
                        inst, err);
}

int ts_order_init(struct ts_order *o, const struct ts_order_request *req,
                  const struct ts_instrument *inst, const struct ts_uuid *id, int64_t now_ns,
                  struct ts_err *err)
{
    int rc = ts_order_validate(req, inst, err);

    if (rc != 0) {
        return rc;
    }
    memset(o, 0, sizeof(*o));
    o->id = *id;
    memcpy(o->order_ref, req->order_ref, req->order_ref_len); /* validated: <= 50, no NUL */
    o->account_id = req->account_id;
    o->strategy_id = req->strategy_id;
    memcpy(o->symbol, inst->symbol, sizeof(o->symbol));
    memcpy(o->exchange, inst->exchange, sizeof(o->exchange));
    o->exchange[TS_EXCHANGE_MAX] = '\0';
    o->asset_class = inst->asset_class;
    o->side = req->side;
    o->type = req->type;
    o->tif = req->tif;
    o->position_type = req->position_type;
    o->quantity = req->quantity;
    o->has_price = req->has_price;
    o->price = req->has_price ? req->price : 0;
    o->has_stop_price = req->has_stop_price;
    o->stop_price = req->has_stop_price ? req->stop_price : 0;
    o->status = TS_ORDER_PENDING;
    o->created_at = now_ns;
    o->updated_at = now_ns;
    return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* Modification */

int ts_order_modify_check(const struct ts_order *o, const struct ts_order_modify *m,
                          const struct ts_instrument *inst, struct ts_err *err)
{
    char a[TS_DEC_STRLEN], b[TS_DEC_STRLEN];
    int rc;

    if (o->status != TS_ORDER_PENDING && !ts_order_is_working(o)) {
        return ts_err_set(err, TS_ESTATE, "cannot modify order '%s' in status %s", o->order_ref,
                          ts_order_status_str(o->status));
    }
    if (!inst || strcmp(inst->symbol, o->symbol) != 0) {
        return ts_err_set(err, TS_EINVAL, "unknown symbol '%s'", o->symbol);
    }
    if (!m->has_quantity && !m->has_price && !m->has_stop_price) {
        return ts_err_set(err, TS_EINVAL, "modification of order '%s' changes nothing",
                          o->order_ref);
    }
    if (m->has_quantity) {
        if ((rc = check_quantity("quantity", m->quantity, inst, err)) != 0) {
            return rc;
        }
        if (m->quantity <= o->filled_quantity) {
            ts_dec_format_trim(m->quantity, a, sizeof(a));
            ts_dec_format_trim(o->filled_quantity, b, sizeof(b));
            return ts_err_set(err, TS_EINVAL,
                              "quantity %s must be above the filled quantity %s of order '%s'", a,
                              b, o->order_ref);
        }
    }
    if (m->has_price) {
        if (!type_has_price(o->type)) {
            return ts_err_set(err, TS_EINVAL, "%s order must not have a price",
                              ts_order_type_str(o->type));
        }
        if ((rc = check_price("price", m->price, inst, err)) != 0) {
            return rc;
        }
    }
    if (m->has_stop_price) {
        if (!type_has_stop(o->type)) {
            return ts_err_set(err, TS_EINVAL, "%s order must not have a stop_price",
                              ts_order_type_str(o->type));
        }
        if ((rc = check_price("stop_price", m->stop_price, inst, err)) != 0) {
            return rc;
        }
    }
    if ((!m->has_quantity || m->quantity == o->quantity) &&
        (!m->has_price || m->price == o->price) &&
        (!m->has_stop_price || m->stop_price == o->stop_price)) {
        return ts_err_set(err, TS_EINVAL, "modification of order '%s' changes nothing",
                          o->order_ref);
    }
    return 0;
}

int ts_order_modify(struct ts_order *o, const struct ts_order_modify *m,
                    const struct ts_instrument *inst, int64_t now_ns, struct ts_err *err)
{
    int rc = ts_order_modify_check(o, m, inst, err);

    if (rc != 0) {
        return rc;
    }
    if (m->has_quantity) {
        o->quantity = m->quantity;
    }
    if (m->has_price) {
        o->price = m->price;
    }
    if (m->has_stop_price) {
        o->stop_price = m->stop_price;
    }
    o->updated_at = now_ns;
    return 0;
}
