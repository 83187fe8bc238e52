#!/usr/bin/env bash
# tradingsystem replay (docs/operations.md "Replay"): a B3 trade file stored once however
# often it is replayed (stored = new trades - cancels), a malformed line reported with its
# number (stop: nothing stored, exit 2; skip: reported, the rest stored), trades of unknown
# symbols named, the CSV format, and bad usage.
source "$(dirname "$0")/lib.sh"
export TS_HOME=$TMP/home
export TS_PG_PORT=55449
unset TS_DATABASE_URL TS_DB_ORDER_MANAGER TS_DB_DATA_CAPTURE TS_DB_TP_CAPITAL TS_DB_TPCAPITAL TS_DB_WORKSPACE TS_DB_DOCUMENTATION
cleanup_hooks+=("'$BIN' db stop >/dev/null 2>&1")
"$BIN" db start >/dev/null 2>&1 && "$BIN" db migrate >/dev/null 2>&1
DC=$("$BIN" db url --module data_capture)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$DC" -c "$1"; }
sql "INSERT INTO data_capture.instruments (symbol, exchange, asset_class, name, tick_size) VALUES ('PETR4', 'B3', 'stock', 'Petrobras PN', 0.01), ('VALE3', 'B3', 'stock', 'Vale ON', 0.01)"
count() { sql "SELECT count(*) FROM data_capture.market_ticks"; }

# 3000 trades on PETR4, VALE3 and XPTO11 (not in the master); every 100th is cancelled
awk 'BEGIN {
    print "DataReferencia;CodigoInstrumento;AcaoAtualizacao;PrecoNegocio;QuantidadeNegociada;HoraFechamento;CodigoIdentificadorNegocio;TipoSessaoPregao;DataNegocio;CodigoParticipanteComprador;CodigoParticipanteVendedor"
    split("PETR4 VALE3 XPTO11", sym, " ")
    for (i = 0; i < 3000; i++) {
        s = sym[i % 3 + 1]; ms = 36000000 + i * 1000
        t = sprintf("%02d%02d%02d%03d", int(ms / 3600000), int(ms / 60000) % 60, int(ms / 1000) % 60, ms % 1000)
        printf "2026-11-26;%s;0;%d,%02d;%d;%s;%d;1;2026-11-26;3;72\n", s, 30 + i % 7, i % 100, (i % 9 + 1) * 100, t, 1000 + i
        if (i % 100 == 42) printf "2026-11-26;%s;2;0,00;0;%s;%d;1;2026-11-26;3;72\n", s, t, 1000 + i
    }
}' >"$TMP/b3.txt"
new=$(awk -F';' 'NR > 1 && $3 == 0 && $2 != "XPTO11"' "$TMP/b3.txt" | wc -l)
cancels=$(awk -F';' 'NR > 1 && $3 == 2 && $2 != "XPTO11"' "$TMP/b3.txt" | wc -l)
unknown=$(awk -F';' 'NR > 1 && $3 == 0 && $2 == "XPTO11"' "$TMP/b3.txt" | wc -l)

run "$BIN" replay "$TMP/b3.txt"
expect_rc "replay a B3 file" 0
expect_eq "stored: new trades minus cancels" "$(count)" "$((new - cancels))"
expect_match "the summary names the unknown symbol" "$OUT" "$unknown trades not stored: symbols not in the instrument master: XPTO11"
expect_match "progress on stderr" "$ERR" 'replay: [0-9]+ rows \(100%\), [0-9]+ rows/s, ETA 0 s'
run "$BIN" replay "$TMP/b3.txt"
expect_rc "replay it again" 0
expect_eq "still once" "$(count)" "$((new - cancels))"
expect_eq "a cancelled trade is gone" "$(sql "SELECT count(*) FROM data_capture.market_ticks WHERE trade_id = 1042")" 0
expect_eq "bars equal what the stored ticks make (cancels applied)" "$(sql "$BARS_VS_TICKS")" 0
expect_eq "the replayed minutes have their 1m bars, without the cancelled trades" \
    "$(sql "SELECT sum(trade_count) FROM data_capture.market_bars_1m")" "$((new - cancels))"
expect_eq "exact price, B3 local time to UTC" \
    "$(sql "SELECT price || ' ' || volume || ' ' || to_char(tick_time AT TIME ZONE 'UTC', 'HH24:MI:SS.MS') || ' ' || aggressor FROM data_capture.market_ticks WHERE trade_id = 1001")" \
    "31.01000000 200.00000000 13:00:01.000 NEUTRAL"

# a malformed line: stop (default) stores nothing; skip reports it and stores the rest
sed '1500a 2026-11-26;PETR4;0;31.5;100;103000000;99999;1;2026-11-26;3;72' "$TMP/b3.txt" >"$TMP/bad.txt"
sql "DELETE FROM data_capture.market_ticks"
run "$BIN" replay "$TMP/bad.txt"
expect_rc "a malformed line stops the replay" 2
expect_eq "named with its line number, nothing stored" "$ERR $(count)" \
    "tradingsystem: $TMP/bad.txt:1501: PrecoNegocio '31.5': the decimal separator is a comma (nothing stored) 0"
