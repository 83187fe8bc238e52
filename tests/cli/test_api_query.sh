#!/usr/bin/env bash
# REST reads of the order manager's records (docs/api.md "Orders, trades, positions and
# audit (reads)"): orders, their audit trail, trades, positions and their history, the
# compliance queries of spec §9.3 and the daily trade summary, through a real `serve` on
# loopback with its own cluster. The rows are written here with psql, as the order manager
# writes them (one transaction per change, app.actor set, the triggers making the audit
# rows); the test checks filters, ordering, exact decimals, times, and the 400/404 answers.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55436
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
serve_cleanup
serve_start
OM=$("$BIN" db url --module order_manager)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$OM" -c "$1"; }
# change ACTOR SQL: one transaction acting as ACTOR (the audit trigger needs app.actor).
change() {
    psql -X -q -At -v ON_ERROR_STOP=1 "$OM" >/dev/null <<EOF
BEGIN;
SELECT set_config('app.actor', '$1', true);
$2
COMMIT;
EOF
}

http() { # PATH [curl args]: GET; sets CODE and BODY
    local p=$1; shift
    BODY=$(curl -s -g -w '\n%{http_code}' -H "Authorization: Bearer $TOKEN" "$@" "http://$addr$API$p"); CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
}
# The values of a string field, in the order the rows give them, comma-separated.
col() { printf '%s' "$1" | grep -oE "\"$2\":\"[^\"]*\"" | sed -E "s/^\"$2\":\"(.*)\"$/\\1/" | paste -sd, -; }
# expect_list NAME PATH FIELD WANT: 200 and the FIELD values of the rows, in order.
expect_list() {
    http "$2"
    if [ "$CODE" = 200 ] && [ "$(col "$BODY" "$3")" = "$4" ]; then ok "$1"; else
        not_ok "$1" "status $CODE, $3: $(col "$BODY" "$3")" "want 200, $3: $4" "body: ${BODY:0:600}"
    fi
}
# refused NAME PATH STATUS CODE MSG_REGEX: the error envelope with that status and message.
refused() {
    http "$2"
    if [ "$CODE" = "$3" ] && printf '%s' "$BODY" | grep -qE -- "^\\{\"error\":\\{\"code\":\"$4\",\"message\":\"([^\"\\\\]|\\\\.)*$5"; then
        ok "$1: $3 $4"
    else
        not_ok "$1" "status $CODE (want $3 $4)" "body: $BODY" "want /$5/"
    fi
}

A1=0190a6b0-0000-7000-8000-00000000a001
A2=0190a6b0-0000-7000-8000-00000000a002
S1=0190a6b0-0000-7000-8000-00000000b001
S2=0190a6b0-0000-7000-8000-00000000b002
O1=0190a6b0-0000-7000-8000-00000000c001
O2=0190a6b0-0000-7000-8000-00000000c002
O3=0190a6b0-0000-7000-8000-00000000c003
O4=0190a6b0-0000-7000-8000-00000000c004
O5=0190a6b0-0000-7000-8000-00000000c005
O6=0190a6b0-0000-7000-8000-00000000c006
P1=0190a6b0-0000-7000-8000-00000000d001
P2=0190a6b0-0000-7000-8000-00000000d002
P3=0190a6b0-0000-7000-8000-00000000d003
P4=0190a6b0-0000-7000-8000-00000000d004
NOID=0190a6b0-0000-7000-8000-000000000000
TIME='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$'

