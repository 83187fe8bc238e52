/*
 * parquet.c - the Parquet writer and its verifier. See parquet.h for what is written.
 *
 * Layout of a file (parquet-format, README "File format"):
 *
 *     "PAR1" | rowgroup 0: chunk col 0 | chunk col 1 | ... | rowgroup 1 ... |
 *     FileMetaData (Thrift Compact Protocol) | footer length (u32 LE) | "PAR1"
 *
 * Each chunk here is one v1 data page: a Thrift PageHeader, then the page body compressed
 * with zstd as one frame. The uncompressed body is, for an OPTIONAL column, the definition
 * levels (u32 LE byte length, then the RLE/bit-packed hybrid at bit width 1), then the
 * non-null values in PLAIN encoding (INT64: 8 bytes LE; BYTE_ARRAY: u32 LE length and the
 * bytes; BOOLEAN: one bit per value, LSB first). REQUIRED columns have no levels.
 *
 * The Thrift Compact Protocol (thrift's doc/specs/thrift-compact-protocol.md), as far as
 * Parquet uses it: a struct is a sequence of fields ended by a 0 byte; a field header is
 * one byte, (id delta << 4) | type when the delta from the previous field id is 1..15, else
 * the type alone followed by the id as a zigzag varint; integers are zigzag ULEB128
 * varints; binary/string is a varint length and the bytes; a list header is
 * (size << 4) | element type for sizes below 15, else 0xF0 | type and a varint size; a bool
 * field carries its value in the type (1 true, 2 false); enums are i32.
 */
#include "capture/parquet.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "core/mem.h"

/* parquet.thrift enums, as numbered there. */
enum {
    PQ_BOOLEAN = 0,
    PQ_INT64 = 2,
    PQ_BYTE_ARRAY = 6,
};
enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1 };
enum { PQ_CT_UTF8 = 0, PQ_CT_DECIMAL = 5, PQ_CT_TIMESTAMP_MICROS = 10 };
enum { PQ_ENC_PLAIN = 0, PQ_ENC_RLE = 3 };
enum { PQ_CODEC_UNCOMPRESSED = 0, PQ_CODEC_ZSTD = 6 };
enum { PQ_PAGE_DATA = 0 };
/* LogicalType union members. */
enum { PQ_LT_STRING = 1, PQ_LT_DECIMAL = 5, PQ_LT_TIMESTAMP = 8 };
enum { PQ_UNIT_MICROS = 2 };

#define PQ_DEC_PRECISION 18
#define PQ_DEC_SCALE 8
#define PQ_MAGIC "PAR1"
#define PQ_CREATED_BY "tradingsystem"

/* Thrift Compact Protocol type ids. */
enum {
    TC_STOP = 0,
    TC_TRUE = 1,
    TC_FALSE = 2,
    TC_BYTE = 3,
    TC_I16 = 4,
    TC_I32 = 5,
    TC_I64 = 6,
    TC_DOUBLE = 7,
    TC_BINARY = 8,
    TC_LIST = 9,
    TC_SET = 10,
    TC_MAP = 11,
    TC_STRUCT = 12,
};

#define TC_MAX_DEPTH 32 /* nesting of structs we write or accept */

/* The largest uncompressed page the reader accepts: more than the writer makes (a chunk is
 * cut at TS_PQ_MAX_CHUNK_BYTES, plus one value and the levels), so a corrupt header cannot
 * make it allocate gigabytes. */
#define PQ_MAX_PAGE_READ (512 * 1024 * 1024)

/* STRING statistics are kept only while the smallest and largest values are at most this
 * long; a chunk with a longer one gets none (rather than truncated bounds). */
#define PQ_MAX_STRING_STAT 64
static_assert(PQ_MAX_STRING_STAT <= UINT8_MAX, "string statistics lengths are kept in a byte");

/* ---------------------------------------------------------------------------------------- */
/* Bytes */

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

/* Makes room for n more bytes and returns where they go; buf_commit(b, n) adds them. */
static uint8_t *buf_room(struct ts_buf *b, size_t n)
{
    ts_buf_grow(b, n);
    return (uint8_t *)b->buf + b->len;
}

/* Adds the n bytes written at buf_room(b, n), keeping ts_buf's NUL. */
static void buf_commit(struct ts_buf *b, size_t n)
{
    assert(b->cap > 0 && b->len + n < b->cap);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void buf_byte(struct ts_buf *b, uint8_t c)
{
    ts_buf_addch(b, (char)c);
}

static void buf_uvarint(struct ts_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        tmp[n++] = (uint8_t)(c | (v ? 0x80 : 0));
    } while (v);
    ts_buf_add(b, tmp, n);
}

/* ---------------------------------------------------------------------------------------- */
/* Thrift Compact Protocol, writing */

struct tcw {
    struct ts_buf *b;
    int depth;                      /* structs open; last[depth] is the current one's */
    int16_t last[TC_MAX_DEPTH + 1]; /* previous field id per open struct */
};

static void tcw_init(struct tcw *t, struct ts_buf *b)
{
    t->b = b;
    t->depth = 0;
    t->last[0] = 0;
}

static void tcw_field(struct tcw *t, int16_t id, int type)
{
    int delta = id - t->last[t->depth];
    if (delta > 0 && delta <= 15) {
        buf_byte(t->b, (uint8_t)(delta << 4 | type));
    } else {
        buf_byte(t->b, (uint8_t)type);
        buf_uvarint(t->b, (uint64_t)(((int64_t)id << 1) ^ ((int64_t)id >> 63)));
    }
    t->last[t->depth] = id;
}

