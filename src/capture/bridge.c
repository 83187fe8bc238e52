/*
 * bridge.c - the `bridge:HOST:PORT` feed: a TCP stream of JSON lines shaped like
 * ProfitDLL's callbacks (docs/api.md "Feed bridge protocol").
 *
 * One reader thread connects (or, with --listen, accepts one connection at a
 * time), reads lines and turns each into a profitdll_callbacks row with its status
 * - PROCESSED, FAILED (with the error) or SKIPPED (with why) - and, for a TRADE, a
 * tick; book actions are applied to the shared L2 books at once. Rows and ticks go
 * in batches (every 10 ms or BATCH_ITEMS) through the feed's queue and are stored
 * in one transaction (internal.h). Frames are decoded by frame.h. A line that is not JSON is logged
 * FAILED with its raw text; nothing a bridge sends stops the feed.
 *
 * When the connection fails or drops, the reader waits and tries again: 1 s, then
 * doubling up to 60 s; the wait starts again from 1 s after a connection that
 * stayed up 10 s (the policy is backoff.h's, pure and unit-tested; this file only
 * sleeps). POST /feed/reconnect drops the connection and connects at once;
 * POST /feed/stop disconnects until /feed/start.
 */
#include "capture/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture/backoff.h"
#include "capture/capture.h"
#include "capture/frame.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/mem.h"
#include "db/pgcopy.h"
#include "core/tstime.h"

#define CONNECT_TIMEOUT_MS 3000
#define FLUSH_NS (10 * TS_NS_PER_MS)
#define BATCH_ITEMS 2000
#define MAX_LINE (1 << 20)
#define RAW_KEEP 2048 /* bytes of a bad line kept in its log row */
#define MAX_STATES 8
#define RATE_SLOTS 10 /* seconds of callbacks/s */

enum cb_status { ST_PROCESSED, ST_FAILED, ST_SKIPPED };
static const char *const st_names[] = {"PROCESSED", "FAILED", "SKIPPED"};

struct bridge {
    int listen_fd;        /* --listen: bound at start */
    pthread_mutex_t lock; /* fd, states */
    int fd;               /* the connection, -1 when none */
    atomic_bool connected, reconnect;
    _Atomic int64_t connected_since, last_msg_ns, next_attempt_ns;
    /* the wait before the latest attempt, or the one in progress; 0: at once (or asked) */
    _Atomic int64_t backoff_ns;
    _Atomic int64_t connections, failed_attempts, drops;
    _Atomic int64_t count[3]; /* by status */
    _Atomic int64_t rate[RATE_SLOTS], rate_sec[RATE_SLOTS];
    struct {
        char conn[33], result[65];
    } states[MAX_STATES];
    int nstates;
    char peer[300];
};

/* ---- HOST:PORT ---- */

int ts_feed_parse_bridge(const char *spec, struct ts_feed_config *cfg, struct ts_err *err)
{
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec) {
        return ts_err_set(err, TS_EINVAL, "bridge:%s: expected HOST:PORT", spec);
    }
    const char *h = spec;
    size_t hl = (size_t)(colon - spec);
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (!hl || hl >= sizeof(cfg->host) || errno || *end || end == colon + 1 || port < 1 ||
        port > 65535) {
        return ts_err_set(err, TS_EINVAL, "bridge:%s: expected HOST:PORT with a port 1-65535",
                          spec);
    }
    memcpy(cfg->host, h, hl);
    cfg->host[hl] = '\0';
    cfg->port = (int)port;
    return 0;
}

/* ---- sockets ---- */

static int open_listener(const struct ts_feed_config *cfg, struct ts_err *err)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *ai = NULL;
    char port[8];
    snprintf(port, sizeof(port), "%d", cfg->port);
    int g = getaddrinfo(cfg->host, port, &hints, &ai);
    if (g) {
        return ts_err_set(err, TS_EINVAL, "cannot resolve %s: %s", cfg->host, gai_strerror(g));
    }
    int fd = -1, e = 0;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        int one = 1;
        if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
                        bind(fd, a->ai_addr, a->ai_addrlen) || listen(fd, 4))) {
            e = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        return ts_err_set(err, TS_EIO, "cannot listen on %s:%d: %s", cfg->host, cfg->port,
                          strerror(e ? e : EADDRNOTAVAIL));
    }
    return fd;
}

