/*
 * oms.h - the order manager service (DESIGN.md §5): one thread owns the working
 * orders, positions, risk counters and marks (single writer); other threads send it
 * commands and wait for the answer. Every change is written to PostgreSQL with its
 * audit row (by the orders trigger, actor from app.actor) and its outbox event in
 * one transaction before it is answered. Commands that arrive together are written
 * in one transaction (group commit), pipelined.
 *
 * On start the state is rebuilt from the database: instruments, accounts,
 * strategies, risk limits, working orders (a triggered stop stays triggered: its
 * trigger is stored with the order), open positions, today's counters and the
 * last price of each symbol. If a write fails, the batch is answered TS_ERETRY
 * and the state is rebuilt from the database, which stays the truth.
 *
 * Answers are a TS_E* code, the reason in a struct ts_err, and for a risk refusal
 * the verdict (rule, limit, value); the order manager knows no transport (the
 * REST mapping is src/api/routes_oms.c). docs/oms.md describes the inside.
 */
#ifndef TS_OMS_OMS_H
#define TS_OMS_OMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/dec.h"
#include "core/err.h"
#include "core/uuid.h"
#include "db/db.h"
#include "domain/order.h"
#include "domain/risk.h"
#include "venue/venue.h"

struct ts_oms;

struct ts_oms_config {
    const struct ts_db_config *db; /* borrowed; outlives the service */
    bool check_trading_hours;      /* false: simulation, orders at any time */
    int eod_minute;                /* B3 local minute of day (0..1439) at which end of day runs
                                      by itself, Monday to Friday; -1: never (only on demand) */
    int64_t (*clock_ns)(void);     /* NULL: the real clock (ts_now_ns). Every time the order
                                      manager decides by (order times, sessions, trading days,
                                      the end of day) comes from it; tests inject one. Called
                                      from the OMS thread; must be thread-safe */
};

int ts_oms_start(const struct ts_oms_config *cfg, struct ts_oms **out,
                 struct ts_err *err) TS_MUST_CHECK;
/* Stops the thread after the commands already queued; frees everything. */
void ts_oms_stop(struct ts_oms *oms);

/* What ts_oms_reload() re-reads from the database. */
enum ts_oms_reload {
    TS_OMS_RELOAD_INSTRUMENTS = 1,
    TS_OMS_RELOAD_RISK_LIMITS = 2,
    TS_OMS_RELOAD_ACCOUNTS = 4,
    TS_OMS_RELOAD_STRATEGIES = 8,
};

/*
 * Any thread: the OMS thread re-reads the given reference data; returns once it
 * has, so an order placed after a limit change is checked against the new limit.
 */
int ts_oms_reload(struct ts_oms *oms, unsigned what, struct ts_err *err) TS_MUST_CHECK;

/*
 * What a command answers besides its code. Caller storage: ts_oms_result_init()
 * before the first call, ts_oms_result_release() after the last; a call resets it.
 */
struct ts_oms_result {
    /* place, modify, cancel answering 0: the order's row as JSON, as committed (the
       columns docs/api.md shows for an order); owned */
    struct ts_buf order;
    /* place answering 0: a new order (false: the order_ref was used before and `order`
       is that order; nothing was written) */
    bool created;
    struct ts_risk_verdict verdict; /* TS_ERISK: the rule broken, its limit and the value */
    struct ts_uuid rejected_id;     /* TS_ERISK from place: the order on file as REJECTED */
    int canceled;                   /* kill switch turned on: working orders canceled */
    int expired;                    /* end of day: DAY orders expired */
    size_t snapshots;               /* end of day: eod_snapshot rows (one per open position) */
};

void ts_oms_result_init(struct ts_oms_result *res);
void ts_oms_result_release(struct ts_oms_result *res);

struct ts_oms_place {
    struct ts_order_request req; /* strings borrowed until the call returns */
    const char *reason;          /* NULL or the trader's justification */
    const char *metadata;        /* NULL or a JSON object text */
};

struct ts_oms_modify {
    struct ts_uuid id;
    struct ts_order_modify m;
    const char *reason;
};

/*
 * Any thread; each blocks until the change is committed (or refused) and answered.
 * Returns 0 or one of these, with the reason in *err (may be NULL):
 *   TS_EINVAL    the request breaks a rule of the order manager (unknown symbol,
 *                account not ACTIVE, unknown strategy, strategy not tradable, IOC or
 *                FOK, a price off the tick...): nothing written
 *   TS_ENOTFOUND modify, cancel: no such order
 *   TS_ESTATE    modify, cancel: the order is no longer working ("order is FILLED: ...")
 *   TS_ERISK     the pre-trade risk check refused (res->verdict); a placement is
 *                written as REJECTED (res->rejected_id) with its audit row and a
 *                RiskLimitBreached event; a modification changes nothing
 *   TS_ERETRY    the database could not be read or written: nothing changed, the
 *                state is rebuilt from the database; the same command may be resent
 *   TS_EBUSY     the order manager is stopping
 */
int ts_oms_place(struct ts_oms *oms, const char *actor, const struct ts_oms_place *p,
                 struct ts_oms_result *res, struct ts_err *err) TS_MUST_CHECK;
int ts_oms_cancel(struct ts_oms *oms, const char *actor, const struct ts_uuid *id,
                  const char *reason, struct ts_oms_result *res, struct ts_err *err) TS_MUST_CHECK;
int ts_oms_modify(struct ts_oms *oms, const char *actor, const struct ts_oms_modify *m,
                  struct ts_oms_result *res, struct ts_err *err) TS_MUST_CHECK;
/* On: every working order is canceled (res->canceled) and every order refused until off. */
int ts_oms_kill_switch(struct ts_oms *oms, const char *actor, bool active, const char *reason,
                       struct ts_oms_result *res, struct ts_err *err) TS_MUST_CHECK;
/*
 * New ticks (already stored by the caller): marks and paper fills, in order.
 * *fills: the paper fills they made (0 unless the call returns 0).
 */
int ts_oms_ticks(struct ts_oms *oms, const char *actor, const struct ts_tick *ticks, int n,
                 int *fills, struct ts_err *err) TS_MUST_CHECK;
/*
 * End of day now: DAY orders expire, an eod_snapshot per open position, an
 * EndOfDay event (res->expired, res->snapshots). Also run by the thread itself
 * once per B3 date at eod_minute (and at start when that time of today has passed
 * without one).
 */
int ts_oms_end_of_day(struct ts_oms *oms, const char *actor, struct ts_oms_result *res,
                      struct ts_err *err) TS_MUST_CHECK;

/* Counters for /metrics (any thread). */
struct ts_oms_metrics {
    uint64_t placed, rejected, filled, canceled, fills, batches, commands;
    uint64_t latency_buckets[16]; /* order command latency histogram, see ts_oms_latency_le_us */
    uint64_t latency_sum_us, latency_count;
    bool kill_switch; /* as of the last batch */
};
extern const int64_t ts_oms_latency_le_us[16]; /* bucket upper bounds, microseconds */
void ts_oms_get_metrics(struct ts_oms *oms, struct ts_oms_metrics *out);

#endif