# ------------------------------------------------------------------------------------------
# Fixtures
# ------------------------------------------------------------------------------------------
OCOLS="id, order_ref, symbol, exchange, asset_class, side, order_type, quantity, price, stop_price, status, submitted_at, reject_reason, strategy_id, account_id, position_type, created_at, created_by, reason"
fixtures() {
    sql "INSERT INTO order_manager.accounts (id, name, broker_account) VALUES
           ('$A1', 'Conta A', '12345-6'), ('$A2', 'Conta B', '777-0');
         INSERT INTO order_manager.strategies (id, name, strategy_type, created_by) VALUES
           ('$S1', 'manual', 'MANUAL', 'alice'), ('$S2', 'trend', 'TREND_FOLLOWING', 'alice')" &&
    # O1: PETR4 BUY LIMIT 100 @ 30, submitted, filled 40 @ 30 then 60 @ 29.99 (avg 29.994).
    change alice "INSERT INTO order_manager.orders ($OCOLS) VALUES ('$O1', 'ord-1', 'PETR4', 'B3', 'stock',
        'BUY', 'LIMIT', 100, 30.00, NULL, 'PENDING', NULL, NULL, '$S1', '$A1', 'DAY_TRADE',
        '2026-11-02 10:00:00.123456+00', 'alice', 'breakout');" &&
    change alice "UPDATE order_manager.orders SET status = 'SUBMITTED', submitted_at = '2026-11-02 10:00:01+00' WHERE id = '$O1';" &&
    change alice "UPDATE order_manager.orders SET status = 'PARTIAL_FILL', filled_quantity = 40, avg_fill_price = 30 WHERE id = '$O1';" &&
    change alice "UPDATE order_manager.orders SET status = 'FILLED', filled_quantity = 100, avg_fill_price = 29.994,
        filled_at = '2026-11-02 10:06:30.5+00' WHERE id = '$O1';" &&
    # O2: VALE3 SELL LIMIT 200 @ 60.5, placed SUBMITTED, modified by carol to 61.25 after
    # submission, filled 50, canceled by bob.
    change alice "INSERT INTO order_manager.orders ($OCOLS) VALUES ('$O2', 'ord-2', 'VALE3', 'B3', 'stock',
        'SELL', 'LIMIT', 200, 60.5, NULL, 'SUBMITTED', '2026-11-03 11:00:01+00', NULL, '$S2', '$A1', 'SWING',
        '2026-11-03 11:00:00+00', 'alice', NULL);" &&
    change carol "UPDATE order_manager.orders SET price = 61.25 WHERE id = '$O2';" &&
    change alice "UPDATE order_manager.orders SET status = 'PARTIAL_FILL', filled_quantity = 50, avg_fill_price = 61.25 WHERE id = '$O2';" &&
    change bob "SET LOCAL app.reason = 'client asked'; UPDATE order_manager.orders SET status = 'CANCELED' WHERE id = '$O2';" &&
    # O3: refused by the risk check before it was placed (inserted REJECTED).
    change alice "INSERT INTO order_manager.orders ($OCOLS) VALUES ('$O3', 'ord-3', 'PETR4', 'B3', 'stock',
        'BUY', 'MARKET', 50, NULL, NULL, 'REJECTED', NULL, 'max_order_value 10000.00 exceeded: 15000.00', '$S1', '$A2',
        'DAY_TRADE', '2026-11-04 12:00:00+00', 'alice', NULL);" &&
    # O4: symbol with a LIKE wildcard; modified while PENDING, then submitted (not suspicious).
    change alice "INSERT INTO order_manager.orders ($OCOLS) VALUES ('$O4', 'ord-4', 'PE_R4', 'B3', 'stock',
        'BUY', 'LIMIT', 10, 1.5, NULL, 'PENDING', NULL, NULL, '$S1', '$A1', 'POSITION',
        '2026-11-05 09:30:00+00', 'alice', NULL);" &&
    change alice "UPDATE order_manager.orders SET price = 1.75 WHERE id = '$O4';" &&
    change alice "UPDATE order_manager.orders SET status = 'SUBMITTED' WHERE id = '$O4';" &&
    # O5: STOP_LIMIT future, submitted, then refused by the venue.
    change alice "INSERT INTO order_manager.orders ($OCOLS) VALUES ('$O5', 'ord-5', 'WDOF27', 'B3', 'future',
        'BUY', 'STOP_LIMIT', 1, 5.5, 5.4, 'SUBMITTED', '2026-11-06 13:00:00+00', NULL, '$S2', '$A2', 'DAY_TRADE',
        '2026-11-06 13:00:00+00', 'alice', NULL);" &&
    change venue "UPDATE order_manager.orders SET status = 'REJECTED', reject_reason = 'venue: price out of band' WHERE id = '$O5';" &&
    # O6: unicode ref and actor, the smallest price.
    change 'joão' "INSERT INTO order_manager.orders ($OCOLS) VALUES ('$O6', 'ordem-ação-1', 'ITUB4', 'B3', 'stock',
        'SELL', 'LIMIT', 1, 0.00000001, NULL, 'PENDING', NULL, NULL, '$S2', '$A1', 'SWING',
        '2026-11-07 16:59:59.999999+00', 'joão', NULL);" &&
    sql "INSERT INTO order_manager.trades (id, trade_ref, order_id, account_id, symbol, exchange, side, quantity,
           price, total_value, commission, tax, slippage, executed_at, execution_venue, broker_account) VALUES
         ('0190a6b0-0000-7000-8000-00000000e001', 'X1', '$O1', '$A1', 'PETR4', 'B3', 'BUY', 40, 30.00, 1200.00,
          1.23, 0.05, NULL, '2026-11-02 10:05:00+00', 'PAPER', '12345-6'),
         ('0190a6b0-0000-7000-8000-00000000e002', 'X2', '$O1', '$A1', 'PETR4', 'B3', 'BUY', 60, 29.99, 1799.40,
          0.77, 0, -0.00000001, '2026-11-02 10:06:30.5+00', 'PAPER', '12345-6'),
         ('0190a6b0-0000-7000-8000-00000000e003', 'X3', '$O2', '$A1', 'VALE3', 'B3', 'SELL', 50, 61.25, 3062.50,
          2.5, 0.31, NULL, '2026-11-03 11:10:00+00', 'PAPER', '12345-6')" &&
    sql "INSERT INTO order_manager.positions (id, symbol, exchange, asset_class, side, quantity, avg_entry_price,
           current_price, unrealized_pnl, realized_pnl, strategy_id, account_id, position_type, opened_at,
           closed_at, status) VALUES
         ('$P1', 'PETR4', 'B3', 'stock', 'LONG', 100, 29.994, 31.00, 100.60, 0, '$S1', '$A1', 'DAY_TRADE',
          '2026-11-02 10:05:00+00', NULL, 'OPEN'),
         ('$P2', 'VALE3', 'B3', 'stock', 'SHORT', 0, 61.25, 61.4968, 0, -12.34, '$S2', '$A1', 'SWING',
          '2026-11-03 11:10:00+00', '2026-11-10 14:00:00+00', 'CLOSED'),
         ('$P3', 'PETR4', 'B3', 'stock', 'LONG', 0, 28.10, 28.6655, 0, 55.55, '$S1', '$A1', 'DAY_TRADE',
          '2026-11-01 10:00:00+00', '2026-11-01 15:00:00+00', 'CLOSED'),
         ('$P4', 'WDOF27', 'B3', 'future', 'SHORT', 2, 5.45, NULL, NULL, 0, '$S2', '$A2', 'DAY_TRADE',
          '2026-11-06 13:05:00+00', NULL, 'OPEN')" &&
    sql "INSERT INTO order_manager.position_history (position_id, quantity, avg_entry_price, current_price,
           unrealized_pnl, realized_pnl, snapshot_at, reason) VALUES
         ('$P1', 40, 30, 30, 0, 0, '2026-11-02 10:05:00+00', 'trade_fill'),
         ('$P1', 100, 29.994, 29.99, -0.40, 0, '2026-11-02 10:06:30.5+00', 'trade_fill'),
         ('$P1', 100, 29.994, 31.00, 100.60, 0, '2026-11-02 12:00:00+00', 'price_update'),
         ('$P1', 100, 29.994, 31.00, 100.60, 0, '2026-11-02 20:00:00+00', 'eod_snapshot')"
}
fixtures && ok "fixtures written through the triggers" || { not_ok "fixtures could not be written"; finish; }

