/* err.c - error code names and the error context. See err.h. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ts_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
#define TS_ERR_TEXT(name, val, text)                                                               \
    case val:                                                                                      \
        return text;
        TS_ERRNO_MAP(TS_ERR_TEXT)
#undef TS_ERR_TEXT
    }
    return "unknown error";
}

const char *ts_errname(int code)
{
    switch (code) {
    case 0:
        return "OK";
#define TS_ERR_NAME(name, val, text)                                                               \
    case val:                                                                                      \
        return #name;
        TS_ERRNO_MAP(TS_ERR_NAME)
#undef TS_ERR_NAME
    }
    return "EUNKNOWN";
}

int ts_err_set(struct ts_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        err->sqlstate[0] = '\0';
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

int ts_err_wrap(struct ts_err *err, const char *fmt, ...)
{
    char prefix[256];
    char old[sizeof(err->msg)];
    va_list ap;

    if (!err) {
        return 0;
    }
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    /* truncation of a long message is acceptable: keep the start, which says the most */
    size_t n = strlen(prefix);
    if (n > sizeof(err->msg) - 3) {
        n = sizeof(err->msg) - 3;
    }
    memcpy(err->msg, prefix, n);
    err->msg[n] = ':';
    err->msg[n + 1] = ' ';
    size_t rest = sizeof(err->msg) - n - 3;
    size_t m = strnlen(old, rest);
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = '\0';
    return err->code;
}

void ts_err_clear(struct ts_err *err)
{
    if (err) {
        err->code = 0;
        err->sqlstate[0] = '\0';
        err->msg[0] = '\0';
    }
}
