#!/usr/bin/env bash
# The sim feed (serve --feed sim; docs/api.md "Feed"): seeds its instruments, generates
# ticks at TS_SIM_RATE through the one ingest path (stored, streamed, fed to the paper
# venue), continues each symbol's tape after a restart without repeating trade numbers,
# and refuses bad settings with exit 2.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55445
export TS_SIM_RATE=200
export TS_BARS_REFRESH_MS=300
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION TS_TRADING_HOURS

for bad in "--feed replay:x.csv" "--feed bridge:127.0.0.1" "--feed bridge:h:0" "--feed bridge::80" "--listen" "--feed" "--venue b3"; do
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
# feed_num NAME: a number that GET /feed answers (nothing when it does not answer it)
feed_num() { http GET /feed; [ "$CODE" = 200 ] && printf '%s' "$BODY" | sed -nE 's/.*"'"$1"'":([0-9]+).*/\1/p'; }
# feed_shows REGEX: GET /feed answers 200 and matches
feed_shows() { http GET /feed; [ "$CODE" = 200 ] && printf '%s' "$BODY" | grep -qE -- "$1"; }
# drained: everything the sim generated is stored, nothing is queued
drained() { feed_shows '"generated":([0-9]+),.*"stored":\1,.*"queued":0,'; }
expect_eq "the sim's instruments are seeded" "$(sql "$DC" "SELECT count(*) FROM data_capture.instruments WHERE metadata->>'source' = 'sim'")" 14
wait_for "300 ticks stored" '[ "$(sql "$DC" "SELECT count(*) FROM data_capture.market_ticks")" -ge 300 ]'
http GET /feed
expect_match "GET /feed reports it running" "$BODY" '^\{"feed":"sim","state":"running",.*"rate":200,"seed":1,'
n1=$(sql "$DC" "SELECT count(*) FROM data_capture.market_ticks WHERE source = 'sim'")
[ "$n1" -ge 300 ] && ok "ticks are stored ($n1)" || not_ok "ticks are stored" "$n1"
expect_eq "prices on each instrument's tick size" \
    "$(sql "$DC" "SELECT count(*) FROM data_capture.market_ticks t JOIN data_capture.instruments i USING (symbol) WHERE t.price % i.tick_size <> 0 OR t.volume % i.lot_size <> 0")" 0

# control over REST: stop, start, store latency
http GET /feed
expect_match "GET /feed: store batch latency p50/p99" "$BODY" '"store_batch_ms":\{"p50":[0-9.]+,"p99":[0-9.]+,"batches":[0-9]+\}'
http POST /feed/stop
expect_match "POST /feed/stop" "$CODE $BODY" '^200 \{"feed":"sim","state":"stopped"'
# what was made before the stop is stored (a batch being made at the stop included: drained
# before and after a turn of serve's maintenance loop)
wait_for "the ticks made before the stop are stored" drained
maint_turns 1
wait_for "still drained a turn later" drained
must_read g1 feed_num generated
# the positive event: two turns of serve's maintenance loop (TS_BARS_REFRESH_MS=300 apart by
# serve's clock), in which a running sim at 200 ticks/s makes about 60 to 120 ticks
maint_turns 2
must_read g2 feed_num generated
expect_eq "stopped: no new ticks in two maintenance turns" "$g2" "$g1"
http POST /feed/start
expect_match "POST /feed/start" "$CODE $BODY" '^200 \{"feed":"sim","state":"running"'
wait_for "started: ticks again" '[ "$(feed_num generated)" -gt "$g2" ]' && ok "started: ticks again (from $g2)"
send POST /feed/stop '{"x":1}'
expect_eq "a body: 400" "$CODE" 400

# the sim's L2 books
http GET /market/book/PETR4
expect_match "GET /market/book/PETR4: 5 levels a side, one tick apart around the last trade" "$CODE $BODY" \
    '^200 \{"symbol":"PETR4","seq":[0-9]+,"time":"[^"]+","best_bid":"[0-9.]+","best_ask":"[0-9.]+","spread":"0\.02000000","bids":\[(\{"price":"[0-9.]+","volume":"[0-9]+00\.00000000"\},?){5}\],"asks":\[(\{"price":"[0-9.]+","volume":"[0-9]+00\.00000000"\},?){5}\]\}$'
snapshots_of() { sql "$DC" "SELECT count(*) FROM data_capture.order_book_snapshots WHERE symbol = '$1'"; }
wait_for "a book snapshot of PETR4" '[ "$(snapshots_of PETR4)" -ge 1 ]'
expect_eq "book snapshots are written, consistent with their levels" \
    "$(sql "$DC" "SELECT count(*) > 0, bool_and(best_ask - best_bid = spread AND best_bid = (bids->0->>'price')::numeric AND total_bid_volume = (SELECT sum((l->>'volume')::numeric) FROM jsonb_array_elements(bids) l) AND jsonb_array_length(asks) = 5) FROM data_capture.order_book_snapshots WHERE symbol = 'PETR4'")" "t|t"
http GET /market/book/NOPE3
expect_match "no book for a symbol the feed does not send: 404" "$CODE $BODY" '^404 \{"error":\{"code":"not_found"'

