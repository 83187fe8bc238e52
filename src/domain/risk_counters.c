/*
 * risk_counters.c - the counters the risk check reads: position, unrealized
 * P&L and the B3 day's realized P&L, trades and orders, kept for every key
 * shape of an (account, strategy, symbol) (risk.h, domain/internal.h "Risk").
 *
 * A change is applied to all seven keys or to none. ts_risk_apply() (and its
 * wrappers) may grow the counters table; reading never allocates.
 * Does not do I/O or read clocks (the caller passes the time).
 */
#include "domain/risk.h"

#include <string.h>

#include "domain/internal.h"

int ts_risk_apply(struct ts_risk_state *st, const struct ts_uuid *account_id,
                  const struct ts_uuid *strategy_id, const char *symbol, int64_t time_ns,
                  const struct ts_risk_delta *d, struct ts_err *err)
{
    struct ts_risk__parts p;
    struct ts_risk__counter_slot next[TS_RISK__NSHAPES];
    struct ts_risk__counter_slot *slot[TS_RISK__NSHAPES];
    int32_t day;
    int rc;

    if (!account_id || !strategy_id || ts_uuid_is_nil(account_id) || ts_uuid_is_nil(strategy_id)) {
        return ts_err_set(err, TS_EINVAL, "risk counters need an account and a strategy");
    }
    if (ts_risk__parts_init(&p, account_id, strategy_id, symbol, true) != 0) {
        return ts_err_set(err, TS_EINVAL, "risk counters need a symbol of 1 to %d characters",
                          TS_SYMBOL_MAX);
    }
    if (!ts_dec_is_valid(d->position) || !ts_dec_is_valid(d->realized) ||
        !ts_dec_is_valid(d->unrealized) || !ts_domain__is_cents(d->realized) ||
        !ts_domain__is_cents(d->unrealized) || d->trades < 0 || d->orders < 0) {
        return ts_err_set(err, TS_EINVAL, "invalid risk counter change for %s", p.symbol);
    }
    if ((rc = ts_domain__b3_day(time_ns, &day, NULL, NULL)) != 0) {
        return ts_err_set(err, rc, "time outside the B3 calendar");
    }
    if (ts_risk__table_reserve(&st->counters, TS_RISK__NSHAPES) != 0) {
        return ts_err_set(err, TS_ERANGE, "too many risk counter keys");
    }
    /* A change of position or unrealized P&L alone does not open a trading day. */
    bool daily = d->realized != 0 || d->trades != 0 || d->orders != 0;
    /* Compute every new value first, commit only when all fit: all or nothing. */
    for (size_t i = 0; i < TS_RISK__NSHAPES; i++) {
        struct ts_risk__key k;
        uint64_t h = ts_risk__key_of(&p, ts_risk__shapes[i].mask, &k);
        slot[i] = (struct ts_risk__counter_slot *)ts_risk__table_get(&st->counters, h, &k);
        next[i] = *slot[i];
        if ((ts_risk__shapes[i].mask & TS_RISK__K_SYMBOL) &&
            ts_dec_add(next[i].position, d->position, &next[i].position) != 0) {
            return ts_err_set(err, TS_ERANGE, "position of %s out of range", p.symbol);
        }
        if (ts_dec_add(next[i].unrealized, d->unrealized, &next[i].unrealized) != 0 ||
            (daily &&
             ts_domain__daily_add(&next[i].daily, day, d->realized, d->trades, d->orders) != 0)) {
            return ts_err_set(err, TS_ERANGE, "daily counters of %s out of range", p.symbol);
        }
    }
    for (size_t i = 0; i < TS_RISK__NSHAPES; i++) {
        *slot[i] = next[i];
    }
    return 0;
}

int ts_risk_record_order(struct ts_risk_state *st, const struct ts_uuid *account_id,
                         const struct ts_uuid *strategy_id, const char *symbol, int64_t time_ns,
                         struct ts_err *err)
{
    struct ts_risk_delta d = {.orders = 1};
    return ts_risk_apply(st, account_id, strategy_id, symbol, time_ns, &d, err);
}

int ts_risk_record_fill(struct ts_risk_state *st, const struct ts_uuid *account_id,
                        const struct ts_uuid *strategy_id, const char *symbol, enum ts_side side,
                        ts_dec quantity, ts_dec realized, int64_t time_ns, struct ts_err *err)
{
    struct ts_risk_delta d = {.realized = realized, .trades = 1};

    if (quantity <= 0 || !ts_dec_is_valid(quantity) || (unsigned)side >= TS_SIDE_COUNT) {
        return ts_err_set(err, TS_EINVAL, "fill for risk counters needs a side and quantity > 0");
    }
    d.position = side == TS_SIDE_BUY ? quantity : -quantity;
    return ts_risk_apply(st, account_id, strategy_id, symbol, time_ns, &d, err);
}

int ts_risk_set_unrealized(struct ts_risk_state *st, const struct ts_uuid *account_id,
                           const struct ts_uuid *strategy_id, const char *symbol, ts_dec unrealized,
                           struct ts_err *err)
{
    struct ts_risk__parts p;
    struct ts_risk_delta d = {0};
    const struct ts_risk__counter_slot *c;

    if (!ts_dec_is_valid(unrealized) || !ts_domain__is_cents(unrealized)) {
        return ts_err_set(err, TS_EINVAL, "unrealized P&L must be whole cents");
    }
    if (ts_risk__parts_init(&p, account_id, strategy_id, symbol, true) != 0) {
        return ts_err_set(err, TS_EINVAL, "risk counters need a symbol of 1 to %d characters",
                          TS_SYMBOL_MAX);
    }
    c = ts_risk__find_counters(st, &p,
                               TS_RISK__K_ACCOUNT | TS_RISK__K_STRATEGY | TS_RISK__K_SYMBOL);
    if (ts_dec_sub(unrealized, c ? c->unrealized : 0, &d.unrealized) != 0) {
        return ts_err_set(err, TS_ERANGE, "unrealized P&L of %s out of range", p.symbol);
    }
    /* no daily field changes: the time does not matter */
    return ts_risk_apply(st, account_id, strategy_id, symbol, 0, &d, err);
}

int ts_risk_get_counters(const struct ts_risk_state *st, const struct ts_uuid *account_id,
                         const struct ts_uuid *strategy_id, const char *symbol, int64_t now_ns,
                         struct ts_risk_counters *out)
{
    struct ts_risk__parts p;
    const struct ts_risk__counter_slot *c;
    unsigned mask = 0;
    int rc;

    if (ts_risk__parts_init(&p, account_id, strategy_id, symbol, false) != 0) {
        return TS_EINVAL;
    }
    mask |= ts_uuid_is_nil(&p.account) ? 0 : TS_RISK__K_ACCOUNT;
    mask |= ts_uuid_is_nil(&p.strategy) ? 0 : TS_RISK__K_STRATEGY;
    mask |= p.symbol[0] ? TS_RISK__K_SYMBOL : 0;
    c = ts_risk__find_counters(st, &p, mask);
    memset(out, 0, sizeof(*out));
    if (!c) {
        return ts_daily_stats_view(&out->today, now_ns, &out->today);
    }
    out->position = c->position;
    out->unrealized = c->unrealized;
    rc = ts_daily_stats_view(&c->daily, now_ns, &out->today);
    return rc;
}
