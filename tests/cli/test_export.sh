#!/usr/bin/env bash
# tradingsystem export parquet (docs/operations.md "Export"): a time range of a partitioned
# table into a Parquet file that an independent reader (npm hyparquet, tests/parquet/
# read_back.mjs) reads with the same row count, exact sum of price x volume and time bounds
# as PostgreSQL says for the same range; [from, to) boundaries; bad usage exit 2, a failed
# export exit 1 with no file left.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55448
export TS_SIM_RATE=3000
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
SRC=${TS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
READ="node $SRC/tests/parquet/read_back.mjs"
serve_cleanup
serve_start --feed sim
# exact edge values next to the simulated tape
send POST /market/ticks '[{"symbol":"PETR4","price":"0.00000001","volume":"99999999.99999999","tick_time":"2026-11-26T12:00:00.000001Z","trade_id":900000001},
 {"symbol":"PETR4","price":"12345678.12345678","volume":"0.00000001","tick_time":"2026-11-26T12:00:00.000002Z","trade_id":900000002},
 {"symbol":"VALE3","price":"61.10","volume":"100","aggressor":"SELL","tick_time":"2026-11-26T12:59:59.999999Z","trade_id":900000003},
 {"symbol":"VALE3","price":"61.20","volume":"100","tick_time":"2026-11-26T13:00:00Z","trade_id":900000004}]'
expect_eq "edge ticks stored" "$CODE" 200
DC=$("$BIN" db url --module data_capture)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$DC" -c "$1"; }
sim_ticks() { sql "SELECT count(*) FROM data_capture.market_ticks WHERE source = 'sim'"; }
wait_for "5000 simulated ticks stored" '[ "$(sim_ticks)" -ge 5000 ]'
serve_stop # export starts the cluster itself when it is not running

F=2026-11-26T00:00:00Z
T=$(date -u -d '+1 day' +%FT%TZ)
run "$BIN" export parquet --table data_capture.market_ticks --from "$F" --to "$T" --out "$TMP/ticks.parquet"
expect_rc "export parquet" 0
expect_match "it says what it wrote and that it checked it" "$OUT" '^exported [0-9]+ rows of data_capture\.market_ticks .* verified\)$'
"$BIN" db start >/dev/null 2>&1
must_read want sql "SELECT count(*) || ' ' || to_char(sum(price * volume), 'FM999999999999999999990.0000000000000000') || ' ' ||
       to_char(min(tick_time) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || ' ' ||
       to_char(max(tick_time) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
       FROM data_capture.market_ticks WHERE tick_time >= '$F' AND tick_time < '$T'"
# read_back FILE: rows, exact sum(price x volume) and time bounds as hyparquet reads them
read_back() {
    $READ "$1" --rows 0 | node -e '
  const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const t = d.columns.find((c) => c.name === "tick_time");
  console.log([d.rows_read, d.sum_price_times_volume, t.min, t.max].join(" "));'
}
must_read got read_back "$TMP/ticks.parquet"
expect_eq "hyparquet reads what PostgreSQL holds: rows, exact sum(price x volume), time bounds" "$got" "$want"
[ "${want%% *}" -ge 5000 ] && ok "a real volume of ticks (${want%% *})" || not_ok "a real volume of ticks" "$want"
types=$($READ "$TMP/ticks.parquet" --rows 0 | node -e '
  const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(d.columns.map((c) => c.name + ":" + (c.logical_type ? c.logical_type.type + (c.logical_type.scale !== undefined ? "(" + c.logical_type.precision + "," + c.logical_type.scale + ")" : "") + (c.logical_type.isAdjustedToUTC ? "UTC" : "") : c.physical_type)).join(" "));')
expect_eq "logical types" "$types" "symbol:STRING tick_time:TIMESTAMPUTC trade_id:INT64 exchange:STRING price:DECIMAL(18,8) volume:DECIMAL(18,8) aggressor:STRING received_time:TIMESTAMPUTC source:STRING"

# [from, to): the tick at 13:00:00 is the next range's
run "$BIN" export parquet --table data_capture.market_ticks --from 2026-11-26T12:00:00.000002Z --to 2026-11-26T13:00:00Z --out "$TMP/hour.parquet"
expect_rc "an hour" 0
expect_eq "[from, to) holds the 2 ticks inside it" "$($READ "$TMP/hour.parquet" --rows 5 | node -e '
  const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(d.first_rows.map((r) => r.trade_id + "@" + r.price).join(","));')" "900000002@12345678.12345678,900000003@61.10000000"

run "$BIN" export parquet --table order_manager.trades --from "$F" --to "$T" --out "$TMP/trades.parquet"
expect_rc "another module's table (no rows is a valid file)" 0
expect_match "zero rows" "$OUT" '^exported 0 rows of order_manager\.trades'
expect_eq "read back: 0 rows" "$($READ "$TMP/trades.parquet" --rows 0 | node -e 'console.log(JSON.parse(require("fs").readFileSync(0,"utf8")).rows_read)')" 0

for bad in "csv --table data_capture.market_ticks" "parquet --table market_ticks --from $F --to $T --out x" \
           "parquet --table data_capture.market_ticks --from $T --to $F --out x" \
           "parquet --table data_capture.market_ticks --from yesterday --to $T --out x" \
           "parquet --table data_capture.instruments --from $F --to $T --out x" \
           "parquet --table data_capture.nope --from $F --to $T --out x" "parquet --table"; do
    run "$BIN" export $bad
    expect_rc "export $bad: exit 2" 2
    expect_eq "one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
done
run "$BIN" export parquet --table data_capture.market_ticks --from "$F" --to "$T" --out "$TMP/no/such/dir/x.parquet"
expect_rc "an unwritable path: exit 1" 1
expect_eq "and nothing left behind" "$(ls "$TMP/no" 2>/dev/null | wc -l)" 0
run "$BIN" export --help
expect_match "export --help" "$OUT" '^usage: tradingsystem export parquet'
"$BIN" db stop >/dev/null 2>&1
finish
