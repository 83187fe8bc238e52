#!/usr/bin/env bash
# run.sh - WebSocket fan-out of ticks (streams issue: p99 <= 50 ms tick-to-client at 50,000
# ticks/s), and what that load does to the order path. In one run, on one fresh embedded
# cluster, REPEATS times (interleaved, so the machine's noise falls on both alike):
#   order path alone   orders.mjs: 1 client, POST /api/v1/orders one after the other (LIMIT BUY
#                      1 @ 1.00 of ORDER_SYMBOL, default BEN0, a new order_ref each, nothing
#                      fills: every order rests), DURATION s
#   under stream load  the same orders.mjs, at the same time as
#                      clients.mjs  CLIENTS WebSocket clients (one node process) on
#                                   /api/v1/stream, each subscribed to ticks:BEN0..BEN9
#                      gen.mjs      POST /api/v1/market/ticks as fast as the server answers:
#                                   INFLIGHT requests outstanding, BATCH ticks each, tick_time
#                                   = the batch's send time (microseconds), price 10.xx (no
#                                   fill), trade_id unique and increasing
# and prints the medians: ticks/s stored (from the 200 answers, sum of "stored"), Tick
# messages/s delivered to all clients together and per client (median client), latency from
# a tick's tick_time to its client handling the message (p50/p99, over every delivered tick
# sent inside the window), the server process's CPU (utime+stime from /proc/PID/stat over
# the window, % of one core; PostgreSQL is separate processes, shown apart), and the order
# path's p99 alone and under the stream load, side by side. Every phase starts with no
# working order (the kill switch cancels the previous phases' orders, then is released): the
# paper venue looks at every working order for every tick (src/oms/oms.c, ticks()), so the
# orders the order path leaves resting make each tick dearer, run after run.
#
# Reading it: market topics are conflated per client (the newest value of each topic is
# kept for a client slower than the market), so a client gets at most one message per topic
# per write opportunity: msgs/s out is what the server managed to write, not ticks x clients.
# The latency includes storing the tick's batch in PostgreSQL (the server publishes a tick
# after its INSERT): a 1000-tick batch is stamped when sent, so every tick waits for the
# whole batch. There is no simulated feed yet, so the ingest rate is whatever POST
# /market/ticks sustains here; it is printed next to the issue's 50,000 ticks/s. Server,
# database, clients and load generator share the machine (both cores): read the CPU
# columns with that in mind.
#
# Needs: a build (BUILD_DIR, default build/; configured and built when the binary is missing),
# node 20 with the npm package ws in node_modules (npm install), psql, curl, ss. Settings
# (environment): DURATION=15 (seconds per measurement), REPEATS=3, CLIENTS=50, SYMBOLS=10,
# INFLIGHT=4, BATCH=1000, ORDER_SYMBOL=BEN0 (the order path's instrument; created when it is
# not one of the tick symbols), PORT=18460 (HTTP; the next free one is taken), TS_PG_PORT=55452,
# KEEP_LOGS=dir (keeps the processes' output and the server's log). About 2 minutes.
# Starts its own server with its own TS_HOME (a temporary directory; TS_TRADING_HOURS=off and
# TS_EOD_TIME=off) and removes both on exit, Ctrl-C included. Exits non-zero when the server
# does not start, a client gets an error or a close, or any request fails (an answer other
# than 200 for ticks, 201 for orders).
set -euo pipefail -E
trap 'echo "bench/stream/run.sh: line $LINENO: failed: $BASH_COMMAND" >&2' ERR

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/bench/lib.sh"
DURATION=${DURATION:-15}
DURATION=${DURATION%s}
REPEATS=${REPEATS:-3}
CLIENTS=${CLIENTS:-50}
SYMBOLS=${SYMBOLS:-10}
INFLIGHT=${INFLIGHT:-4}
BATCH=${BATCH:-1000}
PORT=${PORT:-18460}
ORDER_SYMBOL=${ORDER_SYMBOL:-BEN0}
TARGET_RATE=50000 # ticks/s, the issue's
TARGET_P99=50     # ms, the issue's

