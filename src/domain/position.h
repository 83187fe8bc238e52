/*
 * position.h - positions and P&L from fills, and the daily counters of a
 * B3 trading day (spec §6.2 positions; DESIGN.md §6 erratum 5).
 *
 * A position is the net holding of one (account, strategy, symbol): LONG or
 * SHORT a quantity >= 0 at an average entry price. Fills on its side raise
 * it (new average entry price); fills on the other side reduce it and
 * realize P&L ((exit - entry) * qty for LONG, (entry - exit) * qty for SHORT);
 * a fill larger than the position closes it and opens one on the other side
 * for the rest (a flip): the result carries the closed row and the caller
 * writes one CLOSED row and one new OPEN row.
 *
 * Rounding (DESIGN.md §3), where and why:
 *  - avg_entry_price: the exact volume-weighted average, rounded once,
 *    half-even, to 8 places (positions.avg_entry_price is DECIMAL(18,8)).
 *  - realized P&L: each fill's P&L is computed exactly from the stored
 *    average and rounded once, half-even, to cents at that fill; fees are
 *    whole cents. realized_pnl is therefore always the DECIMAL(18,2) the
 *    database holds, and state rebuilt from the database equals this state.
 *  - unrealized P&L: rounded once, half-even, to cents when marked.
 * Fees: every fill's fees (commission + tax, cents) are realized when the
 * fill happens, opening fills included; they do not enter the average
 * entry price. A flip splits its fees between the closed and the new
 * position in proportion to quantity (the closed share rounded half-even to
 * cents, the rest to the new position: the two parts sum exactly).
 *
 * Does not: generate ids (the caller passes one for a position a fill may
 * open), persist, read clocks (times are passed in), or model CLOSING.
 * Thread: positions and daily stats belong to the OMS thread; the functions
 * are pure and touch only what they are given.
 */
#ifndef TS_DOMAIN_POSITION_H
#define TS_DOMAIN_POSITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"
#include "core/err.h"
#include "core/uuid.h"
#include "domain/instrument.h"
#include "domain/order.h"

enum ts_position_side {
    TS_POSITION_LONG,
    TS_POSITION_SHORT,
};
#define TS_POSITION_SIDE_COUNT 2

enum ts_position_status {
    TS_POSITION_OPEN,
    TS_POSITION_CLOSED,
};
#define TS_POSITION_STATUS_COUNT 2

const char *ts_position_side_str(enum ts_position_side v); /* "LONG", "SHORT" */
int ts_position_side_parse(const char *s, size_t len, enum ts_position_side *out) TS_MUST_CHECK;
const char *ts_position_status_str(enum ts_position_status v); /* "OPEN", "CLOSED" */
int ts_position_status_parse(const char *s, size_t len, enum ts_position_status *out) TS_MUST_CHECK;

/* One row of order_manager.positions. Owned by the OMS thread. */
struct ts_position {
    struct ts_uuid id; /* the caller's id for this row; a flip gives the new row new_id */
    struct ts_uuid account_id;
    struct ts_uuid strategy_id;
    char symbol[TS_SYMBOL_MAX + 1];
    enum ts_position_type position_type;
    enum ts_position_side side;     /* meaningless while flat */
    enum ts_position_status status; /* OPEN iff quantity > 0 */
    ts_dec quantity;                /* >= 0; 0 exactly when CLOSED (or never opened) */
    ts_dec avg_entry_price;         /* 8 places, half-even; 0 while flat */
    ts_dec mark_price;              /* last mark, 0 = never marked (current_price NULL) */
    ts_dec realized_pnl;            /* cents: this row's realized P&L, net of its fees */
    ts_dec unrealized_pnl;          /* cents, at mark_price; 0 while flat or unmarked */
    int64_t opened_at;              /* ns UTC of the fill that opened it */
    int64_t closed_at;              /* ns UTC, 0 = NULL (OPEN) */
    int64_t updated_at;             /* ns UTC of the last fill or mark */
};

/* A fill as it reaches the position: the trade row's values. */
struct ts_fill {
    enum ts_side side;
    ts_dec quantity; /* > 0 */
    ts_dec price;    /* > 0 */
    ts_dec fees;     /* >= 0, whole cents: struct ts_fees.total */
    int64_t time_ns; /* executed_at */
};

