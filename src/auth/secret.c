/*
 * secret.c - the key file and the boxes of secret.h, on libsodium (crypto_secretbox,
 * randombytes, base64). The file is written to "<path>.tmp" with mode 0600, flushed to
 * disk, then renamed over the old one: a crash leaves the old keyring or the new, whole.
 */
#include "auth/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_TAG "ts-key-v1"

void ts_keyring_path(const char *home, char *out, size_t cap)
{
    const char *env = getenv("TS_SECRET_KEY_FILE");
    if (env && *env) {
        snprintf(out, cap, "%s", env);
    } else {
        snprintf(out, cap, "%s/secret.key", home && *home ? home : ".");
    }
}

void ts_keyring_wipe(struct ts_keyring *kr)
{
    sodium_memzero(kr, sizeof(*kr));
}

static void key_id(const unsigned char key[32], char id[TS_SECRET_ID_LEN])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, key, 32);
    sodium_bin2hex(id, TS_SECRET_ID_LEN, h, 8);
}

static void new_key(struct ts_keyring *kr)
{
    if (kr->n == TS_SECRET_KEYS_MAX) {
        kr->n--; /* the oldest goes */
    }
    memmove(&kr->keys[1], &kr->keys[0], (size_t)kr->n * sizeof(kr->keys[0]));
    crypto_secretbox_keygen(kr->keys[0].key);
    key_id(kr->keys[0].key, kr->keys[0].id);
    kr->n++;
}

static int write_file(const char *path, const struct ts_keyring *kr, struct ts_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return ts_err_set(err, TS_EIO, "cannot write the key file %s: %s", tmp, strerror(errno));
    }
    bool ok = fchmod(fd, 0600) == 0;
    for (int i = 0; ok && i < kr->n; i++) {
        char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)], line[160];
        sodium_bin2base64(b64, sizeof(b64), kr->keys[i].key, 32, sodium_base64_VARIANT_ORIGINAL);
        int n = snprintf(line, sizeof(line), LINE_TAG " %s %s\n", kr->keys[i].id, b64);
        ok = write(fd, line, (size_t)n) == n;
        sodium_memzero(b64, sizeof(b64));
        sodium_memzero(line, sizeof(line));
    }
    ok = ok && fsync(fd) == 0;
    ok = (close(fd) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return ts_err_set(err, TS_EIO, "cannot write the key file %s: %s", path, strerror(e));
    }
    return 0;
}