run "$BIN" replay "$TMP/bad.txt" --on-error skip
expect_rc "--on-error skip goes on" 0
expect_match "the line is reported" "$ERR" "bad.txt:1501: PrecoNegocio '31.5': the decimal separator is a comma \(skipped\)"
expect_match "and counted" "$OUT" '1 malformed lines skipped'
expect_eq "the rest is stored" "$(count)" "$((new - cancels))"

# CSV
printf 'symbol,tick_time,price,volume,aggressor,trade_id\nPETR4,2026-11-27T13:00:00.000001Z,0.00000001,1,BUY,1\nVALE3,2026-11-27T10:00:00-03:00,61.25,100,,2\n' >"$TMP/t.csv"
run "$BIN" replay "$TMP/t.csv" --format csv
expect_rc "replay a CSV file" 0
expect_eq "its ticks, exact" "$(sql "SELECT string_agg(symbol || '@' || price || ':' || aggressor, ' ' ORDER BY trade_id) FROM data_capture.market_ticks WHERE tick_time >= '2026-11-27'")" \
    "PETR4@0.00000001:BUY VALE3@61.25000000:NEUTRAL"

for bad in "" "$TMP/nope.txt" "$TMP/b3.txt --format xml" "$TMP/b3.txt --speed 0" "$TMP/b3.txt --speed fast" "$TMP/b3.txt --on-error maybe" "$TMP/b3.txt $TMP/t.csv" "$TMP"; do
    run "$BIN" replay $bad
    expect_rc "replay $bad: exit 2" 2
    expect_eq "one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
done
run "$BIN" replay --help
expect_match "replay --help" "$OUT" '^usage: tradingsystem replay FILE'

# serve --feed replay:FILE: the same engine as serve's feed (streamed, fed to the paper venue)
sql "TRUNCATE data_capture.market_ticks, data_capture.market_bars_1m"
serve_cleanup
feed_field() { printf '%s' "$BODY" | sed -nE 's/.*"'"$1"'":([0-9.]+).*/\1/p'; }
all_cancels=$(awk -F';' 'NR > 1 && $3 == 2' "$TMP/b3.txt" | wc -l) # XPTO11's too: they remove nothing
TS_REPLAY_SPEED=max serve_start --feed "replay:$TMP/b3.txt"
wait_for "the replay at max speed finishes" 'http GET /feed; [[ $BODY == *"\"state\":\"finished\""* ]]'
expect_match "GET /feed: the replay finished, with its counts" "$BODY" \
    "^\{\"feed\":\"replay\",\"state\":\"finished\",.*\"file\":\"$TMP/b3.txt\",\"speed\":\"max\",\"progress\":100.0,\"lines\":$((new + all_cancels + unknown)),\"trades\":$((new + unknown)),\"cancels\":$all_cancels,\"removed\":$cancels,\"skipped_unknown\":$unknown,\"malformed\":0,\"stored\":$new,"
expect_eq "stored: new trades minus cancels" "$(count)" "$((new - cancels))"
expect_eq "bars equal what the stored ticks make" "$(sql "$BARS_VS_TICKS")" 0
serve_stop
# at a pace: running, paused by POST /feed/stop, resumed; serve stops in the middle of it.
# The maintenance loop turns every 300 ms (maint_turns): the clock "paused" is judged by.
replay_lines() { http GET /feed; [ "$CODE" = 200 ] && feed_field lines; }
TS_REPLAY_SPEED=40 TS_BARS_REFRESH_MS=300 serve_start --feed "replay:$TMP/b3.txt"
wait_for "the paced replay reads lines" '[ "$(replay_lines)" -gt 0 ]'
http GET /feed
expect_match "TS_REPLAY_SPEED=40: running at a pace" "$BODY" '"state":"running",.*"speed":40,'
http POST /feed/stop
expect_match "POST /feed/stop pauses it" "$CODE $BODY" '^200 \{"feed":"replay","state":"stopped"'
maint_turns 1 # the line being paced at the stop is counted by then
must_read l1 replay_lines
# the positive event: two turns, in which a replay running at 40 lines/s reads about 24 lines
maint_turns 2
must_read l2 replay_lines
expect_eq "paused: no line read in two maintenance turns" "$l2" "$l1"
http POST /feed/start
wait_for "resumed: lines read again" '[ "$(replay_lines)" -gt "$l1" ]' && ok "resumed"
serve_stop
expect_eq "serve stops in the middle of a paced replay, without errors" "$(grep -c ' ERROR ' "$TMP/serve.err")" 0
run env TS_REPLAY_SPEED=max "$BIN" serve --addr 127.0.0.1:1 --feed "replay:$TMP/bad.txt"
expect_rc "serve --feed replay: a malformed file: exit 2" 2
expect_match "its line named" "$ERR" "bad.txt:1501: PrecoNegocio '31.5': the decimal separator is a comma"
for bad in "replay:" "replay:$TMP/nope.txt"; do
    run "$BIN" serve --addr 127.0.0.1:1 --feed "$bad"
    expect_rc "serve --feed $bad: exit 2" 2
done
run env TS_REPLAY_SPEED=fast "$BIN" serve --addr 127.0.0.1:1 --feed "replay:$TMP/b3.txt"
expect_rc "TS_REPLAY_SPEED=fast: exit 2" 2
finish
