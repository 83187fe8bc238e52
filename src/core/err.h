/*
 * err.h - error codes and the error context carried up through the layers.
 *
 * A call that can fail returns int: 0 or a negative TS_E* code. When the caller
 * wants to know why, it passes a struct ts_err; each layer that fails fills it
 * ("cannot insert order 'X': <cause>"). Does not log: the caller decides.
 * See CONVENTIONS.md "Errors".
 */
#ifndef TS_CORE_ERR_H
#define TS_CORE_ERR_H

#include <stddef.h>

#define TS_MUST_CHECK __attribute__((warn_unused_result))
#define TS_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* X(name, value, text): the one list of error codes. */
#define TS_ERRNO_MAP(X)                                                                            \
    X(EINVAL, -1, "invalid argument")                                                              \
    X(ENOMEM, -2, "out of memory")                                                                 \
    X(EIO, -3, "input/output error")                                                               \
    X(ENOTFOUND, -4, "not found")                                                                  \
    X(ECONFLICT, -5, "conflict")                                                                   \
    X(EDB, -6, "database error")                                                                   \
    X(ECONN, -7, "connection lost")                                                                \
    X(ERETRY, -8, "transient failure, retry")                                                      \
    X(ERANGE, -9, "value out of range")                                                            \
    X(ESTATE, -10, "illegal state")                                                                \
    X(ETIMEDOUT, -11, "timed out")                                                                 \
    X(EBUSY, -12, "busy")                                                                          \
    X(ECHILD, -13, "child process failed")                                                         \
    X(ECHECKSUM, -14, "checksum mismatch")                                                         \
    X(ERISK, -15, "refused by the pre-trade risk check")                                           \
    X(EAUTH, -16, "not authenticated")                                                             \
    X(EDENIED, -17, "not allowed")                                                                 \
    X(ELIMIT, -18, "too many attempts")

enum ts_errno {
#define TS_ERR_ENUM(name, val, text) TS_##name = (val),
    TS_ERRNO_MAP(TS_ERR_ENUM)
#undef TS_ERR_ENUM
};

/* Static text of a code ("invalid argument"); "unknown error" for others. */
const char *ts_strerror(int code);
/* Static name of a code ("EINVAL"). */
const char *ts_errname(int code);

/* Error context. Owned by the caller, usually on its stack. */
struct ts_err {
    int code;         /* TS_E* or 0 */
    char sqlstate[6]; /* PostgreSQL SQLSTATE when the cause was the database, else "" */
    char msg[512];    /* lowercase, failure first, no final period */
};

#define TS_ERR_INIT                                                                                \
    {                                                                                              \
        0, "", ""                                                                                  \
    }

/*
 * Set err (if not NULL) to code and a formatted message; returns code so that
 * `return ts_err_set(err, TS_EINVAL, "...")` reads naturally.
 */
int ts_err_set(struct ts_err *err, int code, const char *fmt, ...) TS_PRINTF(3, 4);
/* Prefix the existing message: "what we were doing: <old message>". Returns err->code. */
int ts_err_wrap(struct ts_err *err, const char *fmt, ...) TS_PRINTF(2, 3);
void ts_err_clear(struct ts_err *err);

#endif
