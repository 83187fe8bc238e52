/*
 * test_parquet.c - unit tests of src/capture/parquet.c: files with every column type,
 * nulls in every pattern the definition-level encoder has a branch for, several row groups,
 * zero rows, long and UTF-8 strings; rows with bad data dropped; errors that leave no file
 * behind; and the verifier's refusal of damaged files.
 *
 * Files are read back with the module's own verifier (ts_pq_verify, ts_pq_column_sum), so
 * these tests prove the writer and reader agree with each other; that the files are valid
 * Parquet is checked by an independent reader in tests/parquet/read_back.mjs (hyparquet).
 * Table-driven where there are cases; each failing case prints its name. Each test works
 * in a fresh mkdtemp directory, removed after it unless TS_PQ_TEST_KEEP is set.
 */
#include "capture/parquet.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/dec.h"
#include "core/mem.h"

#include "unit.h"

struct dir {
    char path[64];
    char file[128]; /* scratch for dir_file() */
};

static int dir_setup(void **state)
{
    struct dir *d = ts_xcalloc(1, sizeof(*d));
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(d->path, sizeof(d->path), "%s/ts-parquet-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (n < 0 || (size_t)n >= sizeof(d->path) || !mkdtemp(d->path)) {
        ts_free(d);
        return -1;
    }
    *state = d;
    return 0;
}

/*
 * Removes the files left in the directory (tests make no subdirectories that remain), unless
 * TS_PQ_TEST_KEEP is set: then the last file of each name stays, for a look with
 * tests/parquet/read_back.mjs.
 */
static int dir_teardown(void **state)
{
    struct dir *d = *state;
    DIR *dh;
    struct dirent *e;

    if (getenv("TS_PQ_TEST_KEEP")) {
        print_message("kept %s\n", d->path);
        ts_free(d);
        return 0;
    }
    dh = opendir(d->path);
    while (dh && (e = readdir(dh)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            unlinkat(dirfd(dh), e->d_name, 0);
        }
    }
    if (dh) {
        closedir(dh);
    }
    rmdir(d->path);
    ts_free(d);
    return 0;
}

