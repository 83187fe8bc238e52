/*
 * oms.h - the order manager service (DESIGN.md §5): one thread owns the working
 * orders, positions, risk counters and marks (single writer); HTTP threads send it
 * commands and wait for the answer. Every change is written to PostgreSQL with its
 * audit row (by the orders trigger, actor from app.actor) and its outbox event in
 * one transaction before it is answered. Commands that arrive together are written
 * in one transaction (group commit), pipelined.
 *
 * On start the state is rebuilt from the database: instruments, accounts,
 * strategies, risk limits, working orders, open positions, today's counters and
 * the last price of each symbol. If a write fails, the batch is answered 503 and
 * the state is rebuilt from the database, which stays the truth.
 */
#ifndef TS_OMS_OMS_H
#define TS_OMS_OMS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/dec.h"
#include "core/err.h"
#include "core/uuid.h"
#include "db/db.h"
#include "domain/order.h"
#include "venue/venue.h"

struct ts_oms;

struct ts_oms_config {
    const struct ts_db_config *db; /* borrowed; outlives the service */
    bool check_trading_hours;      /* false: simulation, orders at any time */
    int eod_minute;                /* B3 local minute of day (0..1439) at which end of day runs
                                      by itself, Monday to Friday; -1: never (only on demand) */
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

/* An answer: HTTP status and JSON body (owned by the caller: ts_buf_release()). */
struct ts_oms_answer {
    int status;
    struct ts_buf body;
    int fills; /* ts_oms_ticks(): the paper fills the ticks made (also in body) */
};

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

/* Any thread; each blocks until the change is committed (or refused) and answered. */
void ts_oms_place(struct ts_oms *oms, const char *actor, const struct ts_oms_place *p,
                  struct ts_oms_answer *ans);
void ts_oms_cancel(struct ts_oms *oms, const char *actor, const struct ts_uuid *id,
                   const char *reason, struct ts_oms_answer *ans);
void ts_oms_modify(struct ts_oms *oms, const char *actor, const struct ts_oms_modify *m,
                   struct ts_oms_answer *ans);
void ts_oms_kill_switch(struct ts_oms *oms, const char *actor, bool active, const char *reason,
                        struct ts_oms_answer *ans);
/* New ticks (already stored by the caller): marks and paper fills, in order. */
void ts_oms_ticks(struct ts_oms *oms, const char *actor, const struct ts_tick *ticks, int n,
                  struct ts_oms_answer *ans);
/*
 * End of day now: DAY orders expire, an eod_snapshot per open position, an
 * EndOfDay event. Also run by the thread itself once per B3 date at eod_minute
 * (and at start when that time of today has passed without one).
 */
void ts_oms_end_of_day(struct ts_oms *oms, const char *actor, struct ts_oms_answer *ans);

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
