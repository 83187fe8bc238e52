/*
 * thread.c - the order manager's thread: commands in, group-committed changes out.
 * See oms.h for the contract and internal.h for the files and the state.
 *
 * A batch is every command queued when the thread wakes (at most MAX_BATCH). Each
 * command is decided in memory (commands.c, fills.c: validation, risk, venue) and
 * its writes appended to one transaction; the transaction is committed in one
 * pipelined round trip (txn.c); then every command of the batch is answered.
 * Refusals that write nothing (TS_EINVAL, TS_ENOTFOUND, TS_ESTATE) are answered
 * with the batch too, so answers keep the queue's order. When the commit fails,
 * the commands that wrote are answered TS_ERETRY and the state is rebuilt from the
 * database (load.c), which stays the truth.
 */
#include "oms/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/deadline.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/tstime.h"

#define MAX_BATCH 256

const int64_t ts_oms_latency_le_us[16] = {100,     250,     500,     1000,     2000,   5000,
                                          10000,   25000,   50000,   100000,   250000, 500000,
                                          1000000, 2500000, 5000000, INT64_MAX};

static int reconnect(struct ts_oms *oms, struct ts_err *err)
{
    if (oms->om) {
        ts_db_finish(oms->om);
        oms->om = NULL;
    }
    if (oms->dc) {
        ts_db_finish(oms->dc);
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
        if ((ts_db_idle_ok(oms->om) && ts_db_idle_ok(oms->dc)) || !reconnect(oms, &err)) {
            if (!ts_oms__load(&oms->st, oms->om, oms->dc, 0, oms->cfg.check_trading_hours,
                              ts_oms__now(oms), &err)) {
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
static void decide(struct ts_oms *oms, struct ts_oms__cmd *batch)
{
    struct ts_err err = TS_ERR_INIT;
    bool refs_unknown = ts_oms__lookup_refs(oms, batch, &err) != 0;
    if (refs_unknown) {
        ts_warn("oms", "placements answered unavailable: %s", err.msg);
    }
    for (struct ts_oms__cmd *c = batch; c; c = c->next) {
        switch (c->kind) {
        case TS_OMS__PLACE:
            if (refs_unknown) {
                /* without the lookup a repeated ref could make a second order */
                c->err = err;
                c->rc = c->err.code = TS_ERETRY;
                break;
            }
            ts_oms__place(oms, c);
            break;
        case TS_OMS__CANCEL:
            ts_oms__cancel(oms, c);
            break;
        case TS_OMS__MODIFY:
            ts_oms__modify(oms, c);
            break;
        case TS_OMS__TICKS:
            ts_oms__ticks(oms, c);
            break;
        case TS_OMS__KILL:
            ts_oms__kill_switch(oms, c);
            break;
        case TS_OMS__EOD:
            ts_oms__end_of_day(oms, c);
            break;
        case TS_OMS__RELOAD:
            c->rc = ts_oms__load(&oms->st, oms->om, oms->dc, c->reload,
                                 oms->cfg.check_trading_hours, ts_oms__now(oms), &c->err);
            break;
        }
    }
    ts_oms__compact_orders(&oms->st);
}

/* Commits the batch's writes; when that fails, every command that wrote is answered TS_ERETRY. */
static void commit(struct ts_oms *oms, struct ts_oms__cmd *batch)
{
    struct ts_err err = TS_ERR_INIT;
    if (oms->txn.n) {
        ts_oms__stmt_notify(oms); /* wakes the streams at commit */
    }
    if (ts_db_txn_exec(oms->om, &oms->txn, &err)) {
        ts_error("oms", "batch of changes not committed: %s", err.msg);
        for (struct ts_oms__cmd *c = batch; c; c = c->next) {
            if (c->writes) {
                c->err = err;
                c->rc = c->err.code = TS_ERETRY;
            }
        }
        recover(oms);
        return;
    }
    for (struct ts_oms__cmd *c = batch; c; c = c->next) {
        if (c->kind == TS_OMS__EOD && c->eod_date > oms->last_eod_date) {
            oms->last_eod_date = c->eod_date;
        }
    }
}

/* Counts the batch and wakes the threads waiting for its answers. */
static void answer(struct ts_oms *oms, struct ts_oms__cmd *batch)
{
    atomic_fetch_add(&oms->m_batches, 1);
    atomic_store(&oms->m_kill, oms->st.risk_ready && ts_risk_kill_switch(&oms->st.risk));
    int64_t now = ts_mono_ns();
    pthread_mutex_lock(&oms->lock);
    for (struct ts_oms__cmd *c = batch; c; c = c->next) {
        if (c->kind == TS_OMS__PLACE) {
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

static void run_batch(struct ts_oms *oms, struct ts_oms__cmd *batch)
{
    ts_db_txn_reset(&oms->txn);
    decide(oms, batch);
    commit(oms, batch);
    answer(oms, batch);
}

/* End of day by the clock: a command of the thread itself. */
static void clock_end_of_day(struct ts_oms *oms)
{
    struct ts_oms_result res;
    struct ts_oms__cmd c = {
        .kind = TS_OMS__EOD, .actor = "system", .res = &res, .t0 = ts_mono_ns()};
    ts_oms_result_init(&res);
    if (!ts_db_idle_ok(oms->om) || !ts_db_idle_ok(oms->dc)) {
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
static struct ts_oms__cmd *take_batch(struct ts_oms *oms)
{
    struct ts_oms__cmd *batch = oms->head, *last = batch;
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
            if (ts_oms__eod_due(oms)) {
                break;
            }
            /* the end-of-day clock is looked at every second; a timeout and a wake-up
               both loop to the same checks */
            (void)ts_cond_wait_until(&oms->wake, &oms->lock, ts_deadline_ms(1000));
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
        struct ts_oms__cmd *batch = take_batch(oms);
        pthread_mutex_unlock(&oms->lock);
        /* a connection the server closed while we were idle (a restart) is found before the
           batch, not by its failure */
        if (!ts_db_idle_ok(oms->om) || !ts_db_idle_ok(oms->dc)) {
            recover(oms);
        }
        run_batch(oms, batch);
    }
}

/* Any thread: queue a command and wait for its answer; returns it. */
static int call(struct ts_oms *oms, struct ts_oms__cmd *c, struct ts_err *err)
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
    struct ts_oms__cmd c = {.kind = TS_OMS__PLACE, .actor = actor, .place = p, .res = res};
    return call(oms, &c, err);
}

int ts_oms_cancel(struct ts_oms *oms, const char *actor, const struct ts_uuid *id,
                  const char *reason, struct ts_oms_result *res, struct ts_err *err)
{
    struct ts_oms__cmd c = {
        .kind = TS_OMS__CANCEL, .actor = actor, .id = *id, .reason = reason, .res = res};
    return call(oms, &c, err);
}

int ts_oms_modify(struct ts_oms *oms, const char *actor, const struct ts_oms_modify *m,
                  struct ts_oms_result *res, struct ts_err *err)
{
    struct ts_oms__cmd c = {.kind = TS_OMS__MODIFY, .actor = actor, .modify = m, .res = res};
    return call(oms, &c, err);
}

int ts_oms_kill_switch(struct ts_oms *oms, const char *actor, bool active, const char *reason,
                       struct ts_oms_result *res, struct ts_err *err)
{
    struct ts_oms__cmd c = {
        .kind = TS_OMS__KILL, .actor = actor, .active = active, .reason = reason, .res = res};
    return call(oms, &c, err);
}

int ts_oms_ticks(struct ts_oms *oms, const char *actor, const struct ts_tick *t, int n, int *fills,
                 struct ts_err *err)
{
    struct ts_oms__cmd c = {.kind = TS_OMS__TICKS, .actor = actor, .ticks = t, .nticks = n};
    int rc = call(oms, &c, err);
    *fills = rc ? 0 : c.fills;
    return rc;
}

int ts_oms_end_of_day(struct ts_oms *oms, const char *actor, struct ts_oms_result *res,
                      struct ts_err *err)
{
    struct ts_oms__cmd c = {.kind = TS_OMS__EOD, .actor = actor, .res = res};
    return call(oms, &c, err);
}

int ts_oms_reload(struct ts_oms *oms, unsigned what, struct ts_err *err)
{
    struct ts_oms__cmd c = {.kind = TS_OMS__RELOAD, .actor = "system", .reload = what};
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
    ts_cond_init_mono(&oms->wake); /* timed waits: CLOCK_MONOTONIC */
    pthread_cond_init(&oms->answered, NULL);
    ts_db_txn_init(&oms->txn);
    ts_buf_init(&oms->scratch);
    int rc = reconnect(oms, err);
    rc = rc ? rc
            : ts_oms__load(&oms->st, oms->om, oms->dc, 0, cfg->check_trading_hours,
                           ts_oms__now(oms), err);
    if (!rc) {
        oms->last_eod_date = ts_oms__last_eod_date(oms->om, err);
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
    ts_info("oms",
            "order manager started: %zu instruments, %zu working orders, %zu open "
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
    ts_db_txn_release(&oms->txn);
    ts_buf_release(&oms->scratch);
    if (oms->om) {
        ts_db_finish(oms->om);
    }
    if (oms->dc) {
        ts_db_finish(oms->dc);
    }
    pthread_mutex_destroy(&oms->lock);
    pthread_cond_destroy(&oms->wake);
    pthread_cond_destroy(&oms->answered);
    ts_free(oms);
}
