/*
 * load.c - rebuilding the OMS state from the databases (start, reload, and after a
 * failed write): reference data, working orders (a stop with its stored trigger),
 * open positions, today's risk counters, last prices, the kill switch and the order
 * refs on file. Reads only; the write path's statements are stmt.c. OMS thread (and
 * ts_oms_start).
 */
#include "oms/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/tstime.h"

static int dec_of(const PGresult *r, int row, int col, ts_dec *out, struct ts_err *err)
{
    if (ts_db_isnull(r, row, col)) {
        *out = 0;
        return 0;
    }
    const char *v = ts_db_val(r, row, col);
    if (ts_dec_parse(v, strlen(v), out)) {
        return ts_err_set(err, TS_EDB, "cannot read %s '%s' from the database", ts_db_fname(r, col),
                          v);
    }
    return 0;
}

static int uuid_of(const PGresult *r, int row, int col, struct ts_uuid *out, struct ts_err *err)
{
    if (ts_db_isnull(r, row, col)) {
        memset(out, 0, sizeof(*out));
        return 0;
    }
    const char *v = ts_db_val(r, row, col);
    if (ts_uuid_parse(v, strlen(v), out)) {
        return ts_err_set(err, TS_EDB, "cannot read uuid %s from the database",
                          ts_db_fname(r, col));
    }
    return 0;
}

static int64_t us_of(const PGresult *r, int row, int col)
{
    return ts_db_isnull(r, row, col) ? 0 : atoll(ts_db_val(r, row, col)) * 1000;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
}

/* "HH:MM" -> minutes, -1 when malformed. */
static int minutes_of(const char *s)
{
    int h, m;
    char tail;
    if (!s || sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 || m < 0 || m > 59 ||
        h * 60 + m > 1440) {
        return -1;
    }
    return h * 60 + m;
}

static int load_instruments(struct ts_oms__state *st, PGconn *dc, struct ts_err *err)
{
    PGresult *r;
    int rc = ts_db_exec(dc, "load instruments",
                        "SELECT symbol, exchange, asset_class, lot_size, tick_size, status,"
                        " trading_hours->>'open', trading_hours->>'close',"
                        " metadata->'fees'->>'commission_fixed',"
                        " metadata->'fees'->>'commission_per_unit',"
                        " metadata->'fees'->>'commission_rate',"
                        " metadata->'fees'->>'tax_per_unit', metadata->'fees'->>'tax_rate'"
                        " FROM data_capture.instruments ORDER BY symbol",
                        0, NULL, &r, err);
    if (rc) {
        return rc;
    }
    int n = ts_db_nrows(r);
    struct ts_instrument *inst = ts_xcalloc((size_t)n + 1, sizeof(*inst));
    for (int i = 0; i < n && !rc; i++) {
        struct ts_instrument *in = &inst[i];
        const char *sym = ts_db_val(r, i, 0);
        if (ts_instrument_init(in, sym)) {
            rc = ts_err_set(err, TS_EDB, "instrument symbol '%s' is not usable", sym);
            break;
        }
        copy_str(in->exchange, sizeof(in->exchange), ts_db_val(r, i, 1));
        const char *ac = ts_db_val(r, i, 2);
        const char *status = ts_db_val(r, i, 5);
        if (ts_instrument_asset_class_parse(ac, strlen(ac), &in->asset_class) ||
            ts_instrument_status_parse(status, strlen(status), &in->status)) {
            rc = ts_err_set(err, TS_EDB, "instrument %s has an unknown class or status", sym);
            break;
        }
        if ((rc = dec_of(r, i, 3, &in->lot_size, err)) ||
            (rc = dec_of(r, i, 4, &in->tick_size, err))) {
            break;
        }
        int open = ts_db_isnull(r, i, 6) ? -1 : minutes_of(ts_db_val(r, i, 6));
        int close = ts_db_isnull(r, i, 7) ? -1 : minutes_of(ts_db_val(r, i, 7));
        if (open >= 0 && close > open) {
            in->open_minute = open; /* a session: Monday to Friday (no holiday calendar) */
            in->close_minute = close;
        } else {
            in->open_minute = 0; /* no trading_hours: no session check (docs/api.md) */
            in->close_minute = TS_MINUTES_PER_DAY;
            in->trading_days = TS_DAYS_ALL;
        }
        ts_dec *fee[] = {&in->fees.commission_fixed, &in->fees.commission_per_unit,
                         &in->fees.commission_rate, &in->fees.tax_per_unit, &in->fees.tax_rate};
        for (int k = 0; k < 5 && !rc; k++) {
            rc = dec_of(r, i, 8 + k, fee[k], err);
        }
        if (!rc && ts_instrument_check(in, err)) {
            ts_warn("oms", "instrument %s is not tradable: %s", sym, err->msg);
            in->status = TS_INSTRUMENT_INACTIVE;
            ts_err_clear(err);
        }
    }
    ts_db_clear(r);
    if (rc) {
        ts_free(inst);
        return rc;
    }
    ts_free(st->inst);
    st->inst = inst;
    st->ninst = (size_t)n;
    return 0;
}

