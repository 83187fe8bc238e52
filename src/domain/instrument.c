/*
 * instrument.c - instrument enums, invariants, session hours and exact fees.
 * See instrument.h. Does not allocate, read clocks or do I/O.
 */
#include "domain/instrument.h"

#include <string.h>

#include "domain/internal.h"

static const char *const asset_class_names[TS_ASSET_CLASS_COUNT] = {
    "stock",
    "future",
    "fx",
    "crypto",
};

static const char *const status_names[TS_INSTRUMENT_STATUS_COUNT] = {
    "ACTIVE",
    "INACTIVE",
    "DELISTED",
    "HALTED",
};

const char *ts_instrument_asset_class_str(enum ts_asset_class v)
{
    return ts_domain__name(asset_class_names, TS_ASSET_CLASS_COUNT, (int)v);
}

int ts_instrument_asset_class_parse(const char *s, size_t len, enum ts_asset_class *out)
{
    int i;
    int rc = ts_domain__parse_name(asset_class_names, TS_ASSET_CLASS_COUNT, s, len, &i);
    if (rc == 0) {
        *out = (enum ts_asset_class)i;
    }
    return rc;
}

const char *ts_instrument_status_str(enum ts_instrument_status v)
{
    return ts_domain__name(status_names, TS_INSTRUMENT_STATUS_COUNT, (int)v);
}

int ts_instrument_status_parse(const char *s, size_t len, enum ts_instrument_status *out)
{
    int i;
    int rc = ts_domain__parse_name(status_names, TS_INSTRUMENT_STATUS_COUNT, s, len, &i);
    if (rc == 0) {
        *out = (enum ts_instrument_status)i;
    }
    return rc;
}

/* A symbol as data_capture.instruments accepts it: 1..50 bytes, no whitespace (^\S+$), ASCII. */
static bool symbol_ok(const char *s, size_t len)
{
    if (len == 0 || len > TS_SYMBOL_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f) {
            return false;
        }
    }
    return true;
}

int ts_instrument_init(struct ts_instrument *in, const char *symbol)
{
    size_t len = symbol ? strlen(symbol) : 0;

    memset(in, 0, sizeof(*in));
    if (!symbol_ok(symbol, len)) {
        return TS_EINVAL;
    }
    memcpy(in->symbol, symbol, len);
    memcpy(in->exchange, "B3", 3);
    in->asset_class = TS_ASSET_STOCK;
    in->lot_size = TS_DEC_SCALE;
    in->tick_size = TS_DEC_SCALE / 100;
    in->status = TS_INSTRUMENT_ACTIVE;
    in->open_minute = 10 * 60;
    in->close_minute = 17 * 60;
    in->trading_days = TS_DAYS_MON_FRI;
    return 0;
}

static bool fee_amount_ok(ts_dec v)
{
    return v >= 0 && ts_dec_is_valid(v);
}

static bool fee_rate_ok(ts_dec v)
{
    return v >= 0 && v <= TS_DEC_SCALE;
}

#define FEE_FMT "instrument %s: %s must be %s"

static int check_fees(const struct ts_fee_schedule *f, const char *symbol, struct ts_err *err)
{
    if (!fee_amount_ok(f->commission_fixed)) {
        return ts_err_set(err, TS_EINVAL, FEE_FMT, symbol, "commission_fixed", ">= 0");
    }
    if (!fee_amount_ok(f->commission_per_unit)) {
        return ts_err_set(err, TS_EINVAL, FEE_FMT, symbol, "commission_per_unit", ">= 0");
    }
    if (!fee_rate_ok(f->commission_rate)) {
        return ts_err_set(err, TS_EINVAL, FEE_FMT, symbol, "commission_rate", "between 0 and 1");
    }
    if (!fee_amount_ok(f->tax_per_unit)) {
        return ts_err_set(err, TS_EINVAL, FEE_FMT, symbol, "tax_per_unit", ">= 0");
    }
    if (!fee_rate_ok(f->tax_rate)) {
        return ts_err_set(err, TS_EINVAL, FEE_FMT, symbol, "tax_rate", "between 0 and 1");
    }
    return 0;
}