/* A connected socket, or -1 with why in msg. */
static int dial(const struct ts_feed_config *cfg, char *msg, size_t cap)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    char port[8];
    snprintf(port, sizeof(port), "%d", cfg->port);
    int g = getaddrinfo(cfg->host, port, &hints, &ai);
    if (g) {
        snprintf(msg, cap, "cannot resolve %.200s: %.100s", cfg->host, gai_strerror(g));
        return -1;
    }
    int fd = -1;
    snprintf(msg, cap, "cannot connect to %.200s:%d", cfg->host, cfg->port);
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            continue;
        }
        int rc = connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc && errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int e = 0;
            socklen_t el = sizeof(e);
            rc = poll(&p, 1, CONNECT_TIMEOUT_MS) == 1 &&
                         !getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) && !e
                     ? 0
                     : -1;
            errno = e ? e : ETIMEDOUT;
        }
        if (rc) {
            snprintf(msg, cap, "cannot connect to %.200s:%d: %.100s", cfg->host, cfg->port,
                     strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    return fd;
}

/* ---- one line ---- */

struct line_ctx {
    struct ts_frame frame; /* the line being decoded (large: book levels) */
    struct ts_feed *f;
    struct ts_cap__batch *b;
    char (*syms)[TS_SYMBOL_MAX + 1]; /* books touched by the batch */
    size_t nsyms;
    struct ts_buf in; /* bytes read and not yet a whole line */
    bool skipping;    /* inside a line longer than MAX_LINE */
    size_t skipped;   /* its bytes dropped so far */
    int64_t batch_ns; /* when the batch's first item arrived */
};

static void touch(struct line_ctx *lc, const char *symbol)
{
    for (size_t i = 0; i < lc->nsyms; i++) {
        if (!strcmp(lc->syms[i], symbol)) {
            return;
        }
    }
    if (lc->nsyms < TS_BOOKS_MAX) {
        snprintf(lc->syms[lc->nsyms++], TS_SYMBOL_MAX + 1, "%s", symbol);
    }
}

/* The row: type, payload, callback_time, received_at, processed_at, status, error. */
static void log_row(struct line_ctx *lc, enum ts_frame_type type, const char *payload, size_t plen,
                    int64_t cb_ns, int64_t recv_ns, enum cb_status st, const char *error)
{
    struct ts_buf *o = &lc->b->cb;
    ts_pgcopy_tuple(o, 7);
    ts_pgcopy_text(o, ts_frame_type_names[type], strlen(ts_frame_type_names[type]));
    ts_pgcopy_jsonb(o, payload, plen);
    ts_pgcopy_timestamptz(o, cb_ns);
    ts_pgcopy_timestamptz(o, recv_ns);
    ts_pgcopy_timestamptz(o, ts_now_ns());
    ts_pgcopy_text(o, st_names[st], strlen(st_names[st]));
    if (error) {
        size_t el = strlen(error);
        /* our messages quote the sender's text: keep the row valid UTF-8 whatever it was */
        if (ts_utf8_valid(error, el) && !memchr(error, 0, el)) {
            ts_pgcopy_text(o, error, el);
        } else {
            ts_pgcopy_text(o, "invalid field (not UTF-8)", 25);
        }
    } else {
        ts_pgcopy_null(o);
    }
    lc->b->ncb++;
    atomic_fetch_add(&lc->f->br->count[st], 1);
}

/* A line that cannot be stored as it is: {"raw": its first RAW_KEEP bytes, as text}. */
static void log_raw(struct line_ctx *lc, const char *line, size_t len, int64_t recv_ns,
                    const char *error)
{
    struct ts_buf p = TS_BUF_INIT;
    size_t keep = len < RAW_KEEP ? len : RAW_KEEP;
    ts_buf_adds(&p, "{\"raw\":\"");
    for (size_t i = 0; i < keep; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
            ts_buf_addf(&p, "\\u%04x", c); /* bytes as Latin-1 code points: always valid */
        } else {
            ts_buf_addch(&p, (char)c);
        }
    }
    ts_buf_addf(&p, "\",\"bytes\":%zu}", len);
    log_row(lc, TS_FRAME_UNKNOWN, p.buf, p.len, recv_ns, recv_ns, ST_FAILED, error);
    ts_buf_release(&p);
}