static int load_accounts(struct ts_oms__state *st, PGconn *om, struct ts_err *err)
{
    PGresult *r;
    int rc = ts_db_exec(om, "load accounts",
                        "SELECT id, status, broker_account FROM order_manager.accounts", 0, NULL,
                        &r, err);
    if (rc) {
        return rc;
    }
    int n = ts_db_nrows(r);
    struct ts_oms__account *a = ts_xcalloc((size_t)n + 1, sizeof(*a));
    for (int i = 0; i < n && !rc; i++) {
        rc = uuid_of(r, i, 0, &a[i].id, err);
        a[i].active = !strcmp(ts_db_val(r, i, 1), "ACTIVE");
        copy_str(a[i].broker_account, sizeof(a[i].broker_account), ts_db_val(r, i, 2));
    }
    ts_db_clear(r);
    if (rc) {
        ts_free(a);
        return rc;
    }
    ts_free(st->accts);
    st->accts = a;
    st->naccts = (size_t)n;
    return 0;
}

static int load_strategies(struct ts_oms__state *st, PGconn *om, struct ts_err *err)
{
    PGresult *r;
    int rc = ts_db_exec(om, "load strategies", "SELECT id, status FROM order_manager.strategies", 0,
                        NULL, &r, err);
    if (rc) {
        return rc;
    }
    int n = ts_db_nrows(r);
    struct ts_oms__strategy *s = ts_xcalloc((size_t)n + 1, sizeof(*s));
    for (int i = 0; i < n && !rc; i++) {
        rc = uuid_of(r, i, 0, &s[i].id, err);
        copy_str(s[i].status, sizeof(s[i].status), ts_db_val(r, i, 1));
    }
    ts_db_clear(r);
    if (rc) {
        ts_free(s);
        return rc;
    }
    ts_free(st->strats);
    st->strats = s;
    st->nstrats = (size_t)n;
    return 0;
}

static int load_limits(struct ts_oms__state *st, PGconn *om, struct ts_err *err)
{
    PGresult *r;
    int rc = ts_db_exec(om, "load risk limits",
                        "SELECT id, limit_type, account_id, strategy_id, symbol, max_order_value,"
                        " max_position_size, max_daily_loss, max_daily_trades, status"
                        " FROM order_manager.risk_limits",
                        0, NULL, &r, err);
    if (rc) {
        return rc;
    }
    /* Replace every limit: remove those we have, then put the loaded ones. */
    for (int i = 0; i < ts_db_nrows(r) && !rc; i++) {
        struct ts_risk_limit l;
        memset(&l, 0, sizeof(l));
        const char *scope = ts_db_val(r, i, 1);
        if ((rc = uuid_of(r, i, 0, &l.id, err)) || (rc = uuid_of(r, i, 2, &l.account_id, err)) ||
            (rc = uuid_of(r, i, 3, &l.strategy_id, err))) {
            break;
        }
        if (ts_risk_scope_parse(scope, strlen(scope), &l.scope)) {
            rc = ts_err_set(err, TS_EDB, "risk limit with unknown scope '%s'", scope);
            break;
        }
        copy_str(l.symbol, sizeof(l.symbol), ts_db_val(r, i, 4));
        l.has_max_order_value = !ts_db_isnull(r, i, 5);
        l.has_max_position_size = !ts_db_isnull(r, i, 6);
        l.has_max_daily_loss = !ts_db_isnull(r, i, 7);
        l.has_max_daily_trades = !ts_db_isnull(r, i, 8);
        if ((rc = dec_of(r, i, 5, &l.max_order_value, err)) ||
            (rc = dec_of(r, i, 6, &l.max_position_size, err)) ||
            (rc = dec_of(r, i, 7, &l.max_daily_loss, err))) {
            break;
        }
        l.max_daily_trades = l.has_max_daily_trades ? atoll(ts_db_val(r, i, 8)) : 0;
        l.active = !strcmp(ts_db_val(r, i, 9), "ACTIVE");
        rc = ts_risk_put_limit(&st->risk, &l, err);
    }
    ts_db_clear(r);
    return rc;
}

