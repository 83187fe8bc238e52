/*
 * oms.h - the order manager service (DESIGN.md §5): one thread owns the working
 * orders, positions, risk counters and marks (single writer); other threads send
 * it commands and wait for, or are called back with, the answer. Every change is
 * written to PostgreSQL with its audit row and outbox event in one transaction
 * before it is answered.
 */
#ifndef TS_OMS_OMS_H
#define TS_OMS_OMS_H

#include "core/err.h"

struct ts_oms;

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

#endif