# ------------------------------------------------------------------------------------------
# Orders
# ------------------------------------------------------------------------------------------
expect_list "orders: list, newest first" /orders order_ref "ordem-ação-1,ord-5,ord-4,ord-3,ord-2,ord-1"
expect_match "orders: the list is a JSON array" "$BODY" '^\[\{"id":"'
expect_list "orders: by status" "/orders?status=REJECTED" order_ref "ord-5,ord-3"
expect_list "orders: by status FILLED" "/orders?status=FILLED" order_ref "ord-1"
expect_list "orders: by symbol" "/orders?symbol=PETR4" order_ref "ord-3,ord-1"
expect_list "orders: symbol '_' is not a LIKE pattern" "/orders?symbol=PE_R4" order_ref "ord-4"
expect_list "orders: symbol 'PE_R_' matches nothing" "/orders?symbol=PE_R_" order_ref ""
expect_list "orders: symbol '%' is not a LIKE pattern" "/orders?symbol=PETR%25" order_ref ""
expect_list "orders: symbol '%' alone matches nothing" "/orders?symbol=%25" order_ref ""
expect_list "orders: by account" "/orders?account_id=$A2" order_ref "ord-5,ord-3"
expect_list "orders: by account in upper case" "/orders?account_id=${A2^^}" order_ref "ord-5,ord-3"
expect_list "orders: by strategy and account" "/orders?strategy_id=$S2&account_id=$A1" order_ref "ordem-ação-1,ord-2"
expect_list "orders: by status and symbol" "/orders?status=CANCELED&symbol=VALE3" order_ref "ord-2"
expect_list "orders: from is inclusive, to exclusive" "/orders?from=2026-11-03T11:00:00Z&to=2026-11-05T09:30:00Z" order_ref "ord-3,ord-2"
expect_list "orders: to at a creation time excludes that order" "/orders?to=2026-11-03T11:00:00Z" order_ref "ord-1"
expect_list "orders: times with an offset" "/orders?from=2026-11-03T08:00:00-03:00&to=2026-11-04T12:00:00.000001Z" order_ref "ord-3,ord-2"
expect_list "orders: a '+' offset percent-encoded" "/orders?from=2026-11-03T14:00:00%2B03:00&to=2026-11-04" order_ref "ord-2"
expect_list "orders: a '+' offset left unencoded (read as a space) still counts" "/orders?from=2026-11-03T14:00:00+03:00&to=2026-11-04" order_ref "ord-2"
expect_list "orders: bare dates are midnight UTC" "/orders?from=2026-11-02&to=2026-11-03" order_ref "ord-1"
expect_list "orders: sub-microsecond from rounds up" "/orders?from=2026-11-02T10:00:00.1234561Z" order_ref "ordem-ação-1,ord-5,ord-4,ord-3,ord-2"
expect_list "orders: exact microsecond from includes" "/orders?from=2026-11-02T10:00:00.123456Z&to=2026-11-02T10:00:00.1234561Z" order_ref "ord-1"
expect_list "orders: limit" "/orders?limit=2" order_ref "ordem-ação-1,ord-5"
expect_list "orders: limit 1000" "/orders?limit=1000&status=PENDING" order_ref "ordem-ação-1"
expect_list "orders: limit with filters" "/orders?limit=1&symbol=PETR4" order_ref "ord-3"

