/*
 * parquet.c - the Parquet writer: rows into row groups, row groups into column chunks,
 * and the file around them. See parquet.h for what is written.
 *
 * Layout of a file (parquet-format, README "File format"):
 *
 *     "PAR1" | rowgroup 0: chunk col 0 | chunk col 1 | ... | rowgroup 1 ... |
 *     FileMetaData (Thrift Compact Protocol) | footer length (u32 LE) | "PAR1"
 *
 * Each chunk here is one v1 data page: a Thrift PageHeader, then the page body compressed
 * with zstd as one frame. The file is written as "<path>.partial" and renamed when
 * complete, so a reader never sees a partial file at path.
 *
 * The other parts, declared in capture/internal.h: parquet_column.c (a column's values,
 * statistics and page body), parquet_thrift.c (the Thrift Compact Protocol),
 * parquet_read.c (ts_pq_verify, ts_pq_column_sum).
 */
#include "capture/parquet.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "capture/internal.h"
#include "core/utf8.h"
#include "core/mem.h"

#define PQ_DEC_PRECISION 18
#define PQ_DEC_SCALE 8
#define PQ_CREATED_BY "tradingsystem"

/* ---------------------------------------------------------------------------------------- */
/* The writer */

struct pq_chunk {        /* one column chunk written, for the footer */
    int64_t offset;      /* of its page header in the file */
    int64_t comp_size;   /* header + compressed body, bytes */
    int64_t uncomp_size; /* header + uncompressed body, bytes */
    int64_t nulls;
    int64_t min, max; /* INT64-based columns, valid when has_minmax */
    bool has_minmax;
    /* STRING, when has_sminmax */
    uint8_t smin[TS_PQ__MAX_STRING_STAT], smax[TS_PQ__MAX_STRING_STAT];
    uint8_t smin_len, smax_len;
    bool has_sminmax;
};

struct pq_group { /* one row group written */
    int64_t rows;
    struct pq_chunk *chunks; /* ncols, owned */
};

struct ts_pq_writer {
    char *path;     /* owned: the final name */
    char *tmp_path; /* owned: "<path>.partial", what fd writes */
    int fd;         /* -1 once closed */
    int64_t off;    /* bytes written to fd */
    int ncols;
    struct ts_pq__col *cols; /* ncols, owned */
    size_t rg_rows_max;      /* rows per row group */
    size_t rg_rows;          /* rows buffered in the current row group */
    int64_t rows;            /* rows accepted, all row groups */
    struct pq_group *groups; /* written row groups, owned */
    size_t ngroups, groups_cap;
    ZSTD_CCtx *zc;       /* owned */
    struct ts_buf page;  /* scratch: uncompressed page body */
    struct ts_buf zpage; /* scratch: compressed page body */
    struct ts_buf hdr;   /* scratch: page header, then the footer */
    bool failed;         /* an I/O error happened: only close/abort remain */
};

static void writer_free(struct ts_pq_writer *w)
{
    if (w->fd >= 0) {
        close(w->fd);
    }
    for (int i = 0; i < w->ncols; i++) {
        ts_pq__col_release(&w->cols[i]);
    }
    for (size_t g = 0; g < w->ngroups; g++) {
        ts_free(w->groups[g].chunks);
    }
    ts_free(w->groups);
    ts_free(w->cols);
    ZSTD_freeCCtx(w->zc);
    ts_buf_release(&w->page);
    ts_buf_release(&w->zpage);
    ts_buf_release(&w->hdr);
    ts_free(w->path);
    ts_free(w->tmp_path);
    ts_free(w);
}

void ts_pq_abort(struct ts_pq_writer *w)
{
    if (!w) {
        return;
    }
    if (w->fd >= 0) {
        close(w->fd);
        w->fd = -1;
        unlink(w->tmp_path);
    }
    writer_free(w);
}

static int write_all(struct ts_pq_writer *w, const void *data, size_t n, struct ts_err *err)
{
    const char *p = data;
    while (n > 0) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            return ts_err_set(err, TS_EIO, "cannot write '%s': %s", w->tmp_path, strerror(errno));
        }
        p += k;
        n -= (size_t)k;
        w->off += k;
    }
    return 0;
}

