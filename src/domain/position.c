/*
 * position.c - positions from fills: average entry price, realized and
 * unrealized P&L, flips; daily counters keyed on the B3 local date.
 * See position.h for the rounding rules. Does not allocate, read clocks or do I/O.
 */
#include "domain/position.h"

#include <assert.h>
#include <string.h>

#include "domain/internal.h"

static const char *const side_names[TS_POSITION_SIDE_COUNT] = {"LONG", "SHORT"};
static const char *const status_names[TS_POSITION_STATUS_COUNT] = {"OPEN", "CLOSED"};

const char *ts_position_side_str(enum ts_position_side v)
{
    return ts_domain__name(side_names, TS_POSITION_SIDE_COUNT, (int)v);
}

int ts_position_side_parse(const char *s, size_t len, enum ts_position_side *out)
{
    int i;
    int rc = ts_domain__parse_name(side_names, TS_POSITION_SIDE_COUNT, s, len, &i);
    if (rc == 0) {
        *out = (enum ts_position_side)i;
    }
    return rc;
}

const char *ts_position_status_str(enum ts_position_status v)
{
    return ts_domain__name(status_names, TS_POSITION_STATUS_COUNT, (int)v);
}

int ts_position_status_parse(const char *s, size_t len, enum ts_position_status *out)
{
    int i;
    int rc = ts_domain__parse_name(status_names, TS_POSITION_STATUS_COUNT, s, len, &i);
    if (rc == 0) {
        *out = (enum ts_position_status)i;
    }
    return rc;
}

int ts_position_init(struct ts_position *pos, const struct ts_uuid *account_id,
                     const struct ts_uuid *strategy_id, const char *symbol,
                     enum ts_position_type position_type)
{
    size_t len = symbol ? strlen(symbol) : 0;

    memset(pos, 0, sizeof(*pos));
    if (len == 0 || ts_domain__copy(pos->symbol, sizeof(pos->symbol), symbol, len) != 0) {
        return TS_EINVAL;
    }
    pos->account_id = *account_id;
    pos->strategy_id = *strategy_id;
    pos->position_type = position_type;
    pos->side = TS_POSITION_LONG;
    pos->status = TS_POSITION_CLOSED;
    return 0;
}

ts_dec ts_position_net(const struct ts_position *pos)
{
    if (pos->quantity == 0) {
        return 0;
    }
    return pos->side == TS_POSITION_LONG ? pos->quantity : -pos->quantity;
}

/* Unrealized P&L of p at its mark, cents; 0 when flat or never marked. */
static int unrealized(const struct ts_position *p, ts_dec *out)
{
    if (p->quantity == 0 || p->mark_price == 0) {
        *out = 0;
        return 0;
    }
    if (p->side == TS_POSITION_LONG) {
        return ts_domain__pnl_cents(p->mark_price, p->avg_entry_price, p->quantity, out);
    }
    return ts_domain__pnl_cents(p->avg_entry_price, p->mark_price, p->quantity, out);
}

/* p becomes a new OPEN row: side, qty at price, charged fees; id, key and mark are kept/set. */
static void open_row(struct ts_position *p, enum ts_position_side side, ts_dec qty, ts_dec price,
                     ts_dec fees, const struct ts_uuid *id, int64_t t)
{
    p->id = *id;
    p->side = side;
    p->status = TS_POSITION_OPEN;
    p->quantity = qty;
    p->avg_entry_price = price;
    p->realized_pnl = -fees; /* fees valid and >= 0: negation is valid */
    p->unrealized_pnl = 0;
    p->opened_at = t;
    p->closed_at = 0;
}

/* The fees of a flip charged to the closed leg: fees * part / whole, half-even, cents. */
static ts_dec fee_share(ts_dec fees, ts_dec part, ts_dec whole)
{
    ts_domain__i128 cents = fees / TS_DOMAIN__CENT; /* fees are whole cents */
    ts_domain__i128 share = ts_domain__div_half_even(cents * part, whole);
    assert(share >= 0 && share <= cents); /* 0 < part < whole */
    return (ts_dec)share * TS_DOMAIN__CENT;
}

