/*
 * risk.c - pre-trade risk check over in-memory limits and counters.
 *
 * See risk.h for the rules and their order. Two open-addressing tables
 * (linear probing, power-of-two capacity, load <= 1/2, backward-shift
 * deletion) map a key (account|any, strategy|any, symbol|any) to a limit or
 * to counters. Keys are zero-padded so that equality is one memcmp. The check
 * hashes the order's account, strategy and symbol once and combines the
 * parts per key shape. Only ts_risk_state_init(), ts_risk_put_limit() and
 * ts_risk_apply() (and its wrappers) allocate; the check never does.
 * Does not do I/O or read clocks.
 */
#include "domain/risk.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "domain/internal.h"

/* ------------------------------------------------------------------------------------------- */
/* Keys and hashes */

struct key {
    struct ts_uuid account;         /* nil = any */
    struct ts_uuid strategy;        /* nil = any */
    char symbol[TS_SYMBOL_MAX + 1]; /* "" = any; zero-padded to the end */
};

/* Which parts of the order a key keeps. */
enum {
    K_ACCOUNT = 1,
    K_STRATEGY = 2,
    K_SYMBOL = 4,
};

/* The key shapes a limit may have, in evaluation order (risk.h), and their scope. */
static const struct {
    unsigned mask;
    enum ts_risk_scope scope;
} shapes[] = {
    {K_ACCOUNT, TS_RISK_SCOPE_ACCOUNT},
    {K_ACCOUNT | K_STRATEGY, TS_RISK_SCOPE_STRATEGY},
    {K_STRATEGY, TS_RISK_SCOPE_STRATEGY},
    {K_ACCOUNT | K_STRATEGY | K_SYMBOL, TS_RISK_SCOPE_SYMBOL},
    {K_ACCOUNT | K_SYMBOL, TS_RISK_SCOPE_SYMBOL},
    {K_STRATEGY | K_SYMBOL, TS_RISK_SCOPE_SYMBOL},
    {K_SYMBOL, TS_RISK_SCOPE_SYMBOL},
};
#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))

struct hdr {
    uint64_t hash;
    uint32_t used;
    struct key key;
};

struct limit_slot {
    struct hdr h;
    struct ts_risk_limit limit;
};

struct counter_slot {
    struct hdr h;
    ts_dec position;             /* signed net quantity; keys with a symbol only */
    ts_dec unrealized;           /* cents */
    struct ts_daily_stats daily; /* realized, trades, orders of daily.day */
};

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finalizer: every input bit reaches every output bit */
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

static uint64_t hash_uuid(const struct ts_uuid *u)
{
    uint64_t a, b;

    memcpy(&a, u->b, 8);
    memcpy(&b, u->b + 8, 8);
    if ((a | b) == 0) {
        return 0; /* nil: "any" */
    }
    return mix64(a ^ mix64(b));
}

static uint64_t hash_symbol(const char *s, size_t len)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a */

    if (len == 0) {
        return 0; /* "": "any" */
    }
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(0x100000001b3);
    }
    return mix64(h);
}

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t combine(uint64_t ha, uint64_t hs, uint64_t hy)
{
    return mix64(ha ^ rotl(hs, 21) ^ rotl(hy, 42) ^ UINT64_C(0x9e3779b97f4a7c15));
}

/* The parts of an (account, strategy, symbol) and their hashes, computed once. */
struct parts {
    struct ts_uuid account;
    struct ts_uuid strategy;
    char symbol[TS_SYMBOL_MAX + 1]; /* zero-padded */
    uint64_t ha, hs, hy;
};

/* 0, or TS_EINVAL when symbol is NULL, too long or has a byte outside printable non-space ASCII. */
static int parts_init(struct parts *p, const struct ts_uuid *account,
                      const struct ts_uuid *strategy, const char *symbol, bool symbol_required)
{
    static const struct ts_uuid nil;
    size_t len = symbol ? strnlen(symbol, TS_SYMBOL_MAX + 1) : 0;

    if (len > TS_SYMBOL_MAX || (symbol_required && len == 0)) {
        return TS_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)symbol[i];
        if (c <= ' ' || c >= 0x7f) {
            return TS_EINVAL;
        }
    }
    p->account = account ? *account : nil;
    p->strategy = strategy ? *strategy : nil;
    memset(p->symbol, 0, sizeof(p->symbol));
    if (len > 0) {
        memcpy(p->symbol, symbol, len);
    }
    p->ha = hash_uuid(&p->account);
    p->hs = hash_uuid(&p->strategy);
    p->hy = hash_symbol(p->symbol, len);
    return 0;
}

