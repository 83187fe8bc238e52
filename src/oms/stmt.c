/*
 * stmt.c - the order manager's SQL: the prepared statements of the write path,
 * the rows and outbox events each change appends to the batch's transaction
 * (oms->txn, committed by thread.c), and the few reads a command needs at once
 * (order refs, an order's status, the last end of day). Values go to PostgreSQL
 * as text: decimals with 8 places, money rounded half-even to 2, times RFC 3339.
 * Does not decide anything (commands.c, fills.c). OMS thread only.
 */
#include "oms/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tstime.h"

/* Text of up to 8 values for one statement's parameters (each valid until reused). */
struct fmt {
    char b[8][48];
    int i;
};

static const char *f_dec(struct fmt *f, ts_dec v)
{
    char *o = f->b[f->i++ & 7];
    ts_dec_format(v, o, 48);
    return o;
}

static const char *f_money(struct fmt *f, ts_dec v)
{
    char *o = f->b[f->i++ & 7];
    ts_dec_format_scale(ts_dec_round(v, 2), 2, o, 48);
    return o;
}

static const char *f_time(struct fmt *f, int64_t ns)
{
    char *o = f->b[f->i++ & 7];
    if (!ns) {
        return NULL;
    }
    ts_time_format_rfc3339(ns, o, 48);
    return o;
}

static const char *f_uuid(struct fmt *f, const struct ts_uuid *u)
{
    char *o = f->b[f->i++ & 7];
    ts_uuid_format(u, o);
    return o;
}

/* ---- the prepared statements (one flat table) ---- */

static const struct {
    const char *name, *sql;
    int n;
} statements[] = {
    {"oms_actor",
     "SELECT set_config('app.actor', $1, true), set_config('app.reason', coalesce($2, ''), true)",
     2},

    {"oms_ins_order",
     "INSERT INTO order_manager.orders (id, order_ref, symbol, exchange, asset_class, side,"
     " order_type, time_in_force, quantity, price, stop_price, status, reject_reason,"
     " strategy_id, account_id, position_type, created_at, submitted_at, updated_at,"
     " created_by, reason, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
     " $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, coalesce($22::jsonb, '{}'::jsonb))",
     22},
    {"oms_upd_order",
     "UPDATE order_manager.orders SET status = $2, quantity = $3, price = $4, stop_price = $5,"
     " filled_quantity = $6, avg_fill_price = $7, submitted_at = $8, filled_at = $9,"
     " canceled_at = $10, expired_at = $11, updated_at = $12 WHERE id = $1",
     12},
    {"oms_trigger_order",
     "UPDATE order_manager.orders SET triggered_at = $2, trigger_trade_id = $3,"
     " trigger_price = $4 WHERE id = $1",
     4},
    {"oms_get_order", "SELECT * FROM order_manager.orders WHERE id = $1", 1},
    {"oms_ins_trade",
     "INSERT INTO order_manager.trades (id, trade_ref, order_id, account_id, symbol, exchange,"
     " side, quantity, price, total_value, commission, tax, executed_at, execution_venue,"
     " broker_account, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
     " $13, 'PAPER', $14, $15::jsonb)",
     15},
    {"oms_ins_pos",
     "INSERT INTO order_manager.positions (id, symbol, exchange, asset_class, side, quantity,"
     " avg_entry_price, current_price, unrealized_pnl, realized_pnl, strategy_id, account_id,"
     " position_type, opened_at, closed_at, updated_at, status) VALUES ($1, $2, $3, $4, $5,"
     " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
     17},
    {"oms_upd_pos",
     "UPDATE order_manager.positions SET side = $2, quantity = $3, avg_entry_price = $4,"
     " current_price = $5, unrealized_pnl = $6, realized_pnl = $7, closed_at = $8,"
     " updated_at = $9, status = $10 WHERE id = $1",
     10},
    {"oms_ins_hist",
     "INSERT INTO order_manager.position_history (id, position_id, quantity, avg_entry_price,"
     " current_price, unrealized_pnl, realized_pnl, snapshot_at, reason) VALUES ($1, $2, $3,"
     " $4, $5, $6, $7, $8, $9)",
     9},
    {"oms_ins_outbox",
     "INSERT INTO order_manager.outbox (topic, event_type, aggregate_id, payload)"
     " VALUES ($1, $2, $3, $4::jsonb)",
     4},
    {"oms_notify", "SELECT pg_notify('ts_outbox', '')", 0},
    {"oms_ins_kill",
     "INSERT INTO order_manager.kill_switch_log (active, reason, changed_by) VALUES ($1, $2, $3)"
     " RETURNING *",
     3},
};

