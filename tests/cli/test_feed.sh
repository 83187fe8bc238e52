#!/usr/bin/env bash
# The sim feed (serve --feed sim; docs/api.md "Feed"): seeds its instruments, generates
# ticks at TS_SIM_RATE through the one ingest path (stored, streamed, fed to the paper
# venue), continues each symbol's tape after a restart without repeating trade numbers,
# and refuses bad settings with exit 2.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55445
export TS_SIM_RATE=200
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION TS_TRADING_HOURS

for bad in "--feed replay:x.csv" "--feed bridge:127.0.0.1:9" "--feed" "--venue b3"; do
    run "$BIN" serve --addr 127.0.0.1:1 $bad
    expect_rc "serve $bad: usage error" 2
done
run env TS_SIM_RATE=0 "$BIN" serve --feed sim --addr 127.0.0.1:1
expect_rc "TS_SIM_RATE=0: usage error" 2
expect_match "named in one line" "$ERR" '^tradingsystem: TS_SIM_RATE must be 1 to 1000000'

serve_cleanup
serve_start --feed sim
DC=$("$BIN" db url --module data_capture)
OM=$("$BIN" db url --module order_manager)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$1" -c "$2"; }
expect_eq "the sim's instruments are seeded" "$(sql "$DC" "SELECT count(*) FROM data_capture.instruments WHERE metadata->>'source' = 'sim'")" 14
for _ in $(seq 50); do [ "$(sql "$DC" "SELECT count(*) FROM data_capture.market_ticks")" -ge 300 ] && break; sleep 0.1; done
http GET /feed
expect_match "GET /feed reports it running" "$BODY" '^\{"feed":"sim","state":"running",.*"rate":200,"seed":1,'
n1=$(sql "$DC" "SELECT count(*) FROM data_capture.market_ticks WHERE source = 'sim'")
[ "$n1" -ge 300 ] && ok "ticks are stored ($n1)" || not_ok "ticks are stored" "$n1"
expect_eq "prices on each instrument's tick size" \
    "$(sql "$DC" "SELECT count(*) FROM data_capture.market_ticks t JOIN data_capture.instruments i USING (symbol) WHERE t.price % i.tick_size <> 0 OR t.volume % i.lot_size <> 0")" 0

# a first run has a paper account and a manual strategy to trade with
expect_eq "a paper account and a manual strategy are set up" \
    "$(sql "$OM" "SELECT (SELECT string_agg(name || ':' || status, ',') FROM order_manager.accounts) || ' ' || (SELECT string_agg(name || ':' || status, ',') FROM order_manager.strategies)")" "Paper:ACTIVE Manual:ACTIVE"
ACC=$(sql "$OM" "SELECT id FROM order_manager.accounts WHERE name = 'Paper'")
STR=$(sql "$OM" "SELECT id FROM order_manager.strategies WHERE name = 'Manual'")
send POST /orders "{\"order_ref\":\"sim-1\",\"account_id\":\"$ACC\",\"strategy_id\":\"$STR\",\"symbol\":\"PETR4\",\"side\":\"BUY\",\"order_type\":\"MARKET\",\"quantity\":\"100\",\"position_type\":\"DAY_TRADE\"}"
expect_match "a MARKET order fills at the sim's last price" "$CODE $BODY" '^201 .*"status":"FILLED"'
last=$(sql "$DC" "SELECT max(trade_id) FROM data_capture.market_ticks WHERE symbol = 'PETR4'")
px=$(sql "$DC" "SELECT price FROM data_capture.market_ticks WHERE symbol = 'PETR4' ORDER BY tick_time DESC, trade_id DESC LIMIT 1")
serve_stop
serve_start --feed sim
for _ in $(seq 50); do [ "$(sql "$DC" "SELECT count(*) FROM data_capture.market_ticks WHERE symbol = 'PETR4' AND trade_id > $last")" -ge 1 ] && break; sleep 0.1; done
expect_eq "after a restart PETR4's trade numbers go on from $last" \
    "$(sql "$DC" "SELECT min(trade_id) FROM data_capture.market_ticks WHERE symbol = 'PETR4' AND trade_id > $last")" "$((last + 1))"
expect_eq "and its price from $px (within 3 ticks)" \
    "$(sql "$DC" "SELECT abs(price - $px) <= 0.03 FROM data_capture.market_ticks WHERE symbol = 'PETR4' AND trade_id = $((last + 1))")" t
expect_eq "a restart seeds nothing twice" "$(sql "$OM" "SELECT count(*) FROM order_manager.accounts") $(sql "$DC" "SELECT count(*) FROM data_capture.instruments")" "1 14"
expect_eq "no trade number repeats" "$(sql "$DC" "SELECT count(*) FROM (SELECT symbol, trade_id FROM data_capture.market_ticks GROUP BY 1, 2 HAVING count(*) > 1) d")" 0
expect_eq "serve logged no error" "$(grep -c ' ERROR ' "$TMP/serve.err")" 0
finish
