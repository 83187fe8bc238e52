import { html } from 'htm/preact';
import { useState, useRef, useEffect } from 'preact/hooks';
import {
  state, selectSymbol, placeOrder, cancelOrder, modifyOrder, loadAudit, setKillSwitch, login, logout,
} from './store.js';
import { fmtQty, fmtPrice, trimDec, subDec, pctChange, signOf, sumDec } from './decimal.js';
import { b3DateTime, b3Time, b3Full, B3_TZ, B3_ZONE_LABEL } from './time.js';
import { Chart } from './chart.js';

const cls = (...a) => a.filter(Boolean).join(' ');
const sideCls = (s) => (s === 'BUY' || s === 'LONG' ? 'buy' : s === 'SELL' || s === 'SHORT' ? 'sell' : '');
const pnlCls = (v) => { const s = signOf(v); return s > 0 ? 'pos' : s < 0 ? 'neg' : ''; };
const money = (v) => (v === null || v === undefined ? '—' : v);

function Panel({ title, testid, extra, children, className }) {
  return html`<section class=${cls('panel', className)} data-testid=${testid} aria-label=${title}>
    <header class="panel-head"><h2>${title}</h2>${extra}</header>
    <div class="panel-body">${children}</div>
  </section>`;
}

// ------------------------------------------------------------------ status bar

export function StatusBar() {
  const { conn, health, kill } = state;
  const user = state.session.user;
  const now = new Date();
  return html`<header class="status-bar" data-testid="status-bar">
    <div class="brand">TradingSystem <span class="muted">B3</span></div>
    <div class=${cls('pill', conn.connected ? 'ok' : 'bad')} data-testid="stream-status"
      title="WebSocket /api/v1/stream">
      <span class="dot"></span>Stream ${conn.connected ? 'connected' : 'disconnected'}
    </div>
    <div class=${cls('pill', health.ok === null ? '' : health.ok ? 'ok' : 'bad')} data-testid="db-status"
      title=${health.checkedAt ? 'checked ' + b3DateTime(health.checkedAt) + ' ' + B3_ZONE_LABEL : ''}>
      <span class="dot"></span>DB ${health.ok === null ? '…' : health.ok ? 'ok' : health.status}
      ${health.latencyMs !== null && health.latencyMs !== undefined ? html` <span class="num">${health.latencyMs.toFixed(1)} ms</span>` : ''}
      ${health.down && health.down.length ? html` <span>(${health.down.join(', ')} down)</span>` : ''}
    </div>
    <div class=${cls('pill', kill.active ? 'bad blink' : 'ok')} data-testid="kill-switch-status"
      data-active=${kill.active ? 'true' : 'false'}
      title=${kill.reason ? `${kill.reason} — ${kill.changed_by || ''}` : ''}>
      <span class="dot"></span>Kill switch ${kill.active ? 'ACTIVE' : 'off'}
    </div>
    <div class="pill" data-testid="last-seq">seq <span class="num">${conn.seq ?? '—'}</span></div>
    <div class="spacer"></div>
    <div class="clock" data-testid="b3-clock" title=${B3_TZ}>
      <span class="num">${b3DateTime(now)}</span> <span class="zone">${B3_ZONE_LABEL}</span> <span class="tz">${B3_TZ}</span>
    </div>
    ${user && html`<div class="user" title=${`logged in with a ${user.credential}`}>
      <span class="user-name" data-testid="user-name">${user.username}</span>
      <span class="tag" data-testid="user-role">${user.role}</span>
      <button type="button" class="btn-sm" data-testid="logout" onClick=${logout}>Log out</button>
    </div>`}
  </header>`;
}

// ------------------------------------------------------------------ market watch

