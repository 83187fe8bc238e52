/*
 * simcopy.c - N ticks of the sim's tape (capture/sim.h, seed 1, a microsecond apart
 * from a start time) as a PostgreSQL binary COPY stream for market_ticks' columns
 * (symbol, tick_time, trade_id, exchange, price, volume, aggressor, source,
 * received_time): the input of bench/ingest/feed.sh's raw COPY, the same ticks the
 * sim feed makes. Usage: bench_simcopy N START_UNIX_SECONDS > file
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/sim.h"
#include "db/pgcopy.h"

static const char *const aggressors[] = TS_AGGRESSOR_NAMES;

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: bench_simcopy N START_UNIX_SECONDS\n", stderr);
        return 2;
    }
    long long n = strtoll(argv[1], NULL, 10);
    int64_t t0 = strtoll(argv[2], NULL, 10) * INT64_C(1000000000);
    struct ts_sim sim;
    struct ts_err err = TS_ERR_INIT;
    if (ts_sim_init(&sim, ts_sim_default_market, ts_sim_default_market_len, 1, &err)) {
        fprintf(stderr, "bench_simcopy: %s\n", err.msg);
        return 1;
    }
    struct ts_buf b = TS_BUF_INIT;
    ts_pgcopy_header(&b);
    for (long long i = 0; i < n; i++) {
        struct ts_tick t;
        int64_t ns = t0 + i * 1000;
        ts_sim_next(&sim, ns, &t);
        const char *a = aggressors[t.aggressor % 3];
        ts_pgcopy_tuple(&b, 9);
        ts_pgcopy_text(&b, t.symbol, strlen(t.symbol));
        ts_pgcopy_timestamptz(&b, t.time_ns);
        ts_pgcopy_int8(&b, t.trade_id);
        ts_pgcopy_text(&b, "B3", 2);
        ts_pgcopy_numeric(&b, t.price);
        ts_pgcopy_numeric(&b, t.volume);
        ts_pgcopy_text(&b, a, strlen(a));
        ts_pgcopy_text(&b, "sim", 3);
        ts_pgcopy_timestamptz(&b, ns);
        if (b.len > (1 << 20)) {
            fwrite(b.buf, 1, b.len, stdout);
            ts_buf_reset(&b);
        }
    }
    ts_pgcopy_trailer(&b);
    fwrite(b.buf, 1, b.len, stdout);
    ts_buf_release(&b);
    return 0;
}