static int check_columns(const struct ts_pq_column *cols, int ncols, struct ts_err *err)
{
    if (!cols || ncols < 1 || ncols > TS_PQ_MAX_COLUMNS) {
        return ts_err_set(err, TS_EINVAL, "a parquet file needs 1 to %d columns, not %d",
                          TS_PQ_MAX_COLUMNS, ncols);
    }
    for (int i = 0; i < ncols; i++) {
        const char *name = cols[i].name;
        size_t len = name ? strlen(name) : 0;
        if (len == 0 || len > TS_PQ_MAX_NAME || !ts_utf8_valid(name, len)) {
            return ts_err_set(err, TS_EINVAL, "column %d needs a name of 1 to %d bytes of UTF-8", i,
                              TS_PQ_MAX_NAME);
        }
        switch (cols[i].type) {
        case TS_PQ_INT64:
        case TS_PQ_TIMESTAMP_US:
        case TS_PQ_DECIMAL:
        case TS_PQ_STRING:
        case TS_PQ_BOOL:
            break;
        default:
            return ts_err_set(err, TS_EINVAL, "column '%s' has an unknown type %d", name,
                              (int)cols[i].type);
        }
        for (int j = 0; j < i; j++) {
            if (strcmp(cols[j].name, name) == 0) {
                return ts_err_set(err, TS_EINVAL, "column '%s' appears twice", name);
            }
        }
    }
    return 0;
}

int ts_pq_open(struct ts_pq_writer **wp, const char *path, const struct ts_pq_column *cols,
               int ncols, size_t row_group_rows, struct ts_err *err)
{
    struct ts_pq_writer *w;
    struct ts_buf tmp = TS_BUF_INIT;
    int rc;

    *wp = NULL;
    if (!path || !*path) {
        return ts_err_set(err, TS_EINVAL, "a parquet file needs a path");
    }
    if ((rc = check_columns(cols, ncols, err)) != 0) {
        return rc;
    }
    if (row_group_rows < 1 || row_group_rows > TS_PQ_MAX_ROW_GROUP_ROWS) {
        return ts_err_set(err, TS_EINVAL, "row group size %zu is not within 1..%d", row_group_rows,
                          TS_PQ_MAX_ROW_GROUP_ROWS);
    }

    w = ts_xcalloc(1, sizeof(*w));
    w->fd = -1;
    w->path = ts_xstrdup(path);
    ts_buf_addf(&tmp, "%s.partial", path);
    w->tmp_path = ts_buf_detach(&tmp, NULL);
    w->ncols = ncols;
    w->cols = ts_xcalloc((size_t)ncols, sizeof(*w->cols));
    for (int i = 0; i < ncols; i++) {
        ts_pq__col_init(&w->cols[i], &cols[i]);
    }
    w->rg_rows_max = row_group_rows;
    ts_buf_init(&w->page);
    ts_buf_init(&w->zpage);
    ts_buf_init(&w->hdr);
    w->zc = ZSTD_createCCtx();
    if (!w->zc) {
        ts_pq_abort(w);
        return ts_err_set(err, TS_ENOMEM, "cannot create a zstd context");
    }

    w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        rc = ts_err_set(err, TS_EIO, "cannot create '%s': %s", w->tmp_path, strerror(errno));
        ts_pq_abort(w);
        return rc;
    }
    if ((rc = write_all(w, TS_PQ__MAGIC, 4, err)) != 0) {
        ts_pq_abort(w);
        return rc;
    }
    *wp = w;
    return 0;
}

static struct ts_pq__col *col_for(struct ts_pq_writer *w, int col)
{
    assert(w && col >= 0 && col < w->ncols);
    struct ts_pq__col *c = &w->cols[col];
    ts_buf_truncate(&c->vals, c->row_mark); /* forget a value set earlier in this row */
    return c;
}

void ts_pq_set_int64(struct ts_pq_writer *w, int col, int64_t v)
{
    struct ts_pq__col *c = col_for(w, col);
    assert(ts_pq__is_int64_type(c->type));
    c->cur = v;
    c->cell = TS_PQ__CELL_VALUE;
}