export function MarketWatch() {
  const rows = state.instruments;
  const onKey = (e, sym) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); selectSymbol(sym); }
  };
  return html`<${Panel} title="Market watch" testid="market-watch" className="watch">
    ${rows.length === 0 ? html`<p class="empty">no instruments</p>` : html`
    <table class="grid">
      <thead><tr><th>Symbol</th><th class="r">Last</th><th class="r">Chg</th><th class="r">Vol</th></tr></thead>
      <tbody>${rows.map((i) => {
        const m = state.market[i.symbol];
        const chg = m ? subDec(m.last, m.first) : null;
        const s = chg === null ? 0 : signOf(chg);
        return html`<tr key=${i.symbol} data-symbol=${i.symbol} tabindex="0"
            class=${cls('clickable', state.selected === i.symbol && 'selected', i.status !== 'ACTIVE' && 'dim')}
            aria-selected=${state.selected === i.symbol ? 'true' : 'false'}
            onClick=${() => selectSymbol(i.symbol)} onKeyDown=${(e) => onKey(e, i.symbol)}
            title=${`${i.name} · ${i.status}${m ? ' · last ' + b3Full(m.time) : ''}`}>
          <td class="sym">${i.symbol}${i.status !== 'ACTIVE' ? html` <span class="tag">${i.status}</span>` : ''}</td>
          <td class=${cls('r num', m && m.dir > 0 && 'pos', m && m.dir < 0 && 'neg')} data-testid="last-price">${m ? fmtPrice(m.last) : '—'}</td>
          <td class=${cls('r num', s > 0 && 'pos', s < 0 && 'neg')} data-testid="change">${chg === null ? '—' : html`${s > 0 ? '+' : ''}${chg} <span class="pct">${pctChange(m.last, m.first)}</span>`}</td>
          <td class="r num" data-testid="volume">${m ? fmtQty(m.volume) : '—'}</td>
        </tr>`;
      })}</tbody>
    </table>`}
  <//>`;
}

// ------------------------------------------------------------------ order ticket

const TYPES = ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'];
const needsPrice = (t) => t === 'LIMIT' || t === 'STOP_LIMIT';
const needsStop = (t) => t === 'STOP' || t === 'STOP_LIMIT';

function newRef() {
  const rnd = Math.random().toString(36).slice(2, 8);
  return `ui-${Date.now()}-${rnd}`;
}

