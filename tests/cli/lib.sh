# Helpers for the CLI tests (sourced). Each test script gets the binary as $1 and,
# from ctest, TS_TEST_HOME (the fixture cluster), TS_SOURCE_DIR, TS_PG_PORT.
set -uo pipefail
BIN=$(realpath "${1:?usage: test_x.sh BIN}")
FAILS=0
CHECKS=0
TMP=$(mktemp -d /tmp/ts-cli.XXXXXX)
chmod 755 "$TMP"
cleanup_hooks=()
cleanup() {
    for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
    # a failed run shows what serve said: the one place CI keeps it
    if [ "$FAILS" -gt 0 ] && [ -s "$TMP/serve.err" ]; then
        echo "# serve's warnings and errors (last 30):"
        grep -E ' (WARN|ERROR) ' "$TMP/serve.err" | tail -30 | sed 's/^/#   /'
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

ok() { CHECKS=$((CHECKS + 1)); echo "ok - $1"; }
not_ok() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "not ok - $1"; [ $# -gt 1 ] && printf '    %s\n' "${@:2}"; }

# run CMD...: sets OUT, ERR, RC
run() {
    OUT=$("$@" 2>"$TMP/stderr"); RC=$?; ERR=$(cat "$TMP/stderr")
}
expect_rc() { # name want
    if [ "$RC" -eq "$2" ]; then ok "$1"; else not_ok "$1" "exit $RC, want $2" "stdout: $OUT" "stderr: $ERR"; fi
}
expect_match() { # name text regex
    # a here-string, not a pipe: grep -q stops reading at the first match, and with pipefail
    # the writer's SIGPIPE (a text longer than the pipe takes at once) would fail the check
    if grep -qE -- "$3" <<<"$2"; then ok "$1"; else not_ok "$1" "want /$3/ in:" "$2"; fi
}
expect_eq() { # name got want
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got: $2" "want: $3"; fi
}
# must_read VAR CMD...: VAR = what CMD prints (trailing newlines cut, as $(...) does). A value
# that a check compares (a digest, a setting, a count read twice) must not let the check pass
# because the read failed: two failed reads are two equal empty strings. When CMD exits non-zero
# or prints nothing, a failed check names it and VAR holds a marker that equals no other read.
# CMD may be a function (pipelines in it fail as a whole: lib.sh sets pipefail).
READS=0
must_read() {
    local __mr_var=$1 __mr_out __mr_rc
    shift
    READS=$((READS + 1))
    __mr_out=$("$@" 2>"$TMP/must_read.err"); __mr_rc=$?
    if [ "$__mr_rc" -ne 0 ] || [ -z "$__mr_out" ]; then
        not_ok "read $READS failed: $(printf '%s' "$*" | head -c 200)" "exit $__mr_rc, printed: '$(printf '%s' "$__mr_out" | head -c 200)'" \
            "stderr: $(head -c 600 "$TMP/must_read.err")"
        __mr_out="<read $READS failed>"
    fi
    printf -v "$__mr_var" '%s' "$__mr_out"
}

# wait_for WHAT CMD...: polls CMD (one argument: a shell condition, eval'd) every 0.1 s until it
# succeeds; 0 then. After WAIT_S seconds (30 by default: a slow, loaded machine) a failed check
# says what did not happen, with the condition's last stderr; 1 then. Wait for the event, never
# for a duration: a sleep that is long enough here is too short on a loaded machine.
WAIT_S=${WAIT_S:-30}
wait_for() {
    local __wf_what=$1 __wf_end
    shift
    __wf_end=$(($(date +%s) + WAIT_S))
    while :; do
        if [ $# -eq 1 ]; then eval "$1"; else "$@"; fi >/dev/null 2>"$TMP/wait_for.err" && return 0
        [ "$(date +%s)" -lt "$__wf_end" ] || break
        sleep 0.1
    done
    not_ok "waited ${WAIT_S} s for: $__wf_what" "last stderr: $(head -c 600 "$TMP/wait_for.err")"
    return 1
}

# count_in REGEX FILE: how many lines of FILE match (0 included, exit 0); no FILE: nothing, exit 2.
count_in() { grep -cE -- "$1" "$2" || [ $? -eq 1 ]; }

# The fixture cluster's connection string for a database.
fixture_url() {
    (unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL \
           TS_DB_WORKSPACE TS_DB_DOCUMENTATION
     TS_HOME=$TS_TEST_HOME "$BIN" db url --module order_manager) | sed "s/dbname='order_manager'/dbname='$1'/"
}
psql_fixture() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 "$(fixture_url "$db")" "$@"; }

finish() {
    echo "# $CHECKS checks, $FAILS failed"
    [ "$FAILS" -eq 0 ]
    exit $?
}

# ---- a real `serve` on loopback with its own cluster (TS_HOME, TS_PG_PORT set by the test) ----
# serve_start: starts `serve` on a random port (extra args passed on), waits for health;
# sets SERVE (pid), addr, API. The caller stops it with serve_stop, or the cleanup does.
API=/api/v1
SERVE=
serve_start() {
    export TS_EOD_TIME=${TS_EOD_TIME:-off} # no end of day by the clock in the middle of a test
    local up=0 try
    for try in 1 2 3 4 5; do
        # below Linux's ephemeral ports (32768+), where clients' own ports would collide
        [ -n "${addr:-}" ] || addr=127.0.0.1:$((20000 + RANDOM % 12000))
        "$BIN" serve --addr "$addr" "$@" >>"$TMP/serve.out" 2>>"$TMP/serve.err" &
        SERVE=$!
        for _ in $(seq 300); do
            curl -s -o /dev/null "http://$addr$API/health" && { up=1; break; }
            kill -0 $SERVE 2>/dev/null || break
            sleep 0.1
        done
        [ $up = 1 ] && break
        wait $SERVE 2>/dev/null
        tail -3 "$TMP/serve.err" | grep -q 'Address already in use' || break
        addr= # taken meanwhile: another port
    done
    [ $up = 1 ] && ok "serve starts" || { not_ok "serve did not start" "$(tail -20 "$TMP/serve.err")"; finish; }
    serve_token
}
# TOKEN: an admin's API token (user `tester`) for the databases of this TS_HOME, made once;
# http and send send it, unless NO_TOKEN=1 (the tests of credentials themselves).
TOKEN=
TOKEN_HOME=
serve_token() {
    [ -n "$TOKEN" ] && [ "$TOKEN_HOME" = "${TS_HOME:-}|${TS_DATABASE_URL:-}" ] && return 0
    TOKEN=$("$BIN" user add tester --role admin 2>>"$TMP/user.err") ||
        TOKEN=$("$BIN" user token tester 2>>"$TMP/user.err") ||
        { not_ok "an API token for the tests" "$(tail -3 "$TMP/user.err")"; finish; }
    TOKEN_HOME="${TS_HOME:-}|${TS_DATABASE_URL:-}"
}
serve_stop() { kill "$SERVE" 2>/dev/null; wait "$SERVE" 2>/dev/null; SERVE=; }
serve_cleanup() { cleanup_hooks+=("kill \$SERVE 2>/dev/null; wait \$SERVE 2>/dev/null; '$BIN' db stop >/dev/null 2>&1"); }

# maint_turns N: waits for N more turns of serve's maintenance loop, one every TS_BARS_REFRESH_MS
# by serve's own clock (each stamps rollup_watermarks.refreshed_at): a positive event after which
# the absence of what serve would have done in that time (a tick, a line) means something.
maint_turn_at() {
    psql -X -q -At -v ON_ERROR_STOP=1 "$("$BIN" db url --module data_capture)" \
        -c "SELECT coalesce(refreshed_at::text, 'never') FROM data_capture.rollup_watermarks WHERE rollup = 'market_bars_1m'"
}
maint_turns() {
    local __mt_i __mt_at __mt_now
    for __mt_i in $(seq "$1"); do
        must_read __mt_at maint_turn_at
        wait_for "a turn of serve's maintenance loop after $__mt_at" \
            '__mt_now=$(maint_turn_at) && [ -n "$__mt_now" ] && [ "$__mt_now" != "$__mt_at" ]' || return 1
    done
}

http() { # METHOD PATH [curl args]: sets CODE and BODY
    local m=$1 p=$2 auth=(); shift 2
    [ -n "$TOKEN" ] && [ -z "${NO_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $TOKEN")
    BODY=$(curl -s -g -X "$m" -w '\n%{http_code}' "${auth[@]}" "$@" "http://$addr$API$p"); CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
}
send() { # METHOD PATH JSON [curl args]
    local m=$1 p=$2 d=$3; shift 3
    http "$m" "$p" -H 'Content-Type: application/json' --data-binary "$d" "$@"
}
# A string field of a flat JSON object (the last one of that name).
field() { printf '%s' "$1" | sed -nE 's/.*"'"$2"'":"([^"]*)".*/\1/p'; }

# SQL: how many 1-minute bars differ from what the stored ticks make (0: bars are exact).
BARS_VS_TICKS="SELECT count(*) FROM (SELECT symbol, date_trunc('minute', tick_time, 'UTC') AS bucket,
  (array_agg(price ORDER BY tick_time, trade_id))[1] o, max(price) h, min(price) l,
  (array_agg(price ORDER BY tick_time DESC, trade_id DESC))[1] c, sum(volume) v, count(*) n
  FROM data_capture.market_ticks GROUP BY 1, 2) a
 FULL JOIN (SELECT symbol, bucket, open o, high h, low l, close c, volume v, trade_count n
  FROM data_capture.market_bars_1m) b USING (symbol, bucket)
 WHERE (a.o, a.h, a.l, a.c, a.v, a.n) IS DISTINCT FROM (b.o, b.h, b.l, b.c, b.v, b.n)"