static const char *dir_file(struct dir *d, const char *name)
{
    int n = snprintf(d->file, sizeof(d->file), "%s/%s", d->path, name);
    assert_true(n > 0 && (size_t)n < sizeof(d->file));
    return d->file;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Entries in the directory besides . and .. */
static int dir_entries(const struct dir *d)
{
    DIR *dh = opendir(d->path);
    struct dirent *e;
    int n = 0;
    assert_non_null(dh);
    while ((e = readdir(dh)) != NULL) {
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    closedir(dh);
    return n;
}

/* ---------------------------------------------------------------------------------------- */

enum { C_ID, C_TIME, C_PRICE, C_OPT_INT, C_SYM, C_OPT_STR, C_FLAG, C_OPT_FLAG, NCOLS };

static const struct ts_pq_column all_types[NCOLS] = {
    {"id", TS_PQ_INT64, false},      {"time", TS_PQ_TIMESTAMP_US, false},
    {"price", TS_PQ_DECIMAL, false}, {"maybe_int", TS_PQ_INT64, true},
    {"symbol", TS_PQ_STRING, false}, {"maybe_str", TS_PQ_STRING, true},
    {"flag", TS_PQ_BOOL, false},     {"maybe_flag", TS_PQ_BOOL, true},
};

static void check_sum(const char *name, const char *path, const char *col, uint64_t want_sum,
                      int64_t want_nonnull, int *failures_p)
{
    struct ts_err err = TS_ERR_INIT;
    uint64_t sum = 0;
    int64_t nonnull = -1;
    int failures = 0;
    int rc = ts_pq_column_sum(path, col, &sum, &nonnull, &err);
    EXPECT(rc == 0, name, "column_sum(%s) failed: %s", col, err.msg);
    EXPECT(sum == want_sum, name, "sum of %s: %llu, want %llu", col, (unsigned long long)sum,
           (unsigned long long)want_sum);
    EXPECT(nonnull == want_nonnull, name, "non-null %s: %lld, want %lld", col, (long long)nonnull,
           (long long)want_nonnull);
    *failures_p += failures;
}

static void test_every_type_with_nulls_over_many_row_groups_reads_back(void **state)
{
    struct dir *d = *state;
    static const size_t row_groups[] = {1, 7, 64, 1000, 128 * 1024};
    int failures = 0;

    for (size_t k = 0; k < sizeof(row_groups) / sizeof(row_groups[0]); k++) {
        char name[64];
        struct ts_err err = TS_ERR_INIT;
        struct ts_pq_writer *w;
        const int64_t n = 1000;
        uint64_t s_id = 0, s_time = 0, s_price = 0, s_opt = 0;
        int64_t nn_opt = 0, rows = -1, vrows = -1;
        const char *path = dir_file(d, "all.parquet");

        snprintf(name, sizeof(name), "row groups of %zu", row_groups[k]);
        assert_int_equal(ts_pq_open(&w, path, all_types, NCOLS, row_groups[k], &err), 0);
        for (int64_t i = 0; i < n; i++) {
            char sym[32];
            int len = snprintf(sym, sizeof(sym), "SYM%lld", (long long)(i % 17));
            int64_t t = INT64_C(1748869200000000) + i * 1000;
            ts_dec price = TS_DEC_C(30) + i * 1000000;
            ts_pq_set_int64(w, C_ID, i - 500);
            ts_pq_set_int64(w, C_TIME, t);
            ts_pq_set_int64(w, C_PRICE, price);
            if (i % 3 == 0) {
                ts_pq_set_null(w, C_OPT_INT);
            } else {
                ts_pq_set_int64(w, C_OPT_INT, i * i);
                s_opt += (uint64_t)(i * i);
                nn_opt++;
            }
            ts_pq_set_string(w, C_SYM, sym, (size_t)len);
            if (i % 5 == 0) {
                ts_pq_set_null(w, C_OPT_STR);
            } else {
                ts_pq_set_string(w, C_OPT_STR, "BUY", 3);
            }
            ts_pq_set_bool(w, C_FLAG, i % 2 == 0);
            if (i % 7 == 0) {
                ts_pq_set_null(w, C_OPT_FLAG);
            } else {
                ts_pq_set_bool(w, C_OPT_FLAG, i % 4 == 1);
            }
            EXPECT(ts_pq_end_row(w, &err) == 0, name, "row %lld: %s", (long long)i, err.msg);
            s_id += (uint64_t)(i - 500);
            s_time += (uint64_t)t;
            s_price += (uint64_t)price;
        }
        EXPECT(ts_pq_rows(w) == n, name, "ts_pq_rows %lld", (long long)ts_pq_rows(w));
        EXPECT(ts_pq_close(w, &rows, &err) == 0, name, "close: %s", err.msg);
        EXPECT(rows == n, name, "close says %lld rows", (long long)rows);
        EXPECT(ts_pq_verify(path, &vrows, &err) == 0, name, "verify: %s", err.msg);
        EXPECT(vrows == n, name, "verify says %lld rows", (long long)vrows);
        check_sum(name, path, "id", s_id, n, &failures);
        check_sum(name, path, "time", s_time, n, &failures);
        check_sum(name, path, "price", s_price, n, &failures);
        check_sum(name, path, "maybe_int", s_opt, nn_opt, &failures);
        EXPECT(!exists(dir_file(d, "all.parquet.partial")), name, "%s", "partial file left");
    }
    assert_int_equal(failures, 0);
}

/* Whether row i of a pattern is null. */
typedef bool (*null_pattern)(int64_t i);

static bool p_none(int64_t i)
{
    (void)i;
    return false;
}
static bool p_all(int64_t i)
{
    (void)i;
    return true;
}
static bool p_alternate(int64_t i)
{
    return i % 2 == 0;
}
static bool p_runs_of_8(int64_t i)
{
    return (i / 8) % 2 == 0;
}
static bool p_runs_of_9(int64_t i)
{
    return (i / 9) % 2 == 1;
}
static bool p_run_after_3(int64_t i) /* a long run that starts mid-group */
{
    return i >= 3 && i < 40;
}
static bool p_first_only(int64_t i)
{
    return i == 0;
}
static bool p_growing_runs(int64_t i) /* runs of 1, 2, 3, ... alternately null */
{
    int64_t k = 1, start = 0;
    while (start + k <= i) {
        start += k++;
    }
    return k % 2 == 0;
}
static bool p_random(int64_t i)
{
    uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15u;
    x ^= x >> 31;
    return (x * 0xbf58476d1ce4e5b9u) >> 62 == 0;
}

static void test_nulls_in_every_pattern_keep_their_places(void **state)
{
    struct dir *d = *state;
    static const struct {
        const char *name;
        null_pattern is_null;
    } patterns[] = {
        {"no nulls", p_none},
        {"all nulls", p_all},
        {"alternating", p_alternate},
        {"runs of 8", p_runs_of_8},
        {"runs of 9", p_runs_of_9},
        {"a long run starting mid-group", p_run_after_3},
        {"only the first null", p_first_only},
        {"runs growing by one", p_growing_runs},
        {"random quarter", p_random},
    };
    static const int64_t sizes[] = {1, 7, 8, 9, 16, 17, 100, 1001};
    static const size_t groups[] = {3, 8, 1000};
    static const struct ts_pq_column cols[] = {
        {"v", TS_PQ_INT64, true}, {"b", TS_PQ_BOOL, true}, {"s", TS_PQ_STRING, true}};
    int failures = 0;

    for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
                char name[128];
                struct ts_err err = TS_ERR_INIT;
                struct ts_pq_writer *w;
                uint64_t want = 0;
                int64_t nonnull = 0, rows = -1;
                const char *path = dir_file(d, "nulls.parquet");

                snprintf(name, sizeof(name), "%s, %lld rows, groups of %zu", patterns[p].name,
                         (long long)sizes[s], groups[g]);
                assert_int_equal(ts_pq_open(&w, path, cols, 3, groups[g], &err), 0);
                for (int64_t i = 0; i < sizes[s]; i++) {
                    if (patterns[p].is_null(i)) {
                        ts_pq_set_null(w, 0);
                        ts_pq_set_null(w, 1);
                        ts_pq_set_null(w, 2);
                    } else {
                        /* The count and sum show no value was lost or invented; that each
                         * null sits in its row is for an independent reader to see
                         * (tests/parquet/read_back.mjs; values there carry their row). */
                        ts_pq_set_int64(w, 0, (i + 1) * (i + 7));
                        ts_pq_set_bool(w, 1, true);
                        ts_pq_set_string(w, 2, "x", 1);
                        want += (uint64_t)((i + 1) * (i + 7));
                        nonnull++;
                    }
                    EXPECT(ts_pq_end_row(w, &err) == 0, name, "end_row: %s", err.msg);
                }
                EXPECT(ts_pq_close(w, &rows, &err) == 0, name, "close: %s", err.msg);
                EXPECT(rows == sizes[s], name, "rows %lld", (long long)rows);
                check_sum(name, path, "v", want, nonnull, &failures);
            }
        }
    }
    assert_int_equal(failures, 0);
}

