#!/usr/bin/env bash
# Migrations: create the database, apply, idempotent, edited/out-of-order refused,
# concurrent runs serialised. Runs against the fixture cluster with throwaway databases.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/unused-home
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
db="mig_$$"
cleanup_hooks+=("psql_fixture postgres -c 'DROP DATABASE IF EXISTS ${db} WITH (FORCE)' -c 'DROP DATABASE IF EXISTS ${db}_c WITH (FORCE)' -c 'DROP DATABASE IF EXISTS ${db}_e WITH (FORCE)' >/dev/null")
nfiles=$(ls "$TS_SOURCE_DIR/migrations/order_manager" | wc -l)

export TS_DB_ORDER_MANAGER=$(fixture_url "$db")
run "$BIN" db migrate --module order_manager
expect_rc "first migrate exits 0" 0
expect_match "first migrate applies every file" "$OUT" "^order_manager: $nfiles applied, 0 already applied$"
expect_eq "the database was created" "$(psql_fixture postgres -c "select count(*) from pg_database where datname='$db'")" 1
expect_eq "each file is recorded with a sha256" \
    "$(psql_fixture "$db" -c "select count(*) from schema_migrations where checksum ~ '^[0-9a-f]{64}$'")" "$nfiles"
before=$(pg_dump -s "$(fixture_url "$db")" | grep -vE '^(--|\\(un)?restrict )')
rows_before=$(psql_fixture "$db" -c "select string_agg(version||checksum||applied_at, ',' order by version) from schema_migrations")
run "$BIN" db migrate --module order_manager
expect_rc "second migrate exits 0" 0
expect_match "second migrate applies nothing" "$OUT" "^order_manager: 0 applied, $nfiles already applied$"
after=$(pg_dump -s "$(fixture_url "$db")" | grep -vE '^(--|\\(un)?restrict )')
[ "$before" = "$after" ] && ok "second migrate changes no schema object" || not_ok "schema changed on the second migrate"
expect_eq "second migrate changes no bookkeeping row" \
    "$(psql_fixture "$db" -c "select string_agg(version||checksum||applied_at, ',' order by version) from schema_migrations")" "$rows_before"

# An edited applied file is refused, and a new file next to it is not applied either.
cp -r "$TS_SOURCE_DIR/migrations" "$TMP/mig"
export TS_MIGRATIONS_DIR=$TMP/mig
first=$(ls "$TMP/mig/order_manager" | head -1)
echo "-- an innocent-looking edit" >> "$TMP/mig/order_manager/$first"
echo "CREATE TABLE public.should_not_exist (x int);" > "$TMP/mig/order_manager/9000_new.sql"
run "$BIN" db migrate --module order_manager
expect_rc "an edited migration is refused with exit 1" 1
expect_match "the error names the edited file" "$ERR" "$first was changed after it was applied"
expect_eq "nothing was applied" "$(psql_fixture "$db" -c "select to_regclass('public.should_not_exist') is null")" t
expect_eq "no row was recorded" "$(psql_fixture "$db" -c "select count(*) from schema_migrations")" "$nfiles"

# A new file numbered below an applied one is refused.
rm -rf "$TMP/mig"; cp -r "$TS_SOURCE_DIR/migrations" "$TMP/mig"
echo "CREATE TABLE public.late (x int);" > "$TMP/mig/order_manager/9000_late.sql"
run "$BIN" db migrate --module order_manager
expect_rc "a new file applies" 0
echo "CREATE TABLE public.early (x int);" > "$TMP/mig/order_manager/8999_early.sql"
run "$BIN" db migrate --module order_manager
expect_rc "a file numbered below an applied one is refused" 1
expect_match "the error says to renumber" "$ERR" 'renumber'
rm "$TMP/mig/order_manager/8999_early.sql"

# A badly named file is refused before anything runs.
echo "select 1;" > "$TMP/mig/order_manager/12_bad.sql"
run "$BIN" db migrate --module order_manager
expect_rc "a badly named file is refused" 1
expect_match "the error names it" "$ERR" "12_bad.sql"
rm "$TMP/mig/order_manager/12_bad.sql"

# A failing migration rolls back entirely and is not recorded.
echo "CREATE TABLE public.half (x int); SELECT 1/0;" > "$TMP/mig/order_manager/9001_broken.sql"
run "$BIN" db migrate --module order_manager
expect_rc "a failing migration exits 1" 1
expect_match "the error names the file and the cause" "$ERR" "9001_broken.sql.*division by zero"
expect_eq "its first statement was rolled back" "$(psql_fixture "$db" -c "select to_regclass('public.half') is null")" t
unset TS_MIGRATIONS_DIR

# Two concurrent migrations of a new database: serialised, every file once.
export TS_DB_ORDER_MANAGER=$(fixture_url "${db}_c")
"$BIN" db migrate --module order_manager >"$TMP/c1" 2>&1 & p1=$!
"$BIN" db migrate --module order_manager >"$TMP/c2" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
expect_eq "two concurrent migrations both succeed" "$r1$r2" "00"
expect_eq "every file applied once" "$(psql_fixture "${db}_c" -c "select count(*) from schema_migrations")" "$nfiles"
applied=$(cat "$TMP/c1" "$TMP/c2" | grep -oE '[0-9]+ applied' | awk '{s+=$1} END {print s}')
expect_eq "the two runs together applied each file once" "$applied" "$nfiles"

# Every module migrates into a fresh database and ends with a partition for now.
for m in order_manager data_capture tp_capital workspace documentation; do
    var=TS_DB_$(echo "$m" | tr a-z A-Z)
    export "$var=$(fixture_url "${db}_e")"
    run "$BIN" db migrate --module "$m"
    expect_rc "$m migrates into a fresh database" 0
    unset "$var"
    psql_fixture postgres -c "DROP DATABASE ${db}_e WITH (FORCE)" >/dev/null
done
finish
