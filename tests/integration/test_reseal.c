/*
 * test_reseal.c - stored secrets re-sealed after a key rotation (auth/secret.h
 * ts_secret_reseal, the engine of `tradingsystem secret rotate`) on a real tp_capital
 * database: a bot token sealed under the old key is, after the rotation, sealed under the new
 * one and still opens to the same token; nothing of it is ever in the clear; a box that does
 * not open stops the whole re-seal and changes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "auth/secret.h"
#include "harness.h"

#define TOKEN "123456789:AAHabcdefghijklmnopqrstuvwxyz0123456"
#define TABLE "\"tp-capital\".telegram_bots"

static char dir[64], path[128];

/* Inserts a bot whose token is sealed with kr; returns nothing, fails the test on error. */
static void insert_bot(PGconn *c, const char *name, const struct ts_keyring *kr)
{
    struct ts_buf box = TS_BUF_INIT;
    char id[TS_SECRET_ID_LEN], sql[1024], hex[512];
    ts_secret_seal(kr, TOKEN, strlen(TOKEN), &box, id);
    for (size_t i = 0; i < box.len; i++) {
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)box.buf[i]);
    }
    snprintf(sql, sizeof(sql),
             "INSERT INTO " TABLE " (username, token_encrypted, key_id) VALUES ('%s', "
             "decode('%s', 'hex'), '%s')",
             name, hex, id);
    th_exec_ok(c, sql);
    ts_buf_release(&box);
}

/* The token of bot name, opened with kr. */
static void want_token(PGconn *c, const char *name, const struct ts_keyring *kr,
                       const char *want_key)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT key_id || ' ' || encode(token_encrypted, 'hex') FROM " TABLE
             " WHERE username = '%s'",
             name);
    char *v = th_value(c, sql);
    assert_non_null(v);
    char key[TS_SECRET_ID_LEN];
    snprintf(key, sizeof(key), "%.16s", v);
    assert_string_equal(key, want_key);
    const char *hex = v + 17;
    size_t n = strlen(hex) / 2;
    unsigned char *box = malloc(n);
    for (size_t i = 0; i < n; i++) {
        unsigned int b;
        sscanf(hex + 2 * i, "%2x", &b);
        box[i] = (unsigned char)b;
    }
    struct ts_buf out = TS_BUF_INIT;
    struct ts_err err = TS_ERR_INIT;
    assert_int_equal(ts_secret_open(kr, key, box, n, &out, &err), 0);
    assert_string_equal(out.buf, TOKEN);
    ts_buf_release(&out);
    free(box);
    free(v);
}

static void test_reseal_after_rotation(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/ts-reseal-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/secret.key", dir);
    PGconn *c = th_fresh_db("tp_capital");
    struct ts_keyring kr;
    struct ts_err err = TS_ERR_INIT;
    bool created;
    long n = -1;
    assert_int_equal(ts_keyring_load(path, true, &kr, &created, &err), 0);
    char old_id[TS_SECRET_ID_LEN];
    memcpy(old_id, kr.keys[0].id, sizeof(old_id));
    insert_bot(c, "bot_one", &kr);
    insert_bot(c, "bot_two", &kr);
    assert_int_equal(ts_secret_reseal(c, &kr, TABLE, "token_encrypted", "key_id", &n, &err), 0);
    assert_int_equal(n, 0); /* all under the current key already */
    assert_int_equal(ts_keyring_rotate(path, &kr, &err), 0);
    assert_string_not_equal(kr.keys[0].id, old_id);
    assert_int_equal(ts_secret_reseal(c, &kr, TABLE, "token_encrypted", "key_id", &n, &err), 0);
    assert_int_equal(n, 2);
    want_token(c, "bot_one", &kr, kr.keys[0].id);
    want_token(c, "bot_two", &kr, kr.keys[0].id);
    assert_int_equal(th_count(c, "SELECT count(*) FROM " TABLE " WHERE position('\\x"
                                 "3132333435363738393a'::bytea in token_encrypted) > 0"),
                     0); /* "123456789:" in no box */
    /* a box that does not open: nothing changes, the row is named */
    th_exec_ok(c, "UPDATE " TABLE " SET token_encrypted = decode(repeat('00', 80), 'hex'), "
                  "key_id = '"
                  "0000000000000000"
                  "' WHERE username = 'bot_two'");
    assert_int_equal(ts_keyring_rotate(path, &kr, &err), 0);
    int rc = ts_secret_reseal(c, &kr, TABLE, "token_encrypted", "key_id", &n, &err);
    assert_int_equal(rc, TS_ENOTFOUND);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err.msg, "row "));
    assert_int_equal(th_count(c, "SELECT count(*) FROM " TABLE " WHERE key_id = '"
                                 "0000000000000000"
                                 "'"),
                     1);
    ts_keyring_wipe(&kr);
    th_close(c);
    char tmp[160];
    unlink(path);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    unlink(tmp);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reseal_after_rotation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
