/*
 * export.c - Parquet export of a time range (archive.h), for `tradingsystem export
 * parquet` and retention (docs/operations.md "Export", "Retention"): the rows of a
 * time-partitioned table whose partition key is in [from, to), in key order, into a
 * Parquet file written by capture/parquet.h, then read back and checked.
 *
 * Any range-partitioned table of a module database can be exported: its columns are read
 * from the catalog and mapped to Parquet types (integers INT64, timestamps TIMESTAMP UTC
 * micros, numeric DECIMAL(18,8) exactly, booleans BOOLEAN, everything else its text as
 * STRING). Names in the SQL come from the catalog through quote_ident(); the times are
 * bound parameters. Rows are read with a cursor in one read-only REPEATABLE READ
 * transaction, FETCH_ROWS at a time, so memory stays at one row group.
 *
 * The check after writing: the file's row count (footer) equals the rows read, and for
 * every INT64-based column the sum of the values read back from the file equals the sum
 * of the values written (mod 2^64). A failed export leaves no file.
 */
#include "capture/archive.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/parquet.h"
#include "core/buf.h"
#include "core/dec.h"
#include "core/mem.h"
#include "core/tstime.h"

#define FETCH_ROWS "10000"
#define ROW_GROUP_ROWS (128 * 1024)

struct column {
    char *name; /* as in the table */
    enum ts_pq_type type;
    bool nullable;
    uint64_t sum; /* INT64-based types: sum of the values written, mod 2^64 */
};

struct job {
    const char *table, *from, *to, *out;
    char key[128]; /* partition key column, quoted */
    struct column *cols;
    int ncols;
    struct ts_buf select;
};

/* The partition key and the columns, from the catalog. TS_EINVAL: not exportable. */
static int describe(PGconn *c, struct job *j, struct ts_err *err)
{
    PGresult *r = NULL;
    const char *p[1] = {j->table};
    int rc = ts_db_exec(c, "read the table's partition key",
                        "SELECT pg_get_partkeydef(to_regclass($1)), to_regclass($1) IS NULL", 1, p,
                        &r, err);
    if (rc) {
        return rc;
    }
    if (!strcmp(ts_db_val(r, 0, 1), "t")) {
        rc = ts_err_set(err, TS_EINVAL, "no table %s", j->table);
    } else if (ts_db_isnull(r, 0, 0) || strncmp(ts_db_val(r, 0, 0), "RANGE (", 7) != 0 ||
               strchr(ts_db_val(r, 0, 0) + 7, ',')) {
        rc = ts_err_set(err, TS_EINVAL,
                        "%s is not partitioned by a time range: export takes the time-partitioned "
                        "tables (docs/schema.md)",
                        j->table);
    } else {
        const char *k = ts_db_val(r, 0, 0) + 7;
        snprintf(j->key, sizeof(j->key), "%.*s", (int)strcspn(k, ")"), k);
    }
    ts_db_clear(r);
    if (rc) {
        return rc;
    }
    rc = ts_db_exec(c, "read the table's columns",
                    "SELECT a.attname, t.typname, NOT a.attnotnull, quote_ident(a.attname),"
                    " coalesce(information_schema._pg_numeric_scale(a.atttypid, a.atttypmod), -1)"
                    " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                    " WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped"
                    " ORDER BY a.attnum",
                    1, p, &r, err);
    if (rc) {
        return rc;
    }
    j->ncols = ts_db_nrows(r);
    j->cols = ts_xcalloc((size_t)j->ncols, sizeof(*j->cols));
    ts_buf_adds(&j->select, "SELECT ");
    for (int i = 0; i < j->ncols && !rc; i++) {
        struct column *col = &j->cols[i];
        const char *type = ts_db_val(r, i, 1), *q = ts_db_val(r, i, 3);
        col->name = ts_xstrdup(ts_db_val(r, i, 0));
        col->nullable = !strcmp(ts_db_val(r, i, 2), "t");
        ts_buf_adds(&j->select, i ? ", " : "");
        if (!strcmp(type, "int8") || !strcmp(type, "int4") || !strcmp(type, "int2")) {
            col->type = TS_PQ_INT64;
            ts_buf_adds(&j->select, q);
        } else if (!strcmp(type, "timestamptz") || !strcmp(type, "timestamp")) {
            col->type = TS_PQ_TIMESTAMP_US;
            ts_buf_addf(&j->select, "(extract(epoch FROM %s) * 1000000)::int8", q);
        } else if (!strcmp(type, "numeric") && atoi(ts_db_val(r, i, 4)) >= 0 &&
                   atoi(ts_db_val(r, i, 4)) <= TS_DEC_PLACES) {
            col->type = TS_PQ_DECIMAL;
            ts_buf_addf(&j->select, "%s::text", q);
        } else if (!strcmp(type, "bool")) {
            col->type = TS_PQ_BOOL;
            ts_buf_adds(&j->select, q);
        } else {
            col->type = TS_PQ_STRING; /* text, varchar, uuid, jsonb, unbounded numeric... */
            ts_buf_addf(&j->select, "%s::text", q);
        }
    }
    ts_buf_addf(&j->select, " FROM %s WHERE %s >= $1 AND %s < $2 ORDER BY %s", j->table, j->key,
                j->key, j->key);
    ts_db_clear(r);
    return rc;
}

