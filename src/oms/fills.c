/*
 * fills.c - the paper venue's side of the order manager: ticks mark the symbols,
 * trigger the stops they reach (venue/venue.h ts_paper_triggers; the trigger is
 * stored and audited, docs/oms.md "Stops") and fill the working orders they reach
 * (ts_paper_match, time priority, a tick's volume shared), and what one fill
 * changes: the trade, the order, the position (opened, reduced, closed or
 * flipped), the risk counters, and their rows and events (stmt.c). OMS thread only.
 */
#include "oms/internal.h"

#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/tstime.h"

/* The open position of the order's key, opened (empty) when there is none; *existed says. */
static int position_of(struct ts_oms *oms, const struct ts_order *o, struct ts_oms__position **out,
                       bool *existed, struct ts_err *err)
{
    struct ts_oms__position *op =
        ts_oms__find_position(&oms->st, &o->account_id, &o->strategy_id, o->symbol);
    *existed = op != NULL;
    if (!op) {
        struct ts_position fresh;
        int rc =
            ts_position_init(&fresh, &o->account_id, &o->strategy_id, o->symbol, o->position_type);
        if (rc) {
            return ts_err_set(err, rc, "cannot open a position for %s", o->symbol);
        }
        ts_uuid_v7(&fresh.id);
        op = ts_oms__add_position(&oms->st, &fresh, o->exchange, o->asset_class);
    }
    *out = op;
    return 0;
}

/* The position's rows, history and events after a fill (res: what the fill did to it). */
static void write_position(struct ts_oms *oms, struct ts_oms__position *op, bool existed,
                           const struct ts_position_fill_result *res, int64_t now)
{
    if (res->closed) {
        /* the row that reached 0: written as CLOSED (inserted if it was born in this fill) */
        ts_oms__stmt_position(oms, op, &res->closed_row, !existed, "trade_fill", now);
        ts_oms__stmt_position_event(oms, &res->closed_row, "PositionClosed");
    }
    if (op->p.status == TS_POSITION_OPEN) {
        bool insert = res->flipped || !existed;
        ts_oms__stmt_position(oms, op, &op->p, insert, "trade_fill", now);
        ts_oms__stmt_position_event(oms, &op->p,
                                    res->opened ? "PositionOpened" : "PositionUpdated");
    } else {
        ts_oms__remove_position(&oms->st, op);
    }
}

/* See internal.h. */
int ts_oms__apply_fill(struct ts_oms *oms, struct ts_oms__order *w, ts_dec qty, ts_dec price,
                       int64_t now, struct ts_err *err)
{
    struct ts_order *o = &w->o;
    const struct ts_instrument *in = ts_oms__find_inst(&oms->st, o->symbol, strlen(o->symbol));
    const struct ts_oms__account *acct = ts_oms__find_account(&oms->st, &o->account_id);
    struct ts_oms__trade t = {.order = o,
                              .quantity = qty,
                              .price = price,
                              .time = now,
                              .broker_account = acct ? acct->broker_account : "PAPER"};
    struct ts_oms__position *op = NULL;
    struct ts_position_fill_result res;
    struct ts_uuid new_id;
    bool existed;
    int rc;

    if (in && (rc = ts_instrument_compute_fees(in, qty, price, &t.fees, err))) {
        return rc;
    }
    if ((rc = ts_dec_mul(qty, price, &t.value))) {
        return ts_err_set(err, rc, "fill value of order %s overflows", o->order_ref);
    }
    if ((rc = ts_order_apply_fill(o, qty, price, now, err))) {
        return rc;
    }
    t.n = ++w->fills;
    if ((rc = position_of(oms, o, &op, &existed, err))) {
        return rc;
    }
    struct ts_fill fill = {
        .side = o->side, .quantity = qty, .price = price, .fees = t.fees.total, .time_ns = now};
    ts_uuid_v7(&new_id);
    if ((rc = ts_position_apply_fill(&op->p, &fill, &new_id, &res, err))) {
        return rc;
    }
    ts_dec mark = ts_oms__mark(&oms->st, o->symbol);
    if (op->p.status == TS_POSITION_OPEN &&
        (rc = ts_position_mark(&op->p, mark > 0 ? mark : price, err))) {
        return rc;
    }
    ts_uuid_v7(&t.id);
    t.realized = res.realized;
    ts_oms__stmt_trade(oms, &t);
    ts_oms__stmt_order_update(oms, o);
    ts_oms__stmt_order_event(oms, w,
                             o->status == TS_ORDER_FILLED ? "OrderFilled" : "OrderPartiallyFilled");
    write_position(oms, op, existed, &res, now);
    if ((rc = ts_risk_record_fill(&oms->st.risk, &o->account_id, &o->strategy_id, o->symbol,
                                  o->side, qty, res.realized, now, err))) {
        return rc;
    }
    atomic_fetch_add(&oms->m_fills, 1);
    if (o->status == TS_ORDER_FILLED) {
        atomic_fetch_add(&oms->m_filled, 1);
    }
    return 0;
}

/* Marks every open position of a symbol and writes its new mark. */
static void mark_positions(struct ts_oms *oms, const char *sym, ts_dec price, int64_t now)
{
    struct ts_err err = TS_ERR_INIT;
    for (size_t i = 0; i < oms->st.npos; i++) {
        struct ts_oms__position *op = &oms->st.pos[i];
        if (strcmp(op->p.symbol, sym) != 0 || op->p.mark_price == price) {
            continue;
        }
        if (ts_position_mark(&op->p, price, &err)) {
            ts_warn("oms", "cannot mark %s: %s", sym, err.msg);
            continue;
        }
        if (ts_risk_set_unrealized(&oms->st.risk, &op->p.account_id, &op->p.strategy_id, sym,
                                   op->p.unrealized_pnl, &err)) {
            ts_warn("oms", "cannot record unrealized P&L of %s: %s", sym, err.msg);
        }
        ts_oms__stmt_position(oms, op, &op->p, false, NULL, now);
    }
}

