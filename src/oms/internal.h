/*
 * internal.h - what the files of the order manager share (docs/oms.md):
 *   thread.c    the thread, its command queue and the group commit; the public calls
 *   state.c     the in-memory state and its indexes (lookups, order_ref table, Bloom filter)
 *   stmt.c      the SQL: prepared statements, the rows and events each change writes,
 *               the few reads a command needs
 *   commands.c  the decisions: place, modify, cancel, kill switch, end of day
 *   fills.c     the paper venue's stop triggers and fills from ticks, and what a
 *               fill changes
 *   load.c      rebuilding the state from the databases
 * Everything here is owned by the OMS thread (DESIGN.md §5) unless said otherwise.
 *
 * Sizes: a trader has tens to hundreds of working orders and open positions and a
 * few hundred instruments; lookups are linear scans over small arrays, which for
 * these sizes beat hashing and keep the code obvious. The order_refs and the risk
 * state have hash tables (the latter in domain/risk.h).
 */
#ifndef TS_OMS_INTERNAL_H
#define TS_OMS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/tstime.h"
#include "db/txn.h"
#include "domain/instrument.h"
#include "domain/order.h"
#include "domain/position.h"
#include "domain/risk.h"
#include "oms/oms.h"

/* ---- the state (state.c) ---- */

struct ts_oms__order {
    struct ts_order o;
    /* STOP/STOP_LIMIT: the stop traded (venue.h ts_paper_triggers). Stored in the order's
       row with the batch that saw it (triggered_at, trigger_trade_id, trigger_price) and
       loaded on start: a triggered stop stays live across restarts (docs/oms.md "Stops") */
    bool triggered;
    int64_t triggered_at;     /* ns, on a whole microsecond (as stored); 0 until triggered */
    int64_t trigger_trade_id; /* the triggering trade's exchange number (ts_tick.trade_id) */
    ts_dec trigger_price;     /* its price */
    int fills;                /* fills so far: numbers the venue trade refs */
};

struct ts_oms__account {
    struct ts_uuid id;
    bool active; /* status ACTIVE (SUSPENDED and CLOSED accounts do not trade) */
    char broker_account[51];
};

struct ts_oms__strategy {
    struct ts_uuid id;
    char status[16];
};

struct ts_oms__position {
    struct ts_position p;
    char exchange[TS_EXCHANGE_MAX + 1];
    enum ts_asset_class asset_class;
};

struct ts_oms__mark {
    char symbol[TS_SYMBOL_MAX + 1];
    ts_dec price; /* last trade price */
};

struct ts_oms__ref {
    char ref[TS_ORDER_REF_MAX + 1]; /* "" = free slot */
    struct ts_uuid id;
};

struct ts_oms__state {
    struct ts_instrument *inst;
    size_t ninst;
    struct ts_oms__account *accts;
    size_t naccts;
    struct ts_oms__strategy *strats;
    size_t nstrats;
    struct ts_oms__order **orders; /* working orders, time priority (oldest first); owned */
    size_t norders, corders;
    struct ts_oms__position *pos; /* open positions */
    size_t npos, cpos;
    struct ts_oms__mark *marks;
    size_t nmarks, cmarks;
    struct ts_oms__ref *refs; /* order_refs placed since the load: open addressing,
                                 linear probing, at most half full; crefs a power of 2 */
    size_t nrefs, crefs;
    uint64_t *bloom;   /* every order_ref in the database: Bloom filter */
    size_t bloom_bits; /* a power of two */
    struct ts_risk_state risk;
    bool risk_ready;
};

void ts_oms__state_release(struct ts_oms__state *st);

/* Lookups: borrowed pointers, valid until the state changes; NULL when absent. */
const struct ts_instrument *ts_oms__find_inst(const struct ts_oms__state *st, const char *sym,
                                              size_t len);
const struct ts_oms__account *ts_oms__find_account(const struct ts_oms__state *st,
                                                   const struct ts_uuid *id);
const struct ts_oms__strategy *ts_oms__find_strategy(const struct ts_oms__state *st,
                                                     const struct ts_uuid *id);
struct ts_oms__order *ts_oms__find_order(const struct ts_oms__state *st, const struct ts_uuid *id);
struct ts_oms__position *ts_oms__find_position(const struct ts_oms__state *st,
                                               const struct ts_uuid *acc,
                                               const struct ts_uuid *strat, const char *sym);

/* Working orders: w is handed over (the state frees it once it stops working). */
void ts_oms__add_order(struct ts_oms__state *st, struct ts_oms__order *w);
/* Drops (and frees) the orders that are no longer working. */
void ts_oms__compact_orders(struct ts_oms__state *st);

/* Open positions: a copy of p goes in; the pointer returned is valid until the next add. */
struct ts_oms__position *ts_oms__add_position(struct ts_oms__state *st, const struct ts_position *p,
                                              const char *exchange, enum ts_asset_class ac);
