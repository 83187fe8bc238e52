#!/usr/bin/env bash
# bench/stream/sim.sh - the streams issue's figure through the sim feed: `serve --feed sim`
# at TS_SIM_RATE ticks/s (default 50,000), CLIENTS (50) WebSocket clients subscribed to the
# ticks of 10 of its symbols; prints ticks/s generated and stored, messages/s delivered,
# tick-to-client latency p50/p99 (from the tick's time, stamped when the sim makes it, to
# the client handling it; target p99 <= 50 ms), server CPU, and the order path p50/p99 alone
# and while this runs. One run of DURATION (15) s per phase. Usage: bash bench/stream/sim.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/bench/lib.sh"
bench_build
DURATION=${DURATION:-15} CLIENTS=${CLIENTS:-50} RATE=${TS_SIM_RATE:-50000}
bench_home sim 55455
export TS_SIM_RATE=$RATE
server=
trap 'rc=$?; bench_stop_server; exit $rc' EXIT
PORT=$(bench_free_port "${PORT:-18460}")
api=http://127.0.0.1:$PORT/api/v1
now_ms() { date +%s%3N; }
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
feed() { bcurl -s "$api/feed" | sed -nE 's/.*"'"$1"'":([0-9]+).*/\1/p'; }

bench_start_server --feed sim || { echo "the server did not start" >&2; exit 1; }
bcurl -sf -o /dev/null -X POST "$api/instruments" -H 'Content-Type: application/json' -d '{"symbol":"BENCH3","asset_class":"stock","name":"Bench","lot_size":1,"tick_size":0.01}'
account=$(bcurl -s "$api/accounts" | sed -nE 's/^\[\{"id":"([^"]+)".*/\1/p')
strategy=$(bcurl -s "$api/strategies" | sed -nE 's/^\[\{"id":"([^"]+)".*/\1/p')
symbols=PETR4,VALE3,ITUB4,BBDC4,ABEV3,B3SA3,BBAS3,WEGE3,RENT3,SUZB3
cd "$here"

# the order path alone is measured against a running sim too: what changes is the streams
start=$(($(now_ms) + 1000)); end=$((start + DURATION * 1000))
node orders.mjs --url="$api" --account="$account" --strategy="$strategy" --symbol=BENCH3 --ref=a \
    --start="$start" --end="$end" >"$work/alone.txt"
start=$(($(now_ms) + 3000)); end=$((start + DURATION * 1000))
node clients.mjs --url="ws://127.0.0.1:$PORT/api/v1/stream" --clients="$CLIENTS" --symbols="$symbols" \
    --start="$start" --end="$end" >"$work/clients.txt" &
cpid=$!
node orders.mjs --url="$api" --account="$account" --strategy="$strategy" --symbol=BENCH3 --ref=l \
    --start="$start" --end="$end" >"$work/load.txt" &
opid=$!
while (($(now_ms) < start)); do sleep 0.02; done
g0=$(feed generated) s0=$(feed stored) c0=$(ticks)
while (($(now_ms) < end)); do sleep 0.02; done
g1=$(feed generated) s1=$(feed stored) c1=$(ticks)
wait "$opid" || { echo "the order client failed" >&2; exit 1; }
wait "$cpid" || { cat "$work/clients.txt" >&2; echo "the stream clients failed" >&2; exit 1; }
kv() { sed -nE "s/.*(^| )$2=([^ ]+).*/\2/p" "$1"; }
hz=$(getconf CLK_TCK)
printf '\nsim feed at %s ticks/s, %s clients x 10 symbols, %s s (one machine, 2 cores)\n' "$RATE" "$CLIENTS" "$DURATION"
printf '  ticks generated/s %s, stored/s %s, backpressure waits %s\n' "$(((g1 - g0) / DURATION))" "$(((s1 - s0) / DURATION))" "$(feed backpressure_waits)"
printf '  tick -> client: p50 %s ms, p99 %s ms (target p99 <= 50 ms); messages/s out %s\n' \
    "$(kv "$work/clients.txt" p50)" "$(kv "$work/clients.txt" p99)" "$(kv "$work/clients.txt" msgs_s)"
printf '  server CPU %s%% of one core\n' "$(((c1 - c0) * 100 / hz / DURATION))"
printf '  order path p50/p99 ms: alone %s / %s, under this load %s / %s\n' \
    "$(kv "$work/alone.txt" p50)" "$(kv "$work/alone.txt" p99)" "$(kv "$work/load.txt" p50)" "$(kv "$work/load.txt" p99)"
printf '  clients: %s\n' "$(cat "$work/clients.txt")"
