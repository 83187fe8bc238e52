/*
 * parquet_thrift.c - the Thrift Compact Protocol, as far as Parquet's metadata uses it
 * (thrift's doc/specs/thrift-compact-protocol.md): written by the Parquet writer, read
 * back by its verifier. Declared in capture/internal.h.
 *
 * A struct is a sequence of fields ended by a 0 byte; a field header is one byte,
 * (id delta << 4) | type when the delta from the previous field id is 1..15, else the
 * type alone followed by the id as a zigzag varint; integers are zigzag ULEB128 varints;
 * binary/string is a varint length and the bytes; a list header is (size << 4) | element
 * type for sizes below 15, else 0xF0 | type and a varint size; a bool field carries its
 * value in the type (1 true, 2 false); enums are i32.
 *
 * Does not: know Parquet's structs (the callers write and read their fields by id),
 * allocate (beyond the ts_buf being written), do I/O.
 */
#include "capture/internal.h"

/* ---------------------------------------------------------------------------------------- */
/* Varints */

void ts_pq__buf_uvarint(struct ts_buf *b, uint64_t v)
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
/* Writing */

void ts_pq__tcw_init(struct ts_pq__tcw *t, struct ts_buf *b)
{
    t->b = b;
    t->depth = 0;
    t->last[0] = 0;
}

void ts_pq__tcw_field(struct ts_pq__tcw *t, int16_t id, int type)
{
    int delta = id - t->last[t->depth];
    if (delta > 0 && delta <= 15) {
        ts_pq__buf_byte(t->b, (uint8_t)(delta << 4 | type));
    } else {
        ts_pq__buf_byte(t->b, (uint8_t)type);
        ts_pq__buf_uvarint(t->b, (uint64_t)(((int64_t)id << 1) ^ ((int64_t)id >> 63)));
    }
    t->last[t->depth] = id;
}

