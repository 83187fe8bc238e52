// Unit tests of the dashboard's exact decimal helpers (web/src/decimal.js): money is never a float.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toScaled, fromScaled, sumDec, trimDec, fmtQty, fmtPrice, subDec, addDec, pctChange, signOf } from '../../web/src/decimal.js';

test('scaled BigInt round trip', () => {
  assert.equal(toScaled('30.10', 2), 3010n);
  assert.equal(toScaled('-12.345', 2), -1234n);
  assert.equal(toScaled('7', 2), 700n);
  assert.equal(toScaled('abc', 2), null);
  assert.equal(fromScaled(-5n, 2), '-0.05');
  assert.equal(fromScaled(123456n, 2), '1234.56');
  assert.equal(fromScaled(0n, 2), '0.00');
});

test('sums money exactly', () => {
  // 0.1 + 0.2 is not 0.3 in floating point; it is here
  assert.equal(sumDec(['0.10', '0.20']), '0.30');
  assert.equal(sumDec(['100.00', '-0.50', null, undefined]), '99.50');
  assert.equal(sumDec(['90071992547409.93', '0.07']), '90071992547410.00');
  assert.equal(sumDec([]), '0.00');
});

test('display trims trailing zeros only', () => {
  assert.equal(fmtQty('100.00000000'), '100');
  assert.equal(fmtQty('0.50000000'), '0.5');
  assert.equal(fmtPrice('30.00000000'), '30.00');
  assert.equal(fmtPrice('29.99400000'), '29.994');
  assert.equal(trimDec(null), '—');
  assert.equal(trimDec('-1.2000'), '-1.2');
});

test('change and percent', () => {
  assert.equal(subDec('31.00000000', '30.00000000'), '1.00');
  assert.equal(subDec('29.5', '30'), '-0.50');
  assert.equal(addDec('0.1', '0.2'), '0.30000000');
  assert.equal(pctChange('31', '30'), '+3.33%');
  assert.equal(pctChange('29.5', '30'), '-1.66%');
  assert.equal(pctChange('1', '0'), '');
  assert.equal(signOf('-0.01'), -1);
  assert.equal(signOf('0.00'), 0);
});
