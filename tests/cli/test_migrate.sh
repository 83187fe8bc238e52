#!/usr/bin/env bash
# Migrations: create the database, apply, idempotent, edited/out-of-order refused,
# concurrent runs serialised. Runs against the fixture cluster with throwaway databases.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/unused-home
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
db="mig_$$"
cleanup_hooks+=("psql_fixture postgres -c 'DROP DATABASE IF EXISTS ${db} WITH (FORCE)' -c 'DROP DATABASE IF EXISTS ${db}_c WITH (FORCE)' -c 'DROP DATABASE IF EXISTS ${db}_e WITH (FORCE)' >/dev/null")
# order_manager's files and the one every module shares (migrations/common)
nfiles=$(ls "$TS_SOURCE_DIR/migrations/order_manager" "$TS_SOURCE_DIR/migrations/common" | grep -c '\.sql$')
modules="order_manager data_capture tp_capital workspace documentation"
# The SHA-256 that every module database recorded for version 0000 when each module folder held
# its own copy of 0000_common.sql (five identical files, until the common folder replaced them).
# Installs in the field hold it: the shared file must keep it, or they stop migrating.
OLD_COMMON_SHA=0b3b219ebf9e6721620395817b7776cfefaf7daf2e127d30a52c7c787b230ac5

export TS_DB_ORDER_MANAGER=$(fixture_url "$db")
run "$BIN" db migrate --module order_manager
expect_rc "first migrate exits 0" 0
expect_match "first migrate applies every file" "$OUT" "^order_manager: $nfiles applied, 0 already applied$"
expect_eq "the database was created" "$(psql_fixture postgres -c "select count(*) from pg_database where datname='$db'")" 1
expect_eq "each file is recorded with a sha256" \
    "$(psql_fixture "$db" -c "select count(*) from schema_migrations where checksum ~ '^[0-9a-f]{64}$'")" "$nfiles"
# schema DB: every schema object of DB, without the dump's comments and per-run tokens
schema() { pg_dump -s "$(fixture_url "$1")" | grep -vE '^(--|\\(un)?restrict )'; }
# bookkeeping DB: every row of schema_migrations, one string
bookkeeping() { psql_fixture "$1" -c "select string_agg(version||name||checksum||applied_at, ',' order by version) from schema_migrations"; }
must_read before schema "$db"
must_read rows_before bookkeeping "$db"
run "$BIN" db migrate --module order_manager
expect_rc "second migrate exits 0" 0
expect_match "second migrate applies nothing" "$OUT" "^order_manager: 0 applied, $nfiles already applied$"
must_read after schema "$db"
[ "$before" = "$after" ] && ok "second migrate changes no schema object" || not_ok "schema changed on the second migrate"
must_read rows_after bookkeeping "$db"
expect_eq "second migrate changes no bookkeeping row" "$rows_after" "$rows_before"

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

# An edited shared file is refused too, naming the shared file.
rm -rf "$TMP/mig"; cp -r "$TS_SOURCE_DIR/migrations" "$TMP/mig"
echo "-- an innocent-looking edit" >> "$TMP/mig/common/0000_common.sql"
run "$BIN" db migrate --module order_manager
expect_rc "an edited shared migration is refused with exit 1" 1
expect_match "the error names the shared file" "$ERR" "common/0000_common.sql was changed after it was applied"

# An applied shared file that vanished is refused.
rm "$TMP/mig/common/0000_common.sql"
run "$BIN" db migrate --module order_manager
expect_rc "a vanished shared migration is refused with exit 1" 1
expect_match "the error names it and both folders" "$ERR" \
    "0000_common.sql of order_manager was applied but its file is missing from $TMP/mig/order_manager and $TMP/mig/common"

# A module folder that still holds its own copy of the shared file is refused: two files
# would claim version 0000.
rm -rf "$TMP/mig"; cp -r "$TS_SOURCE_DIR/migrations" "$TMP/mig"
cp "$TMP/mig/common/0000_common.sql" "$TMP/mig/order_manager/"
run "$BIN" db migrate --module order_manager
expect_rc "a module's own 0000 next to the shared one is refused" 1
expect_match "the error names both files" "$ERR" \
    "two migrations numbered 0000: $TMP/mig/(common|order_manager)/0000_common.sql and $TMP/mig/(common|order_manager)/0000_common.sql"
expect_eq "nothing was recorded" "$(psql_fixture "$db" -c "select count(*) from schema_migrations")" "$nfiles"

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

