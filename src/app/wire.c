/*
 * wire.c - the sink of the market-data service and the paper seed (wire.h).
 */
#include "app/wire.h"

#include <string.h>

#include "api/stream.h"
#include "core/tstime.h"
#include "oms/oms.h"

static int sink_ticks(void *ctx, const char *source, const struct ts_tick *t, size_t n, int *fills,
                      struct ts_err *err)
{
    struct ts_app_wire *w = ctx;
    *fills = 0;
    if (!w->oms) {
        return 0;
    }
    int rc = ts_oms_ticks(w->oms, source, t, (int)n, fills, err);
    if (rc) {
        ts_err_wrap(err, "the order manager did not take the ticks");
    }
    return rc;
}

static void sink_publish(void *ctx, const char *topic, const char *msg, size_t len)
{
    struct ts_app_wire *w = ctx;
    if (w->stream) {
        ts_stream_publish_market(w->stream, topic, msg, len);
    }
}

static bool sink_listening(void *ctx)
{
    struct ts_app_wire *w = ctx;
    return w->stream && ts_stream_has_clients(w->stream);
}

/* The status topic: database, order manager, kill switch, feed (the latest wins). */
static void sink_maint_turn(void *ctx, bool db_up)
{
    struct ts_app_wire *w = ctx;
    struct ts_buf b = TS_BUF_INIT, feed = TS_BUF_INIT;
    struct ts_oms_metrics om;
    char now[40];

    if (!w->stream) {
        return;
    }
    ts_time_format_rfc3339(ts_now_ns(), now, sizeof(now));
    if (w->feed) {
        ts_feed_status(w->feed, &feed);
    } else {
        ts_buf_adds(&feed, "{\"feed\":\"none\",\"state\":\"off\"}");
    }
    memset(&om, 0, sizeof(om));
    if (w->oms) {
        ts_oms_get_metrics(w->oms, &om);
    }
    ts_buf_addf(&b,
                "{\"topic\":\"status\",\"type\":\"Status\",\"time\":\"%s\",\"data\":{"
                "\"database\":\"%s\",\"order_manager\":\"%s\",\"kill_switch\":%s,\"feed\":%s}}",
                now, db_up ? "up" : "down", w->oms ? "running" : "off",
                om.kill_switch ? "true" : "false", feed.buf);
    ts_stream_publish_market(w->stream, "status", b.buf, b.len);
    ts_buf_release(&feed);
    ts_buf_release(&b);
}

void ts_app_wire_sink(struct ts_app_wire *w, struct ts_cap_sink *out)
{
    *out = (struct ts_cap_sink){.ctx = w,
                                .ticks = sink_ticks,
                                .publish = sink_publish,
                                .listening = sink_listening,
                                .maint_turn = sink_maint_turn};
}

int ts_app_seed_paper(const struct ts_db_config *cfg, struct ts_err *err)
{
    PGconn *c;
    int rc = ts_db_connect(cfg->conninfo[TS_MOD_ORDER_MANAGER], &c, err);
    if (rc) {
        return rc;
    }
    rc = ts_db_exec(c, "seed a paper account",
                    "INSERT INTO order_manager.accounts (name, broker_account, metadata)"
                    " SELECT 'Paper', 'PAPER-1', '{\"source\":\"sim\"}' WHERE NOT EXISTS"
                    " (SELECT 1 FROM order_manager.accounts)",
                    0, NULL, NULL, err);
    if (!rc) {
        rc = ts_db_exec(c, "seed a manual strategy",
                        "INSERT INTO order_manager.strategies (name, description, strategy_type,"
                        " status, created_by, metadata) SELECT 'Manual', 'Orders placed by hand',"
                        " 'MANUAL', 'ACTIVE', 'system', '{\"source\":\"sim\"}' WHERE NOT EXISTS"
                        " (SELECT 1 FROM order_manager.strategies)",
                        0, NULL, NULL, err);
    }
    ts_db_finish(c);
    return rc;
}