export function OrderTicket() {
  const accounts = state.accounts.filter((a) => a.status === 'ACTIVE');
  const strategies = state.strategies.filter((s) => s.status === 'ACTIVE' || s.status === 'TESTING');
  const [f, setF] = useState({ account: '', strategy: '', side: 'BUY', type: 'LIMIT', qty: '', price: '', stop: '', tif: 'DAY', ptype: 'DAY_TRADE', reason: '' });
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const account = f.account || (accounts[0] && accounts[0].id) || '';
  const strategy = f.strategy || (strategies[0] && strategies[0].id) || '';
  const symbol = state.selected;
  const last = symbol && state.market[symbol] ? state.market[symbol].last : null;

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    const body = {
      order_ref: newRef(), account_id: account, strategy_id: strategy, symbol, side: f.side,
      order_type: f.type, quantity: f.qty.trim(), time_in_force: f.tif, position_type: f.ptype,
    };
    if (needsPrice(f.type)) body.price = f.price.trim();
    if (needsStop(f.type)) body.stop_price = f.stop.trim();
    if (f.reason.trim()) body.reason = f.reason.trim();
    setBusy(true);
    const r = await placeOrder(body);
    setBusy(false);
    setResult({ ...r, body });
  }

  return html`<${Panel} title="Order ticket" testid="ticket" className="ticket">
    <form class="ticket-form" onSubmit=${submit} aria-label="Order ticket">
      <div class="row2">
        <div class="field"><label for="t-account">Account</label><select id="t-account" name="account" value=${account} onChange=${set('account')} required>
            ${accounts.length === 0 && html`<option value="">no active account</option>`}
            ${accounts.map((a) => html`<option value=${a.id}>${a.name} (${a.broker_account})</option>`)}
          </select></div>
        <div class="field"><label for="t-strategy">Strategy</label><select id="t-strategy" name="strategy" value=${strategy} onChange=${set('strategy')} required>
            ${strategies.length === 0 && html`<option value="">no active strategy</option>`}
            ${strategies.map((s) => html`<option value=${s.id}>${s.name}${s.status === 'TESTING' ? ' (testing)' : ''}</option>`)}
          </select></div>
      </div>
      <div class="row2">
        <div class="field"><label for="t-symbol">Symbol</label><select id="t-symbol" name="symbol" value=${symbol || ''} onChange=${(e) => selectSymbol(e.currentTarget.value)}>
            ${state.instruments.map((i) => html`<option value=${i.symbol}>${i.symbol}</option>`)}
          </select></div>
        <div class="last-hint">Last <span class="num">${last ? fmtPrice(last) : '—'}</span></div>
      </div>
      <fieldset class="sides">
        <legend>Side</legend>
        ${['BUY', 'SELL'].map((s) => html`<label class=${cls('side-opt', s.toLowerCase(), f.side === s && 'on')}>
          <input type="radio" name="side" value=${s} checked=${f.side === s} onChange=${set('side')} />${s}</label>`)}
      </fieldset>
      <div class="row2">
        <div class="field"><label for="t-order-type">Order type</label><select id="t-order-type" name="order_type" value=${f.type} onChange=${set('type')}>
            ${TYPES.map((t) => html`<option value=${t}>${t.replace('_', ' ')}</option>`)}
          </select></div>
        <div class="field"><label for="t-quantity">Quantity</label><input id="t-quantity" name="quantity" type="text" inputmode="decimal" autocomplete="off" required
            value=${f.qty} onInput=${set('qty')} placeholder="100" /></div>
      </div>
      <div class="row2">
        ${needsPrice(f.type) && html`<div class="field"><label for="t-price">Limit price</label><input id="t-price" name="price" type="text" inputmode="decimal" autocomplete="off" required
            value=${f.price} onInput=${set('price')} placeholder=${last ? fmtPrice(last) : '0.00'} /></div>`}
        ${needsStop(f.type) && html`<div class="field"><label for="t-stop-price">Stop price</label><input id="t-stop-price" name="stop_price" type="text" inputmode="decimal" autocomplete="off" required
            value=${f.stop} onInput=${set('stop')} placeholder="0.00" /></div>`}
      </div>
      <div class="row2">
        <div class="field"><label for="t-time-in-force">Time in force</label><select id="t-time-in-force" name="time_in_force" value=${f.tif} onChange=${set('tif')}>
            <option value="DAY">DAY</option><option value="GTC">GTC</option>
          </select></div>
        <div class="field"><label for="t-position-type">Position type</label><select id="t-position-type" name="position_type" value=${f.ptype} onChange=${set('ptype')}>
            <option value="DAY_TRADE">DAY TRADE</option><option value="SWING">SWING</option><option value="POSITION">POSITION</option>
          </select></div>
      </div>
      <div class="field"><label for="t-reason">Reason</label><input id="t-reason" name="reason" type="text" autocomplete="off" placeholder="optional" value=${f.reason} onInput=${set('reason')} /></div>
      <button type="submit" class=${cls('submit', f.side.toLowerCase())} disabled=${busy || !symbol}
        data-testid="ticket-submit">${busy ? 'Sending…' : `${f.side} ${f.qty || ''} ${symbol || ''}`}</button>
      <${TicketResult} r=${result} />
    </form>
  <//>`;
}

function TicketResult({ r }) {
  if (!r) return html`<div class="ticket-result" data-testid="ticket-result" aria-live="polite"></div>`;
  if (r.ok) {
    const o = r.data;
    return html`<div class="ticket-result ok" data-testid="ticket-result" role="status" data-status=${o.status}>
      <strong>${r.status === 201 ? 'Placed' : 'Already placed'}</strong> ${o.side} ${fmtQty(o.quantity)} ${o.symbol}
      ${o.price ? ' @ ' + fmtPrice(o.price) : ''} — <span class="tag">${o.status}</span>
      <div class="muted small">${o.order_ref}</div>
    </div>`;
  }
  if (r.status === 422) {
    const d = r.error.details || {};
    return html`<div class="ticket-result refused" data-testid="ticket-result" role="alert" data-rule=${d.rule || ''}>
      <div class="refused-head">REFUSED <span class="rule" data-testid="refusal-rule">${d.rule || r.error.code}</span></div>
      <div data-testid="refusal-message">${r.error.message}</div>
      ${d.limit !== undefined && html`<div class="small">limit <span class="num">${trimDec(d.limit)}</span> · value <span class="num">${trimDec(d.value)}</span>${d.scope ? ' · ' + d.scope : ''}</div>`}
    </div>`;
  }
  return html`<div class="ticket-result error" data-testid="ticket-result" role="alert">
    <strong>${r.status ? 'Error ' + r.status : 'Network error'}</strong> <span data-testid="error-message">${r.error.message}</span>
  </div>`;
}

// ------------------------------------------------------------------ working orders

