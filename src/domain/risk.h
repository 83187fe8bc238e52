/*
 * risk.h - pre-trade risk: the limits of order_manager.risk_limits (spec
 * §6.2), trading hours and the kill switch, checked in memory on the order
 * path, and the counters those checks read.
 *
 * Rules, in the order they are evaluated (the first one broken is reported):
 *  1. kill switch: while active every order is refused.
 *  2. trading hours (unless turned off for simulation): the instrument's
 *     session must be open at the order's time, B3 local (instrument.h).
 *  3. every ACTIVE limit that applies to the order's (account, strategy,
 *     symbol), scope by scope: ACCOUNT (A), STRATEGY (A,S) then (any,S),
 *     SYMBOL (A,S,y), (A,any,y), (any,S,y), (any,any,y) - the key shapes
 *     migrations/order_manager/0001_init.sql allows, at most one limit per key.
 *     In each limit, in this order, the rules whose column is not NULL:
 *     - max_order_value (money): refused when value > limit, value = quantity
 *       x price rounded half-even to 8 places, price = the limit price
 *       (LIMIT, STOP_LIMIT), the stop price (STOP) or the reference price
 *       the caller passes (MARKET: last trade or mark). value == limit passes.
 *     - max_position_size (quantity): the position the limit's scope would
 *       hold in the order's symbol if the order filled completely,
 *       |net +/- quantity|, refused when > limit, except that an order which
 *       makes |net| smaller is never refused by this rule (it does not break
 *       the limit, even when the limit was lowered below the position).
 *       Working orders not yet filled are not counted (the spec's rule).
 *     - max_daily_loss (money, the loss allowed, >= 0): today's P&L of the
 *       scope (realized, plus unrealized when the config says so); every new
 *       order is refused while P&L < 0 and -P&L >= limit. A loss of
 *       limit - 0.01 passes; a limit of 0 refuses orders after any loss.
 *     - max_daily_trades (count): refused when the orders the scope had
 *       accepted today (B3 local date) >= limit, so the limit-th order passes
 *       and the next one is refused. Orders, not fills: it is the count the
 *       pre-trade check can keep within the limit (one order may fill in many
 *       trades). ts_risk_record_order() counts an accepted order.
 *
 * Counters: one entry per key, where a key is (account|any, strategy|any,
 * symbol|any). A fill or an order of (A,S,y) updates the 7 keys that contain
 * it (A), (A,S), (S), (A,S,y), (A,y), (S,y), (y); positions live on the 4
 * keys with a symbol. Daily figures roll over on the B3 local date
 * (position.h struct ts_daily_stats); positions and unrealized P&L do not.
 *
 * Memory and cost: limits and counters are open-addressing hash tables
 * (linear probing, load <= 1/2, hashes of the uuids and the symbol), sized
 * at init from the config and grown (doubling) only by the calls that add
 * limits or keys, never by the check. ts_risk_check() allocates nothing,
 * does no I/O, reads no clock: at most 7 limit lookups and 2 counter lookups
 * per applicable limit, each O(1) expected - O(1) per order, independent of
 * the number of limits and keys. bench/bench_risk.sh measures it.
 *
 * Does not: read or write the database (the OMS loads limits and rebuilds
 * the counters on start, e.g. with ts_risk_apply()), format messages on the
 * check path (ts_risk_verdict_format() does, after), or know holidays.
 * Thread: a struct ts_risk_state belongs to the OMS thread (single writer);
 * nothing here locks.
 */
#ifndef TS_DOMAIN_RISK_H
#define TS_DOMAIN_RISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"
#include "core/err.h"
#include "core/uuid.h"
#include "domain/instrument.h"
#include "domain/order.h"
#include "domain/position.h"

enum ts_risk_scope {
    TS_RISK_SCOPE_ACCOUNT,
    TS_RISK_SCOPE_STRATEGY,
    TS_RISK_SCOPE_SYMBOL,
};
#define TS_RISK_SCOPE_COUNT 3

const char *ts_risk_scope_str(enum ts_risk_scope v); /* "ACCOUNT", "STRATEGY", "SYMBOL" */
int ts_risk_scope_parse(const char *s, size_t len, enum ts_risk_scope *out) TS_MUST_CHECK;

/*
 * One row of order_manager.risk_limits. Shapes (the table's CHECK):
 * ACCOUNT: account set, strategy nil, symbol ""; STRATEGY: strategy set,
 * account optional, symbol ""; SYMBOL: symbol set, account and strategy
 * optional. A nil uuid / "" symbol means "any". At least one has_* is true.
 */
