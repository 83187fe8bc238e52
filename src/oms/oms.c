/*
 * oms.c - the order manager's thread: commands in, group-committed changes out.
 * See oms.h for the contract and internal.h for the state.
 *
 * A batch is every command queued when the thread wakes (at most MAX_BATCH). Each
 * command is decided in memory (validation, risk, venue) and its writes appended
 * to one transaction; the transaction is committed in one pipelined round trip;
 * then every command of the batch is answered. Refusals that write nothing
 * (TS_EINVAL, TS_ENOTFOUND, TS_ESTATE) are answered with the batch too, so answers
 * keep the queue's order.
 */
#include "oms/oms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/tstime.h"
#include "oms/internal.h"

#define MAX_BATCH 256

const int64_t ts_oms_latency_le_us[16] = {100,   250,   500,    1000,   2000,   5000,
                                          10000, 25000, 50000,  100000, 250000, 500000,
                                          1000000, 2500000, 5000000, INT64_MAX};

enum cmd_kind { CMD_PLACE, CMD_CANCEL, CMD_MODIFY, CMD_TICKS, CMD_KILL, CMD_RELOAD, CMD_EOD };

struct cmd {
    enum cmd_kind kind;
    const char *actor;
    const struct ts_oms_place *place;
    const struct ts_oms_modify *modify;
    struct ts_uuid id;                 /* CANCEL */
    const char *reason;                /* CANCEL, KILL */
    bool active;                       /* KILL */
    const struct ts_tick *ticks;       /* TICKS */
    int nticks;
    int fills;                         /* TICKS: paper fills made */
    unsigned reload;                   /* RELOAD */
    struct ts_oms_result *res;         /* PLACE, CANCEL, MODIFY, KILL, EOD; else NULL */
    int rc;                            /* the answer: 0 or TS_E* */
    struct ts_err err;                 /* why, when rc != 0 */
    int eod_date;                      /* EOD: B3 date yyyymmdd it closed */
    bool writes;                       /* the answer depends on the commit */
    bool done;
    int64_t t0;
    struct cmd *next;
};

struct ts_oms {
    struct ts_oms_config cfg;
    PGconn *om;                    /* OMS thread only */
    PGconn *dc;
    struct ts_oms__state st;       /* OMS thread only */
    struct ts_txn txn;             /* OMS thread only */
    pthread_t thread;
    pthread_mutex_t lock;          /* guards head, tail, stopping, every cmd->done */
    pthread_cond_t wake;           /* commands queued */
    pthread_cond_t answered;       /* some cmd->done became true */
    struct cmd *head, *tail;
    bool stopping;
    struct ts_buf scratch;         /* OMS thread only: payloads */
    int last_eod_date;             /* OMS thread only: B3 date (yyyymmdd) of the last end of day */
    _Atomic uint64_t m_placed, m_rejected, m_filled, m_canceled, m_fills, m_batches,
        m_commands, m_lat_sum, m_lat_count;
    _Atomic uint64_t m_buckets[16];
    atomic_bool m_kill; /* the kill switch, mirrored for other threads after each batch */
};

/* ---- small helpers (OMS thread) ---- */

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

static const struct ts_instrument *find_inst(struct ts_oms *oms, const char *sym, size_t len)
{
    for (size_t i = 0; i < oms->st.ninst; i++) {
        if (strlen(oms->st.inst[i].symbol) == len && !memcmp(oms->st.inst[i].symbol, sym, len)) {
            return &oms->st.inst[i];
        }
    }
    return NULL;
}

static const struct ts_oms__account *find_acct(struct ts_oms *oms, const struct ts_uuid *id)
{
    for (size_t i = 0; i < oms->st.naccts; i++) {
        if (!memcmp(&oms->st.accts[i].id, id, sizeof(*id))) {
            return &oms->st.accts[i];
        }
    }
    return NULL;
}

static const struct ts_oms__strategy *find_strat(struct ts_oms *oms, const struct ts_uuid *id)
{
    for (size_t i = 0; i < oms->st.nstrats; i++) {
        if (!memcmp(&oms->st.strats[i].id, id, sizeof(*id))) {
            return &oms->st.strats[i];
        }
    }
    return NULL;
}

static struct ts_oms__order *find_order(struct ts_oms *oms, const struct ts_uuid *id)
{
    for (size_t i = 0; i < oms->st.norders; i++) {
        if (!memcmp(&oms->st.orders[i]->o.id, id, sizeof(*id))) {
            return oms->st.orders[i];
        }
    }
    return NULL;
}

/* order_ref -> id: open addressing, linear probing, at most half full. */
static uint64_t ref_hash(const char *ref)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *ref; ref++) {
        h = (h ^ (unsigned char)*ref) * 1099511628211ULL;
    }
    return h;
}

static const struct ts_oms__ref *find_ref(struct ts_oms *oms, const char *ref)
{
    const struct ts_oms__state *st = &oms->st;
    if (!st->crefs) {
        return NULL;
    }
    for (size_t i = ref_hash(ref) & (st->crefs - 1);; i = (i + 1) & (st->crefs - 1)) {
        if (!st->refs[i].ref[0]) {
            return NULL;
        }
        if (!strcmp(st->refs[i].ref, ref)) {
            return &st->refs[i];
        }
    }
}

static void ref_put(struct ts_oms__ref *tab, size_t cap, const char *ref, const struct ts_uuid *id)
{
    size_t i = ref_hash(ref) & (cap - 1);
    while (tab[i].ref[0] && strcmp(tab[i].ref, ref) != 0) {
        i = (i + 1) & (cap - 1);
    }
    snprintf(tab[i].ref, sizeof(tab[i].ref), "%s", ref);
    tab[i].id = *id;
}

