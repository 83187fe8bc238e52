// Application state: one mutable object, changed only by the actions below, which then
// call notify(); the UI re-renders at most once per animation frame.
import { api, get, post, patch, q } from './api.js';
import { Stream } from './stream.js';
import { addDec, toScaled } from './decimal.js';
import { addTick, loadHistory } from './candles.js';

export const WORKING = new Set(['PENDING', 'SUBMITTED', 'PARTIAL_FILL']);

export const state = {
  // user: GET /auth/me's {username, role, credential}, null on the login view;
  // checked: false until /auth/me answered; note: why the login view is shown, if not obvious
  session: { checked: false, user: null, note: null },
  conn: { connected: false, seq: null, heartbeat: null, everConnected: false },
  health: { ok: null, status: 'unknown', latencyMs: null, checkedAt: null, message: '' },
  kill: { active: false, reason: null, changed_by: null, changed_at: null, loaded: false },
  instruments: [],
  market: {},            // symbol -> {last, first, volume, time, dir}
  selected: null,
  accounts: [],
  strategies: [],
  orders: new Map(),     // working orders by id
  trades: [],            // newest first, at most 50
  positions: new Map(),  // open positions by id
  riskLimits: [],
  signals: [],
  audit: { orderId: null, order: null, rows: [], loading: false, error: null },
  loadErrors: [],
  ready: false,
};

const listeners = new Set();
let scheduled = false;
export function subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); }
export function notify() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    for (const fn of listeners) fn();
  });
}

const tickListeners = new Set();
export function onTickFor(fn) { tickListeners.add(fn); return () => tickListeners.delete(fn); }

// ---------------------------------------------------------------- initial load (REST)

let loading = false;
let queued = [];

function noteError(what, r) {
  if (!r.ok) state.loadErrors = [...state.loadErrors.slice(-4), `${what}: ${r.error.message}`];
}

async function loadReference() {
  const [ins, acc, str] = await Promise.all([
    get('/instruments?limit=1000'), get('/accounts?limit=1000'), get('/strategies?limit=1000'),
  ]);
  noteError('instruments', ins); noteError('accounts', acc); noteError('strategies', str);
  if (ins.ok) {
    state.instruments = [...ins.data].sort((a, b) => a.symbol.localeCompare(b.symbol));
    if (!state.selected && state.instruments.length) state.selected = state.instruments[0].symbol;
    stream.setMarketTopics(state.instruments.map((i) => 'ticks:' + i.symbol));
    // last known print of each instrument, so the watch is not empty after a reload
    await Promise.all(state.instruments.map(async (i) => {
      if (state.market[i.symbol]) return;
      const r = await get('/market/ticks' + q({ symbol: i.symbol, limit: 1 }));
      if (r.ok && r.data.length && !state.market[i.symbol]) {
        const t = r.data[0];
        state.market[i.symbol] = { last: t.price, first: t.price, volume: '0', time: t.tick_time, dir: 0 };
      }
    }));
  }
  if (acc.ok) state.accounts = acc.data;
  if (str.ok) state.strategies = str.data;
  notify();
}

async function loadState() {
  loading = true;
  const [sub, part, trades, pos, kill, limits] = await Promise.all([
    get('/orders?status=SUBMITTED&limit=1000'),
    get('/orders?status=PARTIAL_FILL&limit=1000'),
    get('/trades?limit=50'),
    get('/positions?status=OPEN&limit=1000'),
    get('/risk/kill-switch'),
    get('/risk-limits?limit=1000'),
  ]);
  for (const [n, r] of [['orders', sub], ['orders', part], ['trades', trades], ['positions', pos], ['kill switch', kill], ['risk limits', limits]]) noteError(n, r);
  if (sub.ok && part.ok) {
    state.orders = new Map();
    for (const o of [...sub.data, ...part.data]) state.orders.set(o.id, o);
  }
  if (trades.ok) state.trades = trades.data;
  if (pos.ok) state.positions = new Map(pos.data.map((p) => [p.id, p]));
  if (kill.ok) state.kill = { ...kill.data, loaded: true };
  if (limits.ok) state.riskLimits = limits.data;
  loading = false;
  state.ready = true;
  const q2 = queued; queued = [];
  for (const m of q2) applyEvent(m);
  notify();
}

// ---------------------------------------------------------------- live events

