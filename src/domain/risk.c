/*
 * risk.c - the state of the pre-trade risk check: its names, its limits, and
 * the text of a verdict.
 *
 * See risk.h for the rules and their order. The keys and tables the state is
 * made of are in risk_table.c, the counters in risk_counters.c, the check
 * itself in risk_check.c (shared internals: domain/internal.h, "Risk"). Only
 * ts_risk_state_init() and ts_risk_put_limit() allocate here.
 * Does not do I/O or read clocks.
 */
#include "domain/risk.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "domain/internal.h"

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
    ts_risk__table_init(&st->limits, sizeof(struct ts_risk__limit_slot), cfg->limits_capacity);
    ts_risk__table_init(&st->counters, sizeof(struct ts_risk__counter_slot), cfg->keys_capacity);
    st->check_trading_hours = cfg->check_trading_hours;
    st->loss_includes_unrealized = cfg->loss_includes_unrealized;
    return 0;
}

void ts_risk_state_release(struct ts_risk_state *st)
{
    ts_risk__table_release(&st->limits);
    ts_risk__table_release(&st->counters);
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

/* The key of a limit (its own account, strategy, symbol), and its hash. */
static uint64_t key_of_limit(const struct ts_risk_limit *l, struct ts_risk__key *k)
{
    struct ts_risk__parts p;
    int rc = ts_risk__parts_init(&p, &l->account_id, &l->strategy_id, l->symbol, false);

    assert(rc == 0); /* checked by ts_risk_limit_check() */
    (void)rc;
    return ts_risk__key_of(&p, TS_RISK__K_ACCOUNT | TS_RISK__K_STRATEGY | TS_RISK__K_SYMBOL, k);
}

static int check_money(const char *field, ts_dec v, struct ts_err *err)
{
    if (v < 0 || !ts_dec_is_valid(v) || !ts_domain__is_cents(v)) {
        return ts_err_set(err, TS_EINVAL, "risk limit %s must be whole cents >= 0", field);
    }
    return 0;
}

int ts_risk_limit_check(const struct ts_risk_limit *l, struct ts_err *err)
{
    struct ts_risk__parts p;
    size_t ylen = strnlen(l->symbol, sizeof(l->symbol));
    bool has_a = !ts_uuid_is_nil(&l->account_id), has_s = !ts_uuid_is_nil(&l->strategy_id);
    int rc;

    if (ts_uuid_is_nil(&l->id)) {
        return ts_err_set(err, TS_EINVAL, "risk limit id is required");
    }
    if (ylen == sizeof(l->symbol) || ts_risk__parts_init(&p, NULL, NULL, l->symbol, false) != 0) {
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

static struct ts_risk__limit_slot *find_limit_by_id(const struct ts_risk_state *st,
                                                    const struct ts_uuid *id)
{
    for (size_t i = 0; i <= st->limits.mask; i++) {
        struct ts_risk__limit_slot *s =
            (struct ts_risk__limit_slot *)ts_risk__slot_at(&st->limits, i);
        if (s->h.used && memcmp(&s->limit.id, id, sizeof(*id)) == 0) {
            return s;
        }
    }
    return NULL;
}

int ts_risk_put_limit(struct ts_risk_state *st, const struct ts_risk_limit *l, struct ts_err *err)
{
    struct ts_risk_limit copy = *l;
    struct ts_risk__key k;
    uint64_t h;
    int rc = ts_risk_limit_check(l, err);

    if (rc != 0) {
        return rc;
    }
    /* Normalise: bytes after the symbol's NUL never matter. */
    size_t ylen = strlen(l->symbol);
    memset(copy.symbol + ylen, 0, sizeof(copy.symbol) - ylen);
    h = key_of_limit(&copy, &k);

    struct ts_risk__limit_slot *old = find_limit_by_id(st, &copy.id);
    if (old && memcmp(&old->h.key, &k, sizeof(k)) != 0) {
        ts_risk__table_remove(&st->limits, &old->h); /* same limit, new scope: move it */
    }
    if (ts_risk__table_reserve(&st->limits, 1) != 0) {
        return ts_err_set(err, TS_ERANGE, "too many risk limits");
    }
    struct ts_risk__limit_slot *s =
        (struct ts_risk__limit_slot *)ts_risk__table_get(&st->limits, h, &k);
    s->limit = copy;
    return 0;
}

int ts_risk_remove_limit(struct ts_risk_state *st, const struct ts_uuid *id)
{
    struct ts_risk__limit_slot *s = find_limit_by_id(st, id);

    if (!s) {
        return TS_ENOTFOUND;
    }
    ts_risk__table_remove(&st->limits, &s->h);
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
