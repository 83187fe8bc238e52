#!/usr/bin/env bash
# `cmake --install BUILD --prefix P`: P/bin/tradingsystem, P/share/tradingsystem/{migrations,web};
# the installed program, started from another directory through a symlink, finds both next to
# itself (not in the source tree: the installed copies are marked), migrates, serves `/` and
# health; TS_WEB_DIR still wins; a build tree's binary falls back to the source tree.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55470
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL \
    TS_DB_WORKSPACE TS_DB_DOCUMENTATION TS_WEB_DIR TS_MIGRATIONS_DIR
BUILD_BIN=$BIN
prefix=$TMP/prefix
share=$prefix/share/tradingsystem

run cmake --install "${TS_BUILD_DIR:?}" --prefix "$prefix"
expect_rc "cmake --install into a fresh prefix exits 0" 0
[ -x "$prefix/bin/tradingsystem" ] && ok "the program is installed in P/bin" ||
    not_ok "no executable $prefix/bin/tradingsystem" "$OUT" "$ERR"
run diff -r "$TS_SOURCE_DIR/migrations" "$share/migrations"
expect_rc "the migrations are installed in P/share/tradingsystem/migrations, every file" 0
run diff -r "$TS_SOURCE_DIR/web/dist" "$share/web"
expect_rc "the built dashboard is installed in P/share/tradingsystem/web, every file" 0
expect_match "with its index.html" "$(cat "$share/web/index.html" 2>&1)" '<div id="app"></div>'

# Mark the installed copies, so that what the program uses cannot be the source tree's.
printf '<!-- the installed copy -->\n' >>"$share/web/index.html"
echo "CREATE TABLE public.installed_marker (x int);" >"$share/migrations/order_manager/9000_installed_marker.sql"

# Started from an unrelated directory through a symlink: /proc/self/exe is the real file.
mkdir -p "$TMP/elsewhere/bin" "$TMP/cwd"
ln -s "$prefix/bin/tradingsystem" "$TMP/elsewhere/bin/tradingsystem"
BIN=$TMP/elsewhere/bin/tradingsystem
cd "$TMP/cwd" || exit 1
TS_LOG_LEVEL=debug run "$BIN" db url --module order_manager
expect_match "the installed program reads the installed migrations" "$ERR" \
    "DEBUG app: migrations: $share/migrations \(installed next to the program\)"
expect_match "and the installed dashboard" "$ERR" "DEBUG app: web: $share/web \(installed next to the program\)"

serve_cleanup
serve_start
http GET /health
expect_eq "GET /api/v1/health from the installed program: 200" "$CODE" 200
expect_match "every module migrated" "$BODY" '"status":"ok"'
BODY=$(curl -s -w '\n%{http_code}' "http://$addr/"); CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
expect_eq "GET / from the installed program: 200" "$CODE" 200
expect_match "with the dashboard's HTML" "$BODY" '<div id="app"></div>'
expect_match "the installed copy of it" "$BODY" '<!-- the installed copy -->'
js=$(printf '%s' "$BODY" | grep -oE '/assets/main-[A-Za-z0-9]+\.js' | head -1)
code=$(curl -s -o /dev/null -w '%{http_code}' "http://$addr${js:-/assets/none.js}")
expect_eq "its script $js: 200" "$code" 200
expect_eq "the installed migrations were applied (the marked one too)" \
    "$(psql -X -At "$("$BIN" db url --module order_manager)" -c "select to_regclass('public.installed_marker') is not null" 2>&1)" t
serve_stop

# The environment still overrides the installed folders.
mkdir -p "$TMP/web"
printf '<!doctype html><title>from TS_WEB_DIR</title>' >"$TMP/web/index.html"
TS_WEB_DIR=$TMP/web serve_start
BODY=$(curl -s -w '\n%{http_code}' "http://$addr/"); CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
expect_match "TS_WEB_DIR overrides the installed dashboard" "$CODE $BODY" '^200 .*<title>from TS_WEB_DIR</title>'
serve_stop
TS_LOG_LEVEL=debug TS_MIGRATIONS_DIR=$TMP/mig run "$BIN" db url --module order_manager
expect_match "TS_MIGRATIONS_DIR overrides the installed migrations" "$ERR" \
    "DEBUG app: migrations: $TMP/mig \(from TS_MIGRATIONS_DIR\)"

# A build tree's binary has nothing installed next to it: it uses the source tree.
TS_LOG_LEVEL=debug run "$BUILD_BIN" db url --module order_manager
expect_match "the build tree's binary reads the source tree's migrations" "$ERR" \
    "DEBUG app: migrations: $TS_SOURCE_DIR/migrations \(the source tree\)"
expect_match "and the source tree's dashboard" "$ERR" "DEBUG app: web: $TS_SOURCE_DIR/web/dist \(the source tree\)"
finish
