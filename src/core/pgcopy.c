/* pgcopy.c - PostgreSQL binary COPY encoding. See pgcopy.h. */
#include "core/pgcopy.h"

#include <string.h>

/* "PGCOPY\n\377\r\n\0", then flags and the header extension length (both 0). */
static const char SIGNATURE[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'};
#define PG_EPOCH_US INT64_C(946684800000000) /* 2000-01-01 UTC, in Unix microseconds */

static void be16(struct ts_buf *b, uint16_t v)
{
    unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    ts_buf_add(b, x, 2);
}

static void be32(struct ts_buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    ts_buf_add(b, x, 4);
}

static void be64(struct ts_buf *b, uint64_t v)
{
    be32(b, (uint32_t)(v >> 32));
    be32(b, (uint32_t)v);
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
    be32(b, 8);
    be64(b, (uint64_t)v);
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
    be32(b, (uint32_t)(8 + 2 * nd));
    be16(b, (uint16_t)nd);
    be16(b, (uint16_t)(int16_t)(nd ? 2 - first : 0)); /* g[2] has weight 0 */
    be16(b, v < 0 ? 0x4000 : 0x0000);
    be16(b, (uint16_t)TS_DEC_PLACES);
    for (int i = first; i <= last && nd; i++) {
        be16(b, g[i]);
    }
}

void ts_pgcopy_timestamptz(struct ts_buf *b, int64_t ns)
{
    int64_t us = ns / 1000;
    if (ns < 0 && ns % 1000) {
        us--; /* floor, as the text form would truncate toward the past */
    }
    be32(b, 8);
    be64(b, (uint64_t)(us - PG_EPOCH_US));
}
