/* buf.c - growable string buffer. See buf.h for the invariants. */
#include "core/buf.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/utf8.h"

char ts_buf_empty[1];

void ts_buf_init(struct ts_buf *b)
{
    b->buf = ts_buf_empty;
    b->len = 0;
    b->cap = 0;
}

void ts_buf_release(struct ts_buf *b)
{
    if (b->cap) {
        ts_free(b->buf);
    }
    ts_buf_init(b);
}

void ts_buf_reset(struct ts_buf *b)
{
    b->len = 0;
    if (b->cap) {
        b->buf[0] = '\0';
    }
}

void ts_buf_grow(struct ts_buf *b, size_t extra)
{
    size_t need;
    if (__builtin_add_overflow(b->len, extra, &need) || __builtin_add_overflow(need, 1, &need)) {
        ts_xmalloc((size_t)-1); /* aborts with a message */
    }
    if (need <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        cap = cap < ((size_t)-1) / 2 ? cap * 2 : need;
    }
    if (b->cap) {
        b->buf = ts_xrealloc(b->buf, cap);
    } else {
        b->buf = ts_xmalloc(cap);
        b->buf[0] = '\0';
    }
    b->cap = cap;
}

void ts_buf_add(struct ts_buf *b, const void *data, size_t len)
{
    if (len == 0) {
        return;
    }
    ts_buf_grow(b, len);
    memcpy(b->buf + b->len, data, len);
    b->len += len;
    b->buf[b->len] = '\0';
}

void ts_buf_adds(struct ts_buf *b, const char *s)
{
    ts_buf_add(b, s, strlen(s));
}

void ts_buf_addch(struct ts_buf *b, char c)
{
    ts_buf_grow(b, 1);
    b->buf[b->len++] = c;
    b->buf[b->len] = '\0';
}

void ts_buf_vaddf(struct ts_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(b->buf + b->len, b->cap ? b->cap - b->len : 0, fmt, cp);
    va_end(cp);
    assert(n >= 0);
    if ((size_t)n >= (b->cap ? b->cap - b->len : 0)) {
        ts_buf_grow(b, (size_t)n);
        n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
        assert(n >= 0 && (size_t)n < b->cap - b->len);
    }
    b->len += (size_t)n;
}

void ts_buf_addf(struct ts_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ts_buf_vaddf(b, fmt, ap);
    va_end(ap);
}

void ts_buf_add_json_escaped(struct ts_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t start = 0, i = 0;

    while (i < len) {
        unsigned char c = u[i];
        const char *esc = NULL;
        char ubuf[7];
        size_t adv = 1;

        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                ubuf[0] = '\\';
                ubuf[1] = 'u';
                ubuf[2] = '0';
                ubuf[3] = '0';
                ubuf[4] = hex[c >> 4];
                ubuf[5] = hex[c & 15];
                ubuf[6] = '\0';
                esc = ubuf;
            } else if (c >= 0x80) {
                adv = ts_utf8_seq(u + i, len - i);
                if (adv == 0) {
                    esc = "\xef\xbf\xbd"; /* U+FFFD: the output stays valid JSON */
                    adv = 1;
                }
            }
        }
        if (esc) {
            ts_buf_add(b, s + start, i - start);
            ts_buf_adds(b, esc);
            start = i + adv;
        }
        i += adv;
    }
    ts_buf_add(b, s + start, len - start);
}

void ts_buf_add_json_str(struct ts_buf *b, const char *s)
{
    if (!s) {
        ts_buf_adds(b, "null");
        return;
    }
    ts_buf_addch(b, '"');
    ts_buf_add_json_escaped(b, s, strlen(s));
    ts_buf_addch(b, '"');
}

void ts_buf_truncate(struct ts_buf *b, size_t len)
{
    assert(len <= b->len);
    if (b->cap) {
        b->len = len;
        b->buf[len] = '\0';
    }
}

char *ts_buf_detach(struct ts_buf *b, size_t *len)
{
    char *p;
    if (len) {
        *len = b->len;
    }
    if (!b->cap) {
        p = ts_xstrdup("");
    } else {
        p = b->buf;
    }
    ts_buf_init(b);
    return p;
}
