#!/usr/bin/env bash
# The bridge feed (serve --feed bridge:HOST:PORT; docs/api.md "Feed bridge protocol"),
# against a test bridge (tests/bridge/server.mjs) that hangs up when told: trades stored once
# though resent, every callback logged with its status (bad lines FAILED with the error,
# not fatal), the L2 book from book actions, reconnects with backoff 1 s then 2 s as the
# feed reports them (the timing itself: tests/unit/test_backoff.c), status and control
# over REST (reconnect, stop, start), and a bridge that goes away. Every wait is for an
# event (the bridge's log, GET /feed, a row), never for a duration.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55462
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION TS_TRADING_HOURS
NODE=$(command -v node) || { not_ok "node is needed for the test bridge (make deps)"; finish; }

serve_cleanup
"$BIN" db start >/dev/null && "$BIN" db migrate >/dev/null || { not_ok "cluster"; finish; }
DC=$("$BIN" db url --module data_capture)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$DC" -c "$1"; }
sql "INSERT INTO data_capture.instruments (symbol, exchange, asset_class, name, tick_size) VALUES ('PETR4', 'B3', 'stock', 'Petrobras PN', 0.01)"

# Waits run until their condition holds, under a generous deadline, never for a duration:
# a loaded 2-core machine makes anything slow, and a test that measured gaps failed there.
# wait_for CMD...: true once CMD succeeds (tried every 0.1 s), false after 60 s.
wait_for() {
    local end=$((SECONDS + 60))
    until "$@"; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.1
    done
}
feed_has() { http GET /feed && printf '%s' "$BODY" | grep -qE -- "$1"; } # leaves BODY
num() { printf '%s' "$BODY" | sed -nE 's/.*"'"$1"'":([0-9]+).*/\1/p'; }
ev_seen() { grep -q "^$1 " "$TMP/events" 2>/dev/null; }
# The bridge's events in order, the closes left out: a close is logged when the bridge
# notices it, which may be after the next connect. Hang-ups and the test's own marks
# are written before what they cause, so their order with the connects is certain.
events() { awk '$1 != "close" { printf "%s%s %s", sep, $1, $2; sep = ", " }' "$TMP/events"; }
mark() { echo "mark $1 0" >>"$TMP/events"; }
# up K: connection K is up, as the bridge logged it and as GET /feed reports it (BODY).
up() {
    wait_for ev_seen "connect $1" && wait_for feed_has '"connected":true,.*"connections":'"$1"',' && return
    not_ok "connection $1 did not come up in 60 s" "events: $(events)" "GET /feed: $BODY"
    finish
}
hangup() {
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$CPORT/hangup/$1")" = 200 ] ||
        { not_ok "the test bridge cannot hang up connection $1" "events: $(events)"; finish; }
}

T_START=$(sql "SELECT now()") # before the first line can arrive
"$NODE" "$TS_SOURCE_DIR/tests/bridge/server.mjs" "$TMP/ports" "$TMP/events" &
BRIDGE=$!
cleanup_hooks+=("kill \$BRIDGE 2>/dev/null")
wait_for grep -q ' ' "$TMP/ports" || { not_ok "the test bridge did not start"; finish; }
read -r BPORT CPORT <"$TMP/ports"
serve_start --feed "bridge:127.0.0.1:$BPORT"

# the backoff as the feed reports it (its timing: tests/unit/test_backoff.c)
up 1
expect_match "the first connection is at once" "$BODY" '"next_attempt_at":null,"backoff_ms":0,"connections":1,"reconnects":0,"drops":0,'
hangup 1
up 2
expect_match "after the first hang-up the feed waited 1 s" "$BODY" '"backoff_ms":1000,"connections":2,"reconnects":1,"drops":1,"failed_attempts":0,'
hangup 2
up 3
expect_match "then 2 s after the second" "$BODY" '"backoff_ms":2000,"connections":3,"reconnects":2,"drops":2,"failed_attempts":0,'

# every line sent so far is stored: the third connection's state line, the last one
# sent, is a row (lines are stored in the order read), and GET /feed counts as many
# callbacks logged as read; then exact rows
all_logged() {
    [ "$(sql "SELECT count(*) FROM data_capture.profitdll_callbacks WHERE callback_type = 'STATE' AND payload->>'result' = 'UP3'")" -ge 1 ] &&
        feed_has '"ROUTING":"UP3"' && [ -n "$(num total)" ] && [ "$(num total)" = "$(num logged)" ]
}
wait_for all_logged || not_ok "the callbacks read are logged" "$BODY"
expect_eq "the trades are stored once though resent" \
    "$(sql "SELECT string_agg(trade_id || '@' || price::text || 'x' || volume::text || ':' || aggressor, ' ' ORDER BY trade_id) FROM data_capture.market_ticks WHERE source = 'ProfitDLL'")" \
    "1@38.45000000x100.00000000:BUY 2@38.46000000x200.00000000:SELL 3@38.47000000x300.00000000:BUY 4@38.50000000x100.00000000:SELL"
