#!/usr/bin/env bash
# tradingsystem retention (docs/operations.md "Retention"): a partition past its table's
# retention leaves the database only as a verified Parquet file (read back by hyparquet with
# the rows and sums PostgreSQL had); a failed export keeps the partition and says why; newer
# partitions and tables without a retention are untouched.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55451
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
SRC=${TS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cleanup_hooks+=("'$BIN' db stop >/dev/null 2>&1")
"$BIN" db start >/dev/null 2>&1 && "$BIN" db migrate >/dev/null 2>&1
DC=$("$BIN" db url --module data_capture)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$DC" -c "$1"; }
old=$(sql "SELECT public.ts_partition_ensure('data_capture.market_ticks', now() - interval '40 days')")
sql "INSERT INTO data_capture.market_ticks (symbol, tick_time, trade_id, exchange, price, volume, aggressor)
     SELECT 'PETR4', lower + g * interval '1 ms', g, 'B3', 30 + g * 0.01, g % 7 + 1, 'BUY'
     FROM public.ts_partitions('data_capture.market_ticks') p, generate_series(1, 1000) g
     WHERE p.partition = '$old'::regclass;
     INSERT INTO data_capture.market_ticks (symbol, tick_time, trade_id, exchange, price, volume, aggressor)
     SELECT 'VALE3', now() - g * interval '1 s', g, 'B3', 61, 100, 'SELL' FROM generate_series(1, 10) g"
want=$(sql "SELECT count(*) || ' ' || to_char(sum(price * volume), 'FM999999999990.0000000000000000') FROM $old")

run "$BIN" retention run --dry-run
expect_rc "dry run" 0
expect_eq "it lists only the expired partition" "$OUT" \
    "would archive $old [$(sql "SELECT to_char(lower AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ', ' || to_char(upper AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM public.ts_partitions('data_capture.market_ticks') WHERE partition = '$old'::regclass")) of data_capture.market_ticks (retention 30 days)"

# a failed export keeps the partition
mkdir -p "$TS_HOME" && : >"$TS_HOME/archive" # a file where the archive directory should be
run "$BIN" retention run
expect_rc "an export that cannot be written: exit 1" 1
expect_match "the partition is kept, and why" "$ERR" "^tradingsystem: $old kept: cannot create .*/archive/data_capture.market_ticks: Not a directory"
expect_eq "its rows are all there" "$(sql "SELECT count(*) || ' ' || to_char(sum(price * volume), 'FM999999999990.0000000000000000') FROM $old")" "$want"
rm "$TS_HOME/archive"

run "$BIN" retention run
expect_rc "retention run" 0
file=$TS_HOME/archive/data_capture.market_ticks/${old#data_capture.}.parquet
expect_eq "archived, verified, dropped" "$OUT" "archived $old: 1000 rows to $file (verified), partition dropped"
expect_eq "the partition is gone" "$(sql "SELECT to_regclass('$old') IS NULL")" t
expect_eq "export_log records the verified export, its SHA-256, and the drop" \
    "$(sql "SELECT row_count || ' ' || checksum || ' ' || (verified_at IS NOT NULL) || ' ' || (dropped_at IS NOT NULL) || ' ' || file_path FROM data_capture.export_log")" \
    "1000 $(sha256sum "$file" | cut -d' ' -f1) true true $file"
got=$(node "$SRC/tests/parquet/read_back.mjs" "$file" --rows 0 | node -e '
  const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(d.rows_read + " " + d.sum_price_times_volume);')
expect_eq "hyparquet reads the rows and sum(price x volume) PostgreSQL had" "$got" "$want"
expect_eq "newer ticks untouched" "$(sql "SELECT count(*) FROM data_capture.market_ticks")" 10
run "$BIN" retention run
expect_eq "a second run has nothing to do" "$RC:$OUT" "0:"

run "$BIN" retention set data_capture.market_ticks off
expect_eq "retention off" "$RC:$OUT" "0:retention of data_capture.market_ticks: off"
run "$BIN" retention set data_capture.instruments "1 day"
expect_rc "not a partitioned table: exit 2" 2
run "$BIN" retention set data_capture.market_ticks "soon"
expect_rc "not an interval: exit 2" 2
expect_match "with the database's reason" "$ERR" 'invalid input syntax for type interval: "soon"'
run "$BIN" retention purge
expect_rc "unknown action: exit 2" 2
finish
