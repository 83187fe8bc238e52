/*
 * commands.c - the order manager's decisions on the commands of traders: place
 * (validation, pre-trade risk, the paper venue's fill of a MARKET order), modify
 * (risk again on the modified order), cancel, the kill switch, and the end of day.
 * Each decides in memory and appends its writes to the batch's transaction
 * (stmt.c); thread.c commits and answers. A refusal sets the command's code and
 * reason (oms.h lists them); it never speaks of transport. Fills from ticks are
 * fills.c. OMS thread only.
 */
#include "oms/internal.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/tstime.h"

/*
 * The checks of a placement that need no risk state: the instrument, the account,
 * the strategy, what the paper venue supports. Returns the instrument, or NULL
 * with the refusal in c (nothing is written).
 */
static const struct ts_instrument *place_check(struct ts_oms *oms, struct ts_oms__cmd *c)
{
    const struct ts_order_request *rq = &c->place->req;
    const struct ts_instrument *in = ts_oms__find_inst(&oms->st, rq->symbol, rq->symbol_len);
    if (!in) {
        c->rc = ts_err_set(&c->err, TS_EINVAL, "unknown symbol '%.*s'",
                           (int)(rq->symbol_len > 50 ? 50 : rq->symbol_len), rq->symbol);
        return NULL;
    }
    const struct ts_oms__account *acct = ts_oms__find_account(&oms->st, &rq->account_id);
    if (!acct || !acct->active) {
        c->rc = ts_err_set(&c->err, TS_EINVAL, "%s",
                           acct ? "account is not ACTIVE" : "unknown account_id");
        return NULL;
    }
    const struct ts_oms__strategy *strat = ts_oms__find_strategy(&oms->st, &rq->strategy_id);
    if (!strat) {
        c->rc = ts_err_set(&c->err, TS_EINVAL, "unknown strategy_id");
        return NULL;
    }
    if (strcmp(strat->status, "ACTIVE") != 0 && strcmp(strat->status, "TESTING") != 0) {
        c->rc =
            ts_err_set(&c->err, TS_EINVAL,
                       "strategy is %s: only ACTIVE or TESTING strategies trade", strat->status);
        return NULL;
    }
    if (rq->tif == TS_TIF_IOC || rq->tif == TS_TIF_FOK) {
        c->rc = ts_err_set(&c->err, TS_EINVAL,
                           "time_in_force IOC and FOK are not supported by the paper venue");
        return NULL;
    }
    return in;
}

/* Refused by the risk check: the order is written REJECTED with its reason, and answered so. */
static void place_rejected(struct ts_oms *oms, struct ts_oms__cmd *c, struct ts_oms__order *w,
                           const struct ts_risk_verdict *v, int64_t now)
{
    const struct ts_oms_place *pl = c->place;
    struct ts_order *o = &w->o;
    struct ts_err err = TS_ERR_INIT;
    char why[TS_ORDER_REJECT_REASON];

    ts_risk_verdict_format(v, why, sizeof(why));
    if (ts_order_reject(o, why, now, &err)) {
        ts_error("oms", "cannot reject order %s: %s", o->order_ref, err.msg);
    }
    ts_oms__stmt_actor(oms, c->actor, pl->reason);
    ts_oms__stmt_order_insert(oms, o, c->actor, pl->reason, pl->metadata);
    ts_oms__stmt_order_event(oms, w, "OrderRejected");
    ts_oms__stmt_risk_event(oms, &o->id, v, why);
    c->rc = ts_err_set(&c->err, TS_ERISK, "%s", why);
    c->res->verdict = *v;
    c->res->rejected_id = o->id;
    atomic_fetch_add(&oms->m_rejected, 1);
}

/* Accepted: CREATED, then SUBMITTED to the venue; a MARKET order fills at the last price. */
static void place_accepted(struct ts_oms *oms, struct ts_oms__cmd *c, struct ts_oms__order *w,
                           int64_t now)
{
    const struct ts_oms_place *pl = c->place;
    struct ts_order *o = &w->o;
    struct ts_err err = TS_ERR_INIT;

    ts_oms__stmt_actor(oms, c->actor, pl->reason);
    ts_oms__stmt_order_insert(oms, o, c->actor, pl->reason, pl->metadata);
    if (ts_order_transition(o, TS_ORDER_SUBMITTED, now, &err)) {
        ts_error("oms", "cannot submit order %s: %s", o->order_ref, err.msg);
    }
    ts_oms__stmt_order_update(oms, o);
    ts_oms__stmt_order_event(oms, w, "OrderPlaced");
    if (ts_risk_record_order(&oms->st.risk, &o->account_id, &o->strategy_id, o->symbol, now,
                             &err)) {
        ts_error("oms", "cannot count order %s: %s", o->order_ref, err.msg);
    }
    atomic_fetch_add(&oms->m_placed, 1);
    ts_oms__add_order(&oms->st, w);

    /* paper venue: a MARKET order fills at the last price when there is one; with no
       price yet it rests and the next tick fills it (fills.c) */
    ts_dec last = ts_oms__mark(&oms->st, o->symbol);
    if (o->type == TS_ORDER_MARKET && last > 0 &&
        ts_oms__apply_fill(oms, w, o->quantity, last, now, &err)) {
        ts_error("oms", "cannot fill order %s: %s", o->order_ref, err.msg);
    }
    c->res->created = true;
    ts_oms__stmt_get_order(oms, &o->id, &c->res->order);
}

