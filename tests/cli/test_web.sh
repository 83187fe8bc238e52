#!/usr/bin/env bash
# The dashboard's files (docs/api.md "Dashboard"): GET / and GET /assets/NAME from
# TS_WEB_DIR with their content types and caching; nothing outside assets/ can be named;
# an unbuilt dashboard answers a clear 404.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55444
export TS_WEB_DIR=$TMP/web
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
mkdir -p "$TS_WEB_DIR/assets"
printf '<!doctype html><title>TradingSystem</title><script src="/assets/main-AB12.js"></script>' >"$TS_WEB_DIR/index.html"
printf 'console.log("hi");' >"$TS_WEB_DIR/assets/main-AB12.js"
printf 'body{color:red}' >"$TS_WEB_DIR/assets/main-AB12.css"
SECRET="not-for-the-web-$RANDOM$RANDOM" # the file's content: a word no answer has by chance
printf '%s\n' "$SECRET" >"$TMP/secret.txt"
serve_cleanup
serve_start

# head PATH: sets CODE, TYPE, CACHE, BODY
head_of() {
    local h
    BODY=$(curl -s -g --path-as-is -D "$TMP/h" "http://$addr$1"); CODE=$(awk 'NR==1{print $2}' "$TMP/h")
    TYPE=$(grep -i '^content-type:' "$TMP/h" | cut -d' ' -f2- | tr -d '\r')
    CACHE=$(grep -i '^cache-control:' "$TMP/h" | cut -d' ' -f2- | tr -d '\r')
}
head_of /
expect_eq "GET / answers index.html, revalidated each time" "$CODE|$TYPE|$CACHE" "200|text/html; charset=utf-8|no-cache"
expect_match "with its content" "$BODY" '<title>TradingSystem</title>'
head_of /assets/main-AB12.js
expect_eq "a hashed asset is immutable" "$CODE|$TYPE|$CACHE" "200|text/javascript; charset=utf-8|public, max-age=31536000, immutable"
head_of /assets/main-AB12.css
expect_eq "css content type" "$CODE|$TYPE" "200|text/css; charset=utf-8"
for bad in "/assets/..%2Fsecret.txt" "/assets/.hidden.js" "/assets/nope.js" "/assets/main-AB12.exe" "/assets/..%2F..%2Fsecret.txt"; do
    head_of "$bad"
    expect_eq "$bad: 404 JSON" "$CODE|$TYPE" "404|application/json"
done
for bad in "/assets/../../secret.txt" "/assets/%2e%2e/%2e%2e/secret.txt" "/../secret.txt"; do
    head_of "$bad"
    case $BODY in *"$SECRET"*) leak="LEAK: $BODY" ;; *) leak=none ;; esac
    expect_eq "$bad: 404 JSON, nothing of the file outside the web dir" "$CODE|$TYPE|$leak" "404|application/json|none"
done
serve_stop
rm "$TS_WEB_DIR/index.html"
serve_start
head_of /
expect_match "an unbuilt dashboard: 404 saying how to build it" "$CODE $BODY" '^404 \{"error":\{"code":"not_found","message":"the dashboard is not built.*run make'

# the tape, read back: GET /market/ticks, newest first
send POST /instruments '{"symbol":"PETR4","asset_class":"stock","name":"Petrobras PN","lot_size":1,"tick_size":0.01}'
send POST /market/ticks '[{"symbol":"PETR4","price":"30.10","volume":"100","tick_time":"2026-11-27T13:00:00Z","trade_id":1},{"symbol":"PETR4","price":"30.20","volume":"200","aggressor":"SELL","tick_time":"2026-11-27T13:00:01.5Z","trade_id":2}]'
http GET "/market/ticks?symbol=PETR4&limit=1"
expect_match "GET /market/ticks: newest first, exact decimals" "$CODE $BODY" '^200 \[\{"symbol":"PETR4","tick_time":"2026-11-27T13:00:01.5Z","trade_id":2,"exchange":"B3","price":"30.20000000","volume":"200.00000000","aggressor":"SELL"'
http GET "/market/ticks?symbol=PETR4&from=2026-11-27T13:00:00Z&to=2026-11-27T13:00:01Z"
expect_eq "from/to select [from, to)" "$(grep -o '"trade_id":[0-9]*' <<<"$BODY" | paste -sd,)" '"trade_id":1'
http GET "/market/ticks?sym=PETR4"
expect_eq "unknown parameter: 400" "$CODE" 400