void ts_pq_set_bool(struct ts_pq_writer *w, int col, bool b)
{
    struct ts_pq__col *c = col_for(w, col);
    assert(c->type == TS_PQ_BOOL);
    c->cur = b;
    c->cell = TS_PQ__CELL_VALUE;
}

void ts_pq_set_null(struct ts_pq_writer *w, int col)
{
    struct ts_pq__col *c = col_for(w, col);
    c->cell = TS_PQ__CELL_NULL;
}

void ts_pq_set_string(struct ts_pq_writer *w, int col, const char *s, size_t len)
{
    struct ts_pq__col *c = col_for(w, col);
    assert(c->type == TS_PQ_STRING);
    assert(s || len == 0);
    ts_pq__col_set_string(c, s, len);
}

/* The page header of a v1 data page (parquet.thrift PageHeader, DataPageHeader). */
static void write_page_header(struct ts_buf *b, size_t uncomp, size_t comp, size_t nvalues)
{
    struct ts_pq__tcw t;
    ts_pq__tcw_init(&t, b);
    ts_pq__tcw_i32(&t, 1, TS_PQ__PAGE_DATA);
    ts_pq__tcw_i32(&t, 2, (int32_t)uncomp);
    ts_pq__tcw_i32(&t, 3, (int32_t)comp);
    ts_pq__tcw_field_struct(&t, 5);
    ts_pq__tcw_i32(&t, 1, (int32_t)nvalues);
    ts_pq__tcw_i32(&t, 2, TS_PQ__ENC_PLAIN);
    ts_pq__tcw_i32(&t, 3, TS_PQ__ENC_RLE);
    ts_pq__tcw_i32(&t, 4, TS_PQ__ENC_RLE);
    ts_pq__tcw_struct_end(&t);
    ts_pq__buf_byte(b, TS_PQ__TC_STOP);
}

/* Compresses column c's page of the buffered rows and writes it, recording it in ch. */
static int write_chunk(struct ts_pq_writer *w, const struct ts_pq__col *c, struct pq_chunk *ch,
                       struct ts_err *err)
{
    int rc;

    ts_pq__col_page(c, &w->page);
    if (w->page.len > INT32_MAX) { /* kept below by TS_PQ_MAX_CHUNK_BYTES */
        return ts_err_set(err, TS_ERANGE, "page of column '%s' is %zu bytes", c->name, w->page.len);
    }
    size_t bound = ZSTD_compressBound(w->page.len);
    ts_buf_reset(&w->zpage);
    ts_buf_grow(&w->zpage, bound);
    size_t zn =
        ZSTD_compressCCtx(w->zc, w->zpage.buf, bound, w->page.buf, w->page.len, TS_PQ_ZSTD_LEVEL);
    if (ZSTD_isError(zn)) {
        return ts_err_set(err, TS_EIO, "cannot compress column '%s': %s", c->name,
                          ZSTD_getErrorName(zn));
    }
    if (zn > INT32_MAX) {
        return ts_err_set(err, TS_ERANGE, "compressed page of column '%s' is %zu bytes", c->name,
                          zn);
    }
    ts_buf_reset(&w->hdr);
    write_page_header(&w->hdr, w->page.len, zn, w->rg_rows);

    ch->offset = w->off;
    if ((rc = write_all(w, w->hdr.buf, w->hdr.len, err)) != 0 ||
        (rc = write_all(w, w->zpage.buf, zn, err)) != 0) {
        return rc;
    }
    ch->comp_size = (int64_t)(w->hdr.len + zn);
    ch->uncomp_size = (int64_t)(w->hdr.len + w->page.len);
    ch->nulls = c->nulls;
    ch->min = c->min;
    ch->max = c->max;
    ch->has_minmax = c->has_minmax;
    ch->has_sminmax = c->sstats == TS_PQ__SS_KEPT;
    memcpy(ch->smin, c->smin, c->smin_len);
    memcpy(ch->smax, c->smax, c->smax_len);
    ch->smin_len = c->smin_len;
    ch->smax_len = c->smax_len;
    return 0;
}