int ts_instrument_check(const struct ts_instrument *in, struct ts_err *err)
{
    size_t len = strnlen(in->symbol, sizeof(in->symbol));

    if (len == sizeof(in->symbol) || !symbol_ok(in->symbol, len)) {
        return ts_err_set(err, TS_EINVAL,
                          "instrument symbol must be 1 to %d printable characters without spaces",
                          TS_SYMBOL_MAX);
    }
    if (strnlen(in->exchange, sizeof(in->exchange)) == sizeof(in->exchange)) {
        return ts_err_set(err, TS_EINVAL, "instrument %s: exchange is not NUL-terminated",
                          in->symbol);
    }
    if ((unsigned)in->asset_class >= TS_ASSET_CLASS_COUNT) {
        return ts_err_set(err, TS_EINVAL, "instrument %s: invalid asset_class %d", in->symbol,
                          (int)in->asset_class);
    }
    if ((unsigned)in->status >= TS_INSTRUMENT_STATUS_COUNT) {
        return ts_err_set(err, TS_EINVAL, "instrument %s: invalid status %d", in->symbol,
                          (int)in->status);
    }
    if (in->lot_size <= 0 || !ts_dec_is_valid(in->lot_size)) {
        return ts_err_set(err, TS_EINVAL, "instrument %s: lot_size must be > 0", in->symbol);
    }
    if (in->tick_size <= 0 || !ts_dec_is_valid(in->tick_size)) {
        return ts_err_set(err, TS_EINVAL, "instrument %s: tick_size must be > 0", in->symbol);
    }
    if (in->open_minute < 0 || in->open_minute >= TS_MINUTES_PER_DAY ||
        in->close_minute <= in->open_minute || in->close_minute > TS_MINUTES_PER_DAY) {
        return ts_err_set(err, TS_EINVAL,
                          "instrument %s: trading hours must satisfy 0 <= open (%d) < close (%d) "
                          "<= 1440 minutes",
                          in->symbol, in->open_minute, in->close_minute);
    }
    if ((in->trading_days & ~TS_DAYS_ALL) != 0) {
        return ts_err_set(err, TS_EINVAL, "instrument %s: trading_days has bits beyond Saturday",
                          in->symbol);
    }
    return check_fees(&in->fees, in->symbol, err);
}

bool ts_instrument_is_open(const struct ts_instrument *in, const struct ts_local_time *lt)
{
    if (lt->weekday < 0 || lt->weekday > 6 || !(in->trading_days & (1u << lt->weekday))) {
        return false;
    }
    return lt->minutes_of_day >= in->open_minute && lt->minutes_of_day < in->close_minute;
}

/* 10^10 in 1e-16 units: the first value a DECIMAL(18,8) money amount cannot hold. */
#define LIMIT_E16 ((ts_domain__i128)10000000000 * TS_DEC_SCALE * TS_DEC_SCALE)

/*
 * fixed + per_unit * qty + rate * value, in 1e-24 units, rounded once to cents.
 * value16 is qty * price in 1e-16 units, |value16| < LIMIT_E16 (checked by the caller).
 * Every term is bounded before it is scaled so that nothing overflows 128 bits.
 */
static int fee_cents(ts_dec fixed, ts_dec per_unit, ts_dec rate, ts_dec qty,
                     ts_domain__i128 value16, ts_dec *out)
{
    ts_domain__i128 unit16 = (ts_domain__i128)per_unit * qty; /* < 10^36 */

    if (unit16 >= LIMIT_E16) {
        return TS_ERANGE;
    }
    /* fixed*10^16 < 10^34, unit16*10^8 < 10^34, rate*value16 <= 10^8 * 10^26: sum < 2^115 */
    ts_domain__i128 total24 = (ts_domain__i128)fixed * TS_DEC_SCALE * TS_DEC_SCALE +
                              unit16 * TS_DEC_SCALE + (ts_domain__i128)rate * value16;
    /* 1e-24 units -> cents: divide by 10^22 */
    ts_domain__i128 div = (ts_domain__i128)100000000000 * 100000000000;
    ts_domain__i128 cents = ts_domain__div_half_even(total24, div);
    return ts_domain__put(cents * TS_DOMAIN__CENT, out);
}

int ts_instrument_compute_fees(const struct ts_instrument *in, ts_dec quantity, ts_dec price,
                               struct ts_fees *out, struct ts_err *err)
{
    const struct ts_fee_schedule *f = &in->fees;
    struct ts_fees r;
    int rc;

    if (quantity <= 0 || !ts_dec_is_valid(quantity) || price <= 0 || !ts_dec_is_valid(price)) {
        return ts_err_set(err, TS_EINVAL, "fees of %s: quantity and price must be > 0", in->symbol);
    }
    rc = check_fees(f, in->symbol, err);
    if (rc != 0) {
        return rc;
    }
    ts_domain__i128 value16 = (ts_domain__i128)quantity * price;
    if (value16 >= LIMIT_E16) {
        return ts_err_set(err, TS_ERANGE, "fees of %s: traded value does not fit DECIMAL(18,8)",
                          in->symbol);
    }
    if (fee_cents(f->commission_fixed, f->commission_per_unit, f->commission_rate, quantity,
                  value16, &r.commission) != 0 ||
        fee_cents(0, f->tax_per_unit, f->tax_rate, quantity, value16, &r.tax) != 0 ||
        ts_dec_add(r.commission, r.tax, &r.total) != 0) {
        return ts_err_set(err, TS_ERANGE, "fees of %s do not fit DECIMAL(18,8)", in->symbol);
    }
    *out = r;
    return 0;
}