static void test_file_with_zero_rows_is_valid(void **state)
{
    struct dir *d = *state;
    struct ts_err err = TS_ERR_INIT;
    struct ts_pq_writer *w;
    int64_t rows = -1, vrows = -1, nonnull = -1;
    uint64_t sum = 1;
    const char *path = dir_file(d, "empty.parquet");

    assert_int_equal(ts_pq_open(&w, path, all_types, NCOLS, 100, &err), 0);
    assert_int_equal(ts_pq_close(w, &rows, &err), 0);
    assert_int_equal(rows, 0);
    assert_int_equal(ts_pq_verify(path, &vrows, &err), 0);
    assert_int_equal(vrows, 0);
    assert_int_equal(ts_pq_column_sum(path, "price", &sum, &nonnull, &err), 0);
    assert_int_equal(sum, 0);
    assert_int_equal(nonnull, 0);
}

static void test_long_empty_and_utf8_strings_are_kept(void **state)
{
    struct dir *d = *state;
    static const char *texts[] = {
        "", "PETR4", "ação ordinária", "日本語の銘柄", "\xf0\x9f\x93\x88 chart", "nul\0inside",
    };
    static const struct ts_pq_column cols[] = {{"n", TS_PQ_INT64, false},
                                               {"s", TS_PQ_STRING, false}};
    struct ts_err err = TS_ERR_INIT;
    struct ts_pq_writer *w;
    int64_t rows = -1, vrows = -1;
    const char *path = dir_file(d, "strings.parquet");
    size_t big_len = 3 * 1024 * 1024 + 7;
    char *big = ts_xmalloc(big_len);

    for (size_t i = 0; i < big_len; i++) {
        big[i] = (char)('a' + i % 26);
    }
    assert_int_equal(ts_pq_open(&w, path, cols, 2, 4, &err), 0);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
            size_t len = i == 5 ? 10 : strlen(texts[i]); /* "nul\0inside" */
            ts_pq_set_int64(w, 0, (int64_t)i);
            ts_pq_set_string(w, 1, texts[i], len);
            assert_int_equal(ts_pq_end_row(w, &err), 0);
        }
        ts_pq_set_int64(w, 0, 100);
        ts_pq_set_string(w, 1, big, big_len);
        assert_int_equal(ts_pq_end_row(w, &err), 0);
    }
    assert_int_equal(ts_pq_close(w, &rows, &err), 0);
    assert_int_equal(rows, 21);
    assert_int_equal(ts_pq_verify(path, &vrows, &err), 0);
    assert_int_equal(vrows, 21);
    ts_free(big);
}

