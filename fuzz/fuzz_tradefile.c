/*
 * fuzz_tradefile.c - fuzz target for ts_tradefile_parse() (src/capture/tradefile.h):
 * every line of the input ('\n'-separated) is read as a B3 line and as a CSV line.
 *
 * Whatever is accepted must be what the line says, checked against the line's own
 * fields split here: a trade has price > 0 and volume > 0 equal to its price and
 * volume fields, a symbol of 1 to 20 upper-case letters or digits equal to its
 * field, a trade number equal to its digits, a time on a whole microsecond that
 * is the B3 local date and time of the line (B3) or its tick_time (CSV), the
 * aggressor the line names; a cancel has price and volume 0; a header is a header.
 * An accepted tick written back as a CSV line (and a B3 one as a B3 line) parses to
 * the same tick; a trailing '\r' changes nothing. A refusal is TS_EINVAL (TS_ERANGE
 * for a time beyond int64 ns) with a message. And a valid tick drawn from the
 * input's bytes, written as CSV and B3 lines, must be accepted as that tick.
 * Aborts on any mismatch. Does not check why a line was refused
 * (tests/unit/test_tradefile.c has those cases).
 *
 * Each line is handed over NUL-terminated, as the replayer's getline() does: the
 * parser reads the trade number with strtoll(), which runs past len on a line
 * that is not. Replayed over fuzz/seeds/tradefile/ by ctest; with clang:
 * -fsanitize=fuzzer.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/tradefile.h"
#include "core/dec.h"
#include "core/mem.h"
#include "core/tstime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 16
#define LINE_MAX_OUT 256

static const char *const aggressors[] = TS_AGGRESSOR_NAMES;

struct fields {
    const char *p[MAX_FIELDS];
    size_t len[MAX_FIELDS];
    int n; /* MAX_FIELDS + 1: more than we keep */
};

static void check(bool ok, const char *what, const char *fmt_name, const char *line, size_t len)
{
    if (!ok) {
        fprintf(stderr, "fuzz_tradefile: %s line: %s: '%.*s'\n", fmt_name, what,
                (int)(len > 200 ? 200 : len), line);
        abort();
    }
}

/* check() with the line being read: needs name, line and len in scope. */
#define CHECK(cond, what) check((cond), (what), name, line, len)

/* Splits line on sep, after one trailing '\r' (the parser's rule). */
static void split(const char *line, size_t len, char sep, struct fields *f)
{
    if (len && line[len - 1] == '\r') {
        len--;
    }
    f->n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || line[i] == sep) {
            if (f->n < MAX_FIELDS) {
                f->p[f->n] = line + start;
                f->len[f->n] = i - start;
            }
            f->n++;
            start = i + 1;
        }
    }
}

static bool field_is(const struct fields *f, int i, const char *s)
{
    return f->len[i] == strlen(s) && memcmp(f->p[i], s, f->len[i]) == 0;
}

/* The decimal a field spells (comma: B3's decimal comma), or 0 when it spells none. */
static ts_dec field_dec(const struct fields *f, int i, bool comma)
{
    char buf[128];
    ts_dec v = 0;
    if (f->len[i] >= sizeof(buf)) {
        return 0;
    }
    memcpy(buf, f->p[i], f->len[i]);
    buf[f->len[i]] = '\0';
    for (char *c = buf; comma && *c; c++) {
        if (*c == ',') {
            *c = '.';
            break;
        }
    }
    return ts_dec_parse(buf, f->len[i], &v) == 0 ? v : 0;
}

/* The trade number a field spells: 1 to 18 digits; -1 otherwise. */
static int64_t field_int(const struct fields *f, int i)
{
    int64_t v = 0;
    if (f->len[i] == 0 || f->len[i] > 18) {
        return -1;
    }
    for (size_t k = 0; k < f->len[i]; k++) {
        char c = f->p[i][k];
        if (c < '0' || c > '9') {
            return -1;
        }
        v = v * 10 + (c - '0');
    }
    return v;
}

static bool same_tick(const struct ts_tick *a, const struct ts_tick *b)
{
    return strcmp(a->symbol, b->symbol) == 0 && a->price == b->price && a->volume == b->volume &&
           a->time_ns == b->time_ns && a->trade_id == b->trade_id && a->aggressor == b->aggressor;
}

