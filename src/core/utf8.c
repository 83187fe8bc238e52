/* utf8.c - UTF-8 validation. See utf8.h. */
#include "core/utf8.h"

size_t ts_utf8_seq(const void *p, size_t avail)
{
    const unsigned char *s = p;
    if (!avail) {
        return 0;
    }
    unsigned char c = s[0];
    size_t n;
    unsigned int cp, min;
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        n = 2, cp = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, cp = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n > avail) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

bool ts_utf8_valid(const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n;) {
        size_t k = ts_utf8_seq(s + i, n - i);
        if (!k) {
            return false;
        }
        i += k;
    }
    return true;
}

size_t ts_utf8_chars(const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) {
        chars += (s[i] & 0xc0) != 0x80;
    }
    return chars;
}
