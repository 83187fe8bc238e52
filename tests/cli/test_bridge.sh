#!/usr/bin/env bash
# The bridge feed (serve --feed bridge:HOST:PORT; docs/api.md "Feed bridge protocol"),
# against a test bridge (tests/bridge/server.mjs) that hangs up twice: trades stored once
# though resent, every callback logged with its status (bad lines FAILED with the error,
# not fatal), the L2 book from book actions, reconnects with backoff 1 s then 2 s,
# status and control over REST (reconnect, stop, start), and a bridge that goes away.
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

"$NODE" "$TS_SOURCE_DIR/tests/bridge/server.mjs" "$TMP/port" "$TMP/events" &
BRIDGE=$!
cleanup_hooks+=("kill \$BRIDGE 2>/dev/null")
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
BPORT=$(cat "$TMP/port")
serve_start --feed "bridge:127.0.0.1:$BPORT"

# wait for the third connection: two hang-ups, each followed by a backoff
for _ in $(seq 200); do grep -q "^connect 3 " "$TMP/events" 2>/dev/null && break; sleep 0.1; done
ev() { awk -v k="$1" -v n="$2" '$1 == k && $2 == n { print $3 }' "$TMP/events"; }
gap1=$(( $(ev connect 2) - $(ev close 1) )) gap2=$(( $(ev connect 3) - $(ev close 2) ))
[ "$gap1" -ge 900 ] && [ "$gap1" -lt 1900 ] && ok "reconnects 1 s after the first hang-up ($gap1 ms)" || not_ok "first backoff ~1 s" "$gap1 ms"
[ "$gap2" -ge 1900 ] && [ "$gap2" -lt 3500 ] && ok "then 2 s after the second ($gap2 ms)" || not_ok "second backoff ~2 s" "$gap2 ms"
sleep 0.5

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
    "$(sql "SELECT count(*) FROM data_capture.profitdll_callbacks WHERE callback_type = 'TRADE' AND status = 'PROCESSED' AND callback_time < '2026-11-27T13:01:00Z' AND received_at > now() - interval '1 minute' AND processed_at >= received_at")" 7
expect_eq "payloads are stored as sent" \
    "$(sql "SELECT payload->>'buy_agent' FROM data_capture.profitdll_callbacks WHERE callback_type = 'TRADE' AND status = 'PROCESSED' LIMIT 1")" 3

# the book from the actions: full book, a new best bid, the best ask's volume edited
http GET /market/book/PETR4
expect_match "GET /market/book: best bid/ask and spread" "$BODY" '"best_bid":"38.45000000","best_ask":"38.46000000","spread":"0.01000000"'
expect_match "levels in order, the edit applied" "$BODY" '"bids":\[\{"price":"38.45000000","volume":"100.00000000"\},\{"price":"38.44000000","volume":"500.00000000"\},\{"price":"38.43000000".*"asks":\[\{"price":"38.46000000","volume":"1000.00000000"\}'
sleep 0.3
expect_match "order_book_snapshots: the latest book written" \
    "$(sql "SELECT best_bid || ' ' || best_ask || ' ' || spread FROM data_capture.order_book_snapshots WHERE symbol = 'PETR4' ORDER BY snapshot_time DESC, seq DESC LIMIT 1")" \
    '^38.45000000 38.46000000 0.01000000$'

http GET /feed
expect_match "GET /feed: connected, since, the last backoff, reconnects" "$BODY" '^\{"feed":"bridge","state":"running",.*"bridge":"127.0.0.1:[0-9]+","mode":"connect","connected":true,"connected_since":"[0-9T:.Z-]+","last_message_at":"[0-9T:.Z-]+","next_attempt_at":null,"backoff_ms":2000,"connections":3,"reconnects":2,"drops":2,'
expect_match "GET /feed: callback counts and rate" "$BODY" '"callbacks":\{"total":25,"processed":12,"failed":11,"skipped":2,"logged":25,"per_s":[0-9.]+\}'
expect_match "GET /feed: the bridge's states" "$BODY" '"states":\{"MARKET_DATA":"CONNECTED","ROUTING":"UP3"\}'
expect_match "GET /feed: processing latency p50/p99" "$BODY" '"visible_ms":\{"p50":[0-9.]+,"p99":[0-9.]+'

# control: reconnect at once, stop (disconnect), start
http POST /feed/reconnect -H 'X-Actor: ops'
expect_match "POST /feed/reconnect" "$CODE" '^200$'
for _ in $(seq 30); do grep -q '^connect 4 ' "$TMP/events" && break; sleep 0.1; done
r=$(( $(ev connect 4) - $(ev close 3) ))
[ "$r" -lt 800 ] && ok "reconnect: a new connection at once ($r ms), no backoff" || not_ok "reconnect at once" "$r"
http POST /feed/reconnect -d '{}'
expect_match "POST /feed/reconnect with a body: 400" "$CODE $BODY" '^400 \{"error":\{"code":"invalid_argument"'
http POST /feed/stop
for _ in $(seq 30); do grep -q '^close 4 ' "$TMP/events" && break; sleep 0.1; done
http GET /feed
expect_match "POST /feed/stop: disconnected" "$BODY" '"state":"stopped",.*"connected":false'
sleep 1.2
[ -z "$(ev connect 5)" ] && ok "stopped: no reconnect" || not_ok "stopped: no reconnect"
http POST /feed/start
for _ in $(seq 30); do grep -q '^connect 5 ' "$TMP/events" && break; sleep 0.1; done
[ -n "$(ev connect 5)" ] && ok "POST /feed/start connects again" || not_ok "start connects"

# the bridge goes away: serve keeps running, says so, and keeps trying
kill $BRIDGE; wait $BRIDGE 2>/dev/null
sleep 2.5
http GET /feed
expect_match "bridge gone: not connected, attempts failed, the error" "$BODY" '"connected":false,.*"failed_attempts":[1-9][0-9]*,.*"last_error":"cannot connect to 127.0.0.1:[0-9]+: Connection refused"'
http GET /health
expect_eq "serve stays up" "$CODE" 200
expect_match "the drop and the failures are logged" "$(cat "$TMP/serve.err")" 'bridge connection ended.*'
serve_stop
expect_eq "serve stops cleanly" "$(grep -c -E 'ERROR|AddressSanitizer|runtime error' "$TMP/serve.err")" 0
finish
