/*
 * parquet_column.c - one column of the Parquet writer (capture/internal.h): the cells of
 * the row being built, the row group's values and statistics, and the body of its data page.
 *
 * The uncompressed body of a v1 data page is, for an OPTIONAL column, the definition
 * levels (u32 LE byte length, then the RLE/bit-packed hybrid at bit width 1), then the
 * non-null values in PLAIN encoding (INT64: 8 bytes LE; BYTE_ARRAY: u32 LE length and the
 * bytes; BOOLEAN: one bit per value, LSB first). REQUIRED columns have no levels
 * (parquet-format, Encodings.md and README "Nested encoding").
 *
 * Does not: compress, write files, or know other columns (parquet.c does).
 */
#include "capture/internal.h"

#include <string.h>

#include "core/mem.h"
#include "core/utf8.h"

/* ---------------------------------------------------------------------------------------- */
/* Definition levels: the RLE/bit-packed hybrid at bit width 1 (parquet-format Encodings.md) */

static void rle_put_packed(struct ts_buf *out, const uint8_t *lv, size_t n)
{
    if (n == 0) {
        return;
    }
    size_t groups = (n + 7) / 8;
    ts_pq__buf_uvarint(out, (uint64_t)groups << 1 | 1);
    uint8_t *p = ts_pq__buf_room(out, groups);
    memset(p, 0, groups);
    for (size_t i = 0; i < n; i++) {
        p[i / 8] |= (uint8_t)((lv[i] & 1) << (i % 8));
    }
    ts_pq__buf_commit(out, groups);
}

/*
 * Runs of 8 or more equal levels become RLE runs;
 * the rest is bit-packed in groups of 8. A bit-packed run must hold whole groups unless it
 * is the last (its padding is then ignored by readers, who know the count), so the values
 * that complete a group are taken from the start of the following run.
 */
void ts_pq__levels_encode(struct ts_buf *out, const uint8_t *lv, size_t n)
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
            ts_pq__buf_uvarint(out, (uint64_t)(r - fill) << 1);
            ts_pq__buf_byte(out, lv[i]);
            i += r - fill;
            start = i;
        } else {
            i += r;
        }
    }
    rle_put_packed(out, lv + start, n - start);
}

