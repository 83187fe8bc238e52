#!/usr/bin/env bash
# Who may do what (docs/security.md, docs/api.md "Logging in"), against the real server:
# every route but the public ones needs credentials; each role can do what it may and gets
# 403 for the rest; the audit actor is the user, not a header; a revoked token or a disabled
# user stops working at once; password logins set a session cookie, are rate-limited and
# recorded; the `user` commands refuse bad input with exit 2; no secret is logged or stored.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55454
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
export TS_TRADING_HOURS=off

serve_cleanup
serve_start
WS=$("$BIN" db url --module workspace)
OM=$("$BIN" db url --module order_manager)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$1" -c "$2"; }
as() { # TOKEN METHOD PATH [JSON]: a request with that token (none: "")
    local t=$1 m=$2 p=$3 h=()
    [ -n "$t" ] && h=(-H "Authorization: Bearer $t")
    if [ $# -gt 3 ]; then
        NO_TOKEN=1 send "$m" "$p" "$4" "${h[@]}"
    else
        NO_TOKEN=1 http "$m" "$p" "${h[@]}"
    fi
}
id_of() { sed -nE 's/^\{"id":"([^"]+)".*/\1/p' <<<"$1"; }

# ---- the `user` commands ----
run "$BIN" user add tina --role trader
expect_rc "user add: exit 0" 0
TRADER=$OUT
expect_match "prints the token alone on stdout" "$TRADER" '^ts_[A-Za-z0-9_-]{43}$'
expect_match "and what it is on stderr, without the secret" "$ERR" '^tradingsystem: API token [0-9a-f-]{36} of tina \(shown once'
expect_eq "the secret is not in that line" "$(grep -c -- "$TRADER" <<<"$ERR")" 0
VIEWER=$("$BIN" user add vic --role viewer 2>/dev/null)
ADMIN2=$("$BIN" user add ada --role admin --accounts all 2>/dev/null)
must_read VIEWER echo "$VIEWER"
must_read ADMIN2 echo "$ADMIN2"
for bad in "add" "add x" "add x --role boss" "add 'x y' --role viewer" "add x --role viewer --accounts nope" "add x --role viewer --what" "token" "revoke not-a-uuid" "disable" "frobnicate"; do
    eval "run \"\$BIN\" user $bad"
    expect_rc "user $bad: usage error" 2
    expect_match "user $bad: one line" "$ERR" '^tradingsystem: '
done
run "$BIN" user add tina --role viewer
expect_rc "a name taken: exit 1" 1
expect_match "saying so" "$ERR" "a user 'tina' exists already"
run "$BIN" user token nobody
expect_rc "a token for nobody: exit 1" 1
run "$BIN" user list
expect_match "user list: the users, their roles and credentials" "$OUT" $'tina +trader +active +all +[0-9a-f-]{36} +token'
expect_eq "user list shows no secret" "$(grep -c 'ts_' <<<"$OUT")" 0

# ---- no credentials: only the public routes answer ----
for r in "GET /orders" "GET /accounts" "GET /positions" "GET /feed" "GET /metrics" "GET /market/book/PETR4" \
    "GET /risk/kill-switch" "GET /auth/me" "POST /orders" "POST /feed/stop" "POST /auth/logout" "PATCH /instruments/x"; do
    as "" ${r% *} "${r#* }"
    expect_match "$r without credentials: 401" "$CODE $BODY" '^401 \{"error":\{"code":"unauthenticated","message":"not logged in'
done
as "" GET /health
expect_eq "GET /health is public" "$CODE" 200
BODY=$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/")
expect_eq "so is the dashboard's page (its data is not)" "$BODY" 200
for t in "x" "ts_$(printf 'A%.0s' $(seq 43))" "$TRADER$TRADER" "${TRADER%?}" "${TRADER}'; DROP TABLE workspace.users; --"; do
    as "$t" GET /orders
    expect_eq "a wrong token: 401" "$CODE" 401
done
http GET /orders -H "Authorization: Basic $(printf 'tina:x' | base64)"
expect_eq "Basic auth is not a token: 401 (the bearer of lib.sh aside)" "$(NO_TOKEN=1 http GET /orders -H "Authorization: Basic dGluYTp4"; echo "$CODE")" 401
NO_TOKEN=1 http GET /orders -H "Cookie: ts_session=$TRADER"
expect_eq "an API token is not a session cookie" "$CODE" 401
expect_eq "the users table is whole" "$(sql "$WS" "SELECT count(*) FROM workspace.users")" 5 # admin, tester, tina, vic, ada

# ---- the roles ----
send POST /instruments '{"symbol":"AUTH3","asset_class":"stock","name":"Auth","lot_size":1,"tick_size":0.01}'
send POST /accounts '{"name":"Main","broker_account":"1"}'
acc=$(id_of "$BODY")
send POST /strategies '{"name":"Desk","strategy_type":"MANUAL","status":"ACTIVE"}'
str=$(id_of "$BODY")
must_read acc echo "$acc"
order() { printf '{"order_ref":"%s","account_id":"%s","strategy_id":"%s","symbol":"AUTH3","side":"BUY","order_type":"LIMIT","quantity":"1","price":"1.00","position_type":"DAY_TRADE"}' "$1" "$acc" "$str"; }

as "$VIEWER" GET /orders
expect_eq "a viewer reads" "$CODE" 200
as "$VIEWER" GET /auth/me
expect_match "and is told who they are" "$BODY" '^\{"username":"vic","role":"viewer","credential":"token"'
as "$VIEWER" POST /orders "$(order viewer-1)"
expect_match "a viewer cannot place an order: 403" "$CODE $BODY" '^403 \{"error":\{"code":"forbidden","message":"vic is a viewer: changing /api/v1/orders needs the trader role"'
as "$VIEWER" POST /risk/kill-switch '{"active":true,"reason":"v"}'
expect_eq "nor touch the kill switch" "$CODE" 403
as "$TRADER" POST /orders "$(order trader-1)"
expect_eq "a trader places an order" "$CODE" 201
oid=$(id_of "$BODY")
as "$TRADER" POST /orders "$(order trader-2)" -H 'X-Actor: mallory'
expect_eq "(with an X-Actor header)" "$CODE" 201
expect_eq "the audit actor is the user, never a header" \
    "$(sql "$OM" "SELECT string_agg(DISTINCT changed_by, ',') FROM order_manager.order_audit_log WHERE action = 'CREATED'")" tina
as "$TRADER" POST "/orders/$oid/cancel" '{"reason":"done"}'
expect_eq "a trader cancels" "$CODE" 200
for r in "POST /accounts" "POST /instruments" "POST /strategies" "POST /risk-limits" "POST /market/ticks" "POST /session/end-of-day"; do
    as "$TRADER" ${r% *} "${r#* }" '{}'
    expect_match "a trader: $r is 403" "$CODE $BODY" '^403 .*needs the admin role'
done
as "$TRADER" POST /feed/stop
expect_eq "a trader cannot stop the feed (a route answered from memory)" "$CODE" 403
as "$TRADER" POST /risk/kill-switch '{"active":true,"reason":"stop"}'
expect_eq "a trader may stop trading" "$CODE" 200
as "$TRADER" POST /risk/kill-switch '{"active":false,"reason":"go"}'
expect_match "but not start it again: 403" "$CODE $BODY" '^403 .*releasing the kill switch needs the admin role'
as "$VIEWER" GET /risk/kill-switch
expect_match "so it stays active" "$BODY" '"active":true,.*"changed_by":"tina"'
as "$ADMIN2" POST /risk/kill-switch '{"active":false,"reason":"go"}'
expect_match "an admin releases it, named as the actor" "$CODE $BODY" '^200 .*"changed_by":"ada"'
expect_eq "the refused requests changed nothing" "$(sql "$OM" "SELECT count(*) FROM order_manager.orders")|$(sql "$OM" "SELECT count(*) FROM order_manager.accounts")|$(sql "$OM" "SELECT count(*) FROM order_manager.kill_switch_log")" "2|1|2"

# ---- accounts: a user sees and trades only those granted (others: 404, as if absent) ----
send POST /accounts '{"name":"Other","broker_account":"2"}'
accB=$(id_of "$BODY")
must_read accB echo "$accB"
B=$(sed "s/$acc/$accB/" <<<"$(order b-1)")
send POST /orders "$B"
expect_eq "an order of account B (by the admin)" "$CODE" 201
oB=$(id_of "$BODY")
RITA=$("$BIN" user add rita --role trader --accounts "$acc" 2>/dev/null)
must_read RITA echo "$RITA"
as "$RITA" POST /orders "$(order rita-1)"
expect_eq "rita trades her account" "$CODE" 201
oA=$(id_of "$BODY")
as "$RITA" POST /orders "$(sed "s/$acc/$accB/; s/b-1/rita-2/" <<<"$B")"
expect_match "not account B: 404, as for an account that does not exist" "$CODE $BODY" "^404 .*account '$accB' not found"
as "$RITA" GET "/orders/$oB"
expect_eq "B's order by id: 404" "$CODE" 404
as "$RITA" GET /orders/by-ref/b-1
expect_eq "by its ref: 404" "$CODE" 404
as "$RITA" GET "/orders/$oB/audit"
expect_eq "its audit trail: 404" "$CODE" 404
as "$RITA" POST "/orders/$oB/cancel" '{"reason":"mine now"}'
expect_eq "cancel it: 404" "$CODE" 404
as "$RITA" PATCH "/orders/$oB" '{"price":"1.01"}'
expect_eq "modify it: 404" "$CODE" 404
expect_eq "and it is untouched" "$(sql "$OM" "SELECT status || ' ' || price FROM order_manager.orders WHERE id = '$oB'")" "SUBMITTED 1.00000000"
as "$RITA" GET "/orders/$oA"
expect_eq "her own order: 200" "$CODE" 200
as "$RITA" GET "/orders?limit=1000"
expect_eq "the order list holds only her account's" "$(grep -o '"account_id":"[^"]*"' <<<"$BODY" | sort -u | tr -d '\n')" "\"account_id\":\"$acc\""
as "$RITA" GET /accounts
expect_eq "the account list: hers only" "$(grep -o '"id":"[^"]*"' <<<"$BODY" | tr -d '\n')" "\"id\":\"$acc\""
as "$RITA" GET "/accounts/$accB"
expect_eq "account B: 404" "$CODE" 404
as "$RITA" GET "/audit/orders?limit=1000"
expect_eq "the audit log: only her account's orders" "$(grep -c "$oB" <<<"$BODY")" 0
as "$ADMIN2" GET "/orders/$oB"
expect_eq "an admin of all accounts sees B's order" "$CODE" 200

# ---- revocation and disabling take effect at once ----
tid=$("$BIN" user list | awk '$1 == "vic" { print $5 }')
must_read tid echo "$tid"
as "$VIEWER" GET /orders
expect_eq "vic's token works" "$CODE" 200
run "$BIN" user revoke "$tid"
expect_rc "user revoke: exit 0" 0
as "$VIEWER" GET /orders
expect_eq "revoked: the next request is 401" "$CODE" 401
run "$BIN" user revoke "$tid"
expect_rc "revoked twice: exit 1" 1
SECOND=$("$BIN" user token tina --name laptop 2>/dev/null)
as "$SECOND" GET /orders
expect_eq "a second token of tina works" "$CODE" 200
run "$BIN" user disable tina
expect_rc "user disable: exit 0" 0
as "$TRADER" GET /orders
expect_eq "disabled: every token of theirs is 401" "$CODE $(as "$SECOND" GET /orders; echo "$CODE")" "401 401"

# ---- password logins, sessions, the rate limit ----
printf 'a good passphrase\n' | "$BIN" user passwd ada 2>"$TMP/pw.err"
expect_eq "user passwd reads stdin" "$?" 0
printf 'short\n' | "$BIN" user passwd ada 2>"$TMP/pw.err"
expect_eq "a short password: exit 2" "$?" 2
login() { NO_TOKEN=1 send POST /auth/login "{\"username\":\"$1\",\"password\":\"$2\"}" -D "$TMP/h"; }
login ada 'a good passphrase'
expect_match "a password login: 200" "$CODE $BODY" '^200 \{"username":"ada","role":"admin","credential":"session"\}'
cookie=$(grep -i '^set-cookie:' "$TMP/h" | sed -E 's/.*(ts_session=[^;]+).*/\1/')
expect_match "sets an HttpOnly, SameSite=Strict session cookie" "$(grep -i '^set-cookie:' "$TMP/h")" 'ts_session=ts_[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age='
NO_TOKEN=1 http GET /auth/me -H "Cookie: other=1; $cookie"
expect_match "the cookie proves ada" "$CODE $BODY" '^200 \{"username":"ada","role":"admin","credential":"session"'
NO_TOKEN=1 http GET /orders -H "Authorization: Bearer ${cookie#ts_session=}"
expect_eq "a session is not an API token" "$CODE" 401
NO_TOKEN=1 http POST /auth/logout -H "$(printf 'Cookie: %s' "$cookie")" -D "$TMP/h"
expect_eq "logout: 200" "$CODE" 200
expect_match "clears the cookie" "$(grep -i '^set-cookie:' "$TMP/h")" 'ts_session=; .*Max-Age=0'
NO_TOKEN=1 http GET /auth/me -H "Cookie: $cookie"
expect_eq "the session is over" "$CODE" 401
for i in 1 2 3 4 5; do login ada "wrong $i"; done
expect_match "a wrong password: 401, saying nothing of which part was wrong" "$CODE $BODY" '^401 \{"error":\{"code":"unauthenticated","message":"wrong user name or password"'
login ada 'a good passphrase'
expect_match "after 5 failures, even the right password waits: 429" "$CODE $BODY" '^429 \{"error":\{"code":"too_many_attempts"'
login nosuchuser 'whatever'
expect_eq "an unknown user: the same 401" "$CODE" 401
expect_eq "failures are recorded" "$(sql "$WS" "SELECT count(*) FROM workspace.auth_events WHERE event = 'login_failed' AND username = 'ada' AND address = '127.0.0.1'")" 5
for bad in '{"username":"ada"}' '{"username":"ada","password":"x","extra":1}' '{"username":1,"password":"x"}' 'nope'; do
    NO_TOKEN=1 send POST /auth/login "$bad"
    expect_eq "login body $bad: 400" "$CODE" 400
done

# ---- TS_METRICS_PUBLIC=1: a local Prometheus scrapes without a token, and nothing else opens ----
serve_stop
run env TS_METRICS_PUBLIC=yes "$BIN" serve --addr 127.0.0.1:1
expect_rc "TS_METRICS_PUBLIC=yes: usage error" 2
TS_METRICS_PUBLIC=1 serve_start
as "" GET /metrics
expect_eq "metrics without credentials: 200" "$CODE" 200
expect_match "the Prometheus text" "$BODY" '^ts_orders_placed_total '
as "" GET /orders
expect_eq "but nothing else" "$CODE" 401

# ---- no secret anywhere but with its owner ----
expect_eq "no secret in serve's log" "$(grep -cE 'ts_[A-Za-z0-9_-]{43}' "$TMP/serve.err")" 0
expect_eq "no secret in the database" "$(pg_dump -a "$WS" | grep -cE "$TRADER|$ADMIN2|${cookie#ts_session=}")" 0
expect_eq "no password in the database" "$(pg_dump -a "$WS" | grep -c 'a good passphrase')" 0
expect_match "passwords are argon2id" "$(sql "$WS" "SELECT password_hash FROM workspace.users WHERE username = 'ada'")" '^\$argon2id\$'
finish
