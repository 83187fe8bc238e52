/*
 * pq_sample.c - writes sample Parquet files with src/capture/parquet.c and prints, as one
 * JSON object, what it wrote, for test_read_back.mjs to compare with what an independent
 * reader (hyparquet, through read_back.mjs) sees.
 *
 *   pq_sample ticks PATH [ROWS [ROW_GROUP_ROWS]]     simulated B3 trades
 *   pq_sample patterns PATH [ROWS [ROW_GROUP_ROWS]]  nulls in many patterns
 *
 * ticks: symbol STRING, tick_time TIMESTAMP_US, trade_id INT64, price and volume DECIMAL,
 * aggressor STRING nullable (BUY, SELL or null). Prints the row count, min/max tick_time,
 * sum(price * volume) as exact decimal text, and the sums modulo 2^64 of price and trade_id
 * both as written and as ts_pq_column_sum reads them back; also the write speed.
 *
 * patterns: column i (INT64) is the row number; every other column holds a value derived
 * from i or null, following a pattern per column (alternating, runs of 8 and 9, a run that
 * starts inside a bit-packed group, growing runs, random, all, none). A reader that finds
 * every non-null value equal to what row i should hold, and the null counts printed here,
 * has put every null in its row.
 *
 * Deterministic: the same arguments write the same file. Exit status 1 on any error.
 */
#include "capture/parquet.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/dec.h"