/* The audit reasons of the rows a tick batch writes (app.reason). */
static const char reason_fill[] = "paper venue fill";
static const char reason_trigger[] = "paper venue: stop price traded";

/* Who acts and why for the statements that follow; set again only when the reason changes. */
static void set_reason(struct ts_oms *oms, const struct ts_oms__cmd *c, const char **current,
                       const char *reason)
{
    if (*current != reason) {
        ts_oms__stmt_actor(oms, c->actor, reason);
        *current = reason;
    }
}

/*
 * Tick t triggered the stop w: kept in memory and written at once, in the batch's
 * transaction before any fill it allows (its own UPDATE, audited TRIGGERED, and an
 * OrderTriggered event), so the trigger is on file even when nothing fills.
 */
static void trigger(struct ts_oms *oms, struct ts_oms__order *w, const struct ts_tick *t,
                    int64_t now)
{
    w->triggered = true;
    w->triggered_at = now - now % 1000; /* a whole microsecond, as TIMESTAMPTZ stores it */
    w->trigger_trade_id = t->trade_id;
    w->trigger_price = t->price;
    w->o.updated_at = now;
    ts_oms__stmt_order_trigger(oms, w);
    ts_oms__stmt_order_event(oms, w, "OrderTriggered");
}

/* The working orders of one symbol of a tick batch, in time priority. */
struct tick_group {
    const char *symbol;
    struct ts_oms__order **orders;
    size_t n;
    int last; /* the batch's last tick of this symbol */
};

/*
 * Groups the batch's symbols and their working orders in one pass over the
 * orders, so that each tick looks only at its own symbol's orders: a batch costs
 * O(ticks + orders x symbols in the batch), not O(ticks x orders).
 */
static size_t group_orders(struct ts_oms *oms, const struct ts_oms__cmd *c, struct tick_group **out,
                           size_t *of_tick)
{
    struct tick_group *g = ts_xcalloc((size_t)c->nticks, sizeof(*g));
    size_t ng = 0;
    for (int k = 0; k < c->nticks; k++) {
        size_t i = k ? of_tick[k - 1] : 0; /* ticks of a symbol often come in runs */
        if (i >= ng || strcmp(g[i].symbol, c->ticks[k].symbol) != 0) {
            i = 0;
            while (i < ng && strcmp(g[i].symbol, c->ticks[k].symbol) != 0) {
                i++;
            }
        }
        if (i == ng) {
            g[ng++].symbol = c->ticks[k].symbol;
        }
        g[i].last = k;
        of_tick[k] = i;
    }
    for (size_t i = 0; i < oms->st.norders; i++) {
        struct ts_oms__order *w = oms->st.orders[i];
        for (size_t j = 0; j < ng; j++) {
            if (!strcmp(g[j].symbol, w->o.symbol)) {
                if (!g[j].orders) {
                    g[j].orders = ts_xcalloc(oms->st.norders, sizeof(*g[j].orders));
                }
                g[j].orders[g[j].n++] = w;
                break;
            }
        }
    }
    *out = g;
    return ng;
}

void ts_oms__ticks(struct ts_oms *oms, struct ts_oms__cmd *c)
{
    struct ts_err err = TS_ERR_INIT;
    int fills = 0;
    const char *reason = NULL; /* the audit reason set last, NULL: none yet */
    struct tick_group *groups;
    size_t *of_tick = ts_xcalloc((size_t)c->nticks, sizeof(*of_tick));
    size_t ngroups = group_orders(oms, c, &groups, of_tick);
    for (int k = 0; k < c->nticks; k++) {
        const struct ts_tick *t = &c->ticks[k];
        struct tick_group *g = &groups[of_tick[k]];
        if (g->n == 0 && k != g->last) {
            continue; /* nothing to match: only the symbol's last tick marks */
        }
        ts_oms__set_mark(&oms->st, t->symbol, t->price);
        ts_dec avail = t->volume;
        for (size_t i = 0; i < g->n; i++) {
            struct ts_oms__order *w = g->orders[i];
            ts_dec qty, price;
            /* a stop triggers on the print even when older orders took all its volume */
            if (!w->triggered && ts_paper_triggers(&w->o, t)) {
                set_reason(oms, c, &reason, reason_trigger);
                trigger(oms, w, t, ts_oms__now(oms));
            }
            if (avail <= 0 || !ts_paper_match(&w->o, w->triggered, t, avail, &qty, &price)) {
                continue;
            }
            set_reason(oms, c, &reason, reason_fill);
            if (ts_oms__apply_fill(oms, w, qty, price, ts_oms__now(oms), &err)) {
                ts_error("oms", "cannot fill order %s: %s", w->o.order_ref, err.msg);
                continue;
            }
            avail -= qty;
            fills++;
        }
        if (k == g->last) { /* mark once per symbol: at its last tick of the batch */
            mark_positions(oms, t->symbol, t->price, ts_oms__now(oms));
        }
    }
    for (size_t i = 0; i < ngroups; i++) {
        ts_free(groups[i].orders);
    }
    ts_free(groups);
    ts_free(of_tick);
    ts_oms__compact_orders(&oms->st);
    c->writes = true;
    c->fills = fills;
}
