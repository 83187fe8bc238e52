// Browser test of the dashboard (web/): starts `tradingsystem serve` on its own database,
// drives the page in Debian's chromium through playwright-core and the REST API.
//
//   npm run build:web && TS_BIN=build/tradingsystem node --test tests/web/
//
// Env: TS_BIN (the program; default build/tradingsystem), CHROMIUM (default /usr/bin/chromium),
// TS_ARTIFACTS (where screenshots go; default /tmp). web/dist must have been built.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm, access, chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Client } from '../stream/lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.TS_BIN || path.join(repo, 'build', 'tradingsystem');
const ARTIFACTS = process.env.TS_ARTIFACTS || '/tmp';

let proc, tmp, base, api, browser, page, exitInfo;
const serverLog = [];
const consoleErrors = [];
// Chromium logs every non-2xx fetch as a console error; the test expects exactly these.
const expectedErrors = [];
let tradeId = 1000;
let acc, str, firstLink, userCmd, passwdEnv;
let allow401 = false; // while logged out (the login tests), 401s in the console are expected

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

let token; // an API token of admin, for the test's own REST calls (as a script has one)
async function rest(method, p, body) {
  const res = await fetch(api + p, {
    method, headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function created(p, body) {
  const r = await rest('POST', p, body);
  assert.equal(r.status, 201, `POST ${p}: ${JSON.stringify(r.body)}`);
  return r.body;
}

async function ticks(...list) {
  const now = Date.now();
  const batch = list.map(([symbol, price, volume = '100'], i) => ({
    symbol, price, volume, aggressor: 'NEUTRAL',
    tick_time: new Date(now + i).toISOString(), trade_id: tradeId++,
  }));
  const r = await rest('POST', '/market/ticks', batch);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** 45 minutes of past prints ending at `last` (a seeded random walk), for the chart's history. */
async function history(symbol, from, last) {
  let seed = symbol.charCodeAt(0) * 7919;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const cents = (s) => Math.round(Number(s) * 100);
  let p = cents(from);
  const end = cents(last), n = 45 * 4, t0 = Date.now() - 46 * 60000;
  const batch = [];
  for (let i = 0; i < n; i++) {
    const left = n - i;
    p += Math.round((end - p) / left + (rnd() - 0.5) * 12);
    if (i === n - 1) p = end;
    batch.push({ symbol, price: (p / 100).toFixed(2), volume: String(100 * (1 + Math.floor(rnd() * 20))),
      aggressor: rnd() < 0.5 ? 'BUY' : 'SELL', tick_time: new Date(t0 + i * 15000).toISOString(), trade_id: tradeId++ });
  }
  const r = await rest('POST', '/market/ticks', batch);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

/** Poll fn until it returns a truthy value (or throw with the last value). */
async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(100);
  }
}

const text = (sel) => page.locator(sel).first().innerText();
const tid = (id) => `[data-testid="${id}"]`;

before(async () => {
  await access(path.join(repo, 'web', 'dist', 'index.html')).catch(() => {
    throw new Error('web/dist is not built: run `npm run build:web` first');
  });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ts-web-'));
  await chmod(tmp, 0o755); // run as root, the embedded PostgreSQL runs as another account
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = base + '/api/v1';
  const env = { ...process.env, TS_HOME: path.join(tmp, 'home'), TS_PG_PORT: process.env.TS_WEB_PG_PORT || '55439',
    TS_TRADING_HOURS: 'off', TS_EOD_TIME: 'off', TS_SIM_RATE: '20' };
  delete env.TS_DATABASE_URL;
  for (const k of Object.keys(env)) if (k.startsWith('TS_DB_')) delete env[k];
  // the program as a trader runs it: with the simulated market (its symbols are not the test's)
  proc = spawn(BIN, ['serve', '--addr', `127.0.0.1:${port}`, '--feed', 'sim'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d) => { serverLog.push(d.toString()); if (serverLog.length > 200) serverLog.shift(); };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => { exitInfo = { code, signal }; resolve(); }));
  proc.exited = exited;
  await until('GET /health 200', async () => {
    if (exitInfo) return 'exited';
    const r = await fetch(api + '/health').catch(() => null);
    return r && r.status === 200;
  }, 90000);
  if (exitInfo) throw new Error(`server exited ${JSON.stringify(exitInfo)}: ${serverLog.join('')}`);
  // what a new user is told on the first run: a login link for admin (on stdout)
  firstLink = (serverLog.join('').match(/http:\/\/[0-9.:]+\/login\?token=ts_[A-Za-z0-9_-]{43}/) || [])[0];
  assert.ok(firstLink, `the first run prints a login link: ${serverLog.join('')}`);
  passwdEnv = env;
  userCmd = (...args) => execFileSync(BIN, ['user', ...args], { env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
  token = userCmd('token', 'admin');

  await created('/instruments', { symbol: 'TEST3', asset_class: 'stock', name: 'Test Three', lot_size: 1, tick_size: 0.01 });
  await created('/instruments', { symbol: 'TEST4', asset_class: 'stock', name: 'Test Four', lot_size: 1, tick_size: 0.01 });
  await history('TEST3', '28.90', '29.50');
  await history('TEST4', '62.10', '61.20');
  acc = await created('/accounts', { name: 'Main', broker_account: '12345-6' });
  str = await created('/strategies', { name: 'Desk', strategy_type: 'MANUAL', status: 'ACTIVE' });

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(10000);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (allow401 && /status of 401/.test(m.text())) return; // logged out: answers say so
    const i = expectedErrors.findIndex((re) => re.test(m.text()));
    if (i >= 0) expectedErrors.splice(i, 1); else consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push('pageerror: ' + e.message));
});

after(async () => {
  if (browser) await browser.close();
  if (proc && !exitInfo) {
    proc.kill('SIGTERM');
    let timer; // a deadline, cleared: a pending timer would hold the run open for its 30 s
    await Promise.race([proc.exited, new Promise((r) => { timer = setTimeout(r, 30000); })]);
    clearTimeout(timer);
    if (!exitInfo) proc.kill('SIGKILL');
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (proc) assert.deepEqual(exitInfo, { code: 0, signal: null }, 'the server stops on SIGTERM with exit 0\n' + serverLog.join(''));
});

test('a new user logs in with the link of the first run', async () => {
  allow401 = true; // GET /auth/me before the login
  await page.goto(base + '/');
  await page.locator(tid('login-form')).waitFor();
  assert.match(await page.locator(tid('login-form')).innerText(), /tradingsystem user login-url admin/);
  assert.equal(await page.locator(tid('market-watch')).count(), 0, 'nothing of the dashboard before a login');
  const res = await page.goto(firstLink);
  assert.equal(new URL(page.url()).pathname, '/', 'the link leads to the dashboard');
  assert.equal(res.status(), 200);
  await until('logged in as admin', async () => (await text(tid('user-name'))) === 'admin');
  assert.match(await text(tid('user-role')), /admin/);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'ts_session');
  assert.ok(session && session.httpOnly && session.sameSite === 'Strict', JSON.stringify(cookies));
  assert.equal(await page.evaluate(() => document.cookie), '', 'the page cannot read the session');
  allow401 = false;
});

test('the page loads with its panels and a live stream', async () => {
  const res = await page.goto(base + '/');
  assert.equal(res.status(), 200);
  const html = await res.text();
  assert.match(html, /\/assets\/main-[A-Za-z0-9]+\.js/);
  assert.match(html, /rel="icon" href="data:,"/);
  for (const id of ['status-bar', 'market-watch', 'chart', 'ticket', 'working-orders', 'positions', 'fills', 'audit', 'kill-switch', 'signals']) {
    await page.locator(tid(id)).waitFor();
  }
  await until('stream connected', async () => /Stream connected/.test(await text(tid('stream-status'))));
  await until('database ok with a latency', async () => /DB ok\s+[\d.]+ ms/.test(await text(tid('db-status'))));
  assert.match(await text(tid('kill-switch-status')), /Kill switch off/);
  assert.match(await text(tid('b3-clock')), /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d BRT/);
  assert.match(await text(tid('signals')), /no signals yet/);
  await page.locator(`${tid('market-watch')} tr[data-symbol="TEST4"]`).waitFor();
  // the last print of the tape seeds the watch; the chart draws the tape's candles
  const petr = page.locator(`${tid('market-watch')} tr[data-symbol="TEST3"]`);
  await until('TEST3 seeded at 29.50', async () => (await petr.locator(tid('last-price')).innerText()) === '29.50');
  assert.equal(await page.locator(`${tid('market-watch')} tr[aria-selected="true"]`).count(), 1,
    'one symbol is selected at load');
  assert.ok(await page.locator(`${tid('chart')} canvas`).count() > 0, 'the chart draws on a canvas');
});

test('the simulated market moves by itself', async () => {
  const wege = page.locator(`${tid('market-watch')} tr[data-symbol="WEGE3"]`);
  await wege.waitFor();
  const seen = new Set();
  await until('WEGE3 trades at several prices', async () => {
    seen.add(await wege.locator(tid('last-price')).innerText());
    return seen.size >= 3;
  }, 60000);
});

test('ticks move the market watch', async () => {
  const petr = page.locator(`${tid('market-watch')} tr[data-symbol="TEST3"]`);
  await ticks(['TEST3', '29.50', '200'], ['TEST4', '61.20', '300']);
  await until('TEST3 at 29.50', async () => (await petr.locator(tid('last-price')).innerText()) === '29.50');
  await ticks(['TEST3', '29.80', '100']);
  await until('TEST3 at 29.80, +0.30, volume 300', async () =>
    (await petr.locator(tid('last-price')).innerText()) === '29.80' &&
    /^\+0\.30/.test(await petr.locator(tid('change')).innerText()) &&
    (await petr.locator(tid('volume')).innerText()) === '300');
  const vale = page.locator(`${tid('market-watch')} tr[data-symbol="TEST4"]`);
  assert.equal(await vale.locator(tid('last-price')).innerText(), '61.20');
});

async function placeLimitBuy(qty, price) {
  // select TEST3 with the keyboard in the market watch, then fill the ticket
  const row = page.locator(`${tid('market-watch')} tr[data-symbol="TEST3"]`);
  await row.focus();
  await page.keyboard.press('Enter');
  await until('TEST3 selected', async () => (await row.getAttribute('aria-selected')) === 'true');
  const ticket = page.locator(tid('ticket'));
  await ticket.getByLabel('Order type').selectOption('LIMIT');
  await ticket.getByLabel('BUY', { exact: true }).check();
  await ticket.getByLabel('Quantity').fill(qty);
  await ticket.getByLabel('Limit price').fill(price);
  await ticket.getByLabel('Limit price').press('Enter'); // Enter submits
}

test('a LIMIT BUY from the ticket works, fills on a tick, and marks the position', async () => {
  await placeLimitBuy('100', '30.00');
  const result = page.locator(tid('ticket-result'));
  await until('order placed', async () => (await result.getAttribute('data-status')) === 'SUBMITTED');
  assert.match(await result.innerText(), /Placed.*BUY 100 TEST3 @ 30\.00/s);
  const ref = (await result.innerText()).match(/ui-\d+-[a-z0-9]+/)[0];
  const row = page.locator(`${tid('working-orders')} tr[data-order-ref="${ref}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /TEST3\s+BUY\s+LIMIT\s+100\s+0\s+30\.00\s+SUBMITTED/);

  const r = await ticks(['TEST3', '30.00', '500']);
  assert.equal(r.fills, 1);
  await row.waitFor({ state: 'detached' });
  const pos = page.locator(`${tid('positions')} tr[data-symbol="TEST3"]`);
  await pos.waitFor();
  assert.equal(await pos.locator(tid('pos-qty')).innerText(), '100');
  assert.equal(await pos.locator(tid('pos-side')).innerText(), 'LONG');
  await page.locator(`${tid('fills')} tbody tr`).first().waitFor();
  assert.match(await text(`${tid('fills')} tbody tr`), /TEST3\s+BUY\s+100\s+30\.00/);

  await ticks(['TEST3', '31.00', '100']);
  await until('unrealized 100.00', async () => (await pos.locator(tid('pos-unrealized')).innerText()) === '100.00');
  await until('total 100.00', async () => (await page.locator(tid('pnl-total')).getAttribute('data-total')) === '100.00');
  assert.equal(await text(tid('pnl-total-value')), '100.00');
  assert.equal(await text(tid('pnl-realized')), '0.00');
  assert.equal(await text(tid('pnl-unrealized')), '100.00');
});

test('a malformed order shows the server\'s 400 message', async () => {
  expectedErrors.push(/status of 400/);
  await placeLimitBuy('100', '20.001');
  await until('error shown', async () => /not a multiple of tick size/.test(await text(tid('error-message'))));
  assert.match(await text(tid('ticket-result')), /Error 400/);
});

test('a working order is audited, modified and canceled from the UI', async () => {
  await placeLimitBuy('100', '20.00');
  const result = page.locator(tid('ticket-result'));
  await until('second order placed', async () => /@ 20\.00/.test(await result.innerText()));
  const ref = (await result.innerText()).match(/ui-\d+-[a-z0-9]+/)[0];
  const row = page.locator(`${tid('working-orders')} tr[data-order-ref="${ref}"]`);
  await row.waitFor();

  // its audit trail
  await row.locator('td').first().click();
  const audit = page.locator(tid('audit'));
  await audit.locator('tr[data-action="SUBMITTED"]').waitFor();
  assert.equal(await audit.locator('tr[data-action="CREATED"]').count(), 1);

  // modify the price inline
  await row.getByRole('button', { name: 'Modify' }).click();
  const px = row.getByLabel('Px');
  await px.fill('20.50');
  await px.press('Enter');
  await until('price 20.50', async () => /20\.50/.test(await row.innerText()) && !(await row.locator('input').count()));
  await audit.locator('tr[data-action="MODIFIED"]').waitFor();
  assert.match(await audit.locator('tr[data-action="MODIFIED"]').innerText(), /price: 20\.00 → 20\.50/);

  // cancel it
  await row.getByRole('button', { name: 'Cancel' }).click();
  await row.waitFor({ state: 'detached' });
  await audit.locator('tr[data-action="CANCELED"]').waitFor();
  assert.match(await text(tid('working-orders')), /no working orders/);
  const o = await rest('GET', '/orders/by-ref/' + ref);
  assert.equal(o.body.status, 'CANCELED');
  assert.equal(o.body.price, '20.50000000');
});

test('the kill switch is activated through the confirmation, refuses orders, and is released', async () => {
  const status = page.locator(tid('kill-switch-status'));
  await page.locator(tid('kill-toggle')).click();
  const dialog = page.locator(tid('kill-dialog'));
  await dialog.waitFor();
  // no reason: the dialog stays open and nothing is sent
  await page.locator(tid('kill-confirm')).click();
  assert.ok(await dialog.isVisible());
  assert.equal((await rest('GET', '/risk/kill-switch')).body.active, false);
  await page.locator(tid('kill-reason')).fill('end of test session');
  await page.locator(tid('kill-confirm')).click();
  await dialog.waitFor({ state: 'detached' });
  await until('status bar shows the kill switch active', async () => (await status.getAttribute('data-active')) === 'true');
  assert.match(await status.innerText(), /Kill switch ACTIVE/);
  assert.equal((await rest('GET', '/risk/kill-switch')).body.active, true);

  // an order now is refused: the rule is shown
  expectedErrors.push(/status of 422/);
  await placeLimitBuy('100', '25.00');
  const result = page.locator(tid('ticket-result'));
  await until('refusal shown', async () => (await result.getAttribute('data-rule')) === 'kill_switch');
  assert.equal(await text(tid('refusal-rule')), 'kill_switch');

  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-kill-switch.png') });

  // release it (the dialog asks for a reason again)
  await page.locator(tid('kill-toggle')).click();
  await dialog.waitFor();
  await page.locator(tid('kill-reason')).fill('resume trading');
  await page.locator(tid('kill-reason')).press('Enter');
  await dialog.waitFor({ state: 'detached' });
  await until('kill switch off', async () => (await status.getAttribute('data-active')) === 'false');
  assert.equal((await rest('GET', '/risk/kill-switch')).body.active, false);
});

test('a dropped stream reconnects and replays the events it missed (since)', async () => {
  const seq0 = Number(await page.locator(`${tid('last-seq')} .num`).innerText());
  // a stream client of the test's own: it sees what the page would see if it were connected
  const watcher = await new Client(base.replace(/^http/, 'ws') + '/api/v1/stream', { authorization: `Bearer ${token}` }).open();
  watcher.send({ op: 'subscribe', topics: ['orders'] });
  await watcher.wait((m) => m.type === 'subscribed');
  // drop the socket and hold the reconnect until the order below is committed, so that it
  // can only arrive by the replay of `since`
  await page.evaluate(() => window.__tradingsystem.stream.stop());
  await until('disconnected shown', async () => /disconnected/.test(await text(tid('stream-status'))));
  // an order placed by someone else while the page is not listening
  const o = await created('/orders', { order_ref: 'rest-while-away', account_id: acc.id, strategy_id: str.id,
    symbol: 'TEST4', side: 'SELL', order_type: 'LIMIT', quantity: '10', price: '70.00', position_type: 'SWING' });
  // before "the page does not show it" means anything: its event has been streamed (our
  // client got it), and the page has drawn itself since (its clock moved on)
  await watcher.wait((m) => m.type === 'OrderPlaced' && m.data.id === o.id);
  watcher.close();
  const clock = await text(tid('b3-clock'));
  await until('the page redraws (its clock moves on)', async () => (await text(tid('b3-clock'))) !== clock);
  assert.equal(await page.locator(`${tid('working-orders')} tr[data-order-id="${o.id}"]`).count(), 0);
  await page.evaluate(() => window.__tradingsystem.stream.start());
  await until('reconnected', async () => /Stream connected/.test(await text(tid('stream-status'))));
  const row = page.locator(`${tid('working-orders')} tr[data-order-id="${o.id}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /TEST4\s+SELL\s+LIMIT\s+10\s+0\s+70\.00/);
  assert.ok(Number(await page.locator(`${tid('last-seq')} .num`).innerText()) > seq0);
  await row.getByRole('button', { name: 'Cancel' }).click();
  await row.waitFor({ state: 'detached' });
});

test('screenshots at 1280x800 and 420x900', async () => {
  await ticks(['TEST4', '61.50', '100'], ['TEST3', '31.20', '100']);
  await page.setViewportSize({ width: 1280, height: 800 });
  const last = (sym) => page.locator(`${tid('market-watch')} tr[data-symbol="${sym}"] ${tid('last-price')}`).innerText();
  await until('the watch shows the new prints', async () => (await last('TEST4')) === '61.50' && (await last('TEST3')) === '31.20');
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png') });
  await page.setViewportSize({ width: 420, height: 900 });
  // one column: the ticket sits below the market watch, as wide as it
  await until('one column at 420 px', async () => {
    const w = await page.locator(tid('market-watch')).boundingBox();
    const t = await page.locator(tid('ticket')).boundingBox();
    if (t.y > w.y && Math.abs(t.x - w.x) < 2 && Math.abs(t.width - w.width) < 2) return true;
    throw new Error(JSON.stringify({ w, t }));
  });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scroll at 420 px (overflow ${overflow})`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-narrow.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('log out, then in again with a password', async () => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator(tid('logout')).click();
  allow401 = true;
  await page.locator(tid('login-form')).waitFor();
  assert.equal((await page.evaluate(() => fetch('/api/v1/orders').then((r) => r.status))), 401);
  execFileSync(BIN, ['user', 'passwd', 'admin'], { env: passwdEnv, input: 'correct horse battery\n' });
  await page.locator(tid('login-username')).fill('admin');
  await page.locator(tid('login-password')).fill('wrong password');
  await page.locator(tid('login-submit')).click();
  await until('the wrong password is said', async () => /wrong user name or password/.test(await text(tid('login-error'))));
  await page.locator(tid('login-password')).fill('correct horse battery');
  await page.locator(tid('login-submit')).click();
  await until('logged in again', async () => (await page.locator(tid('user-name')).count()) === 1 &&
    (await text(tid('user-name'))) === 'admin');
  await page.locator(tid('market-watch')).waitFor();
  allow401 = false;
});

test('no console errors and no page errors during the run', () => {
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(expectedErrors, [], 'every expected error was seen');
});