http "/orders?status=FILLED"
expect_match "orders: decimals as strings with their scale" "$BODY" '"quantity":"100.00000000","price":"30.00000000","stop_price":null,"status":"FILLED","filled_quantity":"100.00000000","avg_fill_price":"29.99400000"'
expect_match "orders: created_at RFC 3339 UTC with microseconds" "$BODY" '"created_at":"2026-11-02T10:00:00.123456Z"'
expect_match "orders: submitted_at and filled_at" "$BODY" '"submitted_at":"2026-11-02T10:00:01Z","filled_at":"2026-11-02T10:06:30.5Z"'
expect_match "orders: updated_at is an RFC 3339 UTC time" "$(col "$BODY" updated_at)" "$TIME"
expect_match "orders: metadata inline, reason as stored, no trigger" "$BODY" '"created_by":"alice","reason":"breakout","metadata":\{\},"triggered_at":null,"trigger_trade_id":null,"trigger_price":null\}\]$'
http "/orders?account_id=$A1&status=PENDING"
expect_match "orders: the smallest price exactly" "$BODY" '"price":"0.00000001"'
expect_match "orders: unicode ref answered as stored" "$BODY" '"order_ref":"ordem-ação-1"'

refused "orders: unknown status" "/orders?status=filled" 400 invalid_argument \
    "query parameter 'status' must be one of PENDING, SUBMITTED, PARTIAL_FILL, FILLED, CANCELED, REJECTED, EXPIRED \\(not 'filled'\\)"
refused "orders: empty status" "/orders?status=" 400 invalid_argument "query parameter 'status' must be one of"
refused "orders: unknown query parameter" "/orders?colour=red" 400 invalid_argument "unknown query parameter 'colour'"
refused "orders: unknown parameter among good ones" "/orders?status=FILLED&sort=price" 400 invalid_argument "unknown query parameter 'sort'"
refused "orders: repeated parameter" "/orders?symbol=PETR4&symbol=VALE3" 400 invalid_argument "query parameter 'symbol' given twice"
refused "orders: malformed account_id" "/orders?account_id=42" 400 invalid_argument "query parameter 'account_id' must be a UUID \\(not '42'\\)"
refused "orders: malformed strategy_id" "/orders?strategy_id=$S1-0" 400 invalid_argument "query parameter 'strategy_id' must be a UUID"
refused "orders: SQL in account_id" "/orders?account_id=x'%20OR%20'1'='1" 400 invalid_argument "query parameter 'account_id' must be a UUID"
refused "orders: malformed from" "/orders?from=yesterday" 400 invalid_argument "query parameter 'from' is not an RFC 3339 time: "
refused "orders: impossible date" "/orders?to=2026-02-30T00:00:00Z" 400 invalid_argument "query parameter 'to' is not an RFC 3339 time: invalid date 2026-02-30"
refused "orders: a space elsewhere is not an offset" "/orders?from=2026-11-03T14:00%2000+03:00" 400 invalid_argument "query parameter 'from' is not an RFC 3339 time"
refused "orders: time without offset" "/orders?from=2026-11-03T10:00:00" 400 invalid_argument "query parameter 'from' is not an RFC 3339 time"
refused "orders: empty from" "/orders?from=" 400 invalid_argument "query parameter 'from' is not an RFC 3339 time"
refused "orders: from after to" "/orders?from=2026-11-05&to=2026-11-04" 400 invalid_argument "query parameter 'from' is after 'to'"
for l in 0 1001 -1 abc 1.5 "" 00000100; do
    refused "orders: limit '$l'" "/orders?limit=$l" 400 invalid_argument "query parameter 'limit' must be an integer from 1 to 1000"
done
refused "orders: symbol not UTF-8" "/orders?symbol=%FF" 400 invalid_argument "query parameter 'symbol' is not valid UTF-8"
refused "orders: symbol with a surrogate" "/orders?symbol=%ED%A0%80" 400 invalid_argument "query parameter 'symbol' is not valid UTF-8"

expect_list "orders: SQL-ish symbol matches nothing" "/orders?symbol=x'%20OR%20'1'='1" order_ref ""
expect_list "orders: SQL-ish symbol with a comment" "/orders?symbol=PETR4'%3B%20DROP%20TABLE%20order_manager.orders%3B--" order_ref ""
expect_list "orders: backslash and quote" '/orders?symbol=%5C%22' order_ref ""
expect_list "orders: unicode symbol matches nothing" "/orders?symbol=PETR4%C3%A7%F0%9F%93%88" order_ref ""
expect_list "orders: empty symbol matches nothing" "/orders?symbol=" order_ref ""
expect_eq "orders: and the table is intact" "$(sql "SELECT count(*) FROM order_manager.orders")" 6