static void add_ref(struct ts_oms *oms, const char *ref, const struct ts_uuid *id)
{
    struct ts_oms__state *st = &oms->st;
    if (!ref[0] || find_ref(oms, ref)) {
        return;
    }
    if (2 * (st->nrefs + 1) > st->crefs) {
        size_t cap = st->crefs ? st->crefs * 2 : 1024;
        struct ts_oms__ref *tab = ts_xcalloc(cap, sizeof(*tab));
        for (size_t i = 0; i < st->crefs; i++) {
            if (st->refs[i].ref[0]) {
                ref_put(tab, cap, st->refs[i].ref, &st->refs[i].id);
            }
        }
        ts_free(st->refs);
        st->refs = tab;
        st->crefs = cap;
    }
    ref_put(st->refs, st->crefs, ref, id);
    st->nrefs++;
    ts_oms__bloom_add(st, ref);
}

/*
 * Idempotency beyond this run's memory: the refs of the batch's placements that
 * are not known here and that the Bloom filter cannot rule out are looked up in
 * the database, all in one query, before the batch is decided (usually none: no
 * round trip). Fails only when the database cannot answer.
 */
static int lookup_refs(struct ts_oms *oms, struct cmd *batch, struct ts_err *err)
{
    struct ts_buf arr = TS_BUF_INIT;
    int n = 0, rc = 0;
    ts_buf_addch(&arr, '{');
    for (struct cmd *c = batch; c; c = c->next) {
        const struct ts_order_request *rq = c->kind == CMD_PLACE ? &c->place->req : NULL;
        char ref[TS_ORDER_REF_MAX + 1];
        if (!rq || rq->order_ref_len == 0 || rq->order_ref_len > TS_ORDER_REF_MAX ||
            memchr(rq->order_ref, 0, rq->order_ref_len)) {
            continue;
        }
        snprintf(ref, sizeof(ref), "%.*s", (int)rq->order_ref_len, rq->order_ref);
        if (find_ref(oms, ref) || !ts_oms__bloom_maybe(&oms->st, ref)) {
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
        for (int i = 0; !rc && i < PQntuples(res); i++) {
            struct ts_uuid id;
            if (!ts_uuid_parse(PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1), &id)) {
                add_ref(oms, PQgetvalue(res, i, 0), &id);
            }
        }
        PQclear(res);
    }
    ts_buf_release(&arr);
    return rc;
}

static ts_dec mark_of(struct ts_oms *oms, const char *sym)
{
    for (size_t i = 0; i < oms->st.nmarks; i++) {
        if (!strcmp(oms->st.marks[i].symbol, sym)) {
            return oms->st.marks[i].price;
        }
    }
    return 0;
}

static void set_mark(struct ts_oms *oms, const char *sym, ts_dec price)
{
    struct ts_oms__state *st = &oms->st;
    for (size_t i = 0; i < st->nmarks; i++) {
        if (!strcmp(st->marks[i].symbol, sym)) {
            st->marks[i].price = price;
            return;
        }
    }
    if (st->nmarks == st->cmarks) {
        st->cmarks = st->cmarks ? st->cmarks * 2 : 64;
        st->marks = ts_xreallocarray(st->marks, st->cmarks, sizeof(*st->marks));
    }
    snprintf(st->marks[st->nmarks].symbol, sizeof(st->marks[0].symbol), "%s", sym);
    st->marks[st->nmarks++].price = price;
}

static struct ts_oms__position *find_pos(struct ts_oms *oms, const struct ts_uuid *acc,
                                         const struct ts_uuid *strat, const char *sym)
{
    for (size_t i = 0; i < oms->st.npos; i++) {
        struct ts_position *p = &oms->st.pos[i].p;
        if (!memcmp(&p->account_id, acc, sizeof(*acc)) &&
            !memcmp(&p->strategy_id, strat, sizeof(*strat)) && !strcmp(p->symbol, sym)) {
            return &oms->st.pos[i];
        }
    }
    return NULL;
}

/* ---- statements ---- */

/* Who acts and why, for the audit rows of the statements that follow (app.actor, app.reason). */
static void stmt_actor(struct ts_oms *oms, const char *actor, const char *reason)
{
    const char *p[2] = {actor, reason};
    ts_txn_add(&oms->txn, "oms_actor", 2, p);
}

static void stmt_order_update(struct ts_oms *oms, const struct ts_order *o)
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
        NULL, NULL, NULL, NULL, NULL,
    };
    struct fmt g = {.i = 0};
    p[7] = f_time(&g, o->submitted_at);
    p[8] = f_time(&g, o->filled_at);
    p[9] = f_time(&g, o->canceled_at);
    p[10] = f_time(&g, o->expired_at);
    p[11] = f_time(&g, o->updated_at);
    ts_txn_add(&oms->txn, "oms_upd_order", 12, p);
}

static void stmt_order_insert(struct ts_oms *oms, const struct ts_order *o, const char *actor,
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
    ts_txn_add(&oms->txn, "oms_ins_order", 22, p);
}

static void stmt_get_order(struct ts_oms *oms, const struct ts_uuid *id, struct ts_buf *capture)
{
    struct fmt f = {.i = 0};
    const char *p[1] = {f_uuid(&f, id)};
    ts_txn_add(&oms->txn, "oms_get_order", 1, p)->capture = capture;
}

/* An outbox event; the payload is oms->scratch (a JSON object). */
static void stmt_event(struct ts_oms *oms, const char *topic, const char *type,
                       const struct ts_uuid *id)
{
    struct fmt f = {.i = 0};
    const char *p[4] = {topic, type, id ? f_uuid(&f, id) : NULL, oms->scratch.buf};
    ts_txn_add(&oms->txn, "oms_ins_outbox", 4, p);
}

static void order_payload(struct ts_oms *oms, const struct ts_order *o)
{
    struct fmt f = {.i = 0};
    struct ts_buf *b = &oms->scratch;
    ts_buf_reset(b);
    ts_buf_addf(b, "{\"id\":\"%s\",\"order_ref\":", f_uuid(&f, &o->id));
    ts_buf_add_json_str(b, o->order_ref);
    ts_buf_addf(b, ",\"account_id\":\"%s\",\"strategy_id\":\"%s\",\"symbol\":\"%s\","
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
static void stmt_position(struct ts_oms *oms, const struct ts_oms__position *op,
                          const struct ts_position *p, bool insert, const char *why,
                          int64_t now)
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
        ts_txn_add(&oms->txn, "oms_ins_pos", 17, v);
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
        ts_txn_add(&oms->txn, "oms_upd_pos", 10, v);
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
        ts_txn_add(&oms->txn, "oms_ins_hist", 9, v);
    }
}

