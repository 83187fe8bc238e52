/*
 * bench_risk.c - times ts_risk_check() (src/domain/risk.h) on realistic state.
 *
 * State: 100 active limits (4 ACCOUNT, 5 STRATEGY, 50 SYMBOL for everyone,
 * 41 SYMBOL narrowed to other accounts), 50 symbols, counters for 4 accounts x
 * 5 strategies x 50 symbols with today's fills and orders, trading hours on,
 * unrealized P&L counted. Each order (account A0, strategy S0, one of the 50
 * symbols in turn) is covered by exactly 3 limits, every column set, and is
 * accepted: the path that evaluates every rule. Calls are timed in batches
 * of 1000 with clock_gettime(CLOCK_MONOTONIC); the per-call figures are the
 * median and 99th percentile of batch means over 1000 batches (1e6 calls).
 * Also counts refusals so a broken setup shows.
 *
 * Does not: measure the OMS around the check, or assert anything about time
 * (benchmarks report figures; tests never time). Run bench/bench_risk.sh.
 */
#include "domain/risk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NSYM 50
#define NACC 4
#define NSTRAT 5
#define BATCH 1000
#define NBATCH 1000

static struct ts_uuid id_of(uint8_t kind, uint32_t n)
{
    struct ts_uuid u;
    memset(&u, 0, sizeof(u));
    u.b[0] = kind;
    memcpy(u.b + 1, &n, sizeof(n));
    u.b[6] = 0x70; /* looks like a v7 */
    u.b[15] = 1;
    return u;
}