http "/orders/$O1"
expect_eq "order: get answers 200" "$CODE" 200
expect_match "order: one object, the order" "$BODY" "^\\{\"id\":\"$O1\",\"order_ref\":\"ord-1\",.*\\}$"
http "/orders/${O2^^}"
expect_eq "order: upper-case id" "$(col "$BODY" order_ref)" "ord-2"
expect_match "order: modified price and partial fill of a canceled order" "$BODY" '"price":"61.25000000".*"status":"CANCELED","filled_quantity":"50.00000000","avg_fill_price":"61.25000000"'
expect_match "order: canceled_at is RFC 3339 UTC" "$(col "$BODY" canceled_at)" "$TIME"
http "/orders/$O3"
expect_match "order: a rejected order has its reason" "$BODY" '"reject_reason":"max_order_value 10000.00 exceeded: 15000.00"'
refused "order: unknown id" "/orders/$NOID" 404 not_found "order '$NOID' not found\"\\}\\}$"
refused "order: malformed id" "/orders/not-a-uuid" 400 invalid_argument "order id 'not-a-uuid' is not a UUID"
refused "order: a query string" "/orders/$O1?fields=id" 400 invalid_argument "unknown query parameter 'fields'"
refused "order: 'by-ref' alone is not an id" "/orders/by-ref" 400 invalid_argument "order id 'by-ref' is not a UUID"

http /orders/by-ref/ord-2
expect_eq "order by ref: 200 with the order" "$CODE:$(col "$BODY" id)" "200:$O2"
expect_match "order by ref: one object" "$BODY" '^\{"id":".*\}$'
http "/orders/by-ref/ordem-a%C3%A7%C3%A3o-1"
expect_eq "order by ref: a unicode ref, percent-encoded" "$CODE:$(col "$BODY" id)" "200:$O6"
refused "order by ref: unknown ref" /orders/by-ref/ord-99 404 not_found "order with order_ref 'ord-99' not found"
refused "order by ref: 'audit' is a ref, not the audit trail" /orders/by-ref/audit 404 not_found "order with order_ref 'audit' not found"
refused "order by ref: SQL-ish ref" "/orders/by-ref/x'%20OR%20'1'='1" 404 not_found "order with order_ref 'x' OR '1'='1' not found"
refused "order by ref: case matters" /orders/by-ref/ORD-2 404 not_found "order with order_ref 'ORD-2' not found"

# ------------------------------------------------------------------------------------------
# Audit trail of one order
# ------------------------------------------------------------------------------------------
expect_list "audit trail: oldest first" "/orders/$O1/audit" action "CREATED,SUBMITTED,PARTIAL_FILL,FILLED"
expect_match "audit trail: a JSON array" "$BODY" '^\[\{"id":"'
expect_eq "audit trail: who" "$(col "$BODY" changed_by)" "alice,alice,alice,alice"
expect_eq "audit trail: statuses" "$(col "$BODY" new_status)" "PENDING,SUBMITTED,PARTIAL_FILL,FILLED"
seqs=$(printf '%s' "$BODY" | grep -oE '"seq":[0-9]+' | cut -d: -f2 | paste -sd' ' -)
expect_eq "audit trail: seq increases" "$seqs" "$(printf '%s\n' $seqs | sort -n | paste -sd' ' -)"
expect_match "audit trail: changed_at RFC 3339 UTC" "$(col "$BODY" changed_at | cut -d, -f1)" "$TIME"
expect_match "audit trail: changes with exact decimals" "$BODY" '"action":"PARTIAL_FILL".*"filled_quantity": ?\{"new": ?"40.00000000", ?"old": ?"0.00000000"\}'
expect_list "audit trail: modified, filled, canceled" "/orders/$O2/audit" action "CREATED,MODIFIED,PARTIAL_FILL,CANCELED"
expect_eq "audit trail: by whom" "$(col "$BODY" changed_by)" "alice,carol,alice,bob"
expect_match "audit trail: the modification's old and new price" "$BODY" '"action":"MODIFIED".*"changes":\{"price": ?\{"new": ?"61.25000000", ?"old": ?"60.50000000"\}\}'
expect_match "audit trail: the cancel's reason" "$BODY" '"action":"CANCELED","old_status":"PARTIAL_FILL","new_status":"CANCELED","changed_by":"bob","changed_at":"[^"]*","reason":"client asked"'
refused "audit trail: unknown order" "/orders/$NOID/audit" 404 not_found "order '$NOID' not found"
refused "audit trail: malformed id" "/orders/x/audit" 400 invalid_argument "order id 'x' is not a UUID"
refused "audit trail: a query string" "/orders/$O1/audit?action=FILLED" 400 invalid_argument "unknown query parameter 'action'"

