/*
 * utf8.h - UTF-8 as RFC 3629 and PostgreSQL define it: no overlong forms, no
 * surrogates, nothing above U+10FFFF. (U+0000 is valid UTF-8; callers that store
 * into PostgreSQL text refuse it themselves.) Pure; any thread.
 */
#ifndef TS_CORE_UTF8_H
#define TS_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1..4) of the valid sequence at s, of at most avail bytes; 0 when invalid. */
size_t ts_utf8_seq(const void *s, size_t avail);
/* Whether s[0..n-1] is entirely valid. */
bool ts_utf8_valid(const void *s, size_t n);
/* Characters (code points) of valid UTF-8 text s[0..n-1]. */
size_t ts_utf8_chars(const void *s, size_t n);

#endif
