/*
 * instrument.h - what the order manager knows of a tradable instrument: lot
 * and tick sizes, status, the trading session in B3 local time, and the fee
 * schedule of its fills (spec §7.2 data_capture.instruments, §6.2 trades).
 *
 * Fees are data, not code: a struct ts_fee_schedule per instrument, which the
 * order manager fills from its configuration per asset class (or per
 * instrument), e.g. B3 stocks: tax_rate 0.00005 (emolumentos, 0.005% of the
 * traded value); mini-index futures: tax_per_unit per contract. Each fee is
 * computed exactly and rounded once, half-even, to cents, because the trades
 * table keeps commission and tax as DECIMAL(18,2) (DESIGN.md §3).
 *
 * Does not: load instruments (src/oms reads data_capture.instruments), know
 * the B3 holiday calendar (a session is a weekday mask and open/close
 * minutes; holidays are the caller's), model sessions that cross midnight,
 * or model Brazilian income tax on profits (not a per-fill fee).
 * Instruments are plain values: any thread may call these functions on its
 * own copy; the OMS thread owns the ones it holds.
 */
#ifndef TS_DOMAIN_INSTRUMENT_H
#define TS_DOMAIN_INSTRUMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"
#include "core/err.h"
#include "core/tstime.h"

#define TS_SYMBOL_MAX 50   /* VARCHAR(50): symbol in orders, trades, positions, instruments */
#define TS_EXCHANGE_MAX 20 /* VARCHAR(20) */

/* Spelled in lowercase in the schema: "stock", "future", "fx", "crypto". */
enum ts_asset_class {
    TS_ASSET_STOCK,
    TS_ASSET_FUTURE,
    TS_ASSET_FX,
    TS_ASSET_CRYPTO,
};
#define TS_ASSET_CLASS_COUNT 4

enum ts_instrument_status {
    TS_INSTRUMENT_ACTIVE,
    TS_INSTRUMENT_INACTIVE,
    TS_INSTRUMENT_DELISTED,
    TS_INSTRUMENT_HALTED,
};
#define TS_INSTRUMENT_STATUS_COUNT 4

/* Bit (1 << weekday) of struct ts_instrument.trading_days, weekday as enum ts_weekday. */
#define TS_DAYS_MON_FRI                                                                            \
    ((1u << TS_MONDAY) | (1u << TS_TUESDAY) | (1u << TS_WEDNESDAY) | (1u << TS_THURSDAY) |         \
     (1u << TS_FRIDAY))
#define TS_DAYS_ALL 0x7fu
#define TS_MINUTES_PER_DAY 1440

/*
 * Fee schedule of one instrument (all >= 0; rates are fractions, 0 <= rate <= 1).
 * commission = commission_fixed + commission_per_unit * qty + commission_rate * value
 * tax        = tax_per_unit * qty + tax_rate * value
 * where value = qty * price, exact. "tax" is what a Brazilian brokerage note
 * calls "taxas": exchange fees (emolumentos, liquidação), the trades.tax column.
 */
struct ts_fee_schedule {
    ts_dec commission_fixed;    /* money per fill (a broker's flat fee per execution) */
    ts_dec commission_per_unit; /* money per unit of quantity (per share / per contract) */
    ts_dec commission_rate;     /* fraction of value: 0.0005 is 5 bps */
    ts_dec tax_per_unit;        /* money per unit of quantity */
    ts_dec tax_rate;            /* fraction of value: 0.00005 is B3's 0.005% emolumentos */
};

/* Fees of one fill, each rounded half-even to cents. */
struct ts_fees {
    ts_dec commission; /* cents, >= 0: trades.commission */
    ts_dec tax;        /* cents, >= 0: trades.tax */
    ts_dec total;      /* commission + tax, cents: what a fill takes from realized P&L */
};

struct ts_instrument {
    char symbol[TS_SYMBOL_MAX + 1];     /* non-empty, no whitespace, NUL-terminated */
    char exchange[TS_EXCHANGE_MAX + 1]; /* "B3" */
    enum ts_asset_class asset_class;
    ts_dec lot_size;  /* > 0: order quantities are whole multiples of it */
    ts_dec tick_size; /* > 0: prices are whole multiples of it */
    enum ts_instrument_status status;
    int open_minute;       /* B3 local minute of the day the session opens, 0..1439 */
    int close_minute;      /* first minute it is closed, open_minute < close_minute <= 1440 */
    unsigned trading_days; /* bit (1 << enum ts_weekday) set for each trading weekday */
    struct ts_fee_schedule fees;
};

const char *ts_instrument_asset_class_str(enum ts_asset_class v); /* "stock"...; "?" if invalid */
int ts_instrument_asset_class_parse(const char *s, size_t len,
                                    enum ts_asset_class *out) TS_MUST_CHECK;
const char *ts_instrument_status_str(enum ts_instrument_status v); /* "ACTIVE"... */
int ts_instrument_status_parse(const char *s, size_t len,
                               enum ts_instrument_status *out) TS_MUST_CHECK;

/*
 * An ACTIVE stock with lot 1, tick 0.01, session 10:00-17:00 Monday to
 * Friday and no fees: a starting point the caller then adjusts (the values
 * are illustrative, not B3's calendar). Returns TS_EINVAL when symbol is
 * empty, too long or has whitespace.
 */
int ts_instrument_init(struct ts_instrument *in, const char *symbol) TS_MUST_CHECK;

/*
 * Checks the invariants written on the fields above (a row read from the
 * database or configuration is input): 0, or TS_EINVAL naming the field.
 */
int ts_instrument_check(const struct ts_instrument *in, struct ts_err *err) TS_MUST_CHECK;

/* Whether the session is open at B3 local time lt (weekday and minute of the day). */
bool ts_instrument_is_open(const struct ts_instrument *in, const struct ts_local_time *lt);

/*
 * Fees of a fill of quantity (> 0) at price (> 0) under in->fees: each of
 * commission and tax is computed exactly (128-bit) and rounded once,
 * half-even, to cents. TS_EINVAL for a bad quantity, price or schedule,
 * TS_ERANGE when a fee or the traded value would not fit DECIMAL(18,8).
 * *out is untouched on failure.
 */
int ts_instrument_compute_fees(const struct ts_instrument *in, ts_dec quantity, ts_dec price,
                               struct ts_fees *out, struct ts_err *err) TS_MUST_CHECK;

#endif
