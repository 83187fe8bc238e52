// 1-minute candles built in the browser from the tick stream (and the tape history of
// GET /market/ticks when the server has it). Prices become numbers only for drawing.
import { get, q } from './api.js';

const BAR = 60; // seconds
const bySymbol = new Map(); // symbol -> {bars: Map(time -> bar), seen: Set(key), version}
const listeners = new Set();

function book(sym) {
  let b = bySymbol.get(sym);
  if (!b) { b = { bars: new Map(), seen: new Set(), version: 0, history: false }; bySymbol.set(sym, b); }
  return b;
}

function add(b, t) {
  const key = t.tick_time + '#' + t.trade_id;
  if (b.seen.has(key)) return null;
  b.seen.add(key);
  const ms = Date.parse(t.tick_time);
  if (isNaN(ms)) return null;
  const time = Math.floor(ms / 1000 / BAR) * BAR;
  const price = Number(t.price), vol = Number(t.volume);
  let bar = b.bars.get(time);
  if (!bar) {
    bar = { time, open: price, high: price, low: price, close: price, volume: vol, last: ms };
    b.bars.set(time, bar);
  } else {
    bar.high = Math.max(bar.high, price);
    bar.low = Math.min(bar.low, price);
    if (ms >= bar.last) { bar.close = price; bar.last = ms; }
    bar.volume += vol;
  }
  return bar;
}

/** A live tick: returns the updated bar. */
export function addTick(sym, t) {
  const b = book(sym);
  const bar = add(b, t);
  if (bar) for (const fn of listeners) fn(sym, bar);
}

/** Bars of a symbol, oldest first. */
export function barsOf(sym) {
  return [...book(sym).bars.values()].sort((a, b) => a.time - b.time);
}

export function onBar(fn) { listeners.add(fn); return () => listeners.delete(fn); }

const resetListeners = new Set();
export function onReset(fn) { resetListeners.add(fn); return () => resetListeners.delete(fn); }

/** Load the tape of the symbol once (newest first from the server), if the endpoint exists. */
export async function loadHistory(sym) {
  const b = book(sym);
  if (b.history) return;
  b.history = true;
  const r = await get('/market/ticks' + q({ symbol: sym, limit: 1000 }));
  if (!r.ok || !Array.isArray(r.data)) return; // 404 when the server has no tape endpoint
  for (const t of [...r.data].reverse()) add(b, t);
  for (const fn of resetListeners) fn(sym);
}