/* The callback's effect: a tick into the batch, a book action, a connection state. */
static int apply(struct line_ctx *lc, const struct ts_frame *fr, struct ts_err *err)
{
    struct ts_feed *f = lc->f;
    switch (fr->type) {
    case TS_FRAME_TRADE:
        ts_cap__batch_add_tick(lc->b, &fr->tick);
        return 0;
    case TS_FRAME_OFFER_BOOK:
    case TS_FRAME_PRICE_DEPTH: {
        int rc = ts_books_apply(f->cap->books, fr->symbol, &fr->book, err);
        if (!rc) {
            touch(lc, fr->symbol);
        }
        return rc;
    }
    case TS_FRAME_STATE: {
        struct bridge *br = f->br;
        pthread_mutex_lock(&br->lock);
        int i = 0;
        while (i < br->nstates && strcmp(br->states[i].conn, fr->conn)) {
            i++;
        }
        if (i < MAX_STATES) {
            snprintf(br->states[i].conn, sizeof(br->states[i].conn), "%s", fr->conn);
            snprintf(br->states[i].result, sizeof(br->states[i].result), "%s", fr->result);
            br->nstates = i == br->nstates ? i + 1 : br->nstates;
        }
        pthread_mutex_unlock(&br->lock);
        return 0;
    }
    case TS_FRAME_ORDER:
    case TS_FRAME_UNKNOWN:
        break;
    }
    return 0;
}

/* One line: decoded (frame.h), applied, and logged with its status. */
static void process(struct line_ctx *lc, const char *line, size_t len, int64_t recv_ns)
{
    struct ts_err err = TS_ERR_INIT;
    struct ts_frame *fr = &lc->frame;
    enum cb_status st = ST_PROCESSED;
    const char *why = NULL;
    int rc = ts_frame_open(fr, line, len, recv_ns, &err);
    if (rc && !fr->parsed) {
        log_raw(lc, line, len, recv_ns, err.msg);
        ts_frame_release(fr);
        return;
    }
    if (!rc && fr->symbol && !ts_cap_known(lc->f->cap, fr->symbol)) {
        st = ST_SKIPPED;
        why = "unknown symbol: not in the instrument master";
    } else if (!rc && fr->type == TS_FRAME_ORDER) {
        st = ST_SKIPPED;
        why = "order callbacks are logged only: orders go to the paper venue";
    } else if (!rc && !(rc = ts_frame_body(fr, recv_ns, &err))) {
        rc = apply(lc, fr, &err);
    }
    if (rc) {
        st = ST_FAILED;
        why = err.msg;
    }
    struct ts_buf payload = TS_BUF_INIT; /* the line as PostgreSQL takes it (json.h) */
    ts_json_text(&fr->json, &payload);
    log_row(lc, fr->type, payload.buf, payload.len, fr->time_ns, recv_ns, st, why);
    ts_buf_release(&payload);
    ts_frame_release(fr);
}

/* ---- the reader ---- */

static void set_fd(struct bridge *br, int fd)
{
    pthread_mutex_lock(&br->lock);
    br->fd = fd;
    pthread_mutex_unlock(&br->lock);
}

static bool should_drop(struct ts_feed *f)
{
    return atomic_load(&f->stopping) || atomic_load(&f->paused) || atomic_load(&f->br->reconnect);
}

static void flush(struct ts_feed *f, struct line_ctx *lc)
{
    ts_cap__publish_books(f, lc->syms, lc->nsyms);
    lc->nsyms = 0;
    (void)ts_cap__feed_push(f, lc->b);
    lc->b = ts_cap__batch_new();
}

/* Reads lines until the connection ends or must be dropped. */
/* callbacks/s: one more in the slot of this second. */
static void count_rate(struct bridge *br, int64_t now)
{
    int64_t sec = now / TS_NS_PER_SEC;
    int slot = (int)(sec % RATE_SLOTS);
    if (atomic_load(&br->rate_sec[slot]) != sec) {
        atomic_store(&br->rate_sec[slot], sec);
        atomic_store(&br->rate[slot], 0);
    }
    atomic_fetch_add(&br->rate[slot], 1);
}

