/* tradefile.c - trade file lines into ticks. See tradefile.h. */
#include "capture/tradefile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dec.h"
#include "core/tstime.h"

#define MAX_FIELDS 12
#define FIELD_MAX 64

struct fields {
    const char *p[MAX_FIELDS];
    size_t len[MAX_FIELDS];
    int n;
};

static int split(const char *line, size_t len, char sep, struct fields *f, struct ts_err *err)
{
    if (len && line[len - 1] == '\r') {
        len--;
    }
    f->n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || line[i] == sep) {
            if (f->n == MAX_FIELDS) {
                return ts_err_set(err, TS_EINVAL, "more than %d fields", MAX_FIELDS - 1);
            }
            f->p[f->n] = line + start;
            f->len[f->n++] = i - start;
            start = i + 1;
        }
    }
    return 0;
}

static bool is_digits(const char *s, size_t n)
{
    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static int symbol_of(const char *s, size_t n, struct ts_tick *t, const char *what,
                     struct ts_err *err)
{
    if (n == 0 || n > 20 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") < n) {
        return ts_err_set(err, TS_EINVAL, "%s '%.*s' is not 1 to 20 upper-case letters or digits",
                          what, (int)(n > 40 ? 40 : n), s);
    }
    memcpy(t->symbol, s, n);
    t->symbol[n] = '\0';
    return 0;
}

/* A positive decimal; comma is the decimal separator when comma is true. */
static int positive(const char *s, size_t n, bool comma, ts_dec *out, const char *what,
                    struct ts_err *err)
{
    char buf[FIELD_MAX];
    if (n == 0 || n >= sizeof(buf)) {
        return ts_err_set(err, TS_EINVAL, "%s is empty or too long", what);
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (comma) {
        char *c = strchr(buf, ',');
        if (strchr(buf, '.')) {
            return ts_err_set(err, TS_EINVAL, "%s '%s': the decimal separator is a comma", what,
                              buf);
        }
        if (c) {
            *c = '.';
        }
    }
    if (ts_dec_parse(buf, n, out) || *out <= 0) {
        return ts_err_set(err, TS_EINVAL, "%s '%.*s' is not a decimal > 0 with at most 8 places",
                          what, (int)n, s);
    }
    return 0;
}

static int trade_no(const char *s, size_t n, int64_t *out, struct ts_err *err)
{
    if (!is_digits(s, n) || n > 18) {
        return ts_err_set(err, TS_EINVAL, "trade number '%.*s' is not an integer",
                          (int)(n > 40 ? 40 : n), s);
    }
    int64_t v = 0; /* within n: the field need not end in NUL */
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int parse_b3(const struct fields *f, struct ts_tick *t, enum ts_tradefile_kind *kind,
                    struct ts_err *err)
{
    if (f->n != 11) {
        return ts_err_set(err, TS_EINVAL, "%d fields, 11 expected (';'-separated)", f->n);
    }
    if (f->len[1] == 17 && !memcmp(f->p[1], "CodigoInstrumento", 17)) {
        *kind = TS_TRADEFILE_HEADER;
        return 0;
    }
    int rc = symbol_of(f->p[1], f->len[1], t, "CodigoInstrumento", err);
    if (rc) {
        return rc;
    }
    if (f->len[2] != 1 || (f->p[2][0] != '0' && f->p[2][0] != '2')) {
        return ts_err_set(err, TS_EINVAL, "AcaoAtualizacao '%.*s' is not 0 (new) or 2 (cancel)",
                          (int)(f->len[2] > 10 ? 10 : f->len[2]), f->p[2]);
    }
    *kind = f->p[2][0] == '0' ? TS_TRADEFILE_TRADE : TS_TRADEFILE_CANCEL;
    /* time: DataNegocio (YYYY-MM-DD) and HoraFechamento (HHMMSSmmm), B3 local */
    const char *d = f->p[8], *h = f->p[5];
    size_t hl = f->len[5];
    if (f->len[8] != 10 || d[4] != '-' || d[7] != '-' || !is_digits(d, 4) || !is_digits(d + 5, 2) ||
        !is_digits(d + 8, 2)) {
        return ts_err_set(err, TS_EINVAL, "DataNegocio '%.*s' is not YYYY-MM-DD",
                          (int)(f->len[8] > 20 ? 20 : f->len[8]), d);
    }
    if (!is_digits(h, hl) || hl < 8 || hl > 9) {
        return ts_err_set(err, TS_EINVAL, "HoraFechamento '%.*s' is not HHMMSSmmm",
                          (int)(hl > 20 ? 20 : hl), h);
    }
    char hh[10] = "0";
    memcpy(hh + (9 - hl), h, hl); /* 8 digits: an hour before 10 without its leading zero */
    char iso[40];
    snprintf(iso, sizeof(iso), "%.10sT%.2s:%.2s:%.2s.%.3s-03:00", d, hh, hh + 2, hh + 4, hh + 6);
    if (ts_time_parse_rfc3339(iso, strlen(iso), &t->time_ns)) {
        return ts_err_set(err, TS_EINVAL, "DataNegocio/HoraFechamento '%.10s %.*s' is not a time",
                          d, (int)hl, h);
    }
    if ((rc = trade_no(f->p[6], f->len[6], &t->trade_id, err))) {
        return rc;
    }
    if (*kind == TS_TRADEFILE_CANCEL) {
        t->price = t->volume = 0;
        return 0;
    }
    rc = positive(f->p[3], f->len[3], true, &t->price, "PrecoNegocio", err);
    rc = rc ? rc : positive(f->p[4], f->len[4], true, &t->volume, "QuantidadeNegociada", err);
    t->aggressor = 2;
    return rc;
}

static int parse_csv(const struct fields *f, struct ts_tick *t, enum ts_tradefile_kind *kind,
                     struct ts_err *err)
{
    if (f->n != 6) {
        return ts_err_set(err, TS_EINVAL,
                          "%d fields, 6 expected: symbol,tick_time,price,volume,"
                          "aggressor,trade_id",
                          f->n);
    }
    if (f->len[0] == 6 && !memcmp(f->p[0], "symbol", 6)) {
        *kind = TS_TRADEFILE_HEADER;
        return 0;
    }
    *kind = TS_TRADEFILE_TRADE;
    int rc = symbol_of(f->p[0], f->len[0], t, "symbol", err);
    if (!rc && (rc = ts_time_parse_rfc3339_err(f->p[1], f->len[1], &t->time_ns, err))) {
        ts_err_wrap(err, "tick_time"); /* rc, not its return: err may be NULL */
    }
    rc = rc ? rc : positive(f->p[2], f->len[2], false, &t->price, "price", err);
    rc = rc ? rc : positive(f->p[3], f->len[3], false, &t->volume, "volume", err);
    if (!rc) {
        const char *a = f->p[4];
        size_t n = f->len[4];
        t->aggressor = n == 0                               ? 2
                       : n == 3 && !memcmp(a, "BUY", 3)     ? 0
                       : n == 4 && !memcmp(a, "SELL", 4)    ? 1
                       : n == 7 && !memcmp(a, "NEUTRAL", 7) ? 2
                                                            : -1;
        if (t->aggressor < 0) {
            rc = ts_err_set(err, TS_EINVAL, "aggressor '%.*s' is not BUY, SELL or NEUTRAL",
                            (int)(n > 20 ? 20 : n), a);
        }
    }
    return rc ? rc : trade_no(f->p[5], f->len[5], &t->trade_id, err);
}

int ts_tradefile_parse(enum ts_tradefile_format fmt, const char *line, size_t len,
                       struct ts_tick *out, enum ts_tradefile_kind *kind, struct ts_err *err)
{
    struct fields f;
    struct ts_tick t;
    memset(&t, 0, sizeof(t));
    if (memchr(line, '\0', len)) {
        return ts_err_set(err, TS_EINVAL, "a NUL byte in the line");
    }
    int rc = split(line, len, fmt == TS_TRADEFILE_B3 ? ';' : ',', &f, err);
    rc = rc                       ? rc
         : fmt == TS_TRADEFILE_B3 ? parse_b3(&f, &t, kind, err)
                                  : parse_csv(&f, &t, kind, err);
    if (!rc) {
        t.time_ns -= t.time_ns % 1000; /* the table keeps microseconds */
        *out = t;
    }
    return rc;
}