static int flush_row_group(struct ts_pq_writer *w, struct ts_err *err)
{
    struct pq_group *g;
    int rc;

    if (w->rg_rows == 0) {
        return 0;
    }
    if (w->ngroups == w->groups_cap) {
        w->groups_cap = w->groups_cap ? 2 * w->groups_cap : 8;
        w->groups = ts_xreallocarray(w->groups, w->groups_cap, sizeof(*w->groups));
    }
    g = &w->groups[w->ngroups++];
    g->rows = (int64_t)w->rg_rows;
    g->chunks = ts_xcalloc((size_t)w->ncols, sizeof(*g->chunks));

    for (int i = 0; i < w->ncols; i++) {
        if ((rc = write_chunk(w, &w->cols[i], &g->chunks[i], err)) != 0) {
            return rc;
        }
        ts_pq__col_reset(&w->cols[i]);
    }
    w->rg_rows = 0;
    return 0;
}

int ts_pq_end_row(struct ts_pq_writer *w, struct ts_err *err)
{
    bool cut = false;

    assert(w);
    if (w->failed) {
        return ts_err_set(err, TS_ESTATE, "parquet file '%s' already failed", w->path);
    }
    for (int i = 0; i < w->ncols; i++) {
        const char *why = ts_pq__col_problem(&w->cols[i]);
        if (why) {
            int rc = ts_err_set(err, TS_EINVAL, "row %lld dropped: column '%s' %s",
                                (long long)w->rows, w->cols[i].name, why);
            for (int j = 0; j < w->ncols; j++) {
                ts_pq__col_drop_row(&w->cols[j]);
            }
            return rc;
        }
    }
    for (int i = 0; i < w->ncols; i++) {
        ts_pq__col_end_row(&w->cols[i]);
        cut |= w->cols[i].vals.len >= TS_PQ_MAX_CHUNK_BYTES;
    }
    w->rows++;
    if (++w->rg_rows == w->rg_rows_max || cut) {
        int rc = flush_row_group(w, err);
        if (rc != 0) {
            w->failed = true;
            return ts_err_wrap(err, "cannot write parquet file '%s'", w->path);
        }
    }
    return 0;
}

int64_t ts_pq_rows(const struct ts_pq_writer *w)
{
    return w->rows;
}

static void write_schema_element(struct ts_pq__tcw *t, const struct ts_pq__col *c)
{
    ts_pq__tcw_struct_begin(t);
    ts_pq__tcw_i32(t, 1, ts_pq__physical_type(c->type));
    ts_pq__tcw_i32(t, 3, c->nullable ? TS_PQ__OPTIONAL : TS_PQ__REQUIRED);
    ts_pq__tcw_bin(t, 4, c->name, strlen(c->name));
    switch (c->type) {
    case TS_PQ_STRING:
        ts_pq__tcw_i32(t, 6, TS_PQ__CT_UTF8);
        ts_pq__tcw_field_struct(t, 10);
        ts_pq__tcw_field_struct(t, TS_PQ__LT_STRING);
        ts_pq__tcw_struct_end(t);
        ts_pq__tcw_struct_end(t);
        break;
    case TS_PQ_DECIMAL:
        ts_pq__tcw_i32(t, 6, TS_PQ__CT_DECIMAL);
        ts_pq__tcw_i32(t, 7, PQ_DEC_SCALE);
        ts_pq__tcw_i32(t, 8, PQ_DEC_PRECISION);
        ts_pq__tcw_field_struct(t, 10);
        ts_pq__tcw_field_struct(t, TS_PQ__LT_DECIMAL);
        ts_pq__tcw_i32(t, 1, PQ_DEC_SCALE);
        ts_pq__tcw_i32(t, 2, PQ_DEC_PRECISION);
        ts_pq__tcw_struct_end(t);
        ts_pq__tcw_struct_end(t);
        break;
    case TS_PQ_TIMESTAMP_US:
        ts_pq__tcw_i32(t, 6, TS_PQ__CT_TIMESTAMP_MICROS);
        ts_pq__tcw_field_struct(t, 10);
        ts_pq__tcw_field_struct(t, TS_PQ__LT_TIMESTAMP);
        ts_pq__tcw_bool(t, 1, true);
        ts_pq__tcw_field_struct(t, 2);
        ts_pq__tcw_field_struct(t, TS_PQ__UNIT_MICROS);
        ts_pq__tcw_struct_end(t);
        ts_pq__tcw_struct_end(t);
        ts_pq__tcw_struct_end(t);
        ts_pq__tcw_struct_end(t);
        break;
    case TS_PQ_INT64:
    case TS_PQ_BOOL:
        break;
    }
    ts_pq__tcw_struct_end(t);
}

