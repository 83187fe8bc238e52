#!/usr/bin/env bash
# REST reference data (docs/api.md "Accounts", "Instruments", "Strategies", "Risk limits"):
# create, read, list with filters, change, delete, through a real `serve` on loopback
# with its own cluster. Every refused request is checked for its status, its error
# envelope, and for leaving the table exactly as it was (a digest of every row).
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55435
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
serve_cleanup
serve_start
OM=$("$BIN" db url --module order_manager)
DC=$("$BIN" db url --module data_capture)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$1" -c "$2"; }

# Elements of a JSON array of rows (each row has exactly one "id" at top level here).
nrows() { printf '%s' "$1" | grep -o '"id":"' | wc -l | tr -d ' '; }
# Digest of every row of a table: a refused request must leave it unchanged.
digest() { sql "$1" "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t.id)), '') FROM $2 t"; }

# refused NAME URL TABLE STATUS ERRCODE MSG_REGEX METHOD PATH [JSON]
refused() {
    local name=$1 url=$2 table=$3 want=$4 code=$5 msg=$6 m=$7 p=$8
    local before after
    must_read before digest "$url" "$table"
    if [ $# -ge 9 ]; then send "$m" "$p" "$9"; else http "$m" "$p"; fi
    must_read after digest "$url" "$table"
    if [ "$CODE" = "$want" ] && printf '%s' "$BODY" | grep -qE -- "^\\{\"error\":\\{\"code\":\"$code\",\"message\":\"([^\"\\\\]|\\\\.)*$msg" \
        && [ "$before" = "$after" ]; then
        ok "$name: $want $code, nothing changed"
    else
        not_ok "$name" "status $CODE (want $want)" "body: $BODY" "want /$msg/" "table before: $before" "table after:  $after"
    fi
}
UUID7='^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
TIME='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'
NOID=0190a6b0-0000-7000-8000-000000000000

# ------------------------------------------------------------------------------------------
# Accounts
# ------------------------------------------------------------------------------------------
T=order_manager.accounts
send POST /accounts '{"name":"Conta Principal","broker_account":"12345-6"}'
expect_eq "accounts: create answers 201" "$CODE" 201
A1=$(field "$BODY" id)
expect_match "accounts: the id is a UUIDv7 made by the program" "$A1" "$UUID7"
expect_match "accounts: currency defaults to BRL, status to ACTIVE" "$BODY" '"currency":"BRL","status":"ACTIVE"'
expect_match "accounts: created_at is RFC 3339 UTC" "$(field "$BODY" created_at)" "$TIME"
expect_match "accounts: metadata defaults to {}" "$BODY" '"metadata":\{\}'
hdrs=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $TOKEN" "http://$addr$API/accounts/$A1")
expect_match "accounts: answers are JSON" "$hdrs" '[Cc]ontent-[Tt]ype: application/json'

send POST /accounts '{"name":"Conta São Paulo — ações 📈","broker_account":"99-X","currency":"USD","status":"SUSPENDED","metadata":{"desk":"B","n":[1,2]}}'
expect_eq "accounts: unicode name answers 201" "$CODE" 201
A2=$(field "$BODY" id)
expect_eq "accounts: unicode name stored as sent" "$(sql "$OM" "SELECT name FROM $T WHERE id = '$A2'")" "Conta São Paulo — ações 📈"
expect_match "accounts: unicode name answered as sent" "$BODY" '"name":"Conta São Paulo — ações 📈"'
expect_match "accounts: currency, status and metadata as sent" "$BODY" '"currency":"USD","status":"SUSPENDED".*"metadata":\{"n": ?\[1, ?2\], ?"desk": ?"B"\}'

evil="x'); DROP TABLE order_manager.accounts; --"
send POST /accounts "{\"name\":\"$evil\",\"broker_account\":\"\\\"; DELETE FROM x; \\\\\"}"
expect_eq "accounts: an SQL-ish name answers 201" "$CODE" 201
A3=$(field "$BODY" id)
expect_eq "accounts: the SQL-ish name is stored verbatim" "$(sql "$OM" "SELECT name FROM $T WHERE id = '$A3'")" "$evil"
expect_eq "accounts: the SQL-ish broker account too" "$(sql "$OM" "SELECT broker_account FROM $T WHERE id = '$A3'")" '"; DELETE FROM x; \'
expect_eq "accounts: and the table is still there" "$(sql "$OM" "SELECT count(*) FROM $T")" 3

long100=$(printf 'ç%.0s' $(seq 100))
send POST /accounts "{\"name\":\"$long100\",\"broker_account\":\"1\"}"
expect_eq "accounts: a name of 100 two-byte characters fits varchar(100)" "$CODE" 201
A4=$(field "$BODY" id)

http GET "/accounts/$A1"
expect_eq "accounts: get answers 200" "$CODE" 200
expect_match "accounts: get answers the row" "$BODY" "^\\{\"id\":\"$A1\",\"name\":\"Conta Principal\",\"broker_account\":\"12345-6\""
http GET "/accounts/${A1^^}"
expect_eq "accounts: get accepts an upper-case UUID" "$(field "$BODY" id)" "$A1"
http GET "/accounts/$NOID"
expect_eq "accounts: unknown id answers 404" "$CODE" 404
expect_match "accounts: in the error envelope" "$BODY" "^\\{\"error\":\\{\"code\":\"not_found\",\"message\":\"account '$NOID' not found\"\\}\\}$"
http GET /accounts/not-a-uuid
expect_eq "accounts: malformed id answers 400" "$CODE" 400
expect_match "accounts: saying it is not a UUID" "$BODY" '"code":"invalid_argument","message":"account id .not-a-uuid. is not a UUID"'

http GET /accounts
expect_eq "accounts: list answers 200" "$CODE" 200
expect_eq "accounts: list has every account" "$(nrows "$BODY")" 4
expect_eq "accounts: newest first" "$(field "$(printf '%s' "$BODY" | sed -E 's/\},\{.*/}/')" id)" "$A4"
http GET '/accounts?status=SUSPENDED'
expect_eq "accounts: list filtered by status" "$(nrows "$BODY"):$(field "$BODY" id)" "1:$A2"
http GET '/accounts?currency=BRL&limit=2'
expect_eq "accounts: list filtered by currency, limited" "$(nrows "$BODY")" 2
http GET '/accounts?status=OPEN'
expect_eq "accounts: list with an unknown status answers 400" "$CODE" 400
http GET '/accounts?colour=red'
expect_eq "accounts: unknown query parameter answers 400" "$CODE" 400
expect_match "accounts: naming it" "$BODY" "unknown query parameter 'colour'"
for l in 0 1001 abc -1 ''; do
    http GET "/accounts?limit=$l"
    expect_eq "accounts: limit '$l' answers 400" "$CODE" 400
done
http GET '/accounts?limit=1000'
expect_eq "accounts: limit 1000 is allowed" "$CODE" 200

refused "accounts: duplicate name" "$OM" $T 409 conflict 'accounts_name_key' POST /accounts '{"name":"Conta Principal","broker_account":"1"}'
refused "accounts: malformed JSON" "$OM" $T 400 invalid_argument 'malformed JSON' POST /accounts '{"name":"x",'
refused "accounts: trailing data" "$OM" $T 400 invalid_argument 'malformed JSON' POST /accounts '{"name":"x","broker_account":"1"} {}'
refused "accounts: an array body" "$OM" $T 400 invalid_argument 'must be a JSON object' POST /accounts '[{"name":"x"}]'
refused "accounts: an empty body" "$OM" $T 400 invalid_argument 'empty' POST /accounts
refused "accounts: name as a number" "$OM" $T 400 invalid_argument "field 'name' must be a string" POST /accounts '{"name":42,"broker_account":"1"}'
refused "accounts: unknown field" "$OM" $T 400 invalid_argument "unknown field 'colour'" POST /accounts '{"name":"y","broker_account":"1","colour":"red"}'
refused "accounts: id given by the client" "$OM" $T 400 invalid_argument "unknown field 'id'" POST /accounts "{\"id\":\"$NOID\",\"name\":\"y\",\"broker_account\":\"1\"}"
refused "accounts: missing broker_account" "$OM" $T 400 invalid_argument "missing field 'broker_account'" POST /accounts '{"name":"y"}'
refused "accounts: null name" "$OM" $T 400 invalid_argument "missing field 'name'" POST /accounts '{"name":null,"broker_account":"1"}'
refused "accounts: blank name" "$OM" $T 400 invalid_argument "field 'name' must not be empty" POST /accounts '{"name":"   ","broker_account":"1"}'
refused "accounts: control character in name" "$OM" $T 400 invalid_argument "field 'name' contains a control character" POST /accounts '{"name":"a\u0001b","broker_account":"1"}'
refused "accounts: name of 101 characters" "$OM" $T 400 invalid_argument "field 'name' is longer than 100 characters" POST /accounts "{\"name\":\"${long100}x\",\"broker_account\":\"1\"}"
refused "accounts: lower-case currency" "$OM" $T 400 invalid_argument "field 'currency' must be an ISO 4217" POST /accounts '{"name":"y","broker_account":"1","currency":"brl"}'
refused "accounts: bad status" "$OM" $T 400 invalid_argument "field 'status' must be one of ACTIVE, SUSPENDED, CLOSED" POST /accounts '{"name":"y","broker_account":"1","status":"OPEN"}'
refused "accounts: metadata not an object" "$OM" $T 400 invalid_argument "field 'metadata' must be an object" POST /accounts '{"name":"y","broker_account":"1","metadata":[1]}'
refused "accounts: invalid UTF-8" "$OM" $T 400 invalid_argument 'malformed JSON' POST /accounts $'{"name":"\xc3\x28","broker_account":"1"}'
refused "accounts: NaN in metadata (json-c reads it, jsonb would not)" "$OM" $T 400 invalid_argument 'not one we can store' POST /accounts '{"name":"y","broker_account":"1","metadata":{"x":NaN}}'
refused "accounts: U+0000 in metadata" "$OM" $T 400 invalid_argument 'holds U.0000' POST /accounts '{"name":"y","broker_account":"1","metadata":{"x":"a\u0000b"}}'
refused "accounts: PATCH is not an endpoint" "$OM" $T 405 method_not_allowed 'method not allowed' PATCH "/accounts/$A1" '{"status":"CLOSED"}'

# ------------------------------------------------------------------------------------------
# Instruments
# ------------------------------------------------------------------------------------------
T=data_capture.instruments
send POST /instruments '{"symbol":"PETR4","asset_class":"stock","name":"Petrobras PN","isin":"BRPETRACNPR6","lot_size":100,"tick_size":0.01,"trading_hours":{"open":"10:00","close":"17:00"}}'
expect_eq "instruments: create answers 201" "$CODE" 201
expect_match "instruments: the id is a UUIDv7" "$(field "$BODY" id)" "$UUID7"
expect_match "instruments: exchange defaults to B3" "$BODY" '"exchange":"B3"'
expect_match "instruments: decimals as exact strings" "$BODY" '"lot_size":"100.00000000","tick_size":"0.01000000"'
expect_match "instruments: trading hours as an object" "$BODY" '"trading_hours":\{"open": ?"10:00", ?"close": ?"17:00"\}'
expect_match "instruments: status defaults to ACTIVE, currency to BRL" "$BODY" '"currency":"BRL".*"status":"ACTIVE"'

send POST /instruments '{"symbol":"WINZ26","exchange":"B3","asset_class":"future","name":"Mini Índice Futuro — dez/26","tick_size":"5","trading_hours":{"open":"09:00","close":"18:25","tz":"America/Sao_Paulo"},"metadata":{"fees":{"tax_per_unit":"0.25","commission_rate":0.0005},"note":"ok"}}'
expect_eq "instruments: a future with fees answers 201" "$CODE" 201
expect_match "instruments: its unicode name as sent" "$BODY" '"name":"Mini Índice Futuro — dez/26"'
expect_match "instruments: lot size defaults to 1" "$BODY" '"lot_size":"1.00000000","tick_size":"5.00000000"'

send POST /instruments '{"symbol":"BOVA11","asset_class":"stock","name":"x'"'"'; DROP TABLE data_capture.instruments; --","tick_size":30.10}'
expect_eq "instruments: tick size 30.10 as a JSON number answers 201" "$CODE" 201
expect_match "instruments: and comes back as \"30.10000000\"" "$BODY" '"tick_size":"30.10000000"'
expect_eq "instruments: the SQL-ish name is stored verbatim" "$(sql "$DC" "SELECT name FROM $T WHERE symbol = 'BOVA11'")" "x'; DROP TABLE data_capture.instruments; --"
expect_eq "instruments: the stored tick size is exact" "$(sql "$DC" "SELECT tick_size FROM $T WHERE symbol = 'BOVA11'")" "30.10000000"

http GET /instruments/PETR4
expect_eq "instruments: get by symbol answers 200" "$CODE" 200
expect_match "instruments: the row" "$BODY" '"symbol":"PETR4","exchange":"B3","asset_class":"stock","name":"Petrobras PN","isin":"BRPETRACNPR6"'
http GET /instruments/VALE3
expect_eq "instruments: unknown symbol answers 404" "$CODE" 404
expect_match "instruments: naming it" "$BODY" "\"code\":\"not_found\",\"message\":\"instrument 'VALE3' not found\""
http GET /instruments/petr4
expect_eq "instruments: symbols are case-sensitive (404)" "$CODE" 404
http GET '/instruments?asset_class=future'
expect_eq "instruments: list filtered by asset class" "$(nrows "$BODY"):$(field "$BODY" symbol)" "1:WINZ26"
http GET '/instruments?status=ACTIVE&exchange=B3&limit=2'
expect_eq "instruments: list filtered and limited, newest first" "$(nrows "$BODY"):$(field "$(printf '%s' "$BODY" | sed -E 's/\},\{.*/}/')" symbol)" "2:BOVA11"
http GET '/instruments?asset_class=bond'
expect_eq "instruments: unknown asset class filter answers 400" "$CODE" 400
http GET '/instruments?symbol=PETR4'
expect_eq "instruments: unknown query parameter answers 400" "$CODE" 400

I='"asset_class":"stock","name":"n"'
refused "instruments: duplicate symbol" "$DC" $T 409 conflict 'instruments_symbol_key' POST /instruments "{\"symbol\":\"PETR4\",$I,\"tick_size\":\"0.01\"}"
refused "instruments: lower-case symbol" "$DC" $T 400 invalid_argument "field 'symbol' must be 1 to 50 uppercase letters or digits" POST /instruments "{\"symbol\":\"petr4\",$I,\"tick_size\":\"0.01\"}"
refused "instruments: symbol with a space" "$DC" $T 400 invalid_argument "field 'symbol' must be" POST /instruments "{\"symbol\":\"PETR 4\",$I,\"tick_size\":\"0.01\"}"
refused "instruments: symbol of 51 characters" "$DC" $T 400 invalid_argument "field 'symbol' must be" POST /instruments "{\"symbol\":\"$(printf 'A%.0s' $(seq 51))\",$I,\"tick_size\":\"0.01\"}"
refused "instruments: empty symbol" "$DC" $T 400 invalid_argument "field 'symbol' must be" POST /instruments "{\"symbol\":\"\",$I,\"tick_size\":\"0.01\"}"
refused "instruments: zero tick size" "$DC" $T 400 invalid_argument "field 'tick_size' must be greater than 0" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":0}"
refused "instruments: negative tick size" "$DC" $T 400 invalid_argument "field 'tick_size' must be greater than 0" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"-0.01\"}"
refused "instruments: tick size with 9 decimals" "$DC" $T 400 invalid_argument "field 'tick_size'" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":0.000000001}"
refused "instruments: tick size with an exponent" "$DC" $T 400 invalid_argument "field 'tick_size'" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":1e-2}"
refused "instruments: tick size not a number" "$DC" $T 400 invalid_argument "field 'tick_size'" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"abc\"}"
refused "instruments: tick size as a boolean" "$DC" $T 400 invalid_argument "field 'tick_size' must be a decimal" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":true}"
refused "instruments: tick size too big" "$DC" $T 400 invalid_argument "field 'tick_size'" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"10000000000\"}"
refused "instruments: zero lot size" "$DC" $T 400 invalid_argument "field 'lot_size' must be greater than 0" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"lot_size\":0}"
refused "instruments: missing tick size" "$DC" $T 400 invalid_argument "missing field 'tick_size'" POST /instruments "{\"symbol\":\"VALE3\",$I}"
refused "instruments: missing asset class" "$DC" $T 400 invalid_argument "missing field 'asset_class'" POST /instruments '{"symbol":"VALE3","name":"n","tick_size":"0.01"}'
refused "instruments: bad asset class" "$DC" $T 400 invalid_argument "field 'asset_class' must be one of stock, future, fx, crypto" POST /instruments '{"symbol":"VALE3","asset_class":"bond","name":"n","tick_size":"0.01"}'
refused "instruments: asset class in upper case" "$DC" $T 400 invalid_argument "field 'asset_class' must be one of" POST /instruments '{"symbol":"VALE3","asset_class":"STOCK","name":"n","tick_size":"0.01"}'
refused "instruments: bad status" "$DC" $T 400 invalid_argument "field 'status' must be one of ACTIVE, INACTIVE, DELISTED, HALTED" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"status\":\"active\"}"
refused "instruments: bad ISIN" "$DC" $T 400 invalid_argument "field 'isin' must be an ISIN" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"isin\":\"BR123\"}"
refused "instruments: hours open after close" "$DC" $T 400 invalid_argument "field 'trading_hours': 'open' must be before 'close'" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"trading_hours\":{\"open\":\"18:00\",\"close\":\"10:00\"}}"
refused "instruments: hours open equal to close" "$DC" $T 400 invalid_argument "'open' must be before 'close'" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"trading_hours\":{\"open\":\"10:00\",\"close\":\"10:00\"}}"
refused "instruments: hours 25:00" "$DC" $T 400 invalid_argument "'open' must be a time HH:MM" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"trading_hours\":{\"open\":\"25:00\",\"close\":\"26:00\"}}"
refused "instruments: hours 10:60" "$DC" $T 400 invalid_argument "'close' must be a time HH:MM" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"trading_hours\":{\"open\":\"10:00\",\"close\":\"10:60\"}}"
refused "instruments: hours 9:00" "$DC" $T 400 invalid_argument "'open' must be a time HH:MM" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"trading_hours\":{\"open\":\"9:00\",\"close\":\"17:00\"}}"
refused "instruments: hours without close" "$DC" $T 400 invalid_argument "field 'trading_hours': missing field 'close'" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"trading_hours\":{\"open\":\"10:00\"}}"
refused "instruments: hours with an unknown key" "$DC" $T 400 invalid_argument "field 'trading_hours': unknown field 'lunch'" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"trading_hours\":{\"open\":\"10:00\",\"close\":\"17:00\",\"lunch\":\"12:00\"}}"
refused "instruments: hours in another time zone" "$DC" $T 400 invalid_argument "'tz' must be America/Sao_Paulo" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"trading_hours\":{\"open\":\"10:00\",\"close\":\"17:00\",\"tz\":\"UTC\"}}"
refused "instruments: hours as a string" "$DC" $T 400 invalid_argument "field 'trading_hours' must be an object" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"trading_hours\":\"10:00-17:00\"}"
refused "instruments: negative fee" "$DC" $T 400 invalid_argument "field 'metadata': fees: field 'tax_rate' must not be negative" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"metadata\":{\"fees\":{\"tax_rate\":-0.1}}}"
refused "instruments: fee rate above 1" "$DC" $T 400 invalid_argument "fees: field 'commission_rate' is a fraction" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"metadata\":{\"fees\":{\"commission_rate\":2}}}"
refused "instruments: unknown fee" "$DC" $T 400 invalid_argument "fees: unknown field 'brokerage'" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"metadata\":{\"fees\":{\"brokerage\":\"1\"}}}"
refused "instruments: unknown field" "$DC" $T 400 invalid_argument "unknown field 'sector'" POST /instruments "{\"symbol\":\"VALE3\",$I,\"tick_size\":\"0.01\",\"sector\":\"mining\"}"

send PATCH /instruments/PETR4 '{"status":"HALTED"}'
expect_eq "instruments: PATCH status answers 200" "$CODE" 200
expect_match "instruments: the instrument is halted" "$BODY" '"status":"HALTED"'
expect_eq "instruments: and stored so" "$(sql "$DC" "SELECT status FROM $T WHERE symbol = 'PETR4'")" HALTED
expect_eq "instruments: updated_at moved" "$(sql "$DC" "SELECT updated_at > created_at FROM $T WHERE symbol = 'PETR4'")" t
send PATCH /instruments/PETR4 '{"tick_size":0.05,"lot_size":"1","trading_hours":{"open":"10:00","close":"16:55"},"status":"ACTIVE"}'
expect_eq "instruments: PATCH tick, lot and hours answers 200" "$CODE" 200
expect_match "instruments: the new sizes" "$BODY" '"lot_size":"1.00000000","tick_size":"0.05000000"'
expect_match "instruments: the new hours" "$BODY" '"close": ?"16:55"'
send PATCH /instruments/PETR4 '{"trading_hours":null,"isin":null}'
expect_eq "instruments: PATCH null clears hours and ISIN" "$CODE:$(sql "$DC" "SELECT trading_hours IS NULL AND isin IS NULL FROM $T WHERE symbol = 'PETR4'")" 200:t
refused "instruments: PATCH the symbol" "$DC" $T 400 invalid_argument "field 'symbol' cannot be changed" PATCH /instruments/PETR4 '{"symbol":"PETR3"}'
refused "instruments: PATCH the asset class" "$DC" $T 400 invalid_argument "field 'asset_class' cannot be changed" PATCH /instruments/PETR4 '{"asset_class":"future"}'
refused "instruments: PATCH nothing" "$DC" $T 400 invalid_argument "nothing to change" PATCH /instruments/PETR4 '{}'
refused "instruments: PATCH zero tick" "$DC" $T 400 invalid_argument "field 'tick_size' must be greater than 0" PATCH /instruments/PETR4 '{"tick_size":"0"}'
refused "instruments: PATCH null status" "$DC" $T 400 invalid_argument "field 'status' cannot be null" PATCH /instruments/PETR4 '{"status":null}'
refused "instruments: PATCH with an unknown field" "$DC" $T 400 invalid_argument "unknown field 'halted'" PATCH /instruments/PETR4 '{"status":"HALTED","halted":true}'
refused "instruments: PATCH bad hours" "$DC" $T 400 invalid_argument "field 'trading_hours'" PATCH /instruments/PETR4 '{"trading_hours":{"open":"17:00","close":"10:00"}}'
refused "instruments: PATCH malformed JSON" "$DC" $T 400 invalid_argument "malformed JSON" PATCH /instruments/PETR4 '{"status":'
refused "instruments: PATCH an unknown symbol" "$DC" $T 404 not_found "instrument 'VALE3' not found" PATCH /instruments/VALE3 '{"status":"HALTED"}'

# ------------------------------------------------------------------------------------------
# Strategies
# ------------------------------------------------------------------------------------------
T=order_manager.strategies
ALICE=$("$BIN" user add alice --role admin 2>/dev/null)
NO_TOKEN=1 send POST /strategies '{"name":"Trend PETR4","strategy_type":"TREND_FOLLOWING","description":"cruza médias\nlinha 2","parameters":{"fast":9,"slow":21},"max_position_size":30.10,"max_daily_loss":"500.5","max_drawdown_pct":12.5}' -H "Authorization: Bearer $ALICE" -H 'X-Actor: mallory'
expect_eq "strategies: create answers 201" "$CODE" 201
S1=$(field "$BODY" id)
expect_match "strategies: the id is a UUIDv7" "$S1" "$UUID7"
expect_match "strategies: status defaults to INACTIVE" "$BODY" '"strategy_type":"TREND_FOLLOWING","status":"INACTIVE"'
expect_match "strategies: exact decimals (quantity 8 places, money and percent 2)" "$BODY" '"max_position_size":"30.10000000","max_daily_loss":"500.50","max_drawdown_pct":"12.50"'
expect_match "strategies: parameters as sent" "$BODY" '"parameters":\{"fast": ?9, ?"slow": ?21\}'
expect_match "strategies: created_by is the user who sent it, not an X-Actor header" "$BODY" '"created_by":"alice"'
expect_eq "strategies: the multi-line description is stored verbatim" "$(sql "$OM" "SELECT description = E'cruza médias\\nlinha 2' FROM $T WHERE id = '$S1'")" t
send POST /strategies '{"name":"Manual — mesa","strategy_type":"MANUAL","status":"ACTIVE"}'
expect_eq "strategies: a second one answers 201" "$CODE" 201
S2=$(field "$BODY" id)
expect_match "strategies: another user's is theirs" "$BODY" '"created_by":"tester"'
expect_match "strategies: absent limits are null" "$BODY" '"max_position_size":null,"max_daily_loss":null,"max_drawdown_pct":null'

http GET "/strategies/$S1"
expect_eq "strategies: get answers 200" "$CODE:$(field "$BODY" id)" "200:$S1"
http GET "/strategies/$NOID"
expect_eq "strategies: unknown id answers 404" "$CODE" 404
http GET /strategies/1234
expect_eq "strategies: malformed id answers 400" "$CODE" 400
http GET '/strategies?status=ACTIVE'
expect_eq "strategies: list filtered by status" "$(nrows "$BODY"):$(field "$BODY" id)" "1:$S2"
http GET '/strategies?strategy_type=TREND_FOLLOWING&status=INACTIVE'
expect_eq "strategies: list filtered by type and status" "$(nrows "$BODY"):$(field "$BODY" id)" "1:$S1"
http GET '/strategies?strategy_type=SCALPING'
expect_eq "strategies: unknown type filter answers 400" "$CODE" 400

S='"strategy_type":"MANUAL"'
refused "strategies: duplicate name" "$OM" $T 409 conflict 'strategies_name_key' POST /strategies "{\"name\":\"Trend PETR4\",$S}"
refused "strategies: bad type" "$OM" $T 400 invalid_argument "field 'strategy_type' must be one of TREND_FOLLOWING, MEAN_REVERSION, ARBITRAGE, MANUAL" POST /strategies '{"name":"n","strategy_type":"SCALPING"}'
refused "strategies: missing type" "$OM" $T 400 invalid_argument "missing field 'strategy_type'" POST /strategies '{"name":"n"}'
refused "strategies: bad status" "$OM" $T 400 invalid_argument "field 'status' must be one of" POST /strategies "{\"name\":\"n\",$S,\"status\":\"RUNNING\"}"
refused "strategies: parameters not an object" "$OM" $T 400 invalid_argument "field 'parameters' must be an object" POST /strategies "{\"name\":\"n\",$S,\"parameters\":\"fast=9\"}"
refused "strategies: negative position size" "$OM" $T 400 invalid_argument "field 'max_position_size' must not be negative" POST /strategies "{\"name\":\"n\",$S,\"max_position_size\":-1}"
refused "strategies: money with 3 decimals" "$OM" $T 400 invalid_argument "field 'max_daily_loss' must have at most 2 decimals" POST /strategies "{\"name\":\"n\",$S,\"max_daily_loss\":\"1.234\"}"
refused "strategies: drawdown above 100" "$OM" $T 400 invalid_argument "field 'max_drawdown_pct' must be between 0 and 100" POST /strategies "{\"name\":\"n\",$S,\"max_drawdown_pct\":100.01}"
refused "strategies: created_by in the body" "$OM" $T 400 invalid_argument "unknown field 'created_by'" POST /strategies "{\"name\":\"n\",$S,\"created_by\":\"mallory\"}"
refused "strategies: name as an array" "$OM" $T 400 invalid_argument "field 'name' must be a string" POST /strategies "{\"name\":[\"n\"],$S}"

send PATCH "/strategies/$S1" '{"status":"ACTIVE","description":null,"max_daily_loss":1000}'
expect_eq "strategies: PATCH answers 200" "$CODE" 200
expect_match "strategies: with the new values" "$BODY" '"description":null,.*"status":"ACTIVE".*"max_daily_loss":"1000.00"'
expect_match "strategies: the rest unchanged" "$BODY" '"max_position_size":"30.10000000".*"created_by":"alice"'
refused "strategies: PATCH a taken name" "$OM" $T 409 conflict 'strategies_name_key' PATCH "/strategies/$S2" '{"name":"Trend PETR4"}'
refused "strategies: PATCH created_by" "$OM" $T 400 invalid_argument "unknown field 'created_by'" PATCH "/strategies/$S1" '{"created_by":"bob"}'
refused "strategies: PATCH bad status" "$OM" $T 400 invalid_argument "field 'status' must be one of" PATCH "/strategies/$S1" '{"status":"STOPPED"}'
refused "strategies: PATCH nothing" "$OM" $T 400 invalid_argument "nothing to change" PATCH "/strategies/$S1" '{}'
refused "strategies: PATCH null name" "$OM" $T 400 invalid_argument "field 'name' cannot be null" PATCH "/strategies/$S1" '{"name":null}'
refused "strategies: PATCH an unknown id" "$OM" $T 404 not_found "strategy '$NOID' not found" PATCH "/strategies/$NOID" '{"status":"PAUSED"}'
refused "strategies: PATCH a malformed id" "$OM" $T 400 invalid_argument "strategy id 'xyz' is not a UUID" PATCH /strategies/xyz '{"status":"PAUSED"}'

# ------------------------------------------------------------------------------------------
# Risk limits
# ------------------------------------------------------------------------------------------
T=order_manager.risk_limits
send POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A1\",\"max_order_value\":30.10,\"max_daily_trades\":50}"
expect_eq "risk limits: ACCOUNT limit answers 201" "$CODE" 201
L1=$(field "$BODY" id)
expect_match "risk limits: the id is a UUIDv7" "$L1" "$UUID7"
expect_match "risk limits: money 30.10 comes back as \"30.10\", trades as an integer" "$BODY" '"max_order_value":"30.10","max_position_size":null,"max_daily_loss":null,"max_daily_trades":50,"status":"ACTIVE"'
send POST /risk-limits "{\"limit_type\":\"STRATEGY\",\"strategy_id\":\"$S1\",\"max_position_size\":30.10}"
expect_eq "risk limits: STRATEGY limit answers 201" "$CODE" 201
L2=$(field "$BODY" id)
expect_match "risk limits: quantity 30.10 comes back as \"30.10000000\"" "$BODY" '"max_position_size":"30.10000000"'
send POST /risk-limits "{\"limit_type\":\"STRATEGY\",\"strategy_id\":\"$S1\",\"account_id\":\"${A1^^}\",\"max_daily_loss\":\"250\"}"
expect_eq "risk limits: STRATEGY limit narrowed to an account answers 201" "$CODE" 201
expect_match "risk limits: its ids in canonical form" "$BODY" "\"account_id\":\"$A1\",\"strategy_id\":\"$S1\""
send POST /risk-limits '{"limit_type":"SYMBOL","symbol":"PETR4","max_position_size":"1000","status":"INACTIVE","metadata":{"why":"desk policy"}}'
expect_eq "risk limits: SYMBOL limit answers 201" "$CODE" 201
L4=$(field "$BODY" id)
expect_match "risk limits: as sent" "$BODY" '"symbol":"PETR4".*"max_position_size":"1000.00000000".*"status":"INACTIVE"'
send POST /risk-limits "{\"limit_type\":\"SYMBOL\",\"symbol\":\"PETR4\",\"account_id\":\"$A2\",\"strategy_id\":\"$S2\",\"max_daily_trades\":0}"
expect_eq "risk limits: SYMBOL limit narrowed to account and strategy, zero allowed" "$CODE" 201

http GET "/risk-limits/$L1"
expect_eq "risk limits: get answers 200" "$CODE:$(field "$BODY" id)" "200:$L1"
http GET "/risk-limits/$NOID"
expect_eq "risk limits: unknown id answers 404" "$CODE" 404
http GET /risk-limits/zzz
expect_eq "risk limits: malformed id answers 400" "$CODE" 400
http GET '/risk-limits?limit_type=SYMBOL'
expect_eq "risk limits: list filtered by type" "$(nrows "$BODY")" 2
http GET "/risk-limits?account_id=$A1"
expect_eq "risk limits: list filtered by account" "$(nrows "$BODY")" 2
http GET "/risk-limits?strategy_id=$S1&limit_type=STRATEGY&status=ACTIVE"
expect_eq "risk limits: list filtered by strategy, type and status" "$(nrows "$BODY")" 2
http GET '/risk-limits?symbol=PETR4&status=INACTIVE'
expect_eq "risk limits: list filtered by symbol and status" "$(nrows "$BODY"):$(field "$BODY" id)" "1:$L4"
http GET '/risk-limits?limit=1'
expect_eq "risk limits: list limited" "$(nrows "$BODY")" 1
http GET '/risk-limits?account_id=nope'
expect_eq "risk limits: malformed account filter answers 400" "$CODE" 400
http GET '/risk-limits?limit_type=GLOBAL'
expect_eq "risk limits: unknown type filter answers 400" "$CODE" 400
http GET '/risk-limits?account=x'
expect_eq "risk limits: unknown query parameter answers 400" "$CODE" 400

refused "risk limits: duplicate ACCOUNT scope" "$OM" $T 409 conflict 'risk_limits_scope_key' POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A1\",\"max_daily_loss\":1}"
refused "risk limits: duplicate SYMBOL scope (nulls not distinct)" "$OM" $T 409 conflict 'risk_limits_scope_key' POST /risk-limits '{"limit_type":"SYMBOL","symbol":"PETR4","max_daily_trades":3}'
refused "risk limits: ACCOUNT without account" "$OM" $T 400 invalid_argument "missing field 'account_id': limit_type ACCOUNT needs it" POST /risk-limits '{"limit_type":"ACCOUNT","max_daily_trades":3}'
refused "risk limits: ACCOUNT with a symbol" "$OM" $T 400 invalid_argument "field 'symbol' is not allowed with limit_type ACCOUNT" POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A2\",\"symbol\":\"PETR4\",\"max_daily_trades\":3}"
refused "risk limits: ACCOUNT with a strategy" "$OM" $T 400 invalid_argument "field 'strategy_id' is not allowed with limit_type ACCOUNT" POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A2\",\"strategy_id\":\"$S1\",\"max_daily_trades\":3}"
refused "risk limits: STRATEGY without strategy" "$OM" $T 400 invalid_argument "missing field 'strategy_id'" POST /risk-limits "{\"limit_type\":\"STRATEGY\",\"account_id\":\"$A2\",\"max_daily_trades\":3}"
refused "risk limits: STRATEGY with a symbol" "$OM" $T 400 invalid_argument "field 'symbol' is not allowed with limit_type STRATEGY" POST /risk-limits "{\"limit_type\":\"STRATEGY\",\"strategy_id\":\"$S2\",\"symbol\":\"PETR4\",\"max_daily_trades\":3}"
refused "risk limits: SYMBOL without symbol" "$OM" $T 400 invalid_argument "missing field 'symbol'" POST /risk-limits "{\"limit_type\":\"SYMBOL\",\"account_id\":\"$A2\",\"max_daily_trades\":3}"
refused "risk limits: unknown account" "$OM" $T 400 invalid_argument "field 'account_id': no account '$NOID'" POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$NOID\",\"max_daily_trades\":3}"
refused "risk limits: unknown strategy" "$OM" $T 400 invalid_argument "field 'strategy_id': no strategy '$NOID'" POST /risk-limits "{\"limit_type\":\"STRATEGY\",\"strategy_id\":\"$NOID\",\"max_daily_trades\":3}"
refused "risk limits: unknown symbol (other database)" "$OM" $T 400 invalid_argument "field 'symbol': no instrument 'VALE3'" POST /risk-limits '{"limit_type":"SYMBOL","symbol":"VALE3","max_daily_trades":3}'
refused "risk limits: malformed account id" "$OM" $T 400 invalid_argument "field 'account_id' must be a UUID" POST /risk-limits '{"limit_type":"ACCOUNT","account_id":"123","max_daily_trades":3}'
refused "risk limits: account id as a number" "$OM" $T 400 invalid_argument "field 'account_id' must be a string" POST /risk-limits '{"limit_type":"ACCOUNT","account_id":123,"max_daily_trades":3}'
refused "risk limits: no limit at all" "$OM" $T 400 invalid_argument "no limit given" POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A2\"}"
refused "risk limits: negative limit" "$OM" $T 400 invalid_argument "field 'max_order_value' must not be negative" POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A2\",\"max_order_value\":-5}"
refused "risk limits: negative trades" "$OM" $T 400 invalid_argument "field 'max_daily_trades' must be between 0 and" POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A2\",\"max_daily_trades\":-1}"
refused "risk limits: fractional trades" "$OM" $T 400 invalid_argument "field 'max_daily_trades' must be an integer" POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A2\",\"max_daily_trades\":1.5}"
refused "risk limits: trades as a string" "$OM" $T 400 invalid_argument "field 'max_daily_trades' must be an integer" POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A2\",\"max_daily_trades\":\"5\"}"
refused "risk limits: money with 3 decimals" "$OM" $T 400 invalid_argument "field 'max_order_value' must have at most 2 decimals" POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A2\",\"max_order_value\":\"0.001\"}"
refused "risk limits: bad limit type" "$OM" $T 400 invalid_argument "field 'limit_type' must be one of ACCOUNT, STRATEGY, SYMBOL" POST /risk-limits "{\"limit_type\":\"GLOBAL\",\"account_id\":\"$A2\",\"max_daily_trades\":3}"
refused "risk limits: bad status" "$OM" $T 400 invalid_argument "field 'status' must be one of ACTIVE, INACTIVE" POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A2\",\"max_daily_trades\":3,\"status\":\"ON\"}"
refused "risk limits: unknown field" "$OM" $T 400 invalid_argument "unknown field 'max_order_qty'" POST /risk-limits "{\"limit_type\":\"ACCOUNT\",\"account_id\":\"$A2\",\"max_order_qty\":3}"
refused "risk limits: missing limit type" "$OM" $T 400 invalid_argument "missing field 'limit_type'" POST /risk-limits "{\"account_id\":\"$A2\",\"max_daily_trades\":3}"

send PATCH "/risk-limits/$L1" '{"max_order_value":100,"max_position_size":"5.5","status":"INACTIVE"}'
expect_eq "risk limits: PATCH answers 200" "$CODE" 200
expect_match "risk limits: with the new values" "$BODY" '"max_order_value":"100.00","max_position_size":"5.50000000","max_daily_loss":null,"max_daily_trades":50,"status":"INACTIVE"'
send PATCH "/risk-limits/$L1" '{"max_daily_trades":null}'
expect_eq "risk limits: PATCH null clears one limit" "$CODE:$(sql "$OM" "SELECT max_daily_trades IS NULL FROM $T WHERE id = '$L1'")" 200:t
refused "risk limits: PATCH clearing every limit" "$OM" $T 400 invalid_argument "risk_limits_some_limit_check" PATCH "/risk-limits/$L2" '{"max_position_size":null}'
refused "risk limits: PATCH the scope" "$OM" $T 400 invalid_argument "field 'limit_type' cannot be changed" PATCH "/risk-limits/$L1" '{"limit_type":"SYMBOL"}'
refused "risk limits: PATCH the account" "$OM" $T 400 invalid_argument "field 'account_id' cannot be changed" PATCH "/risk-limits/$L1" "{\"account_id\":\"$A2\"}"
refused "risk limits: PATCH a negative limit" "$OM" $T 400 invalid_argument "field 'max_order_value' must not be negative" PATCH "/risk-limits/$L1" '{"max_order_value":"-1"}'
refused "risk limits: PATCH nothing" "$OM" $T 400 invalid_argument "nothing to change" PATCH "/risk-limits/$L1" '{}'
refused "risk limits: PATCH an unknown id" "$OM" $T 404 not_found "risk limit '$NOID' not found" PATCH "/risk-limits/$NOID" '{"status":"ACTIVE"}'

refused "risk limits: DELETE a malformed id" "$OM" $T 400 invalid_argument "risk limit id 'abc' is not a UUID" DELETE /risk-limits/abc
refused "risk limits: DELETE an unknown id" "$OM" $T 404 not_found "risk limit '$NOID' not found" DELETE "/risk-limits/$NOID"
n=$(sql "$OM" "SELECT count(*) FROM $T")
http DELETE "/risk-limits/$L4"
expect_eq "risk limits: DELETE answers 200" "$CODE" 200
expect_match "risk limits: with the deleted row" "$BODY" "^\\{\"id\":\"$L4\",\"limit_type\":\"SYMBOL\""
expect_eq "risk limits: the row is gone" "$(sql "$OM" "SELECT count(*) FROM $T")" $((n - 1))
http GET "/risk-limits/$L4"
expect_eq "risk limits: get after DELETE answers 404" "$CODE" 404
http DELETE "/risk-limits/$L4"
expect_eq "risk limits: DELETE again answers 404" "$CODE" 404
send POST /risk-limits '{"limit_type":"SYMBOL","symbol":"PETR4","max_daily_trades":3}'
expect_eq "risk limits: its scope is free again after DELETE" "$CODE" 201

kill -TERM $SERVE; wait $SERVE; rc=$?
expect_eq "serve stops with exit 0" "$rc" 0
expect_eq "serve logged no error (no 500s)" "$(grep -c ' ERROR ' "$TMP/serve.err")" 0
finish
