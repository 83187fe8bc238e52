/*
 * visible.c - how long a tick takes from entering the program to being visible to a
 * SQL query. Polls data_capture.market_ticks every POLL_US for SYMBOL's ticks newer
 * than the last seen and, for each, takes (the poll's answer time - received_time,
 * the time the sim made it) as its latency: an upper bound, at most one poll late.
 * Prints "samples p50_ms p99_ms max_ms". Usage: bench_visible CONNINFO SYMBOL SECONDS
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_US 1000

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fputs("usage: bench_visible CONNINFO SYMBOL SECONDS\n", stderr);
        return 2;
    }
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench_visible: %s", PQerrorMessage(c));
        return 1;
    }
    size_t cap = 1 << 20, n = 0;
    int64_t *lat = malloc(cap * sizeof(*lat));
    char last[64];
    PGresult *r0 = PQexec(c, "SELECT clock_timestamp()::text");
    if (PQresultStatus(r0) != PGRES_TUPLES_OK) {
        fprintf(stderr, "bench_visible: %s", PQerrorMessage(c));
        return 1;
    }
    snprintf(last, sizeof(last), "%s", PQgetvalue(r0, 0, 0)); /* only ticks from now on */
    PQclear(r0);
    int64_t end = now_us() + strtoll(argv[3], NULL, 10) * 1000000;
    /* epoch microseconds of received_time, to compare with our clock */
    const char *sql =
        "SELECT tick_time::text, (extract(epoch FROM received_time) * 1000000)::bigint"
        " FROM data_capture.market_ticks WHERE symbol = $1 AND tick_time > $2::timestamptz"
        " ORDER BY tick_time";
    while (now_us() < end) {
        const char *p[2] = {argv[2], last};
        PGresult *r = PQexecParams(c, sql, 2, NULL, p, NULL, NULL, 0);
        int64_t t = now_us();
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "bench_visible: %s", PQerrorMessage(c));
            PQclear(r);
            return 1;
        }
        int rows = PQntuples(r);
        for (int i = 0; i < rows; i++) {
            if (n < cap) {
                lat[n++] = t - strtoll(PQgetvalue(r, i, 1), NULL, 10);
            }
        }
        if (rows) {
            snprintf(last, sizeof(last), "%s", PQgetvalue(r, rows - 1, 0));
        }
        PQclear(r);
        struct timespec ts = {0, POLL_US * 1000};
        nanosleep(&ts, NULL);
    }
    PQfinish(c);
    if (!n) {
        fputs("bench_visible: no ticks seen\n", stderr);
        return 1;
    }
    qsort(lat, n, sizeof(*lat), cmp);
    printf("%zu %.2f %.2f %.2f\n", n, lat[n / 2] / 1000.0, lat[n * 99 / 100] / 1000.0,
           lat[n - 1] / 1000.0);
    free(lat);
    return 0;
}
