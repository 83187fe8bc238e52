// Exact decimal helpers for the strings the server sends ("30.10000000", "-12.34").
// Money is never parsed to a float: values are BigInt scaled by 10^scale.

const DEC_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** Parse a decimal string to a BigInt scaled by 10^scale (extra digits are truncated). */
export function toScaled(s, scale) {
  if (s === null || s === undefined) return null;
  const m = DEC_RE.exec(String(s).trim());
  if (!m) return null;
  const frac = (m[3] || '').padEnd(scale, '0').slice(0, scale);
  const v = BigInt(m[2] + frac);
  return m[1] === '-' ? -v : v;
}

/** Format a BigInt scaled by 10^scale back to a string with exactly `scale` decimals. */
export function fromScaled(v, scale) {
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return (neg ? '-' : '') + int + (scale ? '.' + frac : '');
}

/** Sum decimal strings exactly at the given scale (money: 2). null/undefined count as 0. */
export function sumDec(values, scale = 2) {
  let t = 0n;
  for (const v of values) {
    const x = toScaled(v, scale);
    if (x !== null) t += x;
  }
  return fromScaled(t, scale);
}

/** Trim trailing zeros of the fraction, keeping at least `minFrac` decimals. */
export function trimDec(s, minFrac = 0) {
  if (s === null || s === undefined || s === '') return '—';
  const str = String(s);
  const m = DEC_RE.exec(str);
  if (!m) return str;
  let frac = (m[3] || '').replace(/0+$/, '');
  if (frac.length < minFrac) frac = frac.padEnd(minFrac, '0');
  return (m[1] === '-' ? '-' : '') + m[2] + (frac ? '.' + frac : '');
}

export const fmtQty = (s) => trimDec(s, 0);
export const fmtPrice = (s) => trimDec(s, 2);

/** Sign of a decimal string: -1, 0 or 1 (null for non-decimals). */
export function signOf(s) {
  const v = toScaled(s, 8);
  if (v === null) return null;
  return v < 0n ? -1 : v > 0n ? 1 : 0;
}

/** a - b on decimal strings, exact at scale 8, trimmed for display (at least 2 decimals). */
export function subDec(a, b) {
  const x = toScaled(a, 8), y = toScaled(b, 8);
  if (x === null || y === null) return null;
  return trimDec(fromScaled(x - y, 8), 2);
}

/** a + b on decimal strings, exact at scale 8 (8 decimals kept). */
export function addDec(a, b) {
  const x = toScaled(a, 8) ?? 0n, y = toScaled(b, 8) ?? 0n;
  return fromScaled(x + y, 8);
}

/** Percent change from `first` to `last`, two decimals, e.g. "+1.25%" (display only). */
export function pctChange(last, first) {
  const l = toScaled(last, 8), f = toScaled(first, 8);
  if (l === null || f === null || f === 0n) return '';
  const bp = ((l - f) * 10000n) / f; // hundredths of a percent, truncated toward zero
  const s = fromScaled(bp, 2);
  return (bp > 0n ? '+' : '') + s + '%';
}

/** Compare two decimal strings exactly. */
export function cmpDec(a, b) {
  const x = toScaled(a, 8), y = toScaled(b, 8);
  return x < y ? -1 : x > y ? 1 : 0;
}