static void write_column_chunk(struct ts_pq__tcw *t, const struct ts_pq__col *c,
                               const struct pq_chunk *ch, int64_t rows)
{
    uint8_t v[8];

    ts_pq__tcw_struct_begin(t);
    ts_pq__tcw_i64(t, 2, ch->offset);
    ts_pq__tcw_field_struct(t, 3); /* ColumnMetaData */
    ts_pq__tcw_i32(t, 1, ts_pq__physical_type(c->type));
    ts_pq__tcw_list(t, 2, TS_PQ__TC_I32, 2);
    ts_pq__tcw_zz(t, TS_PQ__ENC_PLAIN);
    ts_pq__tcw_zz(t, TS_PQ__ENC_RLE);
    ts_pq__tcw_list(t, 3, TS_PQ__TC_BINARY, 1);
    ts_pq__tcw_bin_value(t, c->name, strlen(c->name));
    ts_pq__tcw_i32(t, 4, TS_PQ__CODEC_ZSTD);
    ts_pq__tcw_i64(t, 5, rows);
    ts_pq__tcw_i64(t, 6, ch->uncomp_size);
    ts_pq__tcw_i64(t, 7, ch->comp_size);
    ts_pq__tcw_i64(t, 9, ch->offset);
    ts_pq__tcw_field_struct(t, 12); /* Statistics */
    ts_pq__tcw_i64(t, 3, ch->nulls);
    if (ch->has_minmax) {
        ts_pq__put_le64(v, (uint64_t)ch->max);
        ts_pq__tcw_bin(t, 5, v, 8);
        ts_pq__put_le64(v, (uint64_t)ch->min);
        ts_pq__tcw_bin(t, 6, v, 8);
    } else if (ch->has_sminmax) {
        ts_pq__tcw_bin(t, 5, ch->smax, ch->smax_len);
        ts_pq__tcw_bin(t, 6, ch->smin, ch->smin_len);
    }
    if (ch->has_minmax || ch->has_sminmax) {
        ts_pq__tcw_bool(t, 7, true);
        ts_pq__tcw_bool(t, 8, true);
    }
    ts_pq__tcw_struct_end(t); /* Statistics */
    ts_pq__tcw_struct_end(t); /* ColumnMetaData */
    ts_pq__tcw_struct_end(t); /* ColumnChunk */
}

/* FileMetaData (parquet.thrift) into b. */
static void write_footer(struct ts_pq_writer *w, struct ts_buf *b)
{
    struct ts_pq__tcw t;

    ts_pq__tcw_init(&t, b);
    ts_pq__tcw_i32(&t, 1, 1); /* version */
    ts_pq__tcw_list(&t, 2, TS_PQ__TC_STRUCT, (size_t)w->ncols + 1);
    ts_pq__tcw_struct_begin(&t); /* the root */
    ts_pq__tcw_bin(&t, 4, "schema", 6);
    ts_pq__tcw_i32(&t, 5, w->ncols);
    ts_pq__tcw_struct_end(&t);
    for (int i = 0; i < w->ncols; i++) {
        write_schema_element(&t, &w->cols[i]);
    }
    ts_pq__tcw_i64(&t, 3, w->rows);
    ts_pq__tcw_list(&t, 4, TS_PQ__TC_STRUCT, w->ngroups);
    for (size_t g = 0; g < w->ngroups; g++) {
        const struct pq_group *gr = &w->groups[g];
        int64_t uncomp = 0, comp = 0;
        ts_pq__tcw_struct_begin(&t);
        ts_pq__tcw_list(&t, 1, TS_PQ__TC_STRUCT, (size_t)w->ncols);
        for (int i = 0; i < w->ncols; i++) {
            write_column_chunk(&t, &w->cols[i], &gr->chunks[i], gr->rows);
            uncomp += gr->chunks[i].uncomp_size;
            comp += gr->chunks[i].comp_size;
        }
        ts_pq__tcw_i64(&t, 2, uncomp);
        ts_pq__tcw_i64(&t, 3, gr->rows);
        ts_pq__tcw_i64(&t, 5, gr->chunks[0].offset);
        ts_pq__tcw_i64(&t, 6, comp);
        if (g <= INT16_MAX) {
            ts_pq__tcw_i16(&t, 7, (int16_t)g);
        }
        ts_pq__tcw_struct_end(&t);
    }
    ts_pq__tcw_bin(&t, 6, PQ_CREATED_BY, strlen(PQ_CREATED_BY));
    ts_pq__tcw_list(&t, 7, TS_PQ__TC_STRUCT, (size_t)w->ncols); /* column_orders: TYPE_ORDER each */
    for (int i = 0; i < w->ncols; i++) {
        ts_pq__tcw_struct_begin(&t);
        ts_pq__tcw_field_struct(&t, 1);
        ts_pq__tcw_struct_end(&t);
        ts_pq__tcw_struct_end(&t);
    }
    ts_pq__buf_byte(b, TS_PQ__TC_STOP);
    assert(t.depth == 0);
}

