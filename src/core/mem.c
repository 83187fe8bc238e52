/* mem.c - the only place that calls malloc and friends. See mem.h. */
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "tradingsystem: fatal: out of memory allocating %zu bytes\n", n);
    abort();
}

void *ts_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        oom(n);
    }
    return p;
}

void *ts_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p) {
        oom(nmemb * size);
    }
    return p;
}

void *ts_xmallocarray(size_t nmemb, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(nmemb, size, &n)) {
        oom((size_t)-1);
    }
    return ts_xmalloc(n);
}

void *ts_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        oom(n);
    }
    return q;
}

void *ts_xreallocarray(void *p, size_t nmemb, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(nmemb, size, &n)) {
        oom((size_t)-1);
    }
    return ts_xrealloc(p, n);
}

char *ts_xstrdup(const char *s)
{
    return ts_xstrndup(s, strlen(s));
}

char *ts_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = ts_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void ts_free(void *p)
{
    free(p);
}