static void test_rows_with_bad_data_are_dropped_and_the_writer_goes_on(void **state)
{
    struct dir *d = *state;
    static const struct ts_pq_column cols[] = {{"v", TS_PQ_INT64, false},
                                               {"s", TS_PQ_STRING, true}};
    static const struct {
        const char *name;
        const char *s; /* NULL: set s to null; "-": leave it unset */
        size_t len;
        bool set_v;
        const char *want_msg;
    } cases[] = {
        {"a column not set", "-", 0, true, "column 's' was not set"},
        {"the required column not set", "ok", 2, false, "column 'v' was not set"},
        {"a lone continuation byte", "\x80", 1, true, "not valid UTF-8"},
        {"an overlong slash", "\xc0\xaf", 2, true, "not valid UTF-8"},
        {"a surrogate", "\xed\xa0\x80", 3, true, "not valid UTF-8"},
        {"above U+10FFFF", "\xf4\x90\x80\x80", 4, true, "not valid UTF-8"},
        {"a truncated sequence", "ab\xe2\x82", 4, true, "not valid UTF-8"},
    };
    struct ts_err err = TS_ERR_INIT;
    struct ts_pq_writer *w;
    int64_t rows = -1, nonnull = -1;
    uint64_t sum = 0;
    int failures = 0;
    const char *path = dir_file(d, "bad.parquet");

    assert_int_equal(ts_pq_open(&w, path, cols, 2, 3, &err), 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_err_clear(&err);
        if (cases[i].set_v) {
            ts_pq_set_int64(w, 0, 1000);
        }
        if (strcmp(cases[i].s, "-") != 0) {
            ts_pq_set_string(w, 1, cases[i].s, cases[i].len);
        }
        int rc = ts_pq_end_row(w, &err);
        EXPECT(rc == TS_EINVAL, cases[i].name, "end_row gave %d", rc);
        EXPECT(strstr(err.msg, cases[i].want_msg) != NULL, cases[i].name, "message \"%s\"",
               err.msg);
        /* a good row after each bad one */
        ts_pq_set_int64(w, 0, (int64_t)i);
        ts_pq_set_string(w, 1, "fine", 4);
        EXPECT(ts_pq_end_row(w, &err) == 0, cases[i].name, "next row: %s", err.msg);
    }

    /* A null in a REQUIRED column. */
    ts_pq_set_null(w, 0);
    ts_pq_set_null(w, 1);
    assert_int_equal(ts_pq_end_row(w, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "column 'v' is not nullable"));

    /* Setting a column twice keeps the last value (the string bytes too). */
    ts_pq_set_int64(w, 0, 999999);
    ts_pq_set_int64(w, 0, 7);
    ts_pq_set_string(w, 1, "first", 5);
    ts_pq_set_null(w, 1);
    assert_int_equal(ts_pq_end_row(w, &err), 0);

    /* A row started but not ended is not written. */
    ts_pq_set_int64(w, 0, 123456);
    ts_pq_set_string(w, 1, "unfinished", 10);

    assert_int_equal(ts_pq_close(w, &rows, &err), 0);
    assert_int_equal(rows, 8);
    assert_int_equal(ts_pq_column_sum(path, "v", &sum, &nonnull, &err), 0);
    assert_int_equal(sum, 0 + 1 + 2 + 3 + 4 + 5 + 6 + 7);
    assert_int_equal(nonnull, 8);
    assert_int_equal(failures, 0);
}

