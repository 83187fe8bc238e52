/* sim.c - the simulated tape. See sim.h. */
#include "capture/sim.h"

#include <stdio.h>
#include <string.h>

#define D(units, frac) ((ts_dec)(units)*TS_DEC_SCALE + (frac))

const struct ts_sim_instrument ts_sim_default_market[] = {
    {"PETR4", "stock", "Petrobras PN", D(37, 45000000), D(0, 1000000), D(100, 0)},
    {"VALE3", "stock", "Vale ON", D(61, 20000000), D(0, 1000000), D(100, 0)},
    {"ITUB4", "stock", "Itau Unibanco PN", D(36, 80000000), D(0, 1000000), D(100, 0)},
    {"BBDC4", "stock", "Bradesco PN", D(16, 35000000), D(0, 1000000), D(100, 0)},
    {"ABEV3", "stock", "Ambev ON", D(13, 10000000), D(0, 1000000), D(100, 0)},
    {"B3SA3", "stock", "B3 ON", D(13, 90000000), D(0, 1000000), D(100, 0)},
    {"BBAS3", "stock", "Banco do Brasil ON", D(24, 60000000), D(0, 1000000), D(100, 0)},
    {"WEGE3", "stock", "WEG ON", D(44, 50000000), D(0, 1000000), D(100, 0)},
    {"RENT3", "stock", "Localiza ON", D(42, 30000000), D(0, 1000000), D(100, 0)},
    {"SUZB3", "stock", "Suzano ON", D(58, 70000000), D(0, 1000000), D(100, 0)},
    {"PRIO3", "stock", "PRIO ON", D(40, 10000000), D(0, 1000000), D(100, 0)},
    {"MGLU3", "stock", "Magazine Luiza ON", D(9, 80000000), D(0, 1000000), D(100, 0)},
    {"WINZ26", "future", "Mini Ibovespa Dez/26", D(158000, 0), D(5, 0), D(1, 0)},
    {"WDOZ26", "future", "Mini Dolar Dez/26", D(5450, 0), D(0, 50000000), D(1, 0)},
};
const size_t ts_sim_default_market_len =
    sizeof(ts_sim_default_market) / sizeof(ts_sim_default_market[0]);

/* xorshift64*: small, fast, good enough for a simulated market. */
static uint64_t next_u64(struct ts_sim *s)
{
    uint64_t x = s->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static int64_t uniform(struct ts_sim *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next_u64(s) % (uint64_t)(hi - lo + 1));
}

int ts_sim_init(struct ts_sim *s, const struct ts_sim_instrument *ins, size_t n, uint64_t seed,
                struct ts_err *err)
{
    memset(s, 0, sizeof(*s));
    if (n == 0 || n > TS_SIM_MAX_SYMBOLS) {
        return ts_err_set(err, TS_EINVAL, "the simulated market needs 1 to %d instruments",
                          TS_SIM_MAX_SYMBOLS);
    }
    s->rng = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
    if (!s->rng) {
        s->rng = 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (ins[i].tick_size <= 0 || ins[i].lot_size <= 0 || ins[i].price <= 0) {
            return ts_err_set(err, TS_EINVAL, "instrument %s: price, tick and lot must be > 0",
                              ins[i].symbol);
        }
        s->sym[i].in = ins[i];
        s->sym[i].last = ins[i].price - ins[i].price % ins[i].tick_size;
        if (s->sym[i].last <= 0) {
            s->sym[i].last = ins[i].tick_size;
        }
    }
    s->n = n;
    return 0;
}

void ts_sim_set_last(struct ts_sim *s, size_t i, ts_dec price, int64_t trade_no)
{
    ts_dec tick = s->sym[i].in.tick_size;
    ts_dec p = price - price % tick;
    s->sym[i].last = p > 0 ? p : tick;
    s->sym[i].trade_no = trade_no;
}

void ts_sim_next(struct ts_sim *s, int64_t time_ns, struct ts_tick *out)
{
    size_t i = (size_t)uniform(s, 0, (int64_t)s->n - 1);
    ts_dec tick = s->sym[i].in.tick_size;
    int64_t step = uniform(s, -3, 3);
    ts_dec p = s->sym[i].last + step * tick;
    if (p < tick) {
        p = tick;
    }
    int aggressor = p > s->sym[i].last ? 0 : p < s->sym[i].last ? 1 : (int)uniform(s, 0, 1);
    s->sym[i].last = p;
    memset(out, 0, sizeof(*out));
    snprintf(out->symbol, sizeof(out->symbol), "%s", s->sym[i].in.symbol);
    out->price = p;
    out->volume = uniform(s, 1, 20) * s->sym[i].in.lot_size;
    out->time_ns = time_ns;
    out->trade_id = ++s->sym[i].trade_no;
    out->aggressor = aggressor;
}
