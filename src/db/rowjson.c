/*
 * rowjson.c - PostgreSQL rows as JSON in the conventions of API.md: numeric as
 * strings (exact decimals), integers as numbers, timestamptz as RFC 3339 UTC
 * ("2026-11-24T13:05:00.123456Z"; connections run with TimeZone UTC), jsonb
 * inline, NULL null. Used by the REST answers and the outbox payloads alike.
 */
#include "db/db.h"

#include <libpq-fe.h>

#include <string.h>

/* PostgreSQL type OIDs we render specially (pg_type.h, stable across versions). */
enum {
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_JSON = 114,
    OID_TIMESTAMPTZ = 1184,
    OID_NUMERIC = 1700,
    OID_JSONB = 3802,
};

/* "2026-11-24 13:05:00.123456+00" (DateStyle ISO, TimeZone UTC) -> RFC 3339 with Z. */
static void add_timestamptz(struct ts_buf *out, const char *v)
{
    size_t len = strlen(v);
    ts_buf_addch(out, '"');
    if (len > 3 && !strcmp(v + len - 3, "+00") && len > 10 && v[10] == ' ') {
        ts_buf_add(out, v, 10);
        ts_buf_addch(out, 'T');
        ts_buf_add(out, v + 11, len - 14);
        ts_buf_addch(out, 'Z');
    } else {
        ts_buf_add_json_escaped(out, v, len); /* not UTC: leave it as the server wrote it */
    }
    ts_buf_addch(out, '"');
}

void ts_db_row_json(struct ts_buf *out, const PGresult *res, int row)
{
    int n = PQnfields(res);
    ts_buf_addch(out, '{');
    for (int f = 0; f < n; f++) {
        if (f) {
            ts_buf_addch(out, ',');
        }
        ts_buf_add_json_str(out, PQfname(res, f));
        ts_buf_addch(out, ':');
        if (PQgetisnull(res, row, f)) {
            ts_buf_adds(out, "null");
            continue;
        }
        const char *v = PQgetvalue(res, row, f);
        switch (PQftype(res, f)) {
        case OID_BOOL:
            ts_buf_adds(out, v[0] == 't' ? "true" : "false");
            break;
        case OID_INT2:
        case OID_INT4:
        case OID_INT8:
        case OID_JSON:
        case OID_JSONB:
            ts_buf_adds(out, v);
            break;
        case OID_TIMESTAMPTZ:
            add_timestamptz(out, v);
            break;
        default: /* numeric stays a string: exact decimals */
            ts_buf_add_json_str(out, v);
        }
    }
    ts_buf_addch(out, '}');
}

void ts_db_rows_json(struct ts_buf *out, const PGresult *res)
{
    int rows = PQntuples(res);
    ts_buf_addch(out, '[');
    for (int r = 0; r < rows; r++) {
        if (r) {
            ts_buf_addch(out, ',');
        }
        ts_db_row_json(out, res, r);
    }
    ts_buf_addch(out, ']');
}