/* The key of shape mask over p, and its hash. */
static uint64_t key_of(const struct parts *p, unsigned mask, struct key *k)
{
    memset(k, 0, sizeof(*k));
    if (mask & K_ACCOUNT) {
        k->account = p->account;
    }
    if (mask & K_STRATEGY) {
        k->strategy = p->strategy;
    }
    if (mask & K_SYMBOL) {
        memcpy(k->symbol, p->symbol, sizeof(k->symbol));
    }
    return combine(mask & K_ACCOUNT ? p->ha : 0, mask & K_STRATEGY ? p->hs : 0,
                   mask & K_SYMBOL ? p->hy : 0);
}

/* The key of a limit (its own account, strategy, symbol), and its hash. */
static uint64_t key_of_limit(const struct ts_risk_limit *l, struct key *k)
{
    struct parts p;
    int rc = parts_init(&p, &l->account_id, &l->strategy_id, l->symbol, false);

    assert(rc == 0); /* checked by ts_risk_limit_check() */
    (void)rc;
    return key_of(&p, K_ACCOUNT | K_STRATEGY | K_SYMBOL, k);
}

/* ------------------------------------------------------------------------------------------- */
/* Tables */

#define TABLE_MAX_CAPACITY ((size_t)1 << 25) /* slots; configs are bounded to 2^24 entries */

static struct hdr *slot_at(const struct ts_risk__table *t, size_t i)
{
    return (struct hdr *)(t->slots + i * t->slot_size);
}

static void table_init(struct ts_risk__table *t, size_t slot_size, size_t expected)
{
    size_t cap = 16;

    while (cap < expected * 2) {
        cap *= 2;
    }
    t->slots = ts_xcalloc(cap, slot_size);
    t->slot_size = slot_size;
    t->mask = cap - 1;
    t->count = 0;
}

static void table_release(struct ts_risk__table *t)
{
    ts_free(t->slots);
    memset(t, 0, sizeof(*t));
}

static struct hdr *table_find(const struct ts_risk__table *t, uint64_t h, const struct key *k)
{
    size_t i = h & t->mask;

    for (;;) { /* terminates: load <= 1/2 leaves empty slots */
        struct hdr *s = slot_at(t, i);
        if (!s->used) {
            return NULL;
        }
        if (s->hash == h && memcmp(&s->key, k, sizeof(*k)) == 0) {
            return s;
        }
        i = (i + 1) & t->mask;
    }
}

/* Places a copy of slot src (used) into t, which has room and does not hold its key. */
static void table_place(struct ts_risk__table *t, const struct hdr *src)
{
    size_t i = src->hash & t->mask;

    while (slot_at(t, i)->used) {
        i = (i + 1) & t->mask;
    }
    memcpy(slot_at(t, i), src, t->slot_size);
    t->count++;
}

/* Makes room for extra more keys without exceeding load 1/2. 0 or TS_ERANGE (too many keys). */
static int table_reserve(struct ts_risk__table *t, size_t extra)
{
    size_t cap = t->mask + 1;

    if ((t->count + extra) * 2 <= cap) {
        return 0;
    }
    while ((t->count + extra) * 2 > cap) {
        if (cap >= TABLE_MAX_CAPACITY) {
            return TS_ERANGE;
        }
        cap *= 2;
    }
    struct ts_risk__table n = {ts_xcalloc(cap, t->slot_size), t->slot_size, cap - 1, 0};
    for (size_t i = 0; i <= t->mask; i++) {
        struct hdr *s = slot_at(t, i);
        if (s->used) {
            table_place(&n, s);
        }
    }
    ts_free(t->slots);
    *t = n;
    return 0;
}

/* The slot of k, created zeroed when absent. The caller reserved room first. */
static struct hdr *table_get(struct ts_risk__table *t, uint64_t h, const struct key *k)
{
    struct hdr *s = table_find(t, h, k);
    size_t i = h & t->mask;

