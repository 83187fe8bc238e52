#!/usr/bin/env bash
# The browser attacks on a server that listens on the trader's machine (api/guard.h,
# docs/security.md), each against the real server, each refused and changing nothing:
# a rebound DNS name (Host), a cross-site "simple" POST (text/plain, a form), a request
# another localhost port sends, a cross-site WebSocket; then what stays allowed (our own
# page, curl with JSON) and the settings that widen it (TS_ALLOWED_HOSTS, TS_CORS_ORIGINS).
# The same attacks from a real Chromium: tests/web/test_attacks.mjs.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55452
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION TS_ALLOWED_HOSTS TS_CORS_ORIGINS
export TS_TRADING_HOURS=off

for bad in "TS_ALLOWED_HOSTS=evil.example:80" "TS_ALLOWED_HOSTS=a b" "TS_CORS_ORIGINS=*" "TS_CORS_ORIGINS=localhost:5173" "TS_CORS_ORIGINS=http://x.example/path"; do
    run env "$bad" "$BIN" serve --addr 127.0.0.1:1
    expect_rc "$bad: usage error" 2
    expect_match "$bad: named in one line" "$ERR" "^tradingsystem: ${bad%%=*}: "
done

serve_cleanup
serve_start
OM=$("$BIN" db url --module order_manager)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$OM" -c "$1"; }
ws_key='dGhlIHNhbXBsZSBub25jZQ=='
# upgrade [curl args]: a WebSocket upgrade of /api/v1/stream; sets CODE and BODY
upgrade() {
    BODY=$(curl -s -i --max-time 2 -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
        -H 'Sec-WebSocket-Version: 13' -H "Sec-WebSocket-Key: $ws_key" \
        -H "Authorization: Bearer $TOKEN" "$@" "http://$addr$API/stream")
    CODE=$(head -1 <<<"$BODY" | awk '{print $2}')
}

# what an order needs, set up as curl would (no Origin: not a browser)
send POST /instruments '{"symbol":"GARD3","asset_class":"stock","name":"Guard","lot_size":1,"tick_size":0.01}'
expect_eq "curl with JSON: an instrument is created" "$CODE" 201
send POST /accounts '{"name":"Main","broker_account":"1"}'
acc=$(sed -nE 's/^\{"id":"([^"]+)".*/\1/p' <<<"$BODY")
send POST /strategies '{"name":"Desk","strategy_type":"MANUAL","status":"ACTIVE"}'
str=$(sed -nE 's/^\{"id":"([^"]+)".*/\1/p' <<<"$BODY")
must_read acc echo "$acc"
must_read str echo "$str"
order() { printf '{"order_ref":"%s","account_id":"%s","strategy_id":"%s","symbol":"GARD3","side":"BUY","order_type":"LIMIT","quantity":"1","price":"1.00","position_type":"DAY_TRADE"}' "$1" "$acc" "$str"; }
orders() { sql "SELECT count(*) FROM order_manager.orders"; }

