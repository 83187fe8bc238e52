// Hostile input, measured (issue 15): a seeded generator of malformed HTTP against a real
// `serve` on loopback - methods, paths, %-escapes, headers, bodies, JSON, cut-off uploads,
// WebSocket frames - at least HOSTILE_N requests (default 12,000) within a time bound. It
// reports, and fails unless: no crash (the server answers health at the end and its log has
// no sanitizer report), no 5xx, and a digest of every table equal before and after (the
// refused requests changed nothing). Every state-changing request is built to be refused
// (a body broken on purpose, a role that may not, a missing credential); a 2xx to one of
// them is reported as a finding and fails the test.
//
//   HOSTILE_SEED=7 HOSTILE_N=50000 TS_BIN=build/tradingsystem node --test tests/hostile/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import crypto from 'node:crypto';
import { Serve } from '../stream/lib.mjs';

const SEED = Number(process.env.HOSTILE_SEED || 20261206);
const N = Number(process.env.HOSTILE_N || 12000);
const TIME_LIMIT_MS = Number(process.env.HOSTILE_MS || 120000);
const srv = new Serve('ts-hostile-', 55455);
let admin, viewer, acc, str, seedOrder;

// mulberry32: a small seeded PRNG, so that a failing run can be replayed by its seed
let state = SEED >>> 0;
function rnd() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];
const int = (n) => Math.floor(rnd() * n);

const paths = ['/api/v1/orders', '/api/v1/orders/{id}', '/api/v1/orders/by-ref/{s}', '/api/v1/orders/{id}/audit',
  '/api/v1/orders/{id}/cancel', '/api/v1/accounts', '/api/v1/accounts/{id}', '/api/v1/instruments',
  '/api/v1/instruments/{s}', '/api/v1/strategies', '/api/v1/strategies/{id}', '/api/v1/risk-limits',
  '/api/v1/risk-limits/{id}', '/api/v1/risk/kill-switch', '/api/v1/trades', '/api/v1/positions',
  '/api/v1/positions/{id}/history', '/api/v1/market/ticks', '/api/v1/market/bars', '/api/v1/market/book/{s}',
  '/api/v1/audit/orders', '/api/v1/audit/orders/rejected', '/api/v1/summaries/trades/daily', '/api/v1/feed',
  '/api/v1/feed/stop', '/api/v1/metrics', '/api/v1/session/end-of-day', '/api/v1/auth/login', '/api/v1/auth/me',
  '/api/v1/auth/logout', '/login', '/', '/assets/{s}', '/api/v1/health', '/api/v1/stream'];
const writes = [['POST', '/api/v1/orders'], ['POST', '/api/v1/orders'], ['PATCH', '/api/v1/orders/{order}'],
  ['POST', '/api/v1/orders/{order}/cancel'], ['PATCH', '/api/v1/orders/{id}'], ['POST', '/api/v1/accounts'],
  ['POST', '/api/v1/instruments'], ['PATCH', '/api/v1/instruments/HOST3'], ['POST', '/api/v1/strategies'],
  ['POST', '/api/v1/risk-limits'], ['POST', '/api/v1/risk/kill-switch'], ['POST', '/api/v1/market/ticks'],
  ['POST', '/api/v1/auth/login'], ['DELETE', '/api/v1/risk-limits/{id}']];
const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'get', 'G\tET', ''];
const weird = ['', '..', '%2e%2e', '%00', '%ff', '%', '%zz', "'; DROP TABLE order_manager.orders; --", 'ação',
  '\u{1F4A9}', 'a'.repeat(300), '01900000-0000-7000-8000-000000000001', 'NOT-A-UUID', '../../etc/passwd',
  '%2F', '?', '#', ';', '\\', 'PETR4', '-1', '1e309', 'null'];
const values = [null, true, false, 0, -1, 1e308, -1e308, 1.5e-300, 2 ** 63, '9'.repeat(400), '', ' ', 'x'.repeat(5000),
  '\u0000', '\ud800', 'ação', "' OR 1=1 --", '{"a":1}', [], [1, 2], {}, { nested: { deeper: [] } }, '1,5', '1.2.3',
  '-0', 'NaN', 'Infinity', '0x10', '1e2', '01', ' 1', '2026-13-45T99:99:99Z'];