function OrderRow({ o }) {
  const [edit, setEdit] = useState(null);
  const [msg, setMsg] = useState(null);
  const priceRef = useRef(null);
  useEffect(() => { if (edit && priceRef.current) priceRef.current.focus(); }, [!!edit]);
  const priced = o.price !== null && o.price !== undefined;

  async function save(e) {
    e.preventDefault();
    const ch = {};
    if (priced && edit.price.trim() && edit.price.trim() !== trimDec(o.price, 2)) ch.price = edit.price.trim();
    if (edit.qty.trim() && edit.qty.trim() !== fmtQty(o.quantity)) ch.quantity = edit.qty.trim();
    if (!Object.keys(ch).length) { setEdit(null); return; }
    const r = await modifyOrder(o.id, ch);
    if (r.ok) { setEdit(null); setMsg(null); } else setMsg(`${r.status} ${r.error.details && r.error.details.rule ? r.error.details.rule + ': ' : ''}${r.error.message}`);
  }
  async function cancel(e) {
    e.stopPropagation();
    const r = await cancelOrder(o.id);
    if (!r.ok) setMsg(`${r.status} ${r.error.message}`);
  }
  const stop = (e) => e.stopPropagation();
  const selected = state.audit.orderId === o.id;

  return html`<tr class=${cls('clickable', selected && 'selected')} data-order-id=${o.id} data-order-ref=${o.order_ref}
      onClick=${() => loadAudit(o.id, o)} title="Show the audit trail">
    <td class="num">${b3Time(o.created_at)}</td>
    <td class="sym">${o.symbol}</td>
    <td class=${sideCls(o.side)}>${o.side}</td>
    <td>${o.order_type}</td>
    ${edit ? html`
      <td class="r" colspan="3" onClick=${stop}>
        <form class="inline-edit" onSubmit=${save} onKeyDown=${(e) => { if (e.key === 'Escape') setEdit(null); }}>
          <label>Qty <input name="quantity" size="6" value=${edit.qty} onInput=${(e) => setEdit({ ...edit, qty: e.currentTarget.value })} /></label>
          ${priced && html`<label>Px <input name="price" ref=${priceRef} size="7" value=${edit.price} onInput=${(e) => setEdit({ ...edit, price: e.currentTarget.value })} /></label>`}
          <button type="submit">Save</button>
          <button type="button" onClick=${() => setEdit(null)}>Esc</button>
        </form>
      </td>` : html`
      <td class="r num">${fmtQty(o.quantity)}</td>
      <td class="r num">${fmtQty(o.filled_quantity)}</td>
      <td class="r num">${priced ? fmtPrice(o.price) : o.stop_price ? 'stp ' + fmtPrice(o.stop_price) : 'MKT'}</td>`}
    <td><span class=${cls('tag', o.status === 'PARTIAL_FILL' && 'warn')}>${o.status}</span>${msg && html`<div class="err small" role="alert">${msg}</div>`}</td>
    <td class="actions" onClick=${stop}>
      ${!edit && html`<button type="button" class="btn-sm" data-testid="modify"
        onClick=${() => setEdit({ qty: fmtQty(o.quantity), price: priced ? trimDec(o.price, 2) : '' })}>Modify</button>`}
      <button type="button" class="btn-sm danger" data-testid="cancel" onClick=${cancel}>Cancel</button>
    </td>
  </tr>`;
}

export function WorkingOrders() {
  const rows = [...state.orders.values()].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  return html`<${Panel} title="Working orders" testid="working-orders" className="orders"
      extra=${html`<span class="count">${rows.length}</span>`}>
    ${rows.length === 0 ? html`<p class="empty">no working orders</p>` : html`
    <table class="grid">
      <thead><tr><th>Time (${B3_ZONE_LABEL})</th><th>Symbol</th><th>Side</th><th>Type</th><th class="r">Qty</th><th class="r">Filled</th><th class="r">Price</th><th>Status</th><th></th></tr></thead>
      <tbody>${rows.map((o) => html`<${OrderRow} key=${o.id} o=${o} />`)}</tbody>
    </table>`}
  <//>`;
}

// ------------------------------------------------------------------ audit

