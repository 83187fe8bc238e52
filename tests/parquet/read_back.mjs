#!/usr/bin/env node
// read_back.mjs - reads a Parquet file with an independent reader (npm hyparquet, with
// hyparquet-compressors for ZSTD) and prints what it sees as one JSON object, so a test can
// compare it with what src/capture/parquet.c wrote.
//
// Usage: node tests/parquet/read_back.mjs FILE.parquet [--rows N]
//
// Prints: num_rows, created_by, row group sizes, and per column its physical, converted and
// logical types, the footer statistics as hyparquet decodes them, and what the data says:
// count, nulls, min, max, for INT64 columns the sum of the raw values (exact, and modulo
// 2^64 like ts_pq_column_sum), for DECIMAL columns that sum as exact decimal text. When the
// file has DECIMAL columns "price" and "volume" it also prints sum(price * volume) exactly.
// Then the first N rows (default 5), decimals as exact text, timestamps as RFC 3339 with
// microseconds. Exit status 1 when hyparquet cannot read the file or the statistics in the
// footer disagree with the data.
//
// Exactness: hyparquet turns DECIMAL into JS numbers (binary floating point), so this script
// reads a copy of the metadata with the DECIMAL annotation removed and gets the raw INT64
// values as BigInt; timestamps come as BigInt microseconds through a custom parser. Nothing
// here uses floating point for a value it prints.
import { parquetMetadataAsync, parquetRead } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { open } from 'node:fs/promises'

const args = process.argv.slice(2)
const path = args.find(a => !a.startsWith('--'))
const rowsArg = args.indexOf('--rows')
const showRows = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 5
if (!path || !Number.isInteger(showRows) || showRows < 0) {
  console.error('usage: read_back.mjs FILE.parquet [--rows N]')
  process.exit(2)
}

// The file as an AsyncBuffer over positional reads (hyparquet fetches only what it needs).
const fh = await open(path, 'r')
const { size } = await fh.stat()
const file = {
  byteLength: size,
  async slice(start, end = size) {
    const buf = Buffer.alloc(end - start)
    const { bytesRead } = await fh.read(buf, 0, end - start, start)
    if (bytesRead !== end - start) throw new Error(`short read at ${start}`)
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead)
  },
}

const rawMicros = { timestampFromMicroseconds: v => BigInt(v) }
const asText = v => (typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v)

/** Exact decimal text of a BigInt count of 10^-scale units. */
function decText(v, scale) {
  const neg = v < 0n
  let s = (neg ? -v : v).toString().padStart(scale + 1, '0')
  if (scale > 0) s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale)
  return (neg ? '-' : '') + s
}

/** RFC 3339 UTC text with microseconds of a BigInt count of µs since the epoch. */
function microsText(us) {
  const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n)
  const frac = ((us % 1000000n) + 1000000n) % 1000000n
  return new Date(Number(ms)).toISOString().slice(0, 19) + '.' + frac.toString().padStart(6, '0') + 'Z'
}

