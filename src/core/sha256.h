/*
 * sha256.h - SHA-256 (FIPS 180-4), incremental, for checksums of files we write
 * (the Parquet archives recorded in data_capture.export_log): libsodium's
 * crypto_hash_sha256 behind our own small interface. Any thread, one context per thread.
 */
#ifndef TS_CORE_SHA256_H
#define TS_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define TS_SHA256_HEXLEN 65 /* 64 hex digits and a NUL */

struct ts_sha256 {
    /* libsodium's crypto_hash_sha256_state (sha256.c checks that it fits), opaque here so
       that only sha256.c includes sodium.h */
    _Alignas(16) unsigned char state[128];
};

void ts_sha256_init(struct ts_sha256 *s);
void ts_sha256_update(struct ts_sha256 *s, const void *data, size_t len);
/* The digest as 64 lower-case hex digits; s must be initialised again to be reused. */
void ts_sha256_hex(struct ts_sha256 *s, char out[TS_SHA256_HEXLEN]);
/* The SHA-256 of a file's contents. */
int ts_sha256_file(const char *path, char out[TS_SHA256_HEXLEN], struct ts_err *err) TS_MUST_CHECK;

#endif
