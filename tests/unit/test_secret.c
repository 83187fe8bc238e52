/*
 * test_secret.c - secrets at rest (auth/secret.h): the key file is made with mode 0600 and
 * refused when others may read it or when a line is not a key; a box opens with its key
 * and no other, not when one byte of it changed; a rotation keeps the old keys, so boxes
 * sealed before it still open, while new boxes use the new key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/secret.h"

#include "unit.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/ts-secret-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/secret.key", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char tmp[160];
    unlink(path);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    unlink(tmp);
    rmdir(dir);
    return 0;
}

static void test_made_once_0600(void **state)
{
    (void)state;
    struct ts_keyring a, b;
    struct ts_err err = TS_ERR_INIT;
    bool created = false;
    assert_int_equal(ts_keyring_load(path, false, &a, &created, &err), TS_EIO);
    assert_int_equal(ts_keyring_load(path, true, &a, &created, &err), 0);
    assert_true(created);
    assert_int_equal(a.n, 1);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(ts_keyring_load(path, true, &b, &created, &err), 0);
    assert_false(created);
    assert_int_equal(b.n, 1);
    assert_string_equal(a.keys[0].id, b.keys[0].id);
    assert_memory_equal(a.keys[0].key, b.keys[0].key, 32);
    chmod(path, 0644);
    assert_int_equal(ts_keyring_load(path, false, &b, &created, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "chmod 600"));
    ts_keyring_wipe(&a);
    ts_keyring_wipe(&b);
}

static void test_bad_lines(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "ts-key-v1\n",
        "ts-key-v2 0011223344556677 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "ts-key-v1 0011223344556677 not*base64\n",
        "ts-key-v1 0011223344556677 AAAA\n",
        /* a real key under another key's id: the id must be the key's own */
        "ts-key-v1 0011223344556677 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "ts-key-v1 0011223344556677 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= extra\n",
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(bad[i], f);
        fclose(f);
        chmod(path, 0600);
        struct ts_keyring kr;
        struct ts_err err = TS_ERR_INIT;
        bool created;
        int rc = ts_keyring_load(path, true, &kr, &created, &err);
        EXPECT(rc == TS_EINVAL && !created, bad[i], "rc %d (%s)", rc, err.msg);
        EXPECT(kr.n == 0, bad[i], "%d keys kept after a refusal", kr.n);
    }
    assert_int_equal(failures, 0);
}

static void test_seal_open(void **state)
{
    (void)state;
    struct ts_keyring kr, other;
    struct ts_err err = TS_ERR_INIT;
    struct ts_buf box = TS_BUF_INIT, out = TS_BUF_INIT, box2 = TS_BUF_INIT;
    char id[TS_SECRET_ID_LEN], id2[TS_SECRET_ID_LEN];
    bool created;
    static const char token[] = "123456789:AAHxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    assert_int_equal(ts_keyring_load(path, true, &kr, &created, &err), 0);
    ts_secret_seal(&kr, token, strlen(token), &box, id);
    assert_int_equal(box.len, strlen(token) + 40);
    assert_null(memmem(box.buf, box.len, "123456789", 9)); /* not in the clear */
    assert_string_equal(id, kr.keys[0].id);
    assert_int_equal(ts_secret_open(&kr, id, box.buf, box.len, &out, &err), 0);
    assert_string_equal(out.buf, token);
    ts_secret_seal(&kr, token, strlen(token), &box2, id2);
    assert_memory_not_equal(box.buf, box2.buf, box.len); /* a new nonce each time */
    for (size_t i = 0; i < box.len; i += 7) {            /* one byte changed anywhere: refused */
        box.buf[i] ^= 1;
        assert_int_equal(ts_secret_open(&kr, id, box.buf, box.len, &out, &err), TS_EINVAL);
        box.buf[i] ^= 1;
    }
    assert_int_equal(ts_secret_open(&kr, id, box.buf, 39, &out, &err), TS_EINVAL);
    assert_int_equal(ts_secret_open(&kr, "ffffffffffffffff", box.buf, box.len, &out, &err),
                     TS_ENOTFOUND);
    /* another keyring (another install) cannot open it, even when told the id */
    unlink(path);
    assert_int_equal(ts_keyring_load(path, true, &other, &created, &err), 0);
    memcpy(other.keys[0].id, id, TS_SECRET_ID_LEN);
    assert_int_equal(ts_secret_open(&other, id, box.buf, box.len, &out, &err), TS_EINVAL);
    ts_keyring_wipe(&kr);
    ts_keyring_wipe(&other);
    ts_buf_release(&box);
    ts_buf_release(&box2);
    ts_buf_release(&out);
}

static void test_rotate(void **state)
{
    (void)state;
    struct ts_keyring kr, again;
    struct ts_err err = TS_ERR_INIT;
    struct ts_buf box = TS_BUF_INIT, out = TS_BUF_INIT;
    char old_id[TS_SECRET_ID_LEN], new_id[TS_SECRET_ID_LEN];
    bool created;
    assert_int_equal(ts_keyring_load(path, true, &kr, &created, &err), 0);
    ts_secret_seal(&kr, "before", 6, &box, old_id);
    assert_int_equal(ts_keyring_rotate(path, &kr, &err), 0);
    assert_int_equal(ts_keyring_load(path, false, &again, &created, &err), 0);
    assert_int_equal(again.n, 2);
    assert_string_equal(again.keys[1].id, old_id);
    assert_string_not_equal(again.keys[0].id, old_id);
    assert_int_equal(ts_secret_open(&again, old_id, box.buf, box.len, &out, &err), 0);
    assert_string_equal(out.buf, "before");
    ts_secret_seal(&again, "after", 5, &box, new_id);
    assert_string_equal(new_id, again.keys[0].id);
    for (int i = 0; i < TS_SECRET_KEYS_MAX + 2; i++) {
        assert_int_equal(ts_keyring_rotate(path, &again, &err), 0);
    }
    assert_int_equal(again.n, TS_SECRET_KEYS_MAX);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    ts_keyring_wipe(&kr);
    ts_keyring_wipe(&again);
    ts_buf_release(&box);
    ts_buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_made_once_0600, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seal_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