/* One line "ts-key-v1 ID BASE64" into kr; false when it is not one. */
static bool parse_line(char *line, struct ts_keyring *kr)
{
    char *save = NULL, *tag = strtok_r(line, " \n", &save), *id = strtok_r(NULL, " \n", &save),
         *b64 = strtok_r(NULL, " \n", &save);
    size_t n = 0;
    if (!tag || !id || !b64 || strtok_r(NULL, " \n", &save) || strcmp(tag, LINE_TAG) != 0 ||
        kr->n == TS_SECRET_KEYS_MAX ||
        sodium_base642bin(kr->keys[kr->n].key, 32, b64, strlen(b64), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != 32) {
        return false;
    }
    key_id(kr->keys[kr->n].key, kr->keys[kr->n].id);
    if (strcmp(kr->keys[kr->n].id, id) != 0) {
        return false; /* the id says which key sealed a box: it must be this key's */
    }
    kr->n++;
    return true;
}

int ts_keyring_load(const char *path, bool create, struct ts_keyring *kr, bool *created,
                    struct ts_err *err)
{
    memset(kr, 0, sizeof(*kr));
    *created = false;
    if (sodium_init() < 0) {
        return ts_err_set(err, TS_EIO, "libsodium cannot start");
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        new_key(kr);
        int rc = write_file(path, kr, err);
        *created = rc == 0;
        return rc;
    }
    if (fd < 0) {
        return ts_err_set(err, TS_EIO, "cannot read the key file %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (st.st_mode & 077)) {
        close(fd);
        return ts_err_set(err, TS_EINVAL,
                          "the key file %s may be read by others (mode %03o): chmod 600 it", path,
                          (unsigned)(st.st_mode & 0777));
    }
    FILE *f = fdopen(fd, "r");
    char line[512];
    int lineno = 0, rc = 0;
    while (!rc && f && fgets(line, sizeof(line), f)) {
        lineno++;
        if (!parse_line(line, kr)) {
            rc = ts_err_set(err, TS_EINVAL, "%s:%d: not a key line (" LINE_TAG " ID BASE64)", path,
                            lineno);
        }
        sodium_memzero(line, sizeof(line));
    }
    if (f) {
        fclose(f);
    }
    if (!rc && kr->n == 0) {
        rc = ts_err_set(err, TS_EINVAL, "the key file %s holds no key", path);
    }
    if (rc) {
        ts_keyring_wipe(kr);
    }
    return rc;
}

int ts_keyring_rotate(const char *path, struct ts_keyring *kr, struct ts_err *err)
{
    new_key(kr);
    return write_file(path, kr, err);
}

void ts_secret_seal(const struct ts_keyring *kr, const void *plain, size_t n, struct ts_buf *out,
                    char id[TS_SECRET_ID_LEN])
{
    size_t total = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    ts_buf_reset(out);
    ts_buf_grow(out, total + 1);
    unsigned char *box = (unsigned char *)out->buf;
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain, n, box, kr->keys[0].key);
    out->len = total;
    out->buf[total] = '\0';
    memcpy(id, kr->keys[0].id, TS_SECRET_ID_LEN);
}

int ts_secret_open(const struct ts_keyring *kr, const char *id, const void *box, size_t n,
                   struct ts_buf *out, struct ts_err *err)
{
    int k = -1;
    for (int i = 0; i < kr->n && k < 0; i++) {
        if (!strcmp(kr->keys[i].id, id)) {
            k = i;
        }
    }
    if (k < 0) {
        return ts_err_set(err, TS_ENOTFOUND,
                          "no key '%.16s' in the key file (sealed by a key "
                          "since removed?)",
                          id);
    }
    if (n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        return ts_err_set(err, TS_EINVAL, "not a sealed secret (%zu bytes)", n);
    }
    size_t plain = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    const unsigned char *b = box;
    ts_buf_reset(out);
    ts_buf_grow(out, plain + 1);
    if (crypto_secretbox_open_easy((unsigned char *)out->buf, b + crypto_secretbox_NONCEBYTES,
                                   n - crypto_secretbox_NONCEBYTES, b, kr->keys[k].key) != 0) {
        return ts_err_set(err, TS_EINVAL, "a sealed secret does not open: changed, or not ours");
    }
    out->len = plain;
    out->buf[plain] = '\0';
    return 0;
}

/* Re-seals one row's box (hex from the database) under the current key: its new hex. */
static int reseal_one(const struct ts_keyring *kr, const char *id, const char *hex,
                      const char *key_id, struct ts_buf *newhex, struct ts_err *err)
{
    struct ts_buf box = TS_BUF_INIT, plain = TS_BUF_INIT, sealed = TS_BUF_INIT;
    char cur[TS_SECRET_ID_LEN];
    size_t n = 0, hexlen = strlen(hex);
    ts_buf_grow(&box, hexlen / 2 + 1);
    int rc = 0;
    if (sodium_hex2bin((unsigned char *)box.buf, hexlen / 2 + 1, hex, hexlen, NULL, &n, NULL)) {
        rc = ts_err_set(err, TS_EINVAL, "row %s: the box is not hex", id);
    }
    box.len = n;
    if (!rc && (rc = ts_secret_open(kr, key_id, box.buf, box.len, &plain, err)) != 0) {
        ts_err_wrap(err, "row %s", id);
    }
    if (!rc) {
        ts_secret_seal(kr, plain.buf, plain.len, &sealed, cur);
        ts_buf_reset(newhex);
        ts_buf_grow(newhex, sealed.len * 2 + 1);
        sodium_bin2hex(newhex->buf, sealed.len * 2 + 1, (const unsigned char *)sealed.buf,
                       sealed.len);
        newhex->len = sealed.len * 2;
    }
    if (plain.cap) {
        sodium_memzero(plain.buf, plain.cap);
    }
    ts_buf_release(&plain);
    ts_buf_release(&box);
    ts_buf_release(&sealed);
    return rc;
}

int ts_secret_reseal(PGconn *c, const struct ts_keyring *kr, const char *table, const char *box_col,
                     const char *key_col, long *n, struct ts_err *err)
{
    struct ts_buf sql = TS_BUF_INIT, newhex = TS_BUF_INIT;
    PGresult *r = NULL;
    *n = 0;
    const char *cur = kr->keys[0].id;
    int rc = ts_db_exec(c, "begin", "BEGIN", 0, NULL, NULL, err);
    ts_buf_addf(&sql, "SELECT id::text, encode(%s, 'hex'), %s FROM %s WHERE %s <> $1 FOR UPDATE",
                box_col, key_col, table, key_col);
    rc = rc ? rc : ts_db_exec(c, "read the sealed secrets", sql.buf, 1, &cur, &r, err);
    ts_buf_reset(&sql);
    ts_buf_addf(&sql, "UPDATE %s SET %s = decode($2, 'hex'), %s = $3 WHERE id::text = $1", table,
                box_col, key_col);
    for (int i = 0; !rc && i < ts_db_nrows(r); i++) {
        rc = reseal_one(kr, ts_db_val(r, i, 0), ts_db_val(r, i, 1), ts_db_val(r, i, 2), &newhex,
                        err);
        const char *p[3] = {ts_db_val(r, i, 0), newhex.buf, cur};
        rc = rc ? rc : ts_db_exec(c, "re-seal a secret", sql.buf, 3, p, NULL, err);
        *n += !rc;
    }
    ts_db_clear(r);
    struct ts_err e2 = TS_ERR_INIT;
    if (rc) {
        if (ts_db_exec(c, "roll back", "ROLLBACK", 0, NULL, NULL, &e2)) {
            /* the connection is gone: its transaction with it */
        }
        *n = 0;
    } else {
        rc = ts_db_exec(c, "commit", "COMMIT", 0, NULL, NULL, err);
    }
    ts_buf_release(&sql);
    ts_buf_release(&newhex);
    return rc;
}