/* The outbox event of an order on the "orders" topic. */
static void stmt_order_event(struct ts_oms *oms, const struct ts_order *o, const char *type)
{
    order_payload(oms, o);
    stmt_event(oms, "orders", type, &o->id);
}

/* RiskLimitBreached: the order refused, the rule, the limit, the value and why. */
static void stmt_risk_event(struct ts_oms *oms, const struct ts_uuid *order_id,
                            const struct ts_risk_verdict *v, const char *why)
{
    struct fmt f = {.i = 0};
    ts_buf_reset(&oms->scratch);
    ts_buf_addf(&oms->scratch, "{\"order_id\":\"%s\",\"rule\":\"%s\",\"limit\":\"%s\","
                               "\"value\":\"%s\",\"message\":",
                f_uuid(&f, order_id), ts_risk_rule_str(v->rule), f_dec(&f, v->limit),
                f_dec(&f, v->value));
    ts_buf_add_json_str(&oms->scratch, why);
    ts_buf_addch(&oms->scratch, '}');
    stmt_event(oms, "risk", "RiskLimitBreached", order_id);
}

/* The outbox event of a position on the "positions" topic. */
static void stmt_position_event(struct ts_oms *oms, const struct ts_position *p,
                                const char *type)
{
    position_payload(oms, p);
    stmt_event(oms, "positions", type, &p->id);
}

/* A paper trade: its row and its TradeExecuted event. */
struct trade {
    struct ts_uuid id;
    const struct ts_order *order;
    int n;                      /* the order's fill number: trade_ref "<order id>-<n>" */
    ts_dec quantity, price;
    ts_dec value;               /* quantity x price */
    struct ts_fees fees;
    ts_dec realized;            /* realized P&L of the fill */
    int64_t time;
    const char *broker_account;
};

static void stmt_trade(struct ts_oms *oms, const struct trade *t)
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
    ts_txn_add(&oms->txn, "oms_ins_trade", 15, tp);
    ts_buf_release(&meta);
    ts_buf_reset(&oms->scratch);
    ts_buf_addf(&oms->scratch,
                "{\"id\":\"%s\",\"trade_ref\":\"%s\",\"order_id\":\"%s\",\"symbol\":\"%s\","
                "\"side\":\"%s\",\"quantity\":\"%s\",\"price\":\"%s\",\"realized_pnl\":\"%s\"}",
                f_uuid(&f, &t->id), ref, f_uuid(&f, &o->id), o->symbol,
                ts_order_side_str(o->side), f_dec(&f, t->quantity), f_dec(&f, t->price),
                f_money(&f, t->realized));
    stmt_event(oms, "trades", "TradeExecuted", &t->id);
}

/* The kill_switch_log row and its KillSwitchActivated/Released event. */
static void stmt_kill_switch(struct ts_oms *oms, bool active, const char *reason,
                             const char *actor, int canceled)
{
    const char *p[3] = {active ? "true" : "false", reason, actor};
    ts_txn_add(&oms->txn, "oms_ins_kill", 3, p);
    ts_buf_reset(&oms->scratch);
    ts_buf_addf(&oms->scratch, "{\"active\":%s,\"canceled\":%d,\"changed_by\":",
                active ? "true" : "false", canceled);
    ts_buf_add_json_str(&oms->scratch, actor);
    ts_buf_adds(&oms->scratch, ",\"reason\":");
    ts_buf_add_json_str(&oms->scratch, reason);
    ts_buf_addch(&oms->scratch, '}');
    stmt_event(oms, "risk", active ? "KillSwitchActivated" : "KillSwitchReleased", NULL);
}

/* The EndOfDay event. */
static void stmt_eod_event(struct ts_oms *oms, int expired, size_t snapshots, int date)
{
    ts_buf_reset(&oms->scratch);
    ts_buf_addf(&oms->scratch, "{\"expired\":%d,\"snapshots\":%zu,\"date\":%d}", expired,
                snapshots, date);
    stmt_event(oms, "status", "EndOfDay", NULL);
}