/*
 * A stop's trigger as stored (columns col.. col+2: triggered_at in microseconds,
 * trigger_trade_id, trigger_price; all NULL until it triggered): without it a
 * STOP_LIMIT resting at its limit after its stop traded would wait for its stop again.
 */
static int read_trigger(const PGresult *r, int row, int col, struct ts_oms__order *w,
                        struct ts_err *err)
{
    w->triggered = !ts_db_isnull(r, row, col);
    if (!w->triggered) {
        return 0;
    }
    const char *id = ts_db_val(r, row, col + 1);
    char *end;
    w->triggered_at = us_of(r, row, col);
    w->trigger_trade_id = strtoll(id, &end, 10);
    if (!*id || *end) {
        return ts_err_set(err, TS_EDB, "cannot read trigger_trade_id '%s' from the database", id);
    }
    return dec_of(r, row, col + 2, &w->trigger_price, err);
}

static int load_orders(struct ts_oms__state *st, PGconn *om, struct ts_err *err)
{
    PGresult *r;
    int rc = ts_db_exec(
        om, "load working orders",
        "SELECT id, order_ref, account_id, strategy_id, symbol, exchange, asset_class, side,"
        " order_type, time_in_force, position_type, quantity, price, stop_price, status,"
        " filled_quantity, avg_fill_price,"
        " (extract(epoch FROM created_at) * 1000000)::bigint,"
        " (extract(epoch FROM submitted_at) * 1000000)::bigint,"
        " (extract(epoch FROM updated_at) * 1000000)::bigint,"
        " (SELECT count(*) FROM order_manager.trades t WHERE t.order_id = o.id),"
        " (extract(epoch FROM triggered_at) * 1000000)::bigint, trigger_trade_id, trigger_price"
        " FROM order_manager.orders o WHERE status IN ('PENDING', 'SUBMITTED', 'PARTIAL_FILL')"
        " ORDER BY created_at, id",
        0, NULL, &r, err);
    if (rc) {
        return rc;
    }
    for (int i = 0; i < ts_db_nrows(r) && !rc; i++) {
        struct ts_oms__order *w = ts_xcalloc(1, sizeof(*w));
        struct ts_order *o = &w->o;
        const char *v;
        rc = uuid_of(r, i, 0, &o->id, err);
        copy_str(o->order_ref, sizeof(o->order_ref), ts_db_val(r, i, 1));
        rc = rc ? rc : uuid_of(r, i, 2, &o->account_id, err);
        rc = rc ? rc : uuid_of(r, i, 3, &o->strategy_id, err);
        copy_str(o->symbol, sizeof(o->symbol), ts_db_val(r, i, 4));
        copy_str(o->exchange, sizeof(o->exchange), ts_db_val(r, i, 5));
        v = ts_db_val(r, i, 6);
        rc = rc ? rc : ts_instrument_asset_class_parse(v, strlen(v), &o->asset_class);
        v = ts_db_val(r, i, 7);
        rc = rc ? rc : ts_order_side_parse(v, strlen(v), &o->side);
        v = ts_db_val(r, i, 8);
        rc = rc ? rc : ts_order_type_parse(v, strlen(v), &o->type);
        v = ts_db_val(r, i, 9);
        rc = rc ? rc : ts_order_tif_parse(v, strlen(v), &o->tif);
        v = ts_db_val(r, i, 10);
        rc = rc ? rc : ts_order_position_type_parse(v, strlen(v), &o->position_type);
        rc = rc ? rc : dec_of(r, i, 11, &o->quantity, err);
        o->has_price = !ts_db_isnull(r, i, 12);
        o->has_stop_price = !ts_db_isnull(r, i, 13);
        rc = rc ? rc : dec_of(r, i, 12, &o->price, err);
        rc = rc ? rc : dec_of(r, i, 13, &o->stop_price, err);
        v = ts_db_val(r, i, 14);
        rc = rc ? rc : ts_order_status_parse(v, strlen(v), &o->status);
        rc = rc ? rc : dec_of(r, i, 15, &o->filled_quantity, err);
        rc = rc ? rc : dec_of(r, i, 16, &o->avg_fill_price, err);
        o->created_at = us_of(r, i, 17);
        o->submitted_at = us_of(r, i, 18);
        o->updated_at = us_of(r, i, 19);
        w->fills = atoi(ts_db_val(r, i, 20));
        rc = rc ? rc : read_trigger(r, i, 21, w, err);
        if (rc) {
            ts_free(w);
            if (!err || !err->msg[0]) {
                ts_err_set(err, TS_EDB, "cannot read working order %s", ts_db_val(r, i, 0));
            }
            break;
        }
        if (st->norders == st->corders) {
            st->corders = st->corders ? st->corders * 2 : 64;
            st->orders = ts_xreallocarray(st->orders, st->corders, sizeof(*st->orders));
        }
        st->orders[st->norders++] = w;
    }
    ts_db_clear(r);
    return rc;
}

