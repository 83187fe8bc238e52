#!/usr/bin/env bash
# run.sh - benchmark for choosing the HTTP/WebSocket library (bench/http_choice):
# builds lws_hello.c and civet_hello.c with gcc -O2, starts one server per
# configuration on 127.0.0.1, measures GET /api/v1/health with wrk
#   wrk -t2 -c32 -d10s --latency   (throughput under load)
#   wrk -t1 -c1  -d10s --latency   (single-client latency; wrk needs threads <= connections)
# RUNS times each, interleaved across configurations so that the machine's noise
# falls on all of them alike, and prints the medians: req/s, p50, p99.
# Then many_clients.py holds MANY_CLIENTS keep-alive clients (default 200, more
# than civetweb's 50 threads) on each server for a few seconds and prints the
# medians of the fewest answers one client got and of the longest wait.
#
# Needs: gcc, pkg-config, libwebsockets-dev, libcivetweb-dev, wrk, curl, ss; python3 for
# the many-clients part (skipped without it).
# Settings (environment): RUNS=3, DURATION=10s, PORT_BASE=18080,
#   LOADS="-t2 -c32;-t1 -c1" (wrk thread/connection sets, ';'-separated),
#   MANY_CLIENTS=200 (0 skips that part), KEEP_LOGS=dir (keeps the raw wrk output)
# Only loopback traffic; every wrk run is bounded by DURATION; the servers it
# started are stopped on exit, Ctrl-C included.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
PORT_BASE=${PORT_BASE:-18080}
work=$(mktemp -d /tmp/http_choice.XXXXXX)
pids=()

cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n "${KEEP_LOGS:-}" ]]; then
        mkdir -p "$KEEP_LOGS"
        cp "$work"/*.log "$KEEP_LOGS"/ 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "run.sh: $*" >&2; exit 1; }

for tool in gcc pkg-config wrk curl ss; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
pkg-config --exists libwebsockets || die "libwebsockets-dev is missing (apt-get install libwebsockets-dev)"
if pkg-config --exists civetweb; then
    civet_flags=$(pkg-config --cflags --libs civetweb)
elif [[ -f /usr/include/civetweb.h ]]; then
    civet_flags="-lcivetweb" # Debian's libcivetweb-dev ships no .pc file
else
    die "libcivetweb-dev is missing (apt-get install libcivetweb-dev)"
fi

echo "== build (gcc -O2)"
# shellcheck disable=SC2046
gcc -O2 -std=c17 -Wall -Wextra -o "$work/lws_hello" "$here/lws_hello.c" \
    $(pkg-config --cflags --libs libwebsockets) -lpthread
# shellcheck disable=SC2086
gcc -O2 -std=c17 -Wall -Wextra -o "$work/civet_hello" "$here/civet_hello.c" $civet_flags -lpthread

# name | binary and arguments (PORT is replaced)
configs=(
    "lws 4.1 (one event loop)|lws_hello PORT"
    "lws 4.1 (split hdr/body)|lws_hello PORT --split"
    "civetweb 1.15 (keep-alive+nodelay)|civet_hello PORT"
    "civetweb 1.15 (keep-alive+nodelay, 1 write)|civet_hello PORT --one-write"
    "civetweb 1.15 (defaults)|civet_hello PORT --defaults"
)

port_free() { ! ss -ltnH "sport = :$1" | grep -q .; }

declare -a names ports
next_port=$PORT_BASE
for i in "${!configs[@]}"; do
    name=${configs[$i]%%|*}
    cmd=${configs[$i]#*|}
    while ! port_free "$next_port"; do next_port=$((next_port + 1)); done
    port=$next_port
    next_port=$((next_port + 1))
    # shellcheck disable=SC2086
    "$work/${cmd%% *}" $port ${cmd#* PORT} >"$work/server$i.log" 2>&1 &
    pids+=($!)
    names[i]=$name
    ports[i]=$port
done

echo "== check the servers answer"
for i in "${!names[@]}"; do
    url="http://127.0.0.1:${ports[$i]}/api/v1/health"
    body=""
    for _ in $(seq 50); do
        body=$(curl -s --max-time 2 "$url" || true)
        [[ -n "$body" ]] && break
        sleep 0.1
    done
    [[ "$body" == '{"status":"ok"}' ]] || die "${names[$i]} on ${ports[$i]} answered '$body'"
    printf '   %-42s %s  %s\n' "${names[$i]}" "$url" "$body"
done

# latency as printed by wrk (us, ms, s) -> microseconds
to_us() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "ms") n *= 1000; else if (u == "s") n *= 1000000; else if (u == "m") n *= 60000000
        printf "%.0f", n }'
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
fmt_us() { awk -v u="$1" 'BEGIN { if (u < 1000) printf "%dus", u; else if (u < 1000000) printf "%.2fms", u / 1000; else printf "%.2fs", u / 1000000 }'; }

declare -A rps=() p50=() p99=() errs=()
IFS=';' read -r -a loads <<<"${LOADS:--t2 -c32;-t1 -c1}"
echo "== measure: $RUNS runs x ${#loads[@]} loads x ${#names[@]} configs, $DURATION each"
for run in $(seq "$RUNS"); do
    for load in "${loads[@]}"; do
        for i in "${!names[@]}"; do
            key="$i|$load"
            log="$work/run$run-$i-${load// /}.log"
            # shellcheck disable=SC2086
            wrk $load -d"$DURATION" --latency "http://127.0.0.1:${ports[$i]}/api/v1/health" >"$log" 2>&1 ||
                die "wrk failed against ${names[$i]}: $(tail -3 "$log")"
            r=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$log")
            l50=$(to_us "$(awk '$1 == "50%" { print $2 }' "$log")")
            l99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$log")")
            e=$(awk '/Socket errors|Non-2xx/ { s = s $0 "; " } END { print s }' "$log")
            rps[$key]="${rps[$key]:-} $r"
            p50[$key]="${p50[$key]:-} $l50"
            p99[$key]="${p99[$key]:-} $l99"
            [[ -n "$e" ]] && errs[$key]="${errs[$key]:-}$e"
            printf '   run %d  %-8s %-42s %8s req/s  p50 %-8s p99 %s\n' "$run" "$load" "${names[$i]}" \
                "$r" "$(fmt_us "$l50")" "$(fmt_us "$l99")"
        done
    done
done

echo
echo "== results: medians of $RUNS runs of wrk <load> -d$DURATION --latency, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "   $(nproc) cores, $(uname -sr), wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null || echo '?')," \
    "libwebsockets $(dpkg-query -W -f='${Version}' libwebsockets-dev 2>/dev/null || pkg-config --modversion libwebsockets)," \
    "civetweb $(dpkg-query -W -f='${Version}' libcivetweb-dev 2>/dev/null || echo '?')"
echo
echo "| library/config | wrk load | req/s median | p50 | p99 | req/s min-max |"
echo "|---|---|---:|---:|---:|---|"
for load in "${loads[@]}"; do
    for i in "${!names[@]}"; do
        key="$i|$load"
        mr=$(echo "${rps[$key]}" | median)
        m50=$(echo "${p50[$key]}" | median)
        m99=$(echo "${p99[$key]}" | median)
        lo=$(echo "${rps[$key]}" | tr ' ' '\n' | grep . | sort -g | head -1)
        hi=$(echo "${rps[$key]}" | tr ' ' '\n' | grep . | sort -g | tail -1)
        printf '| %s | %s | %.0f | %s | %s | %s-%s |\n' "${names[$i]}" "$load" "$mr" \
            "$(fmt_us "$m50")" "$(fmt_us "$m99")" "$lo" "$hi"
    done
done
if ((${#errs[@]})); then
    echo
    echo "wrk reported errors:"
    for key in "${!errs[@]}"; do
        echo "   ${names[${key%%|*}]} (${key#*|}): ${errs[$key]}"
    done
fi

(( ${MANY_CLIENTS:-200} > 0 )) || exit 0
command -v python3 >/dev/null || { echo "python3 missing: many-clients part skipped"; exit 0; }
echo
echo "== many clients: ${MANY_CLIENTS:-200} keep-alive clients for 3 s, $RUNS runs (many_clients.py)"
declare -A mc_min=() mc_worst=() mc_req=() mc_starved=()
for run in $(seq "$RUNS"); do
    for i in "${!names[@]}"; do
        out=$(python3 "$here/many_clients.py" "${ports[$i]}" "${MANY_CLIENTS:-200}" 3)
        printf '   run %d  %-42s %s\n' "$run" "${names[$i]}" "$out"
        for kv in $out; do
            case $kv in
            requests=*) mc_req[$i]="${mc_req[$i]:-} ${kv#*=}" ;;
            min_per_client=*) mc_min[$i]="${mc_min[$i]:-} ${kv#*=}" ;;
            starved=*) mc_starved[$i]="${mc_starved[$i]:-} ${kv#*=}" ;;
            worst_ms=*) mc_worst[$i]="${mc_worst[$i]:-} ${kv#*=}" ;;
            esac
        done
    done
done
echo
echo "| library/config | clients | requests in 3 s (median) | fewest answers to one client | clients never answered | longest wait |"
echo "|---|---:|---:|---:|---:|---:|"
for i in "${!names[@]}"; do
    printf '| %s | %s | %.0f | %.0f | %.0f | %s ms |\n' "${names[$i]}" "${MANY_CLIENTS:-200}" \
        "$(echo "${mc_req[$i]}" | median)" "$(echo "${mc_min[$i]}" | median)" \
        "$(echo "${mc_starved[$i]}" | median)" \
        "$(echo "${mc_worst[$i]}" | median)"
done