void ts_oms__place(struct ts_oms *oms, struct ts_oms__cmd *c)
{
    const struct ts_order_request *rq = &c->place->req;
    char ref[TS_ORDER_REF_MAX + 1];
    int64_t now = ts_oms__now(oms);

    if (rq->order_ref_len == 0 || rq->order_ref_len > TS_ORDER_REF_MAX) {
        c->rc = ts_err_set(&c->err, TS_EINVAL, "order_ref must be 1 to 50 characters");
        return;
    }
    snprintf(ref, sizeof(ref), "%.*s", (int)rq->order_ref_len, rq->order_ref);
    const struct ts_oms__ref *seen = ts_oms__find_ref(&oms->st, ref);
    if (seen) {
        /* idempotent: answer the existing order as the database has it */
        c->writes = true;
        ts_oms__stmt_get_order(oms, &seen->id, &c->res->order);
        return;
    }
    const struct ts_instrument *in = place_check(oms, c);
    if (!in) {
        return;
    }
    struct ts_oms__order *w = ts_xcalloc(1, sizeof(*w));
    struct ts_uuid id;
    ts_uuid_v7(&id);
    if (ts_order_init(&w->o, rq, in, &id, now, &c->err)) {
        ts_free(w);
        c->rc = c->err.code = TS_EINVAL; /* the request breaks a rule of the order */
        return;
    }
    struct ts_order *o = &w->o;
    ts_oms__add_ref(&oms->st, o->order_ref, &o->id);
    c->writes = true;

    /* pre-trade risk, in memory */
    struct ts_risk_order ro = {
        .account_id = o->account_id,
        .strategy_id = o->strategy_id,
        .symbol = o->symbol,
        .side = o->side,
        .type = o->type,
        .quantity = o->quantity,
        .price = o->price,
        .stop_price = o->stop_price,
        .reference_price = ts_oms__mark(&oms->st, o->symbol),
        .instrument = in,
        .now_ns = now,
        .is_modify = false,
    };
    struct ts_risk_verdict v;
    if (ts_risk_check(&oms->st.risk, &ro, &v) || !v.accepted) {
        place_rejected(oms, c, w, &v, now);
        ts_free(w);
        return;
    }
    place_accepted(oms, c, w, now);
}

/* Looks an order up for cancel/modify: working in memory, or why not (in c). */
static struct ts_oms__order *working_or_refuse(struct ts_oms *oms, struct ts_oms__cmd *c,
                                               const struct ts_uuid *id)
{
    struct ts_oms__order *w = ts_oms__find_order(&oms->st, id);
    char status[32];
    if (w) {
        return w;
    }
    /* not working: terminal (TS_ESTATE) or unknown (TS_ENOTFOUND) */
    int rc = ts_oms__order_status(oms, id, status, sizeof(status), &c->err);
    if (rc == TS_ENOTFOUND) {
        c->rc = ts_err_set(&c->err, TS_ENOTFOUND, "order not found");
    } else if (rc) {
        c->rc = c->err.code = TS_ERETRY;
    } else {
        c->rc = ts_err_set(&c->err, TS_ESTATE, "order is %s: only working orders change", status);
    }
    return NULL;
}

static void cancel_order(struct ts_oms *oms, struct ts_oms__order *w, int64_t now,
                         struct ts_err *err)
{
    if (ts_order_transition(&w->o, TS_ORDER_CANCELED, now, err)) {
        ts_error("oms", "cannot cancel order %s: %s", w->o.order_ref, err->msg);
        return;
    }
    ts_oms__stmt_order_update(oms, &w->o);
    ts_oms__stmt_order_event(oms, w, "OrderCanceled");
    atomic_fetch_add(&oms->m_canceled, 1);
}

void ts_oms__cancel(struct ts_oms *oms, struct ts_oms__cmd *c)
{
    struct ts_err err = TS_ERR_INIT;
    struct ts_oms__order *w = working_or_refuse(oms, c, &c->id);
    if (!w) {
        return;
    }
    ts_oms__stmt_actor(oms, c->actor, c->reason);
    cancel_order(oms, w, ts_oms__now(oms), &err);
    c->writes = true;
    ts_oms__stmt_get_order(oms, &w->o.id, &c->res->order);
}

/*
 * The order as the modification would leave it, into *after, checked against the
 * instrument; 0, or the refusal in c.
 */