int ts_oms__prepare(PGconn *c, struct ts_err *err)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof(statements) / sizeof(statements[0]); i++) {
        rc = ts_db_txn_prepare(c, statements[i].name, statements[i].sql, statements[i].n, err);
    }
    return rc;
}

/* ---- rows and events of the batch ---- */

/* Who acts and why, for the audit rows of the statements that follow (app.actor, app.reason). */
void ts_oms__stmt_actor(struct ts_oms *oms, const char *actor, const char *reason)
{
    const char *p[2] = {actor, reason};
    ts_db_txn_add(&oms->txn, "oms_actor", 2, p);
}

void ts_oms__stmt_order_update(struct ts_oms *oms, const struct ts_order *o)
{
    struct fmt f = {.i = 0};
    const char *p[12] = {
        f_uuid(&f, &o->id),
        ts_order_status_str(o->status),
        f_dec(&f, o->quantity),
        o->has_price ? f_dec(&f, o->price) : NULL,
        o->has_stop_price ? f_dec(&f, o->stop_price) : NULL,
        f_dec(&f, o->filled_quantity),
        o->filled_quantity > 0 ? f_dec(&f, o->avg_fill_price) : NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
    };
    struct fmt g = {.i = 0};
    p[7] = f_time(&g, o->submitted_at);
    p[8] = f_time(&g, o->filled_at);
    p[9] = f_time(&g, o->canceled_at);
    p[10] = f_time(&g, o->expired_at);
    p[11] = f_time(&g, o->updated_at);
    ts_db_txn_add(&oms->txn, "oms_upd_order", 12, p);
}

void ts_oms__stmt_order_trigger(struct ts_oms *oms, const struct ts_oms__order *w)
{
    struct fmt f = {.i = 0};
    char trade[24];
    snprintf(trade, sizeof(trade), "%" PRId64, w->trigger_trade_id);
    const char *p[4] = {f_uuid(&f, &w->o.id), f_time(&f, w->triggered_at), trade,
                        f_dec(&f, w->trigger_price)};
    ts_db_txn_add(&oms->txn, "oms_trigger_order", 4, p);
}

void ts_oms__stmt_order_insert(struct ts_oms *oms, const struct ts_order *o, const char *actor,
                               const char *reason, const char *metadata)
{
    struct fmt f = {.i = 0}, g = {.i = 0};
    const char *p[22] = {
        f_uuid(&f, &o->id),
        o->order_ref,
        o->symbol,
        o->exchange,
        ts_instrument_asset_class_str(o->asset_class),
        ts_order_side_str(o->side),
        ts_order_type_str(o->type),
        ts_order_tif_str(o->tif),
        f_dec(&f, o->quantity),
        o->has_price ? f_dec(&f, o->price) : NULL,
        o->has_stop_price ? f_dec(&f, o->stop_price) : NULL,
        ts_order_status_str(o->status),
        o->status == TS_ORDER_REJECTED ? o->reject_reason : NULL,
        f_uuid(&f, &o->strategy_id),
        f_uuid(&f, &o->account_id),
        ts_order_position_type_str(o->position_type),
        f_time(&g, o->created_at),
        f_time(&g, o->submitted_at),
        f_time(&g, o->updated_at),
        actor,
        reason,
        metadata,
    };
    ts_db_txn_add(&oms->txn, "oms_ins_order", 22, p);
}