/* Processes every whole line of lc->in (read at now); keeps the partial last line, and
 * skips a line past MAX_LINE to its end (logged with its length). */
static void take_lines(struct line_ctx *lc, int64_t now)
{
    struct ts_buf *in = &lc->in;
    size_t start = 0;
    char *nl;
    while ((nl = memchr(in->buf + start, '\n', in->len - start)) != NULL) {
        size_t len = (size_t)(nl - (in->buf + start));
        const char *line = in->buf + start;
        start += len + 1;
        if (lc->skipping) {
            char msg[128];
            snprintf(msg, sizeof(msg), "line longer than %d bytes", MAX_LINE);
            log_raw(lc, line, len + lc->skipped, now, msg);
            lc->skipping = false;
            lc->skipped = 0;
            continue;
        }
        if (len && line[len - 1] == '\r') {
            len--;
        }
        if (!len) {
            continue; /* blank lines keep a connection alive */
        }
        if (!ts_cap__batch_items(lc->b)) {
            lc->batch_ns = now;
            lc->b->first_ns = now;
        }
        process(lc, line, len, now);
        count_rate(lc->f->br, now);
        if (ts_cap__batch_items(lc->b) >= BATCH_ITEMS) {
            flush(lc->f, lc);
        }
    }
    memmove(in->buf, in->buf + start, in->len - start);
    ts_buf_truncate(in, in->len - start);
    if (in->len > MAX_LINE) {
        if (!lc->skipping) {
            lc->batch_ns = lc->batch_ns ? lc->batch_ns : now;
            lc->b->first_ns = lc->b->first_ns ? lc->b->first_ns : now;
        }
        lc->skipping = true;
        lc->skipped += in->len > RAW_KEEP ? in->len - RAW_KEEP : 0;
        ts_buf_truncate(in, in->len > RAW_KEEP ? RAW_KEEP : in->len);
    }
}

/* Reads lines until the connection ends or must be dropped. */
static void read_loop(struct ts_feed *f, int fd)
{
    char(*syms)[TS_SYMBOL_MAX + 1] = ts_xcalloc(TS_BOOKS_MAX, sizeof(*syms));
    struct line_ctx lc = {.f = f, .b = ts_cap__batch_new(), .syms = syms};
    char chunk[65536];
    ts_buf_init(&lc.in);
    while (!should_drop(f)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = poll(&p, 1, ts_cap__batch_items(lc.b) ? 5 : 100);
        ssize_t n = 0;
        if (pr > 0) {
            n = read(fd, chunk, sizeof(chunk));
            if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN))) {
                if (n < 0) {
                    ts_cap__feed_error(f, "bridge connection: %s", strerror(errno));
                }
                break;
            }
        }
        int64_t now = ts_now_ns();
        if (n > 0) {
            atomic_store(&f->br->last_msg_ns, now);
            ts_buf_add(&lc.in, chunk, (size_t)n);
            take_lines(&lc, now);
        }
        if (ts_cap__batch_items(lc.b) && now - lc.batch_ns >= FLUSH_NS) {
            flush(f, &lc);
        }
    }
    if (ts_cap__batch_items(lc.b)) {
        flush(f, &lc); /* what was read is stored, also when the connection ended */
    }
    ts_cap__batch_free(lc.b);
    ts_free(syms);
    ts_buf_release(&lc.in);
}