static int modify_apply(struct ts_oms *oms, struct ts_oms__cmd *c, const struct ts_order *o,
                        struct ts_order *after, int64_t now)
{
    const struct ts_instrument *in = ts_oms__find_inst(&oms->st, o->symbol, strlen(o->symbol));
    if (!in) {
        return c->rc = ts_err_set(&c->err, TS_EINVAL, "the order's instrument is gone");
    }
    if (ts_order_modify_check(o, &c->modify->m, in, &c->err)) {
        /* a change the order's state forbids (TS_ESTATE), else a bad value */
        return c->rc = c->err.code = c->err.code == TS_ESTATE ? TS_ESTATE : TS_EINVAL;
    }
    *after = *o;
    if (ts_order_modify(after, &c->modify->m, in, now, &c->err)) {
        return c->rc = c->err.code = TS_EINVAL;
    }
    return 0;
}

void ts_oms__modify(struct ts_oms *oms, struct ts_oms__cmd *c)
{
    const struct ts_oms_modify *m = c->modify;
    struct ts_oms__order *w = working_or_refuse(oms, c, &m->id);
    struct ts_order after;
    int64_t now = ts_oms__now(oms);
    if (!w || modify_apply(oms, c, &w->o, &after, now)) {
        return;
    }
    /* the modified order must pass risk too (its new remaining quantity and price) */
    struct ts_order *o = &w->o;
    struct ts_risk_order ro = {
        .account_id = o->account_id,
        .strategy_id = o->strategy_id,
        .symbol = o->symbol,
        .side = o->side,
        .type = o->type,
        .quantity = after.quantity - after.filled_quantity,
        .price = after.price,
        .stop_price = after.stop_price,
        .reference_price = ts_oms__mark(&oms->st, o->symbol),
        .instrument = ts_oms__find_inst(&oms->st, o->symbol, strlen(o->symbol)),
        .now_ns = now,
        .is_modify = true,
    };
    struct ts_risk_verdict v;
    if (ts_risk_check(&oms->st.risk, &ro, &v) || !v.accepted) {
        /* refused: the order stays as it was, nothing is written */
        char why[TS_ORDER_REJECT_REASON];
        ts_risk_verdict_format(&v, why, sizeof(why));
        c->rc = ts_err_set(&c->err, TS_ERISK, "%s", why);
        c->res->verdict = v;
        return;
    }
    *o = after;
    ts_oms__stmt_actor(oms, c->actor, m->reason);
    ts_oms__stmt_order_update(oms, o);
    ts_oms__stmt_order_event(oms, w, "OrderModified");
    c->writes = true;
    ts_oms__stmt_get_order(oms, &o->id, &c->res->order);
}

void ts_oms__kill_switch(struct ts_oms *oms, struct ts_oms__cmd *c)
{
    struct ts_err err = TS_ERR_INIT;
    int64_t now = ts_oms__now(oms);
    int canceled = 0;
    ts_oms__stmt_actor(oms, c->actor, c->reason);
    ts_risk_set_kill_switch(&oms->st.risk, c->active);
    if (c->active) {
        for (size_t i = 0; i < oms->st.norders; i++) {
            cancel_order(oms, oms->st.orders[i], now, &err);
            canceled++;
        }
        ts_oms__compact_orders(&oms->st);
    }
    ts_oms__stmt_kill_switch(oms, c->active, c->reason, c->actor, canceled);
    c->writes = true;
    c->res->canceled = canceled;
}

void ts_oms__end_of_day(struct ts_oms *oms, struct ts_oms__cmd *c)
{
    struct ts_err err = TS_ERR_INIT;
    int64_t now = ts_oms__now(oms);
    int expired = 0;
    ts_oms__stmt_actor(oms, c->actor, "end of day");
    for (size_t i = 0; i < oms->st.norders; i++) {
        struct ts_oms__order *w = oms->st.orders[i];
        if (w->o.tif != TS_TIF_DAY) {
            continue;
        }
        if (ts_order_transition(&w->o, TS_ORDER_EXPIRED, now, &err)) {
            ts_error("oms", "cannot expire order %s: %s", w->o.order_ref, err.msg);
            continue;
        }
        ts_oms__stmt_order_update(oms, &w->o);
        ts_oms__stmt_order_event(oms, w, "OrderExpired");
        expired++;
    }
    ts_oms__compact_orders(&oms->st);
    for (size_t i = 0; i < oms->st.npos; i++) {
        ts_oms__stmt_position(oms, &oms->st.pos[i], &oms->st.pos[i].p, false, "eod_snapshot", now);
    }
    struct ts_local_time lt;
    if (!ts_time_b3_local(now, &lt)) {
        c->eod_date = lt.year * 10000 + lt.month * 100 + lt.day; /* recorded once committed */
    }
    ts_oms__stmt_eod_event(oms, expired, oms->st.npos, c->eod_date);
    c->writes = true;
    c->res->expired = expired;
    c->res->snapshots = oms->st.npos;
}

/* Whether the automatic end of day is due now: a weekday past eod_minute without one. */
bool ts_oms__eod_due(const struct ts_oms *oms)
{
    struct ts_local_time lt;
    if (oms->cfg.eod_minute < 0 || ts_time_b3_local(ts_oms__now(oms), &lt) ||
        lt.weekday == TS_SATURDAY || lt.weekday == TS_SUNDAY ||
        lt.minutes_of_day < oms->cfg.eod_minute) {
        return false;
    }
    return lt.year * 10000 + lt.month * 100 + lt.day > oms->last_eod_date;
}
