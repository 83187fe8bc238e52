#!/usr/bin/env bash
# The integration fixture: one throwaway PostgreSQL cluster per test run.
#   cluster.sh up   BIN HOME   fresh cluster in HOME, started, migrated; each module
#                              database is then cloned into tpl_<module>, a template
#                              that tests copy to get a clean state (harness.c)
#   cluster.sh down BIN HOME   stop it and delete HOME
# Durability settings are relaxed for speed: it is thrown away at the end.
set -euo pipefail
action=$1 bin=$2 home=$3
export TS_HOME=$home
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL \
      TS_DB_WORKSPACE TS_DB_DOCUMENTATION
export TS_PG_PORT=${TS_TEST_PG_PORT:-55432}
case $action in
up)
    if [ -d "$home/pg" ]; then "$bin" db stop >/dev/null 2>&1 || true; fi
    rm -rf "$home"
    "$bin" db init
    owner=$(stat -c %U "$home/pg")
    cat > "$home/pg/tradingsystem.local.conf" <<CONF
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    chown "$owner" "$home/pg/tradingsystem.local.conf"
    "$bin" db start
    "$bin" db migrate
    for m in order_manager data_capture tp_capital workspace documentation; do
        url=$("$bin" db url --module "$m")
        admin=${url/dbname=\'$m\'/dbname=\'postgres\'}
        psql -X -q -v ON_ERROR_STOP=1 "$admin" \
            -c "CREATE DATABASE tpl_$m TEMPLATE $m" \
            -c "ALTER DATABASE tpl_$m WITH is_template true ALLOW_CONNECTIONS false"
    done
    ;;
down)
    "$bin" db stop || true
    rm -rf "$home"
    ;;
*)
    echo "usage: cluster.sh up|down BIN HOME" >&2
    exit 2
    ;;
esac