static int load_positions(struct ts_oms__state *st, PGconn *om, struct ts_err *err)
{
    PGresult *r;
    int rc = ts_db_exec(
        om, "load open positions",
        "SELECT id, account_id, strategy_id, symbol, position_type, side, quantity,"
        " avg_entry_price, coalesce(current_price, 0), coalesce(unrealized_pnl, 0), realized_pnl,"
        " (extract(epoch FROM opened_at) * 1000000)::bigint, exchange, asset_class"
        " FROM order_manager.positions WHERE status <> 'CLOSED' ORDER BY opened_at",
        0, NULL, &r, err);
    if (rc) {
        return rc;
    }
    for (int i = 0; i < ts_db_nrows(r) && !rc; i++) {
        struct ts_oms__position p;
        struct ts_uuid acc, strat;
        enum ts_position_type pt;
        const char *v = ts_db_val(r, i, 4);
        memset(&p, 0, sizeof(p));
        rc = uuid_of(r, i, 1, &acc, err);
        rc = rc ? rc : uuid_of(r, i, 2, &strat, err);
        rc = rc ? rc : ts_order_position_type_parse(v, strlen(v), &pt);
        rc = rc ? rc : ts_position_init(&p.p, &acc, &strat, ts_db_val(r, i, 3), pt);
        rc = rc ? rc : uuid_of(r, i, 0, &p.p.id, err);
        v = ts_db_val(r, i, 5);
        rc = rc ? rc : ts_position_side_parse(v, strlen(v), &p.p.side);
        rc = rc ? rc : dec_of(r, i, 6, &p.p.quantity, err);
        rc = rc ? rc : dec_of(r, i, 7, &p.p.avg_entry_price, err);
        rc = rc ? rc : dec_of(r, i, 8, &p.p.mark_price, err);
        rc = rc ? rc : dec_of(r, i, 9, &p.p.unrealized_pnl, err);
        rc = rc ? rc : dec_of(r, i, 10, &p.p.realized_pnl, err);
        p.p.status = TS_POSITION_OPEN;
        p.p.opened_at = us_of(r, i, 11);
        p.p.updated_at = p.p.opened_at;
        copy_str(p.exchange, sizeof(p.exchange), ts_db_val(r, i, 12));
        v = ts_db_val(r, i, 13);
        rc = rc ? rc : ts_instrument_asset_class_parse(v, strlen(v), &p.asset_class);
        if (rc) {
            if (!err || !err->msg[0]) {
                ts_err_set(err, TS_EDB, "cannot read position %s", ts_db_val(r, i, 0));
            }
            break;
        }
        if (st->npos == st->cpos) {
            st->cpos = st->cpos ? st->cpos * 2 : 64;
            st->pos = ts_xreallocarray(st->pos, st->cpos, sizeof(*st->pos));
        }
        st->pos[st->npos++] = p;
        /* the risk state's net position */
        struct ts_risk_delta d;
        memset(&d, 0, sizeof(d));
        d.position = p.p.side == TS_POSITION_LONG ? p.p.quantity : -p.p.quantity;
        d.unrealized = p.p.unrealized_pnl;
        rc = ts_risk_apply(&st->risk, &acc, &strat, p.p.symbol, p.p.opened_at, &d, err);
    }
    ts_db_clear(r);
    return rc;
}

