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
    if printf '%s' "$2" | grep -qE -- "$3"; then ok "$1"; else not_ok "$1" "want /$3/ in:" "$2"; fi
}
expect_eq() { # name got want
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got: $2" "want: $3"; fi
}
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