export function Audit() {
  const a = state.audit;
  return html`<${Panel} title="Audit trail" testid="audit" className="audit"
      extra=${a.order ? html`<span class="muted small">${a.order.order_ref} · ${a.order.symbol}</span>` : ''}>
    ${!a.orderId ? html`<p class="empty">click an order to see its audit trail</p>`
      : a.error ? html`<p class="err">${a.error}</p>`
      : a.rows.length === 0 ? html`<p class="empty">${a.loading ? 'loading…' : 'no rows'}</p>` : html`
    <table class="grid">
      <thead><tr><th>#</th><th>Time (${B3_ZONE_LABEL})</th><th>Action</th><th>Status</th><th>By</th><th>Changes</th></tr></thead>
      <tbody>${a.rows.map((r) => html`<tr key=${r.id} data-action=${r.action}>
        <td class="num">${r.seq}</td>
        <td class="num" title=${b3Full(r.changed_at)}>${b3Time(r.changed_at)}</td>
        <td><span class="tag">${r.action}</span></td>
        <td class="small">${r.old_status ? r.old_status + ' → ' : ''}${r.new_status || ''}</td>
        <td>${r.changed_by}</td>
        <td class="small changes">${r.reason ? html`<em>${r.reason}</em> ` : ''}${r.action === 'CREATED' ? '' : Object.entries(r.changes || {}).filter(([k]) => !AUDIT_NOISE.has(k)).map(([k, v]) => html`<span class="chg">${k}: ${v && typeof v === 'object' && 'new' in v ? `${fmtChange(v.old)} → ${fmtChange(v.new)}` : JSON.stringify(v)}</span> `)}</td>
      </tr>`)}</tbody>
    </table>`}
  <//>`;
}
const AUDIT_NOISE = new Set(['status', 'updated_at', 'submitted_at', 'filled_at', 'canceled_at', 'expired_at']);
const fmtChange = (v) => (v === null || v === undefined ? '∅' : typeof v === 'string' && /^-?\d+\.\d+$/.test(v) ? trimDec(v, 2) : String(v));

// ------------------------------------------------------------------ fills

export function Fills() {
  const rows = state.trades;
  return html`<${Panel} title="Fills" testid="fills" className="fills" extra=${html`<span class="count">${rows.length}</span>`}>
    ${rows.length === 0 ? html`<p class="empty">no fills yet</p>` : html`
    <table class="grid">
      <thead><tr><th>Time (${B3_ZONE_LABEL})</th><th>Symbol</th><th>Side</th><th class="r">Qty</th><th class="r">Price</th><th class="r">Value</th><th class="r">Real. P&L</th></tr></thead>
      <tbody>${rows.map((t) => html`<tr key=${t.id} data-trade-id=${t.id}>
        <td class="num" title=${b3Full(t.executed_at)}>${b3Time(t.executed_at)}</td>
        <td class="sym">${t.symbol}</td>
        <td class=${sideCls(t.side)}>${t.side}</td>
        <td class="r num">${fmtQty(t.quantity)}</td>
        <td class="r num">${fmtPrice(t.price)}</td>
        <td class="r num">${t.total_value ?? '—'}</td>
        <td class=${cls('r num', pnlCls(rpnl(t)))}>${rpnl(t) ?? '—'}</td>
      </tr>`)}</tbody>
    </table>`}
  <//>`;
}
const rpnl = (t) => t.realized_pnl ?? (t.metadata && t.metadata.realized_pnl) ?? null;

// ------------------------------------------------------------------ positions

