/*
 * buf.h - growable, length-carrying, always NUL-terminated byte buffer.
 *
 * Invariants: buf[len] == '\0'; len < cap when cap > 0; an initialised empty
 * buffer (TS_BUF_INIT) points at a shared static "" and owns nothing until the
 * first add. ts_buf_reset() keeps the capacity for reuse on hot paths.
 * Not thread-safe: one owner at a time.
 */
#ifndef TS_CORE_BUF_H
#define TS_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

struct ts_buf {
    char *buf;  /* owned when cap > 0; never NULL */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated, 0 while buf points at the static "" */
};

extern char ts_buf_empty[];
#define TS_BUF_INIT                                                                                \
    {                                                                                              \
        ts_buf_empty, 0, 0                                                                         \
    }

void ts_buf_init(struct ts_buf *b);
/* Frees the contents; b is left as TS_BUF_INIT. */
void ts_buf_release(struct ts_buf *b);
/* Empties b, keeping its capacity. */
void ts_buf_reset(struct ts_buf *b);
/* Makes room for at least extra more bytes. */
void ts_buf_grow(struct ts_buf *b, size_t extra);
void ts_buf_add(struct ts_buf *b, const void *data, size_t len);
void ts_buf_adds(struct ts_buf *b, const char *s);
void ts_buf_addch(struct ts_buf *b, char c);
void ts_buf_addf(struct ts_buf *b, const char *fmt, ...) TS_PRINTF(2, 3);
void ts_buf_vaddf(struct ts_buf *b, const char *fmt, va_list ap);
/* Appends s as the body of a JSON string (without the quotes), escaped. */
void ts_buf_add_json_escaped(struct ts_buf *b, const char *s, size_t len);
/* Appends s as a quoted JSON string; NULL becomes null. */
void ts_buf_add_json_str(struct ts_buf *b, const char *s);
void ts_buf_truncate(struct ts_buf *b, size_t len);
/* Hands the heap string to the caller (free with ts_free()); b becomes empty. */
char *ts_buf_detach(struct ts_buf *b, size_t *len);

#endif