struct ts_risk_limit {
    struct ts_uuid id;
    enum ts_risk_scope scope;
    struct ts_uuid account_id;      /* nil = any */
    struct ts_uuid strategy_id;     /* nil = any */
    char symbol[TS_SYMBOL_MAX + 1]; /* "" = any */
    bool has_max_order_value;
    ts_dec max_order_value; /* money, >= 0 */
    bool has_max_position_size;
    ts_dec max_position_size; /* quantity, >= 0 */
    bool has_max_daily_loss;
    ts_dec max_daily_loss; /* money, >= 0: the loss allowed */
    bool has_max_daily_trades;
    int64_t max_daily_trades; /* orders per B3 day, >= 0 */
    bool active;              /* status ACTIVE; inactive limits are kept but not applied */
};

/* Checks the shape and values of a limit read from input: 0 or TS_EINVAL naming the field. */
int ts_risk_limit_check(const struct ts_risk_limit *l, struct ts_err *err) TS_MUST_CHECK;

struct ts_risk_config {
    size_t limits_capacity;        /* limits expected; the table grows beyond, off the check */
    size_t keys_capacity;          /* counter keys expected (about 7 per traded A,S,y) */
    bool check_trading_hours;      /* false: simulation, any time is open */
    bool loss_includes_unrealized; /* max_daily_loss counts unrealized P&L too */
};

/* Private: an open-addressing table of fixed-size slots. */
struct ts_risk__table {
    unsigned char *slots; /* owned; mask + 1 slots of slot_size bytes */
    size_t slot_size;
    size_t mask;  /* capacity - 1, capacity a power of two */
    size_t count; /* used slots, <= capacity / 2 */
};

/*
 * Everything the check reads. Owned by the OMS thread. Caller storage:
 * ts_risk_state_init() / ts_risk_state_release(). Fields are private.
 */
struct ts_risk_state {
    struct ts_risk__table limits;   /* key -> struct ts_risk_limit */
    struct ts_risk__table counters; /* key -> position, unrealized, daily stats */
    bool kill_switch;
    bool check_trading_hours;
    bool loss_includes_unrealized;
};

/* Allocates the tables (aborts on OOM, like ts_xmalloc). TS_EINVAL for capacities > 2^24. */
int ts_risk_state_init(struct ts_risk_state *st, const struct ts_risk_config *cfg) TS_MUST_CHECK;
/* Frees the tables; st may be initialised again. */
void ts_risk_state_release(struct ts_risk_state *st);

/*
 * Adds or replaces a limit (ts_risk_limit_check() first). A limit with the
 * same key replaces the old one; a limit with the same id under another key
 * (its scope changed) is moved. May allocate (growth).
 */
int ts_risk_put_limit(struct ts_risk_state *st, const struct ts_risk_limit *l,
                      struct ts_err *err) TS_MUST_CHECK;
/* Removes the limit with this id: 0 or TS_ENOTFOUND. O(limits). */
int ts_risk_remove_limit(struct ts_risk_state *st, const struct ts_uuid *id) TS_MUST_CHECK;
size_t ts_risk_limit_count(const struct ts_risk_state *st);

void ts_risk_set_kill_switch(struct ts_risk_state *st, bool active);
bool ts_risk_kill_switch(const struct ts_risk_state *st);
void ts_risk_set_trading_hours_check(struct ts_risk_state *st, bool on);

/*
 * A change to the counters of (account, strategy, symbol), applied to its 7
 * keys. Each field is added; time_ns chooses the trading day of the daily
 * fields (see struct ts_daily_stats for earlier days).
 */
struct ts_risk_delta {
    ts_dec position;   /* signed quantity: + bought, - sold */
    ts_dec unrealized; /* cents, change of the unrealized P&L */
    ts_dec realized;   /* cents, realized today */
    int64_t trades;    /* fills today */
    int64_t orders;    /* accepted orders today */
};

/*
 * Applies d. Also how the OMS rebuilds the counters on start: one call per
 * open position / per (A,S,y) traded today with its totals. TS_EINVAL for a
 * nil account or strategy, a bad symbol or a non-cent amount, TS_ERANGE on
 * overflow (then no key has changed). May allocate (new keys).
 */
int ts_risk_apply(struct ts_risk_state *st, const struct ts_uuid *account_id,
                  const struct ts_uuid *strategy_id, const char *symbol, int64_t time_ns,
                  const struct ts_risk_delta *d, struct ts_err *err) TS_MUST_CHECK;
/* An order the check accepted and the OMS recorded: orders today + 1. */
int ts_risk_record_order(struct ts_risk_state *st, const struct ts_uuid *account_id,
                         const struct ts_uuid *strategy_id, const char *symbol, int64_t time_ns,
                         struct ts_err *err) TS_MUST_CHECK;
/* A fill: position +/- quantity, trades + 1, realized (cents, fees included: result.realized). */
int ts_risk_record_fill(struct ts_risk_state *st, const struct ts_uuid *account_id,
                        const struct ts_uuid *strategy_id, const char *symbol, enum ts_side side,
                        ts_dec quantity, ts_dec realized, int64_t time_ns,
                        struct ts_err *err) TS_MUST_CHECK;