let out
try {
  const metadata = await parquetMetadataAsync(file, { parsers: rawMicros })
  const leaves = metadata.schema.slice(1)

  // The same metadata without DECIMAL annotations: values come back as raw BigInt.
  const rawMeta = {
    ...metadata,
    schema: metadata.schema.map(e =>
      e.converted_type === 'DECIMAL' ? { ...e, converted_type: undefined, logical_type: undefined } : e),
  }
  const rows = []
  await parquetRead({
    file,
    metadata: rawMeta,
    compressors,
    parsers: rawMicros,
    rowFormat: 'object',
    onComplete: data => { for (const r of data) rows.push(r) },
  })

  const columns = leaves.map((e, i) => {
    const isDec = e.converted_type === 'DECIMAL'
    const isTs = e.converted_type === 'TIMESTAMP_MICROS' || e.logical_type?.type === 'TIMESTAMP'
    const show = v => (v === null || v === undefined ? null
      : isDec ? decText(v, e.scale) : isTs ? microsText(v) : asText(v))
    // Strings order by their UTF-8 bytes (Parquet's order for STRING), not by UTF-16 units.
    const cmp = e.type === 'BYTE_ARRAY'
      ? (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))
      : (a, b) => (a < b ? -1 : a > b ? 1 : 0)
    let count = 0, nulls = 0, min, max, sum = 0n
    for (const r of rows) {
      const v = r[e.name]
      if (v === null || v === undefined) { nulls++; continue }
      count++
      if (min === undefined || cmp(v, min) < 0) min = v
      if (max === undefined || cmp(v, max) > 0) max = v
      if (typeof v === 'bigint') sum += v
    }
    // Footer statistics, merged over row groups, as hyparquet decoded them. A row group
    // without min/max (e.g. all nulls, or long strings) leaves the bounds unknown.
    let statMin, statMax, statNulls = 0n, haveStats = true, haveBounds = true
    for (const rg of metadata.row_groups) {
      const st = rg.columns[i].meta_data?.statistics
      if (!st || st.null_count === undefined) { haveStats = false; continue }
      statNulls += BigInt(st.null_count)
      if (st.min_value === undefined || st.max_value === undefined) {
        if (BigInt(st.null_count) !== rg.num_rows) haveBounds = false
        continue
      }
      if (statMin === undefined || cmp(st.min_value, statMin) < 0) statMin = st.min_value
      if (statMax === undefined || cmp(st.max_value, statMax) > 0) statMax = st.max_value
    }
    if (!haveBounds) statMin = statMax = undefined
    const col = {
      name: e.name,
      physical_type: e.type,
      repetition: e.repetition_type,
      converted_type: e.converted_type ?? null,
      logical_type: e.logical_type ?? null,
      ...(isDec ? { scale: e.scale, precision: e.precision } : {}),
      count,
      nulls,
      min: show(min),
      max: show(max),
      stats: haveStats ? {
        null_count: statNulls.toString(),
        // a DECIMAL's statistics come from hyparquet as a JS number; printed as it gives them
        min_value: statMin === undefined ? null : isDec ? statMin : show(statMin),
        max_value: statMax === undefined ? null : isDec ? statMax : show(statMax),
      } : null,
    }
    if (e.type === 'INT64') {
      col.sum_raw = sum.toString()
      col.sum_mod_2_64 = BigInt.asUintN(64, sum).toString()
      if (isDec) col.sum = decText(sum, e.scale)
    }
    // Statistics agree with the data: exactly for INT64 and strings, as hyparquet's number
    // for DECIMAL. Bounds may be absent (then only null_count is checked).
    const toStat = v => (v === undefined ? undefined : isDec ? Number(v) / 10 ** e.scale : v)
    col.stats_match = !haveStats || (statNulls === BigInt(nulls) &&
      (statMin === undefined || (statMin === toStat(min) && statMax === toStat(max))))
    if (e.type === 'INT64' && count > 0 && haveBounds && statMin === undefined) col.stats_match = false
    return col
  })

  out = {
    file: path,
    bytes: size,
    num_rows: metadata.num_rows.toString(),
    rows_read: rows.length,
    created_by: metadata.created_by ?? null,
    version: metadata.version,
    row_groups: metadata.row_groups.map(rg => Number(rg.num_rows)),
    codecs: [...new Set(metadata.row_groups.flatMap(rg => rg.columns.map(c => c.meta_data.codec)))],
    columns,
  }
  const price = leaves.find(e => e.name === 'price' && e.converted_type === 'DECIMAL')
  const volume = leaves.find(e => e.name === 'volume' && e.converted_type === 'DECIMAL')
  if (price && volume) {
    let notional = 0n
    for (const r of rows) {
      if (r.price != null && r.volume != null) notional += r.price * r.volume
    }
    out.sum_price_times_volume = decText(notional, price.scale + volume.scale)
  }
  out.first_rows = rows.slice(0, showRows).map(r => Object.fromEntries(leaves.map(e => {
    const v = r[e.name]
    if (v === null || v === undefined) return [e.name, null]
    if (e.converted_type === 'DECIMAL') return [e.name, decText(v, e.scale)]
    if (e.converted_type === 'TIMESTAMP_MICROS') return [e.name, microsText(v)]
    return [e.name, asText(v)]
  })))
  out.ok = rows.length === Number(metadata.num_rows) && columns.every(c => c.stats_match)
} catch (e) {
  out = { file: path, ok: false, error: String(e?.message ?? e) }
} finally {
  await fh.close()
}
// exitCode, not exit(): exit() could cut the output short when stdout is a pipe
console.log(JSON.stringify(out, null, 2))
process.exitCode = out.ok ? 0 : 1