static int next_connection(struct ts_feed *f, char *msg, size_t cap)
{
    struct bridge *br = f->br;
    if (br->listen_fd < 0) {
        return dial(&f->cfg, msg, cap);
    }
    snprintf(msg, cap, "no bridge connected to %.200s:%d", f->cfg.host, f->cfg.port);
    while (!should_drop(f)) {
        struct pollfd p = {.fd = br->listen_fd, .events = POLLIN};
        if (poll(&p, 1, 100) == 1) {
            int fd = accept4(br->listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
        }
    }
    return -1;
}

/* Waits ns unless the feed stops, is stopped, or a reconnect is asked for. */
static void backoff_wait(struct ts_feed *f, int64_t ns)
{
    int64_t until = ts_mono_ns() + ns;
    atomic_store(&f->br->next_attempt_ns, ts_now_ns() + ns);
    while (!should_drop(f) && ts_mono_ns() < until) {
        struct timespec t = {0, 20 * TS_NS_PER_MS};
        nanosleep(&t, NULL);
    }
    atomic_store(&f->br->next_attempt_ns, 0);
}

static void *bridge_main(void *arg)
{
    struct ts_feed *f = arg;
    struct bridge *br = f->br;
    struct ts_backoff bo; /* when to try again (backoff.h) */
    ts_backoff_init(&bo);
    while (!atomic_load(&f->stopping)) {
        if (atomic_load(&f->paused)) {
            atomic_store(&br->reconnect, false);
            struct timespec t = {0, 50 * TS_NS_PER_MS};
            nanosleep(&t, NULL);
            continue;
        }
        /* at once the first time and when asked for (the wait starts over); else 1 s, 2, 4... */
        int64_t wait = ts_backoff_next(&bo, atomic_exchange(&br->reconnect, false));
        atomic_store(&br->backoff_ns, wait);
        if (wait) {
            backoff_wait(f, wait);
            if (atomic_exchange(&br->reconnect, false)) {
                ts_backoff_restart(&bo); /* the wait was cut short: now, and over */
                atomic_store(&br->backoff_ns, 0);
            }
            if (atomic_load(&f->stopping) || atomic_load(&f->paused)) {
                continue;
            }
        }
        char msg[512];
        int fd = next_connection(f, msg, sizeof(msg));
        if (fd < 0) {
            if (!should_drop(f)) {
                atomic_fetch_add(&br->failed_attempts, 1);
                ts_cap__feed_error(f, "%s", msg);
                ts_warn("feed", "bridge: %s (next try in %" PRId64 " s)", msg,
                        bo.wait_ns / TS_NS_PER_SEC);
            }
            continue;
        }
        int64_t since = ts_now_ns(), up_mono = ts_mono_ns(); /* shown | how long it stays up */
        ts_backoff_up(&bo, up_mono);
        set_fd(br, fd);
        atomic_fetch_add(&br->connections, 1);
        atomic_store(&br->connected_since, since);
        atomic_store(&br->connected, true);
        ts_info("feed", "bridge connected (%s:%d)", f->cfg.host, f->cfg.port);
        read_loop(f, fd);
        atomic_store(&br->connected, false);
        set_fd(br, -1);
        close(fd);
        if (!atomic_load(&f->stopping)) {
            atomic_fetch_add(&br->drops, 1);
            ts_warn("feed", "bridge connection ended after %" PRId64 " ms",
                    (ts_mono_ns() - up_mono) / TS_NS_PER_MS);
        }
        ts_backoff_down(&bo, ts_mono_ns()); /* a wall-clock jump neither makes nor breaks 10 s */
    }
    return NULL;
}

/* ---- control and status ---- */

static int bridge_start(struct ts_feed *f, struct ts_err *err)
{
    struct bridge *br = ts_xcalloc(1, sizeof(*br));
    br->fd = -1;
    br->listen_fd = -1;
    pthread_mutex_init(&br->lock, NULL);
    f->br = br;
    if (f->cfg.listen) {
        int fd = open_listener(&f->cfg, err);
        if (fd < 0) {
            return TS_EIO;
        }
        br->listen_fd = fd;
    }
    ts_info("feed", "bridge feed: %s %s:%d", f->cfg.listen ? "listening on" : "connecting to",
            f->cfg.host, f->cfg.port);
    return 0;
}

static bool bridge_reconnect(struct ts_feed *f)
{
    atomic_store(&f->br->reconnect, true);
    return true;
}

static void bridge_free(struct ts_feed *f)
{
    if (!f->br) {
        return;
    }
    if (f->br->listen_fd >= 0) {
        close(f->br->listen_fd);
    }
    pthread_mutex_destroy(&f->br->lock);
    ts_free(f->br);
    f->br = NULL;
}

static void add_time(struct ts_buf *out, const char *key, int64_t ns)
{
    char t[40];
    if (ns) {
        ts_time_format_rfc3339(ns, t, sizeof(t));
        ts_buf_addf(out, ",\"%s\":\"%s\"", key, t);
    } else {
        ts_buf_addf(out, ",\"%s\":null", key);
    }
}

static void bridge_status(struct ts_feed *f, struct ts_buf *out)
{
    struct bridge *br = f->br;
    bool connected = atomic_load(&br->connected);
    int64_t conns = atomic_load(&br->connections);
    int64_t backoff = atomic_load(&br->backoff_ns); /* after conns: never older than it */
    ts_buf_adds(out, ",\"bridge\":");
    ts_buf_addf(out, "\"%s:%d\"", f->cfg.host, f->cfg.port); /* host: checked by parse */
    ts_buf_addf(out, ",\"mode\":\"%s\",\"connected\":%s", f->cfg.listen ? "listen" : "connect",
                connected ? "true" : "false");
    add_time(out, "connected_since", connected ? atomic_load(&br->connected_since) : 0);
    add_time(out, "last_message_at", atomic_load(&br->last_msg_ns));
    add_time(out, "next_attempt_at", connected ? 0 : atomic_load(&br->next_attempt_ns));
    ts_buf_addf(out, ",\"backoff_ms\":%" PRId64, backoff / TS_NS_PER_MS);
    ts_buf_addf(out,
                ",\"connections\":%" PRId64 ",\"reconnects\":%" PRId64 ",\"drops\":%" PRId64
                ",\"failed_attempts\":%" PRId64,
                conns, conns > 0 ? conns - 1 : 0, atomic_load(&br->drops),
                atomic_load(&br->failed_attempts));
    /* callbacks/s: the last RATE_SLOTS full seconds */
    int64_t now = ts_now_ns() / TS_NS_PER_SEC, sum = 0;
    for (int i = 0; i < RATE_SLOTS; i++) {
        int64_t sec = atomic_load(&br->rate_sec[i]);
        if (sec < now && sec >= now - RATE_SLOTS) {
            sum += atomic_load(&br->rate[i]);
        }
    }
    int64_t p = atomic_load(&br->count[ST_PROCESSED]), fl = atomic_load(&br->count[ST_FAILED]),
            sk = atomic_load(&br->count[ST_SKIPPED]);
    ts_buf_addf(out,
                ",\"callbacks\":{\"total\":%" PRId64 ",\"processed\":%" PRId64
                ",\"failed\":%" PRId64 ",\"skipped\":%" PRId64 ",\"logged\":%" PRId64
                ",\"per_s\":%" PRId64 ".%01" PRId64 "}",
                p + fl + sk, p, fl, sk, atomic_load(&f->callbacks_logged), sum / RATE_SLOTS,
                sum % RATE_SLOTS * 10 / RATE_SLOTS);
    ts_buf_adds(out, ",\"states\":{");
    pthread_mutex_lock(&br->lock);
    for (int i = 0; i < br->nstates; i++) {
        ts_buf_adds(out, i ? "," : "");
        ts_buf_add_json_str(out, br->states[i].conn);
        ts_buf_addch(out, ':');
        ts_buf_add_json_str(out, br->states[i].result);
    }
    pthread_mutex_unlock(&br->lock);
    ts_buf_addch(out, '}');
}

static const struct ts_cap__adapter bridge_adapter = {
    .free = bridge_free, .status = bridge_status, .reconnect = bridge_reconnect};

int ts_feed_start_bridge(struct ts_cap *cap, const struct ts_feed_config *cfg, struct ts_feed **out,
                         struct ts_err *err)
{
    struct ts_feed *f = ts_cap__feed_new(cap, cfg, TS_FEED_BRIDGE);
    f->ad = &bridge_adapter;
    int rc = bridge_start(f, err);
    if (!rc) {
        rc = ts_cap__feed_start_threads(f, bridge_main, err);
    }
    if (rc) {
        ts_err_wrap(err, "cannot start the bridge feed");
        ts_cap__feed_destroy(f);
        return rc;
    }
    *out = f;
    return 0;
}
