#!/usr/bin/env bash
# serve --tls-cert/--tls-key (docs/security.md): HTTPS and WSS with the given PEM files, a
# Secure session cookie, https:// login links; plain HTTP on that port gets no answer; bad
# options and unreadable files are usage errors (exit 2), a key that is not a key fails
# with its cause.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55456
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION TS_TLS_CERT TS_TLS_KEY

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 \
    -subj /CN=localhost -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' >/dev/null 2>&1
must_read subject openssl x509 -in "$TMP/cert.pem" -noout -subject

for bad in "--tls-cert $TMP/cert.pem" "--tls-key $TMP/key.pem" "--tls-cert $TMP/nope.pem --tls-key $TMP/key.pem" "--tls-cert"; do
    run "$BIN" serve --addr 127.0.0.1:1 $bad
    expect_rc "serve $bad: usage error" 2
    expect_match "serve $bad: says why in one line" "$ERR" '^tradingsystem: --tls-'
done
printf 'not a key\n' >"$TMP/bad.pem"
run "$BIN" serve --addr "127.0.0.1:$((20000 + RANDOM % 12000))" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/bad.pem"
expect_rc "a key that is not one: usage error" 2
expect_match "naming the file" "$ERR" "^tradingsystem: --tls-key $TMP/bad.pem: not a PEM private key"
run "$BIN" serve --addr "127.0.0.1:$((20000 + RANDOM % 12000))" --tls-cert "$TMP/key.pem" --tls-key "$TMP/key.pem"
expect_rc "a key given as the certificate: usage error" 2
expect_match "naming it" "$ERR" "^tradingsystem: --tls-cert $TMP/key.pem: not a PEM certificate"

serve_cleanup
# lib.sh's http speaks plain HTTP: this test talks to the server with curl itself
addr=127.0.0.1:$((20000 + RANDOM % 12000))
"$BIN" serve --addr "$addr" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVE=$!
wait_for "serve answers over HTTPS" "curl -s -o /dev/null --cacert '$TMP/cert.pem' https://$addr/api/v1/health" &&
    ok "serve answers over HTTPS"
BODY=$(curl -s -w '\n%{http_code}' --cacert "$TMP/cert.pem" "https://$addr/api/v1/health")
expect_eq "health over HTTPS, the certificate verified" "${BODY##*$'\n'}" 200
expect_eq "plain HTTP on the TLS port gets no answer" "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$addr/api/v1/health")" 000
link=$(grep -oE "https://$addr/login\?token=ts_[A-Za-z0-9_-]{43}" "$TMP/serve.out")
expect_match "the first run's login link is https://" "$link" "^https://$addr/login"
curl -s -o /dev/null -D "$TMP/h" --cacert "$TMP/cert.pem" "$link"
expect_match "the session cookie is Secure" "$(grep -i '^set-cookie:' "$TMP/h")" 'ts_session=ts_[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=[0-9]+; Secure'
expect_match "user login-url says https with TS_TLS_CERT" "$(TS_TLS_CERT=$TMP/cert.pem TS_HTTP_ADDR=$addr "$BIN" user login-url admin 2>/dev/null)" "^https://$addr/login\\?token="
T=$("$BIN" user token admin 2>/dev/null)
BODY=$(curl -s -w '\n%{http_code}' --cacert "$TMP/cert.pem" -H "Authorization: Bearer $T" "https://$addr/api/v1/auth/me")
expect_match "a token over HTTPS" "$BODY" '^\{"username":"admin"'
up=$(curl -s -i --max-time 2 --cacert "$TMP/cert.pem" -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
    -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
    -H "Authorization: Bearer $T" "https://$addr/api/v1/stream" | head -1)
expect_match "the stream upgrades over TLS (WSS)" "$up" '^HTTP/1\.1 101'
finish
