#!/usr/bin/env bash
# run.sh - the order path of the order manager, measured against the database alone
# (order-manager issue, benchmarks (a) and (b)). In one run, on one fresh embedded cluster:
#   SQL baseline     pgbench -M prepared -f place.sql: per order one transaction that sets
#                    app.actor, inserts the order PENDING, updates it to SUBMITTED and inserts
#                    its outbox row (the statements of src/oms/load.c), one statement after the
#                    other; no HTTP, no order manager
#   SQL pipelined    the same transaction in a pgbench pipeline: one round trip, as the order
#                    manager sends a batch (src/oms/txn.c)
#   POST /orders     wrk -s place.lua against `tradingsystem serve`: LIMIT BUY 1 @ 1.00 of a
#                    lot-1 instrument, nothing fills, every request a new order_ref
# each at 1 client and at 32, REPEATS times for DURATION each (interleaved, so the machine's
# noise falls on all alike), and prints the medians: per second, p50, p99, mean, and the
# ratio of POST to SQL at the same client count; then, from GET /api/v1/metrics, the order
# manager's own latency histogram and its group-commit factor (commands per batch).
#
# Differences worth knowing when reading the ratio: the order manager also looks up the
# batch's new order_refs (one SELECT per batch, before its transaction) and reads every new
# order back inside the transaction (its 201 answer); a batch holds at most as many
# placements as there are HTTP worker threads (HTTP_WORKERS, src/app/main.c). Both sides run
# on the same cluster, durable (fsync and synchronous_commit on), with a CHECKPOINT before
# every measurement.
#
# Needs: a build (BUILD_DIR, default build/; configured and built when the binary is missing),
# wrk, pgbench and psql (postgresql-15, postgresql-client-15), curl, ss: `bash
# scripts/deps.sh --bench`. Settings (environment): DURATION=10 (seconds per measurement),
# REPEATS=3, CLIENTS="1 32", PORT=18450 (HTTP; the next free one is taken), TS_PG_PORT=55450,
# KEEP_LOGS=dir (keeps wrk/pgbench output and the server's log). About 3.5 minutes.
# Starts its own server with its own TS_HOME (a temporary directory; TS_TRADING_HOURS=off and
# TS_EOD_TIME=off, so no clock refuses or expires an order) and removes both on exit, Ctrl-C
# included. Exits non-zero when the server does not start, or any transaction or request
# fails (pgbench errors, wrk socket errors, an answer other than 201).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/bench/lib.sh"
DURATION=${DURATION:-10}
DURATION=${DURATION%s}
REPEATS=${REPEATS:-3}
CLIENTS=${CLIENTS:-1 32}
PORT=${PORT:-18450}

die() { echo "bench/orders/run.sh: $*" >&2; exit 1; }
[[ $DURATION =~ ^[0-9]+$ && $DURATION -gt 0 ]] || die "DURATION must be a number of seconds, not '$DURATION'"
[[ $REPEATS =~ ^[0-9]+$ && $REPEATS -gt 0 ]] || die "REPEATS must be a positive number, not '$REPEATS'"

pgbench=${PGBENCH:-}
for p in /usr/lib/postgresql/{17,16,15}/bin/pgbench; do
    if [[ -z $pgbench && -x $p ]]; then pgbench=$p; fi
done
[[ -n $pgbench ]] || pgbench=$(command -v pgbench || true)
[[ -n $pgbench ]] || die "pgbench is missing: bash scripts/deps.sh --bench"
for tool in wrk psql curl ss; do
    command -v "$tool" >/dev/null || die "$tool is missing: bash scripts/deps.sh --bench"
done

bench_build

bench_home orders 55450
server=