void ts_oms__stmt_get_order(struct ts_oms *oms, const struct ts_uuid *id, struct ts_buf *capture)
{
    struct fmt f = {.i = 0};
    const char *p[1] = {f_uuid(&f, id)};
    ts_db_txn_add(&oms->txn, "oms_get_order", 1, p)->capture = capture;
}

/* An outbox event; the payload is oms->scratch (a JSON object). */
static void stmt_event(struct ts_oms *oms, const char *topic, const char *type,
                       const struct ts_uuid *id)
{
    struct fmt f = {.i = 0};
    const char *p[4] = {topic, type, id ? f_uuid(&f, id) : NULL, oms->scratch.buf};
    ts_db_txn_add(&oms->txn, "oms_ins_outbox", 4, p);
}

static void order_payload(struct ts_oms *oms, const struct ts_oms__order *w)
{
    const struct ts_order *o = &w->o;
    struct fmt f = {.i = 0};
    struct ts_buf *b = &oms->scratch;
    ts_buf_reset(b);
    ts_buf_addf(b, "{\"id\":\"%s\",\"order_ref\":", f_uuid(&f, &o->id));
    ts_buf_add_json_str(b, o->order_ref);
    ts_buf_addf(b,
                ",\"account_id\":\"%s\",\"strategy_id\":\"%s\",\"symbol\":\"%s\","
                "\"side\":\"%s\",\"order_type\":\"%s\",\"quantity\":\"%s\",\"status\":\"%s\","
                "\"filled_quantity\":\"%s\"",
                f_uuid(&f, &o->account_id), f_uuid(&f, &o->strategy_id), o->symbol,
                ts_order_side_str(o->side), ts_order_type_str(o->type), f_dec(&f, o->quantity),
                ts_order_status_str(o->status), f_dec(&f, o->filled_quantity));
    if (o->has_price) {
        ts_buf_addf(b, ",\"price\":\"%s\"", f_dec(&f, o->price));
    }
    if (o->has_stop_price) {
        ts_buf_addf(b, ",\"stop_price\":\"%s\"", f_dec(&f, o->stop_price));
    }
    if (o->filled_quantity > 0) {
        ts_buf_addf(b, ",\"avg_fill_price\":\"%s\"", f_dec(&f, o->avg_fill_price));
    }
    if (o->status == TS_ORDER_REJECTED) {
        ts_buf_adds(b, ",\"reject_reason\":");
        ts_buf_add_json_str(b, o->reject_reason);
    }
    if (w->triggered) {
        char at[TS_TIME_STRLEN];
        ts_time_format_rfc3339(w->triggered_at, at, sizeof(at));
        ts_buf_addf(
            b, ",\"triggered_at\":\"%s\",\"trigger_trade_id\":%" PRId64 ",\"trigger_price\":\"%s\"",
            at, w->trigger_trade_id, f_dec(&f, w->trigger_price));
    }
    ts_buf_addch(b, '}');
}

static void position_payload(struct ts_oms *oms, const struct ts_position *p)
{
    struct fmt f = {.i = 0};
    struct ts_buf *b = &oms->scratch;
    ts_buf_reset(b);
    ts_buf_addf(b,
                "{\"id\":\"%s\",\"account_id\":\"%s\",\"strategy_id\":\"%s\",\"symbol\":\"%s\","
                "\"side\":\"%s\",\"status\":\"%s\",\"quantity\":\"%s\",\"avg_entry_price\":\"%s\","
                "\"realized_pnl\":\"%s\",\"unrealized_pnl\":\"%s\"}",
                f_uuid(&f, &p->id), f_uuid(&f, &p->account_id), f_uuid(&f, &p->strategy_id),
                p->symbol, ts_position_side_str(p->side), ts_position_status_str(p->status),
                f_dec(&f, p->quantity), f_dec(&f, p->avg_entry_price), f_money(&f, p->realized_pnl),
                f_money(&f, p->unrealized_pnl));
}