    if (s) {
        return s;
    }
    assert((t->count + 1) * 2 <= t->mask + 1);
    while (slot_at(t, i)->used) {
        i = (i + 1) & t->mask;
    }
    s = slot_at(t, i);
    memset(s, 0, t->slot_size);
    s->hash = h;
    s->used = 1;
    s->key = *k;
    t->count++;
    return s;
}

/* Removes slot s, shifting back the entries of its probe run (no tombstones). */
static void table_remove(struct ts_risk__table *t, struct hdr *s)
{
    size_t i = (size_t)((unsigned char *)s - t->slots) / t->slot_size;
    size_t j = i;

    memset(slot_at(t, i), 0, t->slot_size);
    t->count--;
    for (;;) {
        j = (j + 1) & t->mask;
        struct hdr *e = slot_at(t, j);
        if (!e->used) {
            return;
        }
        size_t home = e->hash & t->mask;
        /* e may move to the hole at i unless its home lies cyclically in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            memcpy(slot_at(t, i), e, t->slot_size);
            memset(e, 0, t->slot_size);
            i = j;
        }
    }
}

/* ------------------------------------------------------------------------------------------- */
/* State */

static const char *const scope_names[TS_RISK_SCOPE_COUNT] = {"ACCOUNT", "STRATEGY", "SYMBOL"};
static const char *const rule_names[TS_RISK_RULE_COUNT] = {
    "none",           "kill_switch",      "trading_hours", "max_order_value", "max_position_size",
    "max_daily_loss", "max_daily_trades", "invalid_order",
};

const char *ts_risk_scope_str(enum ts_risk_scope v)
{
    return ts_domain__name(scope_names, TS_RISK_SCOPE_COUNT, (int)v);
}

int ts_risk_scope_parse(const char *s, size_t len, enum ts_risk_scope *out)
{
    int i;
    int rc = ts_domain__parse_name(scope_names, TS_RISK_SCOPE_COUNT, s, len, &i);
    if (rc == 0) {
        *out = (enum ts_risk_scope)i;
    }
    return rc;
}

const char *ts_risk_rule_str(enum ts_risk_rule v)
{
    return ts_domain__name(rule_names, TS_RISK_RULE_COUNT, (int)v);
}

#define CONFIG_MAX_ENTRIES ((size_t)1 << 24)

int ts_risk_state_init(struct ts_risk_state *st, const struct ts_risk_config *cfg)
{
    memset(st, 0, sizeof(*st));
    if (cfg->limits_capacity > CONFIG_MAX_ENTRIES || cfg->keys_capacity > CONFIG_MAX_ENTRIES) {
        return TS_EINVAL;
    }
    table_init(&st->limits, sizeof(struct limit_slot), cfg->limits_capacity);
    table_init(&st->counters, sizeof(struct counter_slot), cfg->keys_capacity);
    st->check_trading_hours = cfg->check_trading_hours;
    st->loss_includes_unrealized = cfg->loss_includes_unrealized;
    return 0;
}

void ts_risk_state_release(struct ts_risk_state *st)
{
    table_release(&st->limits);
    table_release(&st->counters);
}

void ts_risk_set_kill_switch(struct ts_risk_state *st, bool active)
{
    st->kill_switch = active;
}

bool ts_risk_kill_switch(const struct ts_risk_state *st)
{
    return st->kill_switch;
}

void ts_risk_set_trading_hours_check(struct ts_risk_state *st, bool on)
{
    st->check_trading_hours = on;
}

size_t ts_risk_limit_count(const struct ts_risk_state *st)
{
    return st->limits.count;
}

/* ------------------------------------------------------------------------------------------- */
/* Limits */

static int check_money(const char *field, ts_dec v, struct ts_err *err)
{
    if (v < 0 || !ts_dec_is_valid(v) || !ts_domain__is_cents(v)) {
        return ts_err_set(err, TS_EINVAL, "risk limit %s must be whole cents >= 0", field);
    }
    return 0;
}

int ts_risk_limit_check(const struct ts_risk_limit *l, struct ts_err *err)
{
    struct parts p;
    size_t ylen = strnlen(l->symbol, sizeof(l->symbol));
    bool has_a = !ts_uuid_is_nil(&l->account_id), has_s = !ts_uuid_is_nil(&l->strategy_id);
    int rc;

    if (ts_uuid_is_nil(&l->id)) {
        return ts_err_set(err, TS_EINVAL, "risk limit id is required");
    }
    if (ylen == sizeof(l->symbol) || parts_init(&p, NULL, NULL, l->symbol, false) != 0) {
        return ts_err_set(err, TS_EINVAL,
                          "risk limit symbol must be at most %d characters "
                          "without spaces",
                          TS_SYMBOL_MAX);
    }
    switch (l->scope) {
    case TS_RISK_SCOPE_ACCOUNT:
        if (!has_a || has_s || ylen > 0) {
            return ts_err_set(err, TS_EINVAL,
                              "ACCOUNT risk limit needs an account and no strategy or symbol");
        }
        break;
    case TS_RISK_SCOPE_STRATEGY:
        if (!has_s || ylen > 0) {
            return ts_err_set(err, TS_EINVAL, "STRATEGY risk limit needs a strategy and no symbol");
        }
        break;
    case TS_RISK_SCOPE_SYMBOL:
        if (ylen == 0) {
            return ts_err_set(err, TS_EINVAL, "SYMBOL risk limit needs a symbol");
        }
        break;
    default:
        return ts_err_set(err, TS_EINVAL, "invalid risk limit scope %d", (int)l->scope);
    }
    if (!l->has_max_order_value && !l->has_max_position_size && !l->has_max_daily_loss &&
        !l->has_max_daily_trades) {
        return ts_err_set(err, TS_EINVAL, "risk limit sets no limit");
    }
    if (l->has_max_order_value && (rc = check_money("max_order_value", l->max_order_value, err))) {
        return rc;
    }
    if (l->has_max_daily_loss && (rc = check_money("max_daily_loss", l->max_daily_loss, err))) {
        return rc;
    }
    if (l->has_max_position_size &&
        (l->max_position_size < 0 || !ts_dec_is_valid(l->max_position_size))) {
        return ts_err_set(err, TS_EINVAL, "risk limit max_position_size must be >= 0");
    }
    if (l->has_max_daily_trades && (l->max_daily_trades < 0 || l->max_daily_trades > INT32_MAX)) {
        return ts_err_set(err, TS_EINVAL, "risk limit max_daily_trades must be 0 to %d", INT32_MAX);
    }
    return 0;
}

static struct limit_slot *find_limit_by_id(const struct ts_risk_state *st, const struct ts_uuid *id)
{
    for (size_t i = 0; i <= st->limits.mask; i++) {
        struct limit_slot *s = (struct limit_slot *)slot_at(&st->limits, i);
        if (s->h.used && memcmp(&s->limit.id, id, sizeof(*id)) == 0) {
            return s;
        }
    }
    return NULL;
}

int ts_risk_put_limit(struct ts_risk_state *st, const struct ts_risk_limit *l, struct ts_err *err)
{
    struct ts_risk_limit copy = *l;
    struct key k;
    uint64_t h;
    int rc = ts_risk_limit_check(l, err);

    if (rc != 0) {
        return rc;
    }
    /* Normalise: bytes after the symbol's NUL never matter. */
    size_t ylen = strlen(l->symbol);
    memset(copy.symbol + ylen, 0, sizeof(copy.symbol) - ylen);
    h = key_of_limit(&copy, &k);

    struct limit_slot *old = find_limit_by_id(st, &copy.id);
    if (old && memcmp(&old->h.key, &k, sizeof(k)) != 0) {
        table_remove(&st->limits, &old->h); /* same limit, new scope: move it */
    }
    if (table_reserve(&st->limits, 1) != 0) {
        return ts_err_set(err, TS_ERANGE, "too many risk limits");
    }
    struct limit_slot *s = (struct limit_slot *)table_get(&st->limits, h, &k);
    s->limit = copy;
    return 0;
}

int ts_risk_remove_limit(struct ts_risk_state *st, const struct ts_uuid *id)
{
    struct limit_slot *s = find_limit_by_id(st, id);

    if (!s) {
        return TS_ENOTFOUND;
    }
    table_remove(&st->limits, &s->h);
    return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* Counters */

int ts_risk_apply(struct ts_risk_state *st, const struct ts_uuid *account_id,
                  const struct ts_uuid *strategy_id, const char *symbol, int64_t time_ns,
                  const struct ts_risk_delta *d, struct ts_err *err)
{
    struct parts p;
    struct counter_slot next[NSHAPES];
    struct counter_slot *slot[NSHAPES];
    int32_t day;
    int rc;

    if (!account_id || !strategy_id || ts_uuid_is_nil(account_id) || ts_uuid_is_nil(strategy_id)) {
        return ts_err_set(err, TS_EINVAL, "risk counters need an account and a strategy");
    }
    if (parts_init(&p, account_id, strategy_id, symbol, true) != 0) {
        return ts_err_set(err, TS_EINVAL, "risk counters need a symbol of 1 to %d characters",
                          TS_SYMBOL_MAX);
    }
    if (!ts_dec_is_valid(d->position) || !ts_dec_is_valid(d->realized) ||
        !ts_dec_is_valid(d->unrealized) || !ts_domain__is_cents(d->realized) ||
        !ts_domain__is_cents(d->unrealized) || d->trades < 0 || d->orders < 0) {
        return ts_err_set(err, TS_EINVAL, "invalid risk counter change for %s", p.symbol);
    }
    if ((rc = ts_domain__b3_day(time_ns, &day, NULL, NULL)) != 0) {
        return ts_err_set(err, rc, "time outside the B3 calendar");
    }
    if (table_reserve(&st->counters, NSHAPES) != 0) {
        return ts_err_set(err, TS_ERANGE, "too many risk counter keys");
    }
    /* A change of position or unrealized P&L alone does not open a trading day. */
    bool daily = d->realized != 0 || d->trades != 0 || d->orders != 0;
    /* Compute every new value first, commit only when all fit: all or nothing. */
    for (size_t i = 0; i < NSHAPES; i++) {
        struct key k;
        uint64_t h = key_of(&p, shapes[i].mask, &k);
        slot[i] = (struct counter_slot *)table_get(&st->counters, h, &k);
        next[i] = *slot[i];
        if ((shapes[i].mask & K_SYMBOL) &&
            ts_dec_add(next[i].position, d->position, &next[i].position) != 0) {
            return ts_err_set(err, TS_ERANGE, "position of %s out of range", p.symbol);
        }
        if (ts_dec_add(next[i].unrealized, d->unrealized, &next[i].unrealized) != 0 ||
            (daily &&
             ts_domain__daily_add(&next[i].daily, day, d->realized, d->trades, d->orders) != 0)) {
            return ts_err_set(err, TS_ERANGE, "daily counters of %s out of range", p.symbol);
        }
    }
    for (size_t i = 0; i < NSHAPES; i++) {
        *slot[i] = next[i];
    }
    return 0;
}

int ts_risk_record_order(struct ts_risk_state *st, const struct ts_uuid *account_id,
                         const struct ts_uuid *strategy_id, const char *symbol, int64_t time_ns,
                         struct ts_err *err)
{
    struct ts_risk_delta d = {.orders = 1};
    return ts_risk_apply(st, account_id, strategy_id, symbol, time_ns, &d, err);
}

int ts_risk_record_fill(struct ts_risk_state *st, const struct ts_uuid *account_id,
                        const struct ts_uuid *strategy_id, const char *symbol, enum ts_side side,
                        ts_dec quantity, ts_dec realized, int64_t time_ns, struct ts_err *err)
{
    struct ts_risk_delta d = {.realized = realized, .trades = 1};

    if (quantity <= 0 || !ts_dec_is_valid(quantity) || (unsigned)side >= TS_SIDE_COUNT) {
        return ts_err_set(err, TS_EINVAL, "fill for risk counters needs a side and quantity > 0");
    }
    d.position = side == TS_SIDE_BUY ? quantity : -quantity;
    return ts_risk_apply(st, account_id, strategy_id, symbol, time_ns, &d, err);
}

static const struct counter_slot *find_counters(const struct ts_risk_state *st,
                                                const struct parts *p, unsigned mask)
{
    struct key k;
    uint64_t h = key_of(p, mask, &k);
    return (const struct counter_slot *)table_find(&st->counters, h, &k);
}

int ts_risk_set_unrealized(struct ts_risk_state *st, const struct ts_uuid *account_id,
                           const struct ts_uuid *strategy_id, const char *symbol, ts_dec unrealized,
                           struct ts_err *err)
{
    struct parts p;
    struct ts_risk_delta d = {0};
    const struct counter_slot *c;

    if (!ts_dec_is_valid(unrealized) || !ts_domain__is_cents(unrealized)) {
        return ts_err_set(err, TS_EINVAL, "unrealized P&L must be whole cents");
    }
    if (parts_init(&p, account_id, strategy_id, symbol, true) != 0) {
        return ts_err_set(err, TS_EINVAL, "risk counters need a symbol of 1 to %d characters",
                          TS_SYMBOL_MAX);
    }
    c = find_counters(st, &p, K_ACCOUNT | K_STRATEGY | K_SYMBOL);
    if (ts_dec_sub(unrealized, c ? c->unrealized : 0, &d.unrealized) != 0) {
        return ts_err_set(err, TS_ERANGE, "unrealized P&L of %s out of range", p.symbol);
    }
    /* no daily field changes: the time does not matter */
    return ts_risk_apply(st, account_id, strategy_id, symbol, 0, &d, err);
}

int ts_risk_get_counters(const struct ts_risk_state *st, const struct ts_uuid *account_id,
                         const struct ts_uuid *strategy_id, const char *symbol, int64_t now_ns,
                         struct ts_risk_counters *out)
{
    struct parts p;
    const struct counter_slot *c;
    unsigned mask = 0;
    int rc;

    if (parts_init(&p, account_id, strategy_id, symbol, false) != 0) {
        return TS_EINVAL;
    }
    mask |= ts_uuid_is_nil(&p.account) ? 0 : K_ACCOUNT;
    mask |= ts_uuid_is_nil(&p.strategy) ? 0 : K_STRATEGY;
    mask |= p.symbol[0] ? K_SYMBOL : 0;
    c = find_counters(st, &p, mask);
    memset(out, 0, sizeof(*out));
    if (!c) {
        return ts_daily_stats_view(&out->today, now_ns, &out->today);
    }
    out->position = c->position;
    out->unrealized = c->unrealized;
    rc = ts_daily_stats_view(&c->daily, now_ns, &out->today);
    return rc;
}

/* ------------------------------------------------------------------------------------------- */
/* The check */

static int invalid(struct ts_risk_verdict *v, int code, const char *detail)
{
    v->accepted = false;
    v->rule = TS_RISK_RULE_INVALID_ORDER;
    v->code = code;
    v->detail = detail;
    return code;
}

static void refuse(struct ts_risk_verdict *v, enum ts_risk_rule rule, const struct ts_risk_limit *l,
                   ts_dec limit, ts_dec value)
{
    v->accepted = false;
    v->rule = rule;
    v->from_limit = l != NULL;
    if (l) {
        v->scope = l->scope;
        v->limit_id = l->id;
    }
    v->limit = limit;
    v->value = value;
}

/* What one check needs besides the state: the order, its parts, its day. */
struct ctx {
    const struct ts_risk_order *o;
    struct parts p;
    int32_t day;
    bool have_value;
    ts_dec value; /* order value, once computed */
};

static ts_dec abs_dec(ts_dec v)
{
    return v < 0 ? -v : v; /* |v| <= 2 * TS_DEC_MAX here: no overflow */
}

/* The order's value, computed once, when a max_order_value needs it. */
static int order_value(struct ctx *c, struct ts_risk_verdict *v)
{
    const struct ts_risk_order *o = c->o;
    ts_dec price;

    if (c->have_value) {
        return 0;
    }
    switch (o->type) {
    case TS_ORDER_MARKET:
        price = o->reference_price;
        if (price <= 0 || !ts_dec_is_valid(price)) {
            return invalid(v, TS_EINVAL, "MARKET order needs a reference price > 0");
        }
        break;
    case TS_ORDER_STOP:
        price = o->stop_price;
        if (price <= 0 || !ts_dec_is_valid(price)) {
            return invalid(v, TS_EINVAL, "STOP order needs a stop price > 0");
        }
        break;
    default: /* LIMIT, STOP_LIMIT: the limit price bounds what a fill costs */
        price = o->price;
        if (price <= 0 || !ts_dec_is_valid(price)) {
            return invalid(v, TS_EINVAL, "LIMIT or STOP_LIMIT order needs a price > 0");
        }
        break;
    }
    if (ts_dec_mul(o->quantity, price, &c->value) != 0) {
        return invalid(v, TS_ERANGE, "order value does not fit DECIMAL(18,8)");
    }
    c->have_value = true;
    return 0;
}

/* Evaluates limit l (found under shape mask). 0 with v->rule set when refused; <0 invalid. */
static int check_limit(const struct ts_risk_state *st, struct ctx *c, const struct ts_risk_limit *l,
                       unsigned mask, struct ts_risk_verdict *v)
{
    const struct ts_risk_order *o = c->o;
    const struct counter_slot *own = NULL; /* counters of the limit's own key */
    bool own_done = false;
    int rc;

    if (l->has_max_order_value) {
        if ((rc = order_value(c, v)) != 0) {
            return rc;
        }
        if (c->value > l->max_order_value) {
            refuse(v, TS_RISK_RULE_MAX_ORDER_VALUE, l, l->max_order_value, c->value);
            return 0;
        }
    }
    if (l->has_max_position_size) {
        const struct counter_slot *pc = find_counters(st, &c->p, mask | K_SYMBOL);
        ts_dec net = pc ? pc->position : 0;
        ts_dec after = o->side == TS_SIDE_BUY ? net + o->quantity : net - o->quantity;
        if (abs_dec(after) > l->max_position_size && abs_dec(after) > abs_dec(net)) {
            refuse(v, TS_RISK_RULE_MAX_POSITION_SIZE, l, l->max_position_size, abs_dec(after));
            return 0;
        }
        if (mask & K_SYMBOL) {
            own = pc;
            own_done = true;
        }
    }
    if (l->has_max_daily_loss || (l->has_max_daily_trades && !o->is_modify)) {
        if (!own_done) {
            own = find_counters(st, &c->p, mask);
        }
        bool today = own && own->daily.day == c->day;
        if (l->has_max_daily_loss) {
            ts_dec pnl = today ? own->daily.realized_pnl : 0;
            if (st->loss_includes_unrealized && own) {
                pnl += own->unrealized; /* both valid: the sum fits int64 */
            }
            if (pnl < 0 && -pnl >= l->max_daily_loss) {
                refuse(v, TS_RISK_RULE_MAX_DAILY_LOSS, l, l->max_daily_loss, -pnl);
                return 0;
            }
        }
        if (l->has_max_daily_trades && !o->is_modify) {
            int64_t n = today ? own->daily.orders : 0;
            if (n >= l->max_daily_trades) {
                ts_dec nv;
                if (ts_dec_from_int(n, &nv) != 0) {
                    nv = TS_DEC_MAX;
                }
                refuse(v, TS_RISK_RULE_MAX_DAILY_TRADES, l, TS_DEC_C(l->max_daily_trades), nv);
                return 0;
            }
        }
    }
    return 0;
}

int ts_risk_check(const struct ts_risk_state *st, const struct ts_risk_order *o,
                  struct ts_risk_verdict *v)
{
    struct ctx c;
    int minute, weekday;

    memset(v, 0, sizeof(*v));
    v->detail = "";
    v->accepted = true;
    c.o = o;
    c.have_value = false;
    c.value = 0;

    if (parts_init(&c.p, &o->account_id, &o->strategy_id, o->symbol, true) != 0) {
        return invalid(v, TS_EINVAL, "symbol must be 1 to 50 printable characters");
    }
    if (ts_uuid_is_nil(&o->account_id) || ts_uuid_is_nil(&o->strategy_id)) {
        return invalid(v, TS_EINVAL, "order needs an account and a strategy");
    }
    if ((unsigned)o->side >= TS_SIDE_COUNT || (unsigned)o->type >= TS_ORDER_TYPE_COUNT) {
        return invalid(v, TS_EINVAL, "order has an invalid side or type");
    }
    if (o->quantity <= 0 || !ts_dec_is_valid(o->quantity)) {
        return invalid(v, TS_EINVAL, "quantity must be > 0");
    }
    if (ts_domain__b3_day(o->now_ns, &c.day, &minute, &weekday) != 0) {
        return invalid(v, TS_EINVAL, "order time outside the B3 calendar");
    }

    if (st->kill_switch) {
        refuse(v, TS_RISK_RULE_KILL_SWITCH, NULL, 0, 0);
        return 0;
    }
    if (st->check_trading_hours) {
        const struct ts_instrument *in = o->instrument;
        if (!in) {
            return invalid(v, TS_EINVAL, "trading hours need the order's instrument");
        }
        if (strcmp(in->symbol, c.p.symbol) != 0) {
            return invalid(v, TS_EINVAL, "instrument is not the order's symbol");
        }
        struct ts_local_time lt = {.minutes_of_day = minute, .weekday = weekday};
        if (!ts_instrument_is_open(in, &lt)) {
            refuse(v, TS_RISK_RULE_TRADING_HOURS, NULL, 0, 0);
            v->open_minute = in->open_minute;
            v->close_minute = in->close_minute;
            v->local_minute = minute;
            v->local_weekday = weekday;
            return 0;
        }
    }
    if (st->limits.count == 0) {
        return 0;
    }
    for (size_t i = 0; i < NSHAPES; i++) {
        struct key k;
        uint64_t h = key_of(&c.p, shapes[i].mask, &k);
        const struct limit_slot *s = (const struct limit_slot *)table_find(&st->limits, h, &k);
        if (!s || !s->limit.active) {
            continue;
        }
        assert(s->limit.scope == shapes[i].scope);
        int rc = check_limit(st, &c, &s->limit, shapes[i].mask, v);
        if (rc != 0 || !v->accepted) {
            return rc;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* Text */

/* Money with 2 decimals; a value with more (an order value) keeps all its digits. */
static void money(ts_dec v, char out[TS_DEC_STRLEN])
{
    if (ts_domain__is_cents(v)) {
        ts_dec_format_scale(v, 2, out, TS_DEC_STRLEN);
    } else {
        ts_dec_format_trim(v, out, TS_DEC_STRLEN);
    }
}

size_t ts_risk_verdict_format(const struct ts_risk_verdict *v, char *out, size_t cap)
{
    static const char *const days[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};
    char a[TS_DEC_STRLEN], b[TS_DEC_STRLEN], scope[32] = "";
    int n;

    if (v->from_limit) {
        snprintf(scope, sizeof(scope), " (%s limit)", ts_risk_scope_str(v->scope));
    }
    switch (v->rule) {
    case TS_RISK_RULE_NONE:
        n = snprintf(out, cap, "accepted");
        break;
    case TS_RISK_RULE_KILL_SWITCH:
        n = snprintf(out, cap, "kill switch is active");
        break;
    case TS_RISK_RULE_TRADING_HOURS:
        if (v->open_minute <= v->local_minute && v->local_minute < v->close_minute) {
            n = snprintf(out, cap, "market closed on %s (B3 local)",
                         days[(unsigned)v->local_weekday % 7]);
        } else {
            n = snprintf(out, cap,
                         "outside trading hours %02d:%02d-%02d:%02d B3 local (now %02d:%02d)",
                         v->open_minute / 60, v->open_minute % 60, v->close_minute / 60,
                         v->close_minute % 60, v->local_minute / 60, v->local_minute % 60);
        }
        break;
    case TS_RISK_RULE_MAX_ORDER_VALUE:
        money(v->value, a);
        money(v->limit, b);
        n = snprintf(out, cap, "order value %s exceeds max_order_value %s%s", a, b, scope);
        break;
    case TS_RISK_RULE_MAX_POSITION_SIZE:
        ts_dec_format_trim(v->value, a, sizeof(a));
        ts_dec_format_trim(v->limit, b, sizeof(b));
        n = snprintf(out, cap, "resulting position %s exceeds max_position_size %s%s", a, b, scope);
        break;
    case TS_RISK_RULE_MAX_DAILY_LOSS:
        money(v->value, a);
        money(v->limit, b);
        n = snprintf(out, cap, "daily loss %s reached max_daily_loss %s%s", a, b, scope);
        break;
    case TS_RISK_RULE_MAX_DAILY_TRADES:
        ts_dec_format_trim(v->value, a, sizeof(a));
        ts_dec_format_trim(v->limit, b, sizeof(b));
        n = snprintf(out, cap, "orders today %s reached max_daily_trades %s%s", a, b, scope);
        break;
    case TS_RISK_RULE_INVALID_ORDER:
    default:
        n = snprintf(out, cap, "order cannot be risk-checked: %s",
                     v->detail ? v->detail : "invalid order");
        break;
    }
    return n < 0 ? 0 : (size_t)n;
}