void ts_oms__remove_position(struct ts_oms__state *st, struct ts_oms__position *op);

/* The last trade price of a symbol (0: none yet). */
ts_dec ts_oms__mark(const struct ts_oms__state *st, const char *sym);
void ts_oms__set_mark(struct ts_oms__state *st, const char *sym, ts_dec price);

/* order_ref -> order id of the refs known to this run (placed, or looked up). */
const struct ts_oms__ref *ts_oms__find_ref(const struct ts_oms__state *st, const char *ref);
void ts_oms__add_ref(struct ts_oms__state *st, const char *ref, const struct ts_uuid *id);

/*
 * The Bloom filter of order refs: a ref never placed is almost always (~1 in 100 at
 * the sizes loaded) known to be new without asking the database; "maybe" means
 * the database is asked. Every ref in the database at the load, and every ref the
 * order manager writes after, is added, so "no" is always right.
 */
void ts_oms__bloom_init(struct ts_oms__state *st, size_t nrefs);
void ts_oms__bloom_add(struct ts_oms__state *st, const char *ref);
bool ts_oms__bloom_maybe(const struct ts_oms__state *st, const char *ref);

/* ---- loading (load.c) ---- */

/*
 * Loads everything (or only `what` of enum ts_oms_reload when not 0) from the
 * databases; now_ns is the order manager's clock (which day "today's counters" are).
 */
int ts_oms__load(struct ts_oms__state *st, PGconn *om, PGconn *dc, unsigned what, bool check_hours,
                 int64_t now_ns, struct ts_err *err) TS_MUST_CHECK;

/* ---- the service and its commands (thread.c) ---- */

enum ts_oms__cmd_kind {
    TS_OMS__PLACE,
    TS_OMS__CANCEL,
    TS_OMS__MODIFY,
    TS_OMS__TICKS,
    TS_OMS__KILL,
    TS_OMS__RELOAD,
    TS_OMS__EOD,
};

/*
 * One command, on the stack of the thread that sends it; everything it points to
 * is borrowed until it is answered (done). The OMS thread writes the answer.
 */
struct ts_oms__cmd {
    enum ts_oms__cmd_kind kind;
    const char *actor;
    const struct ts_oms_place *place;   /* PLACE */
    const struct ts_oms_modify *modify; /* MODIFY */
    struct ts_uuid id;                  /* CANCEL */
    const char *reason;                 /* CANCEL, KILL */
    bool active;                        /* KILL */
    const struct ts_tick *ticks;        /* TICKS */
    int nticks;
    int fills;                 /* TICKS: paper fills made */
    unsigned reload;           /* RELOAD */
    struct ts_oms_result *res; /* PLACE, CANCEL, MODIFY, KILL, EOD; else NULL */
    int rc;                    /* the answer: 0 or TS_E* */
    struct ts_err err;         /* why, when rc != 0 */
    int eod_date;              /* EOD: B3 date yyyymmdd it closed */
    bool writes;               /* the answer depends on the commit */
    bool done;                 /* answered (guarded by ts_oms.lock) */
    int64_t t0;                /* ts_mono_ns() when sent */
    struct ts_oms__cmd *next;
};

struct ts_oms {
    struct ts_oms_config cfg;
    PGconn *om; /* OMS thread only (and start/stop) */
    PGconn *dc;
    struct ts_oms__state st; /* OMS thread only */
    struct ts_db_txn txn;    /* OMS thread only: the batch's transaction */
    pthread_t thread;
    pthread_mutex_t lock;    /* guards head, tail, stopping, every cmd->done */
    pthread_cond_t wake;     /* commands queued (CLOCK_MONOTONIC: timed waits) */
    pthread_cond_t answered; /* some cmd->done became true */
    struct ts_oms__cmd *head, *tail;
    bool stopping;
    struct ts_buf scratch; /* OMS thread only: event payloads */
    int last_eod_date;     /* OMS thread only: B3 date (yyyymmdd) of the last end of day */
    _Atomic uint64_t m_placed, m_rejected, m_filled, m_canceled, m_fills, m_batches, m_commands,
        m_lat_sum, m_lat_count;
    _Atomic uint64_t m_buckets[16];
    atomic_bool m_kill; /* the kill switch, mirrored for other threads after each batch */
};

/* The order manager's clock (ts_oms_config.clock_ns, or the real one). Any thread. */
static inline int64_t ts_oms__now(const struct ts_oms *oms)
{
    return oms->cfg.clock_ns ? oms->cfg.clock_ns() : ts_now_ns();
}

/* ---- commands (commands.c, fills.c): OMS thread, inside a batch ---- */

