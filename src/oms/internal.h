/*
 * internal.h - the OMS thread's state and helpers shared by oms.c and load.c.
 * Everything here is owned by the OMS thread (DESIGN.md §5) unless said otherwise.
 *
 * Sizes: a trader has tens to hundreds of working orders and open positions and a
 * few hundred instruments; lookups are linear scans over small arrays, which for
 * these sizes beat hashing and keep the code obvious. The risk state has its own
 * hash tables (domain/risk.h).
 */
#ifndef TS_OMS_INTERNAL_H
#define TS_OMS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "domain/instrument.h"
#include "domain/order.h"
#include "domain/position.h"
#include "domain/risk.h"
#include "oms/oms.h"
#include <libpq-fe.h> /* until the pipelined writes move into src/db */
#include "oms/txn.h"

struct ts_oms__order {
    struct ts_order o;
    bool triggered;      /* STOP/STOP_LIMIT: the stop traded */
    int fills;           /* fills so far: numbers the venue trade refs */
};

struct ts_oms__account {
    struct ts_uuid id;
    bool active;
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
    ts_dec price;
};

struct ts_oms__ref {
    char ref[TS_ORDER_REF_MAX + 1];
    struct ts_uuid id;
};

struct ts_oms__state {
    struct ts_instrument *inst;
    size_t ninst;
    struct ts_oms__account *accts;
    size_t naccts;
    struct ts_oms__strategy *strats;
    size_t nstrats;
    struct ts_oms__order **orders; /* working orders, time priority (oldest first) */
    size_t norders, corders;
    struct ts_oms__position *pos;  /* open positions */
    size_t npos, cpos;
    struct ts_oms__mark *marks;
    size_t nmarks, cmarks;
    struct ts_oms__ref *refs;      /* order_refs placed since the load: hash table */
    size_t nrefs, crefs;
    uint64_t *bloom;               /* every order_ref in the database: Bloom filter */
    size_t bloom_bits;             /* a power of two */
    struct ts_risk_state risk;
    bool risk_ready;
};

void ts_oms__state_release(struct ts_oms__state *st);

/*
 * The Bloom filter of order refs: a ref never placed is almost always (~1 in 100 at
 * the sizes loaded) known to be new without asking the database; "maybe" means
 * the database is asked. Every ref in the database at the load, and every ref the
 * order manager writes after, is added, so "no" is always right.
 */
void ts_oms__bloom_add(struct ts_oms__state *st, const char *ref);
bool ts_oms__bloom_maybe(const struct ts_oms__state *st, const char *ref);
/* Loads everything (or only `what` of enum ts_oms_reload when not 0) from the databases. */
int ts_oms__load(struct ts_oms__state *st, PGconn *om, PGconn *dc, unsigned what,
                 bool check_hours, struct ts_err *err) TS_MUST_CHECK;
/* Prepares the OMS statements on a fresh order_manager connection. */
int ts_oms__prepare(PGconn *c, struct ts_err *err) TS_MUST_CHECK;

#endif