expect_eq "trade times from the callbacks" \
    "$(sql "SELECT to_char(min(tick_time) AT TIME ZONE 'UTC', 'HH24:MI:SS.MS') || ' ' || to_char(max(tick_time) AT TIME ZONE 'UTC', 'HH24:MI:SS.MS') FROM data_capture.market_ticks WHERE source = 'ProfitDLL'")" \
    "13:00:01.000 13:00:09.000"
expect_eq "callbacks by type and status" \
    "$(sql "SELECT string_agg(callback_type || ' ' || status || ' ' || n, ', ' ORDER BY callback_type, status) FROM (SELECT callback_type, status, count(*) n FROM data_capture.profitdll_callbacks GROUP BY 1, 2) x")" \
    "OFFER_BOOK PROCESSED 1, ORDER SKIPPED 1, PRICE_DEPTH FAILED 1, PRICE_DEPTH PROCESSED 2, STATE PROCESSED 2, TRADE FAILED 3, TRADE PROCESSED 7, TRADE SKIPPED 1, UNKNOWN FAILED 7"
expect_eq "bars of the bridge's trades, exact" "$(sql "$BARS_VS_TICKS")" 0
expect_eq "NaN and a number numeric cannot hold: FAILED, not a stuck feed" \
    "$(sql "SELECT count(*) FROM data_capture.profitdll_callbacks WHERE error_message LIKE '%not one we can store%'")" 2
expect_eq "every FAILED row says why" "$(sql "SELECT count(*) FROM data_capture.profitdll_callbacks WHERE status = 'FAILED' AND coalesce(error_message, '') = ''")" 0
expect_match "bad JSON: the parser's error and the raw line" \
    "$(sql "SELECT error_message || ' | ' || (payload->>'raw') FROM data_capture.profitdll_callbacks WHERE payload->>'raw' LIKE '{\"type\":\"TRADE\",%'")" \
    '^not a JSON object: .* \| \{"type":"TRADE",$'
expect_match "bytes that are not UTF-8: logged, escaped" \
    "$(sql "SELECT error_message || ' | ' || (payload->>'raw') FROM data_capture.profitdll_callbacks WHERE error_message LIKE '%UTF-8%'")" \
    '^the line is not valid UTF-8 \| \{"ÿþ"\}$'
expect_match "a negative price, a quantity beyond DECIMAL(18,8), a bad time: FAILED with the field" \
    "$(sql "SELECT string_agg(error_message, ' | ' ORDER BY error_message) FROM data_capture.profitdll_callbacks WHERE callback_type = 'TRADE' AND status = 'FAILED'")" 'quantity.* \| .*price.* \| .*time'
expect_eq "a line longer than 1 MiB: FAILED, its length, its first 2 KiB kept" \
    "$(sql "SELECT error_message || ' ' || (payload->>'bytes') || ' ' || length(payload->>'raw') FROM data_capture.profitdll_callbacks WHERE error_message LIKE 'line longer%'")" \
    "line longer than 1048576 bytes $((1536 * 1024 + 25)) 2048"
expect_match "an unknown symbol: SKIPPED, why" \
    "$(sql "SELECT error_message FROM data_capture.profitdll_callbacks WHERE status = 'SKIPPED' AND callback_type = 'TRADE'")" '^unknown symbol'
expect_match "a book action that does not fit: FAILED" \
    "$(sql "SELECT error_message FROM data_capture.profitdll_callbacks WHERE callback_type = 'PRICE_DEPTH' AND status = 'FAILED'")" 'position'
expect_eq "callback times: the callbacks' own, received and processed set" \
    "$(sql "SELECT count(*) FROM data_capture.profitdll_callbacks WHERE callback_type = 'TRADE' AND status = 'PROCESSED' AND callback_time < '2026-11-27T13:01:00Z' AND received_at > '$T_START' AND received_at <= now() AND processed_at >= received_at")" 7
expect_eq "payloads are stored as sent" \
    "$(sql "SELECT payload->>'buy_agent' FROM data_capture.profitdll_callbacks WHERE callback_type = 'TRADE' AND status = 'PROCESSED' LIMIT 1")" 3