static int check_fill(const struct ts_fill *f, struct ts_err *err)
{
    char a[TS_DEC_STRLEN];

    if ((unsigned)f->side >= TS_SIDE_COUNT) {
        return ts_err_set(err, TS_EINVAL, "fill has an invalid side %d", (int)f->side);
    }
    if (f->quantity <= 0 || !ts_dec_is_valid(f->quantity)) {
        ts_dec_format_trim(f->quantity, a, sizeof(a));
        return ts_err_set(err, TS_EINVAL, "fill quantity must be > 0, got %s", a);
    }
    if (f->price <= 0 || !ts_dec_is_valid(f->price)) {
        ts_dec_format_trim(f->price, a, sizeof(a));
        return ts_err_set(err, TS_EINVAL, "fill price must be > 0, got %s", a);
    }
    if (f->fees < 0 || !ts_dec_is_valid(f->fees) || !ts_domain__is_cents(f->fees)) {
        ts_dec_format_trim(f->fees, a, sizeof(a));
        return ts_err_set(err, TS_EINVAL, "fill fees must be whole cents >= 0, got %s", a);
    }
    return 0;
}

static int range(struct ts_err *err, const char *what, const struct ts_position *p)
{
    return ts_err_set(err, TS_ERANGE, "%s of position %s is out of range", what, p->symbol);
}

/* From flat: a new row. */
static void open_from_flat(struct ts_position *p, enum ts_position_side dir,
                           const struct ts_fill *fill, const struct ts_uuid *new_id,
                           struct ts_position_fill_result *r)
{
    open_row(p, dir, fill->quantity, fill->price, fill->fees, new_id, fill->time_ns);
    r->opened = true;
    r->opened_quantity = fill->quantity;
    r->fees_opened = fill->fees;
    r->realized = -fill->fees;
}

/* A fill on the position's side raises it: new average entry price, fees realized now. */
static int raise_same_side(struct ts_position *p, const struct ts_fill *fill,
                           struct ts_position_fill_result *r, struct ts_err *err)
{
    ts_dec avg, qty, realized;

    if (ts_domain__wavg(p->avg_entry_price, p->quantity, fill->price, fill->quantity, &avg) != 0 ||
        ts_dec_add(p->quantity, fill->quantity, &qty) != 0 ||
        ts_dec_sub(p->realized_pnl, fill->fees, &realized) != 0) {
        return range(err, "raising", p);
    }
    p->avg_entry_price = avg;
    p->quantity = qty;
    p->realized_pnl = realized;
    r->opened_quantity = fill->quantity;
    r->fees_opened = fill->fees;
    r->realized = -fill->fees;
    return 0;
}

/*
 * A fill on the other side reduces the position, closes it (quantity reaches 0), or
 * flips it (the rest of the fill opens a new row on its side, with new_id).
 */
static int reduce_other_side(struct ts_position *p, enum ts_position_side dir,
                             const struct ts_fill *fill, const struct ts_uuid *new_id,
                             struct ts_position_fill_result *r, struct ts_err *err)
{
    ts_dec close_qty = fill->quantity < p->quantity ? fill->quantity : p->quantity;
    ts_dec gross, net, realized;
    ts_dec fees_close = fill->fees;
    int rc;

    if (fill->quantity > p->quantity) {
        fees_close = fee_share(fill->fees, close_qty, fill->quantity);
    }
    rc = p->side == TS_POSITION_LONG
             ? ts_domain__pnl_cents(fill->price, p->avg_entry_price, close_qty, &gross)
             : ts_domain__pnl_cents(p->avg_entry_price, fill->price, close_qty, &gross);
    if (rc != 0 || ts_dec_sub(gross, fees_close, &net) != 0 ||
        ts_dec_add(p->realized_pnl, net, &realized) != 0) {
        return range(err, "realized P&L", p);
    }
    p->realized_pnl = realized;
    p->quantity -= close_qty; /* 0 < close_qty <= quantity */
    r->closed_quantity = close_qty;
    r->fees_closed = fees_close;
    r->realized = net;
    if (p->quantity == 0) {
        p->status = TS_POSITION_CLOSED;
        p->closed_at = fill->time_ns;
        p->updated_at = fill->time_ns;
        p->unrealized_pnl = 0;
        r->closed = true;
        r->closed_row = *p;
    }
    if (fill->quantity > close_qty) {
        ts_dec fees_open = fill->fees - fees_close; /* 0 <= share <= fees */
        open_row(p, dir, fill->quantity - close_qty, fill->price, fees_open, new_id, fill->time_ns);
        r->opened = true;
        r->flipped = true;
        r->opened_quantity = fill->quantity - close_qty;
        r->fees_opened = fees_open;
        r->realized = net - fees_open; /* |net| and fees_open are valid cents: no overflow */
        if (!ts_dec_is_valid(r->realized)) {
            return range(err, "realized P&L", p);
        }
    }
    return 0;
}

