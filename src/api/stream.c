/* stream.c - live streams over WebSocket. See stream.h. */
#include "api/stream.h"

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/tstime.h"

#define MAX_MARKET_SUBS 64 /* market topics per client */
#define MAX_CONTROL 64     /* control messages waiting per client (acks, errors) */
#define HEARTBEAT_NS (15 * 1000000000LL)
#define POLL_BATCH 5000 /* events read per query */
#define TOPIC_MAX 48

/* Event topics, a bit each. */
static const char *const event_topics[] = {"orders", "trades",  "positions",
                                           "risk",   "signals", "status"};
#define NEVENT_TOPICS 6

struct event {
    int64_t seq;
    unsigned topic;   /* bit of event_topics */
    char account[37]; /* the event's account_id, "" when it has none (risk, status) */
    char *msg;        /* the whole message, owned */
    size_t len;
};

/* A message handed from another thread to the loop. */
struct inbox_item {
    bool market;
    char topic[TOPIC_MAX]; /* market */
    struct event ev;       /* event (ev.msg owned); market: msg/len */
    struct inbox_item *next;
};

struct market_sub {
    char topic[TOPIC_MAX];
    char *latest; /* owned; NULL until a value arrives */
    size_t len;
    bool dirty;
};

struct client {
    struct ts_stream *s;
    struct ts_http_ws *ws;
    char *accounts;  /* the user's accounts (a uuid[] literal, owned), NULL: every account */
    unsigned events; /* subscribed event topics */
    uint64_t cursor; /* absolute number of the next event to look at */
    bool overflow;   /* an event of its topics left the ring before it was sent */
    struct market_sub market[MAX_MARKET_SUBS];
    int nmarket;
    char *control[MAX_CONTROL]; /* owned, FIFO */
    int ncontrol;
    struct client *prev, *next;
};

struct ts_stream {
    /* loop thread */
    struct event *ring; /* cap slots; event number n is at n % cap */
    uint64_t cap;
    uint64_t first, end; /* event numbers held: [first, end) */
    int64_t floor;       /* events with seq <= floor may be missing from the ring */
    int64_t last_seq;
    struct client *clients;
    int64_t next_heartbeat;
    char *status; /* the latest status message (owned), sent on subscribe */
    size_t status_len;
    /* any thread */
    atomic_int nclients; /* connected: market values are not even queued without any */
    _Atomic(struct ts_http *) http;
    pthread_mutex_t lock; /* guards inbox */
    struct inbox_item *inbox, *inbox_tail;
    /* poller thread */
    char *conninfo;
    pthread_t poller;
    bool poller_started;
    atomic_bool stopping;
    int64_t polled_seq; /* poller only: newest seq read */
};