void ts_pq__tcw_zz(struct ts_pq__tcw *t, int64_t v)
{
    ts_pq__buf_uvarint(t->b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* Opens a struct value (after its field header or as a list element). */
void ts_pq__tcw_struct_begin(struct ts_pq__tcw *t)
{
    assert(t->depth < TS_PQ__TC_MAX_DEPTH);
    t->last[++t->depth] = 0;
}

void ts_pq__tcw_struct_end(struct ts_pq__tcw *t)
{
    assert(t->depth > 0);
    ts_pq__buf_byte(t->b, TS_PQ__TC_STOP);
    t->depth--;
}

void ts_pq__tcw_field_struct(struct ts_pq__tcw *t, int16_t id)
{
    ts_pq__tcw_field(t, id, TS_PQ__TC_STRUCT);
    ts_pq__tcw_struct_begin(t);
}

void ts_pq__tcw_i32(struct ts_pq__tcw *t, int16_t id, int32_t v)
{
    ts_pq__tcw_field(t, id, TS_PQ__TC_I32);
    ts_pq__tcw_zz(t, v);
}

void ts_pq__tcw_i16(struct ts_pq__tcw *t, int16_t id, int16_t v)
{
    ts_pq__tcw_field(t, id, TS_PQ__TC_I16);
    ts_pq__tcw_zz(t, v);
}

void ts_pq__tcw_i64(struct ts_pq__tcw *t, int16_t id, int64_t v)
{
    ts_pq__tcw_field(t, id, TS_PQ__TC_I64);
    ts_pq__tcw_zz(t, v);
}

void ts_pq__tcw_bool(struct ts_pq__tcw *t, int16_t id, bool v)
{
    ts_pq__tcw_field(t, id, v ? TS_PQ__TC_TRUE : TS_PQ__TC_FALSE);
}

void ts_pq__tcw_bin_value(struct ts_pq__tcw *t, const void *p, size_t n)
{
    ts_pq__buf_uvarint(t->b, n);
    ts_buf_add(t->b, p, n);
}

void ts_pq__tcw_bin(struct ts_pq__tcw *t, int16_t id, const void *p, size_t n)
{
    ts_pq__tcw_field(t, id, TS_PQ__TC_BINARY);
    ts_pq__tcw_bin_value(t, p, n);
}

void ts_pq__tcw_list(struct ts_pq__tcw *t, int16_t id, int elem_type, size_t n)
{
    ts_pq__tcw_field(t, id, TS_PQ__TC_LIST);
    if (n < 15) {
        ts_pq__buf_byte(t->b, (uint8_t)(n << 4 | (size_t)elem_type));
    } else {
        ts_pq__buf_byte(t->b, (uint8_t)(0xf0 | elem_type));
        ts_pq__buf_uvarint(t->b, n);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Reading (bounds-checked: the input is a file) */

uint8_t ts_pq__tcr_byte(struct ts_pq__tcr *r)
{
    if (r->bad || r->p >= r->end) {
        r->bad = true;
        return 0;
    }
    return *r->p++;
}

uint64_t ts_pq__tcr_uvarint(struct ts_pq__tcr *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t c = ts_pq__tcr_byte(r);
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

int64_t ts_pq__tcr_zz(struct ts_pq__tcr *r)
{
    uint64_t u = ts_pq__tcr_uvarint(r);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* Reads a field header: false at the struct's stop byte (or on error). */
bool ts_pq__tcr_field(struct ts_pq__tcr *r, int16_t *last, int16_t *id, int *type)
{
    uint8_t c = ts_pq__tcr_byte(r);
    if (r->bad || c == TS_PQ__TC_STOP) {
        return false;
    }
    *type = c & 0x0f;
    if (c >> 4) {
        *id = (int16_t)(*last + (c >> 4));
    } else {
        int64_t v = ts_pq__tcr_zz(r);
        if (v < INT16_MIN || v > INT16_MAX) {
            r->bad = true;
            return false;
        }
        *id = (int16_t)v;
    }
    *last = *id;
    return true;
}

const uint8_t *ts_pq__tcr_bin(struct ts_pq__tcr *r, size_t *n)
{
    uint64_t len = ts_pq__tcr_uvarint(r);
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
size_t ts_pq__tcr_list(struct ts_pq__tcr *r, int *elem_type)
{
    uint8_t c = ts_pq__tcr_byte(r);
    uint64_t n = c >> 4;
    if (n == 15) {
        n = ts_pq__tcr_uvarint(r);
    }
    *elem_type = c & 0x0f;
    if (r->bad || n > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        return 0;
    }
    return (size_t)n;
}

static void skip_struct(struct ts_pq__tcr *r, int depth)
{
    int16_t last = 0, id;
    int type;
    if (depth > TS_PQ__TC_MAX_DEPTH) {
        r->bad = true;
        return;
    }
    while (ts_pq__tcr_field(r, &last, &id, &type)) {
        ts_pq__tcr_skip(r, type, depth);
    }
}

/* Skips a value of the given type; in lists a bool takes one byte. */
void ts_pq__tcr_skip(struct ts_pq__tcr *r, int type, int depth)
{
    size_t n;
    int et, kt;

    switch (type) {
    case TS_PQ__TC_TRUE:
    case TS_PQ__TC_FALSE:
        break;
    case TS_PQ__TC_BYTE:
        (void)ts_pq__tcr_byte(r);
        break;
    case TS_PQ__TC_I16:
    case TS_PQ__TC_I32:
    case TS_PQ__TC_I64:
        (void)ts_pq__tcr_uvarint(r);
        break;
    case TS_PQ__TC_DOUBLE:
        if (r->end - r->p < 8) {
            r->bad = true;
        } else {
            r->p += 8;
        }
        break;
    case TS_PQ__TC_BINARY:
        (void)ts_pq__tcr_bin(r, &n);
        break;
    case TS_PQ__TC_LIST:
    case TS_PQ__TC_SET:
        n = ts_pq__tcr_list(r, &et);
        for (size_t i = 0; i < n && !r->bad; i++) {
            ts_pq__tcr_skip(r, et == TS_PQ__TC_TRUE || et == TS_PQ__TC_FALSE ? TS_PQ__TC_BYTE : et,
                            depth + 1);
        }
        break;
    case TS_PQ__TC_MAP:
        n = (size_t)ts_pq__tcr_uvarint(r);
        if (n > (size_t)(r->end - r->p)) {
            r->bad = true;
            break;
        }
        if (n) {
            uint8_t c = ts_pq__tcr_byte(r);
            kt = c >> 4;
            et = c & 0x0f;
            for (size_t i = 0; i < n && !r->bad; i++) {
                ts_pq__tcr_skip(r,
                                kt == TS_PQ__TC_TRUE || kt == TS_PQ__TC_FALSE ? TS_PQ__TC_BYTE : kt,
                                depth + 1);
                ts_pq__tcr_skip(r,
                                et == TS_PQ__TC_TRUE || et == TS_PQ__TC_FALSE ? TS_PQ__TC_BYTE : et,
                                depth + 1);
            }
        }
        break;
    case TS_PQ__TC_STRUCT:
        skip_struct(r, depth + 1);
        break;
    default:
        r->bad = true;
    }
}

/* Reads an integer field value of a type the schema says is integral. */
int64_t ts_pq__tcr_int(struct ts_pq__tcr *r, int type)
{
    if (type != TS_PQ__TC_I16 && type != TS_PQ__TC_I32 && type != TS_PQ__TC_I64 &&
        type != TS_PQ__TC_BYTE) {
        r->bad = true;
        return 0;
    }
    if (type == TS_PQ__TC_BYTE) {
        return (int8_t)ts_pq__tcr_byte(r);
    }
    return ts_pq__tcr_zz(r);
}