/* The status of an order on file into status; TS_ENOTFOUND when there is none. */
static int order_status(struct ts_oms *oms, const struct ts_uuid *id, char *status, size_t cap,
                        struct ts_err *err)
{
    struct fmt f = {.i = 0};
    const char *p[1] = {f_uuid(&f, id)};
    PGresult *r = NULL;
    int rc = ts_db_exec(oms->om, "look up order",
                        "SELECT status FROM order_manager.orders WHERE id = $1", 1, p, &r, err);
    if (!rc && PQntuples(r) == 0) {
        rc = TS_ENOTFOUND;
    } else if (!rc) {
        snprintf(status, cap, "%s", PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return rc;
}

/* ---- fills ---- */

static struct ts_oms__position *add_position(struct ts_oms *oms, const struct ts_position *p,
                                             const char *exchange, enum ts_asset_class ac)
{
    struct ts_oms__state *st = &oms->st;
    if (st->npos == st->cpos) {
        st->cpos = st->cpos ? st->cpos * 2 : 64;
        st->pos = ts_xreallocarray(st->pos, st->cpos, sizeof(*st->pos));
    }
    struct ts_oms__position *op = &st->pos[st->npos++];
    memset(op, 0, sizeof(*op));
    op->p = *p;
    snprintf(op->exchange, sizeof(op->exchange), "%s", exchange);
    op->asset_class = ac;
    return op;
}

static void remove_position(struct ts_oms *oms, struct ts_oms__position *op)
{
    size_t i = (size_t)(op - oms->st.pos);
    memmove(&oms->st.pos[i], &oms->st.pos[i + 1], (oms->st.npos - i - 1) * sizeof(*op));
    oms->st.npos--;
}

/* The open position of the order's key, opened (empty) when there is none; *existed says. */
static int position_of(struct ts_oms *oms, const struct ts_order *o,
                       struct ts_oms__position **out, bool *existed, struct ts_err *err)
{
    struct ts_oms__position *op = find_pos(oms, &o->account_id, &o->strategy_id, o->symbol);
    *existed = op != NULL;
    if (!op) {
        struct ts_position fresh;
        int rc = ts_position_init(&fresh, &o->account_id, &o->strategy_id, o->symbol,
                                  o->position_type);
        if (rc) {
            return ts_err_set(err, rc, "cannot open a position for %s", o->symbol);
        }
        ts_uuid_v7(&fresh.id);
        op = add_position(oms, &fresh, o->exchange, o->asset_class);
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
        stmt_position(oms, op, &res->closed_row, !existed, "trade_fill", now);
        stmt_position_event(oms, &res->closed_row, "PositionClosed");
    }
    if (op->p.status == TS_POSITION_OPEN) {
        bool insert = res->flipped || !existed;
        stmt_position(oms, op, &op->p, insert, "trade_fill", now);
        stmt_position_event(oms, &op->p, res->opened ? "PositionOpened" : "PositionUpdated");
    } else {
        remove_position(oms, op);
    }
}

/* One fill of a working order: trade, order, position, risk counters, events. */
static int apply_fill(struct ts_oms *oms, struct ts_oms__order *w, ts_dec qty, ts_dec price,
                      int64_t now, struct ts_err *err)
{
    struct ts_order *o = &w->o;
    const struct ts_instrument *in = find_inst(oms, o->symbol, strlen(o->symbol));
    const struct ts_oms__account *acct = find_acct(oms, &o->account_id);
    struct trade t = {.order = o, .quantity = qty, .price = price, .time = now,
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
    struct ts_fill fill = {.side = o->side, .quantity = qty, .price = price,
                           .fees = t.fees.total, .time_ns = now};
    ts_uuid_v7(&new_id);
    if ((rc = ts_position_apply_fill(&op->p, &fill, &new_id, &res, err))) {
        return rc;
    }
    ts_dec mark = mark_of(oms, o->symbol);
    if (op->p.status == TS_POSITION_OPEN &&
        (rc = ts_position_mark(&op->p, mark > 0 ? mark : price, err))) {
        return rc;
    }
    ts_uuid_v7(&t.id);
    t.realized = res.realized;
    stmt_trade(oms, &t);
    stmt_order_update(oms, o);
    stmt_order_event(oms, o, o->status == TS_ORDER_FILLED ? "OrderFilled" : "OrderPartiallyFilled");
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

/* Hands a new working order over to the state (time priority: last). */
static void add_order(struct ts_oms *oms, struct ts_oms__order *w)
{
    struct ts_oms__state *st = &oms->st;
    if (st->norders == st->corders) {
        st->corders = st->corders ? st->corders * 2 : 64;
        st->orders = ts_xreallocarray(st->orders, st->corders, sizeof(w));
    }
    st->orders[st->norders++] = w;
}

/* Drops orders that are no longer working from the working set. */
static void compact_orders(struct ts_oms *oms)
{
    size_t k = 0;
    for (size_t i = 0; i < oms->st.norders; i++) {
        if (ts_order_is_working(&oms->st.orders[i]->o)) {
            oms->st.orders[k++] = oms->st.orders[i];
        } else {
            ts_free(oms->st.orders[i]);
        }
    }
    oms->st.norders = k;
}

/* ---- commands ---- */

/*
 * The checks of a placement that need no risk state: the instrument, the account,
 * the strategy, what the paper venue supports. Returns the instrument, or NULL
 * with the refusal in c (nothing is written).
 */
static const struct ts_instrument *place_check(struct ts_oms *oms, struct cmd *c)
{
    const struct ts_order_request *rq = &c->place->req;
    const struct ts_instrument *in = find_inst(oms, rq->symbol, rq->symbol_len);
    if (!in) {
        c->rc = ts_err_set(&c->err, TS_EINVAL, "unknown symbol '%.*s'",
                           (int)(rq->symbol_len > 50 ? 50 : rq->symbol_len), rq->symbol);
        return NULL;
    }
    const struct ts_oms__account *acct = find_acct(oms, &rq->account_id);
    if (!acct || !acct->active) {
        c->rc = ts_err_set(&c->err, TS_EINVAL, "%s",
                           acct ? "account is not ACTIVE" : "unknown account_id");
        return NULL;
    }
    const struct ts_oms__strategy *strat = find_strat(oms, &rq->strategy_id);
    if (!strat) {
        c->rc = ts_err_set(&c->err, TS_EINVAL, "unknown strategy_id");
        return NULL;
    }
    if (strcmp(strat->status, "ACTIVE") != 0 && strcmp(strat->status, "TESTING") != 0) {
        c->rc = ts_err_set(&c->err, TS_EINVAL,
                           "strategy is %s: only ACTIVE or TESTING strategies trade",
                           strat->status);
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
static void place_rejected(struct ts_oms *oms, struct cmd *c, struct ts_oms__order *w,
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
    stmt_actor(oms, c->actor, pl->reason);
    stmt_order_insert(oms, o, c->actor, pl->reason, pl->metadata);
    stmt_order_event(oms, o, "OrderRejected");
    stmt_risk_event(oms, &o->id, v, why);
    c->rc = ts_err_set(&c->err, TS_ERISK, "%s", why);
    c->res->verdict = *v;
    c->res->rejected_id = o->id;
    atomic_fetch_add(&oms->m_rejected, 1);
}

/* Accepted: CREATED, then SUBMITTED to the venue; a MARKET order fills at the last price. */
static void place_accepted(struct ts_oms *oms, struct cmd *c, struct ts_oms__order *w,
                           int64_t now)
{
    const struct ts_oms_place *pl = c->place;
    struct ts_order *o = &w->o;
    struct ts_err err = TS_ERR_INIT;

    stmt_actor(oms, c->actor, pl->reason);
    stmt_order_insert(oms, o, c->actor, pl->reason, pl->metadata);
    if (ts_order_transition(o, TS_ORDER_SUBMITTED, now, &err)) {
        ts_error("oms", "cannot submit order %s: %s", o->order_ref, err.msg);
    }
    stmt_order_update(oms, o);
    stmt_order_event(oms, o, "OrderPlaced");
    if (ts_risk_record_order(&oms->st.risk, &o->account_id, &o->strategy_id, o->symbol, now,
                             &err)) {
        ts_error("oms", "cannot count order %s: %s", o->order_ref, err.msg);
    }
    atomic_fetch_add(&oms->m_placed, 1);
    add_order(oms, w);

    /* paper venue: a MARKET order fills at the last price when there is one; with no
       price yet it rests and the next tick fills it (fills.c) */
    ts_dec last = mark_of(oms, o->symbol);
    if (o->type == TS_ORDER_MARKET && last > 0 &&
        apply_fill(oms, w, o->quantity, last, now, &err)) {
        ts_error("oms", "cannot fill order %s: %s", o->order_ref, err.msg);
    }
    c->res->created = true;
    stmt_get_order(oms, &o->id, &c->res->order);
}

static void place(struct ts_oms *oms, struct cmd *c)
{
    const struct ts_order_request *rq = &c->place->req;
    char ref[TS_ORDER_REF_MAX + 1];
    int64_t now = ts_now_ns();

    if (rq->order_ref_len == 0 || rq->order_ref_len > TS_ORDER_REF_MAX) {
        c->rc = ts_err_set(&c->err, TS_EINVAL, "order_ref must be 1 to 50 characters");
        return;
    }
    snprintf(ref, sizeof(ref), "%.*s", (int)rq->order_ref_len, rq->order_ref);
    const struct ts_oms__ref *seen = find_ref(oms, ref);
    if (seen) {
        /* idempotent: answer the existing order as the database has it */
        c->writes = true;
        stmt_get_order(oms, &seen->id, &c->res->order);
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
    add_ref(oms, o->order_ref, &o->id);
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
        .reference_price = mark_of(oms, o->symbol),
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
static struct ts_oms__order *working_or_refuse(struct ts_oms *oms, struct cmd *c,
                                               const struct ts_uuid *id)
{
    struct ts_oms__order *w = find_order(oms, id);
    char status[32];
    if (w) {
        return w;
    }
    /* not working: terminal (TS_ESTATE) or unknown (TS_ENOTFOUND) */
    int rc = order_status(oms, id, status, sizeof(status), &c->err);
    if (rc == TS_ENOTFOUND) {
        c->rc = ts_err_set(&c->err, TS_ENOTFOUND, "order not found");
    } else if (rc) {
        c->rc = c->err.code = TS_ERETRY;
    } else {
        c->rc = ts_err_set(&c->err, TS_ESTATE, "order is %s: only working orders change",
                           status);
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
    stmt_order_update(oms, &w->o);
    stmt_order_event(oms, &w->o, "OrderCanceled");
    atomic_fetch_add(&oms->m_canceled, 1);
}

static void cancel(struct ts_oms *oms, struct cmd *c)
{
    struct ts_err err = TS_ERR_INIT;
    struct ts_oms__order *w = working_or_refuse(oms, c, &c->id);
    if (!w) {
        return;
    }
    stmt_actor(oms, c->actor, c->reason);
    cancel_order(oms, w, ts_now_ns(), &err);
    c->writes = true;
    stmt_get_order(oms, &w->o.id, &c->res->order);
}

/*
 * The order as the modification would leave it, into *after, checked against the
 * instrument; 0, or the refusal in c.
 */
static int modify_apply(struct ts_oms *oms, struct cmd *c, const struct ts_order *o,
                        struct ts_order *after, int64_t now)
{
    const struct ts_instrument *in = find_inst(oms, o->symbol, strlen(o->symbol));
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

static void modify(struct ts_oms *oms, struct cmd *c)
{
    const struct ts_oms_modify *m = c->modify;
    struct ts_oms__order *w = working_or_refuse(oms, c, &m->id);
    struct ts_order after;
    int64_t now = ts_now_ns();
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
        .reference_price = mark_of(oms, o->symbol),
        .instrument = find_inst(oms, o->symbol, strlen(o->symbol)),
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
    stmt_actor(oms, c->actor, m->reason);
    stmt_order_update(oms, o);
    stmt_order_event(oms, o, "OrderModified");
    c->writes = true;
    stmt_get_order(oms, &o->id, &c->res->order);
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
        stmt_position(oms, op, &op->p, false, NULL, now);
    }
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
static size_t group_orders(struct ts_oms *oms, const struct cmd *c, struct tick_group **out,
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

static void ticks(struct ts_oms *oms, struct cmd *c)
{
    struct ts_err err = TS_ERR_INIT;
    int fills = 0;
    bool actor_set = false;
    struct tick_group *groups;
    size_t *of_tick = ts_xcalloc((size_t)c->nticks, sizeof(*of_tick));
    size_t ngroups = group_orders(oms, c, &groups, of_tick);
    for (int k = 0; k < c->nticks; k++) {
        const struct ts_tick *t = &c->ticks[k];
        struct tick_group *g = &groups[of_tick[k]];
        if (g->n == 0 && k != g->last) {
            continue; /* nothing to match: only the symbol's last tick marks */
        }
        set_mark(oms, t->symbol, t->price);
        ts_dec avail = t->volume;
        for (size_t i = 0; i < g->n && avail > 0; i++) {
            struct ts_oms__order *w = g->orders[i];
            ts_dec qty, price;
            if (!ts_paper_match(&w->o, &w->triggered, t, avail, &qty, &price)) {
                continue;
            }
            if (!actor_set) {
                stmt_actor(oms, c->actor, "paper venue fill");
                actor_set = true;
            }
            if (apply_fill(oms, w, qty, price, ts_now_ns(), &err)) {
                ts_error("oms", "cannot fill order %s: %s", w->o.order_ref, err.msg);
                continue;
            }
            avail -= qty;
            fills++;
        }
        if (k == g->last) { /* mark once per symbol: at its last tick of the batch */
            mark_positions(oms, t->symbol, t->price, ts_now_ns());
        }
    }
    for (size_t i = 0; i < ngroups; i++) {
        ts_free(groups[i].orders);
    }
    ts_free(groups);
    ts_free(of_tick);
    compact_orders(oms);
    c->writes = true;
    c->fills = fills;
}

static void kill_switch(struct ts_oms *oms, struct cmd *c)
{
    struct ts_err err = TS_ERR_INIT;
    int64_t now = ts_now_ns();
    int canceled = 0;
    stmt_actor(oms, c->actor, c->reason);
    ts_risk_set_kill_switch(&oms->st.risk, c->active);
    if (c->active) {
        for (size_t i = 0; i < oms->st.norders; i++) {
            cancel_order(oms, oms->st.orders[i], now, &err);
            canceled++;
        }
        compact_orders(oms);
    }
    stmt_kill_switch(oms, c->active, c->reason, c->actor, canceled);
    c->writes = true;
    c->res->canceled = canceled;
}

static void end_of_day(struct ts_oms *oms, struct cmd *c)
{
    struct ts_err err = TS_ERR_INIT;
    int64_t now = ts_now_ns();
    int expired = 0;
    stmt_actor(oms, c->actor, "end of day");
    for (size_t i = 0; i < oms->st.norders; i++) {
        struct ts_oms__order *w = oms->st.orders[i];
        if (w->o.tif != TS_TIF_DAY) {
            continue;
        }
        if (ts_order_transition(&w->o, TS_ORDER_EXPIRED, now, &err)) {
            ts_error("oms", "cannot expire order %s: %s", w->o.order_ref, err.msg);
            continue;
        }
        stmt_order_update(oms, &w->o);
        stmt_order_event(oms, &w->o, "OrderExpired");
        expired++;
    }
    compact_orders(oms);
    for (size_t i = 0; i < oms->st.npos; i++) {
        stmt_position(oms, &oms->st.pos[i], &oms->st.pos[i].p, false, "eod_snapshot", now);
    }
    struct ts_local_time lt;
    if (!ts_time_b3_local(now, &lt)) {
        c->eod_date = lt.year * 10000 + lt.month * 100 + lt.day; /* recorded once committed */
    }
    stmt_eod_event(oms, expired, oms->st.npos, c->eod_date);
    c->writes = true;
    c->res->expired = expired;
    c->res->snapshots = oms->st.npos;
}

/* Whether the automatic end of day is due now: a weekday past eod_minute without one. */
static bool eod_due(struct ts_oms *oms)
{
    struct ts_local_time lt;
    if (oms->cfg.eod_minute < 0 || ts_time_b3_local(ts_now_ns(), &lt) ||
        lt.weekday == TS_SATURDAY || lt.weekday == TS_SUNDAY ||
        lt.minutes_of_day < oms->cfg.eod_minute) {
        return false;
    }
    return lt.year * 10000 + lt.month * 100 + lt.day > oms->last_eod_date;
}

/* The B3 date of the last EndOfDay event on file (0 when none). */
static int load_last_eod(PGconn *om, struct ts_err *err)
{
    PGresult *r = NULL;
    int date = 0;
    if (!ts_db_exec(om, "read the last end of day",
                    "SELECT to_char(max(created_at) AT TIME ZONE 'America/Sao_Paulo', 'YYYYMMDD')"
                    " FROM order_manager.outbox WHERE event_type = 'EndOfDay'",
                    0, NULL, &r, err) &&
        !PQgetisnull(r, 0, 0)) {
        date = atoi(PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return date;
}

/* ---- the thread ---- */

static int reconnect(struct ts_oms *oms, struct ts_err *err)
{
    if (oms->om) {
        PQfinish(oms->om);
        oms->om = NULL;
    }
    if (oms->dc) {
        PQfinish(oms->dc);
        oms->dc = NULL;
    }
    int rc = ts_db_connect(oms->cfg.db->conninfo[TS_MOD_ORDER_MANAGER], &oms->om, err);
    rc = rc ? rc : ts_db_connect(oms->cfg.db->conninfo[TS_MOD_DATA_CAPTURE], &oms->dc, err);
    rc = rc ? rc : ts_oms__prepare(oms->om, err);
    return rc;
}

/* After a failed write: the database is the truth; rebuild from it. */
static void recover(struct ts_oms *oms)
{
    struct ts_err err = TS_ERR_INIT;
    for (int attempt = 0; attempt < 3; attempt++) {
        if ((PQstatus(oms->om) == CONNECTION_OK && PQstatus(oms->dc) == CONNECTION_OK) ||
            !reconnect(oms, &err)) {
            if (!ts_oms__load(&oms->st, oms->om, oms->dc, 0, oms->cfg.check_trading_hours,
                              &err)) {
                ts_info("oms", "state rebuilt from the database");
                return;
            }
        }
        ts_error("oms", "cannot rebuild the state: %s", err.msg);
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Decides every command of the batch in memory, appending their writes to oms->txn. */
static void decide(struct ts_oms *oms, struct cmd *batch)
{
    struct ts_err err = TS_ERR_INIT;
    bool refs_unknown = lookup_refs(oms, batch, &err) != 0;
    if (refs_unknown) {
        ts_warn("oms", "placements answered unavailable: %s", err.msg);
    }
    for (struct cmd *c = batch; c; c = c->next) {
        switch (c->kind) {
        case CMD_PLACE:
            if (refs_unknown) {
                /* without the lookup a repeated ref could make a second order */
                c->err = err;
                c->rc = c->err.code = TS_ERETRY;
                break;
            }
            place(oms, c);
            break;
        case CMD_CANCEL:
            cancel(oms, c);
            break;
        case CMD_MODIFY:
            modify(oms, c);
            break;
        case CMD_TICKS:
            ticks(oms, c);
            break;
        case CMD_KILL:
            kill_switch(oms, c);
            break;
        case CMD_EOD:
            end_of_day(oms, c);
            break;
        case CMD_RELOAD:
            c->rc = ts_oms__load(&oms->st, oms->om, oms->dc, c->reload,
                                 oms->cfg.check_trading_hours, &c->err);
            break;
        }
    }
    compact_orders(oms);
}

/* Commits the batch's writes; when that fails, every command that wrote is answered TS_ERETRY. */
static void commit(struct ts_oms *oms, struct cmd *batch)
{
    struct ts_err err = TS_ERR_INIT;
    if (oms->txn.n) {
        ts_txn_add(&oms->txn, "oms_notify", 0, NULL); /* wakes the streams at commit */
    }
    if (ts_txn_exec(oms->om, &oms->txn, &err)) {
        ts_error("oms", "batch of changes not committed: %s", err.msg);
        for (struct cmd *c = batch; c; c = c->next) {
            if (c->writes) {
                c->err = err;
                c->rc = c->err.code = TS_ERETRY;
            }
        }
        recover(oms);
        return;
    }
    for (struct cmd *c = batch; c; c = c->next) {
        if (c->kind == CMD_EOD && c->eod_date > oms->last_eod_date) {
            oms->last_eod_date = c->eod_date;
        }
    }
}

/* Counts the batch and wakes the threads waiting for its answers. */
static void answer(struct ts_oms *oms, struct cmd *batch)
{
    atomic_fetch_add(&oms->m_batches, 1);
    atomic_store(&oms->m_kill, oms->st.risk_ready && ts_risk_kill_switch(&oms->st.risk));
    int64_t now = ts_mono_ns();
    pthread_mutex_lock(&oms->lock);
    for (struct cmd *c = batch; c; c = c->next) {
        if (c->kind == CMD_PLACE) {
            uint64_t us = (uint64_t)((now - c->t0) / 1000);
            int b = 0;
            while (b < 15 && (int64_t)us > ts_oms_latency_le_us[b]) {
                b++;
            }
            atomic_fetch_add(&oms->m_buckets[b], 1);
            atomic_fetch_add(&oms->m_lat_sum, us);
            atomic_fetch_add(&oms->m_lat_count, 1);
        }
        atomic_fetch_add(&oms->m_commands, 1);
        c->done = true;
    }
    pthread_cond_broadcast(&oms->answered);
    pthread_mutex_unlock(&oms->lock);
}

static void run_batch(struct ts_oms *oms, struct cmd *batch)
{
    ts_txn_reset(&oms->txn);
    decide(oms, batch);
    commit(oms, batch);
    answer(oms, batch);
}

/* End of day by the clock: a command of the thread itself. */
static void clock_end_of_day(struct ts_oms *oms)
{
    struct ts_oms_result res;
    struct cmd c = {.kind = CMD_EOD, .actor = "system", .res = &res, .t0 = ts_mono_ns()};
    ts_oms_result_init(&res);
    if (PQstatus(oms->om) != CONNECTION_OK) {
        recover(oms);
    }
    run_batch(oms, &c);
    if (c.rc) {
        ts_info("oms", "end of day: failed, will retry: %s", c.err.msg);
        struct timespec ts = {5, 0};
        nanosleep(&ts, NULL);
    } else {
        ts_info("oms", "end of day: {\"expired\":%d,\"snapshots\":%zu}", res.expired,
                res.snapshots);
    }
    ts_oms_result_release(&res);
}

/* Takes up to MAX_BATCH queued commands (lock held, queue not empty). */
static struct cmd *take_batch(struct ts_oms *oms)
{
    struct cmd *batch = oms->head, *last = batch;
    int n = 1;
    while (last->next && n < MAX_BATCH) {
        last = last->next;
        n++;
    }
    oms->head = last->next;
    if (!oms->head) {
        oms->tail = NULL;
    }
    last->next = NULL;
    return batch;
}

static void *oms_main(void *arg)
{
    struct ts_oms *oms = arg;
    for (;;) {
        pthread_mutex_lock(&oms->lock);
        while (!oms->head && !oms->stopping) {
            if (eod_due(oms)) {
                break;
            }
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1; /* the end-of-day clock is looked at every second */
            pthread_cond_timedwait(&oms->wake, &oms->lock, &until);
        }
        if (!oms->head && oms->stopping) {
            pthread_mutex_unlock(&oms->lock);
            return NULL;
        }
        if (!oms->head) {
            pthread_mutex_unlock(&oms->lock);
            clock_end_of_day(oms);
            continue;
        }
        struct cmd *batch = take_batch(oms);
        pthread_mutex_unlock(&oms->lock);
        if (PQstatus(oms->om) != CONNECTION_OK) {
            recover(oms);
        }
        run_batch(oms, batch);
    }
}

/* Any thread: queue a command and wait for its answer; returns it. */
static int call(struct ts_oms *oms, struct cmd *c, struct ts_err *err)
{
    c->t0 = ts_mono_ns();
    c->done = false;
    c->next = NULL;
    if (c->res) {
        ts_buf_reset(&c->res->order);
        c->res->created = false;
        memset(&c->res->verdict, 0, sizeof(c->res->verdict));
        memset(&c->res->rejected_id, 0, sizeof(c->res->rejected_id));
        c->res->canceled = c->res->expired = 0;
        c->res->snapshots = 0;
    }
    pthread_mutex_lock(&oms->lock);
    if (oms->stopping) {
        pthread_mutex_unlock(&oms->lock);
        return ts_err_set(err, TS_EBUSY, "the order manager is stopping");
    }
    if (oms->tail) {
        oms->tail->next = c;
    } else {
        oms->head = c;
    }
    oms->tail = c;
    pthread_cond_signal(&oms->wake);
    while (!c->done) {
        pthread_cond_wait(&oms->answered, &oms->lock);
    }
    pthread_mutex_unlock(&oms->lock);
    if (c->rc && err) {
        *err = c->err;
    }
    return c->rc;
}

void ts_oms_result_init(struct ts_oms_result *res)
{
    memset(res, 0, sizeof(*res));
    ts_buf_init(&res->order);
}

void ts_oms_result_release(struct ts_oms_result *res)
{
    ts_buf_release(&res->order);
}

int ts_oms_place(struct ts_oms *oms, const char *actor, const struct ts_oms_place *p,
                 struct ts_oms_result *res, struct ts_err *err)
{
    struct cmd c = {.kind = CMD_PLACE, .actor = actor, .place = p, .res = res};
    return call(oms, &c, err);
}

int ts_oms_cancel(struct ts_oms *oms, const char *actor, const struct ts_uuid *id,
                  const char *reason, struct ts_oms_result *res, struct ts_err *err)
{
    struct cmd c = {.kind = CMD_CANCEL, .actor = actor, .id = *id, .reason = reason, .res = res};
    return call(oms, &c, err);
}

int ts_oms_modify(struct ts_oms *oms, const char *actor, const struct ts_oms_modify *m,
                  struct ts_oms_result *res, struct ts_err *err)
{
    struct cmd c = {.kind = CMD_MODIFY, .actor = actor, .modify = m, .res = res};
    return call(oms, &c, err);
}

int ts_oms_kill_switch(struct ts_oms *oms, const char *actor, bool active, const char *reason,
                       struct ts_oms_result *res, struct ts_err *err)
{
    struct cmd c = {.kind = CMD_KILL, .actor = actor, .active = active, .reason = reason,
                    .res = res};
    return call(oms, &c, err);
}

int ts_oms_ticks(struct ts_oms *oms, const char *actor, const struct ts_tick *t, int n,
                 int *fills, struct ts_err *err)
{
    struct cmd c = {.kind = CMD_TICKS, .actor = actor, .ticks = t, .nticks = n};
    int rc = call(oms, &c, err);
    *fills = rc ? 0 : c.fills;
    return rc;
}

int ts_oms_end_of_day(struct ts_oms *oms, const char *actor, struct ts_oms_result *res,
                      struct ts_err *err)
{
    struct cmd c = {.kind = CMD_EOD, .actor = actor, .res = res};
    return call(oms, &c, err);
}

int ts_oms_reload(struct ts_oms *oms, unsigned what, struct ts_err *err)
{
    struct cmd c = {.kind = CMD_RELOAD, .actor = "system", .reload = what};
    return call(oms, &c, err);
}

void ts_oms_get_metrics(struct ts_oms *oms, struct ts_oms_metrics *m)
{
    m->placed = atomic_load(&oms->m_placed);
    m->rejected = atomic_load(&oms->m_rejected);
    m->filled = atomic_load(&oms->m_filled);
    m->canceled = atomic_load(&oms->m_canceled);
    m->fills = atomic_load(&oms->m_fills);
    m->batches = atomic_load(&oms->m_batches);
    m->commands = atomic_load(&oms->m_commands);
    m->latency_sum_us = atomic_load(&oms->m_lat_sum);
    m->latency_count = atomic_load(&oms->m_lat_count);
    m->kill_switch = atomic_load(&oms->m_kill);
    for (int i = 0; i < 16; i++) {
        m->latency_buckets[i] = atomic_load(&oms->m_buckets[i]);
    }
}

int ts_oms_start(const struct ts_oms_config *cfg, struct ts_oms **out, struct ts_err *err)
{
    struct ts_oms *oms = ts_xcalloc(1, sizeof(*oms));
    oms->cfg = *cfg;
    pthread_mutex_init(&oms->lock, NULL);
    pthread_cond_init(&oms->wake, NULL);
    pthread_cond_init(&oms->answered, NULL);
    ts_txn_init(&oms->txn);
    ts_buf_init(&oms->scratch);
    int rc = reconnect(oms, err);
    rc = rc ? rc : ts_oms__load(&oms->st, oms->om, oms->dc, 0, cfg->check_trading_hours, err);
    if (!rc) {
        oms->last_eod_date = load_last_eod(oms->om, err);
        atomic_store(&oms->m_kill, ts_risk_kill_switch(&oms->st.risk));
    }
    if (rc) {
        ts_err_wrap(err, "cannot start the order manager");
        ts_oms_stop(oms);
        return rc;
    }
    if (pthread_create(&oms->thread, NULL, oms_main, oms)) {
        ts_oms_stop(oms);
        return ts_err_set(err, TS_EIO, "cannot start the order manager thread");
    }
    ts_info("oms", "order manager started: %zu instruments, %zu working orders, %zu open "
                   "positions, %zu risk limits%s",
            oms->st.ninst, oms->st.norders, oms->st.npos, ts_risk_limit_count(&oms->st.risk),
            ts_risk_kill_switch(&oms->st.risk) ? ", KILL SWITCH ACTIVE" : "");
    *out = oms;
    return 0;
}

void ts_oms_stop(struct ts_oms *oms)
{
    if (!oms) {
        return;
    }
    pthread_mutex_lock(&oms->lock);
    bool running = oms->thread != 0;
    oms->stopping = true;
    pthread_cond_broadcast(&oms->wake);
    pthread_mutex_unlock(&oms->lock);
    if (running) {
        pthread_join(oms->thread, NULL);
    }
    ts_oms__state_release(&oms->st);
    ts_txn_release(&oms->txn);
    ts_buf_release(&oms->scratch);
    if (oms->om) {
        PQfinish(oms->om);
    }
    if (oms->dc) {
        PQfinish(oms->dc);
    }
    pthread_mutex_destroy(&oms->lock);
    pthread_cond_destroy(&oms->wake);
    pthread_cond_destroy(&oms->answered);
    ts_free(oms);
}