/* A dec as text; comma: with B3's decimal comma. */
static void dec_text(ts_dec v, bool comma, char out[TS_DEC_STRLEN])
{
    ts_dec_format_trim(v, out, TS_DEC_STRLEN);
    char *dot = strchr(out, '.');
    if (comma && dot) {
        *dot = ',';
    }
}

static size_t csv_line(const struct ts_tick *t, char out[LINE_MAX_OUT])
{
    char when[TS_TIME_STRLEN], px[TS_DEC_STRLEN], vol[TS_DEC_STRLEN];
    if (ts_time_format_rfc3339(t->time_ns, when, sizeof(when)) == 0) {
        return 0;
    }
    dec_text(t->price, false, px);
    dec_text(t->volume, false, vol);
    int n = snprintf(out, LINE_MAX_OUT, "%s,%s,%s,%s,%s,%" PRId64, t->symbol, when, px, vol,
                     aggressors[t->aggressor], t->trade_id);
    return n > 0 && n < LINE_MAX_OUT ? (size_t)n : 0;
}

/* short_hour: an hour before 10 without its leading zero, as B3's files write it. */
static size_t b3_line(const struct ts_tick *t, enum ts_tradefile_kind kind, bool short_hour,
                      char out[LINE_MAX_OUT])
{
    struct ts_local_time lt;
    char px[TS_DEC_STRLEN] = "0", vol[TS_DEC_STRLEN] = "0";
    if (ts_time_b3_local(t->time_ns, &lt) != 0) {
        return 0;
    }
    int ms = (int)(((t->time_ns % TS_NS_PER_SEC) + TS_NS_PER_SEC) % TS_NS_PER_SEC / TS_NS_PER_MS);
    if (kind == TS_TRADEFILE_TRADE) {
        dec_text(t->price, true, px);
        dec_text(t->volume, true, vol);
    }
    int n =
        snprintf(out, LINE_MAX_OUT,
                 "%04d-%02d-%02d;%s;%c;%s;%s;%0*d%02d%02d%03d;%" PRId64 ";1;%04d-%02d-%02d;3;72",
                 lt.year, lt.month, lt.day, t->symbol, kind == TS_TRADEFILE_TRADE ? '0' : '2', px,
                 vol, short_hour ? 1 : 2, lt.hour, lt.minute, lt.second, ms, t->trade_id, lt.year,
                 lt.month, lt.day);
    return n > 0 && n < LINE_MAX_OUT ? (size_t)n : 0;
}

/* The B3 line's own date and time (fields 8 and 5) against the tick's B3 local time. */
static bool b3_time_matches(const struct fields *f, int64_t ns)
{
    struct ts_local_time lt;
    char hh[10] = "0", want[16];
    if (f->len[5] < 8 || f->len[5] > 9 || ts_time_b3_local(ns, &lt) != 0) {
        return false;
    }
    memcpy(hh + (9 - f->len[5]), f->p[5], f->len[5]);
    int ms = (int)(((ns % TS_NS_PER_SEC) + TS_NS_PER_SEC) % TS_NS_PER_SEC / TS_NS_PER_MS);
    int n = snprintf(want, sizeof(want), "%02d%02d%02d%03d", lt.hour, lt.minute, lt.second, ms);
    if (n != 9 || memcmp(hh, want, 9) != 0 || ns % TS_NS_PER_MS != 0) {
        return false;
    }
    n = snprintf(want, sizeof(want), "%04d-%02d-%02d", lt.year, lt.month, lt.day);
    return n == 10 && f->len[8] == 10 && memcmp(f->p[8], want, 10) == 0;
}

