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
# TS_BENCH_TOKEN: an admin's API token (user `bench`) for the requests of the benchmarks;
# bcurl is curl with it.
bench_token() {
    TS_BENCH_TOKEN=$("$bin" user add bench --role admin 2>/dev/null || "$bin" user token bench 2>/dev/null) ||
        return 1
    export TS_BENCH_TOKEN
}
bcurl() { curl -H "Authorization: Bearer $TS_BENCH_TOKEN" "$@"; }

bench_start_server() {
    "$bin" serve --addr "127.0.0.1:$PORT" "$@" >"$work/serve.out" 2>"$work/serve.err" &
    server=$!
    for _ in $(seq 600); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$api/health" || true) == 200 ]] &&
            bench_token && return 0
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    tail -20 "$work/serve.err" >&2 || true
    return 1
}

# Builds BUILD_DIR (default build/, relative to the tree; RelWithDebInfo) unless the binary
# and every other named target in it exist. Expects root; sets BUILD_DIR (absolute) and bin.
bench_build() { # [target]...
    BUILD_DIR=${BUILD_DIR:-build}
    case $BUILD_DIR in /*) ;; *) BUILD_DIR=$root/$BUILD_DIR ;; esac
    bin=$BUILD_DIR/tradingsystem
    local t
    for t in tradingsystem "$@"; do
        [[ -x $BUILD_DIR/$t ]] && continue
        echo "== build ($BUILD_DIR)"
        [[ -f $BUILD_DIR/CMakeCache.txt ]] ||
            cmake -S "$root" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
        cmake --build "$BUILD_DIR" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
        return
    done
}

# A private TS_HOME (bench_NAME.XXXXXX) whose own cluster listens on TS_PG_PORT (default
# PGPORT): nothing from the caller's environment may point elsewhere. Sets TS_HOME and work.
bench_home() { # NAME PGPORT
    unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL \
        TS_DB_WORKSPACE TS_DB_DOCUMENTATION TS_HTTP_ADDR TS_PG_LISTEN
    TS_HOME=$(mktemp -d "${TMPDIR:-/tmp}/bench_$1.XXXXXX")
    chmod 755 "$TS_HOME" # as root, the cluster runs as postgres, which must reach it
    export TS_HOME TS_PG_PORT=${TS_PG_PORT:-$2} TS_TRADING_HOURS=off TS_EOD_TIME=off \
        TS_LOG_LEVEL=${TS_LOG_LEVEL:-warn}
    work=$TS_HOME/bench
    mkdir -p "$work"
}
