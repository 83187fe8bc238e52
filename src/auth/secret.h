/*
 * secret.h - secrets at rest (docs/security.md "Secrets"): a key file and the boxes it
 * opens. Telegram bot tokens (and any other secret the program must keep and use again)
 * are stored as a box - libsodium's crypto_secretbox (XSalsa20-Poly1305) with a random
 * nonce - together with the id of the key that sealed it; the key never enters the
 * database, an SQL text, a log line or an error message.
 *
 * The key file (TS_SECRET_KEY_FILE, default $TS_HOME/secret.key) is made on first use with
 * mode 0600, and refused when others may read it. It is a keyring: one line per key,
 * "ts-key-v1 ID BASE64", the first the current one (it seals); older lines stay so that
 * boxes sealed before a rotation still open. Pure but for the file's own I/O; any thread.
 */
#ifndef TS_AUTH_SECRET_H
#define TS_AUTH_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define TS_SECRET_KEYS_MAX 8
#define TS_SECRET_ID_LEN 17 /* 16 hex digits and a NUL: the first 8 bytes of SHA-256(key) */

struct ts_keyring {
    int n; /* keys[0] seals; all open */
    struct {
        char id[TS_SECRET_ID_LEN];
        unsigned char key[32];
    } keys[TS_SECRET_KEYS_MAX];
};

/*
 * The default path of the key file: $TS_SECRET_KEY_FILE, else home/secret.key, into out.
 */
void ts_keyring_path(const char *home, char *out, size_t cap);
/*
 * Reads the keyring at path; when it does not exist and create is true, makes it with one
 * new key (mode 0600, written whole then renamed: never half a file) and sets *created.
 * TS_EINVAL when the file is readable by others or malformed (naming the line), TS_EIO
 * when it cannot be read or written.
 */
int ts_keyring_load(const char *path, bool create, struct ts_keyring *kr, bool *created,
                    struct ts_err *err) TS_MUST_CHECK;
/* A new current key in front of the others (the oldest falls off past TS_SECRET_KEYS_MAX),
 * written to path as ts_keyring_load makes it. */
int ts_keyring_rotate(const char *path, struct ts_keyring *kr, struct ts_err *err) TS_MUST_CHECK;
/* Forgets the keys (zeroes the memory). */
void ts_keyring_wipe(struct ts_keyring *kr);

/* Seals n bytes with the current key: the box (nonce, then ciphertext and tag) into out,
 * the key's id into key_id. */
void ts_secret_seal(const struct ts_keyring *kr, const void *plain, size_t n, struct ts_buf *out,
                    char key_id[TS_SECRET_ID_LEN]);
/* Opens a box sealed by the key key_id: the secret into out (NUL-terminated too).
 * TS_ENOTFOUND when the keyring has no such key, TS_EINVAL when the box is not one of
 * ours or was changed. */
int ts_secret_open(const struct ts_keyring *kr, const char *key_id, const void *box, size_t n,
                   struct ts_buf *out, struct ts_err *err) TS_MUST_CHECK;

/*
 * Re-seals under the current key every box of table (an identifier, a constant of the
 * caller: "\"tp-capital\".telegram_bots") whose key column names another key, in one
 * transaction: columns id, box_col (bytea) and key_col. *n: how many were re-sealed. A box
 * that does not open stops it all (nothing changes) with TS_EINVAL/TS_ENOTFOUND naming the
 * row. After ts_keyring_rotate: the old keys may then go.
 */
int ts_secret_reseal(PGconn *c, const struct ts_keyring *kr, const char *table, const char *box_col,
                     const char *key_col, long *n, struct ts_err *err) TS_MUST_CHECK;

#endif