# The layout before migrations/common: each module folder with its own copy of the shared
# files (0000_common.sql then; the later common files are copied too, as an old install
# brought up to date would have applied them).
old=$TMP/old-layout
for m in $modules; do
    mkdir -p "$old/$m"
    cp "$TS_SOURCE_DIR/migrations/$m/"*.sql "$TS_SOURCE_DIR/migrations/common/"*.sql "$old/$m/"
done
expect_eq "the shared file is byte for byte the per-module file of old installs" \
    "$(sha256sum <"$old/order_manager/0000_common.sql" | cut -c1-64)" "$OLD_COMMON_SHA"
# What the runner recorded for a module in that layout: version|name|checksum, one per line.
old_rows() {
    local f
    for f in $(ls "$old/$1"); do
        echo "$((10#${f:0:4}))|$f|$(sha256sum <"$old/$1/$f" | cut -c1-64)"
    done
}
recorded_rows() { psql_fixture "$1" -c "select version||'|'||name||'|'||checksum from schema_migrations order by version"; }

# A database migrated before the change (simulated: the old layout applied file by file and
# recorded as the runner did) is accepted as it is, and migrates on.
psql_fixture postgres -c "CREATE DATABASE ${db}_o ENCODING 'UTF8' TEMPLATE template0" >/dev/null
cleanup_hooks+=("psql_fixture postgres -c 'DROP DATABASE IF EXISTS ${db}_o WITH (FORCE)' >/dev/null")
psql_fixture "${db}_o" -c "CREATE TABLE public.schema_migrations (version integer PRIMARY KEY,
    name text NOT NULL, checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    applied_at timestamptz NOT NULL DEFAULT now())"
for f in $(ls "$old/order_manager"); do
    psql_fixture "${db}_o" -1 -f "$old/order_manager/$f" >/dev/null 2>"$TMP/old.err" ||
        not_ok "old layout: $f applies" "$(cat "$TMP/old.err")"
done
old_rows order_manager | while IFS='|' read -r v n c; do
    psql_fixture "${db}_o" -c "INSERT INTO public.schema_migrations (version, name, checksum) VALUES ($v, '$n', '$c')"
done
expect_eq "the old install recorded 0000_common.sql with the old checksum" \
    "$(psql_fixture "${db}_o" -c "select name||' '||checksum from schema_migrations where version = 0")" \
    "0000_common.sql $OLD_COMMON_SHA"
must_read rows_before bookkeeping "${db}_o"
export TS_DB_ORDER_MANAGER=$(fixture_url "${db}_o")
run "$BIN" db migrate --module order_manager
expect_rc "a database migrated before the shared file migrates with exit 0" 0
expect_match "it has nothing to apply" "$OUT" "^order_manager: 0 applied, $nfiles already applied$"
must_read rows_after bookkeeping "${db}_o"
expect_eq "its bookkeeping rows are unchanged" "$rows_after" "$rows_before"
rm -rf "$TMP/mig"; cp -r "$TS_SOURCE_DIR/migrations" "$TMP/mig"
echo "CREATE TABLE public.after_upgrade (x int);" > "$TMP/mig/order_manager/9000_after_upgrade.sql"
export TS_MIGRATIONS_DIR=$TMP/mig
run "$BIN" db migrate --module order_manager
expect_rc "a new migration applies to the old database" 0
expect_match "exactly the new one" "$OUT" "^order_manager: 1 applied, $nfiles already applied$"
unset TS_DB_ORDER_MANAGER TS_MIGRATIONS_DIR

# Every module migrates into a fresh database, gets the shared file as its version 0000 under
# the name and checksum the old layout recorded (so old and new installs agree row for row), and
# ends with a partition for now.
for m in $modules; do
    var=TS_DB_$(echo "$m" | tr a-z A-Z)
    export "$var=$(fixture_url "${db}_e")"
    run "$BIN" db migrate --module "$m"
    expect_rc "$m migrates into a fresh database" 0
    expect_eq "$m recorded the shared file as 0000_common.sql with the old checksum" \
        "$(psql_fixture "${db}_e" -c "select name||' '||checksum from schema_migrations where version = 0")" \
        "0000_common.sql $OLD_COMMON_SHA"
    expect_eq "$m has the shared file's functions" \
        "$(psql_fixture "${db}_e" -c "select to_regprocedure('public.ts_partition_maintain(timestamptz)') is not null")" t
    must_read recorded recorded_rows "${db}_e"
    must_read wanted old_rows "$m"
    expect_eq "$m recorded what the old layout recorded, row for row" "$recorded" "$wanted"
    unset "$var"
    psql_fixture postgres -c "DROP DATABASE ${db}_e WITH (FORCE)" >/dev/null
done
finish