export function Positions() {
  const rows = [...state.positions.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
  const realized = sumDec(rows.map((p) => p.realized_pnl));
  const unrealized = sumDec(rows.map((p) => p.unrealized_pnl));
  const total = sumDec([realized, unrealized]);
  return html`<${Panel} title="Positions" testid="positions" className="positions"
      extra=${html`<div class="pnl-total" data-testid="pnl-total" data-total=${total} data-realized=${realized} data-unrealized=${unrealized}>
        <span>Realized <b class=${cls('num', pnlCls(realized))} data-testid="pnl-realized">${realized}</b></span>
        <span>Unrealized <b class=${cls('num', pnlCls(unrealized))} data-testid="pnl-unrealized">${unrealized}</b></span>
        <span>Total <b class=${cls('num big', pnlCls(total))} data-testid="pnl-total-value">${total}</b> <span class="muted">BRL</span></span>
      </div>`}>
    ${rows.length === 0 ? html`<p class="empty">no open positions</p>` : html`
    <table class="grid">
      <thead><tr><th>Symbol</th><th>Side</th><th class="r">Qty</th><th class="r">Avg entry</th><th class="r">Mark</th><th class="r">Unreal. P&L</th><th class="r">Real. P&L</th><th>Type</th><th>Opened (${B3_ZONE_LABEL})</th></tr></thead>
      <tbody>${rows.map((p) => html`<tr key=${p.id} data-position-id=${p.id} data-symbol=${p.symbol}
          class="clickable" onClick=${() => selectSymbol(p.symbol)}>
        <td class="sym">${p.symbol}</td>
        <td class=${sideCls(p.side)} data-testid="pos-side">${p.side}</td>
        <td class="r num" data-testid="pos-qty">${fmtQty(p.quantity)}</td>
        <td class="r num">${fmtPrice(p.avg_entry_price)}</td>
        <td class="r num">${p.current_price ? fmtPrice(p.current_price) : '—'}</td>
        <td class=${cls('r num', pnlCls(p.unrealized_pnl))} data-testid="pos-unrealized">${money(p.unrealized_pnl)}</td>
        <td class=${cls('r num', pnlCls(p.realized_pnl))} data-testid="pos-realized">${money(p.realized_pnl)}</td>
        <td class="small">${p.position_type || ''}</td>
        <td class="num" title=${b3Full(p.opened_at)}>${b3Time(p.opened_at)}</td>
      </tr>`)}</tbody>
    </table>`}
  <//>`;
}

// ------------------------------------------------------------------ risk + kill switch

function KillDialog({ activate, onClose }) {
  const ref = useRef(null);
  const input = useRef(null);
  const [reason, setReason] = useState('');
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    if (input.current) input.current.focus();
  }, []);
  async function confirm(e) {
    e.preventDefault();
    if (!reason.trim()) { setErr('a reason is required'); return; }
    setBusy(true);
    const r = await setKillSwitch(activate, reason.trim());
    setBusy(false);
    if (r.ok) { ref.current.close(); onClose(); } else setErr(`${r.status || ''} ${r.error.message}`);
  }
  return html`<dialog ref=${ref} class="kill-dialog" data-testid="kill-dialog" onCancel=${(e) => { e.preventDefault(); ref.current.close(); onClose(); }}
      aria-labelledby="kill-title">
    <form onSubmit=${confirm}>
      <h3 id="kill-title">${activate ? 'Activate the kill switch?' : 'Release the kill switch?'}</h3>
      <p class="small">${activate
        ? 'Every working order is canceled and every new order is refused until it is released.'
        : 'New orders will be accepted again.'}</p>
      <label>Reason
        <input ref=${input} name="reason" data-testid="kill-reason" value=${reason} required
          onInput=${(e) => setReason(e.currentTarget.value)} autocomplete="off" /></label>
      ${err && html`<p class="err" role="alert">${err}</p>`}
      <div class="dialog-actions">
        <button type="button" onClick=${() => { ref.current.close(); onClose(); }} data-testid="kill-cancel">Cancel</button>
        <button type="submit" class=${activate ? 'danger' : 'primary'} disabled=${busy} data-testid="kill-confirm">
          ${activate ? 'Activate kill switch' : 'Release kill switch'}</button>
      </div>
    </form>
  </dialog>`;
}

