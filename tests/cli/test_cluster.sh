#!/usr/bin/env bash
# The embedded cluster: concurrent starts, stale pid files, stop, status, psql access.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55433
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
cleanup_hooks+=("'$BIN' db stop >/dev/null 2>&1")

# Two `db start` at once on a home that does not exist yet: one initdb, one start.
"$BIN" db start >"$TMP/a.out" 2>"$TMP/a.err" & a=$!
"$BIN" db start >"$TMP/b.out" 2>"$TMP/b.err" & b=$!
wait $a; rca=$?; wait $b; rcb=$?
expect_eq "two concurrent db start both succeed" "$rca$rcb" "00"
both=$(cat "$TMP/a.out" "$TMP/b.out")
expect_eq "exactly one of them started the server" "$(grep -c '^started' <<<"$both")" 1
expect_eq "the other found it running" "$(grep -c '^already running' <<<"$both")" 1
expect_eq "initdb ran once" "$(cat "$TMP/a.err" "$TMP/b.err" | grep -c 'initialised a new cluster')" 1

run "$BIN" db status
expect_rc "db status exits 1 while module databases are missing" 1
expect_match "db status says running" "$OUT" '^cluster: running \(pid [0-9]+, PostgreSQL 1[5-9]'
expect_match "db status shows a missing database" "$OUT" 'order_manager: missing'
run "$BIN" db migrate
expect_rc "db migrate exits 0" 0
run "$BIN" db status
expect_rc "db status on a running, migrated cluster exits 0" 0
expect_match "db status shows the migration" "$OUT" 'order_manager: up, migration [0-9]+'

must_read url "$BIN" db url --module order_manager
admin=${url/dbname=\'order_manager\'/dbname=\'postgres\'}
expect_eq "psql accepts the connection string" "$(psql -X -At "$admin" -c 'select 42')" 42
# setting NAME: "NAME=value" from the server (never empty: an empty value still reads "NAME=")
setting() { psql -X -At -v ON_ERROR_STOP=1 "$admin" -c "select '$1=' || current_setting('$1')"; }
expect_setting() { # name setting want
    local got
    must_read got setting "$2"
    expect_eq "$1" "$got" "$2=$3"
}
expect_setting "the server listens on no TCP port" listen_addresses ""
expect_setting "settings for durability are on" synchronous_commit on
expect_setting "the server runs in UTC" timezone UTC
expect_setting "bound values are never logged" log_parameter_max_length 0
sockmode=$(stat -c %a "$TS_HOME/run")
expect_eq "the socket directory is private" "$sockmode" 700
if [ "$(id -u)" = 0 ]; then
    expect_eq "as root, the server runs as postgres" "$(ps -o user= -p "$(head -1 "$TS_HOME/pg/postmaster.pid")")" postgres
fi

run "$BIN" db stop
expect_rc "db stop exits 0" 0
expect_match "db stop says stopped" "$OUT" '^stopped'
run "$BIN" db status
expect_rc "db status after stop exits 3" 3

# A stale pid file naming a live process that is not postgres (this shell).
echo "$$" > "$TS_HOME/pg/postmaster.pid"
run "$BIN" db status
expect_rc "a stale pid file is not mistaken for a running server" 3
run "$BIN" db start
expect_rc "db start with a stale pid file succeeds" 0
expect_match "the stale pid file was removed" "$ERR" 'removed stale'
run "$BIN" db status
expect_rc "the cluster runs after the stale start" 0

# A dead server (killed hard) leaves its pid file (and maybe a zombie): start recovers.
pid=$(head -1 "$TS_HOME/pg/postmaster.pid")
kill -9 "$pid"
# kill returns before the process is gone: wait until it is dead (gone or a zombie)
dead() { [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; }
wait_for "the killed server is dead" dead
run "$BIN" db status
expect_rc "a killed server is seen as stopped" 3
run "$BIN" db start
expect_rc "db start after a crash succeeds" 0
expect_eq "and the server answers" "$(psql -X -At "$admin" -c 'select 1')" 1
finish