void ts_oms__place(struct ts_oms *oms, struct ts_oms__cmd *c);
void ts_oms__cancel(struct ts_oms *oms, struct ts_oms__cmd *c);
void ts_oms__modify(struct ts_oms *oms, struct ts_oms__cmd *c);
void ts_oms__kill_switch(struct ts_oms *oms, struct ts_oms__cmd *c);
void ts_oms__end_of_day(struct ts_oms *oms, struct ts_oms__cmd *c);
/* Whether the automatic end of day is due now: a weekday past eod_minute without one. */
bool ts_oms__eod_due(const struct ts_oms *oms);
void ts_oms__ticks(struct ts_oms *oms, struct ts_oms__cmd *c);
/* One fill of a working order: trade, order, position, risk counters, events. */
int ts_oms__apply_fill(struct ts_oms *oms, struct ts_oms__order *w, ts_dec qty, ts_dec price,
                       int64_t now, struct ts_err *err) TS_MUST_CHECK;

/* ---- statements (stmt.c): append to oms->txn; OMS thread ---- */

/* Prepares the OMS statements on a fresh order_manager connection. */
int ts_oms__prepare(PGconn *c, struct ts_err *err) TS_MUST_CHECK;
/* Who acts and why, for the audit rows of the statements that follow (app.actor, app.reason). */
void ts_oms__stmt_actor(struct ts_oms *oms, const char *actor, const char *reason);
void ts_oms__stmt_order_insert(struct ts_oms *oms, const struct ts_order *o, const char *actor,
                               const char *reason, const char *metadata);
void ts_oms__stmt_order_update(struct ts_oms *oms, const struct ts_order *o);
/* The UPDATE that stores a stop's trigger (w->triggered_at...): audited as TRIGGERED. */
void ts_oms__stmt_order_trigger(struct ts_oms *oms, const struct ts_oms__order *w);
/* The order's row as committed, as JSON into capture (owned by the caller). */
void ts_oms__stmt_get_order(struct ts_oms *oms, const struct ts_uuid *id, struct ts_buf *capture);
/* The outbox event of an order on the "orders" topic (OrderPlaced, OrderTriggered,
   OrderFilled...); a triggered stop's payload carries its trigger. */
void ts_oms__stmt_order_event(struct ts_oms *oms, const struct ts_oms__order *w, const char *type);
/* RiskLimitBreached for an order refused by the risk check; why is the verdict in words. */
void ts_oms__stmt_risk_event(struct ts_oms *oms, const struct ts_uuid *order_id,
                             const struct ts_risk_verdict *v, const char *why);
/* INSERT (a new row) or UPDATE of a position, and its history snapshot when why != NULL. */
void ts_oms__stmt_position(struct ts_oms *oms, const struct ts_oms__position *op,
                           const struct ts_position *p, bool insert, const char *why, int64_t now);
/* The outbox event of a position on the "positions" topic. */
void ts_oms__stmt_position_event(struct ts_oms *oms, const struct ts_position *p, const char *type);

/* A paper trade: its row and its TradeExecuted event. */
struct ts_oms__trade {
    struct ts_uuid id;
    const struct ts_order *order;
    int n; /* the order's fill number: trade_ref "<order id>-<n>" */
    ts_dec quantity, price;
    ts_dec value; /* quantity x price */
    struct ts_fees fees;
    ts_dec realized; /* realized P&L of the fill */
    int64_t time;
    const char *broker_account;
};
void ts_oms__stmt_trade(struct ts_oms *oms, const struct ts_oms__trade *t);
/* The kill_switch_log row and its KillSwitchActivated/Released event. */
void ts_oms__stmt_kill_switch(struct ts_oms *oms, bool active, const char *reason,
                              const char *actor, int canceled);
/* The EndOfDay event. */
void ts_oms__stmt_eod_event(struct ts_oms *oms, int expired, size_t snapshots, int date);
/* Wakes the streams at commit (pg_notify). */
void ts_oms__stmt_notify(struct ts_oms *oms);

/* ---- reads (stmt.c): at once, outside the batch's transaction ---- */

/*
 * Idempotency beyond this run's memory: the refs of the batch's placements that
 * are not known here and that the Bloom filter cannot rule out are looked up in
 * the database, all in one query (usually none: no round trip). Fails only when
 * the database cannot answer.
 */
int ts_oms__lookup_refs(struct ts_oms *oms, const struct ts_oms__cmd *batch,
                        struct ts_err *err) TS_MUST_CHECK;
/* The status of an order on file into status (cap bytes); TS_ENOTFOUND when there is none. */
int ts_oms__order_status(struct ts_oms *oms, const struct ts_uuid *id, char *status, size_t cap,
                         struct ts_err *err) TS_MUST_CHECK;
/* The B3 date (yyyymmdd) of the last EndOfDay event on file (0 when none or unreadable). */
int ts_oms__last_eod_date(PGconn *om, struct ts_err *err);

#endif