static char *stream_memdup(const char *p, size_t n)
{
    char *d = ts_xmalloc(n + 1);
    memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

/* ---- events from the outbox (poller thread) ---- */

static unsigned topic_bit(const char *t)
{
    for (unsigned i = 0; i < NEVENT_TOPICS; i++) {
        if (!strcmp(t, event_topics[i])) {
            return 1u << i;
        }
    }
    return 0;
}

static void inbox_push(struct ts_stream *s, struct inbox_item *it)
{
    pthread_mutex_lock(&s->lock);
    if (s->inbox_tail) {
        s->inbox_tail->next = it;
    } else {
        s->inbox = it;
    }
    s->inbox_tail = it;
    pthread_mutex_unlock(&s->lock);
}

/* Events after s->polled_seq into the inbox; the number read, or -1. */
static int poll_outbox(struct ts_stream *s, PGconn *c, struct ts_err *err)
{
    char after[24];
    snprintf(after, sizeof(after), "%" PRId64, s->polled_seq);
    const char *p[1] = {after};
    PGresult *r = NULL;
    if (ts_db_exec(c, "read the outbox",
                   "SELECT seq, topic, event_type,"
                   " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
                   " payload::text, coalesce(payload->>'account_id', '') FROM order_manager.outbox"
                   " WHERE seq > $1 ORDER BY seq LIMIT 5000",
                   1, p, &r, err)) {
        return -1;
    }
    int n = ts_db_nrows(r);
    for (int i = 0; i < n; i++) {
        struct inbox_item *it = ts_xcalloc(1, sizeof(*it));
        struct ts_buf m = TS_BUF_INIT;
        it->ev.seq = strtoll(ts_db_val(r, i, 0), NULL, 10);
        it->ev.topic = topic_bit(ts_db_val(r, i, 1));
        snprintf(it->ev.account, sizeof(it->ev.account), "%s", ts_db_val(r, i, 5));
        ts_buf_adds(&m, "{\"topic\":");
        ts_buf_add_json_str(&m, ts_db_val(r, i, 1));
        ts_buf_adds(&m, ",\"type\":");
        ts_buf_add_json_str(&m, ts_db_val(r, i, 2));
        ts_buf_addf(&m, ",\"seq\":%" PRId64 ",\"time\":\"%s\",\"data\":%s}", it->ev.seq,
                    ts_db_val(r, i, 3), ts_db_val(r, i, 4));
        it->ev.msg = ts_buf_detach(&m, &it->ev.len);
        s->polled_seq = it->ev.seq;
        inbox_push(s, it);
    }
    ts_db_clear(r);
    struct ts_http *h = atomic_load(&s->http);
    if (n > 0 && h) {
        ts_http_wake(h);
    }
    return n;
}

static void *poller_main(void *arg)
{
    struct ts_stream *s = arg;
    PGconn *c = NULL;
    struct ts_err err = TS_ERR_INIT;
    bool warned = false;
    while (!atomic_load(&s->stopping)) {
        if (!ts_db_connected(c)) {
            if (c) {
                ts_db_finish(c);
                c = NULL;
            }
            if (ts_db_connect(s->conninfo, &c, &err) ||
                ts_db_exec(c, "listen", "LISTEN ts_outbox", 0, NULL, NULL, &err)) {
                if (!warned) {
                    ts_warn("stream", "cannot read the outbox (will retry): %s", err.msg);
                    warned = true;
                }
                struct pollfd none = {.fd = -1};
                poll(&none, 0, 1000);
                continue;
            }
            warned = false;
        }
        int n;
        while ((n = poll_outbox(s, c, &err)) == POLL_BATCH) {
        }
        if (n < 0) {
            continue; /* reconnect */
        }
        /* sleep until NOTIFY (or a second passes: a notification may have been missed) */
        struct pollfd pfd = {.fd = ts_db_socket(c), .events = POLLIN};
        if (poll(&pfd, 1, 1000) > 0) {
            (void)ts_db_notifications(c); /* a lost connection shows at the next read */
        }
    }
    if (c) {
        ts_db_finish(c);
    }
    return NULL;
}

/* ---- the ring (loop thread) ---- */

static struct event *ev_at(struct ts_stream *s, uint64_t n)
{
    return &s->ring[n % s->cap];
}

/* Whether client c gets event e: one of its topics, and of an account its user may see (an
 * event without an account, such as the kill switch, goes to every subscriber). */
static bool sees(const struct client *c, const struct event *e)
{
    if (!(e->topic & c->events)) {
        return false;
    }
    return !c->accounts || !e->account[0] || strstr(c->accounts, e->account) != NULL;
}

static void ring_append(struct ts_stream *s, struct event *e)
{
    if (e->seq <= s->last_seq) {
        ts_free(e->msg); /* already held (the load and the first poll overlap) */
        return;
    }
    if (s->end - s->first == s->cap) {
        struct event *old = ev_at(s, s->first);
        /* a client waiting at the evicted event loses it only if it wanted it */
        for (struct client *c = s->clients; c; c = c->next) {
            if (c->events && c->cursor == s->first) {
                if (sees(c, old)) {
                    c->overflow = true;
                } else {
                    c->cursor++;
                }
            }
        }
        s->floor = old->seq;
        ts_free(old->msg);
        s->first++;
    }
    *ev_at(s, s->end++) = *e;
    s->last_seq = e->seq;
}

/* The number of the first event with seq > since. */
static uint64_t ring_after(struct ts_stream *s, int64_t since)
{
    uint64_t lo = s->first, hi = s->end;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ev_at(s, mid)->seq <= since) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* ---- clients (loop thread) ---- */

static void control(struct client *c, const char *msg)
{
    if (c->ncontrol == MAX_CONTROL) {
        ts_http_ws_close(c->ws, 1008, "too many requests unanswered");
        return;
    }
    c->control[c->ncontrol++] = ts_xstrdup(msg);
    ts_http_ws_want_write(c->ws);
}

static void control_error(struct client *c, const char *code, const char *msg)
{
    struct ts_buf b = TS_BUF_INIT;
    ts_buf_adds(&b, "{\"type\":\"error\",\"code\":");
    ts_buf_add_json_str(&b, code);
    ts_buf_adds(&b, ",\"message\":");
    ts_buf_add_json_str(&b, msg);
    ts_buf_addch(&b, '}');
    control(c, b.buf);
    ts_buf_release(&b);
}

static bool market_topic_ok(const char *t)
{
    const char *sym;
    if (!strncmp(t, "ticks:", 6) || !strncmp(t, "book:", 5)) {
        sym = strchr(t, ':') + 1;
        size_t n = strlen(sym);
        return n >= 1 && n <= 20 && strspn(sym, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n;
    }
    if (!strncmp(t, "bars:", 5)) {
        sym = t + 5;
        const char *colon = strchr(sym, ':');
        if (!colon) {
            return false;
        }
        size_t n = (size_t)(colon - sym);
        /* 1m bars are pushed; longer ones are read with GET /market/bars */
        return n >= 1 && n <= 20 && strspn(sym, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n &&
               !strcmp(colon, ":1m");
    }
    return false;
}

static int market_find(struct client *c, const char *t)
{
    for (int i = 0; i < c->nmarket; i++) {
        if (!strcmp(c->market[i].topic, t)) {
            return i;
        }
    }
    return -1;
}

static void ack(struct client *c, const char *type)
{
    struct ts_buf b = TS_BUF_INIT;
    ts_buf_addf(&b, "{\"type\":\"%s\",\"topics\":[", type);
    int k = 0;
    for (unsigned i = 0; i < NEVENT_TOPICS; i++) {
        if (c->events & (1u << i)) {
            ts_buf_addf(&b, "%s\"%s\"", k++ ? "," : "", event_topics[i]);
        }
    }
    for (int i = 0; i < c->nmarket; i++) {
        if (!topic_bit(c->market[i].topic)) {
            ts_buf_addf(&b, "%s\"%s\"", k++ ? "," : "", c->market[i].topic);
        }
    }
    ts_buf_addf(&b, "],\"seq\":%" PRId64 "}", c->s->last_seq);
    control(c, b.buf);
    ts_buf_release(&b);
}

/* A client's message, read: {"op":"subscribe"|"unsubscribe","topics":[...],"since":N}. */
struct sub_msg {
    struct ts_json_req r;
    struct ts_json_array topics;
    bool sub; /* subscribe (else unsubscribe) */
    bool has_since;
    int64_t since;
    unsigned ev; /* the event topics among topics */
};

/* Reads data into m; false after answering the client (an error, or a pong). */
static bool read_message(struct client *c, const char *data, size_t len, struct sub_msg *m)
{
    static const char *const fields[] = {"op", "topics", "since", NULL};
    struct ts_err err = TS_ERR_INIT;
    const char *ops = "", *unknown;
    char msg[200];

    if (ts_json_parse(&m->r, data, len, &err)) {
        control_error(c, "invalid_message", "a message must be one JSON object");
        return false;
    }
    if ((unknown = ts_json_unknown_key(&m->r, fields)) != NULL) {
        snprintf(msg, sizeof(msg), "unknown field '%.40s'", unknown);
        control_error(c, "invalid_message", msg);
        return false;
    }
    if (ts_json_take_str(&m->r, "op", false, 16, &ops, NULL, &err)) {
        ops = ""; /* not a string: not an op */
    }
    if (!strcmp(ops, "ping")) {
        control(c, "{\"type\":\"pong\"}");
        return false;
    }
    m->sub = !strcmp(ops, "subscribe");
    if (!m->sub && strcmp(ops, "unsubscribe") != 0) {
        control_error(c, "invalid_message", "op must be subscribe, unsubscribe or ping");
        return false;
    }
    if (ts_json_take_array(&m->r, "topics", true, &m->topics, NULL, &err) || m->topics.n == 0 ||
        m->topics.n > MAX_MARKET_SUBS) {
        control_error(c, "invalid_message", "topics must be an array of 1 to 64 topic names");
        return false;
    }
    if (ts_json_take_int(&m->r, "since", false, 0, INT64_MAX, &m->since, &m->has_since, &err) ||
        (m->has_since && !m->sub)) {
        control_error(c, "invalid_message", "since must be an integer >= 0, with subscribe");
        return false;
    }
    return true;
}

/* Every topic is known and fits, before anything changes; false after answering. */
static bool check_topics(struct client *c, struct sub_msg *m)
{
    char msg[200];
    int new_market = 0;
    for (size_t i = 0; i < m->topics.n; i++) {
        const char *name = ts_json_array_str(&m->topics, i);
        if (!name || strlen(name) >= TOPIC_MAX) {
            control_error(c, "invalid_topic", "a topic must be a string of at most 47 bytes");
            return false;
        }
        unsigned bit = topic_bit(name);
        if (bit) {
            m->ev |= bit;
        } else if (market_topic_ok(name)) {
            new_market += market_find(c, name) < 0;
        } else {
            snprintf(msg, sizeof(msg), "unknown topic '%.60s'", name);
            control_error(c, "invalid_topic", msg);
            return false;
        }
    }
    if (m->sub && c->nmarket + new_market > MAX_MARKET_SUBS) {
        control_error(c, "invalid_topic", "at most 64 market topics per connection");
        return false;
    }
    return true;
}

static void unsubscribe(struct client *c, const struct sub_msg *m)
{
    c->events &= ~m->ev;
    for (size_t i = 0; i < m->topics.n; i++) {
        int k = market_find(c, ts_json_array_str(&m->topics, i));
        if (k >= 0) {
            ts_free(c->market[k].latest);
            c->market[k] = c->market[--c->nmarket];
        }
    }
    ack(c, "unsubscribed");
}

/* Market topics (and status) get a slot with the latest value; event topics a cursor. */
static void subscribe(struct client *c, const struct sub_msg *m)
{
    struct ts_stream *s = c->s;
    char msg[300];
    for (size_t i = 0; i < m->topics.n; i++) {
        const char *name = ts_json_array_str(&m->topics, i);
        bool status = !strcmp(name, "status"); /* its events, and its latest value */
        if ((!topic_bit(name) || status) && market_find(c, name) < 0 &&
            c->nmarket < MAX_MARKET_SUBS) {
            struct market_sub *ms = &c->market[c->nmarket++];
            memset(ms, 0, sizeof(*ms));
            snprintf(ms->topic, sizeof(ms->topic), "%s", name);
            if (status && s->status) {
                ms->latest = stream_memdup(s->status, s->status_len);
                ms->len = s->status_len;
                ms->dirty = true;
            }
        }
    }
    if (m->ev) {
        if (m->has_since && m->since < s->floor) {
            snprintf(msg, sizeof(msg),
                     "events after seq %" PRId64 " are no longer all held (oldest kept: %" PRId64
                     "): read the state over REST, then subscribe without since",
                     m->since, s->floor);
            control_error(c, "since_too_old", msg);
            return;
        }
        if (m->has_since) {
            c->cursor = ring_after(s, m->since);
        } else if (!c->events) {
            c->cursor = s->end; /* live from now */
        }
        c->events |= m->ev;
    }
    ack(c, "subscribed");
    ts_http_ws_want_write(c->ws);
}

static void on_message(void *conn, const char *data, size_t len)
{
    struct client *c = conn;
    struct sub_msg m;
    memset(&m, 0, sizeof(m));
    if (read_message(c, data, len, &m) && check_topics(c, &m)) {
        if (m.sub) {
            subscribe(c, &m);
        } else {
            unsubscribe(c, &m);
        }
    }
    ts_json_array_release(&m.topics);
    ts_json_release(&m.r);
}

/* One message per call: control first, then events in order, then market values. */
static void on_writable(void *conn)
{
    struct client *c = conn;
    struct ts_stream *s = c->s;
    if (c->ncontrol) {
        char *m = c->control[0];
        memmove(c->control, c->control + 1, (size_t)(c->ncontrol - 1) * sizeof(char *));
        c->ncontrol--;
        int rc = ts_http_ws_send(c->ws, m, strlen(m));
        ts_free(m);
        if (!rc) {
            ts_http_ws_want_write(c->ws);
        }
        return;
    }
    if (c->events) {
        if (c->overflow || c->cursor < s->first) {
            ts_http_ws_close(c->ws, 1008, "too slow: events were dropped before delivery");
            return;
        }
        while (c->cursor < s->end && !sees(c, ev_at(s, c->cursor))) {
            c->cursor++;
        }
        if (c->cursor < s->end) {
            struct event *e = ev_at(s, c->cursor++);
            if (!ts_http_ws_send(c->ws, e->msg, e->len)) {
                ts_http_ws_want_write(c->ws);
            }
            return;
        }
    }
    for (int i = 0; i < c->nmarket; i++) {
        struct market_sub *m = &c->market[i];
        if (m->dirty) {
            m->dirty = false;
            if (!ts_http_ws_send(c->ws, m->latest, m->len)) {
                ts_http_ws_want_write(c->ws);
            }
            return;
        }
    }
}

static void *on_open(void *app, struct ts_http_ws *ws, const struct ts_http_user *user)
{
    struct ts_api *api = app;
    struct ts_stream *s = api->stream;
    if (!s) {
        return NULL;
    }
    struct client *c = ts_xcalloc(1, sizeof(*c));
    c->s = s;
    c->ws = ws;
    if (user && user->id[0] && !user->all_accounts) {
        c->accounts = ts_xstrdup(user->accounts); /* sees only these accounts' events */
    }
    c->cursor = s->end;
    c->next = s->clients;
    if (s->clients) {
        s->clients->prev = c;
    }
    s->clients = c;
    atomic_fetch_add(&s->nclients, 1);
    return c;
}

static void on_close(void *conn)
{
    struct client *c = conn;
    struct ts_stream *s = c->s;
    atomic_fetch_sub(&s->nclients, 1);
    if (c->prev) {
        c->prev->next = c->next;
    } else {
        s->clients = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    for (int i = 0; i < c->ncontrol; i++) {
        ts_free(c->control[i]);
    }
    for (int i = 0; i < c->nmarket; i++) {
        ts_free(c->market[i].latest);
    }
    ts_free(c->accounts);
    ts_free(c);
}

/* Woken: new events and market values from the inbox; heartbeats when due. */
static void on_wake(void *app)
{
    struct ts_api *api = app;
    struct ts_stream *s = api->stream;
    if (!s) {
        return;
    }
    pthread_mutex_lock(&s->lock);
    struct inbox_item *it = s->inbox;
    s->inbox = s->inbox_tail = NULL;
    pthread_mutex_unlock(&s->lock);
    bool events = false;
    while (it) {
        struct inbox_item *next = it->next;
        if (it->market) {
            if (!strcmp(it->topic, "status")) {
                ts_free(s->status);
                s->status = stream_memdup(it->ev.msg, it->ev.len);
                s->status_len = it->ev.len;
            }
            for (struct client *c = s->clients; c; c = c->next) {
                int k = market_find(c, it->topic);
                if (k >= 0) {
                    struct market_sub *m = &c->market[k];
                    ts_free(m->latest);
                    m->latest = stream_memdup(it->ev.msg, it->ev.len);
                    m->len = it->ev.len;
                    m->dirty = true;
                    ts_http_ws_want_write(c->ws);
                }
            }
            ts_free(it->ev.msg);
        } else {
            ring_append(s, &it->ev);
            events = true;
        }
        ts_free(it);
        it = next;
    }
    if (events) {
        for (struct client *c = s->clients; c; c = c->next) {
            if (!c->events) {
                continue;
            }
            if (c->overflow || c->cursor < s->first) {
                /* overtaken by the ring: also when it does not read at all (no writable) */
                ts_http_ws_close(c->ws, 1008, "too slow: events were dropped before delivery");
            } else {
                ts_http_ws_want_write(c->ws);
            }
        }
    }
    int64_t now = ts_mono_ns();
    if (now >= s->next_heartbeat) {
        s->next_heartbeat = now + HEARTBEAT_NS;
        char hb[128], t[40];
        ts_time_format_rfc3339(ts_now_ns(), t, sizeof(t));
        snprintf(hb, sizeof(hb), "{\"type\":\"heartbeat\",\"time\":\"%s\",\"seq\":%" PRId64 "}", t,
                 s->last_seq);
        for (struct client *c = s->clients; c; c = c->next) {
            if (c->ncontrol < MAX_CONTROL / 2) {
                control(c, hb);
            }
        }
    }
}

const struct ts_http_ws_hooks ts_stream_hooks = {
    .path = "/api/v1/stream",
    .max_message = 64 * 1024,
    .open = on_open,
    .message = on_message,
    .writable = on_writable,
    .close = on_close,
    .wake = on_wake,
    .tick_ms = 1000,
};

bool ts_stream_has_clients(struct ts_stream *s)
{
    return s && atomic_load(&s->nclients) > 0;
}

void ts_stream_publish_market(struct ts_stream *s, const char *topic, const char *msg, size_t len)
{
    if (!s || strlen(topic) >= TOPIC_MAX ||
        (!ts_stream_has_clients(s) && strcmp(topic, "status"))) {
        return; /* market topics are live only: nobody to send it to, nobody will get it */
    }
    struct inbox_item *it = ts_xcalloc(1, sizeof(*it));
    it->market = true;
    snprintf(it->topic, sizeof(it->topic), "%s", topic);
    it->ev.msg = stream_memdup(msg, len);
    it->ev.len = len;
    inbox_push(s, it);
    struct ts_http *h = atomic_load(&s->http);
    if (h) {
        ts_http_wake(h);
    }
}

/* ---- life ---- */

int ts_stream_new(const struct ts_db_config *cfg, struct ts_stream **out, struct ts_err *err)
{
    struct ts_stream *s = ts_xcalloc(1, sizeof(*s));
    const char *env = getenv("TS_STREAM_RING");
    long cap = env ? strtol(env, NULL, 10) : TS_STREAM_RING;
    s->cap = cap >= 16 && cap <= (1L << 24) ? (uint64_t)cap : TS_STREAM_RING;
    s->ring = ts_xcalloc(s->cap, sizeof(*s->ring));
    s->conninfo = ts_xstrdup(cfg->conninfo[TS_MOD_ORDER_MANAGER]);
    pthread_mutex_init(&s->lock, NULL);
    atomic_init(&s->stopping, false);
    atomic_init(&s->http, NULL);

    /* the newest TS_STREAM_RING events, and the seq before them (the floor) */
    PGconn *c = NULL;
    PGresult *r = NULL;
    char off[24];
    snprintf(off, sizeof(off), "%" PRIu64, s->cap);
    const char *p[1] = {off};
    int rc = ts_db_connect(s->conninfo, &c, err);
    rc = rc ? rc
            : ts_db_exec(c, "find the stream's start",
                         "SELECT coalesce((SELECT seq FROM order_manager.outbox ORDER BY seq DESC"
                         " OFFSET $1::int LIMIT 1), 0)",
                         1, p, &r, err);
    if (!rc) {
        s->floor = strtoll(ts_db_val(r, 0, 0), NULL, 10);
        s->polled_seq = s->floor;
        s->last_seq = s->floor;
        while ((rc = poll_outbox(s, c, err)) == POLL_BATCH) {
        }
        rc = rc < 0 ? TS_EDB : 0;
    }
    ts_db_clear(r);
    if (c) {
        ts_db_finish(c);
    }
    if (rc) {
        ts_err_wrap(err, "cannot start the streams");
        ts_stream_free(s);
        return rc;
    }
    struct ts_api fake = {.stream = s};
    on_wake(&fake); /* the loaded events into the ring (no clients yet) */
    if (pthread_create(&s->poller, NULL, poller_main, s)) {
        ts_stream_free(s);
        return ts_err_set(err, TS_EIO, "cannot start the stream thread");
    }
    s->poller_started = true;
    *out = s;
    return 0;
}

void ts_stream_attach(struct ts_stream *s, struct ts_http *h)
{
    atomic_store(&s->http, h);
}

void ts_stream_free(struct ts_stream *s)
{
    if (!s) {
        return;
    }
    atomic_store(&s->stopping, true);
    if (s->poller_started) {
        pthread_join(s->poller, NULL);
    }
    while (s->inbox) {
        struct inbox_item *n = s->inbox->next;
        ts_free(s->inbox->ev.msg);
        ts_free(s->inbox);
        s->inbox = n;
    }
    for (uint64_t n = s->first; n < s->end; n++) {
        ts_free(ev_at(s, n)->msg);
    }
    ts_free(s->ring);
    ts_free(s->status);
    ts_free(s->conninfo);
    pthread_mutex_destroy(&s->lock);
    ts_free(s);
}
