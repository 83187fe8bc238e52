/* sha256.c - SHA-256 by libsodium (crypto_hash_sha256). See sha256.h. */
#include "core/sha256.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((struct ts_sha256 *)0)->state),
               "struct ts_sha256 holds libsodium's state");

static crypto_hash_sha256_state *st(struct ts_sha256 *s)
{
    return (crypto_hash_sha256_state *)(void *)s->state;
}

void ts_sha256_init(struct ts_sha256 *s)
{
    if (sodium_init() < 0) {
        abort(); /* libsodium cannot start: nothing to hash with */
    }
    crypto_hash_sha256_init(st(s));
}

void ts_sha256_update(struct ts_sha256 *s, const void *data, size_t len)
{
    crypto_hash_sha256_update(st(s), data, len);
}

void ts_sha256_hex(struct ts_sha256 *s, char out[TS_SHA256_HEXLEN])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(st(s), h);
    sodium_bin2hex(out, TS_SHA256_HEXLEN, h, sizeof(h));
}

int ts_sha256_file(const char *path, char out[TS_SHA256_HEXLEN], struct ts_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return ts_err_set(err, TS_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    struct ts_sha256 s;
    uint8_t buf[65536];
    size_t n;
    ts_sha256_init(&s);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        ts_sha256_update(&s, buf, n);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        return ts_err_set(err, TS_EIO, "cannot read %s", path);
    }
    ts_sha256_hex(&s, out);
    return 0;
}