die() { echo "bench/stream/run.sh: $*" >&2; exit 1; }
for v in DURATION REPEATS CLIENTS SYMBOLS INFLIGHT BATCH; do
    [[ ${!v} =~ ^[0-9]+$ && ${!v} -gt 0 ]] || die "$v must be a positive number, not '${!v}'"
done
[[ $ORDER_SYMBOL =~ ^[A-Z0-9]+$ ]] || die "ORDER_SYMBOL: upper-case letters and digits, not '$ORDER_SYMBOL'"
((SYMBOLS <= 64)) || die "SYMBOLS: at most 64 market topics per connection"
((BATCH <= 8000)) || die "BATCH: at most 8000 ticks fit the server's 1 MiB body limit"
for tool in node psql curl ss; do
    command -v "$tool" >/dev/null || die "$tool is missing: bash scripts/deps.sh --bench"
done
[[ -f $root/node_modules/ws/index.js ]] || die "the npm package ws is missing: npm install (in $root)"

bench_build

bench_home stream 55452
server=
helpers=()

cleanup() {
    local rc=$?
    local p
    for p in "${helpers[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${helpers[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    bench_stop_server
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the server ----
PORT=$(bench_free_port "$PORT")
base=http://127.0.0.1:$PORT
api=$base/api/v1
echo "== stream fan-out (bench/stream): $CLIENTS WebSocket clients x $SYMBOLS tick topics," \
    "POST /market/ticks at full speed ($INFLIGHT in flight x $BATCH ticks), order path alongside"
echo "== start: tradingsystem serve --addr 127.0.0.1:$PORT (TS_HOME=$TS_HOME, TS_PG_PORT=$TS_PG_PORT)"
cd "$root"
bench_start_server || die "the server did not answer 200 on $api/health"
dburl=$("$bin" db url --module order_manager)
mdurl=$("$bin" db url --module data_capture)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "${2:-$dburl}" -c "$1"; }
pmfile=$TS_HOME/pg/postmaster.pid
[[ -f $pmfile ]] || pmfile=$(find "$TS_HOME" -name postmaster.pid -print -quit 2>/dev/null || true)
postmaster=$(head -1 "$pmfile" 2>/dev/null || true)
[[ $postmaster =~ ^[0-9]+$ ]] || die "cannot find the cluster's postmaster.pid under $TS_HOME"

# POST JSON to PATH, expect 201, print the answer's "id"
create() {
    local out code
    out=$(bcurl -s -w '\n%{http_code}' -H 'Content-Type: application/json' \
        --data-binary "$2" "$api$1") || die "POST $1: curl failed"
    code=${out##*$'\n'}
    out=${out%$'\n'*}
    [[ $code == 201 ]] || die "POST $1 answered $code: $out"
    sed -nE 's/^\{"id":"([0-9a-f-]{36})".*/\1/p' <<<"$out"
}
# POST JSON to PATH, expect 200, print the answer
post200() {
    local out code
    out=$(bcurl -s -w '\n%{http_code}' -H 'Content-Type: application/json' \
        --data-binary "$2" "$api$1") || die "POST $1: curl failed"
    code=${out##*$'\n'}
    out=${out%$'\n'*}
    [[ $code == 200 ]] || die "POST $1 answered $code: $out"
    echo "$out"
}
# Every order of the order path rests (BUY @ 1.00, ticks trade at 10.xx), and the paper venue
# looks at every working order for every tick (src/oms/oms.c, ticks()): left alone, each
# phase would start with the previous phases' orders and slow down run after run. So each
# phase starts with none: the kill switch cancels every working order, then is released.
clear_orders() {
    local n
    n=$(post200 /risk/kill-switch '{"active":true,"reason":"bench/stream: clear working orders"}' |
        sed -nE 's/.*"canceled":([0-9]+).*/\1/p')
    post200 /risk/kill-switch '{"active":false,"reason":"bench/stream: measure"}' >/dev/null
    [[ -n $n ]] || die "the kill switch did not say how many orders it canceled"
}
symbols=
for i in $(seq 0 $((SYMBOLS - 1))); do
    create /instruments '{"symbol":"BEN'"$i"'","asset_class":"stock","name":"Bench '"$i"'","lot_size":1,"tick_size":0.01}' >/dev/null
    symbols+=${symbols:+,}BEN$i
done
case ,$symbols, in
*,"$ORDER_SYMBOL",*) ;;
*) create /instruments '{"symbol":"'"$ORDER_SYMBOL"'","asset_class":"stock","name":"Bench orders","lot_size":1,"tick_size":0.01}' >/dev/null ;;
esac
account=$(create /accounts '{"name":"bench","broker_account":"B-1"}')
strategy=$(create /strategies '{"name":"bench","strategy_type":"MANUAL","status":"ACTIVE"}')
[[ -n $account && -n $strategy ]] || die "no id in the answers for the account or the strategy"
# one order through the whole path before measuring: 201 or stop here
create /orders '{"order_ref":"probe-1","account_id":"'"$account"'","strategy_id":"'"$strategy"'","symbol":"'"$ORDER_SYMBOL"'","side":"BUY","order_type":"LIMIT","quantity":"1","price":"1.00","position_type":"DAY_TRADE"}' >/dev/null