# ------------------------------------------------------------------------------------------
# Trades
# ------------------------------------------------------------------------------------------
expect_list "trades: list, newest first" /trades trade_ref "X3,X2,X1"
expect_match "trades: a JSON array" "$BODY" '^\[\{"id":"'
expect_list "trades: by order" "/trades?order_id=$O1" trade_ref "X2,X1"
expect_list "trades: by symbol" "/trades?symbol=VALE3" trade_ref "X3"
expect_list "trades: by account" "/trades?account_id=$A1&limit=2" trade_ref "X3,X2"
expect_list "trades: by another account" "/trades?account_id=$A2" trade_ref ""
expect_list "trades: executed in [from, to)" "/trades?from=2026-11-02T10:05:00Z&to=2026-11-02T10:06:30.5Z" trade_ref "X1"
expect_list "trades: symbol '_' is not a LIKE pattern" "/trades?symbol=PETR_" trade_ref ""
http "/trades?order_id=$O1"
expect_match "trades: exact decimals" "$BODY" '"trade_ref":"X2",.*"quantity":"60.00000000","price":"29.99000000","total_value":"1799.40","commission":"0.77","tax":"0.00","slippage":"-0.00000001","executed_at":"2026-11-02T10:06:30.5Z"'
expect_match "trades: a null slippage" "$BODY" '"trade_ref":"X1",.*"slippage":null,"executed_at":"2026-11-02T10:05:00Z"'
refused "trades: malformed order_id" "/trades?order_id=ord-1" 400 invalid_argument "query parameter 'order_id' must be a UUID"
refused "trades: unknown parameter" "/trades?status=FILLED" 400 invalid_argument "unknown query parameter 'status'"
refused "trades: bad to" "/trades?to=2026-11-02T25:00:00Z" 400 invalid_argument "query parameter 'to' is not an RFC 3339 time"
refused "trades: limit too big" "/trades?limit=5000" 400 invalid_argument "query parameter 'limit' must be an integer from 1 to 1000"

# ------------------------------------------------------------------------------------------
# Positions and history
# ------------------------------------------------------------------------------------------
expect_list "positions: list, newest opened first" /positions id "$P4,$P2,$P1,$P3"
expect_list "positions: open ones" "/positions?status=OPEN" id "$P4,$P1"
expect_list "positions: closed ones, several per key" "/positions?status=CLOSED&symbol=PETR4" id "$P3"
expect_list "positions: by account" "/positions?account_id=$A2" id "$P4"
expect_list "positions: by strategy" "/positions?strategy_id=$S1" id "$P1,$P3"
expect_list "positions: by symbol" "/positions?symbol=VALE3" id "$P2"
expect_list "positions: limit" "/positions?limit=1" id "$P4"
expect_list "positions: unicode symbol matches nothing" "/positions?symbol=%E2%82%AC" id ""
http "/positions?status=OPEN&symbol=PETR4"
expect_match "positions: P&L and prices exact" "$BODY" '"side":"LONG","quantity":"100.00000000","avg_entry_price":"29.99400000","current_price":"31.00000000","unrealized_pnl":"100.60","realized_pnl":"0.00"'
expect_match "positions: opened_at, no closed_at" "$BODY" '"opened_at":"2026-11-02T10:05:00Z","closed_at":null'
http "/positions?symbol=VALE3"
expect_match "positions: a closed one, quantity 0, realized loss" "$BODY" '"quantity":"0.00000000",.*"realized_pnl":"-12.34",.*"closed_at":"2026-11-10T14:00:00Z",.*"status":"CLOSED"'
http "/positions?account_id=$A2"
expect_match "positions: an unmarked one has null P&L" "$BODY" '"current_price":null,"unrealized_pnl":null,"realized_pnl":"0.00"'
refused "positions: unknown status" "/positions?status=open" 400 invalid_argument "query parameter 'status' must be one of OPEN, CLOSING, CLOSED \\(not 'open'\\)"
refused "positions: malformed account_id" "/positions?account_id=$A1%20" 400 invalid_argument "query parameter 'account_id' must be a UUID"
refused "positions: unknown parameter" "/positions?from=2026-11-01" 400 invalid_argument "unknown query parameter 'from'"

expect_list "history: newest first" "/positions/$P1/history" reason "eod_snapshot,price_update,trade_fill,trade_fill"
expect_match "history: a JSON array" "$BODY" '^\[\{"id":"'
expect_eq "history: snapshot times" "$(col "$BODY" snapshot_at)" "2026-11-02T20:00:00Z,2026-11-02T12:00:00Z,2026-11-02T10:06:30.5Z,2026-11-02T10:05:00Z"
expect_match "history: exact values" "$BODY" '"quantity":"100.00000000","avg_entry_price":"29.99400000","current_price":"29.99000000","unrealized_pnl":"-0.40","realized_pnl":"0.00"'
expect_list "history: by reason" "/positions/$P1/history?reason=trade_fill" snapshot_at "2026-11-02T10:06:30.5Z,2026-11-02T10:05:00Z"
expect_list "history: in [from, to)" "/positions/$P1/history?from=2026-11-02T10:06:30.5Z&to=2026-11-02T20:00:00Z" reason "price_update,trade_fill"
expect_list "history: limit" "/positions/$P1/history?limit=1" reason "eod_snapshot"
expect_list "history: none yet for a known position" "/positions/$P2/history" reason ""
expect_eq "history: an empty array" "$BODY" "[]"
refused "history: unknown position" "/positions/$NOID/history" 404 not_found "position '$NOID' not found"
refused "history: unknown position, with filters" "/positions/$NOID/history?reason=eod_snapshot" 404 not_found "position '$NOID' not found"
refused "history: malformed id" "/positions/P1/history" 400 invalid_argument "position id 'P1' is not a UUID"
refused "history: unknown reason" "/positions/$P1/history?reason=fill" 400 invalid_argument "query parameter 'reason' must be one of trade_fill, price_update, eod_snapshot \\(not 'fill'\\)"

