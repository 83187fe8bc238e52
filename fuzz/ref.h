/*
 * ref.h - reference implementations the fuzz targets check the program against
 * (kept apart from src/ on purpose: an oracle must not share the code it judges).
 */
#ifndef TS_FUZZ_REF_H
#define TS_FUZZ_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Valid UTF-8 by RFC 3629 (no overlong forms, no surrogates, nothing above U+10FFFF),
 * written independently of core/utf8.c so that the fuzz targets check it, not trust it. */
static inline bool ts_fuzz_ref_utf8(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t more;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            more = 1, cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            more = 2, cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            more = 3, cp = c & 0x07;
        } else {
            return false;
        }
        for (size_t j = 1; j <= more; j++) {
            if (i + j >= n || (s[i + j] & 0xc0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if ((more == 2 && cp < 0x800) || (more == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += more + 1;
    }
    return true;
}

#endif