static void tcw_zz(struct tcw *t, int64_t v)
{
    buf_uvarint(t->b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* Opens a struct value (after its field header or as a list element). */
static void tcw_struct_begin(struct tcw *t)
{
    assert(t->depth < TC_MAX_DEPTH);
    t->last[++t->depth] = 0;
}

static void tcw_struct_end(struct tcw *t)
{
    assert(t->depth > 0);
    buf_byte(t->b, TC_STOP);
    t->depth--;
}

static void tcw_field_struct(struct tcw *t, int16_t id)
{
    tcw_field(t, id, TC_STRUCT);
    tcw_struct_begin(t);
}

static void tcw_i32(struct tcw *t, int16_t id, int32_t v)
{
    tcw_field(t, id, TC_I32);
    tcw_zz(t, v);
}

static void tcw_i16(struct tcw *t, int16_t id, int16_t v)
{
    tcw_field(t, id, TC_I16);
    tcw_zz(t, v);
}

static void tcw_i64(struct tcw *t, int16_t id, int64_t v)
{
    tcw_field(t, id, TC_I64);
    tcw_zz(t, v);
}

static void tcw_bool(struct tcw *t, int16_t id, bool v)
{
    tcw_field(t, id, v ? TC_TRUE : TC_FALSE);
}

static void tcw_bin_value(struct tcw *t, const void *p, size_t n)
{
    buf_uvarint(t->b, n);
    ts_buf_add(t->b, p, n);
}

static void tcw_bin(struct tcw *t, int16_t id, const void *p, size_t n)
{
    tcw_field(t, id, TC_BINARY);
    tcw_bin_value(t, p, n);
}

static void tcw_list(struct tcw *t, int16_t id, int elem_type, size_t n)
{
    tcw_field(t, id, TC_LIST);
    if (n < 15) {
        buf_byte(t->b, (uint8_t)(n << 4 | (size_t)elem_type));
    } else {
        buf_byte(t->b, (uint8_t)(0xf0 | elem_type));
        buf_uvarint(t->b, n);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Thrift Compact Protocol, reading (bounds-checked: the input is a file) */

struct tcr {
    const uint8_t *p, *end;
    bool bad; /* sticky: truncated or malformed input */
};

static uint8_t tcr_byte(struct tcr *r)
{
    if (r->bad || r->p >= r->end) {
        r->bad = true;
        return 0;
    }
    return *r->p++;
}

static uint64_t tcr_uvarint(struct tcr *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t c = tcr_byte(r);
        if (r->bad) {
            return 0;
        }
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            return v;
        }
    }
    r->bad = true;
    return 0;
}

static int64_t tcr_zz(struct tcr *r)
{
    uint64_t u = tcr_uvarint(r);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* Reads a field header: false at the struct's stop byte (or on error). */
static bool tcr_field(struct tcr *r, int16_t *last, int16_t *id, int *type)
{
    uint8_t c = tcr_byte(r);
    if (r->bad || c == TC_STOP) {
        return false;
    }
    *type = c & 0x0f;
    if (c >> 4) {
        *id = (int16_t)(*last + (c >> 4));
    } else {
        int64_t v = tcr_zz(r);
        if (v < INT16_MIN || v > INT16_MAX) {
            r->bad = true;
            return false;
        }
        *id = (int16_t)v;
    }
    *last = *id;
    return true;
}

static const uint8_t *tcr_bin(struct tcr *r, size_t *n)
{
    uint64_t len = tcr_uvarint(r);
    if (r->bad || len > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        *n = 0;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += len;
    *n = (size_t)len;
    return p;
}

/* A list header; the size is bounded by the bytes left (every element takes at least one). */
static size_t tcr_list(struct tcr *r, int *elem_type)
{
    uint8_t c = tcr_byte(r);
    uint64_t n = c >> 4;
    if (n == 15) {
        n = tcr_uvarint(r);
    }
    *elem_type = c & 0x0f;
    if (r->bad || n > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        return 0;
    }
    return (size_t)n;
}

static void tcr_skip(struct tcr *r, int type, int depth);

static void tcr_skip_struct(struct tcr *r, int depth)
{
    int16_t last = 0, id;
    int type;
    if (depth > TC_MAX_DEPTH) {
        r->bad = true;
        return;
    }
    while (tcr_field(r, &last, &id, &type)) {
        tcr_skip(r, type, depth);
    }
}

/* Skips a value of the given type; in lists a bool takes one byte. */
static void tcr_skip(struct tcr *r, int type, int depth)
{
    size_t n;
    int et, kt;

    switch (type) {
    case TC_TRUE:
    case TC_FALSE:
        break;
    case TC_BYTE:
        (void)tcr_byte(r);
        break;
    case TC_I16:
    case TC_I32:
    case TC_I64:
        (void)tcr_uvarint(r);
        break;
    case TC_DOUBLE:
        if (r->end - r->p < 8) {
            r->bad = true;
        } else {
            r->p += 8;
        }
        break;
    case TC_BINARY:
        (void)tcr_bin(r, &n);
        break;
    case TC_LIST:
    case TC_SET:
        n = tcr_list(r, &et);
        for (size_t i = 0; i < n && !r->bad; i++) {
            tcr_skip(r, et == TC_TRUE || et == TC_FALSE ? TC_BYTE : et, depth + 1);
        }
        break;
    case TC_MAP:
        n = (size_t)tcr_uvarint(r);
        if (n > (size_t)(r->end - r->p)) {
            r->bad = true;
            break;
        }
        if (n) {
            uint8_t c = tcr_byte(r);
            kt = c >> 4;
            et = c & 0x0f;
            for (size_t i = 0; i < n && !r->bad; i++) {
                tcr_skip(r, kt == TC_TRUE || kt == TC_FALSE ? TC_BYTE : kt, depth + 1);
                tcr_skip(r, et == TC_TRUE || et == TC_FALSE ? TC_BYTE : et, depth + 1);
            }
        }
        break;
    case TC_STRUCT:
        tcr_skip_struct(r, depth + 1);
        break;
    default:
        r->bad = true;
    }
}

/* Reads an integer field value of a type the schema says is integral. */
static int64_t tcr_int(struct tcr *r, int type)
{
    if (type != TC_I16 && type != TC_I32 && type != TC_I64 && type != TC_BYTE) {
        r->bad = true;
        return 0;
    }
    if (type == TC_BYTE) {
        return (int8_t)tcr_byte(r);
    }
    return tcr_zz(r);
}

/* ---------------------------------------------------------------------------------------- */
/* Definition levels: the RLE/bit-packed hybrid at bit width 1 (parquet-format Encodings.md) */

static void rle_put_packed(struct ts_buf *out, const uint8_t *lv, size_t n)
{
    if (n == 0) {
        return;
    }
    size_t groups = (n + 7) / 8;
    buf_uvarint(out, (uint64_t)groups << 1 | 1);
    uint8_t *p = buf_room(out, groups);
    memset(p, 0, groups);
    for (size_t i = 0; i < n; i++) {
        p[i / 8] |= (uint8_t)((lv[i] & 1) << (i % 8));
    }
    buf_commit(out, groups);
}

/*
 * Appends levels lv[0..n) (each 0 or 1). Runs of 8 or more equal levels become RLE runs;
 * the rest is bit-packed in groups of 8. A bit-packed run must hold whole groups unless it
 * is the last (its padding is then ignored by readers, who know the count), so the values
 * that complete a group are taken from the start of the following run.
 */
static void rle_encode_levels(struct ts_buf *out, const uint8_t *lv, size_t n)
{
    size_t start = 0, i = 0; /* [start, i) waits to be bit-packed */

    while (i < n) {
        size_t r = 1;
        while (i + r < n && lv[i + r] == lv[i]) {
            r++;
        }
        size_t fill = (8 - (i - start) % 8) % 8;
        if (r >= fill + 8) {
            i += fill;
            rle_put_packed(out, lv + start, i - start);
            buf_uvarint(out, (uint64_t)(r - fill) << 1);
            buf_byte(out, lv[i]);
            i += r - fill;
            start = i;
        } else {
            i += r;
        }
    }
    rle_put_packed(out, lv + start, n - start);
}

/* Decodes n levels at bit width 1 from p[0..len) and counts the 1s; -1 if malformed. */
static int rle_count_levels(const uint8_t *p, size_t len, size_t n, size_t *ones)
{
    struct tcr r = {p, p + len, false};
    size_t got = 0, k = 0;

    while (got < n) {
        uint64_t h = tcr_uvarint(&r);
        if (r.bad) {
            return -1;
        }
        if (h & 1) {
            uint64_t groups = h >> 1;
            if (groups == 0 || groups > (uint64_t)(r.end - r.p)) {
                return -1;
            }
            for (uint64_t i = 0; i < groups * 8 && got < n; i++, got++) {
                k += (r.p[i / 8] >> (i % 8)) & 1;
            }
            r.p += groups;
        } else {
            uint64_t count = h >> 1;
            uint8_t v = tcr_byte(&r);
            if (r.bad || count == 0 || v > 1) {
                return -1;
            }
            uint64_t take = count < n - got ? count : n - got;
            got += (size_t)take;
            k += v ? (size_t)take : 0;
        }
    }
    *ones = k;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */

/* ---------------------------------------------------------------------------------------- */
/* The writer */

enum cell_state { CELL_UNSET, CELL_VALUE, CELL_NULL, CELL_TOO_LONG, CELL_BAD_UTF8 };

struct pq_chunk {        /* one column chunk written, for the footer */
    int64_t offset;      /* of its page header in the file */
    int64_t comp_size;   /* header + compressed body, bytes */
    int64_t uncomp_size; /* header + uncompressed body, bytes */
    int64_t nulls;
    int64_t min, max; /* INT64-based columns, valid when has_minmax */
    bool has_minmax;
    uint8_t smin[PQ_MAX_STRING_STAT], smax[PQ_MAX_STRING_STAT]; /* STRING, when has_sminmax */
    uint8_t smin_len, smax_len;
    bool has_sminmax;
};

struct pq_group { /* one row group written */
    int64_t rows;
    struct pq_chunk *chunks; /* ncols, owned */
};

struct pq_col {
    char *name; /* owned */
    enum ts_pq_type type;
    bool nullable;
    struct ts_buf vals; /* this row group's non-null values: PLAIN, BOOL one byte each */
    struct ts_buf defs; /* nullable: one level byte (0 null, 1 value) per row */
    size_t row_mark;    /* vals.len before the row being built */
    enum cell_state cell;
    int64_t cur;             /* the row's INT64 value or bool, when cell == CELL_VALUE */
    int64_t nulls, min, max; /* this row group's, min/max valid when has_minmax */
    bool has_minmax;
    /* STRING: this row group's bounds (unsigned byte order), while sstats is SS_KEPT */
    uint8_t smin[PQ_MAX_STRING_STAT], smax[PQ_MAX_STRING_STAT];
    uint8_t smin_len, smax_len;
    enum { SS_NONE, SS_KEPT, SS_DROPPED } sstats;
};

struct ts_pq_writer {
    char *path;     /* owned: the final name */
    char *tmp_path; /* owned: "<path>.partial", what fd writes */
    int fd;         /* -1 once closed */
    int64_t off;    /* bytes written to fd */
    int ncols;
    struct pq_col *cols;     /* ncols, owned */
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

static bool is_int64_type(enum ts_pq_type t)
{
    return t == TS_PQ_INT64 || t == TS_PQ_TIMESTAMP_US || t == TS_PQ_DECIMAL;
}

static int physical_type(enum ts_pq_type t)
{
    return t == TS_PQ_STRING ? PQ_BYTE_ARRAY : t == TS_PQ_BOOL ? PQ_BOOLEAN : PQ_INT64;
}

static void writer_free(struct ts_pq_writer *w)
{
    if (w->fd >= 0) {
        close(w->fd);
    }
    for (int i = 0; i < w->ncols; i++) {
        ts_free(w->cols[i].name);
        ts_buf_release(&w->cols[i].vals);
        ts_buf_release(&w->cols[i].defs);
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
        struct pq_col *c = &w->cols[i];
        c->name = ts_xstrdup(cols[i].name);
        c->type = cols[i].type;
        c->nullable = cols[i].nullable;
        ts_buf_init(&c->vals);
        ts_buf_init(&c->defs);
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
    if ((rc = write_all(w, PQ_MAGIC, 4, err)) != 0) {
        ts_pq_abort(w);
        return rc;
    }
    *wp = w;
    return 0;
}

static struct pq_col *col_for(struct ts_pq_writer *w, int col)
{
    assert(w && col >= 0 && col < w->ncols);
    struct pq_col *c = &w->cols[col];
    ts_buf_truncate(&c->vals, c->row_mark); /* forget a value set earlier in this row */
    return c;
}

void ts_pq_set_int64(struct ts_pq_writer *w, int col, int64_t v)
{
    struct pq_col *c = col_for(w, col);
    assert(is_int64_type(c->type));
    c->cur = v;
    c->cell = CELL_VALUE;
}

void ts_pq_set_bool(struct ts_pq_writer *w, int col, bool b)
{
    struct pq_col *c = col_for(w, col);
    assert(c->type == TS_PQ_BOOL);
    c->cur = b;
    c->cell = CELL_VALUE;
}

void ts_pq_set_null(struct ts_pq_writer *w, int col)
{
    struct pq_col *c = col_for(w, col);
    c->cell = CELL_NULL;
}

void ts_pq_set_string(struct ts_pq_writer *w, int col, const char *s, size_t len)
{
    struct pq_col *c = col_for(w, col);
    assert(c->type == TS_PQ_STRING);
    assert(s || len == 0);
    if (len > TS_PQ_MAX_STRING) {
        c->cell = CELL_TOO_LONG;
        return;
    }
    if (!ts_utf8_valid(s, len)) {
        c->cell = CELL_BAD_UTF8;
        return;
    }
    uint8_t *p = buf_room(&c->vals, 4 + len);
    put_le32(p, (uint32_t)len);
    if (len) {
        memcpy(p + 4, s, len);
    }
    buf_commit(&c->vals, 4 + len);
    c->cell = CELL_VALUE;
}

/* The page header of a v1 data page (parquet.thrift PageHeader, DataPageHeader). */
static void write_page_header(struct ts_buf *b, size_t uncomp, size_t comp, size_t nvalues)
{
    struct tcw t;
    tcw_init(&t, b);
    tcw_i32(&t, 1, PQ_PAGE_DATA);
    tcw_i32(&t, 2, (int32_t)uncomp);
    tcw_i32(&t, 3, (int32_t)comp);
    tcw_field_struct(&t, 5);
    tcw_i32(&t, 1, (int32_t)nvalues);
    tcw_i32(&t, 2, PQ_ENC_PLAIN);
    tcw_i32(&t, 3, PQ_ENC_RLE);
    tcw_i32(&t, 4, PQ_ENC_RLE);
    tcw_struct_end(&t);
    buf_byte(b, TC_STOP);
}

/* Builds column c's page for the buffered rows into w->page. */
static void build_page(struct ts_pq_writer *w, struct pq_col *c)
{
    ts_buf_reset(&w->page);
    if (c->nullable) {
        buf_room(&w->page, 4);
        buf_commit(&w->page, 4);
        rle_encode_levels(&w->page, (const uint8_t *)c->defs.buf, c->defs.len);
        put_le32((uint8_t *)w->page.buf, (uint32_t)(w->page.len - 4));
    }
    if (c->type == TS_PQ_BOOL) {
        size_t n = c->vals.len, bytes = (n + 7) / 8;
        uint8_t *p = buf_room(&w->page, bytes);
        memset(p, 0, bytes);
        for (size_t i = 0; i < n; i++) {
            p[i / 8] |= (uint8_t)((c->vals.buf[i] & 1) << (i % 8));
        }
        buf_commit(&w->page, bytes);
    } else {
        ts_buf_add(&w->page, c->vals.buf, c->vals.len);
    }
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
        struct pq_col *c = &w->cols[i];
        struct pq_chunk *ch = &g->chunks[i];

        build_page(w, c);
        if (w->page.len > INT32_MAX) { /* kept below by TS_PQ_MAX_CHUNK_BYTES */
            return ts_err_set(err, TS_ERANGE, "page of column '%s' is %zu bytes", c->name,
                              w->page.len);
        }
        size_t bound = ZSTD_compressBound(w->page.len);
        ts_buf_reset(&w->zpage);
        ts_buf_grow(&w->zpage, bound);
        size_t zn = ZSTD_compressCCtx(w->zc, w->zpage.buf, bound, w->page.buf, w->page.len,
                                      TS_PQ_ZSTD_LEVEL);
        if (ZSTD_isError(zn)) {
            return ts_err_set(err, TS_EIO, "cannot compress column '%s': %s", c->name,
                              ZSTD_getErrorName(zn));
        }
        if (zn > INT32_MAX) {
            return ts_err_set(err, TS_ERANGE, "compressed page of column '%s' is %zu bytes",
                              c->name, zn);
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
        ch->has_sminmax = c->sstats == SS_KEPT;
        memcpy(ch->smin, c->smin, c->smin_len);
        memcpy(ch->smax, c->smax, c->smax_len);
        ch->smin_len = c->smin_len;
        ch->smax_len = c->smax_len;

        ts_buf_reset(&c->vals);
        ts_buf_reset(&c->defs);
        c->row_mark = 0;
        c->nulls = 0;
        c->has_minmax = false;
        c->sstats = SS_NONE;
    }
    w->rg_rows = 0;
    return 0;
}

static const char *cell_problem(const struct pq_col *c)
{
    switch (c->cell) {
    case CELL_UNSET:
        return "was not set";
    case CELL_NULL:
        return c->nullable ? NULL : "is not nullable";
    case CELL_TOO_LONG:
        return "has a string longer than TS_PQ_MAX_STRING (64 MiB)";
    case CELL_BAD_UTF8:
        return "has a string that is not valid UTF-8";
    case CELL_VALUE:
        return NULL;
    }
    return "is in an unknown state";
}

/* Unsigned byte-wise order, the TYPE_ORDER of STRING (parquet.thrift ColumnOrder). */
static int bytes_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    return r ? r : (alen > blen) - (alen < blen);
}

/* Widens the row group's bounds of string column c with the value just set. */
static void string_stats(struct pq_col *c)
{
    const uint8_t *v = (const uint8_t *)c->vals.buf + c->row_mark + 4;
    size_t len = c->vals.len - c->row_mark - 4;

    if (c->sstats == SS_DROPPED) {
        return;
    }
    bool below = c->sstats == SS_NONE || bytes_cmp(v, len, c->smin, c->smin_len) < 0;
    bool above = c->sstats == SS_NONE || bytes_cmp(v, len, c->smax, c->smax_len) > 0;
    if ((below || above) && len > PQ_MAX_STRING_STAT) {
        c->sstats = SS_DROPPED;
        return;
    }
    if (below) {
        memcpy(c->smin, v, len);
        c->smin_len = (uint8_t)len;
    }
    if (above) {
        memcpy(c->smax, v, len);
        c->smax_len = (uint8_t)len;
    }
    c->sstats = SS_KEPT;
}

int ts_pq_end_row(struct ts_pq_writer *w, struct ts_err *err)
{
    bool cut = false;

    assert(w);
    if (w->failed) {
        return ts_err_set(err, TS_ESTATE, "parquet file '%s' already failed", w->path);
    }
    for (int i = 0; i < w->ncols; i++) {
        const char *why = cell_problem(&w->cols[i]);
        if (why) {
            int rc = ts_err_set(err, TS_EINVAL, "row %lld dropped: column '%s' %s",
                                (long long)w->rows, w->cols[i].name, why);
            for (int j = 0; j < w->ncols; j++) {
                ts_buf_truncate(&w->cols[j].vals, w->cols[j].row_mark);
                w->cols[j].cell = CELL_UNSET;
            }
            return rc;
        }
    }
    for (int i = 0; i < w->ncols; i++) {
        struct pq_col *c = &w->cols[i];
        if (c->nullable) {
            buf_byte(&c->defs, c->cell == CELL_VALUE);
        }
        if (c->cell == CELL_NULL) {
            c->nulls++;
        } else if (c->type == TS_PQ_STRING) {
            string_stats(c);
        } else if (c->type == TS_PQ_BOOL) {
            buf_byte(&c->vals, (uint8_t)c->cur);
        } else if (c->type != TS_PQ_STRING) {
            uint8_t *p = buf_room(&c->vals, 8);
            put_le64(p, (uint64_t)c->cur);
            buf_commit(&c->vals, 8);
            if (!c->has_minmax) {
                c->min = c->max = c->cur;
                c->has_minmax = true;
            } else if (c->cur < c->min) {
                c->min = c->cur;
            } else if (c->cur > c->max) {
                c->max = c->cur;
            }
        }
        c->row_mark = c->vals.len;
        c->cell = CELL_UNSET;
        cut |= c->vals.len >= TS_PQ_MAX_CHUNK_BYTES;
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

static void write_schema_element(struct tcw *t, const struct pq_col *c)
{
    tcw_struct_begin(t);
    tcw_i32(t, 1, physical_type(c->type));
    tcw_i32(t, 3, c->nullable ? PQ_OPTIONAL : PQ_REQUIRED);
    tcw_bin(t, 4, c->name, strlen(c->name));
    switch (c->type) {
    case TS_PQ_STRING:
        tcw_i32(t, 6, PQ_CT_UTF8);
        tcw_field_struct(t, 10);
        tcw_field_struct(t, PQ_LT_STRING);
        tcw_struct_end(t);
        tcw_struct_end(t);
        break;
    case TS_PQ_DECIMAL:
        tcw_i32(t, 6, PQ_CT_DECIMAL);
        tcw_i32(t, 7, PQ_DEC_SCALE);
        tcw_i32(t, 8, PQ_DEC_PRECISION);
        tcw_field_struct(t, 10);
        tcw_field_struct(t, PQ_LT_DECIMAL);
        tcw_i32(t, 1, PQ_DEC_SCALE);
        tcw_i32(t, 2, PQ_DEC_PRECISION);
        tcw_struct_end(t);
        tcw_struct_end(t);
        break;
    case TS_PQ_TIMESTAMP_US:
        tcw_i32(t, 6, PQ_CT_TIMESTAMP_MICROS);
        tcw_field_struct(t, 10);
        tcw_field_struct(t, PQ_LT_TIMESTAMP);
        tcw_bool(t, 1, true);
        tcw_field_struct(t, 2);
        tcw_field_struct(t, PQ_UNIT_MICROS);
        tcw_struct_end(t);
        tcw_struct_end(t);
        tcw_struct_end(t);
        tcw_struct_end(t);
        break;
    case TS_PQ_INT64:
    case TS_PQ_BOOL:
        break;
    }
    tcw_struct_end(t);
}

static void write_column_chunk(struct tcw *t, const struct pq_col *c, const struct pq_chunk *ch,
                               int64_t rows)
{
    uint8_t v[8];

    tcw_struct_begin(t);
    tcw_i64(t, 2, ch->offset);
    tcw_field_struct(t, 3); /* ColumnMetaData */
    tcw_i32(t, 1, physical_type(c->type));
    tcw_list(t, 2, TC_I32, 2);
    tcw_zz(t, PQ_ENC_PLAIN);
    tcw_zz(t, PQ_ENC_RLE);
    tcw_list(t, 3, TC_BINARY, 1);
    tcw_bin_value(t, c->name, strlen(c->name));
    tcw_i32(t, 4, PQ_CODEC_ZSTD);
    tcw_i64(t, 5, rows);
    tcw_i64(t, 6, ch->uncomp_size);
    tcw_i64(t, 7, ch->comp_size);
    tcw_i64(t, 9, ch->offset);
    tcw_field_struct(t, 12); /* Statistics */
    tcw_i64(t, 3, ch->nulls);
    if (ch->has_minmax) {
        put_le64(v, (uint64_t)ch->max);
        tcw_bin(t, 5, v, 8);
        put_le64(v, (uint64_t)ch->min);
        tcw_bin(t, 6, v, 8);
    } else if (ch->has_sminmax) {
        tcw_bin(t, 5, ch->smax, ch->smax_len);
        tcw_bin(t, 6, ch->smin, ch->smin_len);
    }
    if (ch->has_minmax || ch->has_sminmax) {
        tcw_bool(t, 7, true);
        tcw_bool(t, 8, true);
    }
    tcw_struct_end(t); /* Statistics */
    tcw_struct_end(t); /* ColumnMetaData */
    tcw_struct_end(t); /* ColumnChunk */
}

/* FileMetaData (parquet.thrift) into b. */
static void write_footer(struct ts_pq_writer *w, struct ts_buf *b)
{
    struct tcw t;

    tcw_init(&t, b);
    tcw_i32(&t, 1, 1); /* version */
    tcw_list(&t, 2, TC_STRUCT, (size_t)w->ncols + 1);
    tcw_struct_begin(&t); /* the root */
    tcw_bin(&t, 4, "schema", 6);
    tcw_i32(&t, 5, w->ncols);
    tcw_struct_end(&t);
    for (int i = 0; i < w->ncols; i++) {
        write_schema_element(&t, &w->cols[i]);
    }
    tcw_i64(&t, 3, w->rows);
    tcw_list(&t, 4, TC_STRUCT, w->ngroups);
    for (size_t g = 0; g < w->ngroups; g++) {
        const struct pq_group *gr = &w->groups[g];
        int64_t uncomp = 0, comp = 0;
        tcw_struct_begin(&t);
        tcw_list(&t, 1, TC_STRUCT, (size_t)w->ncols);
        for (int i = 0; i < w->ncols; i++) {
            write_column_chunk(&t, &w->cols[i], &gr->chunks[i], gr->rows);
            uncomp += gr->chunks[i].uncomp_size;
            comp += gr->chunks[i].comp_size;
        }
        tcw_i64(&t, 2, uncomp);
        tcw_i64(&t, 3, gr->rows);
        tcw_i64(&t, 5, gr->chunks[0].offset);
        tcw_i64(&t, 6, comp);
        if (g <= INT16_MAX) {
            tcw_i16(&t, 7, (int16_t)g);
        }
        tcw_struct_end(&t);
    }
    tcw_bin(&t, 6, PQ_CREATED_BY, strlen(PQ_CREATED_BY));
    tcw_list(&t, 7, TC_STRUCT, (size_t)w->ncols); /* column_orders: TYPE_ORDER each */
    for (int i = 0; i < w->ncols; i++) {
        tcw_struct_begin(&t);
        tcw_field_struct(&t, 1);
        tcw_struct_end(&t);
        tcw_struct_end(&t);
    }
    buf_byte(b, TC_STOP);
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
        ts_buf_truncate(&w->cols[i].vals, w->cols[i].row_mark);
        w->cols[i].cell = CELL_UNSET;
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
    put_le32(tail, (uint32_t)w->hdr.len);
    memcpy(tail + 4, PQ_MAGIC, 4);
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

/* ---------------------------------------------------------------------------------------- */
/* Reading back */

struct rd_leaf {
    const uint8_t *name; /* into the footer */
    size_t name_len;
    int type, rep;
};

struct rd_chunk {
    int64_t offset, size, num_values;
    int type, codec, npath;
    const uint8_t *path; /* path_in_schema[0], into the footer */
    size_t path_len;
    bool external, has_dict;
};

struct rd_group {
    int64_t rows;
    size_t nchunks;
    struct rd_chunk *chunks; /* owned */
};

struct rd_meta {
    int fd;
    const char *path;
    int64_t file_size, footer_off;
    uint8_t *footer; /* owned */
    int64_t num_rows;
    size_t nleaves;
    struct rd_leaf *leaves; /* owned */
    size_t ngroups;
    struct rd_group *groups; /* owned */
};

static void rd_release(struct rd_meta *m)
{
    if (m->fd >= 0) {
        close(m->fd);
    }
    for (size_t g = 0; g < m->ngroups; g++) {
        ts_free(m->groups[g].chunks);
    }
    ts_free(m->groups);
    ts_free(m->leaves);
    ts_free(m->footer);
}

static int bad_file(const struct rd_meta *m, struct ts_err *err, const char *why)
{
    return ts_err_set(err, TS_ECHECKSUM, "'%s' is not a valid parquet file of ours: %s", m->path,
                      why);
}

static int pread_all(struct rd_meta *m, void *buf, size_t n, int64_t off, struct ts_err *err)
{
    char *p = buf;
    while (n > 0) {
        ssize_t k = pread(m->fd, p, n, (off_t)off);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k < 0) {
            return ts_err_set(err, TS_EIO, "cannot read '%s': %s", m->path, strerror(errno));
        }
        if (k == 0) {
            return bad_file(m, err, "file shrank while reading");
        }
        p += k;
        n -= (size_t)k;
        off += k;
    }
    return 0;
}

static void rd_schema_element(struct tcr *r, struct rd_leaf *l, int64_t *num_children)
{
    int16_t last = 0, id;
    int type;
    while (tcr_field(r, &last, &id, &type)) {
        if (id == 1) {
            l->type = (int)tcr_int(r, type);
        } else if (id == 3) {
            l->rep = (int)tcr_int(r, type);
        } else if (id == 4 && type == TC_BINARY) {
            l->name = tcr_bin(r, &l->name_len);
        } else if (id == 5) {
            *num_children = tcr_int(r, type);
        } else {
            tcr_skip(r, type, 1);
        }
    }
}

static void rd_column_meta(struct tcr *r, struct rd_chunk *c)
{
    int16_t last = 0, id;
    int type, et;
    while (tcr_field(r, &last, &id, &type)) {
        if (id == 1) {
            c->type = (int)tcr_int(r, type);
        } else if (id == 3 && type == TC_LIST) {
            size_t n = tcr_list(r, &et);
            c->npath = (int)(n < INT_MAX ? n : INT_MAX);
            for (size_t i = 0; i < n && !r->bad; i++) {
                if (et != TC_BINARY) {
                    r->bad = true;
                } else if (i == 0) {
                    c->path = tcr_bin(r, &c->path_len);
                } else {
                    tcr_skip(r, et, 2);
                }
            }
        } else if (id == 4) {
            c->codec = (int)tcr_int(r, type);
        } else if (id == 5) {
            c->num_values = tcr_int(r, type);
        } else if (id == 7) {
            c->size = tcr_int(r, type);
        } else if (id == 9) {
            c->offset = tcr_int(r, type);
        } else if (id == 11) {
            c->has_dict = true;
            tcr_skip(r, type, 2);
        } else {
            tcr_skip(r, type, 2);
        }
    }
}

static void rd_row_group(struct tcr *r, struct rd_group *g, int64_t *rows)
{
    int16_t last = 0, id;
    int type, et;
    while (tcr_field(r, &last, &id, &type)) {
        if (id == 1 && type == TC_LIST && !g->chunks) {
            size_t n = tcr_list(r, &et);
            if (et != TC_STRUCT) {
                r->bad = true;
                return;
            }
            g->chunks = ts_xcalloc(n, sizeof(*g->chunks));
            g->nchunks = n;
            for (size_t i = 0; i < n && !r->bad; i++) {
                struct rd_chunk *c = &g->chunks[i];
                int16_t clast = 0, cid;
                int ctype;
                c->offset = c->size = c->num_values = -1;
                c->type = c->codec = -1;
                while (tcr_field(r, &clast, &cid, &ctype)) {
                    if (cid == 1) {
                        c->external = true;
                        tcr_skip(r, ctype, 2);
                    } else if (cid == 3 && ctype == TC_STRUCT) {
                        rd_column_meta(r, c);
                    } else {
                        tcr_skip(r, ctype, 2);
                    }
                }
            }
        } else if (id == 3) {
            *rows = tcr_int(r, type);
        } else {
            tcr_skip(r, type, 1);
        }
    }
}

/* Parses the FileMetaData in m->footer[0..len) and checks it against the file. */
static int rd_parse(struct rd_meta *m, size_t len, struct ts_err *err)
{
    struct tcr r = {m->footer, m->footer + len, false};
    int16_t last = 0, id;
    int type, et;
    int64_t root_children = -1;
    bool have_schema = false, have_groups = false;

    m->num_rows = -1;
    while (tcr_field(&r, &last, &id, &type)) {
        if (id == 2 && type == TC_LIST && !have_schema) {
            size_t n = tcr_list(&r, &et);
            have_schema = true;
            if (et != TC_STRUCT || n < 2) {
                return bad_file(m, err, "schema has no columns");
            }
            m->leaves = ts_xcalloc(n - 1, sizeof(*m->leaves));
            m->nleaves = n - 1;
            for (size_t i = 0; i < n && !r.bad; i++) {
                struct rd_leaf root = {NULL, 0, -1, -1};
                int64_t children = -1;
                struct rd_leaf *l = i == 0 ? &root : &m->leaves[i - 1];
                l->type = l->rep = -1;
                rd_schema_element(&r, l, &children);
                if (i == 0) {
                    root_children = children;
                } else if (children != -1 || l->type < 0 || !l->name) {
                    return bad_file(m, err, "schema is not a flat list of columns");
                }
            }
        } else if (id == 3) {
            m->num_rows = tcr_int(&r, type);
        } else if (id == 4 && type == TC_LIST && !have_groups) {
            size_t n = tcr_list(&r, &et);
            have_groups = true;
            if (et != TC_STRUCT && n > 0) {
                return bad_file(m, err, "row groups are not structs");
            }
            m->groups = ts_xcalloc(n, sizeof(*m->groups));
            m->ngroups = n;
            for (size_t g = 0; g < n && !r.bad; g++) {
                m->groups[g].rows = -1;
                rd_row_group(&r, &m->groups[g], &m->groups[g].rows);
            }
        } else {
            tcr_skip(&r, type, 1);
        }
    }
    if (r.bad) {
        return bad_file(m, err, "footer metadata does not parse");
    }
    if (!have_schema || !have_groups || m->num_rows < 0) {
        return bad_file(m, err, "footer lacks schema, row groups or row count");
    }
    if (root_children != (int64_t)m->nleaves) {
        return bad_file(m, err, "schema root does not own every column");
    }

    int64_t total = 0;
    for (size_t g = 0; g < m->ngroups; g++) {
        const struct rd_group *gr = &m->groups[g];
        if (gr->rows < 0 || gr->nchunks != m->nleaves ||
            __builtin_add_overflow(total, gr->rows, &total)) {
            return bad_file(m, err, "a row group does not match the schema");
        }
        for (size_t i = 0; i < gr->nchunks; i++) {
            const struct rd_chunk *c = &gr->chunks[i];
            const struct rd_leaf *l = &m->leaves[i];
            int64_t end;
            if (c->external || c->has_dict || c->npath != 1 || c->path_len != l->name_len ||
                memcmp(c->path, l->name, l->name_len) != 0 || c->type != l->type) {
                return bad_file(m, err, "a column chunk does not match its column");
            }
            if (c->codec != PQ_CODEC_ZSTD && c->codec != PQ_CODEC_UNCOMPRESSED) {
                return bad_file(m, err, "a column chunk has an unsupported codec");
            }
            if (c->num_values != gr->rows) {
                return bad_file(m, err, "a column chunk's values are not its row group's rows");
            }
            if (c->offset < 4 || c->size <= 0 || __builtin_add_overflow(c->offset, c->size, &end) ||
                end > m->footer_off) {
                return bad_file(m, err, "a column chunk lies outside the data");
            }
        }
    }
    if (total != m->num_rows) {
        return bad_file(m, err, "row groups do not add up to the file's row count");
    }
    return 0;
}

static int rd_open(struct rd_meta *m, const char *path, struct ts_err *err)
{
    uint8_t head[4], tail[8];
    struct stat st;
    int rc;

    memset(m, 0, sizeof(*m));
    m->path = path;
    m->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (m->fd < 0) {
        return ts_err_set(err, TS_EIO, "cannot open '%s': %s", path, strerror(errno));
    }
    if (fstat(m->fd, &st) != 0) {
        return ts_err_set(err, TS_EIO, "cannot stat '%s': %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return ts_err_set(err, TS_EIO, "'%s' is not a regular file", path);
    }
    m->file_size = st.st_size;
    if (m->file_size < 12) {
        return bad_file(m, err, "too short");
    }
    if ((rc = pread_all(m, head, 4, 0, err)) != 0 ||
        (rc = pread_all(m, tail, 8, m->file_size - 8, err)) != 0) {
        return rc;
    }
    if (memcmp(head, PQ_MAGIC, 4) != 0 || memcmp(tail + 4, PQ_MAGIC, 4) != 0) {
        return bad_file(m, err, "no PAR1 magic at both ends (truncated?)");
    }
    uint32_t flen = get_le32(tail);
    if (flen == 0 || flen > m->file_size - 12) {
        return bad_file(m, err, "footer length points outside the file");
    }
    m->footer_off = m->file_size - 8 - flen;
    m->footer = ts_xmalloc(flen);
    if ((rc = pread_all(m, m->footer, flen, m->footer_off, err)) != 0) {
        return rc;
    }
    return rd_parse(m, flen, err);
}

int ts_pq_verify(const char *path, int64_t *rows, struct ts_err *err)
{
    struct rd_meta m;
    int rc = rd_open(&m, path, err);
    if (rc == 0 && rows) {
        *rows = m.num_rows;
    }
    rd_release(&m);
    return rc;
}

/* Reads a PageHeader at the start of r; the sizes and value count of a v1 data page. */
static bool rd_page_header(struct tcr *r, int64_t *uncomp, int64_t *comp, int64_t *nvalues)
{
    int16_t last = 0, id;
    int type, ptype = -1;
    *uncomp = *comp = *nvalues = -1;
    while (tcr_field(r, &last, &id, &type)) {
        if (id == 1) {
            ptype = (int)tcr_int(r, type);
        } else if (id == 2) {
            *uncomp = tcr_int(r, type);
        } else if (id == 3) {
            *comp = tcr_int(r, type);
        } else if (id == 5 && type == TC_STRUCT) {
            int16_t dlast = 0, did;
            int dtype;
            while (tcr_field(r, &dlast, &did, &dtype)) {
                if (did == 1) {
                    *nvalues = tcr_int(r, dtype);
                } else if (did == 2 && tcr_int(r, dtype) != PQ_ENC_PLAIN) {
                    r->bad = true;
                } else if (did != 2) {
                    tcr_skip(r, dtype, 2);
                }
            }
        } else {
            tcr_skip(r, type, 1);
        }
    }
    return !r->bad && ptype == PQ_PAGE_DATA && *uncomp >= 0 && *comp >= 0 && *nvalues >= 0;
}

/* Adds the non-null INT64 values of one column chunk to *sum and *count. */
static int rd_sum_chunk(struct rd_meta *m, const struct rd_chunk *c, bool nullable, uint64_t *sum,
                        int64_t *count, struct ts_err *err)
{
    uint8_t *raw = ts_xmalloc((size_t)c->size);
    uint8_t *body = NULL;
    int64_t values = 0;
    int rc = pread_all(m, raw, (size_t)c->size, c->offset, err);
    struct tcr r = {raw, raw + c->size, false};

    while (rc == 0 && values < c->num_values) {
        int64_t uncomp, comp, nv;
        const uint8_t *p;
        size_t n, ones, lvl_len = 0;

        if (!rd_page_header(&r, &uncomp, &comp, &nv) || comp > r.end - r.p ||
            nv > c->num_values - values || uncomp > PQ_MAX_PAGE_READ) {
            rc = bad_file(m, err, "a data page header is corrupt or of an unsupported kind");
            break;
        }
        if (c->codec == PQ_CODEC_ZSTD) {
            /* the frame states its size (we always write it): check before allocating */
            unsigned long long fsize = ZSTD_getFrameContentSize(r.p, (size_t)comp);
            if (fsize != ZSTD_CONTENTSIZE_UNKNOWN && fsize != (unsigned long long)uncomp) {
                rc = bad_file(m, err, "a data page does not decompress");
                break;
            }
            ts_free(body);
            body = ts_xmalloc(uncomp ? (size_t)uncomp : 1);
            size_t got = ZSTD_decompress(body, (size_t)uncomp, r.p, (size_t)comp);
            if (ZSTD_isError(got) || got != (size_t)uncomp) {
                rc = bad_file(m, err, "a data page does not decompress");
                break;
            }
            p = body;
            n = (size_t)uncomp;
        } else {
            p = r.p;
            n = (size_t)comp;
        }
        r.p += comp;
        ones = (size_t)nv;
        if (nullable) {
            if (n < 4 || (lvl_len = get_le32(p)) > n - 4 ||
                rle_count_levels(p + 4, lvl_len, (size_t)nv, &ones) != 0) {
                rc = bad_file(m, err, "definition levels are corrupt");
                break;
            }
            lvl_len += 4;
        }
        if (n - lvl_len != ones * 8) {
            rc = bad_file(m, err, "a data page holds a wrong number of values");
            break;
        }
        for (size_t i = 0; i < ones; i++) {
            *sum += get_le64(p + lvl_len + 8 * i);
        }
        *count += (int64_t)ones;
        values += nv;
    }
    ts_free(body);
    ts_free(raw);
    return rc;
}

int ts_pq_column_sum(const char *path, const char *column, uint64_t *sum, int64_t *nonnull,
                     struct ts_err *err)
{
    struct rd_meta m;
    uint64_t s = 0;
    int64_t count = 0;
    size_t col = 0, len = strlen(column);
    int rc = rd_open(&m, path, err);

    if (rc != 0) {
        goto out;
    }
    while (col < m.nleaves &&
           (m.leaves[col].name_len != len || memcmp(m.leaves[col].name, column, len) != 0)) {
        col++;
    }
    if (col == m.nleaves || m.leaves[col].type != PQ_INT64) {
        rc = ts_err_set(err, TS_ENOTFOUND, "'%s' has no INT64 column '%s'", path, column);
        goto out;
    }
    for (size_t g = 0; g < m.ngroups && rc == 0; g++) {
        rc = rd_sum_chunk(&m, &m.groups[g].chunks[col], m.leaves[col].rep == PQ_OPTIONAL, &s,
                          &count, err);
    }
    if (rc == 0) {
        *sum = s;
        if (nonnull) {
            *nonnull = count;
        }
    }
out:
    rd_release(&m);
    return rc;
}