http POST /feed/stop
expect_match "no feed: POST /feed/stop is a 409 saying how to start one" "$CODE $BODY" '^409 .*start serve with --feed sim'
http GET /feed
expect_eq "GET /feed without a feed" "$BODY" '{"feed":"none","state":"off"}'

# bars: merged with their ticks, in any order; 1m from the table, 5m and 1d made of them
send POST /instruments '{"symbol":"BARS3","asset_class":"stock","name":"Bars","lot_size":1,"tick_size":0.01}'
send POST /market/ticks '[{"symbol":"BARS3","price":"30.10","volume":"100","tick_time":"2026-11-26T13:00:00Z","trade_id":1},
 {"symbol":"BARS3","price":"30.20","volume":"200","tick_time":"2026-11-26T13:00:01.5Z","trade_id":2},
 {"symbol":"BARS3","price":"30.05","volume":"50","tick_time":"2026-11-26T13:01:10Z","trade_id":3},
 {"symbol":"BARS3","price":"30.30","volume":"10","tick_time":"2026-11-26T13:01:20Z","trade_id":4}]'
bar() { printf '%s' "$BODY" | grep -oE '"bucket":"[^"]+","open":"[^"]+","high":"[^"]+","low":"[^"]+","close":"[^"]+","volume":"[^"]+","trade_count":[0-9]+' | sed -E 's/"[a-z_]+"://g; s/"//g' | paste -sd' '; }
http GET "/market/bars?symbol=BARS3"
expect_eq "1m bars, newest first, exact OHLCV" "$(bar)" \
    "2026-11-26T13:01:00Z,30.05000000,30.30000000,30.05000000,30.30000000,60.00000000,2 2026-11-26T13:00:00Z,30.10000000,30.20000000,30.10000000,30.20000000,300.00000000,2"
http GET "/market/bars?symbol=BARS3&interval=5m"
expect_eq "5m bar" "$(bar)" "2026-11-26T13:00:00Z,30.10000000,30.30000000,30.05000000,30.30000000,360.00000000,4"
http GET "/market/bars?symbol=BARS3&interval=1d"
expect_eq "1d bar: the B3 trading date (midnight BRT = 03:00Z)" "$(bar)" "2026-11-26T03:00:00Z,30.10000000,30.30000000,30.05000000,30.30000000,360.00000000,4"
# later ticks of the same minutes, out of order: an earlier trade at the same time opens the
# minute, a later one closes the next; a resent trade changes nothing
send POST /market/ticks '[{"symbol":"BARS3","price":"30.00","volume":"5","tick_time":"2026-11-26T13:01:59Z","trade_id":5},
 {"symbol":"BARS3","price":"30.20","volume":"200","tick_time":"2026-11-26T13:00:01.5Z","trade_id":2},
 {"symbol":"BARS3","price":"29.90","volume":"10","tick_time":"2026-11-26T13:00:00Z","trade_id":0}]'
http GET "/market/bars?symbol=BARS3"
expect_eq "ticks out of order merge into exact bars" "$(bar)" \
    "2026-11-26T13:01:00Z,30.05000000,30.30000000,30.00000000,30.00000000,65.00000000,3 2026-11-26T13:00:00Z,29.90000000,30.20000000,29.90000000,30.20000000,310.00000000,3"
expect_eq "every bar equals what its stored ticks make" "$(psql -X -q -At "$("$BIN" db url --module data_capture)" -c "$BARS_VS_TICKS")" 0
http GET "/market/bars?symbol=BARS3&interval=2m"
expect_match "unknown interval: 400" "$CODE $BODY" "^400 .*must be one of 1m, 5m, 15m, 1h, 1d"
http GET "/market/bars?interval=1m"
expect_match "symbol required: 400" "$CODE $BODY" "^400 .*'symbol' is required"
finish