/* INSERT (new row) or UPDATE of a position, and its history snapshot. */
void ts_oms__stmt_position(struct ts_oms *oms, const struct ts_oms__position *op,
                           const struct ts_position *p, bool insert, const char *why, int64_t now)
{
    struct fmt f = {.i = 0}, g = {.i = 0};
    bool closed = p->status == TS_POSITION_CLOSED;
    const char *mark = p->mark_price > 0 ? f_dec(&f, p->mark_price) : NULL;
    const char *unreal = p->mark_price > 0 && !closed ? f_money(&f, p->unrealized_pnl) : NULL;
    if (insert) {
        const char *v[17] = {f_uuid(&f, &p->id),
                             p->symbol,
                             op->exchange,
                             ts_instrument_asset_class_str(op->asset_class),
                             ts_position_side_str(p->side),
                             f_dec(&f, p->quantity),
                             f_dec(&f, p->avg_entry_price),
                             mark,
                             unreal,
                             f_money(&f, p->realized_pnl),
                             f_uuid(&g, &p->strategy_id),
                             f_uuid(&g, &p->account_id),
                             ts_order_position_type_str(p->position_type),
                             f_time(&g, p->opened_at),
                             closed ? f_time(&g, p->closed_at) : NULL,
                             f_time(&g, now),
                             closed ? "CLOSED" : "OPEN"};
        ts_db_txn_add(&oms->txn, "oms_ins_pos", 17, v);
    } else {
        const char *v[10] = {f_uuid(&f, &p->id),
                             ts_position_side_str(p->side),
                             f_dec(&f, p->quantity),
                             f_dec(&f, p->avg_entry_price),
                             mark,
                             unreal,
                             f_money(&f, p->realized_pnl),
                             closed ? f_time(&g, p->closed_at) : NULL,
                             f_time(&g, now),
                             closed ? "CLOSED" : "OPEN"};
        ts_db_txn_add(&oms->txn, "oms_upd_pos", 10, v);
    }
    if (why) {
        struct ts_uuid hid;
        struct fmt h = {.i = 0};
        ts_uuid_v7(&hid);
        const char *v[9] = {f_uuid(&h, &hid),
                            f_uuid(&h, &p->id),
                            f_dec(&h, p->quantity),
                            f_dec(&h, p->avg_entry_price),
                            f_dec(&h, p->mark_price),
                            f_money(&h, closed ? 0 : p->unrealized_pnl),
                            f_money(&h, p->realized_pnl),
                            f_time(&h, now),
                            why};
        ts_db_txn_add(&oms->txn, "oms_ins_hist", 9, v);
    }
}

/* The outbox event of an order on the "orders" topic. */
void ts_oms__stmt_order_event(struct ts_oms *oms, const struct ts_oms__order *w, const char *type)
{
    order_payload(oms, w);
    stmt_event(oms, "orders", type, &w->o.id);
}

/* RiskLimitBreached: the order refused, the rule, the limit, the value and why. */
void ts_oms__stmt_risk_event(struct ts_oms *oms, const struct ts_uuid *order_id,
                             const struct ts_risk_verdict *v, const char *why)
{
    struct fmt f = {.i = 0};
    ts_buf_reset(&oms->scratch);
    ts_buf_addf(&oms->scratch,
                "{\"order_id\":\"%s\",\"rule\":\"%s\",\"limit\":\"%s\","
                "\"value\":\"%s\",\"message\":",
                f_uuid(&f, order_id), ts_risk_rule_str(v->rule), f_dec(&f, v->limit),
                f_dec(&f, v->value));
    ts_buf_add_json_str(&oms->scratch, why);
    ts_buf_addch(&oms->scratch, '}');
    stmt_event(oms, "risk", "RiskLimitBreached", order_id);
}