static void test_int64_extremes_sum_modulo_2_64(void **state)
{
    struct dir *d = *state;
    static const int64_t vals[] = {INT64_MIN, INT64_MAX, -1,         0,
                                   1,         INT64_MAX, TS_DEC_MAX, TS_DEC_MIN};
    static const struct ts_pq_column cols[] = {{"v", TS_PQ_INT64, false}};
    struct ts_err err = TS_ERR_INIT;
    struct ts_pq_writer *w;
    uint64_t want = 0, sum = 0;
    int64_t rows = -1;
    const char *path = dir_file(d, "extremes.parquet");

    assert_int_equal(ts_pq_open(&w, path, cols, 1, 3, &err), 0);
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        ts_pq_set_int64(w, 0, vals[i]);
        assert_int_equal(ts_pq_end_row(w, &err), 0);
        want += (uint64_t)vals[i];
    }
    assert_int_equal(ts_pq_close(w, &rows, &err), 0);
    assert_int_equal(ts_pq_column_sum(path, "v", &sum, NULL, &err), 0);
    assert_int_equal(sum, want);
}

static void test_open_refuses_bad_schemas(void **state)
{
    struct dir *d = *state;
    static const struct ts_pq_column dup[] = {{"a", TS_PQ_INT64, false}, {"a", TS_PQ_BOOL, false}};
    static const struct ts_pq_column empty_name[] = {{"", TS_PQ_INT64, false}};
    static const struct ts_pq_column null_name[] = {{NULL, TS_PQ_INT64, false}};
    static const struct ts_pq_column bad_type[] = {{"a", (enum ts_pq_type)99, false}};
    static const struct ts_pq_column ok[] = {{"a", TS_PQ_INT64, false}};
    static const struct {
        const char *name;
        const struct ts_pq_column *cols;
        int ncols;
        size_t rg;
        const char *want_msg;
    } cases[] = {
        {"no columns", ok, 0, 10, "1 to 1024 columns"},
        {"too many columns", ok, TS_PQ_MAX_COLUMNS + 1, 10, "1 to 1024 columns"},
        {"a column twice", dup, 2, 10, "column 'a' appears twice"},
        {"an empty name", empty_name, 1, 10, "column 0 needs a name"},
        {"a NULL name", null_name, 1, 10, "column 0 needs a name"},
        {"an unknown type", bad_type, 1, 10, "unknown type 99"},
        {"row groups of 0", ok, 1, 0, "row group size 0"},
        {"row groups too big", ok, 1, (size_t)TS_PQ_MAX_ROW_GROUP_ROWS + 1, "row group size"},
    };
    int failures = 0;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_err err = TS_ERR_INIT;
        struct ts_pq_writer *w = (struct ts_pq_writer *)&err;
        int rc = ts_pq_open(&w, dir_file(d, "x.parquet"), cases[i].cols, cases[i].ncols,
                            cases[i].rg, &err);
        EXPECT(rc == TS_EINVAL, cases[i].name, "open gave %d", rc);
        EXPECT(w == NULL, cases[i].name, "%s", "writer not NULL");
        EXPECT(strstr(err.msg, cases[i].want_msg) != NULL, cases[i].name, "message \"%s\"",
               err.msg);
    }
    assert_int_equal(dir_entries(d), 0);
    assert_int_equal(failures, 0);
}

