/*
 * hash.h - the one string hash of the program: 64-bit FNV-1a, for in-memory hash
 * tables and Bloom filters (order_ref index, bar buckets, risk keys). Not for
 * anything an attacker can aim at a table that cannot grow, and never stored.
 * Pure; any thread.
 */
#ifndef TS_CORE_HASH_H
#define TS_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define TS_HASH_FNV_OFFSET UINT64_C(1469598103934665603)
#define TS_HASH_FNV_PRIME UINT64_C(1099511628211)

/* Continues h (start with TS_HASH_FNV_OFFSET) over n bytes of p. */
static inline uint64_t ts_hash_add(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ s[i]) * TS_HASH_FNV_PRIME;
    }
    return h;
}

/* FNV-1a of a NUL-terminated string. */
static inline uint64_t ts_hash_str(const char *s)
{
    uint64_t h = TS_HASH_FNV_OFFSET;
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * TS_HASH_FNV_PRIME;
    }
    return h;
}

/* A finaliser that spreads every input bit over the word (for power-of-two tables). */
static inline uint64_t ts_hash_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

#endif
