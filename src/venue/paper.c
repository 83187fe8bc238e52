/* paper.c - the paper venue's matching rule. See venue.h. */
#include "venue/venue.h"

bool ts_paper_triggers(const struct ts_order *o, const struct ts_tick *t)
{
    if ((o->type != TS_ORDER_STOP && o->type != TS_ORDER_STOP_LIMIT) || !ts_order_is_working(o)) {
        return false;
    }
    return o->side == TS_SIDE_BUY ? t->price >= o->stop_price : t->price <= o->stop_price;
}

bool ts_paper_match(const struct ts_order *o, bool triggered, const struct ts_tick *t, ts_dec avail,
                    ts_dec *qty, ts_dec *price)
{
    bool buy = o->side == TS_SIDE_BUY;
    ts_dec remaining = o->quantity - o->filled_quantity;

    if (remaining <= 0 || avail <= 0 || !ts_order_is_working(o)) {
        return false;
    }
    if ((o->type == TS_ORDER_STOP || o->type == TS_ORDER_STOP_LIMIT) && !triggered) {
        return false;
    }
    bool limit = o->type == TS_ORDER_LIMIT || o->type == TS_ORDER_STOP_LIMIT;
    if (limit) {
        if (buy ? t->price > o->price : t->price < o->price) {
            return false;
        }
        *price = o->price;
    } else {
        *price = t->price;
    }
    *qty = remaining < avail ? remaining : avail;
    return true;
}
