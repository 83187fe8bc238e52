/*
 * test_tradefile.c - unit tests of src/capture/tradefile.c: B3 trade file and CSV
 * lines into ticks, table-driven: good lines with exact decimals and B3 local time
 * converted to UTC, cancels, headers, and every refusal naming its field.
 */
#include "capture/tradefile.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/tstime.h"

struct good {
    enum ts_tradefile_format f;
    const char *line;
    enum ts_tradefile_kind kind;
    const char *symbol, *time, *price, *volume;
    int64_t trade_id;
    int aggressor;
};

static void good_lines(void **state)
{
    (void)state;
    static const struct good cases[] = {
        {TS_TRADEFILE_B3, "2026-11-27;PETR4;0;37,45;100;100000123;10;1;2026-11-27;3;72",
         TS_TRADEFILE_TRADE, "PETR4", "2026-11-27T13:00:00.123Z", "37.45000000", "100.00000000", 10,
         2},
        {TS_TRADEFILE_B3, "2026-11-27;WINZ26;0;158005;1;95959999;7;1;2026-11-27;1;2\r",
         TS_TRADEFILE_TRADE, "WINZ26", "2026-11-27T12:59:59.999Z", "158005.00000000", "1.00000000",
         7, 2},
        {TS_TRADEFILE_B3, "2026-11-27;VALE3;2;61,20;100;101500000;11;1;2026-11-27;3;72",
         TS_TRADEFILE_CANCEL, "VALE3", "2026-11-27T13:15:00Z", "0", "0", 11, 0},
        {TS_TRADEFILE_B3,
         "2026-11-27;ITUB4;0;0,00000001;99999999,99999999;235959999;12;1;2026-11-27;3;72",
         TS_TRADEFILE_TRADE, "ITUB4", "2026-11-28T02:59:59.999Z", "0.00000001", "99999999.99999999",
         12, 2},
        {TS_TRADEFILE_CSV, "PETR4,2026-11-27T13:00:00.5Z,37.46,200,BUY,99", TS_TRADEFILE_TRADE,
         "PETR4", "2026-11-27T13:00:00.5Z", "37.46000000", "200.00000000", 99, 0},
        {TS_TRADEFILE_CSV, "PETR4,2026-11-27T10:00:00-03:00,37.46,200,,100", TS_TRADEFILE_TRADE,
         "PETR4", "2026-11-27T13:00:00Z", "37.46000000", "200.00000000", 100, 2},
        {TS_TRADEFILE_CSV, "PETR4,2026-11-27T13:00:00.1234567Z,1,1,SELL,1", TS_TRADEFILE_TRADE,
         "PETR4", "2026-11-27T13:00:00.123456Z", "1.00000000", "1.00000000", 1, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct good *c = &cases[i];
        struct ts_tick t;
        enum ts_tradefile_kind kind;
        struct ts_err err = TS_ERR_INIT;
        int rc = ts_tradefile_parse(c->f, c->line, strlen(c->line), &t, &kind, &err);
        if (rc) {
            print_error("case %zu: %s\n", i, err.msg);
        }
        assert_int_equal(rc, 0);
        assert_int_equal(kind, c->kind);
        assert_string_equal(t.symbol, c->symbol);
        int64_t want;
        assert_int_equal(ts_time_parse_rfc3339(c->time, strlen(c->time), &want), 0);
        want -= want % 1000;
        assert_int_equal(t.time_ns, want);
        char px[48], vol[48];
        ts_dec_format(t.price, px, sizeof(px));
        ts_dec_format(t.volume, vol, sizeof(vol));
        if (c->kind == TS_TRADEFILE_TRADE) {
            assert_string_equal(px, c->price);
            assert_string_equal(vol, c->volume);
            assert_int_equal(t.aggressor, c->aggressor);
        }
        assert_int_equal(t.trade_id, c->trade_id);
    }
}

static void headers(void **state)
{
    (void)state;
    struct ts_tick t;
    enum ts_tradefile_kind kind;
    struct ts_err err = TS_ERR_INIT;
    const char *b3 =
        "DataReferencia;CodigoInstrumento;AcaoAtualizacao;PrecoNegocio;QuantidadeNegociada;"
        "HoraFechamento;CodigoIdentificadorNegocio;TipoSessaoPregao;DataNegocio;"
        "CodigoParticipanteComprador;CodigoParticipanteVendedor";
    assert_int_equal(ts_tradefile_parse(TS_TRADEFILE_B3, b3, strlen(b3), &t, &kind, &err), 0);
    assert_int_equal(kind, TS_TRADEFILE_HEADER);
    const char *csv = "symbol,tick_time,price,volume,aggressor,trade_id";
    assert_int_equal(ts_tradefile_parse(TS_TRADEFILE_CSV, csv, strlen(csv), &t, &kind, &err), 0);
    assert_int_equal(kind, TS_TRADEFILE_HEADER);
}

static void bad_lines(void **state)
{
    (void)state;
    static const struct {
        enum ts_tradefile_format f;
        const char *line, *msg;
    } cases[] = {
        {TS_TRADEFILE_B3, "", "1 fields, 11 expected"},
        {TS_TRADEFILE_B3, "2026-11-27;PETR4;0;37,45;100;100000123;10;1;2026-11-27;3", "10 fields"},
        {TS_TRADEFILE_B3, "2026-11-27;petr4;0;37,45;100;100000123;10;1;2026-11-27;3;72",
         "CodigoInstrumento 'petr4'"},
        {TS_TRADEFILE_B3, "2026-11-27;PETR4;1;37,45;100;100000123;10;1;2026-11-27;3;72",
         "AcaoAtualizacao '1'"},
        {TS_TRADEFILE_B3, "2026-11-27;PETR4;0;37.45;100;100000123;10;1;2026-11-27;3;72",
         "decimal separator is a comma"},
        {TS_TRADEFILE_B3, "2026-11-27;PETR4;0;-37,45;100;100000123;10;1;2026-11-27;3;72",
         "PrecoNegocio '-37,45'"},
        {TS_TRADEFILE_B3, "2026-11-27;PETR4;0;37,45;0;100000123;10;1;2026-11-27;3;72",
         "QuantidadeNegociada '0'"},
        {TS_TRADEFILE_B3, "2026-11-27;PETR4;0;37,123456789;1;100000123;10;1;2026-11-27;3;72",
         "PrecoNegocio"},
        {TS_TRADEFILE_B3, "2026-11-27;PETR4;0;37,45;100;1000;10;1;2026-11-27;3;72",
         "HoraFechamento '1000'"},
        {TS_TRADEFILE_B3, "2026-11-27;PETR4;0;37,45;100;250000000;10;1;2026-11-27;3;72",
         "is not a time"},
        {TS_TRADEFILE_B3, "2026-11-27;PETR4;0;37,45;100;100000123;1x;1;2026-11-27;3;72",
         "trade number '1x'"},
        {TS_TRADEFILE_B3, "2026-11-27;PETR4;0;37,45;100;100000123;10;1;27/11/2026;3;72",
         "DataNegocio '27/11/2026'"},
        {TS_TRADEFILE_CSV, "PETR4,2026-11-27T13:00:00Z,37.46,200,BUY", "5 fields, 6 expected"},
        {TS_TRADEFILE_CSV, "PETR4,yesterday,37.46,200,BUY,1", "tick_time"},
        {TS_TRADEFILE_CSV, "PETR4,2026-11-27T13:00:00Z,37.46,200,buy,1", "aggressor 'buy'"},
        {TS_TRADEFILE_CSV, "PETR4,2026-11-27T13:00:00Z,1e3,200,BUY,1", "price '1e3'"},
        {TS_TRADEFILE_CSV, "PETR4,2026-11-27T13:00:00Z,37.46,200,BUY,-1", "trade number '-1'"},
        {TS_TRADEFILE_CSV, "PETR4;2026-11-27T13:00:00Z;37.46;200;BUY;1", "1 fields"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_tick t;
        enum ts_tradefile_kind kind;
        struct ts_err err = TS_ERR_INIT;
        int rc =
            ts_tradefile_parse(cases[i].f, cases[i].line, strlen(cases[i].line), &t, &kind, &err);
        if (rc != TS_EINVAL || !strstr(err.msg, cases[i].msg)) {
            print_error("case %zu (%s): rc %d, message '%s', want '%s'\n", i, cases[i].line, rc,
                        err.msg, cases[i].msg);
        }
        assert_int_equal(rc, TS_EINVAL);
        assert_non_null(strstr(err.msg, cases[i].msg));
    }
}

/* A line is a slice: what follows it in the buffer (the next line) is not read. */
static void a_line_is_read_within_its_length(void **state)
{
    struct ts_tick t;
    enum ts_tradefile_kind kind;
    struct ts_err err = TS_ERR_INIT;
    static const char buf[] = "PETR4,2026-11-27T13:00:00Z,37.46,200,BUY,1"
                              "7";
    (void)state;
    assert_int_equal(ts_tradefile_parse(TS_TRADEFILE_CSV, buf, sizeof(buf) - 2, &t, &kind, &err),
                     0);
    assert_int_equal(t.trade_id, 1);
    /* with no error context, a bad time is still refused */
    static const char bad[] = "PETR4,yesterday,37.46,200,BUY,1";
    assert_int_not_equal(ts_tradefile_parse(TS_TRADEFILE_CSV, bad, strlen(bad), &t, &kind, NULL),
                         0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_line_is_read_within_its_length),
        cmocka_unit_test(good_lines),
        cmocka_unit_test(headers),
        cmocka_unit_test(bad_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
