/*
 * uuid.c - UUIDv7 generation, text form. See uuid.h.
 *
 * Layout (RFC 9562 §5.7): unix_ts_ms:48 | ver=7:4 | rand_a:12 | var=10:2 | rand_b:62.
 * rand_a is the monotonic counter: it starts from a random 11-bit value in
 * each new millisecond (top bit clear, leaving at least 2048 increments) and
 * counts up for ids in the same millisecond or after the clock stepped back.
 * When it would pass 0xfff the timestamp borrows the next millisecond
 * (RFC 9562 §6.2: counter rollover). The state is two integers behind one
 * mutex, held for a few instructions; random bytes are read before locking.
 * Does not cache random bytes: one getrandom(2) call (about 0.3 us) per id.
 */
#include "core/uuid.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#define COUNTER_MAX 0xfffu
#define COUNTER_SEED_MASK 0x7ffu
#define TS_MAX_MS ((INT64_C(1) << 48) - 1)

static pthread_mutex_t gen_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t gen_last_ms = -1; /* guarded by gen_lock: timestamp of the last id */
static unsigned gen_counter;     /* guarded by gen_lock: rand_a of the last id, <= 0xfff */

static void fill_random(uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "tradingsystem: fatal: getrandom failed (errno %d): cannot make ids\n",
                    errno);
            abort();
        }
        p += r;
        n -= (size_t)r;
    }
}

void ts_uuid__v7_at(struct ts_uuid *out, int64_t unix_ms)
{
    uint8_t rnd[10]; /* 0..7: rand_b, 8..9: counter seed */
    unsigned seed, ctr;
    int64_t ms;

    fill_random(rnd, sizeof(rnd));
    seed = (((unsigned)rnd[8] << 8) | rnd[9]) & COUNTER_SEED_MASK;
    if (unix_ms < 0) {
        unix_ms = 0;
    }
    if (unix_ms > TS_MAX_MS) {
        unix_ms = TS_MAX_MS;
    }

    pthread_mutex_lock(&gen_lock);
    if (unix_ms > gen_last_ms) {
        gen_last_ms = unix_ms;
        gen_counter = seed;
    } else if (gen_counter < COUNTER_MAX) {
        gen_counter++; /* same millisecond, or the clock went back: keep counting */
    } else {
        gen_last_ms++; /* counter exhausted: borrow the next millisecond */
        gen_counter = seed;
    }
    ms = gen_last_ms;
    ctr = gen_counter;
    pthread_mutex_unlock(&gen_lock);

    for (int i = 0; i < 6; i++) {
        out->b[i] = (uint8_t)((uint64_t)ms >> (40 - 8 * i));
    }
    out->b[6] = (uint8_t)(0x70u | (ctr >> 8));
    out->b[7] = (uint8_t)(ctr & 0xffu);
    out->b[8] = (uint8_t)(0x80u | (rnd[0] & 0x3fu));
    for (int i = 9; i < 16; i++) {
        out->b[i] = rnd[i - 8];
    }
}

void ts_uuid_v7(struct ts_uuid *out)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts_uuid__v7_at(out, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Offsets of the four dashes in the canonical form. */
static bool is_dash_pos(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

void ts_uuid_format(const struct ts_uuid *u, char out[TS_UUID_STRLEN])
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;

    for (int i = 0; i < 16; i++) {
        if (is_dash_pos(n)) {
            out[n++] = '-';
        }
        out[n++] = hex[u->b[i] >> 4];
        out[n++] = hex[u->b[i] & 15];
    }
    out[n] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int ts_uuid_parse(const char *s, size_t len, struct ts_uuid *out)
{
    struct ts_uuid u;
    int nibbles = 0;

    if (s == NULL || len != TS_UUID_STRLEN - 1) {
        return TS_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        if (is_dash_pos(i)) {
            if (s[i] != '-') {
                return TS_EINVAL;
            }
            continue;
        }
        int v = hex_value(s[i]);
        if (v < 0) {
            return TS_EINVAL;
        }
        if (nibbles % 2 == 0) {
            u.b[nibbles / 2] = (uint8_t)(v << 4);
        } else {
            u.b[nibbles / 2] |= (uint8_t)v;
        }
        nibbles++;
    }
    *out = u;
    return 0;
}

bool ts_uuid_is_nil(const struct ts_uuid *u)
{
    for (int i = 0; i < 16; i++) {
        if (u->b[i] != 0) {
            return false;
        }
    }
    return true;
}
