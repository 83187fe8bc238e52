#!/usr/bin/env bash
# Command-line contract (API.md): help, version, exit codes 0/1/2/3, one-line errors.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION

run "$BIN" frobnicate
expect_rc "unknown subcommand exits 2" 2
expect_eq "unknown subcommand prints one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
expect_match "unknown subcommand names it" "$ERR" "unknown command 'frobnicate'"
expect_eq "unknown subcommand prints nothing on stdout" "$OUT" ""

run "$BIN"
expect_rc "no subcommand exits 2" 2

run "$BIN" --bogus
expect_rc "unknown option exits 2" 2

run "$BIN" --version
expect_rc "--version exits 0" 0
expect_match "--version prints the version" "$OUT" '^tradingsystem [0-9]+\.[0-9]+\.[0-9]+$'

run "$BIN" --help
expect_rc "--help exits 0" 0
expect_match "--help lists serve" "$OUT" 'serve'
expect_match "--help lists db migrate" "$OUT" 'db migrate'

for sub in "serve --help" "db --help" "db start --help" "db migrate --help" "db url -h"; do
    run "$BIN" $sub
    expect_rc "$sub exits 0" 0
    expect_match "$sub prints usage" "$OUT" '^usage: tradingsystem '
done

run "$BIN" db
expect_rc "db without action exits 2" 2
run "$BIN" db explode
expect_rc "unknown db action exits 2" 2
expect_match "unknown db action is named" "$ERR" "unknown db action 'explode'"
run "$BIN" db url --module nonsense
expect_rc "unknown module exits 2" 2
expect_match "unknown module is named" "$ERR" "unknown module 'nonsense'"
run "$BIN" db url --module
expect_rc "--module without value exits 2" 2
run "$BIN" serve --addr nonsense
expect_rc "serve with a bad address exits 2" 2
expect_eq "bad address error is one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
run "$BIN" serve --addr 127.0.0.1:99999
expect_rc "serve with a bad port exits 2" 2
run "$BIN" serve --frob
expect_rc "serve with an unknown option exits 2" 2
[ ! -e "$TS_HOME" ] && ok "bad usage created nothing in TS_HOME" || not_ok "bad usage created TS_HOME"

(cd "$TMP" && unset TS_HOME && "$BIN" db url --module data_capture) > "$TMP/url"
expect_match "TS_HOME defaults to ./var, made absolute" "$(cat "$TMP/url")" "^host='$TMP/var/run' "
(cd "$TMP" && TS_HOME=./x/ "$BIN" db url --module data_capture) > "$TMP/url"
expect_match "a relative TS_HOME is made absolute and clean" "$(cat "$TMP/url")" "^host='$TMP/x/run' "
run "$BIN" db url --module order_manager
expect_rc "db url exits 0" 0
expect_match "db url names the socket under TS_HOME" "$OUT" "host='$TS_HOME/run'"
expect_match "db url names the database" "$OUT" "dbname='order_manager'"

# Status of a cluster that does not exist / is stopped
run "$BIN" db status
expect_rc "db status without a cluster exits 3" 3
expect_match "db status says not initialised" "$OUT" 'not initialised'
run "$BIN" db init
expect_rc "db init exits 0" 0
run "$BIN" db init
expect_match "db init twice says already" "$OUT" 'already initialised'
run "$BIN" db status
expect_rc "db status on a stopped cluster exits 3" 3
expect_match "db status says stopped" "$OUT" '^cluster: stopped'
run "$BIN" db migrate
expect_rc "db migrate on a stopped cluster exits 1" 1
expect_match "db migrate says to start it" "$ERR" 'db start'
run "$BIN" db stop
expect_rc "db stop on a stopped cluster exits 0" 0
expect_match "db stop says not running" "$OUT" 'not running'

# External databases: no cluster to manage
TS_DATABASE_URL="host=/nonexistent dbname=x" run "$BIN" db start
expect_rc "db start with TS_DATABASE_URL exits 2" 2
TS_DATABASE_URL="host=/nonexistent" run "$BIN" db url --module workspace
expect_match "TS_DATABASE_URL gets the module's database" "$OUT" "dbname='workspace'"
TS_DATABASE_URL="postgresql://u@db.example:6543/other?sslmode=require" run "$BIN" db url --module tp_capital
expect_match "a URL form TS_DATABASE_URL is rewritten" "$OUT" "host='db.example' port='6543'.*dbname='tp_capital'"
TS_DB_TPCAPITAL="host=/x dbname=tpc" run "$BIN" db url --module tp_capital
expect_match "TS_DB_TPCAPITAL is accepted as DESIGN.md spells it" "$OUT" "dbname=tpc"
TS_DB_WORKSPACE="this is = not valid'" run "$BIN" db url
expect_rc "an invalid TS_DB_ string is a runtime error" 1
expect_match "the error names the variable" "$ERR" "TS_DB_WORKSPACE"
TS_DATABASE_URL="host=$TMP/nowhere" run "$BIN" db migrate --module workspace
expect_rc "migrate against an unreachable server exits 1" 1
expect_match "the cause names the server" "$ERR" "cannot connect to database at $TMP/nowhere"
finish