function applyEvent(m) {
  if (loading) { queued.push(m); return; }
  const d = m.data || {};
  switch (m.topic) {
    case 'orders': {
      const prev = state.orders.get(d.id);
      const o = { ...(prev || {}), ...d, updated_at: m.time };
      if (!prev && !o.created_at) o.created_at = m.time;
      if (WORKING.has(o.status)) state.orders.set(d.id, o);
      else state.orders.delete(d.id);
      if (state.audit.orderId === d.id) loadAudit(d.id, o);
      break;
    }
    case 'trades': {
      if (!state.trades.some((t) => t.id === d.id)) {
        state.trades = [{ executed_at: m.time, ...d }, ...state.trades].slice(0, 50);
      }
      break;
    }
    case 'positions': {
      const prev = state.positions.get(d.id);
      const p = { ...(prev || {}), ...d, updated_at: m.time };
      if (m.type === 'PositionClosed' || d.status === 'CLOSED') state.positions.delete(d.id);
      else state.positions.set(d.id, p);
      schedulePositionRefresh();
      break;
    }
    case 'risk': {
      if (m.type === 'KillSwitchActivated' || m.type === 'KillSwitchReleased') {
        state.kill = { active: !!d.active, reason: d.reason ?? null, changed_by: d.changed_by ?? null, changed_at: m.time, loaded: true };
      }
      refreshRiskLimits();
      break;
    }
    case 'signals': {
      state.signals = [{ seq: m.seq, time: m.time, type: m.type, data: d }, ...state.signals].slice(0, 100);
      break;
    }
    default:
      break;
  }
  notify();
}

function applyTick(m) {
  const t = m.data || {};
  const sym = t.symbol || m.topic.slice(6);
  const cur = state.market[sym];
  if (!cur) {
    // first print seen this session: the reference for the change column
    state.market[sym] = { last: t.price, first: t.price, volume: t.volume, time: t.tick_time, dir: 0 };
  } else {
    const p = toScaled(t.price, 8), l = toScaled(cur.last, 8);
    const dir = p > l ? 1 : p < l ? -1 : cur.dir;
    state.market[sym] = { ...cur, last: t.price, volume: addDec(cur.volume, t.volume), time: t.tick_time, dir, flash: Date.now() };
  }
  addTick(sym, t);
  for (const fn of tickListeners) fn(sym, t);
  // marks change unrealized P&L without an event: re-read held positions (throttled)
  for (const p of state.positions.values()) {
    if (p.symbol === sym) { schedulePositionRefresh(); break; }
  }
  notify();
}

// Throttled REST refresh of open positions: at most one request per 500 ms, with a trailing
// call so the newest mark is always read; one more a second later catches a late mark.
let posTimer = null, posLast = 0, posTrail = null;
function schedulePositionRefresh() {
  clearTimeout(posTrail);
  posTrail = setTimeout(refreshPositions, 1000);
  if (posTimer) return;
  const wait = Math.max(0, 500 - (Date.now() - posLast));
  posTimer = setTimeout(async () => {
    posTimer = null;
    await refreshPositions();
  }, wait);
}
async function refreshPositions() {
  posLast = Date.now();
  const r = await get('/positions?status=OPEN&limit=1000');
  if (r.ok) {
    state.positions = new Map(r.data.map((p) => [p.id, p]));
    notify();
  }
}

let riskTimer = null;
function refreshRiskLimits() {
  clearTimeout(riskTimer);
  riskTimer = setTimeout(async () => {
    const r = await get('/risk-limits?limit=1000');
    if (r.ok) { state.riskLimits = r.data; notify(); }
  }, 200);
}

export const stream = new Stream({
  onEvent: applyEvent,
  onTick: applyTick,
  onState: (s) => {
    if ('connected' in s) {
      state.conn.connected = s.connected;
      if (s.connected) state.conn.everConnected = true;
      // the stream is refused without a session: ask, so that an ended session (401) is seen
      else if (state.session.user) get('/auth/me');
    }
    if ('seq' in s) state.conn.seq = s.seq;
    if ('heartbeat' in s) state.conn.heartbeat = s.heartbeat;
    notify();
  },
  onResync: () => { loadState(); },
});

// ---------------------------------------------------------------- health

