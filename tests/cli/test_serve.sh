#!/usr/bin/env bash
# `tradingsystem serve`: starts its own cluster, migrates, answers /api/v1/health on
# loopback, reports a database that went away and comes back, stops cleanly on
# SIGTERM and SIGINT, and stops the cluster it started.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55434
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
cleanup_hooks+=("kill \$SERVE 2>/dev/null; '$BIN' db stop >/dev/null 2>&1")
SERVE=
port=$((20000 + RANDOM % 12000)) # below the ephemeral ports (32768+) of clients
addr=127.0.0.1:$port

start_serve() {
    "$BIN" serve --addr "$addr" >"$TMP/serve.out" 2>"$TMP/serve.err" &
    SERVE=$!
    for _ in $(seq 150); do
        curl -s -o /dev/null "http://$addr/api/v1/health" && return 0
        kill -0 $SERVE 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
http() { # METHOD PATH [curl args]: sets CODE and BODY
    local m=$1 p=$2; shift 2
    BODY=$(curl -s -X "$m" -w '\n%{http_code}' "$@" "http://$addr$p"); CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
}

start_serve && ok "serve starts on a fresh TS_HOME" || { not_ok "serve did not start" "$(cat "$TMP/serve.err")"; finish; }
expect_match "serve logs that it started the cluster" "$(cat "$TMP/serve.err")" 'started PostgreSQL'
link=$(grep -oE "http://$addr/login\?token=ts_[A-Za-z0-9_-]{43}" "$TMP/serve.out")
expect_eq "the first run prints one login link for admin, on stdout" "$(grep -c 'login?token=' "$TMP/serve.out")" 1
expect_eq "and never in the log" "$(grep -c 'token=ts_' "$TMP/serve.err")" 0
BODY=$(curl -s -D "$TMP/h" -o /dev/null -w '%{http_code}' "$link")
expect_eq "the link logs in: 303 to the dashboard" "$BODY $(grep -i '^location:' "$TMP/h" | tr -d '\r')" "303 location: /"
expect_match "with a session cookie a page cannot read nor send cross-site" "$(grep -i '^set-cookie:' "$TMP/h")" 'ts_session=ts_[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=604800'
cookie=$(grep -i '^set-cookie:' "$TMP/h" | sed -E 's/.*(ts_session=[^;]+).*/\1/')
expect_match "the session says who" "$(curl -s -H "Cookie: $cookie" "http://$addr/api/v1/auth/me")" '^\{"username":"admin","role":"admin","credential":"session"'
expect_eq "a link works once" "$(curl -s -o /dev/null -w '%{http_code}' "$link")" 401
expect_eq "the first run makes the key file of stored secrets, mode 0600" "$(stat -c %a "$TS_HOME/secret.key" 2>&1)" 600
expect_match "one key line in it" "$(cat "$TS_HOME/secret.key")" '^ts-key-v1 [0-9a-f]{16} [A-Za-z0-9+/]{43}=$'
expect_eq "and no key in the log" "$(grep -c "$(cut -d' ' -f3 "$TS_HOME/secret.key")" "$TMP/serve.err")" 0
first=$(cut -d' ' -f2 "$TS_HOME/secret.key")
run "$BIN" secret rotate
expect_rc "secret rotate: exit 0" 0
expect_match "re-seals the stored secrets (none yet)" "$OUT" '"tp-capital".telegram_bots: 0 secrets re-sealed'
expect_eq "a new key first, the old one kept" "$(wc -l <"$TS_HOME/secret.key") $(sed -n 2p "$TS_HOME/secret.key" | cut -d' ' -f2)" "2 $first"
expect_eq "still mode 0600" "$(stat -c %a "$TS_HOME/secret.key")" 600
run "$BIN" secret spin
expect_rc "secret spin: usage error" 2
http GET /api/v1/health
expect_eq "health answers 200" "$CODE" 200
expect_match "health says ok" "$BODY" '^\{"status":"ok"'
for m in order_manager data_capture tp_capital workspace documentation; do
    expect_match "health: $m answers and is migrated" "$BODY" "\"$m\":\\{\"up\":true,\"latency_us\":[0-9]+,\"migration\":[0-9]+,\"default_partition_rows\":0\\}"
done
http HEAD /api/v1/health -I
expect_eq "HEAD health answers 200" "$CODE" 200
http GET /api/v1/nope
expect_eq "an unknown path answers 404" "$CODE" 404
expect_match "in the error envelope" "$BODY" '^\{"error":\{"code":"not_found","message":"no such endpoint: /api/v1/nope"\}\}$'
send POST /api/v1/health '{}'
expect_eq "a wrong method answers 405" "$CODE" 405
expect_match "with an error body" "$BODY" '"code":"method_not_allowed"'
head -c 2000000 /dev/zero | tr '\0' 'x' > "$TMP/big"
http POST /api/v1/health --data-binary @"$TMP/big" -H 'Content-Type: application/json'
expect_eq "a body over 1 MiB answers 413" "$CODE" 413
expect_match "with an error body" "$BODY" '"code":"payload_too_large"'
hdrs=$(curl -s -D - -o /dev/null "http://$addr/api/v1/health")
expect_match "health is JSON" "$hdrs" '[Cc]ontent-[Tt]ype: application/json'
expect_match "health is not cached" "$hdrs" '[Cc]ache-[Cc]ontrol: no-store'
# keep-alive: several requests on one connection
n=$(curl -s -w '%{http_code}\n' -o /dev/null -o /dev/null -o /dev/null "http://$addr/api/v1/health" "http://$addr/api/v1/health" "http://$addr/api/v1/health" | grep -c 200)
expect_eq "three requests on one connection" "$n" 3

# SIGINT stops serve, and the cluster it started stops with it.
kill -INT $SERVE; wait $SERVE; rc=$?
expect_eq "SIGINT stops serve with exit 0" "$rc" 0
expect_match "serve logs a clean stop" "$(cat "$TMP/serve.err")" 'stopped serving'
run "$BIN" db status
expect_rc "the cluster serve started is stopped with it" 3

# With the cluster already running, serve leaves it running.
"$BIN" db start >/dev/null 2>&1
start_serve || not_ok "serve restarts" "$(cat "$TMP/serve.err")"
expect_eq "serve does not start a running cluster" "$(grep -c 'started PostgreSQL' "$TMP/serve.err")" 0
expect_eq "a restart makes no second admin nor link" "$(grep -c 'login?token=' "$TMP/serve.out")" 0

# The database goes away: health says so with 503, then recovers.
"$BIN" db stop >/dev/null 2>&1
http GET /api/v1/health
expect_eq "health answers 503 when the databases are down" "$CODE" 503
expect_match "and says degraded" "$BODY" '"status":"degraded"'
expect_match "naming the module that is down" "$BODY" '"order_manager":\{"up":false'
"$BIN" db start >/dev/null 2>&1
http GET /api/v1/health
expect_eq "health answers 200 again when they are back" "$CODE" 200

# A key file others may read is refused, with what to do.
key=$(cat "$TS_HOME/secret.key")
chmod 644 "$TS_HOME/secret.key"
run "$BIN" serve --addr "127.0.0.1:$((port + 1))"
expect_rc "a key file others may read: serve exits 1" 1
expect_match "saying chmod 600" "$ERR" 'may be read by others \(mode 644\): chmod 600 it'
chmod 600 "$TS_HOME/secret.key"
expect_eq "the key file is kept as it was" "$(cat "$TS_HOME/secret.key")" "$key"

# A second serve on the same address fails with a clear cause.
run "$BIN" serve --addr "$addr"
expect_rc "a second serve on a taken address exits 1" 1
expect_match "naming the address" "$ERR" "cannot listen on 127.0.0.1:$port"

kill -TERM $SERVE; wait $SERVE; rc=$?
expect_eq "SIGTERM stops serve with exit 0" "$rc" 0
run "$BIN" db status
expect_rc "the cluster serve found running is left running" 0
finish