# 1. DNS rebinding: the attacker's name, resolved to us
http GET /orders -H 'Host: evil.example:8080'
expect_match "Host evil.example: 421, nothing read" "$CODE $BODY" '^421 \{"error":\{"code":"misdirected_request","message":"Host .evil\.example:8080. is not a name of this server'
http GET /health -H 'Host: evil.example'
expect_eq "not even health" "$CODE" 421
BODY=$(curl -s -w '\n%{http_code}' -H 'Host: evil.example:8080' "http://$addr/")
expect_eq "nor the dashboard" "${BODY##*$'\n'}" 421
http POST /orders -H 'Host: evil.example:8080' -H 'Content-Type: application/json' --data-binary "$(order rebind-1)"
expect_eq "nor an order" "$CODE $(orders)" "421 0"
upgrade -H 'Host: evil.example:8080'
expect_eq "nor the stream" "$CODE" 421
BODY=$(printf 'GET /api/v1/health HTTP/1.0\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/${addr%:*}/${addr##*:}; cat >&3; cat <&3")
expect_match "no Host at all (HTTP/1.0): 421" "$BODY" '^HTTP/1\.[01] 421'
for host in "localhost:${addr##*:}" "LOCALHOST:${addr##*:}" "$addr" "app.localhost:${addr##*:}"; do
    http GET /health -H "Host: $host"
    expect_eq "Host $host: ours" "$CODE" 200
done

# 2. a cross-site "simple" POST: the browser sends it without asking
http POST /orders -H 'Origin: https://evil.example' -H 'Content-Type: text/plain' --data-binary "$(order cross-1)"
expect_match "cross-site text/plain order: 403" "$CODE $BODY" '^403 \{"error":\{"code":"cross_site"'
expect_eq "no order placed" "$(orders)" 0
send POST /risk/kill-switch '{"active":true,"reason":"guard test"}'
expect_eq "the kill switch is activated (curl, JSON)" "$CODE" 200
http POST /risk/kill-switch -H 'Origin: https://evil.example' -H 'Content-Type: text/plain' --data-binary '{"active":false,"reason":"evil"}'
expect_eq "cross-site kill switch release: 403" "$CODE" 403
http GET /risk/kill-switch
expect_match "the kill switch is still active" "$BODY" '"active":true'
send POST /risk/kill-switch '{"active":false,"reason":"guard test done"}'
expect_eq "released by curl" "$CODE" 200
http POST /orders -H 'Origin: https://evil.example' -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$(order cross-2)"
expect_eq "a cross-site form: 403" "$CODE $(orders)" "403 0"
http POST /orders -H 'Origin: null' -H 'Content-Type: text/plain' --data-binary "$(order cross-3)"
expect_eq "a sandboxed frame (Origin: null): 403" "$CODE $(orders)" "403 0"
http POST /orders -H 'Origin: http://127.0.0.1:3000' -H 'Sec-Fetch-Site: same-site' -H 'Content-Type: application/json' --data-binary "$(order port-1)"
expect_eq "another localhost port, even with JSON: 403" "$CODE $(orders)" "403 0"
http POST /orders -H 'Sec-Fetch-Site: cross-site' -H 'Content-Type: application/json' --data-binary "$(order site-1)"
expect_eq "Sec-Fetch-Site cross-site without an Origin: 403" "$CODE $(orders)" "403 0"
http DELETE /orders/01900000-0000-7000-8000-000000000001 -H 'Origin: https://evil.example'
expect_eq "a cross-site DELETE: 403" "$CODE" 403
http POST /feed/stop -H 'Origin: https://evil.example'
expect_eq "a cross-site POST without a body: 403" "$CODE" 403

# 3. the body is JSON or there is none
http POST /orders -H 'Content-Type: text/plain' --data-binary "$(order plain-1)"
expect_match "text/plain from curl: 415" "$CODE $BODY" '^415 \{"error":\{"code":"unsupported_media_type"'
http POST /orders --data-binary "$(order form-1)"
expect_eq "curl -d (a form): 415" "$CODE $(orders)" "415 0"

# 4. a cross-site WebSocket (CORS does not protect WebSockets)
upgrade -H 'Origin: https://evil.example'
expect_eq "cross-site WebSocket: 403" "$CODE" 403
expect_match "with the JSON error" "$BODY" '^\{"error":\{"code":"cross_site","message":"a WebSocket from another site'
upgrade -H "Origin: http://$addr"
expect_eq "our own page's WebSocket: 101" "$CODE" 101
upgrade
expect_eq "a script's WebSocket (no Origin): 101" "$CODE" 101

# 5. what stays allowed: our own page, curl
http POST /orders -H "Origin: http://$addr" -H 'Sec-Fetch-Site: same-origin' -H 'Content-Type: application/json' --data-binary "$(order own-1)"
expect_eq "our own page's order: 201" "$CODE $(orders)" "201 1"
send POST /orders "$(order curl-1)"
expect_eq "curl's order: 201 (the refused ones were valid orders)" "$CODE $(orders)" "201 2"
expect_eq "no refused order left a row" "$(sql "SELECT string_agg(order_ref, ',' ORDER BY order_ref) FROM order_manager.orders")" "curl-1,own-1"

# 6. no CORS unless a setting lists origins
hdrs=$(curl -s -D - -o /dev/null -H 'Origin: https://evil.example' "http://$addr$API/orders")
expect_eq "a cross-origin GET gets no Access-Control-Allow-Origin" "$(grep -ci '^access-control-' <<<"$hdrs")" 0
http OPTIONS /orders -H 'Origin: https://evil.example' -H 'Access-Control-Request-Method: POST'
expect_eq "a preflight from anywhere: no 2xx" "$CODE" 405
serve_stop

export TS_ALLOWED_HOSTS=desk.example TS_CORS_ORIGINS=http://localhost:5173
serve_start
http GET /health -H "Host: desk.example:${addr##*:}"
expect_eq "TS_ALLOWED_HOSTS: the listed name is ours" "$CODE" 200
http GET /health -H "Host: evil.example:${addr##*:}"
expect_eq "and only it" "$CODE" 421
hdrs=$(curl -s -D - -o /dev/null -X OPTIONS -H 'Origin: http://localhost:5173' -H 'Access-Control-Request-Method: POST' "http://$addr$API/orders")
expect_match "TS_CORS_ORIGINS: a listed origin's preflight is 204" "$hdrs" '^HTTP/1\.1 204'
expect_match "naming the origin" "$hdrs" $'access-control-allow-origin: http://localhost:5173\r'
expect_match "and what it may send" "$hdrs" 'access-control-allow-headers: Authorization, Content-Type'
http POST /orders -H 'Origin: http://localhost:5173' -H 'Content-Type: application/json' --data-binary "$(order listed-1)"
expect_eq "a listed origin's JSON order: 201" "$CODE $(orders)" "201 3"
http POST /orders -H 'Origin: http://localhost:5174' -H 'Content-Type: application/json' --data-binary "$(order unlisted-1)"
expect_eq "an origin not listed: 403" "$CODE $(orders)" "403 3"
http OPTIONS /orders -H 'Origin: http://localhost:5174' -H 'Access-Control-Request-Method: POST'
expect_eq "its preflight: no 2xx" "$CODE" 405
finish