async function pollHealth() {
  const t0 = performance.now();
  const r = await get('/health');
  const rtt = performance.now() - t0;
  const dbs = r.data && r.data.databases ? Object.values(r.data.databases) : [];
  const dbLatency = dbs.length ? Math.max(...dbs.map((d) => d.latency_us || 0)) / 1000 : null;
  state.health = {
    ok: r.ok && r.data && r.data.status === 'ok',
    status: r.data && r.data.status ? r.data.status : (r.status ? 'error ' + r.status : 'unreachable'),
    latencyMs: dbLatency,
    rttMs: rtt,
    checkedAt: new Date(),
    down: dbs.length ? Object.entries(r.data.databases).filter(([, d]) => !d.up).map(([k]) => k) : [],
    version: r.data && r.data.version,
  };
  notify();
}

// ---------------------------------------------------------------- session

/** GET /auth/me, before anything else; true when logged in (then call start()). */
export async function checkSession() {
  const r = await get('/auth/me');
  state.session = {
    checked: true,
    user: r.ok ? r.data : null,
    note: r.ok || r.status === 401 ? null : `Cannot check the session: ${r.error.message}`,
  };
  notify();
  return r.ok;
}

/** Back to the login view: stops the stream and the polling. */
function endSession(note) {
  state.session = { checked: true, user: null, note };
  stop();
  notify();
}

/** Any API call answered 401 while logged in: the session expired or was revoked. */
export function sessionEnded(error) {
  if (state.session.user) endSession(`Logged out: ${error.message}`);
}

/** POST /auth/login; the server sets the session cookie. Resolves to the api() result. */
export const login = (username, password) => post('/auth/login', { username, password });

export async function logout() {
  const r = await api('POST', '/auth/logout');
  if (r.ok || r.status === 401) endSession(null);
  else { noteError('log out', r); notify(); }
  return r;
}

// ---------------------------------------------------------------- actions

export function selectSymbol(sym) {
  if (state.selected === sym) return;
  state.selected = sym;
  loadHistory(sym).then(notify);
  notify();
}

export async function placeOrder(body) {
  const r = await post('/orders', body);
  if (r.ok && r.data && WORKING.has(r.data.status)) {
    state.orders.set(r.data.id, { ...(state.orders.get(r.data.id) || {}), ...r.data });
    notify();
  }
  return r;
}

export async function cancelOrder(id) {
  const r = await post(`/orders/${id}/cancel`, { reason: 'canceled from the dashboard' });
  if (r.ok && r.data && !WORKING.has(r.data.status)) {
    state.orders.delete(id);
    if (state.audit.orderId === id) loadAudit(id, r.data);
    notify();
  }
  return r;
}

export async function modifyOrder(id, changes) {
  const r = await patch(`/orders/${id}`, changes);
  if (r.ok && r.data) {
    if (WORKING.has(r.data.status)) state.orders.set(id, r.data); else state.orders.delete(id);
    if (state.audit.orderId === id) loadAudit(id, r.data);
    notify();
  }
  return r;
}

let auditReq = 0;
export async function loadAudit(id, order) {
  const n = ++auditReq;
  state.audit = { ...state.audit, orderId: id, order: order || state.orders.get(id) || state.audit.order, loading: true, error: null };
  if (state.audit.orderId !== id) state.audit.rows = [];
  notify();
  const r = await get(`/orders/${id}/audit`);
  if (n !== auditReq) return;
  state.audit = { ...state.audit, loading: false, rows: r.ok ? r.data : [], error: r.ok ? null : r.error.message };
  notify();
}

export async function setKillSwitch(active, reason) {
  const r = await post('/risk/kill-switch', { active, reason });
  if (r.ok) {
    state.kill = { active: !!r.data.active, reason: r.data.reason, changed_by: r.data.changed_by, changed_at: new Date().toISOString(), loaded: true };
    if (active) for (const [id, o] of state.orders) if (WORKING.has(o.status)) state.orders.delete(id);
    notify();
    if (active) loadState();
  }
  return r;
}

let timers = [];
export function start() {
  stream.start();
  loadReference().then(() => { if (state.selected) loadHistory(state.selected).then(notify); });
  pollHealth();
  timers = [setInterval(pollHealth, 5000), setInterval(notify, 1000)]; // the clock
}

export function stop() {
  stream.stop();
  for (const t of timers) clearInterval(t);
  timers = [];
}