/* Today's (B3 day) trades, realized P&L and accepted orders per key, for the risk rules. */
static int load_counters(struct ts_oms__state *st, PGconn *om, int64_t now, struct ts_err *err)
{
    /* B3 midnight of today: shift to local, truncate to the day, shift back */
    int64_t day_ns = INT64_C(86400) * TS_NS_PER_SEC;
    int64_t local = now + (int64_t)TS_B3_UTC_OFFSET_SEC * TS_NS_PER_SEC;
    int64_t midnight = local - local % day_ns - (int64_t)TS_B3_UTC_OFFSET_SEC * TS_NS_PER_SEC;
    char since[TS_TIME_STRLEN];
    ts_time_format_rfc3339(midnight, since, sizeof(since));
    const char *p[1] = {since};
    PGresult *r;
    int rc =
        ts_db_exec(om, "load today's trades",
                   "SELECT o.account_id, o.strategy_id, t.symbol, count(*),"
                   " coalesce(sum((t.metadata->>'realized_pnl')::numeric), 0)::numeric(18,2)"
                   " FROM order_manager.trades t JOIN order_manager.orders o ON o.id = t.order_id"
                   " WHERE t.executed_at >= $1 GROUP BY 1, 2, 3",
                   1, p, &r, err);
    for (int i = 0; !rc && i < ts_db_nrows(r); i++) {
        struct ts_uuid acc, strat;
        struct ts_risk_delta d;
        memset(&d, 0, sizeof(d));
        rc = uuid_of(r, i, 0, &acc, err);
        rc = rc ? rc : uuid_of(r, i, 1, &strat, err);
        rc = rc ? rc : dec_of(r, i, 4, &d.realized, err);
        d.trades = atoll(ts_db_val(r, i, 3));
        rc = rc ? rc : ts_risk_apply(&st->risk, &acc, &strat, ts_db_val(r, i, 2), now, &d, err);
    }
    ts_db_clear(r);
    if (rc) {
        return rc;
    }
    rc = ts_db_exec(om, "load today's orders",
                    "SELECT account_id, strategy_id, symbol, count(*) FROM order_manager.orders"
                    " WHERE created_at >= $1 AND status <> 'REJECTED' GROUP BY 1, 2, 3",
                    1, p, &r, err);
    for (int i = 0; !rc && i < ts_db_nrows(r); i++) {
        struct ts_uuid acc, strat;
        struct ts_risk_delta d;
        memset(&d, 0, sizeof(d));
        rc = uuid_of(r, i, 0, &acc, err);
        rc = rc ? rc : uuid_of(r, i, 1, &strat, err);
        d.orders = atoll(ts_db_val(r, i, 3));
        rc = rc ? rc : ts_risk_apply(&st->risk, &acc, &strat, ts_db_val(r, i, 2), now, &d, err);
    }
    ts_db_clear(r);
    return rc;
}

static int load_marks(struct ts_oms__state *st, PGconn *dc, struct ts_err *err)
{
    PGresult *r;
    int rc = ts_db_exec(dc, "load last prices",
                        "SELECT i.symbol, t.price FROM data_capture.instruments i"
                        " CROSS JOIN LATERAL (SELECT price FROM data_capture.market_ticks m"
                        "  WHERE m.symbol = i.symbol ORDER BY tick_time DESC LIMIT 1) t",
                        0, NULL, &r, err);
    if (rc) {
        return rc;
    }
    for (int i = 0; i < ts_db_nrows(r) && !rc; i++) {
        if (st->nmarks == st->cmarks) {
            st->cmarks = st->cmarks ? st->cmarks * 2 : 64;
            st->marks = ts_xreallocarray(st->marks, st->cmarks, sizeof(*st->marks));
        }
        struct ts_oms__mark *m = &st->marks[st->nmarks];
        copy_str(m->symbol, sizeof(m->symbol), ts_db_val(r, i, 0));
        rc = dec_of(r, i, 1, &m->price, err);
        st->nmarks++;
    }
    ts_db_clear(r);
    return rc;
}