int ts_pq__levels_count(const uint8_t *p, size_t len, size_t n, size_t *ones)
{
    struct ts_pq__tcr r = {p, p + len, false};
    size_t got = 0, k = 0;

    while (got < n) {
        uint64_t h = ts_pq__tcr_uvarint(&r);
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
            uint8_t v = ts_pq__tcr_byte(&r);
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
/* Types */

bool ts_pq__is_int64_type(enum ts_pq_type t)
{
    return t == TS_PQ_INT64 || t == TS_PQ_TIMESTAMP_US || t == TS_PQ_DECIMAL;
}

int ts_pq__physical_type(enum ts_pq_type t)
{
    return t == TS_PQ_STRING ? TS_PQ__T_BYTE_ARRAY
           : t == TS_PQ_BOOL ? TS_PQ__T_BOOLEAN
                             : TS_PQ__T_INT64;
}

/* ---------------------------------------------------------------------------------------- */
/* A column's row group */

void ts_pq__col_init(struct ts_pq__col *c, const struct ts_pq_column *spec)
{
    memset(c, 0, sizeof(*c));
    c->name = ts_xstrdup(spec->name);
    c->type = spec->type;
    c->nullable = spec->nullable;
    ts_buf_init(&c->vals);
    ts_buf_init(&c->defs);
}

void ts_pq__col_release(struct ts_pq__col *c)
{
    ts_free(c->name);
    ts_buf_release(&c->vals);
    ts_buf_release(&c->defs);
}

void ts_pq__col_set_string(struct ts_pq__col *c, const char *s, size_t len)
{
    if (len > TS_PQ_MAX_STRING) {
        c->cell = TS_PQ__CELL_TOO_LONG;
        return;
    }
    if (!ts_utf8_valid(s, len)) {
        c->cell = TS_PQ__CELL_BAD_UTF8;
        return;
    }
    uint8_t *p = ts_pq__buf_room(&c->vals, 4 + len);
    ts_pq__put_le32(p, (uint32_t)len);
    if (len) {
        memcpy(p + 4, s, len);
    }
    ts_pq__buf_commit(&c->vals, 4 + len);
    c->cell = TS_PQ__CELL_VALUE;
}

const char *ts_pq__col_problem(const struct ts_pq__col *c)
{
    switch (c->cell) {
    case TS_PQ__CELL_UNSET:
        return "was not set";
    case TS_PQ__CELL_NULL:
        return c->nullable ? NULL : "is not nullable";
    case TS_PQ__CELL_TOO_LONG:
        return "has a string longer than TS_PQ_MAX_STRING (64 MiB)";
    case TS_PQ__CELL_BAD_UTF8:
        return "has a string that is not valid UTF-8";
    case TS_PQ__CELL_VALUE:
        return NULL;
    }
    return "is in an unknown state";
}

void ts_pq__col_drop_row(struct ts_pq__col *c)
{
    ts_buf_truncate(&c->vals, c->row_mark);
    c->cell = TS_PQ__CELL_UNSET;
}

/* Unsigned byte-wise order, the TYPE_ORDER of STRING (parquet.thrift ColumnOrder). */
static int bytes_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    return r ? r : (alen > blen) - (alen < blen);
}

/* Widens the row group's bounds of string column c with the value just set. */
static void string_stats(struct ts_pq__col *c)
{
    const uint8_t *v = (const uint8_t *)c->vals.buf + c->row_mark + 4;
    size_t len = c->vals.len - c->row_mark - 4;

    if (c->sstats == TS_PQ__SS_DROPPED) {
        return;
    }
    bool below = c->sstats == TS_PQ__SS_NONE || bytes_cmp(v, len, c->smin, c->smin_len) < 0;
    bool above = c->sstats == TS_PQ__SS_NONE || bytes_cmp(v, len, c->smax, c->smax_len) > 0;
    if ((below || above) && len > TS_PQ__MAX_STRING_STAT) {
        c->sstats = TS_PQ__SS_DROPPED;
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
    c->sstats = TS_PQ__SS_KEPT;
}

void ts_pq__col_end_row(struct ts_pq__col *c)
{
    if (c->nullable) {
        ts_pq__buf_byte(&c->defs, c->cell == TS_PQ__CELL_VALUE);
    }
    if (c->cell == TS_PQ__CELL_NULL) {
        c->nulls++;
    } else if (c->type == TS_PQ_STRING) {
        string_stats(c);
    } else if (c->type == TS_PQ_BOOL) {
        ts_pq__buf_byte(&c->vals, (uint8_t)c->cur);
    } else if (c->type != TS_PQ_STRING) {
        uint8_t *p = ts_pq__buf_room(&c->vals, 8);
        ts_pq__put_le64(p, (uint64_t)c->cur);
        ts_pq__buf_commit(&c->vals, 8);
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
    c->cell = TS_PQ__CELL_UNSET;
}

void ts_pq__col_page(const struct ts_pq__col *c, struct ts_buf *page)
{
    ts_buf_reset(page);
    if (c->nullable) {
        ts_pq__buf_room(page, 4);
        ts_pq__buf_commit(page, 4);
        ts_pq__levels_encode(page, (const uint8_t *)c->defs.buf, c->defs.len);
        ts_pq__put_le32((uint8_t *)page->buf, (uint32_t)(page->len - 4));
    }
    if (c->type == TS_PQ_BOOL) {
        size_t n = c->vals.len, bytes = (n + 7) / 8;
        uint8_t *p = ts_pq__buf_room(page, bytes);
        memset(p, 0, bytes);
        for (size_t i = 0; i < n; i++) {
            p[i / 8] |= (uint8_t)((c->vals.buf[i] & 1) << (i % 8));
        }
        ts_pq__buf_commit(page, bytes);
    } else {
        ts_buf_add(page, c->vals.buf, c->vals.len);
    }
}

void ts_pq__col_reset(struct ts_pq__col *c)
{
    ts_buf_reset(&c->vals);
    ts_buf_reset(&c->defs);
    c->row_mark = 0;
    c->nulls = 0;
    c->has_minmax = false;
    c->sstats = TS_PQ__SS_NONE;
}