# ---- helpers ----
now_ms() { date +%s%3N; }
sleep_until() { # epoch ms
    local d=$(($1 - $(now_ms)))
    if ((d > 0)); then sleep "$(awk -v d="$d" 'BEGIN { printf "%.3f", d / 1000 }')"; fi
}
hz=$(getconf CLK_TCK)
# utime+stime of a process, in clock ticks (fields 14 and 15; the name may hold spaces)
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# the cluster: the postmaster with its reaped children, and every live child
pg_ticks() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$postmaster" '
        { pid = $1; sub(/^.*\) /, "") }
        pid == pm { s += $12 + $13 + $14 + $15 }
        $2 == pm  { s += $12 + $13 }
        END { print s + 0 }'
}
cpu_pct() { # ticks_before ticks_after seconds
    awk -v a="$1" -v b="$2" -v s="$3" -v hz="$hz" 'BEGIN { printf "%.0f", (b - a) / hz / s * 100 }'
}
field() { # name file -> value of name=value on the file's last line
    tail -1 "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'
}
has() { # file name...: dies unless every name=NUMBER is on the file's last line
    local f=$1 k v
    shift
    for k in "$@"; do
        v=$(field "$k" "$f")
        [[ $v =~ ^-?[0-9.]+(e[-+]?[0-9]+)?$ ]] || die "no figure '$k' in $(basename "$f"): $(tail -3 "$f")"
    done
}
f0() { printf '%.0f' "$1"; }
f2() { printf '%.2f' "$1"; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# node PROCESS.mjs ARGS... in the background, output to FILE; its pid in $!
spawn() {
    local out=$1
    shift
    node "$here/$1" "${@:2}" >"$out" 2>"$out.err" &
    helpers+=($!)
}
check_server() { kill -0 "$server" 2>/dev/null || { tail -20 "$work/serve.err" >&2; die "the server died"; }; }
# waits for a helper; dies with its errors when it failed
reap() { # pid what file
    if ! wait "$1"; then
        cat "$3.err" >&2 || true
        check_server
        die "$2 failed"
    fi
}

declare -A r=()
add() { r[$1]="${r[$1]:-} $2"; } # key value: one more run's figure
med() { echo "${r[$1]}" | median; }

# ---- measure ----
echo "== measure: $REPEATS runs x 2 loads, ${DURATION} s each; node $(node --version)," \
    "ws $(sed -nE 's/^ *"version": "([^"]+)".*/\1/p' "$root/node_modules/ws/package.json")"
for rep in $(seq "$REPEATS"); do
    # the order path alone
    clear_orders
    sql "CHECKPOINT" >/dev/null
    start=$(($(now_ms) + 500))
    end=$((start + DURATION * 1000))
    o=$work/orders-alone-$rep.txt
    spawn "$o" orders.mjs --url="$api" --account="$account" --strategy="$strategy" --symbol="$ORDER_SYMBOL" \
        --ref="a$rep" --start="$start" --end="$end"
    pid=$!
    sleep_until "$start"
    s0=$(proc_ticks "$server")
    sleep_until "$end"
    s1=$(proc_ticks "$server")
    reap "$pid" "the order path alone (run $rep)" "$o"
    check_server
    has "$o" per_s p50 p99
    add alone_p50 "$(field p50 "$o")"
    add alone_p99 "$(field p99 "$o")"
    add alone_cpu "$(cpu_pct "$s0" "$s1" "$DURATION")"
    printf '   run %d  order path alone        %6.0f orders/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %3s%%  (%s orders resting at the end)\n' \
        "$rep" "$(field per_s "$o")" "$(field p50 "$o")" "$(field p99 "$o")" "$(cpu_pct "$s0" "$s1" "$DURATION")" "$(field orders "$o")"

    # the stream load, the order path alongside
    clear_orders
    sql "CHECKPOINT" >/dev/null
    start=$(($(now_ms) + 3000))
    end=$((start + DURATION * 1000))
    c=$work/clients-$rep.txt g=$work/gen-$rep.txt o=$work/orders-load-$rep.txt
    rm -f "$work/ready"
    spawn "$c" clients.mjs --url="ws://127.0.0.1:$PORT/api/v1/stream" --clients="$CLIENTS" \
        --symbols="$symbols" --start="$start" --end="$end" --ready="$work/ready"
    cpid=$!
    while [[ ! -f $work/ready ]]; do
        if ! kill -0 "$cpid" 2>/dev/null; then reap "$cpid" "the clients (run $rep)" "$c"; fi
        (($(now_ms) < start)) || { cat "$c.err" >&2; die "the clients did not subscribe in 3 s"; }
        sleep 0.05
    done
    spawn "$g" gen.mjs --url="$api" --symbols="$symbols" --start="$start" --end="$end" \
        --trade_id="$((rep * 1000000000))" --inflight="$INFLIGHT" --batch="$BATCH"
    gpid=$!
    spawn "$o" orders.mjs --url="$api" --account="$account" --strategy="$strategy" --symbol="$ORDER_SYMBOL" \
        --ref="l$rep" --start="$start" --end="$end"
    opid=$!
    sleep_until "$start"
    s0=$(proc_ticks "$server") p0=$(pg_ticks)
    sleep_until "$end"
    s1=$(proc_ticks "$server") p1=$(pg_ticks)
    reap "$gpid" "the load generator (run $rep)" "$g"
    reap "$opid" "the order path under load (run $rep)" "$o"
    reap "$cpid" "the clients (run $rep)" "$c"
    check_server
    helpers=()
    has "$g" ticks_s batch_p50 batch_p99 cpu
    has "$c" msgs_s client_med_s client_min_s p50 p99 max samples cpu
    has "$o" per_s p50 p99
    for k in ticks_s batch_p50 batch_p99; do add "$k" "$(field "$k" "$g")"; done
    for k in msgs_s client_med_s client_min_s p50 p99 max samples; do add "c_$k" "$(field "$k" "$c")"; done
    add load_p50 "$(field p50 "$o")"
    add load_p99 "$(field p99 "$o")"
    add srv_cpu "$(cpu_pct "$s0" "$s1" "$DURATION")"
    add pg_cpu "$(cpu_pct "$p0" "$p1" "$DURATION")"
    add cli_cpu "$(field cpu "$c")"
    add gen_cpu "$(field cpu "$g")"
    printf '   run %d  under stream load       %6.0f orders/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %3s%%  (%s orders resting at the end)\n' \
        "$rep" "$(field per_s "$o")" "$(field p50 "$o")" "$(field p99 "$o")" "$(cpu_pct "$s0" "$s1" "$DURATION")" "$(field orders "$o")"
    printf '          ticks %6.0f/s in (batch p50 %.1f p99 %.1f ms); %7.0f msgs/s out, per client %.0f (min %.0f);' \
        "$(field ticks_s "$g")" "$(field batch_p50 "$g")" "$(field batch_p99 "$g")" \
        "$(field msgs_s "$c")" "$(field client_med_s "$c")" "$(field client_min_s "$c")"
    printf ' tick-to-client p50 %.1f p99 %.1f max %.1f ms\n' \
        "$(field p50 "$c")" "$(field p99 "$c")" "$(field max "$c")"
    printf '          CPU: PostgreSQL %s%%, clients %s%%, generator %s%% (of one core)\n' \
        "$(cpu_pct "$p0" "$p1" "$DURATION")" "$(f0 "$(field cpu "$c")")" "$(f0 "$(field cpu "$g")")"
done

# ---- results ----
rate=$(med ticks_s)
p99=$(med c_p99)
echo
echo "== results: medians of $REPEATS runs of ${DURATION} s, $(date -u '+%Y-%m-%d %H:%M UTC');" \
    "$(nproc) cpus, $(uname -sr); server, database, clients and load generator on the same machine"
printf '%-34s %10s %10s %10s %7s %7s %12s %15s %20s\n' "stream fan-out, ${DURATION} s x$REPEATS, medians" \
    "ticks/s in" "msgs/s out" "per client" "p50 ms" "p99 ms" "server CPU %" "order p99 alone" \
    "order p99 under load"
printf '%-34s %10s %10s %10s %7s %7s %12s %15s %20s\n' "$CLIENTS clients x $SYMBOLS symbols" \
    "$(f0 "$rate")" "$(f0 "$(med c_msgs_s)")" "$(f0 "$(med c_client_med_s)")" "$(f2 "$(med c_p50)")" \
    "$(f2 "$p99")" "$(f0 "$(med srv_cpu)")" "$(f2 "$(med alone_p99)")" "$(f2 "$(med load_p99)")"
echo "   target (streams issue): p99 <= $TARGET_P99 ms tick-to-client at $TARGET_RATE ticks/s;" \
    "achieved here: $(f0 "$rate") ticks/s in ($(awk -v a="$rate" -v t="$TARGET_RATE" 'BEGIN { printf "%.0f%%", a / t * 100 }') of the target rate," \
    "POST /market/ticks at $INFLIGHT x $BATCH, no simulated feed yet), p99 $(f2 "$p99") ms" \
    "($(awk -v p="$p99" -v t="$TARGET_P99" 'BEGIN { print (p <= t ? "within" : "over") }') $TARGET_P99 ms at this rate)"
echo "   order path (1 client): p50 $(f2 "$(med alone_p50)") ms alone, $(f2 "$(med load_p50)") ms under load;" \
    "p99 $(f2 "$(med alone_p99)") ms alone, $(f2 "$(med load_p99)") ms under load"
echo "   ticks batch round trip: p50 $(f2 "$(med batch_p50)") ms, p99 $(f2 "$(med batch_p99)") ms;" \
    "slowest client $(f0 "$(med c_client_min_s)") msgs/s; latency samples per run $(f0 "$(med c_samples)")," \
    "max $(f2 "$(med c_max)") ms"
echo "   CPU (% of one core, 200% = both cores): server $(f0 "$(med srv_cpu)") (alone: $(f0 "$(med alone_cpu)"))," \
    "PostgreSQL $(f0 "$(med pg_cpu)"), clients $(f0 "$(med cli_cpu)"), generator $(f0 "$(med gen_cpu)")"
echo "   ticks/s in: sum of \"stored\" of the 200 answers over the time to the last answer;" \
    "msgs/s out: Tick messages received by all clients in the window; latency: tick_time (the"
echo "   batch's send time) to the client handling the message, ticks sent in the window;" \
    "market topics are conflated, so msgs/s out is bounded by write opportunities, not ticks x clients"
echo "   rows written: $(sql "SELECT count(*) FROM data_capture.market_ticks" "$mdurl") ticks," \
    "$(sql "SELECT count(*) FROM order_manager.orders") orders"