static void test_unwritable_path_fails_clearly_and_leaves_nothing(void **state)
{
    struct dir *d = *state;
    static const struct ts_pq_column cols[] = {{"a", TS_PQ_INT64, false}};
    struct ts_err err = TS_ERR_INIT;
    struct ts_pq_writer *w;
    char path[192];
    int64_t rows = -1;

    /* A directory that does not exist. */
    snprintf(path, sizeof(path), "%s/no/such/dir/x.parquet", d->path);
    assert_int_equal(ts_pq_open(&w, path, cols, 1, 10, &err), TS_EIO);
    assert_null(w);
    assert_non_null(strstr(err.msg, "cannot create"));
    assert_non_null(strstr(err.msg, "x.parquet.partial"));
    assert_non_null(strstr(err.msg, "No such file or directory"));

    /* A parent that is a regular file. */
    int fd = open(dir_file(d, "plain"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    close(fd);
    snprintf(path, sizeof(path), "%s/plain/x.parquet", d->path);
    assert_int_equal(ts_pq_open(&w, path, cols, 1, 10, &err), TS_EIO);
    assert_non_null(strstr(err.msg, "Not a directory"));
    unlink(dir_file(d, "plain"));
    assert_int_equal(dir_entries(d), 0);

    /* The final name is taken by a directory: close fails at the rename, nothing is left
     * but that directory, and it is untouched. */
    const char *target = dir_file(d, "taken.parquet");
    assert_int_equal(mkdir(target, 0755), 0);
    assert_int_equal(ts_pq_open(&w, target, cols, 1, 10, &err), 0);
    ts_pq_set_int64(w, 0, 1);
    assert_int_equal(ts_pq_end_row(w, &err), 0);
    assert_int_equal(ts_pq_close(w, &rows, &err), TS_EIO);
    assert_int_equal(rows, -1);
    assert_non_null(strstr(err.msg, "cannot write parquet file"));
    assert_non_null(strstr(err.msg, "cannot rename"));
    assert_int_equal(dir_entries(d), 1);
    assert_int_equal(rmdir(dir_file(d, "taken.parquet")), 0);
}

static void test_file_appears_only_when_closed_and_abort_leaves_nothing(void **state)
{
    struct dir *d = *state;
    static const struct ts_pq_column cols[] = {{"a", TS_PQ_INT64, false}};
    struct ts_err err = TS_ERR_INIT;
    struct ts_pq_writer *w;
    char path[160], partial[176];
    int64_t rows = -1;

    snprintf(path, sizeof(path), "%s/f.parquet", d->path);
    snprintf(partial, sizeof(partial), "%s.partial", path);

    assert_int_equal(ts_pq_open(&w, path, cols, 1, 2, &err), 0);
    for (int i = 0; i < 5; i++) {
        ts_pq_set_int64(w, 0, i);
        assert_int_equal(ts_pq_end_row(w, &err), 0);
    }
    assert_false(exists(path));
    assert_true(exists(partial));
    ts_pq_abort(w);
    assert_int_equal(dir_entries(d), 0);
    ts_pq_abort(NULL);

    /* A complete file replaces an older one at the same path. */
    for (int round = 1; round <= 2; round++) {
        assert_int_equal(ts_pq_open(&w, path, cols, 1, 2, &err), 0);
        for (int i = 0; i < round * 3; i++) {
            ts_pq_set_int64(w, 0, i);
            assert_int_equal(ts_pq_end_row(w, &err), 0);
        }
        assert_int_equal(ts_pq_close(w, &rows, &err), 0);
        assert_int_equal(rows, round * 3);
    }
    assert_int_equal(ts_pq_verify(path, &rows, &err), 0);
    assert_int_equal(rows, 6);
    assert_int_equal(dir_entries(d), 1);
}

/* Writes a small valid file and returns its bytes (caller frees). */
static uint8_t *small_file(struct dir *d, const char *path, size_t *len)
{
    static const struct ts_pq_column cols[] = {{"a", TS_PQ_INT64, true},
                                               {"s", TS_PQ_STRING, false}};
    struct ts_err err = TS_ERR_INIT;
    struct ts_pq_writer *w;
    int64_t rows;
    struct stat st;
    (void)d;

    assert_int_equal(ts_pq_open(&w, path, cols, 2, 4, &err), 0);
    for (int i = 0; i < 10; i++) {
        ts_pq_set_int64(w, 0, i);
        ts_pq_set_string(w, 1, "abc", 3);
        assert_int_equal(ts_pq_end_row(w, &err), 0);
    }
    assert_int_equal(ts_pq_close(w, &rows, &err), 0);
    assert_int_equal(stat(path, &st), 0);
    uint8_t *buf = ts_xmalloc((size_t)st.st_size);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
    close(fd);
    *len = (size_t)st.st_size;
    return buf;
}

static void put_file(const char *path, const uint8_t *p, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, p, len), (ssize_t)len);
    close(fd);
}