cleanup() {
    local rc=$?
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
echo "== order path (bench/orders): POST /api/v1/orders against the same writes in SQL"
echo "== start: tradingsystem serve --addr 127.0.0.1:$PORT (TS_HOME=$TS_HOME, TS_PG_PORT=$TS_PG_PORT)"
cd "$root"
bench_start_server || die "the server did not answer 200 on $api/health"
dburl=$("$bin" db url --module order_manager)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$dburl" -c "$1"; }

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
create /instruments '{"symbol":"BENCH3","asset_class":"stock","name":"Bench","lot_size":1,"tick_size":0.01}' >/dev/null
account=$(create /accounts '{"name":"bench","broker_account":"B-1"}')
strategy=$(create /strategies '{"name":"bench","strategy_type":"MANUAL","status":"ACTIVE"}')
[[ -n $account && -n $strategy ]] || die "no id in the answers for the account or the strategy"
# one order through the whole path before measuring: 201 and SUBMITTED, or stop here
probe=$(create /orders '{"order_ref":"probe-1","account_id":"'"$account"'","strategy_id":"'"$strategy"'","symbol":"BENCH3","side":"BUY","order_type":"LIMIT","quantity":"1","price":"1.00","position_type":"DAY_TRADE"}')
[[ $(sql "SELECT status FROM order_manager.orders WHERE id = '$probe'") == SUBMITTED ]] ||
    die "the probe order is not SUBMITTED"

# the pipelined twin of place.sql
sed -e 's/^BEGIN;$/\\startpipeline\nBEGIN;/' -e 's/^COMMIT;$/COMMIT;\n\\endpipeline/' \
    "$here/place.sql" >"$work/place_pipeline.sql"
grep -q '^\\endpipeline' "$work/place_pipeline.sql" || die "cannot make the pipelined script"

# ---- helpers ----
# latency as printed by wrk (us, ms, s) -> microseconds
to_us() {
    awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "ms") n *= 1000; else if (u == "s") n *= 1000000; else if (u == "m") n *= 60000000
        printf "%.0f", n }'
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
# the counters and histogram lines of /api/v1/metrics as "name value"
# (bucket{le="0.000100"} becomes bucket_le_0.000100)
metrics() {
    bcurl -s --max-time 5 "$api/metrics" |
        awk '!/^#/ && NF == 2 { sub(/\{le="/, "_le_", $1); sub(/"\}$/, "", $1); print $1, $2 }'
}
# waits until the order manager has answered everything (wrk leaves requests in flight)
settle() {
    local a b
    a=$(metrics | awk '$1 == "ts_oms_commands_total" { print $2 }')
    for _ in $(seq 50); do
        sleep 0.2
        b=$(metrics | awk '$1 == "ts_oms_commands_total" { print $2 }')
        [[ $a == "$b" ]] && return
        a=$b
    done
}

declare -A tps=() p50=() p99=() avg=() mdelta=()
loads=()
for c in $CLIENTS; do
    loads+=("sql|$c" "pipe|$c" "post|$c")
done
label() {
    local what=${1%|*} c=${1#*|} s=s
    [[ $c == 1 ]] && s=
    case $what in
    sql) echo "SQL baseline, $c client$s" ;;
    pipe) echo "SQL pipelined, $c client$s" ;;
    post) echo "POST /orders, $c client$s" ;;
    esac
}

run_pgbench() { # key script clients run -> tps p50 p99 avg (us)
    local key=$1 script=$2 c=$3 run=$4 threads=1 out dir
    ((c > 1)) && threads=2
    dir=$work/pgbench-$run
    mkdir -p "$dir"
    out=$dir/out.txt
    "$pgbench" -n -M prepared -c "$c" -j "$threads" -T "$DURATION" \
        -D n=0 -D run="$run" -D account_id="$account" -D strategy_id="$strategy" \
        -f "$script" -l --log-prefix="$dir/tx" "$dburl" >"$out" 2>&1 ||
        die "pgbench failed ($(label "$key"), run $run): $(tail -5 "$out")"
    grep -q '^number of failed transactions: 0 ' "$out" ||
        die "pgbench reported failed transactions ($(label "$key")): $(grep -i fail "$out")"
    local t
    t=$(awk '/^tps = / { printf "%.0f", $3 }' "$out")
    # per-transaction log: client tx_no latency_us script epoch us
    cat "$dir"/tx.* | awk '{ print $3 }' | sort -n | awk -v t="$t" '
        { a[NR] = $1; s += $1 }
        END { if (NR == 0) exit 1
              i50 = int(NR * 0.50 + 0.5); if (i50 < 1) i50 = 1
              i99 = int(NR * 0.99 + 0.5); if (i99 < 1) i99 = 1
              printf "%s %d %d %.0f\n", t, a[i50], a[i99], s / NR }'
    rm -f "$dir"/tx.*
}