/* Works on copies of *pos and the result: on any refusal both stay untouched. */
int ts_position_apply_fill(struct ts_position *pos, const struct ts_fill *fill,
                           const struct ts_uuid *new_id, struct ts_position_fill_result *out,
                           struct ts_err *err)
{
    struct ts_position p = *pos;
    struct ts_position_fill_result r;
    enum ts_position_side dir;
    int rc = check_fill(fill, err);

    if (rc != 0) {
        return rc;
    }
    memset(&r, 0, sizeof(r));
    dir = fill->side == TS_SIDE_BUY ? TS_POSITION_LONG : TS_POSITION_SHORT;
    bool opens = p.quantity == 0 || (p.side != dir && fill->quantity > p.quantity);
    if (opens && !new_id) {
        return ts_err_set(err, TS_EINVAL, "fill opens a position of %s: new_id is required",
                          p.symbol);
    }

    if (p.quantity == 0) {
        open_from_flat(&p, dir, fill, new_id, &r);
    } else if (p.side == dir) {
        rc = raise_same_side(&p, fill, &r, err);
    } else {
        rc = reduce_other_side(&p, dir, fill, new_id, &r, err);
    }
    if (rc != 0) {
        return rc;
    }
    if (unrealized(&p, &p.unrealized_pnl) != 0) {
        return range(err, "unrealized P&L", &p);
    }
    p.updated_at = fill->time_ns;
    *pos = p;
    *out = r;
    return 0;
}

int ts_position_mark(struct ts_position *pos, ts_dec price, struct ts_err *err)
{
    struct ts_position p = *pos;
    char a[TS_DEC_STRLEN];

    if (price <= 0 || !ts_dec_is_valid(price)) {
        ts_dec_format_trim(price, a, sizeof(a));
        return ts_err_set(err, TS_EINVAL, "mark price of %s must be > 0, got %s", pos->symbol, a);
    }
    p.mark_price = price;
    if (unrealized(&p, &p.unrealized_pnl) != 0) {
        return range(err, "unrealized P&L", &p);
    }
    *pos = p;
    return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* Daily counters */

void ts_daily_stats_init(struct ts_daily_stats *st)
{
    memset(st, 0, sizeof(*st));
}

int ts_domain__daily_add(struct ts_daily_stats *st, int32_t day, ts_dec realized, int64_t trades,
                         int64_t orders)
{
    struct ts_daily_stats s = *st;

    if (day < s.day) {
        return 0; /* an earlier day than the one counted: not today's business */
    }
    if (day > s.day) {
        ts_daily_stats_init(&s);
        s.day = day;
    }
    if (ts_dec_add(s.realized_pnl, realized, &s.realized_pnl) != 0 ||
        __builtin_add_overflow(s.trades, trades, &s.trades) ||
        __builtin_add_overflow(s.orders, orders, &s.orders)) {
        return TS_ERANGE;
    }
    *st = s;
    return 0;
}

int ts_daily_stats_add_fill(struct ts_daily_stats *st, int64_t time_ns, ts_dec realized)
{
    int32_t day;
    int rc;

    if (!ts_dec_is_valid(realized) || !ts_domain__is_cents(realized)) {
        return TS_EINVAL;
    }
    if ((rc = ts_domain__b3_day(time_ns, &day, NULL, NULL)) != 0) {
        return rc;
    }
    return ts_domain__daily_add(st, day, realized, 1, 0);
}

int ts_daily_stats_add_order(struct ts_daily_stats *st, int64_t time_ns)
{
    int32_t day;
    int rc;

    if ((rc = ts_domain__b3_day(time_ns, &day, NULL, NULL)) != 0) {
        return rc;
    }
    return ts_domain__daily_add(st, day, 0, 0, 1);
}

int ts_daily_stats_view(const struct ts_daily_stats *st, int64_t now_ns, struct ts_daily_stats *out)
{
    int32_t day;
    int rc = ts_domain__b3_day(now_ns, &day, NULL, NULL);

    if (rc != 0) {
        return rc;
    }
    if (st->day == day) {
        *out = *st;
    } else {
        ts_daily_stats_init(out);
        out->day = day;
    }
    return 0;
}
