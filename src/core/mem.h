/*
 * mem.h - allocation that never returns NULL.
 *
 * ts_xmalloc() and friends abort with a message on out-of-memory: an order
 * manager that cannot allocate must stop, not trade on half-built state.
 * Bare malloc exists only in mem.c. Sizes computed from input must be bounded
 * before they get here; ts_xmallocarray() checks the product for overflow.
 */
#ifndef TS_CORE_MEM_H
#define TS_CORE_MEM_H

#include <stddef.h>

void *ts_xmalloc(size_t n);
void *ts_xcalloc(size_t nmemb, size_t size);
void *ts_xmallocarray(size_t nmemb, size_t size);
void *ts_xrealloc(void *p, size_t n);
void *ts_xreallocarray(void *p, size_t nmemb, size_t size);
char *ts_xstrdup(const char *s);
char *ts_xstrndup(const char *s, size_t n);
void ts_free(void *p);

#endif