# ------------------------------------------------------------------------------------------
# Compliance: /audit/orders (spec §9.3)
# ------------------------------------------------------------------------------------------
expect_list "audit: who canceled (action CANCELED)" "/audit/orders?action=CANCELED" changed_by "bob"
expect_match "audit: with the order's ref and symbol" "$BODY" '"reason":"client asked",.*"order_ref":"ord-2","symbol":"VALE3","account_id":"'"$A1"'"'
expect_list "audit: who canceled this order" "/audit/orders?order_id=$O2&action=CANCELED" changed_by "bob"
expect_list "audit: all actions by a user" "/audit/orders?changed_by=carol" action "MODIFIED"
expect_list "audit: all actions of an order, newest first" "/audit/orders?order_id=$O1" action "FILLED,PARTIAL_FILL,SUBMITTED,CREATED"
expect_list "audit: MODIFIED rows" "/audit/orders?action=MODIFIED" order_ref "ord-4,ord-2"
expect_list "audit: a unicode actor" "/audit/orders?changed_by=jo%C3%A3o" order_ref "ordem-ação-1"
expect_list "audit: the venue's rejection" "/audit/orders?changed_by=venue" action "REJECTED"
expect_list "audit: limit" "/audit/orders?limit=2" order_ref "ordem-ação-1,ord-5"
expect_list "audit: SQL-ish actor" "/audit/orders?changed_by=alice'%20OR%20'1'='1" action ""
expect_list "audit: actor with a LIKE wildcard" "/audit/orders?changed_by=ali%25" action ""
expect_list "audit: actor names are exact" "/audit/orders?changed_by=Alice" action ""
t_cancel=$(sql "SELECT to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM order_manager.order_audit_log WHERE action = 'CANCELED'")
expect_list "audit: from is inclusive" "/audit/orders?from=$t_cancel&action=CANCELED" changed_by "bob"
expect_list "audit: to is exclusive" "/audit/orders?to=$t_cancel&action=CANCELED" changed_by ""
expect_list "audit: a range of dates" "/audit/orders?from=2020-01-01&to=2020-02-01" action ""
n_all=$(sql "SELECT count(*) FROM order_manager.order_audit_log")
http "/audit/orders?limit=1000"
expect_eq "audit: every row" "$(col "$BODY" action | tr ',' '\n' | grep -c .)" "$n_all"
refused "audit: unknown action" "/audit/orders?action=canceled" 400 invalid_argument "query parameter 'action' must be one of CREATED, SUBMITTED, PARTIAL_FILL, FILLED, CANCELED, REJECTED, EXPIRED, MODIFIED, UPDATED, TRIGGERED \\(not 'canceled'\\)"
refused "audit: STATUS_CHANGE is gone" "/audit/orders?action=STATUS_CHANGE" 400 invalid_argument "query parameter 'action' must be one of"
refused "audit: malformed order_id" "/audit/orders?order_id=$O1," 400 invalid_argument "query parameter 'order_id' must be a UUID"
refused "audit: bad from" "/audit/orders?from=2026-13-01" 400 invalid_argument "query parameter 'from' is not an RFC 3339 time"
refused "audit: unknown parameter" "/audit/orders?user=bob" 400 invalid_argument "unknown query parameter 'user'"
refused "audit: actor not UTF-8" "/audit/orders?changed_by=%C3" 400 invalid_argument "query parameter 'changed_by' is not valid UTF-8"

expect_list "modified after submission: only the order changed at the venue" /audit/orders/modified-after-submission order_ref "ord-2"
expect_match "modified after submission: a JSON array" "$BODY" '^\[\{"order_id":"'"$O2"'"'
expect_match "modified after submission: who, when, what" "$BODY" '"submitted_at":"2026-11-03T11:00:01Z","audit_id":"[0-9a-f-]{36}","seq":[0-9]+,"changed_by":"carol","changed_at":"[^"]+Z","reason":null,"changes":\{"price": ?\{"new": ?"61.25000000", ?"old": ?"60.50000000"\}\}'
expect_match "modified after submission: with the order's current state" "$BODY" '"side":"SELL","order_type":"LIMIT","order_status":"CANCELED"'
expect_list "modified after submission: by actor" "/audit/orders/modified-after-submission?changed_by=alice" order_ref ""
expect_list "modified after submission: by account" "/audit/orders/modified-after-submission?account_id=$A2" order_ref ""
expect_list "modified after submission: by symbol" "/audit/orders/modified-after-submission?symbol=VALE3&changed_by=carol" order_ref "ord-2"
refused "modified after submission: unknown parameter" "/audit/orders/modified-after-submission?action=MODIFIED" 400 invalid_argument "unknown query parameter 'action'"

