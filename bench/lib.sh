# Helpers shared by the benchmarks that run `tradingsystem serve` (sourced).
# Expects: bin (the binary), server (its pid or empty), work (a dir of logs), TS_HOME.

# Stops the server (TERM, then KILL after 30 s), the cluster, keeps logs if
# KEEP_LOGS names a directory, and removes TS_HOME.
bench_stop_server() {
    if [[ -n ${server:-} ]] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null || true
        for _ in $(seq 300); do
            kill -0 "$server" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$server" 2>/dev/null; then
            echo "$0: the server did not stop in 30 s: killing it" >&2
            kill -KILL "$server" 2>/dev/null || true
        fi
        wait "$server" 2>/dev/null || true
    fi
    # the cluster stops with the server that started it; this is for a server that did not
    "$bin" db stop >/dev/null 2>&1 || true
    if [[ -n ${KEEP_LOGS:-} ]]; then
        mkdir -p "$KEEP_LOGS"
        cp -r "$work"/. "$KEEP_LOGS"/ 2>/dev/null || true
        cp "$TS_HOME"/log/*.log "$KEEP_LOGS"/ 2>/dev/null || true
    fi
    rm -rf "$TS_HOME"
}

# The first free TCP port from $1 up.
bench_free_port() {
    local p=$1
    while ss -ltnH "sport = :$p" | grep -q .; do p=$((p + 1)); done
    echo "$p"
}

# Starts `tradingsystem serve --addr 127.0.0.1:$PORT` with extra args; sets server; waits
# until $api/health answers 200 (60 s). Returns 1, with the server's last log lines, if not.
bench_start_server() {
    "$bin" serve --addr "127.0.0.1:$PORT" "$@" >"$work/serve.out" 2>"$work/serve.err" &
    server=$!
    for _ in $(seq 600); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$api/health" || true) == 200 ]] && return 0
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    tail -20 "$work/serve.err" >&2 || true
    return 1
}
