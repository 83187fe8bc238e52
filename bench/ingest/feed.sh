#!/usr/bin/env bash
# bench/ingest/feed.sh - the market-data capture benchmark of issue 5, side by side on one
# database and table layout (data_capture.market_ticks: daily partitions, its key):
#   (a) raw binary COPY (psql \copy .. FORMAT binary) of N pre-generated sim ticks
#       (bench_simcopy: the sim's tape, seed 1) into market_ticks;
#   (b) the same kind of ticks through the whole program: `serve --feed sim` with
#       TS_SIM_RATE=max (generator -> bounded queue -> storer -> binary COPY, committed,
#       streamed and fed to the order manager), stored ticks/s over DURATION seconds;
#   ratio (b)/(a);
#   (c) at OFFERED ticks/s (default 50,000), the latency from a tick entering the program to
#       being visible to a SQL query (bench_visible polls every 1 ms), p50/p99, next to the
#       feed's own figure (GET /feed visible_ms: a batch's first tick -> committed);
#   (d) bytes per tick on disk after (a): heap + indexes of the partitions / rows.
# N=${N:-2000000}, DURATION=${DURATION:-10}, REPEATS=${REPEATS:-3} (medians), OFFERED=${OFFERED:-50000}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/bench/lib.sh"
bench_build bench_visible bench_simcopy
build=$BUILD_DIR
N=${N:-2000000} DURATION=${DURATION:-10} REPEATS=${REPEATS:-3} OFFERED=${OFFERED:-50000}
bench_home feed 55463
server=
PORT=$(bench_free_port 18470)
api=http://127.0.0.1:$PORT/api/v1
trap 'rc=$?; bench_stop_server; exit $rc' EXIT
"$bin" db start >/dev/null && "$bin" db migrate >/dev/null
DC=$("$bin" db url --module data_capture)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$DC" -c "$1"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
now_ms() { date +%s%3N; }
stored() { bcurl -s "$api/feed" | sed -nE 's/.*"stored":([0-9]+).*/\1/p'; }

# yesterday 13:00 UTC: one daily partition, made by db migrate
start=$(( $(date -u -d 'yesterday 13:00' +%s) ))
"$build/bench_simcopy" "$N" "$start" >"$work/ticks.bin"
cols="symbol, tick_time, trade_id, exchange, price, volume, aggressor, source, received_time"
declare -A R
for rep in $(seq "$REPEATS"); do
    sql "TRUNCATE data_capture.market_ticks; CHECKPOINT"
    t0=$(now_ms)
    sql "\\copy data_capture.market_ticks ($cols) FROM '$work/ticks.bin' WITH (FORMAT binary)"
    t1=$(now_ms)
    R[a]+="$((N * 1000 / (t1 - t0))) "
    if [[ $rep == 1 ]]; then
        read -r heap idx rows < <(sql "SELECT sum(pg_relation_size(i.inhrelid)), sum(pg_indexes_size(i.inhrelid)),
            (SELECT count(*) FROM data_capture.market_ticks) FROM pg_inherits i
            WHERE i.inhparent = 'data_capture.market_ticks'::regclass" | tr '|' ' ')
    fi
    sql "TRUNCATE data_capture.market_ticks; CHECKPOINT"
    TS_SIM_RATE=max bench_start_server --feed sim
    sleep 2
    s0=$(stored) t0=$(now_ms)
    sleep "$DURATION"
    s1=$(stored) t1=$(now_ms)
    R[b]+="$(( (s1 - s0) * 1000 / (t1 - t0) )) "
    bcurl -s "$api/feed" >"$work/feed_max_$rep.json"
    kill -TERM "$server"; wait "$server" 2>/dev/null || true; server= # the cluster stays (db start)
done

sql "TRUNCATE data_capture.market_ticks; CHECKPOINT"
TS_SIM_RATE=$OFFERED bench_start_server --feed sim
sleep 2
read -r vn vp50 vp99 vmax < <("$build/bench_visible" "$DC" PETR4 "$DURATION")
feed=$(bcurl -s "$api/feed")
gen=$(sed -nE 's/.*"generated":([0-9]+).*/\1/p' <<<"$feed") st=$(sed -nE 's/.*"stored":([0-9]+).*/\1/p' <<<"$feed")
fv=$(sed -nE 's/.*"visible_ms":\{"p50":([0-9.]+),"p99":([0-9.]+).*/p50 \1 ms, p99 \2 ms/p' <<<"$feed")
kill -TERM "$server"; wait "$server" 2>/dev/null || true; server=

a=$(tr ' ' '\n' <<<"${R[a]}" | grep . | median) b=$(tr ' ' '\n' <<<"${R[b]}" | grep . | median)
printf '\nmarket-data ingest, one 2-core machine, %s runs, medians (ticks/s)\n' "$REPEATS"
printf '  (a) raw binary COPY of %s sim ticks into market_ticks   %9s   runs: %s\n' "$N" "$a" "${R[a]}"
printf '  (b) serve --feed sim at max rate, stored over %s s       %9s   runs: %s\n' "$DURATION" "$b" "${R[b]}"
printf '      ratio (b)/(a)                                          x%s\n' "$(awk -v x="$b" -v y="$a" 'BEGIN { printf "%.2f", x / y }')"
printf '  (c) at %s ticks/s offered: generated %s, stored %s in total\n' "$OFFERED" "$gen" "$st"
printf '      tick -> visible to SQL (PETR4, %s ticks seen): p50 %s ms, p99 %s ms, max %s ms\n' "$vn" "$vp50" "$vp99" "$vmax"
printf '      the feed'"'"'s own (first tick of a batch -> committed): %s\n' "$fv"
printf '  (d) on disk after (a): heap %s B + indexes %s B for %s rows = %s bytes/tick (heap %s)\n' "$heap" "$idx" "$rows" \
    "$(( (heap + idx) / rows ))" "$(( heap / rows ))"
