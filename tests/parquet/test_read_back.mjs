// test_read_back.mjs - files written by src/capture/parquet.c, read by an independent reader
// (npm hyparquet with hyparquet-compressors, through read_back.mjs): the row count, the
// types, exact sums and bounds, and every null in its row must be what the writer wrote.
//
// Run: TS_PQ_SAMPLE=build/pq_sample node --test tests/parquet/test_read_back.mjs
// (ctest sets TS_PQ_SAMPLE). pq_sample.c prints what it wrote; this compares.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const sample = process.env.TS_PQ_SAMPLE
if (!sample) throw new Error('TS_PQ_SAMPLE must name the pq_sample binary')
const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-pq-read-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

const write = (...args) => JSON.parse(execFileSync(sample, args.map(String), { encoding: 'utf8' }))
const readBack = (file, rows = 0) => JSON.parse(execFileSync(process.execPath,
  [path.join(here, 'read_back.mjs'), file, '--rows', String(rows)],
  { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }))

function microsText(us) {
  const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n)
  const frac = ((us % 1000000n) + 1000000n) % 1000000n
  return new Date(Number(ms)).toISOString().slice(0, 19) + '.' + frac.toString().padStart(6, '0') + 'Z'
}
function decText(v, scale) {
  const neg = v < 0n
  let s = (neg ? -v : v).toString().padStart(scale + 1, '0')
  s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale)
  return (neg ? '-' : '') + s
}
const col = (got, name) => got.columns.find(c => c.name === name)

test('300,000 ticks read back with exact sums, bounds and types', () => {
  const file = path.join(dir, 'ticks.parquet')
  const want = write('ticks', file, 300000, 128 * 1024)
  const got = readBack(file, 3)
  assert.equal(got.ok, true)
  assert.equal(got.num_rows, '300000')
  assert.equal(got.rows_read, 300000)
  assert.deepEqual(got.row_groups, [131072, 131072, 37856])
  assert.deepEqual(got.codecs, ['ZSTD'])
  assert.equal(got.created_by, 'tradingsystem')
  assert.equal(want.verify_rows, 300000)

  assert.deepEqual(col(got, 'symbol').logical_type, { type: 'STRING' })
  assert.equal(col(got, 'symbol').converted_type, 'UTF8')
  assert.deepEqual(col(got, 'tick_time').logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' })
  assert.equal(col(got, 'tick_time').converted_type, 'TIMESTAMP_MICROS')
  assert.deepEqual(col(got, 'price').logical_type, { type: 'DECIMAL', scale: 8, precision: 18 })
  assert.equal(col(got, 'price').converted_type, 'DECIMAL')
  assert.equal(col(got, 'trade_id').logical_type, null)
  assert.equal(col(got, 'aggressor').repetition, 'OPTIONAL')
  assert.equal(col(got, 'symbol').repetition, 'REQUIRED')

  assert.equal(got.sum_price_times_volume, want.sum_price_times_volume)
  assert.equal(col(got, 'tick_time').min, microsText(BigInt(want.tick_time_min_us)))
  assert.equal(col(got, 'tick_time').max, microsText(BigInt(want.tick_time_max_us)))
  assert.equal(col(got, 'tick_time').stats.min_value, col(got, 'tick_time').min)
  assert.equal(col(got, 'tick_time').stats.max_value, col(got, 'tick_time').max)
  assert.equal(col(got, 'price').sum_mod_2_64, want.price_sum_mod_2_64)
  assert.equal(want.read_price_sum_mod_2_64, want.price_sum_mod_2_64)
  assert.equal(col(got, 'trade_id').sum_mod_2_64, want.trade_id_sum_mod_2_64)
  assert.equal(want.read_trade_id_sum_mod_2_64, want.trade_id_sum_mod_2_64)
  assert.equal(col(got, 'aggressor').nulls, want.aggressor_nulls)
  assert.equal(col(got, 'aggressor').stats.null_count, String(want.aggressor_nulls))
  assert.equal(got.first_rows[0].trade_id, '1000000')
  for (const c of got.columns) assert.equal(c.stats_match, true, c.name)
})

for (const [rows, groups] of [[1001, 100], [1001, 8], [13, 5], [1, 100], [64, 1]]) {
  test(`nulls land in their rows: ${rows} rows, row groups of ${groups}`, () => {
    const file = path.join(dir, `patterns-${rows}-${groups}.parquet`)
    const want = write('patterns', file, rows, groups)
    const got = readBack(file, rows)
    assert.equal(got.ok, true)
    assert.equal(got.num_rows, String(rows))
    assert.equal(got.first_rows.length, rows)
    for (const [name, n] of Object.entries(want.nulls)) assert.equal(col(got, name).nulls, n, name)
    got.first_rows.forEach((r, i) => {
      const n = BigInt(i)
      const expect = {
        i: String(i), b: i % 3 === 0, breq: i % 3 === 0, s: String(i),
        t: microsText(1748869200000000n + n), d: decText(n * 1000000n - 500000000n, 8),
      }
      for (const name of Object.keys(r)) {
        const v = r[name]
        const w = name.startsWith('p_') ? String(i) : expect[name]
        if (name === 'i' || name === 'breq') assert.equal(v, w, `row ${i} ${name}`)
        else assert.ok(v === null || v === w, `row ${i} ${name}: ${v} (want ${w} or null)`)
      }
    })
  })
}

test('a file with no rows reads back as the schema alone', () => {
  const file = path.join(dir, 'empty.parquet')
  const want = write('ticks', file, 0)
  assert.equal(want.rows, 0)
  const got = readBack(file)
  assert.equal(got.ok, true)
  assert.equal(got.num_rows, '0')
  assert.deepEqual(got.row_groups, [])
  assert.equal(got.columns.length, 6)
})
