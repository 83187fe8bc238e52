#!/usr/bin/env bash
# bench/ingest/run.sh - tick ingestion, side by side on one database and table layout:
#   (a) raw COPY: psql \copy of N ticks (CSV) into a plain copy of market_ticks' layout
#       (no primary key, no partitions: the database's floor);
#   (b) raw COPY into data_capture.market_ticks itself (partitions and the natural key);
#   (c) our path: `tradingsystem replay FILE --format csv` (parse, check, INSERT .. SELECT
#       unnest() .. ON CONFLICT DO NOTHING in batches of 5,000, bars of late ticks rebuilt);
#   (d) the same file again through our path: every tick a duplicate (idempotency's cost).
# Prints rows/s for each and our path's ratio to (a) and (b). N=${N:-500000}, REPEATS=${REPEATS:-3}
# (medians). Usage: bash bench/ingest/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/bench/lib.sh"
bench_build
N=${N:-500000} REPEATS=${REPEATS:-3}
bench_home ingest 55457
server=
trap 'rc=$?; bench_stop_server; exit $rc' EXIT
"$bin" db start >/dev/null && "$bin" db migrate >/dev/null
DC=$("$bin" db url --module data_capture)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$DC" -c "$1"; }
sql "INSERT INTO data_capture.instruments (symbol, exchange, asset_class, name, tick_size)
     SELECT 'BEN' || g, 'B3', 'stock', 'Bench ' || g, 0.01 FROM generate_series(0, 9) g"
# yesterday's ticks, one partition, a microsecond apart
awk -v n="$N" 'BEGIN {
    print "symbol,tick_time,price,volume,aggressor,trade_id"
    for (i = 0; i < n; i++) {
        us = i; s = int(us / 1000000); u = us % 1000000
        printf "BEN%d,2026-11-26T13:%02d:%02d.%06dZ,%d.%02d,%d,%s,%d\n", i % 10, int(s / 60) % 60, s % 60, u, 20 + i % 50, i % 100, (i % 9 + 1) * 100, (i % 2 ? "BUY" : "SELL"), i
    }
}' >"$work/ticks.csv"
cut -d, -f1-6 "$work/ticks.csv" | awk -F, 'NR > 1 { print $1 "," $2 "," $6 ",B3," $3 "," $4 "," $5 }' >"$work/copy.csv"

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
rate() { echo $((N * 1000 / ($2 - $1))); }
declare -A R
for rep in $(seq "$REPEATS"); do
    sql "DROP TABLE IF EXISTS public.bench_plain; CREATE UNLOGGED TABLE public.bench_plain (LIKE data_capture.market_ticks INCLUDING DEFAULTS);
         ALTER TABLE public.bench_plain SET LOGGED; TRUNCATE data_capture.market_ticks; CHECKPOINT"
    t0=$(now_ms)
    sql "\\copy public.bench_plain (symbol, tick_time, trade_id, exchange, price, volume, aggressor) FROM '$work/copy.csv' WITH (FORMAT csv)"
    t1=$(now_ms)
    R[a]+="$(rate "$t0" "$t1") "
    t0=$(now_ms)
    sql "\\copy data_capture.market_ticks (symbol, tick_time, trade_id, exchange, price, volume, aggressor) FROM '$work/copy.csv' WITH (FORMAT csv)"
    t1=$(now_ms)
    R[b]+="$(rate "$t0" "$t1") "
    sql "TRUNCATE data_capture.market_ticks; CHECKPOINT"
    t0=$(now_ms)
    "$bin" replay "$work/ticks.csv" --format csv >"$work/replay.out" 2>"$work/replay.err"
    t1=$(now_ms)
    R[c]+="$(rate "$t0" "$t1") "
    [[ $(sql "SELECT count(*) FROM data_capture.market_ticks") == "$N" ]] || { echo "replay stored the wrong count" >&2; exit 1; }
    t0=$(now_ms)
    "$bin" replay "$work/ticks.csv" --format csv >"$work/replay2.out" 2>"$work/replay2.err"
    t1=$(now_ms)
    R[d]+="$(rate "$t0" "$t1") "
    [[ $(sql "SELECT count(*) FROM data_capture.market_ticks") == "$N" ]] || { echo "a second replay changed the count" >&2; exit 1; }
done
a=$(tr ' ' '\n' <<<"${R[a]}" | grep . | median) b=$(tr ' ' '\n' <<<"${R[b]}" | grep . | median)
c=$(tr ' ' '\n' <<<"${R[c]}" | grep . | median) d=$(tr ' ' '\n' <<<"${R[d]}" | grep . | median)
printf '\ningest, %s ticks, %s runs, medians (rows/s; one 2-core machine)\n' "$N" "$REPEATS"
printf '  (a) raw COPY, plain table (no key, no partitions)   %9s\n' "$a"
printf '  (b) raw COPY into market_ticks (key, partitions)    %9s\n' "$b"
printf '  (c) tradingsystem replay (new ticks)                %9s   x%s of (a), x%s of (b)\n' "$c" \
    "$(awk -v x="$c" -v y="$a" 'BEGIN { printf "%.2f", x / y }')" "$(awk -v x="$c" -v y="$b" 'BEGIN { printf "%.2f", x / y }')"
printf '  (d) the same file again (all duplicates)            %9s\n' "$d"