/* One fetched row into the writer. */
static int put_row(struct job *j, struct ts_pq_writer *w, const PGresult *r, int row,
                   struct ts_err *err)
{
    for (int i = 0; i < j->ncols; i++) {
        struct column *col = &j->cols[i];
        if (ts_db_isnull(r, row, i)) {
            ts_pq_set_null(w, i);
            continue;
        }
        const char *v = ts_db_val(r, row, i);
        size_t len = ts_db_len(r, row, i);
        int64_t x;
        switch (col->type) {
        case TS_PQ_INT64:
        case TS_PQ_TIMESTAMP_US:
            x = strtoll(v, NULL, 10);
            col->sum += (uint64_t)x;
            ts_pq_set_int64(w, i, x);
            break;
        case TS_PQ_DECIMAL:
            if (ts_dec_parse(v, len, &x)) {
                return ts_err_set(err, TS_EINVAL, "column %s: %s does not fit DECIMAL(18,8)",
                                  col->name, v);
            }
            col->sum += (uint64_t)x;
            ts_pq_set_int64(w, i, x);
            break;
        case TS_PQ_BOOL:
            ts_pq_set_bool(w, i, v[0] == 't');
            break;
        case TS_PQ_STRING:
            ts_pq_set_string(w, i, v, len);
            break;
        }
    }
    return ts_pq_end_row(w, err);
}

/* Reads the rows and writes the file; *rows is what was written. own_txn: in a
 * read-only snapshot of its own, else inside the caller's open transaction. */
static int write_file(PGconn *c, struct job *j, bool own_txn, int64_t *rows, struct ts_err *err)
{
    struct ts_pq_column *pc = ts_xcalloc((size_t)j->ncols, sizeof(*pc));
    for (int i = 0; i < j->ncols; i++) {
        pc[i] = (struct ts_pq_column){j->cols[i].name, j->cols[i].type, j->cols[i].nullable};
    }
    struct ts_pq_writer *w = NULL;
    int rc = ts_pq_open(&w, j->out, pc, j->ncols, ROW_GROUP_ROWS, err);
    ts_free(pc);
    if (rc) {
        return rc;
    }
    struct ts_buf decl = TS_BUF_INIT;
    ts_buf_addf(&decl, "DECLARE export_rows NO SCROLL CURSOR FOR %s", j->select.buf);
    const char *p[2] = {j->from, j->to};
    if (own_txn) {
        rc = ts_db_exec(c, "begin", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL,
                        NULL, err);
    }
    rc = rc ? rc : ts_db_exec(c, "open the rows", decl.buf, 2, p, NULL, err);
    ts_buf_release(&decl);
    for (;;) {
        PGresult *r = NULL;
        if (rc || (rc = ts_db_exec(c, "read rows", "FETCH " FETCH_ROWS " FROM export_rows", 0, NULL,
                                   &r, err))) {
            ts_db_clear(r);
            break;
        }
        int n = ts_db_nrows(r);
        for (int i = 0; i < n && !rc; i++) {
            rc = put_row(j, w, r, i, err);
        }
        ts_db_clear(r);
        if (n == 0) {
            break;
        }
    }
    if (ts_db_exec(c, "end", own_txn ? "COMMIT" : "CLOSE export_rows", 0, NULL, NULL, NULL)) {
    }
    if (rc) {
        ts_pq_abort(w);
        return rc;
    }
    return ts_pq_close(w, rows, err);
}

/* Reads the file back: rows and the sum of each INT64-based column. */
static int verify(struct job *j, int64_t rows, struct ts_err *err)
{
    int64_t got = 0;
    int rc = ts_pq_verify(j->out, &got, err);
    if (!rc && got != rows) {
        rc = ts_err_set(err, TS_EIO, "%s holds %" PRId64 " rows, %" PRId64 " were written", j->out,
                        got, rows);
    }
    for (int i = 0; i < j->ncols && !rc; i++) {
        struct column *col = &j->cols[i];
        uint64_t sum = 0;
        int64_t nonnull = 0;
        if (col->type == TS_PQ_STRING || col->type == TS_PQ_BOOL) {
            continue;
        }
        rc = ts_pq_column_sum(j->out, col->name, &sum, &nonnull, err);
        if (!rc && sum != col->sum) {
            rc = ts_err_set(err, TS_EIO, "%s: column %s reads back with another checksum", j->out,
                            col->name);
        }
    }
    if (rc) {
        remove(j->out);
    }
    return rc;
}

static void job_release(struct job *j)
{
    for (int i = 0; i < j->ncols; i++) {
        ts_free(j->cols[i].name);
    }
    ts_free(j->cols);
    ts_buf_release(&j->select);
}

int ts_cap_export_range(PGconn *c, const char *table, const char *from, const char *to,
                        const char *out, bool own_txn, int64_t *rows, struct ts_err *err)
{
    struct job j;
    memset(&j, 0, sizeof(j));
    j.table = table;
    j.from = from;
    j.to = to;
    j.out = out;
    ts_buf_init(&j.select);
    int rc = describe(c, &j, err);
    rc = rc ? rc : write_file(c, &j, own_txn, rows, err);
    rc = rc ? rc : verify(&j, *rows, err);
    job_release(&j);
    return rc;
}