/* What one fill did to a position. */
struct ts_position_fill_result {
    bool opened;                   /* a new OPEN row began (from flat, or by a flip): write it */
    bool closed;                   /* the previous row reached 0: closed_row holds it, write it */
    bool flipped;                  /* closed and opened by the same fill */
    ts_dec closed_quantity;        /* quantity of the fill that reduced the previous row */
    ts_dec opened_quantity;        /* quantity of the fill that opened or raised a row */
    ts_dec realized;               /* cents: P&L this fill realized, fees subtracted (all legs) */
    ts_dec fees_closed;            /* cents: share of the fees charged to the reduced/closed row */
    ts_dec fees_opened;            /* cents: share charged to the opened/raised row */
    struct ts_position closed_row; /* when closed: the final CLOSED row (id, realized total) */
};

/*
 * A flat, never-opened position (status CLOSED, quantity 0) for the key;
 * symbol is copied (TS_EINVAL when empty or longer than TS_SYMBOL_MAX).
 */
int ts_position_init(struct ts_position *pos, const struct ts_uuid *account_id,
                     const struct ts_uuid *strategy_id, const char *symbol,
                     enum ts_position_type position_type) TS_MUST_CHECK;

/* Signed net quantity: +quantity when LONG, -quantity when SHORT, 0 when flat. */
ts_dec ts_position_net(const struct ts_position *pos);

/*
 * Applies a fill (see the top of this file). When the fill opens a position
 * (from flat, or the remainder of a flip), *pos becomes that new OPEN row
 * with id *new_id, opened_at = fill->time_ns and realized_pnl = minus its fee
 * share; when it only closes, *pos is left CLOSED (quantity 0). The mark
 * price is kept and unrealized_pnl recomputed at it.
 * Refused with *pos and *out untouched: TS_EINVAL for a bad fill (quantity
 * or price <= 0, negative or fractional-cent fees, unknown side),
 * TS_ERANGE on overflow of DECIMAL(18,8).
 */
int ts_position_apply_fill(struct ts_position *pos, const struct ts_fill *fill,
                           const struct ts_uuid *new_id, struct ts_position_fill_result *out,
                           struct ts_err *err) TS_MUST_CHECK;

/*
 * Marks the position at price (> 0): mark_price = price, unrealized_pnl =
 * (price - avg) * qty (LONG) or (avg - price) * qty (SHORT), rounded
 * half-even to cents; 0 when flat. updated_at is not changed (a mark is not
 * a fill). TS_EINVAL for a bad price, TS_ERANGE on overflow; *pos untouched.
 */
int ts_position_mark(struct ts_position *pos, ts_dec price, struct ts_err *err) TS_MUST_CHECK;

/*
 * Daily counters of one key (account, strategy, symbol, or any aggregate):
 * what happened during one B3 trading day, the B3 local calendar date
 * (UTC-3, core/tstime.h). An event of a later day starts a new day (the
 * counters reset); an event of an earlier day than the current one is
 * ignored (a late report of yesterday does not count today).
 */
struct ts_daily_stats {
    int32_t day;         /* B3 local date as yyyymmdd; 0 = nothing recorded yet */
    ts_dec realized_pnl; /* cents: realized P&L of fills of that day, net of fees */
    int64_t trades;      /* fills (trades rows) of that day */
    int64_t orders;      /* orders accepted by the risk check that day */
};

void ts_daily_stats_init(struct ts_daily_stats *st);
/*
 * Adds a fill at time_ns that realized realized (cents, may be negative):
 * realized_pnl += realized, trades += 1. 0, or TS_ERANGE on overflow
 * (stats untouched), TS_EINVAL for a non-cent amount.
 */
int ts_daily_stats_add_fill(struct ts_daily_stats *st, int64_t time_ns,
                            ts_dec realized) TS_MUST_CHECK;
/* Counts an accepted order at time_ns. */
int ts_daily_stats_add_order(struct ts_daily_stats *st, int64_t time_ns) TS_MUST_CHECK;
/*
 * The counters as of now_ns: *st when its day is today, zeros for a past
 * day. Does not change st.
 */
int ts_daily_stats_view(const struct ts_daily_stats *st, int64_t now_ns,
                        struct ts_daily_stats *out) TS_MUST_CHECK;

#endif
