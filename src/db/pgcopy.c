/* pgcopy.c - PostgreSQL binary COPY encoding. See pgcopy.h. */
#include "db/pgcopy.h"

#include <string.h>

/* "PGCOPY\n\377\r\n\0", then flags and the header extension length (both 0). */
static const char SIGNATURE[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'};
#define PG_EPOCH_US INT64_C(946684800000000) /* 2000-01-01 UTC, in Unix microseconds */

/* Big-endian stores into p; each encoder builds its field on the stack and adds it once. */
static unsigned char *put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
    return p + 2;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

static unsigned char *put64(unsigned char *p, uint64_t v)
{
    return put32(put32(p, (uint32_t)(v >> 32)), (uint32_t)v);
}

static void be16(struct ts_buf *b, uint16_t v)
{
    unsigned char x[2];
    put16(x, v);
    ts_buf_add(b, x, 2);
}

static void be32(struct ts_buf *b, uint32_t v)
{
    unsigned char x[4];
    put32(x, v);
    ts_buf_add(b, x, 4);
}

void ts_pgcopy_header(struct ts_buf *b)
{
    ts_buf_add(b, SIGNATURE, sizeof(SIGNATURE));
    be32(b, 0);
    be32(b, 0);
}

void ts_pgcopy_trailer(struct ts_buf *b)
{
    be16(b, 0xFFFF);
}

void ts_pgcopy_tuple(struct ts_buf *b, int nfields)
{
    be16(b, (uint16_t)nfields);
}

void ts_pgcopy_null(struct ts_buf *b)
{
    be32(b, 0xFFFFFFFFu);
}

void ts_pgcopy_text(struct ts_buf *b, const char *s, size_t len)
{
    be32(b, (uint32_t)len);
    ts_buf_add(b, s, len);
}

void ts_pgcopy_jsonb(struct ts_buf *b, const char *json, size_t len)
{
    be32(b, (uint32_t)(len + 1));
    ts_buf_addch(b, 1);
    ts_buf_add(b, json, len);
}

void ts_pgcopy_int8(struct ts_buf *b, int64_t v)
{
    unsigned char x[12];
    put64(put32(x, 8), (uint64_t)v);
    ts_buf_add(b, x, sizeof(x));
}

/*
 * numeric's send form: ndigits, weight, sign, dscale (int16 each), then ndigits
 * base-10000 digits, most significant first; weight is the power of 10000 of the
 * first digit. A ts_dec is |v| <= 10^18 - 1 in 1e-8 units: at most three integer
 * groups and exactly two fraction groups, of which leading and trailing zero
 * groups are left out, as PostgreSQL's own output does.
 */
void ts_pgcopy_numeric(struct ts_buf *b, ts_dec v)
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t ip = a / (uint64_t)TS_DEC_SCALE, fp = a % (uint64_t)TS_DEC_SCALE;
    uint16_t g[5] = {(uint16_t)(ip / 100000000u), (uint16_t)(ip / 10000u % 10000u),
                     (uint16_t)(ip % 10000u), (uint16_t)(fp / 10000u), (uint16_t)(fp % 10000u)};
    int first = 0, last = 4;
    while (first < 5 && g[first] == 0) {
        first++;
    }
    while (last >= first && g[last] == 0) {
        last--;
    }
    int nd = first < 5 ? last - first + 1 : 0;
    unsigned char x[4 + 8 + 2 * 5], *p = x;
    p = put32(p, (uint32_t)(8 + 2 * nd));
    p = put16(p, (uint16_t)nd);
    p = put16(p, (uint16_t)(int16_t)(nd ? 2 - first : 0)); /* g[2] has weight 0 */
    p = put16(p, v < 0 ? 0x4000 : 0x0000);
    p = put16(p, (uint16_t)TS_DEC_PLACES);
    for (int i = first; i <= last && nd; i++) {
        p = put16(p, g[i]);
    }
    ts_buf_add(b, x, (size_t)(p - x));
}

void ts_pgcopy_timestamptz(struct ts_buf *b, int64_t ns)
{
    int64_t us = ns / 1000;
    if (ns < 0 && ns % 1000) {
        us--; /* floor, as the text form would truncate toward the past */
    }
    unsigned char x[12];
    put64(put32(x, 8), (uint64_t)(us - PG_EPOCH_US));
    ts_buf_add(b, x, sizeof(x));
}
