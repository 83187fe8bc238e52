#!/usr/bin/env bash
# The order manager through HTTP (docs/api.md "Placing and changing orders", "Market ticks",
# "Kill switch", "End of day", "Metrics"): a real `serve` on loopback with its own cluster.
# Scenario with exact P&L, each risk rule on both sides of its limit, the kill switch,
# idempotency under a race, illegal operations (nothing changes in the database after
# any of them), partial fills without overfill, end of day, and a restart that keeps the
# state (working orders, positions, risk counters, order refs).
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55437
export TS_TRADING_HOURS=enforce
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
serve_cleanup
serve_start
OM=$("$BIN" db url --module order_manager)
DC=$("$BIN" db url --module data_capture)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "${2:-$OM}" -c "$1"; }
# Digest of everything the order manager writes: a refused request must leave it unchanged.
state() {
    sql "SELECT (SELECT count(*) || md5(coalesce(string_agg(o::text, ',' ORDER BY id), '')) FROM order_manager.orders o)
         || (SELECT count(*) FROM order_manager.order_audit_log) || '/' || (SELECT count(*) FROM order_manager.outbox)
         || '/' || (SELECT count(*) FROM order_manager.trades) || '/' || (SELECT count(*) || md5(coalesce(string_agg(p::text, ',' ORDER BY id), '')) FROM order_manager.positions p)"
}
created() { [ "$CODE" = "$1" ] && ok "$2: $1" || not_ok "$2" "status $CODE, want $1" "body: ${BODY:0:600}"; }
# refused NAME STATUS CODE MSG_REGEX METHOD PATH [JSON]: that answer, and nothing written.
refused() {
    local name=$1 want=$2 code=$3 msg=$4 m=$5 p=$6 before after
    must_read before state
    if [ $# -ge 7 ]; then send "$m" "$p" "$7"; else http "$m" "$p"; fi
    must_read after state
    if [ "$CODE" = "$want" ] && printf '%s' "$BODY" | grep -qE -- "^\\{\"error\":\\{\"code\":\"$code\",\"message\":\"([^\"\\\\]|\\\\.)*$msg" \
        && [ "$before" = "$after" ]; then
        ok "$name: $want $code, nothing written"
    else
        not_ok "$name" "status $CODE (want $want $code)" "body: ${BODY:0:400}" "want /$msg/" "before: $before" "after:  $after"
    fi
}
# order REF ACCOUNT SIDE TYPE QTY [PRICE [SYMBOL [EXTRA]]]: POST /orders; sets CODE, BODY, OID.
order() {
    local price=${6:+,\"price\":\"$6\"}
    send POST /orders "{\"order_ref\":\"$1\",\"account_id\":\"$2\",\"strategy_id\":\"${STRAT:-$S1}\",\"symbol\":\"${7:-PETR4}\",\"side\":\"$3\",\"order_type\":\"$4\",\"quantity\":\"$5\"$price,\"position_type\":\"DAY_TRADE\"${8:-}}"
    OID=$(field "$BODY" id)
}
# tick SYMBOL PRICE VOLUME TRADE_ID [TIME]: one tick (now by default); TICK_TIME is its time.
tick() {
    TICK_TIME=${5:-$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)}
    send POST /market/ticks "[{\"symbol\":\"$1\",\"price\":\"$2\",\"volume\":\"$3\",\"aggressor\":\"NEUTRAL\",\"tick_time\":\"$TICK_TIME\",\"trade_id\":$4}]"
}
ostatus() { sql "SELECT status || ' ' || filled_quantity || ' ' || coalesce(avg_fill_price::text, '-') FROM order_manager.orders WHERE id = '$1'"; }
newid() { field "$BODY" id; }

# ------------------------------------------------------------------------------------------
# Reference data
send POST /instruments '{"symbol":"PETR4","asset_class":"stock","name":"Petrobras PN","lot_size":1,"tick_size":0.01}'
created 201 "instrument PETR4"
send POST /instruments '{"symbol":"VALE3","asset_class":"stock","name":"Vale ON","lot_size":100,"tick_size":0.01}'
created 201 "instrument VALE3 (lot 100)"
send POST /instruments '{"symbol":"ITUB4","asset_class":"stock","name":"Itau PN","lot_size":1,"tick_size":0.01,"metadata":{"fees":{"commission_fixed":"1.50","tax_rate":"0.0003"}}}'
created 201 "instrument ITUB4 with fees"
send POST /instruments '{"symbol":"HALT3","asset_class":"stock","name":"Halted","lot_size":1,"tick_size":0.01,"status":"HALTED"}'
created 201 "instrument HALT3 (halted)"
# a session that is closed now, whatever the time: the hour window is away from B3's hour now
h=$(TZ=America/Sao_Paulo date +%-H)
if [ "$h" -lt 12 ]; then win='{"open":"20:00","close":"21:00"}'; else win='{"open":"01:00","close":"02:00"}'; fi
send POST /instruments "{\"symbol\":\"HOUR3\",\"asset_class\":\"stock\",\"name\":\"Closed now\",\"lot_size\":1,\"tick_size\":0.01,\"trading_hours\":$win}"
created 201 "instrument HOUR3 (session closed now)"
acct() { send POST /accounts "{\"name\":\"$1\",\"broker_account\":\"$1-1\"}"; newid; }
A1=$(acct main); A2=$(acct value); A3=$(acct possize); A4=$(acct trades); A5=$(acct loss); A6=$(acct misc)
send POST /strategies '{"name":"manual","strategy_type":"MANUAL","status":"ACTIVE"}'; S1=$(newid)
send POST /strategies '{"name":"asleep","strategy_type":"MANUAL"}'; S2=$(newid)
send POST /strategies '{"name":"lossy","strategy_type":"MEAN_REVERSION","status":"TESTING"}'; S3=$(newid)
[ -n "$A6" ] && [ -n "$S3" ] && ok "accounts and strategies" || not_ok "accounts and strategies" "$BODY"

# ------------------------------------------------------------------------------------------
# The scenario: buy 100 @ 30 LIMIT; tick 30 fills; tick 31 marks (+100.00); sell 50 @ 31
# (+50.00 realized); sell 100 (flip to short 50).
order sc-1 "$A1" BUY LIMIT 100 30.00
created 201 "buy 100 PETR4 @ 30.00 LIMIT"
O1=$OID
expect_eq "it is SUBMITTED, nothing filled" "$(ostatus "$O1")" "SUBMITTED 0.00000000 -"
expect_eq "no position before a fill" "$(sql "SELECT count(*) FROM order_manager.positions")" 0
tick PETR4 30.01 500 1
expect_eq "a tick above the limit fills nothing" "$BODY" '{"received":1,"stored":1,"duplicates":0,"fills":0}'
tick PETR4 30.00 500 2
T2=$TICK_TIME
expect_eq "a tick at the limit fills it" "$BODY" '{"received":1,"stored":1,"duplicates":0,"fills":1}'
expect_eq "order FILLED 100 at 30" "$(ostatus "$O1")" "FILLED 100.00000000 30.00000000"
expect_eq "trade 100 @ 30, value 3000.00, paper venue" \
    "$(sql "SELECT side || ' ' || quantity || ' ' || price || ' ' || total_value || ' ' || execution_venue FROM order_manager.trades WHERE order_id = '$O1'")" \
    "BUY 100.00000000 30.00000000 3000.00 PAPER"
POS="SELECT side || ' ' || quantity || ' ' || avg_entry_price || ' ' || current_price || ' ' || unrealized_pnl || ' ' || realized_pnl FROM order_manager.positions WHERE account_id = '$A1' AND status = 'OPEN'"
expect_eq "position LONG 100 @ 30" "$(sql "$POS")" "LONG 100.00000000 30.00000000 30.00000000 0.00 0.00"
tick PETR4 31.00 10 3
expect_eq "tick at 31 marks: +100.00 unrealized" "$(sql "$POS")" "LONG 100.00000000 30.00000000 31.00000000 100.00 0.00"
http GET "/positions?account_id=$A1&status=OPEN"
expect_match "GET /positions shows the mark as exact strings" "$BODY" '"unrealized_pnl":"100.00","realized_pnl":"0.00"'
order sc-2 "$A1" SELL LIMIT 50 31.00
created 201 "sell 50 @ 31.00 LIMIT"
O2=$OID
tick PETR4 31.00 50 4
expect_eq "tick at 31 fills the sell" "$(ostatus "$O2")" "FILLED 50.00000000 31.00000000"
expect_eq "50 left: +50.00 realized, +50.00 unrealized" "$(sql "$POS")" "LONG 50.00000000 30.00000000 31.00000000 50.00 50.00"
expect_eq "the trade records its realized P&L" \
    "$(sql "SELECT metadata->>'realized_pnl' FROM order_manager.trades WHERE order_id = '$O2'")" "50.00"
order sc-3 "$A1" SELL MARKET 100
created 201 "sell 100 MARKET"
O3=$OID
expect_eq "MARKET fills at the last trade" "$(ostatus "$O3")" "FILLED 100.00000000 31.00000000"
expect_eq "flipped: SHORT 50 @ 31" "$(sql "$POS")" "SHORT 50.00000000 31.00000000 31.00000000 0.00 0.00"
expect_eq "the long is CLOSED with +100.00 realized" \
    "$(sql "SELECT side || ' ' || quantity || ' ' || realized_pnl || ' ' || (closed_at IS NOT NULL) FROM order_manager.positions WHERE account_id = '$A1' AND status = 'CLOSED'")" \
    "LONG 0.00000000 100.00 true"
expect_eq "the flip's trade realized +50.00" \
    "$(sql "SELECT metadata->>'realized_pnl' FROM order_manager.trades WHERE order_id = '$O3'")" "50.00"
expect_eq "three trades for the account" "$(sql "SELECT count(*) FROM order_manager.trades WHERE account_id = '$A1'")" 3
expect_eq "history of the long: trade_fill snapshots and price updates" \
    "$(sql "SELECT string_agg(h.reason || ':' || h.quantity::int || ':' || h.realized_pnl, ' ' ORDER BY h.snapshot_at, h.id) FROM order_manager.position_history h JOIN order_manager.positions p ON p.id = h.position_id WHERE p.account_id = '$A1' AND p.side = 'LONG'")" \
    "trade_fill:100:0.00 trade_fill:50:50.00 trade_fill:0:100.00"
PL=$(sql "SELECT id FROM order_manager.positions WHERE account_id = '$A1' AND status = 'CLOSED'")
http GET "/positions/$PL/history"
expect_match "GET /positions/{id}/history answers the snapshots" "$BODY" '"reason":"trade_fill"'
http GET "/orders/$O1/audit"
expect_eq "audit of the buy: CREATED, SUBMITTED, FILLED" "$(printf '%s' "$BODY" | grep -oE '"action":"[A-Z_]+"' | cut -d'"' -f4 | paste -sd' ')" "CREATED SUBMITTED FILLED"
expect_eq "outbox: placed and filled events in order" \
    "$(sql "SELECT string_agg(event_type, ' ' ORDER BY seq) FROM order_manager.outbox WHERE aggregate_id = '$O1'")" "OrderPlaced OrderFilled"
tick PETR4 30.00 500 2 "$T2"
expect_eq "the same tick again is a duplicate: nothing filled twice" "$BODY" '{"received":1,"stored":0,"duplicates":1,"fills":0}'
expect_eq "tick stored once" "$(sql "SELECT count(*) FROM data_capture.market_ticks WHERE symbol = 'PETR4'" "$DC")" 4

# ------------------------------------------------------------------------------------------
# Fees per instrument, partial fills, no overfill
STRAT=$S1 order fee-1 "$A6" BUY LIMIT 100 20.00 ITUB4
O4=$OID
tick ITUB4 20.00 30 10
expect_eq "partial fill: 30 of 100" "$(ostatus "$O4")" "PARTIAL_FILL 30.00000000 20.00000000"
expect_eq "fees: 1.50 fixed, tax 0.0003 x 600 = 0.18" \
    "$(sql "SELECT commission || ' ' || tax FROM order_manager.trades WHERE order_id = '$O4'")" "1.50 0.18"
tick ITUB4 19.90 1000 11
expect_eq "a big tick fills only the rest, at the limit" "$(ostatus "$O4")" "FILLED 100.00000000 20.00000000"
expect_eq "fills sum to the quantity (no overfill)" "$(sql "SELECT sum(quantity) FROM order_manager.trades WHERE order_id = '$O4'")" "100.00000000"
refused "cancel a filled order" 409 conflict "FILLED" POST "/orders/$O4/cancel"
refused "modify a filled order" 409 conflict "FILLED" PATCH "/orders/$O4" '{"price":"19.00"}'

# ------------------------------------------------------------------------------------------
# Stops trigger on the tape
send POST /instruments '{"symbol":"BBDC4","asset_class":"stock","name":"Bradesco PN","lot_size":1,"tick_size":0.01}'
order stop-1 "$A6" SELL STOP 10 "" BBDC4 ',"stop_price":"14.50"'
ST1=$OID
send POST /orders "{\"order_ref\":\"stop-2\",\"account_id\":\"$A6\",\"strategy_id\":\"$S1\",\"symbol\":\"BBDC4\",\"side\":\"BUY\",\"order_type\":\"STOP_LIMIT\",\"quantity\":\"10\",\"stop_price\":\"15.00\",\"price\":\"15.10\",\"position_type\":\"DAY_TRADE\"}"
ST2=$(newid)
tick BBDC4 14.80 100 40
expect_eq "no stop triggers between 14.50 and 15.00" "$(ostatus "$ST1" | cut -d' ' -f1) $(ostatus "$ST2" | cut -d' ' -f1)" "SUBMITTED SUBMITTED"
tick BBDC4 14.40 100 41
expect_eq "SELL STOP 14.50: a print at 14.40 triggers it, filled at the print" "$(ostatus "$ST1")" "FILLED 10.00000000 14.40000000"
tick BBDC4 15.05 100 42
expect_eq "BUY STOP_LIMIT 15.00/15.10: a print at 15.05 triggers it, filled at its limit" "$(ostatus "$ST2")" "FILLED 10.00000000 15.10000000"
expect_eq "short 10 at 14.40 then bought back at 15.10: -7.00 realized" \
    "$(sql "SELECT realized_pnl FROM order_manager.positions WHERE account_id = '$A6' AND symbol = 'BBDC4'")" "-7.00"

# ------------------------------------------------------------------------------------------
# Modify and cancel
order mod-1 "$A6" BUY LIMIT 10 15.00 ITUB4
O5=$OID
send PATCH "/orders/$O5" '{"price":"15.50","quantity":"20","reason":"closer to market"}'
created 200 "modify price and quantity"
expect_eq "modified in the database" "$(sql "SELECT quantity || ' ' || price FROM order_manager.orders WHERE id = '$O5'")" "20.00000000 15.50000000"
expect_eq "audited as MODIFIED with the reason" \
    "$(sql "SELECT action || ' ' || coalesce(reason, '-') FROM order_manager.order_audit_log WHERE order_id = '$O5' ORDER BY seq DESC LIMIT 1")" "MODIFIED closer to market"
refused "modify off the tick size" 400 invalid_argument "tick size" PATCH "/orders/$O5" '{"price":"15.505"}'
refused "modify with nothing" 400 invalid_argument "nothing to modify" PATCH "/orders/$O5" '{}'
refused "modify an unknown field" 400 invalid_argument "unknown field 'side'" PATCH "/orders/$O5" '{"side":"SELL"}'
refused "modify a negative quantity" 400 invalid_argument "quantity" PATCH "/orders/$O5" '{"quantity":"-5"}'
send POST "/orders/$O5/cancel" '{"reason":"no longer wanted"}'
created 200 "cancel a working order"
expect_eq "CANCELED" "$(ostatus "$O5")" "CANCELED 0.00000000 -"
refused "cancel it again" 409 conflict "CANCELED" POST "/orders/$O5/cancel"
refused "modify a canceled order" 409 conflict "CANCELED" PATCH "/orders/$O5" '{"price":"15.60"}'
refused "cancel an unknown order" 404 not_found "order not found" POST "/orders/0190a6b0-0000-7000-8000-000000000000/cancel"
refused "cancel a malformed id" 400 invalid_argument "not a UUID" POST "/orders/x'%20OR%201=1/cancel"
refused "cancel with an unknown field" 400 invalid_argument "unknown field" POST "/orders/$O5/cancel" '{"why":"x"}'
order mod-2 "$A6" SELL LIMIT 10 25.00 ITUB4
O6=$OID
tick ITUB4 25.00 4 12
refused "modify below the filled quantity" 400 invalid_argument "quantity" PATCH "/orders/$O6" '{"quantity":"4"}'
send PATCH "/orders/$O6" '{"quantity":"5"}'
created 200 "modify a partly filled order above its fills"

# ------------------------------------------------------------------------------------------
# Malformed placements: 400 and nothing recorded
base="\"account_id\":\"$A6\",\"strategy_id\":\"$S1\",\"side\":\"BUY\",\"order_type\":\"LIMIT\",\"position_type\":\"DAY_TRADE\""
refused "unknown symbol" 400 invalid_argument "unknown symbol 'XPTO3'" POST /orders "{\"order_ref\":\"bad-1\",$base,\"symbol\":\"XPTO3\",\"quantity\":\"1\",\"price\":\"1.00\"}"
refused "zero quantity" 400 invalid_argument "quantity" POST /orders "{\"order_ref\":\"bad-2\",$base,\"symbol\":\"PETR4\",\"quantity\":\"0\",\"price\":\"1.00\"}"
refused "negative quantity" 400 invalid_argument "quantity" POST /orders "{\"order_ref\":\"bad-3\",$base,\"symbol\":\"PETR4\",\"quantity\":\"-100\",\"price\":\"1.00\"}"
refused "too precise quantity" 400 invalid_argument "quantity" POST /orders "{\"order_ref\":\"bad-4\",$base,\"symbol\":\"PETR4\",\"quantity\":\"1.000000001\",\"price\":\"1.00\"}"
refused "quantity off the lot" 400 invalid_argument "lot size 100" POST /orders "{\"order_ref\":\"bad-5\",$base,\"symbol\":\"VALE3\",\"quantity\":\"150\",\"price\":\"60.00\"}"
refused "price off the tick" 400 invalid_argument "tick size" POST /orders "{\"order_ref\":\"bad-6\",$base,\"symbol\":\"PETR4\",\"quantity\":\"1\",\"price\":\"30.001\"}"
refused "LIMIT without a price" 400 invalid_argument "price" POST /orders "{\"order_ref\":\"bad-7\",$base,\"symbol\":\"PETR4\",\"quantity\":\"1\"}"
refused "quantity as a boolean" 400 invalid_argument "quantity" POST /orders "{\"order_ref\":\"bad-8\",$base,\"symbol\":\"PETR4\",\"quantity\":true,\"price\":\"1.00\"}"
refused "lowercase side" 400 invalid_argument "side" POST /orders "{\"order_ref\":\"bad-9\",\"account_id\":\"$A6\",\"strategy_id\":\"$S1\",\"side\":\"buy\",\"order_type\":\"LIMIT\",\"position_type\":\"DAY_TRADE\",\"symbol\":\"PETR4\",\"quantity\":\"1\",\"price\":\"1.00\"}"
refused "unknown field" 400 invalid_argument "unknown field 'leverage'" POST /orders "{\"order_ref\":\"bad-10\",$base,\"symbol\":\"PETR4\",\"quantity\":\"1\",\"price\":\"1.00\",\"leverage\":10}"
refused "a stop price on a LIMIT order" 400 invalid_argument "stop" POST /orders "{\"order_ref\":\"bad-11\",$base,\"symbol\":\"PETR4\",\"quantity\":\"1\",\"price\":\"1.00\",\"stop_price\":\"2.00\"}"
send POST /orders "{\"order_ref\":\"x'); DROP TABLE order_manager.orders;--\",$base,\"symbol\":\"PETR4\",\"quantity\":\"1\",\"price\":\"1.00\"}"
http GET "/orders/by-ref/x%27%29%3B%20DROP%20TABLE%20order_manager.orders%3B--"
expect_eq "SQL in a ref is only text: stored and found by it" "$CODE $(field "$BODY" order_ref)" "200 x'); DROP TABLE order_manager.orders;--"
refused "unicode symbol" 400 invalid_argument "unknown symbol" POST /orders "{\"order_ref\":\"bad-12\",$base,\"symbol\":\"PETR4ção\",\"quantity\":\"1\",\"price\":\"1.00\"}"
refused "ref too long" 400 invalid_argument "order_ref" POST /orders "{\"order_ref\":\"$(printf 'r%.0s' $(seq 51))\",$base,\"symbol\":\"PETR4\",\"quantity\":\"1\",\"price\":\"1.00\"}"
refused "malformed JSON" 400 invalid_argument "malformed JSON" POST /orders '{"order_ref":"bad-13",'
refused "a JSON array" 400 invalid_argument "JSON object" POST /orders '[1,2]'
refused "unknown account" 400 invalid_argument "unknown account" POST /orders "{\"order_ref\":\"bad-14\",\"account_id\":\"0190a6b0-0000-7000-8000-000000000000\",\"strategy_id\":\"$S1\",\"side\":\"BUY\",\"order_type\":\"LIMIT\",\"position_type\":\"DAY_TRADE\",\"symbol\":\"PETR4\",\"quantity\":\"1\",\"price\":\"1.00\"}"
refused "an INACTIVE strategy" 400 invalid_argument "strategy is INACTIVE" POST /orders "{\"order_ref\":\"bad-15\",\"account_id\":\"$A6\",\"strategy_id\":\"$S2\",\"side\":\"BUY\",\"order_type\":\"LIMIT\",\"position_type\":\"DAY_TRADE\",\"symbol\":\"PETR4\",\"quantity\":\"1\",\"price\":\"1.00\"}"
refused "a HALTED instrument" 400 invalid_argument "HALTED" POST /orders "{\"order_ref\":\"bad-16\",$base,\"symbol\":\"HALT3\",\"quantity\":\"1\",\"price\":\"1.00\"}"
{ printf '{"order_ref":"'; head -c 1100000 /dev/zero | tr '\0' 'a'; printf '"}'; } >"$TMP/big.json"
must_read before state
http POST /orders -H 'Content-Type: application/json' --data-binary "@$TMP/big.json"
must_read after state
expect_eq "a body over 1 MiB: 413, nothing written" "$CODE $after" "413 $before"
refused "ticks: not an array" 400 invalid_argument "JSON array" POST /market/ticks '{"symbol":"PETR4"}'
refused "ticks: negative price" 400 invalid_argument "tick 0: field 'price'" POST /market/ticks '[{"symbol":"PETR4","price":"-1","volume":"1","tick_time":"2026-11-27T13:00:00Z","trade_id":9}]'
refused "ticks: bad time" 400 invalid_argument "tick 1" POST /market/ticks '[{"symbol":"PETR4","price":"1","volume":"1","tick_time":"2026-11-27T13:00:00Z","trade_id":90},{"symbol":"PETR4","price":"1","volume":"1","tick_time":"yesterday","trade_id":91}]'
refused "ticks: unknown symbol" 400 invalid_argument "unknown symbol 'XPTO3'" POST /market/ticks '[{"symbol":"XPTO3","price":"1","volume":"1","tick_time":"2026-11-27T13:00:00Z","trade_id":92}]'
expect_eq "refused tick batches stored nothing" "$(sql "SELECT count(*) FROM data_capture.market_ticks WHERE trade_id IN (9, 90, 91, 92)" "$DC")" 0

# ------------------------------------------------------------------------------------------
# Idempotency: the same ref answers the existing order, also when requests race
order sc-1 "$A1" BUY LIMIT 100 30.00
expect_eq "same ref again: 200 with the existing order" "$CODE $OID" "200 $O1"
pids=()
for i in $(seq 12); do
    curl -s -o "$TMP/race.$i" -w '%{http_code}\n' -X POST -H "Content-Type: application/json" -H "Authorization: Bearer $TOKEN" "http://$addr$API/orders" --data-binary \
        "{\"order_ref\":\"race-1\",\"account_id\":\"$A6\",\"strategy_id\":\"$S1\",\"symbol\":\"PETR4\",\"side\":\"BUY\",\"order_type\":\"LIMIT\",\"quantity\":\"1\",\"price\":\"1.00\",\"position_type\":\"DAY_TRADE\"}" >"$TMP/race.code.$i" &
    pids+=($!)
done
wait "${pids[@]}"
expect_eq "12 racing POSTs with one ref: one order" "$(sql "SELECT count(*) FROM order_manager.orders WHERE order_ref = 'race-1'")" 1
expect_eq "one 201 and eleven 200" "$(cat "$TMP"/race.code.* | sort | uniq -c | awk '{print $2 "x" $1}' | paste -sd' ')" "200x11 201x1"
expect_eq "every answer names the same order" "$(for i in $(seq 12); do field "$(cat "$TMP/race.$i")" id; done | sort -u | wc -l)" 1

# ------------------------------------------------------------------------------------------
# Risk rules: each refuses the order that breaks it, accepts the one at or below the limit
rule() { # NAME RULE: 422 risk_rejected naming the rule, the order on file as REJECTED
    local oid
    oid=$(printf '%s' "$BODY" | sed -nE 's/.*"order_id":"([^"]+)".*/\1/p')
    if [ "$CODE" = 422 ] && printf '%s' "$BODY" | grep -q "\"code\":\"risk_rejected\"" \
        && printf '%s' "$BODY" | grep -q "\"rule\":\"$2\"" \
        && [ "$(sql "SELECT status || ':' || (reject_reason <> '') FROM order_manager.orders WHERE id = '$oid'")" = "REJECTED:true" ]; then
        ok "$1: 422 $2, recorded REJECTED with its reason"
    else
        not_ok "$1" "status $CODE, body: ${BODY:0:500}"
    fi
}
send POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A2\",\"max_order_value\":\"1000.00\"}"
created 201 "limit: max_order_value 1000 on an account"
order val-1 "$A2" BUY LIMIT 100 10.00
created 201 "order worth exactly 1000.00 passes"
order val-2 "$A2" BUY LIMIT 100 10.01
rule "order worth 1001.00" max_order_value
expect_match "the refusal names the limit and the value" "$BODY" '"limit":"1000\.00000000","value":"1001\.00000000"'
expect_match "and its message says so" "$BODY" '"message":"order value 1001\.00 exceeds max_order_value 1000\.00'

send POST /risk-limits "{\"limit_type\":\"SYMBOL\",\"symbol\":\"ITUB4\",\"account_id\":\"$A3\",\"max_position_size\":\"100\"}"
created 201 "limit: max_position_size 100 on (account, ITUB4)"
order pos-1 "$A3" BUY LIMIT 100 5.00 ITUB4
created 201 "a position of 100 passes"
tick ITUB4 5.00 100 13
order pos-2 "$A3" BUY LIMIT 1 5.00 ITUB4
rule "a position of 101" max_position_size
order pos-3 "$A3" SELL LIMIT 30 6.00 ITUB4
created 201 "an order that reduces the position passes"

send POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A4\",\"max_daily_trades\":2}"
created 201 "limit: max_daily_trades 2"
order tr-1 "$A4" BUY LIMIT 1 1.00
created 201 "first order of the day"
order tr-2 "$A4" BUY LIMIT 1 1.00
created 201 "second order (the limit-th) passes"
order tr-3 "$A4" BUY LIMIT 1 1.00
rule "third order" max_daily_trades

send POST /risk-limits "{\"limit_type\":\"STRATEGY\",\"strategy_id\":\"$S3\",\"account_id\":\"$A5\",\"max_daily_loss\":\"49.91\"}"
created 201 "limit: max_daily_loss 49.91 on (account, strategy)"
LID=$(newid)
tick VALE3 20.00 1000 20
STRAT=$S3 order loss-1 "$A5" BUY MARKET 100 "" VALE3
created 201 "buy 100 VALE3 at 20.00"
tick VALE3 19.50 1000 21
STRAT=$S3 order loss-2 "$A5" SELL MARKET 100 "" VALE3
created 201 "sell 100 at 19.50: -50.00 realized"
send PATCH "/risk-limits/$LID" '{"max_daily_loss":"50.01"}'
STRAT=$S3 order loss-3 "$A5" BUY LIMIT 100 1.00 VALE3
created 201 "a loss of 50.00 under a limit of 50.01 passes"
send PATCH "/risk-limits/$LID" '{"max_daily_loss":"50.00"}'
STRAT=$S3 order loss-4 "$A5" BUY LIMIT 100 1.00 VALE3
rule "a loss of 50.00 reaching the limit of 50.00" max_daily_loss

order hours-1 "$A6" BUY LIMIT 1 1.00 HOUR3
rule "outside the instrument's session" trading_hours
send PATCH /instruments/HOUR3 '{"trading_hours":null}'
order hours-2 "$A6" BUY LIMIT 1 1.00 HOUR3
created 201 "the same order without a session"
http GET "/audit/orders/rejected"
expect_match "compliance: rejected orders and why" "$BODY" 'max_daily_trades'

# ------------------------------------------------------------------------------------------
# Kill switch
order ks-1 "$A6" BUY LIMIT 1 2.00
KS1=$OID
working=$(sql "SELECT count(*) FROM order_manager.orders WHERE status IN ('SUBMITTED', 'PARTIAL_FILL')")
ANA=$("$BIN" user add ana --role trader 2>/dev/null) # a trader may stop trading
NO_TOKEN=1 send POST /risk/kill-switch '{"active":true,"reason":"runaway strategy"}' -H "Authorization: Bearer $ANA"
expect_eq "kill switch on: every working order canceled" "$CODE $(field "$BODY" changed_by) $(printf '%s' "$BODY" | sed -nE 's/.*"canceled":([0-9]+).*/\1/p')" "200 ana $working"
expect_eq "no working order left" "$(sql "SELECT count(*) FROM order_manager.orders WHERE status IN ('SUBMITTED', 'PARTIAL_FILL')")" 0
expect_eq "the cancel is audited with the actor and reason" \
    "$(sql "SELECT action || ' ' || changed_by || ' ' || reason FROM order_manager.order_audit_log WHERE order_id = '$KS1' ORDER BY seq DESC LIMIT 1")" "CANCELED ana runaway strategy"
http GET /risk/kill-switch
expect_match "GET shows it active" "$BODY" '^\{"active":true,"reason":"runaway strategy","changed_by":"ana"'
order ks-2 "$A6" BUY LIMIT 1 2.00
rule "an order while the switch is on" kill_switch
refused "kill switch without a reason" 400 invalid_argument "reason" POST /risk/kill-switch '{"active":false}'
refused "kill switch with a string active" 400 invalid_argument "active" POST /risk/kill-switch '{"active":"no","reason":"x"}'
send POST /risk/kill-switch '{"active":false,"reason":"fixed"}'
created 200 "kill switch released"
order ks-3 "$A6" BUY LIMIT 1 2.00
created 201 "orders pass again"
expect_eq "both changes on file" "$(sql "SELECT string_agg(active::text || ':' || reason, ' ' ORDER BY id) FROM order_manager.kill_switch_log")" "true:runaway strategy false:fixed"

# ------------------------------------------------------------------------------------------
# End of day: DAY orders expire, GTC stay; a snapshot per open position
order eod-gtc "$A6" BUY LIMIT 1 2.00 PETR4 ',"time_in_force":"GTC"'
GTC=$OID
refused "IOC is refused by the paper venue" 400 invalid_argument "IOC" POST /orders "{\"order_ref\":\"ioc-1\",$base,\"symbol\":\"PETR4\",\"quantity\":\"1\",\"price\":\"1.00\",\"time_in_force\":\"IOC\"}"
open=$(sql "SELECT count(*) FROM order_manager.positions WHERE status = 'OPEN'")
send POST /session/end-of-day ''
expect_match "end of day answers what it did" "$BODY" "\"snapshots\":$open"
expect_eq "the DAY order expired" "$(ostatus "$KS1" | cut -d' ' -f1) $(sql "SELECT status FROM order_manager.orders WHERE order_ref = 'ks-3'")" "CANCELED EXPIRED"
expect_eq "the GTC order still works" "$(ostatus "$GTC" | cut -d' ' -f1)" "SUBMITTED"
expect_eq "eod_snapshot rows" "$(sql "SELECT count(*) FROM order_manager.position_history WHERE reason = 'eod_snapshot'")" "$open"
expect_eq "expiry audited" "$(sql "SELECT action FROM order_manager.order_audit_log l JOIN order_manager.orders o ON o.id = l.order_id WHERE o.order_ref = 'ks-3' ORDER BY seq DESC LIMIT 1")" EXPIRED

# ------------------------------------------------------------------------------------------
# The database goes away: orders are answered 503 and nothing is half-written; when it is
# back, the same order_ref places the order once.
errors() { count_in ' ERROR ' "$TMP/serve.err"; }
expect_eq "no error logged before the outage" "$(errors)" 0
"$BIN" db stop >/dev/null 2>&1
order out-1 "$A6" BUY LIMIT 1 2.00 PETR4 ',"time_in_force":"GTC"'
expect_match "database down: 503 unavailable" "$CODE $BODY" '^503 \{"error":\{"code":"unavailable"'
send POST /market/ticks '[{"symbol":"PETR4","price":"29.00","volume":"1","tick_time":"2026-11-27T14:00:00Z","trade_id":500}]'
expect_match "database down: ticks 503" "$CODE $BODY" '^503 \{"error":'
"$BIN" db start >/dev/null 2>&1
wait_for "serve healthy with the database back" 'http GET /health; [ "$CODE" = 200 ]'
order out-1 "$A6" BUY LIMIT 1 2.00 PETR4 ',"time_in_force":"GTC"'
created 201 "database back: the same ref places the order"
expect_eq "once" "$(sql "SELECT count(*) || ' ' || min(status) FROM order_manager.orders WHERE order_ref = 'out-1'")" "1 SUBMITTED"
order out-1 "$A6" BUY LIMIT 1 2.00 PETR4 ',"time_in_force":"GTC"'
expect_eq "and answers it after" "$CODE" 200
send POST "/orders/$OID/cancel" '{}'
created 200 "and cancels it"
expect_match "the outage is logged as the database's" "$(grep ' ERROR ' "$TMP/serve.err" | head -1)" 'oms: .*(connect|server|socket|terminat)'
must_read outage_errors errors

# ------------------------------------------------------------------------------------------
# Metrics
http GET /metrics
expect_match "metrics: Prometheus counters" "$BODY" $'ts_orders_placed_total [1-9]'
expect_match "metrics: the latency histogram" "$BODY" 'ts_order_latency_seconds_bucket\{le="\+Inf"\} [1-9]'
expect_match "metrics: rejections counted" "$BODY" 'ts_orders_rejected_total [1-9]'

# ------------------------------------------------------------------------------------------
# Restart: the state comes back from the database
must_read before state
serve_stop
serve_start
must_read after state
expect_eq "a restart writes nothing" "$after" "$before"
order sc-1 "$A1" BUY LIMIT 100 30.00
expect_eq "a ref from before the restart answers its order" "$CODE $OID" "200 $O1"
order tr-4 "$A4" BUY LIMIT 1 1.00
rule "today's order count survives the restart" max_daily_trades
http POST "/orders/$GTC/cancel"
created 200 "a working order from before the restart can be canceled"
tick PETR4 29.00 10 30
expect_eq "the short position is marked after the restart (+100.00)" "$(sql "$POS")" "SHORT 50.00000000 31.00000000 29.00000000 100.00 0.00"

# ------------------------------------------------------------------------------------------
# End of day by the clock: at TS_EOD_TIME (B3 local), Monday to Friday, once per date. The
# order manager's clock is moved (TS_CLOCK_OFFSET_S) so that both branches run on any day:
# to the next weekday at 20:00 B3 after today (later than any end of day on file: each is
# dated by the clock it ran by), then to the Saturday after it at 20:00, TS_EOD_TIME=18:30.
b3_day_at() { # DAYS HH:MM: epoch seconds of HH:MM B3 local time, DAYS days from today's B3 date
    TZ=America/Sao_Paulo date -d "$(TZ=America/Sao_Paulo date -d "$1 days" +%F) $2" +%s
}
b3_date() { TZ=America/Sao_Paulo date -d "@$1" +%Y%m%d; }
weekday= saturday=
now=$(date +%s)
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
    t=$(b3_day_at "$k" 20:00)
    [ -z "$weekday" ] && [ "$t" -gt "$now" ] && [ "$(TZ=America/Sao_Paulo date -d "@$t" +%u)" -le 5 ] && weekday=$t
    [ -n "$weekday" ] && [ -z "$saturday" ] && [ "$t" -gt "$weekday" ] &&
        [ "$(TZ=America/Sao_Paulo date -d "@$t" +%u)" = 6 ] && saturday=$t
done
[ -n "$weekday" ] && [ -n "$saturday" ] && ok "a weekday ($(b3_date "$weekday")) and a Saturday ($(b3_date "$saturday")) to move the clock to" ||
    not_ok "a weekday and a Saturday to move the clock to" "weekday '$weekday', saturday '$saturday'"
# clock_at EPOCH: serve's settings for an order manager whose clock reads EPOCH now
clock_at() { echo "TS_EOD_TIME=18:30 TS_CLOCK_OFFSET_S=$(($1 - $(date +%s)))"; }
eods() { sql "SELECT count(*) FROM order_manager.outbox WHERE event_type = 'EndOfDay'"; }
last_eod() { sql "SELECT payload->>'date' FROM order_manager.outbox WHERE event_type = 'EndOfDay' ORDER BY seq DESC LIMIT 1"; }
ostate() { ostatus "$1" | cut -d' ' -f1; }
# placed ORDER_ID: the B3 date the order manager placed it on (its clock)
placed() { sql "SELECT to_char(created_at AT TIME ZONE 'America/Sao_Paulo', 'YYYYMMDD') FROM order_manager.orders WHERE id = '$1'"; }
# beat REF: a DAY order, answered by the order manager: the positive event after which an end
# of day that was due would have run (it runs when the queue is empty, between commands), and
# which that end of day would expire
beat() { order "$1" "$A6" BUY LIMIT 1 2.00; created 201 "heartbeat order $1"; }

order eod-clock "$A6" BUY LIMIT 1 2.00
EODO=$OID
# the end of day run above by hand is on file for today: date it before both days (read at start)
sql "UPDATE order_manager.outbox SET created_at = created_at - interval '8 days' WHERE event_type = 'EndOfDay'"
must_read n0 eods
serve_stop
eval "$(clock_at "$weekday") serve_start"
wait_for "end of day by the clock at start" '[ "$(ostate "$EODO")" = EXPIRED ]'
expect_eq "a weekday past TS_EOD_TIME: end of day ran by itself at start, on the clock's date" \
    "$(ostate "$EODO") $(eods) $(last_eod)" "EXPIRED $((n0 + 1)) $(b3_date "$weekday")"
expect_eq "the expiry is the system's" \
    "$(sql "SELECT action || ' ' || changed_by FROM order_manager.order_audit_log WHERE order_id = '$EODO' ORDER BY seq DESC LIMIT 1")" "EXPIRED system"
serve_stop
eval "$(clock_at "$weekday") serve_start"
beat eod-beat-1; B1=$OID
beat eod-beat-2; B2=$OID
expect_eq "and not again after a restart on that date: both heartbeats work, no new EndOfDay" \
    "$(placed "$B1") $(ostate "$B1") $(ostate "$B2") $(eods)" "$(b3_date "$weekday") SUBMITTED SUBMITTED $((n0 + 1))"
serve_stop
eval "$(clock_at "$saturday") serve_start"
beat eod-beat-3; B3=$OID
beat eod-beat-4; B4=$OID
expect_eq "a Saturday past TS_EOD_TIME, a date with no end of day: none runs, every DAY order works" \
    "$(placed "$B3") $(ostate "$B1") $(ostate "$B2") $(ostate "$B3") $(ostate "$B4") $(eods)" \
    "$(b3_date "$saturday") SUBMITTED SUBMITTED SUBMITTED SUBMITTED $((n0 + 1))"
for bad in abc 1.5 " 60" 0x10 315576001 -315576001; do
    run timeout 30 env TS_CLOCK_OFFSET_S="$bad" "$BIN" serve --addr 127.0.0.1:1 # taken by mistake: it serves, stopped at 30 s
    expect_rc "TS_CLOCK_OFFSET_S='$bad' is a usage error" 2
    expect_match "named" "$ERR" "^tradingsystem: TS_CLOCK_OFFSET_S must be whole seconds within 10 years \\(-315576000 to 315576000\\), not '$bad'"
    expect_eq "in one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
done
run env TS_EOD_TIME=25:00 "$BIN" serve --addr 127.0.0.1:1
expect_rc "a bad TS_EOD_TIME is a usage error" 2
expect_match "named in one line" "$ERR" '^tradingsystem: TS_EOD_TIME must be HH:MM'
run env TS_TRADING_HOURS=maybe "$BIN" serve --addr 127.0.0.1:1
expect_rc "a bad TS_TRADING_HOURS is a usage error" 2

must_read errors_now errors
expect_eq "serve logged no error after the outage" "$errors_now" "$outage_errors"
finish