expect_list "rejected: newest rejection first" /audit/orders/rejected order_ref "ord-5,ord-3"
expect_eq "rejected: with their reasons" "$(col "$BODY" reject_reason)" "venue: price out of band,max_order_value 10000.00 exceeded: 15000.00"
expect_eq "rejected: by whom" "$(col "$BODY" rejected_by)" "venue,alice"
expect_match "rejected: when, RFC 3339 UTC" "$(col "$BODY" rejected_at | cut -d, -f1)" "$TIME"
expect_match "rejected: the whole order" "$BODY" '^\[\{"id":"'"$O5"'","order_ref":"ord-5",.*"order_type":"STOP_LIMIT",.*"price":"5.50000000","stop_price":"5.40000000"'
expect_list "rejected: by symbol" "/audit/orders/rejected?symbol=PETR4" order_ref "ord-3"
expect_list "rejected: by strategy" "/audit/orders/rejected?strategy_id=$S2&account_id=$A2" order_ref "ord-5"
expect_list "rejected: by another account" "/audit/orders/rejected?account_id=$A1" order_ref ""
expect_list "rejected: in a past range" "/audit/orders/rejected?from=2020-01-01&to=2020-01-02" order_ref ""
expect_list "rejected: limit" "/audit/orders/rejected?limit=1" order_ref "ord-5"
refused "rejected: malformed strategy_id" "/audit/orders/rejected?strategy_id=trend" 400 invalid_argument "query parameter 'strategy_id' must be a UUID"

# ------------------------------------------------------------------------------------------
# Daily trade summary (a rollup refreshed by the request)
# ------------------------------------------------------------------------------------------
# The fixture trades are a backfill older than any refresh: start the rollup from scratch.
sql "UPDATE order_manager.rollup_watermarks SET watermark = '-infinity' WHERE rollup = 'trade_summary_daily'"
expect_list "summary: per day, symbol and side, newest first" /summaries/trades/daily trade_date "2026-11-03,2026-11-02"
expect_match "summary: a JSON array" "$BODY" '^\[\{"trade_date":"'
expect_match "summary: exact totals of a day" "$BODY" '\{"trade_date":"2026-11-02","symbol":"PETR4","side":"BUY","trade_count":2,"total_volume":"100.00000000","avg_price":"29.99500000","total_value":"2999.40","total_commission":"2.00","total_tax":"0.05","refreshed_at":"[^"]+Z"\}'
expect_match "summary: the other day" "$BODY" '\{"trade_date":"2026-11-03","symbol":"VALE3","side":"SELL","trade_count":1,"total_volume":"50.00000000","avg_price":"61.25000000","total_value":"3062.50","total_commission":"2.50","total_tax":"0.31"'
expect_list "summary: by symbol" "/summaries/trades/daily?symbol=PETR4" trade_date "2026-11-02"
expect_list "summary: days overlapping [from, to)" "/summaries/trades/daily?from=2026-11-03&to=2026-11-04" symbol "VALE3"
expect_list "summary: to at midnight excludes that day" "/summaries/trades/daily?to=2026-11-03T00:00:00Z" symbol "PETR4"
expect_list "summary: from inside a day includes it" "/summaries/trades/daily?from=2026-11-02T23:59:59Z&to=2026-11-03T00:00:00.000001Z" symbol "VALE3,PETR4"
expect_list "summary: symbol '%' is not a pattern" "/summaries/trades/daily?symbol=%25" symbol ""
sql "INSERT INTO order_manager.trades (trade_ref, order_id, account_id, symbol, exchange, side, quantity, price,
       total_value, executed_at, execution_venue, broker_account)
     VALUES ('X4', '$O2', '$A1', 'VALE3', 'B3', 'SELL', 0.5, 61.3, 30.65, now() - interval '1 second', 'PAPER', '12345-6')"
today=$(sql "SELECT (executed_at AT TIME ZONE 'UTC')::date FROM order_manager.trades WHERE trade_ref = 'X4'")
expect_list "summary: a new trade is in the next answer" "/summaries/trades/daily?symbol=VALE3" trade_date "$today,2026-11-03"
expect_match "summary: with its exact values" "$BODY" "\"trade_date\":\"$today\",\"symbol\":\"VALE3\",\"side\":\"SELL\",\"trade_count\":1,\"total_volume\":\"0.50000000\",\"avg_price\":\"61.30000000\",\"total_value\":\"30.65\""
refused "summary: bad from" "/summaries/trades/daily?from=2026-11" 400 invalid_argument "query parameter 'from' is not an RFC 3339 time"
refused "summary: unknown parameter" "/summaries/trades/daily?interval=1d" 400 invalid_argument "unknown query parameter 'interval'"
refused "summary: from after to" "/summaries/trades/daily?from=2026-11-04&to=2026-11-03" 400 invalid_argument "query parameter 'from' is after 'to'"

# ------------------------------------------------------------------------------------------
# Shape of answers
# ------------------------------------------------------------------------------------------
hdrs=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $TOKEN" "http://$addr$API/orders")
expect_match "answers are JSON" "$hdrs" '[Cc]ontent-[Tt]ype: application/json'
expect_eq "reads do not accept DELETE on lists" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -X DELETE "http://$addr$API/trades")" 405
expect_eq "nothing was written by the reads" "$(sql "SELECT count(*) FROM order_manager.orders")" 6

kill -TERM $SERVE; wait $SERVE; rc=$?
expect_eq "serve stops with exit 0" "$rc" 0
expect_eq "serve logged no error (no 500s)" "$(grep -c ' ERROR ' "$TMP/serve.err")" 0
finish