/* The outbox event of a position on the "positions" topic. */
void ts_oms__stmt_position_event(struct ts_oms *oms, const struct ts_position *p, const char *type)
{
    position_payload(oms, p);
    stmt_event(oms, "positions", type, &p->id);
}

void ts_oms__stmt_trade(struct ts_oms *oms, const struct ts_oms__trade *t)
{
    const struct ts_order *o = t->order;
    struct fmt f = {.i = 0}, g = {.i = 0};
    char oid[TS_UUID_STRLEN], ref[TS_UUID_STRLEN + 16];
    ts_uuid_format(&o->id, oid);
    snprintf(ref, sizeof(ref), "%s-%d", oid, t->n);
    struct ts_buf meta = TS_BUF_INIT;
    ts_buf_addf(&meta, "{\"realized_pnl\":\"%s\"}", f_money(&g, t->realized));
    const char *tp[15] = {f_uuid(&f, &t->id),
                          ref,
                          f_uuid(&f, &o->id),
                          f_uuid(&f, &o->account_id),
                          o->symbol,
                          o->exchange,
                          ts_order_side_str(o->side),
                          f_dec(&f, t->quantity),
                          f_dec(&f, t->price),
                          f_money(&f, t->value < 0 ? -t->value : t->value),
                          f_money(&g, t->fees.commission),
                          f_money(&g, t->fees.tax),
                          f_time(&g, t->time),
                          t->broker_account,
                          meta.buf};
    ts_db_txn_add(&oms->txn, "oms_ins_trade", 15, tp);
    ts_buf_release(&meta);
    ts_buf_reset(&oms->scratch);
    ts_buf_addf(&oms->scratch,
                "{\"id\":\"%s\",\"trade_ref\":\"%s\",\"order_id\":\"%s\",\"symbol\":\"%s\","
                "\"side\":\"%s\",\"quantity\":\"%s\",\"price\":\"%s\",\"realized_pnl\":\"%s\"}",
                f_uuid(&f, &t->id), ref, f_uuid(&f, &o->id), o->symbol, ts_order_side_str(o->side),
                f_dec(&f, t->quantity), f_dec(&f, t->price), f_money(&f, t->realized));
    stmt_event(oms, "trades", "TradeExecuted", &t->id);
}

/* The kill_switch_log row and its KillSwitchActivated/Released event. */
void ts_oms__stmt_kill_switch(struct ts_oms *oms, bool active, const char *reason,
                              const char *actor, int canceled)
{
    const char *p[3] = {active ? "true" : "false", reason, actor};
    ts_db_txn_add(&oms->txn, "oms_ins_kill", 3, p);
    ts_buf_reset(&oms->scratch);
    ts_buf_addf(&oms->scratch,
                "{\"active\":%s,\"canceled\":%d,\"changed_by\":", active ? "true" : "false",
                canceled);
    ts_buf_add_json_str(&oms->scratch, actor);
    ts_buf_adds(&oms->scratch, ",\"reason\":");
    ts_buf_add_json_str(&oms->scratch, reason);
    ts_buf_addch(&oms->scratch, '}');
    stmt_event(oms, "risk", active ? "KillSwitchActivated" : "KillSwitchReleased", NULL);
}

/* The EndOfDay event. */
void ts_oms__stmt_eod_event(struct ts_oms *oms, int expired, size_t snapshots, int date)
{
    ts_buf_reset(&oms->scratch);
    ts_buf_addf(&oms->scratch, "{\"expired\":%d,\"snapshots\":%zu,\"date\":%d}", expired, snapshots,
                date);
    stmt_event(oms, "status", "EndOfDay", NULL);
}

void ts_oms__stmt_notify(struct ts_oms *oms)
{
    ts_db_txn_add(&oms->txn, "oms_notify", 0, NULL);
}

/* ---- reads ---- */

