// The browser attacks of docs/security.md, made by a real Chromium the way a hostile page
// makes them, against a real `serve`: each must be refused and change nothing.
//   - a page of another origin sends "simple" requests (text/plain POST, no preflight) to
//     place an order and release the kill switch, and opens the order stream;
//   - DNS rebinding: a page of evil.example (whose name then resolves to 127.0.0.1, which
//     Chromium's --host-resolver-rules stands in for) reads the API as its own origin.
// Then our own page (the dashboard's origin) does the same and succeeds: the requests were
// valid, only their origin refused them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { chromium } from 'playwright-core';
import { Serve } from '../stream/lib.mjs';

const s = new Serve('ts-attacks-', 55453, { TS_SIM_RATE: '20' });
let browser, ctx, evil, evilPort, acc, str;

const order = (ref) => ({ order_ref: ref, account_id: acc, strategy_id: str, symbol: 'ATCK3', side: 'BUY',
  order_type: 'LIMIT', quantity: '1', price: '1.00', position_type: 'DAY_TRADE' });
const orders = () => s.sql('order_manager', 'SELECT order_ref FROM order_manager.orders ORDER BY order_ref');

before(async () => {
  await s.start();
  assert.equal((await s.http('POST', '/instruments', { symbol: 'ATCK3', asset_class: 'stock', name: 'Attack',
    lot_size: 1, tick_size: 0.01 })).status, 201);
  acc = (await s.http('POST', '/accounts', { name: 'Main', broker_account: '1' })).body.id;
  str = (await s.http('POST', '/strategies', { name: 'Desk', strategy_type: 'MANUAL', status: 'ACTIVE' })).body.id;
  assert.ok(acc && str);
  // the hostile site: any page on another origin (here another port of localhost)
  evil = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>cute cats</title>');
  });
  await new Promise((r) => evil.listen(0, '127.0.0.1', r));
  evilPort = evil.address().port;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // Chromium's own Local (formerly Private) Network Access check would stop the rebound page's
    // requests before they reach us (other browsers have none): off, so that the test shows what
    // the server does
    args: ['--no-sandbox', '--host-resolver-rules=MAP evil.example 127.0.0.1',
      '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights'] });
  // the trader is logged in to the dashboard in this browser while the hostile pages run
  ctx = await browser.newContext();
  const login = await ctx.newPage();
  await login.goto(s.loginUrl('tester'));
  assert.ok((await ctx.cookies()).some((c) => c.name === 'ts_session'), 'logged in');
  await login.close();
});

after(async () => {
  if (browser) await browser.close();
  if (evil) evil.close();
  assert.equal(await s.stop(), 0, 'serve exits 0');
});

test('a page of another origin cannot trade, release the kill switch, or stream, though the trader is logged in', async () => {
  assert.equal((await s.http('POST', '/risk/kill-switch', { active: true, reason: 'before the attack' })).status, 200);
  const page = await ctx.newPage();
  await page.goto(`http://localhost:${evilPort}/`);
  const api = s.api;
  const got = await page.evaluate(async ({ api, body }) => {
    const simple = (path, b) => fetch(api + path, { method: 'POST', mode: 'no-cors',
      headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(b) }).then(() => 'sent', (e) => String(e));
    const out = {};
    out.order = await simple('/orders', body);
    out.kill = await simple('/risk/kill-switch', { active: false, reason: 'evil' });
    // a form post, the oldest simple request there is
    out.form = await fetch(api + '/orders', { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ x: '1' }) })
      .then(() => 'sent', (e) => String(e));
    // reading the API cross-origin: CORS keeps the answer from the page
    out.read = await fetch(api + '/orders').then((r) => `read ${r.status}`, () => 'blocked');
    out.ws = await new Promise((resolve) => {
      const ws = new WebSocket(api.replace('http', 'ws') + '/stream');
      ws.onopen = () => { ws.close(); resolve('open'); };
      ws.onerror = () => resolve('refused');
    });
    return out;
  }, { api, body: order('evil-1') });
  await page.close();
  assert.equal(got.read, 'blocked', 'the page cannot read the orders');
  assert.equal(got.ws, 'refused', 'the page cannot open the stream');
  assert.deepEqual(orders(), [], 'no order was placed');
  const kill = await s.http('GET', '/risk/kill-switch');
  assert.equal(kill.body.active, true, 'the kill switch stays active');
  // the requests reached the server (the browser did send them) and were refused there
  assert.match(s.stderr, /refused POST \/api\/v1\/orders: a request that changes state from another site refused \(origin 'http:\/\/localhost:/);
  assert.match(s.stderr, /refused POST \/api\/v1\/risk\/kill-switch: a request that changes state from another site/);
  assert.match(s.stderr, /WebSocket upgrade refused: a WebSocket from another site refused \(origin 'http:\/\/localhost:/);
  assert.equal((await s.http('POST', '/risk/kill-switch', { active: false, reason: 'after the attack' })).status, 200);
});

test('DNS rebinding: a page of evil.example reads nothing and trades nothing', async () => {
  const page = await ctx.newPage();
  const origin = `http://evil.example:${s.port}`;
  // the attacker's page, served (as by its own server before the rebinding) under its name
  await page.route(`${origin}/`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
  await page.goto(`${origin}/`);
  const got = await page.evaluate(async (body) => {
    const read = await fetch('/api/v1/orders').then(async (r) => ({ status: r.status, text: await r.text() }));
    const place = await fetch('/api/v1/orders', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body) }).then((r) => r.status);
    const ws = await new Promise((resolve) => {
      const w = new WebSocket(location.origin.replace('http', 'ws') + '/api/v1/stream');
      w.onopen = () => { w.close(); resolve('open'); };
      w.onerror = () => resolve('refused');
    });
    return { read, place, ws };
  }, order('rebind-1'));
  await page.close();
  assert.equal(got.read.status, 421, 'the rebound name is not ours');
  assert.match(got.read.text, /"code":"misdirected_request"/);
  assert.doesNotMatch(got.read.text, /order_ref/);
  assert.equal(got.place, 421);
  assert.equal(got.ws, 'refused');
  assert.deepEqual(orders(), []);
});

test('our own page does the same and succeeds', async () => {
  const page = await ctx.newPage();
  await page.goto(`http://127.0.0.1:${s.port}/api/v1/health`);
  const got = await page.evaluate(async (body) => {
    const place = await fetch('/api/v1/orders', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body) }).then((r) => r.status);
    const read = await fetch('/api/v1/orders').then((r) => r.json());
    const ws = await new Promise((resolve) => {
      const w = new WebSocket(location.origin.replace('http', 'ws') + '/api/v1/stream');
      w.onopen = () => { w.close(); resolve('open'); };
      w.onerror = () => resolve('refused');
    });
    return { place, refs: read.map((o) => o.order_ref), ws };
  }, order('own-1'));
  await page.close();
  assert.equal(got.place, 201);
  assert.deepEqual(got.refs, ['own-1']);
  assert.equal(got.ws, 'open');
  assert.deepEqual(orders(), ['own-1']);
});