run_wrk() { # key clients run -> rps p50 p99 avg (us)
    local key=$1 c=$2 run=$3 threads=2 out
    ((c < threads)) && threads=$c
    out=$work/wrk-$run.txt
    wrk -t"$threads" -c"$c" -d"${DURATION}s" --timeout 5s --latency -s "$here/place.lua" "$base" \
        -- "r$run" "$account" "$strategy" BENCH3 >"$out" 2>&1 ||
        die "wrk failed ($(label "$key")): $(tail -5 "$out")"
    local bad errs
    bad=$(awk '/^ *Non-2xx or 3xx responses:/ { print $NF }' "$out")
    errs=$(grep -E '^ *Socket errors:' "$out" || true)
    if [[ -n $bad && $bad != 0 ]] || [[ -n $errs ]] || ! grep -q '^answers: 201=[0-9]* other=0$' "$out"; then
        echo "wrk: non-2xx: ${bad:-0}; ${errs:-no socket errors}; $(grep '^answers:' "$out" || echo 'no answer count')" >&2
        grep 'place.lua' "$out" >&2 || true
        die "requests failed ($(label "$key"), run $run)"
    fi
    echo "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")" \
        "$(to_us "$(awk '$1 == "50%" { print $2 }' "$out")")" \
        "$(to_us "$(awk '$1 == "99%" { print $2 }' "$out")")" \
        "$(to_us "$(awk '$1 == "Latency" && $2 != "Distribution" { print $2 }' "$out")")"
}

# ---- measure ----
echo "== measure: $REPEATS runs x ${#loads[@]} loads, ${DURATION} s each;" \
    "pgbench $("$pgbench" --version | awk '{ print $3 }'), $(wrk -v 2>&1 | awk 'NR == 1 { print $1, $2 }')"
run=0
for rep in $(seq "$REPEATS"); do
    for key in "${loads[@]}"; do
        run=$((run + 1))
        c=${key#*|}
        sql "CHECKPOINT" >/dev/null
        case ${key%|*} in
        sql) res=$(run_pgbench "$key" "$here/place.sql" "$c" "$run") ;;
        pipe) res=$(run_pgbench "$key" "$work/place_pipeline.sql" "$c" "$run") ;;
        post)
            metrics >"$work/m0"
            res=$(run_wrk "$key" "$c" "$run")
            settle
            metrics >"$work/m1"
            # accumulate the deltas of every counter and bucket for this load
            while read -r name d; do
                mdelta[$key|$name]=$((${mdelta[$key|$name]:-0} + d))
            done < <(awk 'NR == FNR { a[$1] = $2; next } { printf "%s %.0f\n", $1, ($2 - a[$1]) * ($1 ~ /_sum$/ ? 1000000 : 1) }' \
                "$work/m0" "$work/m1")
            ;;
        esac
        read -r t l50 l99 la <<<"$res"
        [[ -n ${t:-} && -n ${l99:-} ]] || die "no figures for $(label "$key"), run $rep"
        tps[$key]="${tps[$key]:-} $t"
        p50[$key]="${p50[$key]:-} $l50"
        p99[$key]="${p99[$key]:-} $l99"
        avg[$key]="${avg[$key]:-} $la"
        printf '   run %d  %-28s %7s /s  p50 %7s ms  p99 %7s ms  mean %7s ms\n' "$rep" "$(label "$key")" \
            "$t" "$(ms "$l50")" "$(ms "$l99")" "$(ms "$la")"
        res='' t='' l50='' l99='' la=''
    done
done

# ---- results ----
echo
echo "== results: medians of $REPEATS runs of ${DURATION} s, $(date -u '+%Y-%m-%d %H:%M UTC');" \
    "$(nproc) cpus, $(uname -sr); server, database and load generator on the same machine"
printf '%-34s %9s %8s %8s %8s %8s %8s\n' "order path, ${DURATION} s x$REPEATS, medians" \
    "per s" "p50 ms" "p99 ms" "mean ms" "vs SQL" "vs pipe"