/* Before the batch is decided: see internal.h. */
int ts_oms__lookup_refs(struct ts_oms *oms, const struct ts_oms__cmd *batch, struct ts_err *err)
{
    struct ts_buf arr = TS_BUF_INIT;
    int n = 0, rc = 0;
    ts_buf_addch(&arr, '{');
    for (const struct ts_oms__cmd *c = batch; c; c = c->next) {
        const struct ts_order_request *rq = c->kind == TS_OMS__PLACE ? &c->place->req : NULL;
        char ref[TS_ORDER_REF_MAX + 1];
        if (!rq || rq->order_ref_len == 0 || rq->order_ref_len > TS_ORDER_REF_MAX ||
            memchr(rq->order_ref, 0, rq->order_ref_len)) {
            continue;
        }
        snprintf(ref, sizeof(ref), "%.*s", (int)rq->order_ref_len, rq->order_ref);
        if (ts_oms__find_ref(&oms->st, ref) || !ts_oms__bloom_maybe(&oms->st, ref)) {
            continue; /* known here, or certainly new */
        }
        ts_buf_adds(&arr, n++ ? ",\"" : "\"");
        for (const char *p = ref; *p; p++) {
            if (*p == '"' || *p == '\\') {
                ts_buf_addch(&arr, '\\');
            }
            ts_buf_addch(&arr, *p);
        }
        ts_buf_addch(&arr, '"');
    }
    ts_buf_addch(&arr, '}');
    if (n) {
        PGresult *res = NULL;
        const char *p[1] = {arr.buf};
        rc = ts_db_exec(oms->om, "look up order refs",
                        "SELECT order_ref, id FROM order_manager.orders"
                        " WHERE order_ref = ANY($1::text[])",
                        1, p, &res, err);
        for (int i = 0; !rc && i < ts_db_nrows(res); i++) {
            struct ts_uuid id;
            if (!ts_uuid_parse(ts_db_val(res, i, 1), ts_db_len(res, i, 1), &id)) {
                ts_oms__add_ref(&oms->st, ts_db_val(res, i, 0), &id);
            }
        }
        ts_db_clear(res);
    }
    ts_buf_release(&arr);
    return rc;
}

/* The status of an order on file into status; TS_ENOTFOUND when there is none. */
int ts_oms__order_status(struct ts_oms *oms, const struct ts_uuid *id, char *status, size_t cap,
                         struct ts_err *err)
{
    struct fmt f = {.i = 0};
    const char *p[1] = {f_uuid(&f, id)};
    PGresult *r = NULL;
    int rc = ts_db_exec(oms->om, "look up order",
                        "SELECT status FROM order_manager.orders WHERE id = $1", 1, p, &r, err);
    if (!rc && ts_db_nrows(r) == 0) {
        rc = TS_ENOTFOUND;
    } else if (!rc) {
        snprintf(status, cap, "%s", ts_db_val(r, 0, 0));
    }
    ts_db_clear(r);
    return rc;
}

/* The B3 date of the last EndOfDay event on file (0 when none): the date the event
 * names (the order manager's clock, which may be set off the wall clock), else the
 * B3 date of when it was written. */
int ts_oms__last_eod_date(PGconn *om, struct ts_err *err)
{
    PGresult *r = NULL;
    int date = 0;
    if (!ts_db_exec(om, "read the last end of day",
                    "SELECT max(CASE WHEN payload->>'date' ~ '^[0-9]{8}$'"
                    " THEN (payload->>'date')::int ELSE to_char(created_at AT TIME ZONE"
                    " 'America/Sao_Paulo', 'YYYYMMDD')::int END)"
                    " FROM order_manager.outbox WHERE event_type = 'EndOfDay'",
                    0, NULL, &r, err) &&
        !ts_db_isnull(r, 0, 0)) {
        date = atoi(ts_db_val(r, 0, 0));
    }
    ts_db_clear(r);
    return date;
}
