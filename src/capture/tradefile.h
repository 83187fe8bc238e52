/*
 * tradefile.h - lines of trade files for `tradingsystem replay` (API.md "Command
 * line", docs/operations.md "Replay"), parsed into ticks. Pure: no I/O.
 *
 * B3 format (B3's public trade file): ';'-separated, a header line, decimal comma:
 *   DataReferencia;CodigoInstrumento;AcaoAtualizacao;PrecoNegocio;QuantidadeNegociada;
 *   HoraFechamento;CodigoIdentificadorNegocio;TipoSessaoPregao;DataNegocio;
 *   CodigoParticipanteComprador;CodigoParticipanteVendedor
 * AcaoAtualizacao 0 is a new trade, 2 cancels the trade it names (same instrument,
 * trade number and date). HoraFechamento is HHMMSSmmm, B3 local time, on DataNegocio
 * (YYYY-MM-DD). The aggressor is not in the file: NEUTRAL.
 *
 * CSV format (ours): ','-separated, a header line, decimal point:
 *   symbol,tick_time,price,volume,aggressor,trade_id
 * tick_time RFC 3339; aggressor BUY, SELL or NEUTRAL (or empty: NEUTRAL).
 *
 * Every refusal says which field and why, for "line 57: ..." messages.
 */
#ifndef TS_CAPTURE_TRADEFILE_H
#define TS_CAPTURE_TRADEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "domain/tick.h"

enum ts_tradefile_format { TS_TRADEFILE_B3, TS_TRADEFILE_CSV };

enum ts_tradefile_kind {
    TS_TRADEFILE_TRADE,  /* a new trade: *out is the tick */
    TS_TRADEFILE_CANCEL, /* cancels out->symbol / out->trade_id on the B3 date of out->time_ns */
    TS_TRADEFILE_HEADER, /* the header line: nothing to do */
};

/* One line (without its newline; a trailing '\r' is ignored). */
int ts_tradefile_parse(enum ts_tradefile_format f, const char *line, size_t len,
                       struct ts_tick *out, enum ts_tradefile_kind *kind,
                       struct ts_err *err) TS_MUST_CHECK;

#endif