for key in "${loads[@]}"; do
    c=${key#*|}
    mt=$(echo "${tps[$key]}" | median)
    r1="" r2=""
    if [[ ${key%|*} == post ]]; then
        r1=$(awk -v a="$mt" -v b="$(echo "${tps[sql|$c]}" | median)" 'BEGIN { printf "x%.2f", a / b }')
        r2=$(awk -v a="$mt" -v b="$(echo "${tps[pipe|$c]}" | median)" 'BEGIN { printf "x%.2f", a / b }')
    fi
    printf '%-34s %9.0f %8s %8s %8s %8s %8s\n' "$(label "$key")" "$mt" \
        "$(ms "$(echo "${p50[$key]}" | median)")" "$(ms "$(echo "${p99[$key]}" | median)")" \
        "$(ms "$(echo "${avg[$key]}" | median)")" "$r1" "$r2"
done
echo "   per s: SQL transactions (pgbench tps) or HTTP answers 201 (wrk Requests/sec);"
echo "   latency: pgbench per-transaction log, wrk --latency; vs SQL/pipe: POST per s over SQL per s"

# The order manager's own view, from /api/v1/metrics (deltas over the POST runs of each load).
# Its histogram times a placement from reaching the order manager to its answer (no HTTP).
les=(0.000100 0.000250 0.000500 0.001000 0.002000 0.005000 0.010000 0.025000 0.050000
    0.100000 0.250000 0.500000 1.000000 2.500000 5.000000 +Inf)
bucket_le() { # key quantile -> upper bound (ms) of the bucket holding it
    local key=$1 q=$2 n i cum
    n=${mdelta[$key|ts_order_latency_seconds_count]:-0}
    ((n > 0)) || { echo "-"; return; }
    for i in "${!les[@]}"; do
        cum=${mdelta[$key|ts_order_latency_seconds_bucket_le_${les[$i]}]:-0}
        if awk -v c="$cum" -v n="$n" -v q="$q" 'BEGIN { exit !(c >= q * n) }'; then
            [[ ${les[$i]} == +Inf ]] && { echo "+Inf"; return; }
            awk -v s="${les[$i]}" 'BEGIN { printf "<=%g", s * 1000 }'
            return
        fi
    done
}
echo
echo "== order manager, from GET /api/v1/metrics: deltas over the $REPEATS POST runs of each load"
printf '%-34s %10s %9s %8s %8s %10s %9s %10s\n' "load" "histogram" "mean ms" "p50 ms" "p99 ms" \
    "commands" "batches" "cmds/batch"
for key in "${loads[@]}"; do
    [[ ${key%|*} == post ]] || continue
    n=${mdelta[$key|ts_order_latency_seconds_count]:-0}
    s=${mdelta[$key|ts_order_latency_seconds_sum]:-0}
    cm=${mdelta[$key|ts_oms_commands_total]:-0}
    ba=${mdelta[$key|ts_oms_batches_total]:-0}
    printf '%-34s %10s %9s %8s %8s %10s %9s %10s\n' "$(label "$key")" "$n" \
        "$(awk -v s="$s" -v n="$n" 'BEGIN { if (n) printf "%.2f", s / n / 1000; else print "-" }')" \
        "$(bucket_le "$key" 0.5)" "$(bucket_le "$key" 0.99)" "$cm" "$ba" \
        "$(awk -v c="$cm" -v b="$ba" 'BEGIN { if (b) printf "%.2f", c / b; else print "-" }')"
done
metrics >"$work/m_end"
echo "   totals now: $(awk '$1 ~ /^(ts_orders_placed_total|ts_oms_commands_total|ts_oms_batches_total|ts_order_latency_seconds_count)$/ { printf "%s %s  ", $1, $2 }' "$work/m_end")"
echo "   histogram: count and sum of ts_order_latency_seconds (p50/p99: upper bound of the bucket);" \
    "cmds/batch = ts_oms_commands_total / ts_oms_batches_total, the group-commit factor"
echo "   rows written: $(sql "SELECT (SELECT count(*) FROM order_manager.orders) || ' orders (' ||
    (SELECT count(*) FROM order_manager.orders WHERE status <> 'SUBMITTED') || ' not SUBMITTED), ' ||
    (SELECT count(*) FROM order_manager.outbox) || ' outbox events, ' ||
    (SELECT count(*) FROM order_manager.order_audit_log) || ' audit rows'")"