/* The position of (A,S,y) is now worth unrealized (cents) at its mark: updates its keys. */
int ts_risk_set_unrealized(struct ts_risk_state *st, const struct ts_uuid *account_id,
                           const struct ts_uuid *strategy_id, const char *symbol, ts_dec unrealized,
                           struct ts_err *err) TS_MUST_CHECK;

/* The counters of one key as of now_ns (zeros for a key never seen, today's zeros after rollover).
 */
struct ts_risk_counters {
    ts_dec position;             /* signed net quantity (keys with a symbol) */
    ts_dec unrealized;           /* cents */
    struct ts_daily_stats today; /* realized, trades, orders of now_ns's B3 day */
};
/* account / strategy NULL or nil and symbol NULL or "" mean "any". TS_EINVAL for a bad symbol. */
int ts_risk_get_counters(const struct ts_risk_state *st, const struct ts_uuid *account_id,
                         const struct ts_uuid *strategy_id, const char *symbol, int64_t now_ns,
                         struct ts_risk_counters *out) TS_MUST_CHECK;

/* An order (or a modification) to check. Borrowed for the call. */
struct ts_risk_order {
    struct ts_uuid account_id;
    struct ts_uuid strategy_id;
    const char *symbol; /* NUL-terminated, 1..50 bytes */
    enum ts_side side;
    enum ts_order_type type;
    ts_dec quantity;        /* > 0; for a modification, the new remaining quantity */
    ts_dec price;           /* LIMIT, STOP_LIMIT */
    ts_dec stop_price;      /* STOP */
    ts_dec reference_price; /* MARKET: last trade or mark (> 0 when max_order_value applies) */
    const struct ts_instrument *instrument; /* its session; may be NULL when hours are off */
    int64_t now_ns;                         /* order time: session and trading day */
    bool is_modify;                         /* a modification: max_daily_trades does not apply */
};

enum ts_risk_rule {
    TS_RISK_RULE_NONE, /* accepted */
    TS_RISK_RULE_KILL_SWITCH,
    TS_RISK_RULE_TRADING_HOURS,
    TS_RISK_RULE_MAX_ORDER_VALUE,
    TS_RISK_RULE_MAX_POSITION_SIZE,
    TS_RISK_RULE_MAX_DAILY_LOSS,
    TS_RISK_RULE_MAX_DAILY_TRADES,
    TS_RISK_RULE_INVALID_ORDER, /* the check could not run: refused (fail closed) */
};
#define TS_RISK_RULE_COUNT 8

/* "none", "kill_switch", "trading_hours", "max_order_value", ..., "invalid_order". */
const char *ts_risk_rule_str(enum ts_risk_rule v);

/* The answer of the check. Plain data: copy it, keep it, format it later. */
struct ts_risk_verdict {
    bool accepted;
    enum ts_risk_rule rule;   /* TS_RISK_RULE_NONE when accepted */
    int code;                 /* INVALID_ORDER: TS_EINVAL or TS_ERANGE; else 0 */
    const char *detail;       /* INVALID_ORDER: static text ("MARKET order needs ..."); else "" */
    bool from_limit;          /* the rule is a column of a risk_limits row: */
    enum ts_risk_scope scope; /*   its scope */
    struct ts_uuid limit_id;  /*   its id */
    ts_dec limit;    /* the limit broken: money (order value, daily loss), quantity (position),
                        count as a whole ts_dec (daily trades) */
    ts_dec value;    /* what broke it, same unit: order value, |resulting position|, loss, orders */
    int open_minute; /* TRADING_HOURS: the session, B3 local minutes */
    int close_minute;
    int local_minute;  /* TRADING_HOURS: the order's B3 local minute of the day */
    int local_weekday; /* TRADING_HOURS: enum ts_weekday of the order's B3 local day */
};

/*
 * Evaluates every rule (top of this file) for o and fills *v. Returns 0 when
 * the rules ran (v->accepted says the answer); TS_EINVAL / TS_ERANGE when
 * the order cannot be checked (bad symbol or quantity, MARKET without a
 * reference price where an order value is needed, no instrument while hours
 * are checked, overflow): v is then a refusal with rule INVALID_ORDER.
 * No allocation, no I/O, no clock.
 */
int ts_risk_check(const struct ts_risk_state *st, const struct ts_risk_order *o,
                  struct ts_risk_verdict *v) TS_MUST_CHECK;

/*
 * The verdict as text for people and for orders.reject_reason:
 * "order value 30000.00 exceeds max_order_value 25000.00 (ACCOUNT limit)",
 * "outside trading hours 10:00-17:00 B3 local (now 09:59)". Money has 2
 * decimals. Writes NUL-terminated text (truncated to cap) and returns the
 * length snprintf() would have written.
 */
size_t ts_risk_verdict_format(const struct ts_risk_verdict *v, char *out, size_t cap);

#endif