static uint64_t rng_state = 88172645463325252u;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Prints a signed 128-bit count of 10^-scale units as exact decimal text. */
static void print_dec128(__int128 v, int scale)
{
    char d[64];
    int n = 0;
    unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
    do {
        d[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u || n <= scale);
    if (v < 0) {
        putchar('-');
    }
    for (int i = n - 1; i >= 0; i--) {
        putchar(d[i]);
        if (i == scale && scale > 0) {
            putchar('.');
        }
    }
}

static int fail(const char *what, const struct ts_err *err)
{
    fprintf(stderr, "pq_sample: %s: %s\n", what, err->msg);
    return 1;
}

static int write_ticks(const char *path, int64_t n, size_t rg)
{
    static const char *syms[] = {"PETR4", "VALE3",  "ITUB4",  "BBDC4",
                                 "ABEV3", "WINM25", "WDOM25", "B3SA3"};
    static const struct ts_pq_column cols[] = {
        {"symbol", TS_PQ_STRING, false},  {"tick_time", TS_PQ_TIMESTAMP_US, false},
        {"trade_id", TS_PQ_INT64, false}, {"price", TS_PQ_DECIMAL, false},
        {"volume", TS_PQ_DECIMAL, false}, {"aggressor", TS_PQ_STRING, true},
    };
    struct ts_err err = TS_ERR_INIT;
    struct ts_pq_writer *w;
    int64_t t = INT64_C(1748869200000000); /* 2025-06-02T13:00:00Z */
    int64_t tmin = INT64_MAX, tmax = INT64_MIN, rows = -1, vrows = -1, nn = -1;
    int64_t nulls = 0;
    ts_dec last[8];
    __int128 notional = 0;
    uint64_t psum = 0, idsum = 0, rpsum = 0, ridsum = 0;
    struct stat st;

    for (int i = 0; i < 8; i++) {
        last[i] = TS_DEC_C(10 + 7 * i);
    }
    double t0 = now_s();
    if (ts_pq_open(&w, path, cols, 6, rg, &err) != 0) {
        return fail("open", &err);
    }
    for (int64_t i = 0; i < n; i++) {
        uint64_t r = rng_next();
        int s = (int)(r % 8);
        last[s] += ((int64_t)((r >> 8) % 7) - 3) * 1000000; /* -3..+3 ticks of 0.01 */
        if (last[s] < 1000000) {
            last[s] = 1000000;
        }
        ts_dec vol = TS_DEC_C(100) * (int64_t)(1 + (r >> 16) % 20);
        t += (int64_t)((r >> 24) % 2000);
        ts_pq_set_string(w, 0, syms[s], strlen(syms[s]));
        ts_pq_set_int64(w, 1, t);
        ts_pq_set_int64(w, 2, 1000000 + i);
        ts_pq_set_int64(w, 3, last[s]);
        ts_pq_set_int64(w, 4, vol);
        switch ((r >> 40) % 3) {
        case 0:
            ts_pq_set_string(w, 5, "BUY", 3);
            break;
        case 1:
            ts_pq_set_string(w, 5, "SELL", 4);
            break;
        default:
            ts_pq_set_null(w, 5);
            nulls++;
        }
        if (ts_pq_end_row(w, &err) != 0) {
            ts_pq_abort(w);
            return fail("row", &err);
        }
        notional += (__int128)last[s] * vol;
        psum += (uint64_t)last[s];
        idsum += (uint64_t)(1000000 + i);
        tmin = t < tmin ? t : tmin;
        tmax = t > tmax ? t : tmax;
    }
    if (ts_pq_close(w, &rows, &err) != 0) {
        return fail("close", &err);
    }
    double secs = now_s() - t0;
    if (stat(path, &st) != 0) {
        perror("pq_sample: stat");
        return 1;
    }
    if (ts_pq_verify(path, &vrows, &err) != 0) {
        return fail("verify", &err);
    }
    if (ts_pq_column_sum(path, "price", &rpsum, &nn, &err) != 0 ||
        ts_pq_column_sum(path, "trade_id", &ridsum, NULL, &err) != 0) {
        return fail("column sum", &err);
    }
    printf("{\"rows\": %" PRId64 ", \"verify_rows\": %" PRId64 ", \"bytes\": %lld, "
           "\"seconds\": %.3f, \"rows_per_s\": %.0f,\n",
           rows, vrows, (long long)st.st_size, secs, secs > 0 ? (double)n / secs : 0.0);
    printf(" \"price_sum_mod_2_64\": \"%" PRIu64 "\", \"read_price_sum_mod_2_64\": \"%" PRIu64
           "\", \"read_price_nonnull\": %" PRId64 ",\n",
           psum, rpsum, nn);
    printf(" \"trade_id_sum_mod_2_64\": \"%" PRIu64 "\", \"read_trade_id_sum_mod_2_64\": \"%" PRIu64
           "\",\n",
           idsum, ridsum);
    printf(" \"aggressor_nulls\": %" PRId64 ", \"tick_time_min_us\": \"%" PRId64
           "\", \"tick_time_max_us\": \"%" PRId64 "\",\n",
           nulls, tmin, tmax);
    printf(" \"sum_price_times_volume\": \"");
    print_dec128(notional, 2 * TS_DEC_PLACES);
    printf("\"}\n");
    return 0;
}

/* Whether row i is null in pattern k (see the file comment). */
static bool is_null(int k, int64_t i)
{
    switch (k) {
    case 0:
        return i % 2 == 0;
    case 1:
        return (i / 8) % 2 == 0;
    case 2:
        return (i / 9) % 2 == 1;
    case 3:
        return i >= 3 && i < 40;
    case 4: {
        int64_t len = 1, start = 0;
        while (start + len <= i) {
            start += len++;
        }
        return len % 2 == 0;
    }
    case 5: {
        uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15u;
        x ^= x >> 31;
        return (x * 0xbf58476d1ce4e5b9u) >> 62 == 0;
    }
    case 6:
        return true;
    default:
        return false;
    }
}

static int write_patterns(const char *path, int64_t n, size_t rg)
{
    static const struct ts_pq_column cols[] = {
        {"i", TS_PQ_INT64, false},       {"p_alt", TS_PQ_INT64, true},
        {"p_runs8", TS_PQ_INT64, true},  {"p_runs9", TS_PQ_INT64, true},
        {"p_mid", TS_PQ_INT64, true},    {"p_grow", TS_PQ_INT64, true},
        {"p_rand", TS_PQ_INT64, true},   {"p_all", TS_PQ_INT64, true},
        {"p_none", TS_PQ_INT64, true},   {"b", TS_PQ_BOOL, true},
        {"breq", TS_PQ_BOOL, false},     {"s", TS_PQ_STRING, true},
        {"t", TS_PQ_TIMESTAMP_US, true}, {"d", TS_PQ_DECIMAL, true},
    };
    enum { NCOLS = sizeof(cols) / sizeof(cols[0]) };
    int64_t nulls[NCOLS] = {0};
    struct ts_err err = TS_ERR_INIT;
    struct ts_pq_writer *w;
    int64_t rows = -1;

    if (ts_pq_open(&w, path, cols, NCOLS, rg, &err) != 0) {
        return fail("open", &err);
    }
    for (int64_t i = 0; i < n; i++) {
        char text[32];
        int len = snprintf(text, sizeof(text), "%" PRId64, i);
        ts_pq_set_int64(w, 0, i);
        for (int k = 0; k < 8; k++) {
            if (is_null(k, i)) {
                ts_pq_set_null(w, 1 + k);
                nulls[1 + k]++;
            } else {
                ts_pq_set_int64(w, 1 + k, i);
            }
        }
        /* b: i % 3 == 0 unless null (random); breq: always; s: text of i (alternating);
         * t: epoch + i µs (runs of 8); d: i * 0.01 - 5 (runs of 9) */
        if (is_null(5, i)) {
            ts_pq_set_null(w, 9);
            nulls[9]++;
        } else {
            ts_pq_set_bool(w, 9, i % 3 == 0);
        }
        ts_pq_set_bool(w, 10, i % 3 == 0);
        if (is_null(0, i)) {
            ts_pq_set_null(w, 11);
            nulls[11]++;
        } else {
            ts_pq_set_string(w, 11, text, (size_t)len);
        }
        if (is_null(1, i)) {
            ts_pq_set_null(w, 12);
            nulls[12]++;
        } else {
            ts_pq_set_int64(w, 12, INT64_C(1748869200000000) + i);
        }
        if (is_null(2, i)) {
            ts_pq_set_null(w, 13);
            nulls[13]++;
        } else {
            ts_pq_set_int64(w, 13, i * 1000000 - 500000000);
        }
        if (ts_pq_end_row(w, &err) != 0) {
            ts_pq_abort(w);
            return fail("row", &err);
        }
    }
    if (ts_pq_close(w, &rows, &err) != 0) {
        return fail("close", &err);
    }
    printf("{\"rows\": %" PRId64 ", \"nulls\": {", rows);
    for (int c = 0; c < NCOLS; c++) {
        printf("%s\"%s\": %" PRId64, c ? ", " : "", cols[c].name, nulls[c]);
    }
    printf("}}\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: pq_sample ticks|patterns PATH [ROWS [ROW_GROUP_ROWS]]\n");
        return 2;
    }
    int64_t n = argc > 3 ? strtoll(argv[3], NULL, 10) : -1;
    size_t rg = argc > 4 ? (size_t)strtoull(argv[4], NULL, 10) : 128 * 1024;
    if (strcmp(argv[1], "ticks") == 0) {
        return write_ticks(argv[2], n >= 0 ? n : 300000, rg);
    }
    if (strcmp(argv[1], "patterns") == 0) {
        return write_patterns(argv[2], n >= 0 ? n : 1001, argc > 4 ? rg : 100);
    }
    fprintf(stderr, "pq_sample: unknown sample '%s'\n", argv[1]);
    return 2;
}