# a first run has a paper account and a manual strategy to trade with
expect_eq "a paper account and a manual strategy are set up" \
    "$(sql "$OM" "SELECT (SELECT string_agg(name || ':' || status, ',') FROM order_manager.accounts) || ' ' || (SELECT string_agg(name || ':' || status, ',') FROM order_manager.strategies)")" "Paper:ACTIVE Manual:ACTIVE"
ACC=$(sql "$OM" "SELECT id FROM order_manager.accounts WHERE name = 'Paper'")
STR=$(sql "$OM" "SELECT id FROM order_manager.strategies WHERE name = 'Manual'")
send POST /orders "{\"order_ref\":\"sim-1\",\"account_id\":\"$ACC\",\"strategy_id\":\"$STR\",\"symbol\":\"PETR4\",\"side\":\"BUY\",\"order_type\":\"MARKET\",\"quantity\":\"100\",\"position_type\":\"DAY_TRADE\"}"
expect_match "a MARKET order fills at the sim's last price" "$CODE $BODY" '^201 .*"status":"FILLED"'
serve_stop
restart=$(date -u +%FT%T.%6NZ) # every tick before this was generated by the first run
serve_start --feed sim
petr4_since() { sql "$DC" "SELECT count(*) FROM data_capture.market_ticks WHERE symbol = 'PETR4' AND received_time > '$1'"; }
wait_for "a PETR4 tick after the restart" '[ "$(petr4_since "$restart")" -ge 1 ]'
must_read prev sql "$DC" "SELECT trade_id || ' ' || price FROM data_capture.market_ticks WHERE symbol = 'PETR4' AND received_time < '$restart' ORDER BY trade_id DESC LIMIT 1"
must_read next sql "$DC" "SELECT trade_id || ' ' || price FROM data_capture.market_ticks WHERE symbol = 'PETR4' AND received_time > '$restart' ORDER BY trade_id LIMIT 1"
expect_eq "after a restart PETR4's trade numbers go on from ${prev%% *}" "${next%% *}" "$((${prev%% *} + 1))"
expect_eq "and its price from ${prev#* } (within 3 ticks)" \
    "$(sql "$DC" "SELECT abs(${next#* } - ${prev#* }) <= 0.03")" t
expect_eq "a restart seeds nothing twice" "$(sql "$OM" "SELECT count(*) FROM order_manager.accounts") $(sql "$DC" "SELECT count(*) FROM data_capture.instruments")" "1 14"
expect_eq "no trade number repeats" "$(sql "$DC" "SELECT count(*) FROM (SELECT symbol, trade_id FROM data_capture.market_ticks GROUP BY 1, 2 HAVING count(*) > 1) d")" 0
expect_eq "serve logged no error" "$(grep -c ' ERROR ' "$TMP/serve.err")" 0

# Contiguous trade numbers per symbol: nothing lost between what was stored, nothing twice.
gaps() { sql "$DC" "SELECT coalesce(sum(max - min + 1 - n), 0) FROM (SELECT symbol, min(trade_id), max(trade_id), count(*) n FROM data_capture.market_ticks WHERE source = 'sim' GROUP BY symbol) x"; }
stored_n() { sql "$DC" "SELECT count(*) FROM data_capture.market_ticks WHERE source = 'sim'"; }
expect_eq "so far every symbol's trade numbers are contiguous" "$(gaps)" 0

# The database goes away mid-ingest: the feed says so, keeps what it made, and stores it
# all when the database is back - no gap, no duplicate.
"$BIN" db stop >/dev/null 2>&1
down='"errors":[1-9][0-9]*,.*"queued":[1-9][0-9]*,.*"last_error":"[^"]+"'
wait_for "database down: GET /feed counts errors and queues" feed_shows "$down"
expect_match "database down: GET /feed counts errors and says why" "$BODY" "$down"
"$BIN" db start >/dev/null 2>&1
must_read n0 stored_n
wait_for "database back: the queued ticks are stored" '[ "$(feed_num queued)" -lt 500 ] && [ "$(stored_n)" -gt "$n0" ]' &&
    ok "database back: the queued ticks are stored"
expect_eq "after the outage, still no gap and no duplicate" "$(gaps)" 0
wait_for "the recovery is logged" '[ "$(count_in "feed data stored again" "$TMP/serve.err")" -ge 1 ]'
expect_eq "the outage is logged once, and the recovery once" \
    "$(count_in 'feed data not stored' "$TMP/serve.err") $(count_in 'feed data stored again' "$TMP/serve.err")" "1 1"

# kill -9: what was committed stays; the restarted feed goes on from it without a gap
kill -9 "$SERVE"; wait "$SERVE" 2>/dev/null; SERVE=
must_read n1 stored_n
serve_start --feed sim
wait_for "the feed resumes after kill -9" '[ "$(stored_n)" -gt "$n1" ]' && ok "after kill -9 the feed resumes"
expect_eq "after kill -9, no gap and no duplicate" "$(gaps)" 0
expect_eq "through the outage and the kill, every bar equals what its ticks make" "$(sql "$DC" "$BARS_VS_TICKS")" 0
finish