export function Risk() {
  const [dialog, setDialog] = useState(null);
  const k = state.kill;
  const limits = state.riskLimits;
  const scope = (l) => [l.account_id && 'acct ' + (state.accounts.find((a) => a.id === l.account_id)?.name || l.account_id.slice(0, 8)),
    l.strategy_id && 'strat ' + (state.strategies.find((s) => s.id === l.strategy_id)?.name || l.strategy_id.slice(0, 8)),
    l.symbol].filter(Boolean).join(' · ');
  return html`<${Panel} title="Risk" testid="risk" className="risk">
    <div class=${cls('kill-box', k.active && 'active')} data-testid="kill-switch" data-active=${k.active ? 'true' : 'false'}>
      <div>
        <div class="kill-state">Kill switch <b>${k.active ? 'ACTIVE' : 'off'}</b></div>
        ${k.changed_at && html`<div class="small muted">${k.reason || ''} — ${k.changed_by || ''} ${b3Time(k.changed_at)} ${B3_ZONE_LABEL}</div>`}
      </div>
      <button type="button" class=${k.active ? 'primary' : 'danger'} data-testid="kill-toggle"
        onClick=${() => setDialog({ activate: !k.active })}>${k.active ? 'Release' : 'Activate'}</button>
    </div>
    ${dialog && html`<${KillDialog} activate=${dialog.activate} onClose=${() => setDialog(null)} />`}
    ${limits.length === 0 ? html`<p class="empty">no risk limits</p>` : html`
    <table class="grid" data-testid="risk-limits">
      <thead><tr><th>Scope</th><th class="r">Order val</th><th class="r">Pos size</th><th class="r">Daily loss</th><th class="r">Trades</th><th></th></tr></thead>
      <tbody>${limits.map((l) => html`<tr key=${l.id} class=${l.status !== 'ACTIVE' ? 'dim' : ''}>
        <td class="small"><b>${l.limit_type}</b> ${scope(l)}</td>
        <td class="r num">${l.max_order_value ?? '—'}</td>
        <td class="r num">${l.max_position_size ? fmtQty(l.max_position_size) : '—'}</td>
        <td class="r num">${l.max_daily_loss ?? '—'}</td>
        <td class="r num">${l.max_daily_trades ?? '—'}</td>
        <td class="small">${l.status}</td>
      </tr>`)}</tbody>
    </table>`}
  <//>`;
}

// ------------------------------------------------------------------ signals

export function Signals() {
  const rows = state.signals;
  return html`<${Panel} title="Signals" testid="signals" className="signals">
    ${rows.length === 0 ? html`<p class="empty">no signals yet</p>` : html`
    <ul class="feed">${rows.map((s) => html`<li key=${s.seq}>
      <span class="num">${b3Time(s.time)}</span> <b>${s.type}</b>
      ${s.data.symbol ? html` <span class="sym">${s.data.symbol}</span>` : ''}
      ${s.data.signal_type || s.data.direction ? html` <span class=${sideCls(s.data.signal_type || s.data.direction)}>${s.data.signal_type || s.data.direction}</span>` : ''}
      ${s.data.price ? html` <span class="num">${fmtPrice(s.data.price)}</span>` : ''}
    </li>`)}</ul>`}
  <//>`;
}

// ------------------------------------------------------------------ login

export function Login() {
  const [f, setF] = useState({ username: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState(null);
  const first = useRef(null);
  useEffect(() => { if (first.current) first.current.focus(); }, []);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setErr(null);
    const r = await login(f.username.trim(), f.password);
    // the cookie is set: start the dashboard afresh
    if (r.ok) { location.reload(); return; }
    setBusy(false);
    setErr(r.error.message);
  }

  return html`<main class="login">
    <form class="login-form" data-testid="login-form" onSubmit=${submit} aria-labelledby="login-title">
      <h1 id="login-title">TradingSystem <span class="muted">B3</span></h1>
      ${state.session.note && html`<p class="login-note" role="status">${state.session.note}</p>`}
      <label>User name
        <input ref=${first} name="username" data-testid="login-username" autocomplete="username" required
          autocapitalize="off" spellcheck="false" value=${f.username} onInput=${set('username')} /></label>
      <label>Password
        <input name="password" type="password" data-testid="login-password" autocomplete="current-password" required
          value=${f.password} onInput=${set('password')} /></label>
      <button type="submit" class="primary" data-testid="login-submit" disabled=${busy}>${busy ? 'Logging in…' : 'Log in'}</button>
      ${err && html`<p class="err" data-testid="login-error" role="alert">${err}</p>`}
      <p class="small muted">First run? Use the login link <code>tradingsystem serve</code> printed,
        or run <code>tradingsystem user login-url admin</code>.</p>
    </form>
  </main>`;
}

// ------------------------------------------------------------------ app

export function App() {
  return html`<div class="app">
    <${StatusBar} />
    ${state.loadErrors.length > 0 && html`<div class="load-errors" role="alert">${state.loadErrors[state.loadErrors.length - 1]}</div>`}
    <main class="layout">
      <${MarketWatch} />
      <${Chart} symbol=${state.selected} />
      <${OrderTicket} />
      <${WorkingOrders} />
      <${Positions} />
      <${Risk} />
      <${Fills} />
      <${Audit} />
      <${Signals} />
    </main>
  </div>`;
}