static void die(const char *what, const struct ts_err *err)
{
    fprintf(stderr, "bench_risk: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct ts_risk_limit limit(uint32_t n, enum ts_risk_scope scope, struct ts_uuid a,
                                  struct ts_uuid s, const char *sym)
{
    struct ts_risk_limit l;
    memset(&l, 0, sizeof(l));
    l.id = id_of(9, n);
    l.scope = scope;
    l.account_id = a;
    l.strategy_id = s;
    if (sym) {
        snprintf(l.symbol, sizeof(l.symbol), "%s", sym);
    }
    l.has_max_order_value = true;
    l.max_order_value = TS_DEC_C(1000000);
    l.has_max_position_size = true;
    l.max_position_size = TS_DEC_C(1000000);
    l.has_max_daily_loss = true;
    l.max_daily_loss = TS_DEC_C(50000);
    l.has_max_daily_trades = true;
    l.max_daily_trades = 100000;
    l.active = true;
    return l;
}

int main(void)
{
    static const struct ts_uuid nil;
    struct ts_risk_config cfg = {128, 4096, true, true};
    struct ts_risk_state st;
    struct ts_err err = TS_ERR_INIT;
    struct ts_instrument inst[NSYM];
    char sym[NSYM][16];
    struct ts_uuid acc[NACC], strat[NSTRAT];
    /* 2026-11-24 11:00 B3 local, a Tuesday */
    const int64_t now = (INT64_C(1795478400) + 14 * 3600) * INT64_C(1000000000);
    uint32_t nlim = 0;

    if (ts_risk_state_init(&st, &cfg) != 0) {
        die("init", NULL);
    }
    for (int i = 0; i < NACC; i++) {
        acc[i] = id_of(1, (uint32_t)i);
    }
    for (int i = 0; i < NSTRAT; i++) {
        strat[i] = id_of(2, (uint32_t)i);
    }
    for (int i = 0; i < NSYM; i++) {
        snprintf(sym[i], sizeof(sym[i]), "SYMB%02d3", i);
        if (ts_instrument_init(&inst[i], sym[i]) != 0) {
            die("instrument", NULL);
        }
    }

    /* 100 limits; 3 cover each order of account 0, strategy 0. */
    struct ts_risk_limit l;
    for (int i = 0; i < NACC; i++) {
        l = limit(nlim++, TS_RISK_SCOPE_ACCOUNT, acc[i], nil, NULL);
        if (ts_risk_put_limit(&st, &l, &err) != 0) {
            die("limit", &err);
        }
    }
    for (int i = 0; i < NSTRAT; i++) {
        l = limit(nlim++, TS_RISK_SCOPE_STRATEGY, nil, strat[i], NULL);
        if (ts_risk_put_limit(&st, &l, &err) != 0) {
            die("limit", &err);
        }
    }
    for (int i = 0; i < NSYM; i++) {
        l = limit(nlim++, TS_RISK_SCOPE_SYMBOL, nil, nil, sym[i]);
        if (ts_risk_put_limit(&st, &l, &err) != 0) {
            die("limit", &err);
        }
    }
    for (int i = 0; nlim < 100; i++) {
        l = limit(nlim++, TS_RISK_SCOPE_SYMBOL, acc[1 + i % (NACC - 1)], nil, sym[i % NSYM]);
        if (ts_risk_put_limit(&st, &l, &err) != 0) {
            die("limit", &err);
        }
    }

    /* Today's activity on every (account, strategy, symbol). */
    for (int a = 0; a < NACC; a++) {
        for (int s = 0; s < NSTRAT; s++) {
            for (int y = 0; y < NSYM; y++) {
                struct ts_risk_delta d = {TS_DEC_C(100 * ((a + s + y) % 5) - 200), TS_DEC_C(-3),
                                          TS_DEC_C(-10), 2, 1};
                if (ts_risk_apply(&st, &acc[a], &strat[s], sym[y], now, &d, &err) != 0) {
                    die("apply", &err);
                }
            }
        }
    }

    struct ts_risk_order orders[NSYM];
    for (int y = 0; y < NSYM; y++) {
        memset(&orders[y], 0, sizeof(orders[y]));
        orders[y].account_id = acc[0];
        orders[y].strategy_id = strat[0];
        orders[y].symbol = sym[y];
        orders[y].side = y % 2 ? TS_SIDE_SELL : TS_SIDE_BUY;
        orders[y].type = TS_ORDER_LIMIT;
        orders[y].quantity = TS_DEC_C(100);
        orders[y].price = TS_DEC_C(30);
        orders[y].instrument = &inst[y];
        orders[y].now_ns = now;
    }

    struct ts_risk_verdict v;
    long refused = 0;
    /* warm up */
    for (int i = 0; i < 100000; i++) {
        if (ts_risk_check(&st, &orders[i % NSYM], &v) != 0 || !v.accepted) {
            refused++;
        }
    }
    static int64_t batch_ns[NBATCH];
    int k = 0;
    for (int b = 0; b < NBATCH; b++) {
        int64_t t0 = mono_ns();
        for (int i = 0; i < BATCH; i++) {
            if (ts_risk_check(&st, &orders[k], &v) != 0 || !v.accepted) {
                refused++;
            }
            k = k + 1 == NSYM ? 0 : k + 1;
        }
        batch_ns[b] = mono_ns() - t0;
    }
    qsort(batch_ns, NBATCH, sizeof(batch_ns[0]), cmp_i64);
    int64_t median = batch_ns[NBATCH / 2], p99 = batch_ns[NBATCH * 99 / 100];
    printf("ts_risk_check: %d calls, %u limits (3 applicable), %d symbols, %zu counter keys\n",
           BATCH * NBATCH, nlim, NSYM, st.counters.count);
    /* ns per call with one decimal, integer arithmetic (batch total / 1000 calls) */
    printf("per call (batch means of %d): median %lld.%lld ns, p99 %lld.%lld ns, "
           "min %lld.%lld ns, max %lld.%lld ns\n",
           BATCH, (long long)(median / BATCH), (long long)(median % BATCH / 100),
           (long long)(p99 / BATCH), (long long)(p99 % BATCH / 100),
           (long long)(batch_ns[0] / BATCH), (long long)(batch_ns[0] % BATCH / 100),
           (long long)(batch_ns[NBATCH - 1] / BATCH),
           (long long)(batch_ns[NBATCH - 1] % BATCH / 100));
    printf("refused: %ld (expected 0)\n", refused);
    ts_risk_state_release(&st);
    return refused == 0 ? 0 : 1;
}