/* The kill switch stays as the last log row left it, across restarts. */
static int load_kill_switch(struct ts_oms__state *st, PGconn *om, struct ts_err *err)
{
    PGresult *r;
    int rc = ts_db_exec(om, "load the kill switch",
                        "SELECT active FROM order_manager.kill_switch_log ORDER BY id DESC LIMIT 1",
                        0, NULL, &r, err);
    if (!rc) {
        ts_risk_set_kill_switch(&st->risk, ts_db_nrows(r) > 0 && ts_db_val(r, 0, 0)[0] == 't');
        ts_db_clear(r);
    }
    return rc;
}

/* Every order_ref on file into a filter sized for them and as many again (10 bits each). */
static int load_refs(struct ts_oms__state *st, PGconn *om, struct ts_err *err)
{
    PGresult *r = NULL;
    int rc = ts_db_exec(om, "load order refs", "SELECT order_ref FROM order_manager.orders", 0,
                        NULL, &r, err);
    if (rc) {
        return rc;
    }
    size_t n = (size_t)ts_db_nrows(r);
    ts_oms__bloom_init(st, n);
    for (size_t i = 0; i < n; i++) {
        ts_oms__bloom_add(st, ts_db_val(r, (int)i, 0));
    }
    ts_db_clear(r);
    return 0;
}

int ts_oms__load(struct ts_oms__state *st, PGconn *om, PGconn *dc, unsigned what, bool check_hours,
                 int64_t now, struct ts_err *err)
{
    int rc = 0;
    if (what == 0) {
        /* everything: start from an empty state */
        ts_oms__state_release(st);
        struct ts_risk_config rc_cfg = {
            .limits_capacity = 256,
            .keys_capacity = 1024,
            .check_trading_hours = check_hours,
            .loss_includes_unrealized = false,
        };
        if ((rc = ts_risk_state_init(&st->risk, &rc_cfg))) {
            return ts_err_set(err, rc, "cannot set up the risk state");
        }
        st->risk_ready = true;
        what = TS_OMS_RELOAD_INSTRUMENTS | TS_OMS_RELOAD_RISK_LIMITS | TS_OMS_RELOAD_ACCOUNTS |
               TS_OMS_RELOAD_STRATEGIES;
        if ((rc = load_refs(st, om, err)) || (rc = load_orders(st, om, err)) ||
            (rc = load_positions(st, om, err)) || (rc = load_counters(st, om, now, err)) ||
            (rc = load_marks(st, dc, err)) || (rc = load_kill_switch(st, om, err))) {
            return rc;
        }
    }
    if ((what & TS_OMS_RELOAD_INSTRUMENTS) && (rc = load_instruments(st, dc, err))) {
        return rc;
    }
    if ((what & TS_OMS_RELOAD_ACCOUNTS) && (rc = load_accounts(st, om, err))) {
        return rc;
    }
    if ((what & TS_OMS_RELOAD_STRATEGIES) && (rc = load_strategies(st, om, err))) {
        return rc;
    }
    if (what & TS_OMS_RELOAD_RISK_LIMITS) {
        /* a deleted limit must go too: rebuild the limit table from scratch */
        bool kill = st->risk_ready && ts_risk_kill_switch(&st->risk);
        if (st->risk_ready && ts_risk_limit_count(&st->risk) > 0) {
            /* the simplest correct way: reload everything, counters included */
            if ((rc = ts_oms__load(st, om, dc, 0, check_hours, now, err))) {
                return rc;
            }
            ts_risk_set_kill_switch(&st->risk, kill);
            return 0;
        }
        if ((rc = load_limits(st, om, err))) {
            return rc;
        }
    }
    return 0;
}
