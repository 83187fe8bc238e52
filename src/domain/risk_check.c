/*
 * risk_check.c - the pre-trade risk check, ts_risk_check(): the order's own
 * shape, the kill switch, trading hours, then every active limit that applies,
 * key shape by key shape, in the order of risk.h.
 *
 * The hot path of the order manager: it hashes the order's parts once and
 * allocates nothing (bench/bench_risk.sh). Reads the state only.
 * Does not do I/O or read clocks (the order carries its time).
 */
#include "domain/risk.h"

#include <assert.h>
#include <string.h>

#include "domain/internal.h"

static int invalid(struct ts_risk_verdict *v, int code, const char *detail)
{
    v->accepted = false;
    v->rule = TS_RISK_RULE_INVALID_ORDER;
    v->code = code;
    v->detail = detail;
    return code;
}

static void refuse(struct ts_risk_verdict *v, enum ts_risk_rule rule, const struct ts_risk_limit *l,
                   ts_dec limit, ts_dec value)
{
    v->accepted = false;
    v->rule = rule;
    v->from_limit = l != NULL;
    if (l) {
        v->scope = l->scope;
        v->limit_id = l->id;
    }
    v->limit = limit;
    v->value = value;
}

/* What one check needs besides the state: the order, its parts, its day. */
struct ctx {
    const struct ts_risk_order *o;
    struct ts_risk__parts p;
    int32_t day;
    bool have_value;
    ts_dec value; /* order value, once computed */
};

static ts_dec abs_dec(ts_dec v)
{
    return v < 0 ? -v : v; /* |v| <= 2 * TS_DEC_MAX here: no overflow */
}

/* The order's value, computed once, when a max_order_value needs it. */
static int order_value(struct ctx *c, struct ts_risk_verdict *v)
{
    const struct ts_risk_order *o = c->o;
    ts_dec price;

    if (c->have_value) {
        return 0;
    }
    switch (o->type) {
    case TS_ORDER_MARKET:
        price = o->reference_price;
        if (price <= 0 || !ts_dec_is_valid(price)) {
            return invalid(v, TS_EINVAL, "MARKET order needs a reference price > 0");
        }
        break;
    case TS_ORDER_STOP:
        price = o->stop_price;
        if (price <= 0 || !ts_dec_is_valid(price)) {
            return invalid(v, TS_EINVAL, "STOP order needs a stop price > 0");
        }
        break;
    default: /* LIMIT, STOP_LIMIT: the limit price bounds what a fill costs */
        price = o->price;
        if (price <= 0 || !ts_dec_is_valid(price)) {
            return invalid(v, TS_EINVAL, "LIMIT or STOP_LIMIT order needs a price > 0");
        }
        break;
    }
    if (ts_dec_mul(o->quantity, price, &c->value) != 0) {
        return invalid(v, TS_ERANGE, "order value does not fit DECIMAL(18,8)");
    }
    c->have_value = true;
    return 0;
}

/* Evaluates limit l (found under shape mask). 0 with v->rule set when refused; <0 invalid. */
static int check_limit(const struct ts_risk_state *st, struct ctx *c, const struct ts_risk_limit *l,
                       unsigned mask, struct ts_risk_verdict *v)
{
    const struct ts_risk_order *o = c->o;
    const struct ts_risk__counter_slot *own = NULL; /* counters of the limit's own key */
    bool own_done = false;
    int rc;

    if (l->has_max_order_value) {
        if ((rc = order_value(c, v)) != 0) {
            return rc;
        }
        if (c->value > l->max_order_value) {
            refuse(v, TS_RISK_RULE_MAX_ORDER_VALUE, l, l->max_order_value, c->value);
            return 0;
        }
    }
    if (l->has_max_position_size) {
        const struct ts_risk__counter_slot *pc =
            ts_risk__find_counters(st, &c->p, mask | TS_RISK__K_SYMBOL);
        ts_dec net = pc ? pc->position : 0;
        ts_dec after = o->side == TS_SIDE_BUY ? net + o->quantity : net - o->quantity;
        if (abs_dec(after) > l->max_position_size && abs_dec(after) > abs_dec(net)) {
            refuse(v, TS_RISK_RULE_MAX_POSITION_SIZE, l, l->max_position_size, abs_dec(after));
            return 0;
        }
        if (mask & TS_RISK__K_SYMBOL) {
            own = pc;
            own_done = true;
        }
    }
    if (l->has_max_daily_loss || (l->has_max_daily_trades && !o->is_modify)) {
        if (!own_done) {
            own = ts_risk__find_counters(st, &c->p, mask);
        }
        bool today = own && own->daily.day == c->day;
        if (l->has_max_daily_loss) {
            ts_dec pnl = today ? own->daily.realized_pnl : 0;
            if (st->loss_includes_unrealized && own) {
                pnl += own->unrealized; /* both valid: the sum fits int64 */
            }
            if (pnl < 0 && -pnl >= l->max_daily_loss) {
                refuse(v, TS_RISK_RULE_MAX_DAILY_LOSS, l, l->max_daily_loss, -pnl);
                return 0;
            }
        }
        if (l->has_max_daily_trades && !o->is_modify) {
            int64_t n = today ? own->daily.orders : 0;
            if (n >= l->max_daily_trades) {
                ts_dec nv;
                if (ts_dec_from_int(n, &nv) != 0) {
                    nv = TS_DEC_MAX;
                }
                refuse(v, TS_RISK_RULE_MAX_DAILY_TRADES, l, TS_DEC_C(l->max_daily_trades), nv);
                return 0;
            }
        }
    }
    return 0;
}