static int fsync_dir_of(const char *path, struct ts_err *err)
{
    char *copy = ts_xstrdup(path);
    const char *dir = dirname(copy);
    int rc = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        rc = ts_err_set(err, TS_EIO, "cannot sync directory '%s': %s", dir, strerror(errno));
    }
    if (fd >= 0) {
        close(fd);
    }
    ts_free(copy);
    return rc;
}

int ts_pq_close(struct ts_pq_writer *w, int64_t *rows, struct ts_err *err)
{
    uint8_t tail[8];
    int rc;

    assert(w);
    if (w->failed) {
        rc = ts_err_set(err, TS_ESTATE, "parquet file '%s' already failed", w->path);
        goto fail;
    }
    for (int i = 0; i < w->ncols; i++) { /* drop a row set but not ended */
        ts_pq__col_drop_row(&w->cols[i]);
    }
    if ((rc = flush_row_group(w, err)) != 0) {
        goto fail_wrap;
    }
    ts_buf_reset(&w->hdr);
    write_footer(w, &w->hdr);
    if (w->hdr.len > UINT32_MAX) {
        rc = ts_err_set(err, TS_ERANGE, "footer of %zu bytes", w->hdr.len);
        goto fail_wrap;
    }
    ts_pq__put_le32(tail, (uint32_t)w->hdr.len);
    memcpy(tail + 4, TS_PQ__MAGIC, 4);
    if ((rc = write_all(w, w->hdr.buf, w->hdr.len, err)) != 0 ||
        (rc = write_all(w, tail, 8, err)) != 0) {
        goto fail_wrap;
    }
    if (fsync(w->fd) != 0) {
        rc = ts_err_set(err, TS_EIO, "cannot sync '%s': %s", w->tmp_path, strerror(errno));
        goto fail_wrap;
    }
    rc = close(w->fd);
    w->fd = -1;
    if (rc != 0) {
        rc = ts_err_set(err, TS_EIO, "cannot close '%s': %s", w->tmp_path, strerror(errno));
        unlink(w->tmp_path);
        goto fail_wrap;
    }
    if (rename(w->tmp_path, w->path) != 0) {
        rc = ts_err_set(err, TS_EIO, "cannot rename '%s' to '%s': %s", w->tmp_path, w->path,
                        strerror(errno));
        unlink(w->tmp_path);
        goto fail_wrap;
    }
    /* The file is complete at path; a failure to sync the directory still reports. */
    if ((rc = fsync_dir_of(w->path, err)) != 0) {
        goto fail_wrap_done;
    }
    if (rows) {
        *rows = w->rows;
    }
    writer_free(w);
    return 0;

fail_wrap_done:
    unlink(w->path);
fail_wrap:
    ts_err_wrap(err, "cannot write parquet file '%s'", w->path);
fail:
    ts_pq_abort(w);
    return rc;
}