static void check_accepted(enum ts_tradefile_format fmt, const char *line, size_t len,
                           const struct ts_tick *t, enum ts_tradefile_kind kind)
{
    bool b3 = fmt == TS_TRADEFILE_B3;
    const char *name = b3 ? "B3" : "CSV";
    struct fields f;
    split(line, len, b3 ? ';' : ',', &f);

    CHECK(f.n == (b3 ? 11 : 6), "accepted with a wrong number of fields");
    if (kind == TS_TRADEFILE_HEADER) {
        CHECK(b3 ? field_is(&f, 1, "CodigoInstrumento") : field_is(&f, 0, "symbol"),
              "a header that is not the header line");
        return;
    }
    CHECK(kind == TS_TRADEFILE_TRADE || (b3 && kind == TS_TRADEFILE_CANCEL), "unknown kind");
    CHECK(b3 ? field_is(&f, 2, kind == TS_TRADEFILE_TRADE ? "0" : "2") : true,
          "kind is not AcaoAtualizacao");

    size_t n = strnlen(t->symbol, sizeof(t->symbol));
    CHECK(n >= 1 && n <= 20 && n < sizeof(t->symbol), "symbol length outside 1..20");
    CHECK(strspn(t->symbol, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n,
          "symbol is not upper-case letters and digits");
    CHECK(field_is(&f, b3 ? 1 : 0, t->symbol), "symbol is not the line's symbol field");
    CHECK(t->trade_id >= 0 && t->trade_id == field_int(&f, b3 ? 6 : 5),
          "trade number is not the line's digits");
    CHECK(t->time_ns % TS_NS_PER_US == 0, "time is not on a whole microsecond");
    CHECK(t->recv_ns == 0, "receive time set by a parser");
    if (b3) {
        CHECK(b3_time_matches(&f, t->time_ns), "time is not DataNegocio HoraFechamento, B3 local");
    } else {
        int64_t want = 0;
        CHECK(ts_time_parse_rfc3339(f.p[1], f.len[1], &want) == 0, "tick_time does not parse");
        CHECK(t->time_ns == want - want % TS_NS_PER_US, "time is not tick_time");
    }
    if (kind == TS_TRADEFILE_CANCEL) {
        CHECK(t->price == 0 && t->volume == 0, "a cancel with a price or a volume");
        return;
    }
    CHECK(t->price > 0 && ts_dec_is_valid(t->price), "price not > 0");
    CHECK(t->volume > 0 && ts_dec_is_valid(t->volume), "volume not > 0");
    CHECK(t->price == field_dec(&f, 3 - !b3, b3), "price is not the line's price field");
    CHECK(t->volume == field_dec(&f, 4 - !b3, b3), "volume is not the line's volume field");
    CHECK(!b3 || (memchr(f.p[3], '.', f.len[3]) == NULL && memchr(f.p[4], '.', f.len[4]) == NULL),
          "a B3 decimal with a point accepted");
    if (b3) {
        CHECK(t->aggressor == 2, "a B3 trade not NEUTRAL");
    } else {
        int want = f.len[4] == 0 ? 2 : -1;
        for (int k = 0; k < 3; k++) {
            want = field_is(&f, 4, aggressors[k]) ? k : want;
        }
        CHECK(t->aggressor == want, "aggressor is not the line's");
    }
}

/* Written back, the tick reads the same (CSV always; B3 lines as B3 too). */
static void check_round_trip(enum ts_tradefile_format fmt, const char *line, size_t len,
                             const struct ts_tick *t, enum ts_tradefile_kind kind)
{
    const char *name = fmt == TS_TRADEFILE_B3 ? "B3" : "CSV";
    char out[LINE_MAX_OUT];
    struct ts_tick back;
    enum ts_tradefile_kind kind2;
    struct ts_err err = TS_ERR_INIT;
    size_t n;

    if (kind == TS_TRADEFILE_TRADE) {
        n = csv_line(t, out);
        CHECK(n > 0, "cannot write the tick as CSV");
        CHECK(ts_tradefile_parse(TS_TRADEFILE_CSV, out, n, &back, &kind2, &err) == 0 &&
                  kind2 == TS_TRADEFILE_TRADE && same_tick(t, &back),
              "the tick written as CSV reads differently");
    }
    if (fmt == TS_TRADEFILE_B3) {
        n = b3_line(t, kind, false, out);
        CHECK(n > 0, "cannot write the tick as B3");
        CHECK(ts_tradefile_parse(TS_TRADEFILE_B3, out, n, &back, &kind2, &err) == 0 &&
                  kind2 == kind && same_tick(t, &back),
              "the tick written as B3 reads differently");
    }
}

static void one_line(enum ts_tradefile_format fmt, const char *line, size_t len)
{
    const char *name = fmt == TS_TRADEFILE_B3 ? "B3" : "CSV";
    struct ts_tick t;
    enum ts_tradefile_kind kind;
    struct ts_err err = TS_ERR_INIT;
    int rc = ts_tradefile_parse(fmt, line, len, &t, &kind, &err);
    if (rc) {
        CHECK((rc == TS_EINVAL || rc == TS_ERANGE) && err.code == rc && err.msg[0] != '\0',
              "refused without TS_EINVAL (TS_ERANGE: a time) and a message");
    } else {
        check_accepted(fmt, line, len, &t, kind);
        if (kind != TS_TRADEFILE_HEADER) {
            check_round_trip(fmt, line, len, &t, kind);
        }
    }

    /* the same line ending in "\r\n" reads the same */
    if (len == 0 || line[len - 1] != '\r') {
        char *cr = ts_xmalloc(len + 2);
        memcpy(cr, line, len);
        cr[len] = '\r';
        cr[len + 1] = '\0';
        struct ts_tick t2;
        enum ts_tradefile_kind kind2;
        struct ts_err err2 = TS_ERR_INIT;
        int rc2 = ts_tradefile_parse(fmt, cr, len + 1, &t2, &kind2, &err2);
        CHECK(rc2 == rc, "a trailing '\\r' changes the verdict");
        CHECK(rc || (kind2 == kind && (kind == TS_TRADEFILE_HEADER || same_tick(&t, &t2))),
              "a trailing '\\r' changes the tick");
        ts_free(cr);
    }
}

static uint64_t next(uint64_t *state) /* splitmix64 */
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/*
 * A valid tick drawn from the input's bytes, written here as a CSV line, as B3
 * trades and as B3 cancels (hours with and without their leading zero): each must
 * be accepted and read back as that tick. This half of the oracle catches a parser
 * that refuses good lines, which checking accepted lines alone cannot.
 */
static void check_written_lines_parse(const uint8_t *data, size_t size)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const char *name = "written";
    char out[LINE_MAX_OUT] = "";
    const char *line = out;
    size_t len = 0;
    uint64_t state = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < size; i++) {
        state = (state ^ data[i]) * UINT64_C(1099511628211);
    }

    struct ts_tick t;
    memset(&t, 0, sizeof(t));
    size_t n = 1 + next(&state) % 20;
    for (size_t i = 0; i < n; i++) {
        t.symbol[i] = alnum[next(&state) % 36];
    }
    /* small values often (short texts), the whole range sometimes */
    bool big = next(&state) % 4 == 0;
    t.price = 1 + (ts_dec)(next(&state) % (big ? (uint64_t)TS_DEC_MAX : UINT64_C(100000000000)));
    t.volume = 1 + (ts_dec)(next(&state) % (big ? (uint64_t)TS_DEC_MAX : UINT64_C(1000000000000)));
    t.trade_id = (int64_t)(next(&state) % UINT64_C(1000000000000000000));
    t.aggressor = (int)(next(&state) % 3);
    t.time_ns = (int64_t)(next(&state) % UINT64_C(9200000000000000000)); /* 1678..2261 */
    t.time_ns = next(&state) % 2 ? -t.time_ns : t.time_ns;
    t.time_ns -= t.time_ns % TS_NS_PER_US;

    struct ts_tick back;
    enum ts_tradefile_kind kind;
    struct ts_err err = TS_ERR_INIT;
    len = csv_line(&t, out);
    CHECK(len > 0, "cannot write a CSV line");
    CHECK(ts_tradefile_parse(TS_TRADEFILE_CSV, out, len, &back, &kind, &err) == 0 &&
              kind == TS_TRADEFILE_TRADE && same_tick(&t, &back),
          "a written CSV line is refused or reads differently");

    t.time_ns -= t.time_ns % TS_NS_PER_MS; /* B3 files have milliseconds */
    t.aggressor = 2;
    for (int k = 0; k < 4; k++) {
        enum ts_tradefile_kind want = k < 2 ? TS_TRADEFILE_TRADE : TS_TRADEFILE_CANCEL;
        struct ts_tick w = t;
        if (want == TS_TRADEFILE_CANCEL) {
            w.price = w.volume = 0;
            w.aggressor = 0;
        }
        len = b3_line(&t, want, k % 2 == 1, out);
        CHECK(len > 0, "cannot write a B3 line");
        CHECK(ts_tradefile_parse(TS_TRADEFILE_B3, out, len, &back, &kind, &err) == 0 &&
                  kind == want && same_tick(&w, &back),
              "a written B3 line is refused or reads differently");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_written_lines_parse(data, size);
    size_t start = 0;
    while (start <= size) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t len = nl ? (size_t)(nl - (data + start)) : size - start;
        /* its own buffer, NUL-terminated: ASan sees reads past it */
        char *line = ts_xmalloc(len + 1);
        memcpy(line, data + start, len);
        line[len] = '\0';
        one_line(TS_TRADEFILE_B3, line, len);
        one_line(TS_TRADEFILE_CSV, line, len);
        ts_free(line);
        start += len + 1;
    }
    return 0;
}