static void test_verify_refuses_damaged_files(void **state)
{
    struct dir *d = *state;
    char good[160], bad[160];
    size_t len;
    snprintf(good, sizeof(good), "%s/good.parquet", d->path);
    snprintf(bad, sizeof(bad), "%s/bad.parquet", d->path);
    uint8_t *orig = small_file(d, good, &len);
    uint8_t *copy = ts_xmalloc(len);
    uint32_t flen = (uint32_t)orig[len - 8] | (uint32_t)orig[len - 7] << 8 |
                    (uint32_t)orig[len - 6] << 16 | (uint32_t)orig[len - 5] << 24;
    enum {
        TRUNC_1,
        TRUNC_HALF,
        HEAD_MAGIC,
        TAIL_MAGIC,
        FLEN_HUGE,
        FLEN_ZERO,
        FOOTER_CUT,
        FOOTER_ZEROS,
        PAGE_FLIP,
        EMPTY
    };
    static const struct {
        const char *name;
        int how;
        const char *want_msg;
        bool sum_only; /* only the page decoding of ts_pq_column_sum can see it */
    } cases[] = {
        {"the last byte cut", TRUNC_1, "no PAR1 magic", false},
        {"half the file cut", TRUNC_HALF, "no PAR1 magic", false},
        {"a wrong leading magic", HEAD_MAGIC, "no PAR1 magic", false},
        {"a wrong trailing magic", TAIL_MAGIC, "no PAR1 magic", false},
        {"a footer length beyond the file", FLEN_HUGE, "footer length", false},
        {"a footer length of zero", FLEN_ZERO, "footer length", false},
        {"a footer missing its first bytes", FOOTER_CUT, "not a valid parquet file", false},
        {"a footer of zeros", FOOTER_ZEROS, "footer lacks", false},
        {"a flipped byte in a page", PAGE_FLIP, "not a valid parquet file", true},
        {"an empty file", EMPTY, "too short", false},
    };
    int failures = 0;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_err err = TS_ERR_INIT;
        size_t n = len;
        int64_t rows = -1;
        uint64_t sum;
        memcpy(copy, orig, len);
        switch (cases[i].how) {
        case TRUNC_1:
            n = len - 1;
            break;
        case TRUNC_HALF:
            n = len / 2;
            break;
        case HEAD_MAGIC:
            copy[0] = 'X';
            break;
        case TAIL_MAGIC:
            copy[len - 1] = 'X';
            break;
        case FLEN_HUGE:
            copy[len - 5] = 0x7f;
            break;
        case FLEN_ZERO:
            memset(copy + len - 8, 0, 4);
            break;
        case FOOTER_CUT: /* the footer starts 3 bytes later than it does */
            copy[len - 8] = (uint8_t)(flen - 3);
            copy[len - 7] = (uint8_t)((flen - 3) >> 8);
            break;
        case FOOTER_ZEROS:
            memset(copy + len - 8 - flen, 0, flen);
            break;
        case PAGE_FLIP: /* inside the first page's compressed body */
            copy[30] ^= 0x55;
            break;
        case EMPTY:
            n = 0;
            break;
        }
        put_file(bad, copy, n);
        int rc = cases[i].sum_only ? ts_pq_column_sum(bad, "a", &sum, NULL, &err)
                                   : ts_pq_verify(bad, &rows, &err);
        EXPECT(rc == TS_ECHECKSUM, cases[i].name, "gave %d (%s)", rc, err.msg);
        EXPECT(strstr(err.msg, cases[i].want_msg) != NULL, cases[i].name, "message \"%s\"",
               err.msg);
        EXPECT(strstr(err.msg, "bad.parquet") != NULL, cases[i].name, "message \"%s\"", err.msg);
    }

    struct ts_err err = TS_ERR_INIT;
    int64_t rows;
    uint64_t sum;
    assert_int_equal(ts_pq_verify(dir_file(d, "missing.parquet"), &rows, &err), TS_EIO);
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_int_equal(ts_pq_column_sum(good, "s", &sum, NULL, &err), TS_ENOTFOUND);
    assert_int_equal(ts_pq_column_sum(good, "nope", &sum, NULL, &err), TS_ENOTFOUND);
    assert_int_equal(ts_pq_verify(good, &rows, &err), 0);
    assert_int_equal(rows, 10);
    ts_free(copy);
    ts_free(orig);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, dir_setup, dir_teardown)
        T(test_every_type_with_nulls_over_many_row_groups_reads_back),
        T(test_nulls_in_every_pattern_keep_their_places),
        T(test_file_with_zero_rows_is_valid),
        T(test_long_empty_and_utf8_strings_are_kept),
        T(test_rows_with_bad_data_are_dropped_and_the_writer_goes_on),
        T(test_int64_extremes_sum_modulo_2_64),
        T(test_open_refuses_bad_schemas),
        T(test_unwritable_path_fails_clearly_and_leaves_nothing),
        T(test_file_appears_only_when_closed_and_abort_leaves_nothing),
        T(test_verify_refuses_damaged_files),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