int ts_risk_check(const struct ts_risk_state *st, const struct ts_risk_order *o,
                  struct ts_risk_verdict *v)
{
    struct ctx c;
    int minute, weekday;

    memset(v, 0, sizeof(*v));
    v->detail = "";
    v->accepted = true;
    c.o = o;
    c.have_value = false;
    c.value = 0;

    if (ts_risk__parts_init(&c.p, &o->account_id, &o->strategy_id, o->symbol, true) != 0) {
        return invalid(v, TS_EINVAL, "symbol must be 1 to 50 printable characters");
    }
    if (ts_uuid_is_nil(&o->account_id) || ts_uuid_is_nil(&o->strategy_id)) {
        return invalid(v, TS_EINVAL, "order needs an account and a strategy");
    }
    if ((unsigned)o->side >= TS_SIDE_COUNT || (unsigned)o->type >= TS_ORDER_TYPE_COUNT) {
        return invalid(v, TS_EINVAL, "order has an invalid side or type");
    }
    if (o->quantity <= 0 || !ts_dec_is_valid(o->quantity)) {
        return invalid(v, TS_EINVAL, "quantity must be > 0");
    }
    if (ts_domain__b3_day(o->now_ns, &c.day, &minute, &weekday) != 0) {
        return invalid(v, TS_EINVAL, "order time outside the B3 calendar");
    }

    if (st->kill_switch) {
        refuse(v, TS_RISK_RULE_KILL_SWITCH, NULL, 0, 0);
        return 0;
    }
    if (st->check_trading_hours) {
        const struct ts_instrument *in = o->instrument;
        if (!in) {
            return invalid(v, TS_EINVAL, "trading hours need the order's instrument");
        }
        if (strcmp(in->symbol, c.p.symbol) != 0) {
            return invalid(v, TS_EINVAL, "instrument is not the order's symbol");
        }
        struct ts_local_time lt = {.minutes_of_day = minute, .weekday = weekday};
        if (!ts_instrument_is_open(in, &lt)) {
            refuse(v, TS_RISK_RULE_TRADING_HOURS, NULL, 0, 0);
            v->open_minute = in->open_minute;
            v->close_minute = in->close_minute;
            v->local_minute = minute;
            v->local_weekday = weekday;
            return 0;
        }
    }
    if (st->limits.count == 0) {
        return 0;
    }
    for (size_t i = 0; i < TS_RISK__NSHAPES; i++) {
        struct ts_risk__key k;
        uint64_t h = ts_risk__key_of(&c.p, ts_risk__shapes[i].mask, &k);
        const struct ts_risk__limit_slot *s =
            (const struct ts_risk__limit_slot *)ts_risk__table_find(&st->limits, h, &k);
        if (!s || !s->limit.active) {
            continue;
        }
        assert(s->limit.scope == ts_risk__shapes[i].scope);
        int rc = check_limit(st, &c, &s->limit, ts_risk__shapes[i].mask, v);
        if (rc != 0 || !v->accepted) {
            return rc;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* Text */