const fields = ['order_ref', 'account_id', 'strategy_id', 'symbol', 'side', 'order_type', 'quantity', 'price',
  'stop_price', 'time_in_force', 'position_type', 'reason', 'metadata', 'name', 'broker_account', 'currency',
  'status', 'asset_class', 'lot_size', 'tick_size', 'active', 'limit_type', 'username', 'password', 'trade_id',
  'tick_time', 'volume', 'aggressor', 'unknown_field'];

// percent-encoding that survives a lone surrogate (sent as the bytes of one, which is not UTF-8)
const enc = (v) => { try { return encodeURIComponent(v); } catch { return '%ED%A0%80'; } };

function segment(p) {
  return p.replace('{id}', () => (rnd() < 0.5 ? crypto.randomUUID() : enc(pick(weird))))
    .replace('{s}', () => (rnd() < 0.5 ? enc(pick(weird)) : pick(weird).replace(/[\s#?]/g, '_')));
}

// A valid body, then broken on purpose: the request must be refused.
function brokenBody() {
  const order = { order_ref: `h-${int(1e9)}`, account_id: acc, strategy_id: str, symbol: 'HOST3', side: 'BUY',
    order_type: 'LIMIT', quantity: '1', price: '1.00', position_type: 'DAY_TRADE' };
  // a field no endpoint knows, always: read last (ts_json_finish), so every validator before it
  // still runs on the mutated fields, and the request is refused whatever the mutation did
  const o = { ...order, hostile_probe: pick(values) };
  const how = int(6);
  if (how === 0) o[pick(fields.filter((f) => f !== 'reason'))] = pick(values.filter((v) => typeof v !== 'string' || v.length < 2 || v === '\u0000')); // wrong type or value
  else if (how === 1) o.unknown_field = pick(values); // unknown field
  else if (how === 2) delete o[pick(Object.keys(order))]; // a required one missing
  const text = JSON.stringify(o);
  if (how === 3) return text.slice(0, int(text.length)); // cut
  if (how === 4) return text.replace(/"/g, pick(["'", '', '""', '\\'])); // not JSON
  if (how === 5) return Buffer.concat([Buffer.from(text.slice(0, 20)), crypto.randomBytes(int(64)), Buffer.from(text.slice(20))]);
  return text;
}

const CRLF = '\r\n';
// One request's bytes and what it is meant to be: { bytes, mutates } (mutates: a 2xx is a finding)
function request(port) {
  const kind = int(10);
  const host = `127.0.0.1:${port}`;
  const tok = pick([admin, admin, viewer, '', `ts_${'A'.repeat(43)}`, 'garbage']);
  const auth = tok ? `Authorization: Bearer ${tok}${CRLF}` : '';
  let method = pick(methods), path = segment(pick(paths));
  if (rnd() < 0.3) path += '?' + Array.from({ length: int(5) }, () => `${enc(pick(fields))}=${enc(String(pick(values)))}`).join('&');
  const mutates = !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
  let head = `${method} ${path} HTTP/1.1${CRLF}Host: ${host}${CRLF}${auth}`;
  let body = Buffer.alloc(0);
  switch (kind) {
    case 0: // protocol garbage
      return { bytes: crypto.randomBytes(1 + int(512)), mutates: false, close: true };
    case 1: // a broken request line or header block
      return { bytes: Buffer.from(pick([`${method} ${path}${CRLF}${CRLF}`, `GET / HTTP/9.9${CRLF}${CRLF}`,
        `GET ${'/a'.repeat(5000)} HTTP/1.1${CRLF}Host: ${host}${CRLF}${CRLF}`,
        `GET / HTTP/1.1${CRLF}Host: ${host}${CRLF}X: ${'y'.repeat(20000)}${CRLF}${CRLF}`,
        `GET / HTTP/1.1${CRLF}Host: ${host}${CRLF}Bad Header${CRLF}${CRLF}`,
        `POST /api/v1/orders HTTP/1.1${CRLF}Host: ${host}${CRLF}${auth}Content-Length: 5${CRLF}Content-Length: 50${CRLF}${CRLF}hello`,
        `POST /api/v1/orders HTTP/1.1${CRLF}Host: ${host}${CRLF}${auth}Transfer-Encoding: chunked${CRLF}Content-Type: application/json${CRLF}${CRLF}zz${CRLF}{}${CRLF}0${CRLF}${CRLF}`,
        `POST /api/v1/orders HTTP/1.1${CRLF}Host: ${host}${CRLF}${auth}Content-Length: -1${CRLF}${CRLF}`,
        `POST /api/v1/orders HTTP/1.1${CRLF}Host: ${host}${CRLF}${auth}Content-Length: 99999999999999999999${CRLF}${CRLF}`,
      ])), mutates: false, close: true };
    case 2: // a cut-off upload: more announced than sent
      head += `Content-Type: application/json${CRLF}Content-Length: ${100 + int(1000)}${CRLF}${CRLF}`;
      return { bytes: Buffer.concat([Buffer.from(head), Buffer.from(brokenBody()).subarray(0, 50)]), mutates, close: true };
    case 3: // a hostile Host or Origin
      head = `${method} ${path} HTTP/1.1${CRLF}Host: ${pick(['evil.example', '', 'localhost:0', '127.0.0.1:1\r\nX: y', 'a'.repeat(400)])}${CRLF}` +
        `Origin: ${pick(['https://evil.example', 'null', 'http://127.0.0.1:1'])}${CRLF}${auth}Content-Type: text/plain${CRLF}`;
      body = Buffer.from(brokenBody());
      break;
    case 4: // a WebSocket upgrade with junk
      head = `GET /api/v1/stream HTTP/1.1${CRLF}Host: ${host}${CRLF}${auth}Connection: Upgrade${CRLF}Upgrade: websocket${CRLF}` +
        `Sec-WebSocket-Version: ${pick(['13', '8', 'x'])}${CRLF}Sec-WebSocket-Key: ${pick(['dGhlIHNhbXBsZSBub25jZQ==', '', 'x'])}${CRLF}${CRLF}`;
      return { bytes: Buffer.concat([Buffer.from(head), wsJunk()]), mutates: false, close: true };
    default: // a JSON body broken on purpose, through the whole stack, to a route that takes one
      [method, path] = pick(writes);
      path = path.replace('{order}', seedOrder);
      path = segment(path);
      head = `${method} ${path} HTTP/1.1${CRLF}Host: ${host}${CRLF}${auth}`;
      body = Buffer.from(brokenBody());
      head += `Content-Type: ${rnd() < 0.85 ? 'application/json' : pick(['application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded'])}${CRLF}`;
      return { bytes: Buffer.concat([Buffer.from(head + `Content-Length: ${body.length}${CRLF}${CRLF}`), body]), mutates: true };
  }
  return { bytes: Buffer.concat([Buffer.from(head + `Content-Length: ${body.length}${CRLF}${CRLF}`), body]), mutates };
}

// WebSocket frames that break the rules: bad opcodes, unmasked, huge lengths, invalid UTF-8, junk.
function wsJunk() {
  const frames = [];
  for (let i = 0; i < 1 + int(4); i++) {
    const payload = rnd() < 0.5 ? crypto.randomBytes(int(200)) : Buffer.from(JSON.stringify({ op: pick(['subscribe', 'x', null]), topics: pick(values) }));
    const b0 = (rnd() < 0.8 ? 0x80 : 0) | pick([0x1, 0x2, 0x3, 0x8, 0x9, 0xa, 0xf, 0x0]);
    const masked = rnd() < 0.8;
    const len = rnd() < 0.1 ? 127 : Math.min(payload.length, 125);
    const hdr = [b0, (masked ? 0x80 : 0) | len];
    if (len === 127) hdr.push(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    const mask = crypto.randomBytes(4);
    frames.push(Buffer.from(hdr), masked ? mask : Buffer.alloc(0), payload.subarray(0, len === 127 ? payload.length : len));
  }
  return Buffer.concat(frames);
}

// Sends one request on a fresh connection; resolves the status (0: closed without one).
function send(port, r) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      sock.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve(m ? Number(m[1]) : 0);
    };
    sock.setTimeout(3000, finish);
    sock.on('data', (d) => { data += d.toString('latin1'); if (/\r\n\r\n/.test(data)) setTimeout(finish, 5); });
    sock.on('error', finish);
    sock.on('close', finish);
    sock.on('connect', () => { sock.write(r.bytes); if (r.close) setTimeout(() => sock.end(), 20); });
  });
}

// md5 of every table's rows of every module database (partitions through their parent).
function digest() {
  const out = {};
  for (const m of ['order_manager', 'data_capture', 'tp_capital', 'workspace', 'documentation']) {
    const tables = srv.sql(m, "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1");
    for (const t of tables) {
      // the bookkeeping that reads, logins and the maintenance loop write by design is left
      // out, by name: failed logins are recorded (auth_events), a credential's last use
      // (last_used_at), a rollup's watermark moves with the clock (rollup_watermarks,
      // refreshed_at)
      const ignore = { 'workspace.auth_events': true, 'order_manager.rollup_watermarks': true,
        'data_capture.rollup_watermarks': true };
      if (ignore[t]) continue;
      const [d] = srv.sql(m, `SELECT count(*) || ':' || coalesce(md5(string_agg(x, ',' ORDER BY x)), '') FROM (SELECT (to_jsonb(t) - 'last_used_at' - 'refreshed_at')::text AS x FROM ${t} t) s`);
      out[t] = d;
    }
  }
  return out;
}

before(async () => {
  await srv.start(['--feed', 'none']);
  admin = srv.token;
  viewer = srv.userToken('watcher', 'viewer');
  assert.equal((await srv.http('POST', '/instruments', { symbol: 'HOST3', asset_class: 'stock', name: 'Hostile', lot_size: 1, tick_size: 0.01 })).status, 201);
  acc = (await srv.http('POST', '/accounts', { name: 'Main', broker_account: '1' })).body.id;
  str = (await srv.http('POST', '/strategies', { name: 'Desk', strategy_type: 'MANUAL', status: 'ACTIVE' })).body.id;
  assert.ok(acc && str);
  const seed = await srv.http('POST', '/orders', { order_ref: 'seed-1', account_id: acc, strategy_id: str, symbol: 'HOST3',
    side: 'BUY', order_type: 'LIMIT', quantity: '1', price: '1.00', position_type: 'DAY_TRADE' });
  assert.equal(seed.status, 201);
  seedOrder = seed.body.id;
});

after(async () => { assert.equal(await srv.stop(), 0, 'serve exits 0'); });

test(`${N} hostile requests (seed ${SEED}): no crash, no 5xx, nothing changed`, async () => {
  const before = digest();
  const t0 = Date.now();
  const counts = {};
  const fives = [], findings = [];
  let sent = 0;
  const CONC = 8;
  const worker = async () => {
    while (sent < N && Date.now() - t0 < TIME_LIMIT_MS) {
      const r = request(srv.port);
      sent++;
      const status = await send(srv.port, r);
      counts[status] = (counts[status] || 0) + 1;
      if (status >= 500) fives.push({ status, req: r.bytes.subarray(0, 300).toString('latin1') });
      if (r.mutates && status >= 200 && status < 300) findings.push({ status, req: r.bytes.subarray(0, 400).toString('latin1') });
    }
  };
  await Promise.all(Array.from({ length: CONC }, worker));
  const ms = Date.now() - t0;
  const health = await fetch(`${srv.api}/health`).then((r) => r.status, () => 0);
  const after = digest();
  const changed = Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
  const crashed = srv.proc.exitCode !== null || /AddressSanitizer|runtime error:|LeakSanitizer/.test(srv.stderr);
  console.log(`# hostile: ${sent} requests in ${ms} ms (seed ${SEED}); answers ${JSON.stringify(counts)} (0: closed without an answer);` +
    ` crashes ${crashed ? 1 : 0}, 5xx ${fives.length}, state-changing 2xx ${findings.length}, tables changed ${changed.length} of ${Object.keys(before).length}`);
  assert.ok(sent >= N, `sent ${sent} of ${N} within ${TIME_LIMIT_MS} ms`);
  assert.equal(crashed, false, srv.stderr.slice(-3000));
  assert.equal(health, 200, 'the server still answers');
  assert.deepEqual(fives.slice(0, 5), [], '5xx answers (the first 5)');
  assert.deepEqual(findings.slice(0, 5), [], 'a request built to be refused was accepted (the first 5)');
  assert.deepEqual(changed, [], 'tables whose rows changed');
});