# the book from the actions: full book, a new best bid, the best ask's volume edited
http GET /market/book/PETR4
seq=$(num seq)
expect_match "GET /market/book: best bid/ask and spread" "$BODY" '"best_bid":"38.45000000","best_ask":"38.46000000","spread":"0.01000000"'
expect_match "levels in order, the edit applied" "$BODY" '"bids":\[\{"price":"38.45000000","volume":"100.00000000"\},\{"price":"38.44000000","volume":"500.00000000"\},\{"price":"38.43000000".*"asks":\[\{"price":"38.46000000","volume":"1000.00000000"\}'
snapped() { [ "$(sql "SELECT count(*) FROM data_capture.order_book_snapshots WHERE symbol = 'PETR4' AND seq = ${seq:-0}")" = 1 ]; }
[ -n "$seq" ] && wait_for snapped || not_ok "a snapshot of the book as GET /market/book shows it (seq ${seq:-none})"
expect_match "order_book_snapshots: the latest book written" \
    "$(sql "SELECT best_bid || ' ' || best_ask || ' ' || spread FROM data_capture.order_book_snapshots WHERE symbol = 'PETR4' ORDER BY snapshot_time DESC, seq DESC LIMIT 1")" \
    '^38.45000000 38.46000000 0.01000000$'

http GET /feed
expect_match "GET /feed: connected, since, the last backoff, reconnects" "$BODY" '^\{"feed":"bridge","state":"running",.*"bridge":"127.0.0.1:[0-9]+","mode":"connect","connected":true,"connected_since":"[0-9T:.Z-]+","last_message_at":"[0-9T:.Z-]+","next_attempt_at":null,"backoff_ms":2000,"connections":3,"reconnects":2,"drops":2,'
expect_match "GET /feed: callback counts and rate" "$BODY" '"callbacks":\{"total":25,"processed":12,"failed":11,"skipped":2,"logged":25,"per_s":[0-9.]+\}'
expect_match "GET /feed: the bridge's states" "$BODY" '"states":\{"MARKET_DATA":"CONNECTED","ROUTING":"UP3"\}'
expect_match "GET /feed: processing latency p50/p99" "$BODY" '"visible_ms":\{"p50":[0-9.]+,"p99":[0-9.]+'

# control: reconnect at once, stop (disconnect), start
mark reconnect
http POST /feed/reconnect
expect_match "POST /feed/reconnect" "$CODE" '^200$'
up 4
expect_match "reconnect: a new connection at once, no backoff" "$BODY" '"backoff_ms":0,"connections":4,"reconnects":3,"drops":3,'
hangup 4
up 5
expect_match "reconnect: the backoff started over (1 s, not 4 s)" "$BODY" '"backoff_ms":1000,"connections":5,"reconnects":4,"drops":4,'
send POST /feed/reconnect '{}'
expect_match "POST /feed/reconnect with a body: 400" "$CODE $BODY" '^400 \{"error":\{"code":"invalid_argument"'
mark stop
http POST /feed/stop
expect_match "POST /feed/stop" "$CODE" '^200$'
wait_for feed_has '"state":"stopped",.*"connected":false,.*"drops":5,' || not_ok "POST /feed/stop disconnects" "$BODY"
expect_match "stopped: disconnected, no attempt due" "$BODY" '"state":"stopped",.*"connected":false,"connected_since":null,.*"next_attempt_at":null,"backoff_ms":1000,"connections":5,"reconnects":4,"drops":5,'
mark start
http POST /feed/start
expect_match "POST /feed/start" "$CODE" '^200$'
up 6
expect_match "POST /feed/start connects again, after the backoff in force (2 s)" "$BODY" '"backoff_ms":2000,"connections":6,'
expect_eq "the bridge's events in order: one connection after each hang-up or ask, none other" "$(events)" \
    "connect 1, hangup 1, connect 2, hangup 2, connect 3, mark reconnect, connect 4, hangup 4, connect 5, mark stop, mark start, connect 6"

# the bridge goes away: serve keeps running, says so, and keeps trying
kill $BRIDGE; wait $BRIDGE 2>/dev/null
wait_for feed_has '"failed_attempts":[1-9][0-9]*,.*"last_error":"cannot connect to' ||
    not_ok "attempts to reach a bridge that is gone fail" "$BODY"
expect_match "bridge gone: not connected, attempts failed, the error" "$BODY" '"connected":false,.*"connections":6,.*"drops":6,"failed_attempts":[1-9][0-9]*,.*"last_error":"cannot connect to 127.0.0.1:[0-9]+: Connection refused"'
http GET /health
expect_eq "serve stays up" "$CODE" 200
expect_match "the drop and the failures are logged" "$(cat "$TMP/serve.err")" 'bridge connection ended.*'
serve_stop
expect_eq "serve stops cleanly" "$(grep -c -E 'ERROR|AddressSanitizer|runtime error' "$TMP/serve.err")" 0
finish
