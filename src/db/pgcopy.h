/*
 * pgcopy.h - PostgreSQL's binary COPY format, written into a ts_buf: the file
 * header, tuples of fields (each a big-endian int32 length and the type's binary
 * send form), the trailer. Only the types we store are here: text/varchar, int8,
 * numeric (from a ts_dec, scale 8) and timestamptz (from ns UTC, to microseconds).
 *
 * Pure and thread-agnostic: a buffer belongs to its caller. The stream is only
 * valid when the field count written per tuple matches the COPY's column list.
 */
#ifndef TS_DB_PGCOPY_H
#define TS_DB_PGCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/dec.h"

void ts_pgcopy_header(struct ts_buf *b);
void ts_pgcopy_trailer(struct ts_buf *b);
void ts_pgcopy_tuple(struct ts_buf *b, int nfields);
void ts_pgcopy_null(struct ts_buf *b);
void ts_pgcopy_text(struct ts_buf *b, const char *s, size_t len);
/* jsonb's send form: version 1, then the JSON text (valid UTF-8, no \u0000: the caller's). */
void ts_pgcopy_jsonb(struct ts_buf *b, const char *json, size_t len);
void ts_pgcopy_int8(struct ts_buf *b, int64_t v);
void ts_pgcopy_numeric(struct ts_buf *b, ts_dec v);
void ts_pgcopy_timestamptz(struct ts_buf *b, int64_t ns); /* truncated to the microsecond */

#endif
