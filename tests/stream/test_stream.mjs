// Live streams (docs/api.md "Streams") against a real `serve` on loopback with its own
// cluster: event topics in seq order from the order manager's outbox, replay with `since`,
// `since` older than what the server holds, unsubscribe, the risk and signals topics,
// conflated market topics, and bad input on the socket. The book topic and the book
// snapshots need the sim feed: test_stream_sim.mjs.
// Run by ctest: TS_BIN=build/tradingsystem node --test tests/stream/test_stream.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import WebSocket from 'ws';
import { BIN, Serve } from './lib.mjs';

const RING = 64;
const srv = new Serve('ts-stream-', 55438, { TS_STREAM_RING: String(RING), TS_BARS_REFRESH_MS: '300' });
const http = (method, p, body) => srv.http(method, p, body);
const client = () => srv.client();

let acc, strat;

let refNo = 0;
async function placeOrder(symbol = 'PETR4', price = '1.00') {
  const r = await http('POST', '/orders', { order_ref: `s-${++refNo}`, account_id: acc, strategy_id: strat,
    symbol, side: 'BUY', order_type: 'LIMIT', quantity: '1', price, position_type: 'DAY_TRADE' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

let tradeId = 1000;
function ticks(symbol, prices) {
  const t = Date.now();
  return prices.map((p, i) => ({ symbol, price: p, volume: '100', aggressor: 'BUY',
    tick_time: new Date(t + i).toISOString(), trade_id: ++tradeId }));
}

async function instrument(symbol) {
  const r = await http('POST', '/instruments', { symbol, asset_class: 'stock', name: symbol, lot_size: 1, tick_size: 0.01 });
  assert.equal(r.status, 201, `serve refused ${symbol}: ${JSON.stringify(r.body)} ${srv.stderr.slice(-2000)}`);
}

before(async () => {
  await srv.start();
  for (const sym of ['PETR4', 'VALE3']) await instrument(sym);
  acc = (await http('POST', '/accounts', { name: 'stream', broker_account: 'S-1' })).body.id;
  strat = (await http('POST', '/strategies', { name: 'stream', strategy_type: 'MANUAL', status: 'ACTIVE' })).body.id;
});

after(async () => {
  const code = await srv.stop();
  // under the sanitizers a leak or UB report makes the exit status non-zero
  assert.equal(code, 0, `serve exited ${code}: ${srv.stderr.slice(-3000)}`);
  assert.doesNotMatch(srv.stderr, / ERROR /, 'serve logged no error');
});

test('subscribe is acknowledged with the topics and the newest seq', async () => {
  const c = await client();
  c.send({ op: 'subscribe', topics: ['orders', 'ticks:PETR4'] });
  const ack = await c.wait((m) => m.type === 'subscribed');
  assert.deepEqual(ack.topics, ['orders', 'ticks:PETR4']);
  assert.equal(typeof ack.seq, 'number');
  c.send({ op: 'ping' });
  await c.wait((m) => m.type === 'pong');
  c.close();
});

test('the order manager\'s changes arrive in seq order, with their data', async () => {
  const c = await client();
  c.send({ op: 'subscribe', topics: ['orders', 'trades', 'positions'] });
  await c.wait((m) => m.type === 'subscribed');
  const o = await placeOrder('PETR4', '30.00');
  const placed = await c.wait((m) => m.type === 'OrderPlaced' && m.data.id === o.id);
  assert.equal(placed.topic, 'orders');
  assert.equal(placed.data.price, '30.00000000');
  assert.match(placed.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const r = await http('POST', '/market/ticks', ticks('PETR4', ['30.00']));
  assert.equal(r.body.fills, 1);
  const pos = await c.wait((m) => m.type === 'PositionOpened');
  assert.equal(pos.data.quantity, '1.00000000');
  const types = c.msgs.filter((m) => m.seq !== undefined).map((m) => m.type);
  assert.deepEqual(types.slice(-4), ['OrderPlaced', 'TradeExecuted', 'OrderFilled', 'PositionOpened']);
  const seqs = c.msgs.filter((m) => m.seq !== undefined && m.topic).map((m) => m.seq);
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `seq ${seqs[i]} after ${seqs[i - 1]}`);
  c.close();
});

test('a client that reconnects with since gets what it missed, in order, then live', async () => {
  const a = await client();
  a.send({ op: 'subscribe', topics: ['orders'] });
  await a.wait((m) => m.type === 'subscribed');
  const first = await placeOrder();
  const seen = await a.wait((m) => m.data && m.data.id === first.id);
  a.close();
  await a.closed;
  const missed = [await placeOrder(), await placeOrder(), await placeOrder()];
  const b = await client();
  b.send({ op: 'subscribe', topics: ['orders'], since: seen.seq });
  await b.wait((m) => m.data && m.data.id === missed[2].id);
  const live = await placeOrder();
  await b.wait((m) => m.data && m.data.id === live.id);
  const got = b.events('orders');
  assert.deepEqual(got.map((m) => m.data.id), [...missed, live].map((o) => o.id));
  assert.ok(got.every((m, i) => i === 0 || m.seq > got[i - 1].seq), 'increasing seq');
  assert.ok(got[0].seq > seen.seq);
  b.close();
});

test('since older than the events the server holds is refused with since_too_old', async () => {
  // the ring holds RING events: push it past the first ones
  for (let i = 0; i < RING + 4; i += 8) await Promise.all(Array.from({ length: 8 }, () => placeOrder()));
  const c = await client();
  c.send({ op: 'subscribe', topics: ['orders'], since: 0 });
  const e = await c.wait((m) => m.type === 'error');
  assert.equal(e.code, 'since_too_old');
  c.send({ op: 'subscribe', topics: ['orders'] });
  await c.wait((m) => m.type === 'subscribed');
  c.close();
});

test('after unsubscribe no more messages of those topics arrive; the others go on', async () => {
  await instrument('UNSB3');
  await instrument('UNSC3');
  const c = await client();
  c.send({ op: 'subscribe', topics: ['orders', 'trades', 'ticks:UNSB3', 'ticks:UNSC3'] });
  await c.wait((m) => m.type === 'subscribed');
  // both kinds of subscription are live
  const o1 = await placeOrder('UNSB3', '9.00');
  await c.wait((m) => m.type === 'OrderPlaced' && m.data.id === o1.id);
  const [t1] = ticks('UNSB3', ['11.00']);
  assert.equal((await http('POST', '/market/ticks', [t1])).body.stored, 1);
  await c.wait((m) => m.topic === 'ticks:UNSB3' && m.data.trade_id === t1.trade_id);

  c.send({ op: 'unsubscribe', topics: ['orders', 'ticks:UNSB3'] });
  const un = await c.wait((m) => m.type === 'unsubscribed');
  assert.deepEqual(un.topics, ['trades', 'ticks:UNSC3'], 'what remains');
  assert.equal(typeof un.seq, 'number');

  // An order placed and filled: its OrderPlaced and OrderFilled (orders) are committed around
  // its TradeExecuted (trades), and events reach a client in seq order, so once the trade is
  // here an OrderPlaced of a still-subscribed `orders` would be here too. Then a tick of
  // UNSB3 and, after it, one of UNSC3: market values reach a client in the order published.
  const o2 = await placeOrder('UNSB3', '10.00');
  const [t2] = ticks('UNSB3', ['10.00']);
  assert.equal((await http('POST', '/market/ticks', [t2])).body.fills, 1, 'o2 fills, o1 (9.00) does not');
  const [t3] = ticks('UNSC3', ['5.00']);
  assert.equal((await http('POST', '/market/ticks', [t3])).body.stored, 1);
  await c.wait((m) => m.type === 'TradeExecuted' && m.data.order_id === o2.id);
  await c.wait((m) => m.topic === 'ticks:UNSC3' && m.data.trade_id === t3.trade_id);
  const since = c.after(un);
  assert.deepEqual(since.filter((m) => m.topic === 'orders' || m.topic === 'ticks:UNSB3'), [],
    'nothing of the unsubscribed topics');
  assert.deepEqual(since.map((m) => m.topic).sort(), ['ticks:UNSC3', 'trades']);

  // unsubscribing the rest leaves nothing, and the connection is still usable
  c.send({ op: 'unsubscribe', topics: ['trades', 'ticks:UNSC3'] });
  const none = await c.wait((m) => m.type === 'unsubscribed' && m !== un);
  assert.deepEqual(none.topics, []);
  c.send({ op: 'ping' });
  await c.wait((m) => m.type === 'pong');
  c.close();
});

// Nothing produces signals yet (docs/api.md: "signals: none yet"): the topic is accepted and
// acknowledged, and nothing arrives on it before a positive event on the same connection.
test('the signals topic is accepted and delivers nothing before a later event', async () => {
  const c = await client();
  c.send({ op: 'subscribe', topics: ['signals'] });
  const ack = await c.wait((m) => m.type === 'subscribed');
  assert.deepEqual(ack.topics, ['signals']);
  c.send({ op: 'subscribe', topics: ['orders'] });
  const ack2 = await c.wait((m) => m.type === 'subscribed' && m !== ack);
  assert.deepEqual(ack2.topics, ['orders', 'signals'], 'both, in the server\'s order');
  // events reach a client in seq order: once this order's event is here, any signal committed
  // before it would be here too
  const o = await placeOrder();
  await c.wait((m) => m.type === 'OrderPlaced' && m.data.id === o.id);
  assert.deepEqual(c.msgs.filter((m) => m.topic === 'signals'), []);
  assert.deepEqual(c.msgs.filter((m) => m.topic).map((m) => m.type), ['OrderPlaced']);
  c.close();
});

// What a client that reads nothing can still be sent: the bytes the kernel and Node buffer
// between the server and the test's 'message' handler. The server's send buffer is fixed at
// 128 KiB (docs/api.md "Streams"; src/api/http_ws.c), which Linux doubles for its bookkeeping;
// our receive buffer starts at tcp_rmem's default and grows only as the application reads;
// a paused Node socket stops reading once its stream buffer (highWaterMark) is full, plus one
// read of at most 64 KiB in progress.
function bytesHeldForAPausedClient() {
  const rmem = Number(fs.readFileSync('/proc/sys/net/ipv4/tcp_rmem', 'utf8').split(/\s+/)[1]);
  assert.ok(rmem > 0, 'tcp_rmem read');
  return 2 * 128 * 1024 + rmem + 64 * 1024 + 64 * 1024;
}

test('market topics are conflated: a slow client gets the latest value, not every value', async () => {
  const c = await client();
  c.send({ op: 'subscribe', topics: ['ticks:VALE3'] });
  await c.wait((m) => m.type === 'subscribed');
  c.ws._socket.pause(); // a client that does not read
  const N = 4000, BATCHES = 4;
  let last;
  for (let b = 0; b < BATCHES; b++) {
    const batch = ticks('VALE3', Array.from({ length: N }, (_, i) => `${60 + b}.${String(i % 100).padStart(2, '0')}`));
    last = batch[batch.length - 1];
    const r = await http('POST', '/market/ticks', batch);
    assert.equal(r.body.stored, N);
  }
  c.ws._socket.resume();
  const m = await c.wait((x) => x.topic === 'ticks:VALE3' && x.data.trade_id === last.trade_id);
  assert.equal(m.data.price, `${last.price}000000`);
  const got = c.events('ticks:VALE3');
  // Every message is at least its JSON plus a 2-byte frame header, so the buffers hold at most
  // `held / smallest` of them; what the server sends once we read again is the latest value of
  // the topic (a few, if the last batch's values were still being handed to the loop). A
  // server that queued every value would send all BATCHES * N.
  const smallest = Math.min(...got.map((x) => Buffer.byteLength(JSON.stringify(x)) + 2));
  const bound = Math.ceil(bytesHeldForAPausedClient() / smallest) + 16;
  assert.ok(bound < BATCHES * N / 4, `the bound (${bound}) is far below the ${BATCHES * N} values published`);
  assert.ok(got.length <= bound, `conflated: ${got.length} messages for ${BATCHES * N} ticks (at most ${bound})`);
  // what arrived is in the order published
  const ids = got.map((x) => x.data.trade_id);
  assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]), 'in the order published');
  c.close();
});

test('a client too slow for event topics is closed; trading and other clients go on', async () => {
  const slow = await client();
  slow.send({ op: 'subscribe', topics: ['orders'] });
  await slow.wait((m) => m.type === 'subscribed');
  slow.ws._socket.pause(); // reads nothing: its socket buffers fill, the ring overtakes it
  const fast = await client();
  fast.send({ op: 'subscribe', topics: ['orders'] });
  await fast.wait((m) => m.type === 'subscribed');
  const N = 1600; // about 700 KB of events: more than the socket buffers hold
  let last;
  for (let i = 0; i < N; i += 16) {
    const batch = await Promise.all(Array.from({ length: 16 }, () => placeOrder()));
    last = batch[batch.length - 1];
  }
  // the fast client saw every order, the slow one is closed
  await fast.wait((m) => m.data && m.data.id === last.id, 15000);
  slow.ws._socket.resume();
  let timer;
  const closed = await Promise.race([slow.closed, new Promise((r) => { timer = setTimeout(() => r(null), 30000); })]);
  clearTimeout(timer);
  assert.ok(closed, `the slow client was closed by the server (it got ${slow.events('orders').length} of ${N})`);
  assert.ok([1008, 1006].includes(closed.code), `close code ${closed.code} ${closed.reason}`);
  assert.ok(slow.events('orders').length < N, `slow client got ${slow.events('orders').length} of ${N}`);
  fast.close();
});

test('the status topic: database, order manager, kill switch, feed; the latest on subscribe', async () => {
  // (the kill switch below cancels every order of the earlier tests: far more events than the
  // ring holds, none of them on this client's topics, so it must not be closed as too slow)
  const c = await client();
  c.send({ op: 'subscribe', topics: ['status'] });
  const ack = await c.wait((m) => m.type === 'subscribed');
  assert.deepEqual(ack.topics, ['status']);
  const st = await c.wait((m) => m.topic === 'status' && m.type === 'Status');
  assert.equal(st.data.database, 'up');
  assert.equal(st.data.order_manager, 'running');
  assert.equal(st.data.kill_switch, false);
  assert.equal(st.data.feed.feed, 'none');
  let r = await http('POST', '/risk/kill-switch', { active: true, reason: 'status test' });
  assert.equal(r.status, 200);
  await c.wait((m) => m.type === 'Status' && m.data.kill_switch === true);
  r = await http('POST', '/risk/kill-switch', { active: false, reason: 'status test done' });
  assert.equal(r.status, 200);
  await c.wait((m) => m.type === 'Status' && m.data.kill_switch === false && c.msgs.indexOf(m) > c.msgs.findIndex((x) => x.data && x.data.kill_switch === true));
  c.close();
});

test('the risk topic: a risk refusal and the kill switch, each with its data', async () => {
  // (after the status test: activating the kill switch cancels every working order)
  await instrument('RISK3');
  const lim = await http('POST', '/risk-limits', { limit_type: 'SYMBOL', symbol: 'RISK3', max_order_value: '100.00' });
  assert.equal(lim.status, 201, JSON.stringify(lim.body));
  const c = await client();
  c.send({ op: 'subscribe', topics: ['risk'] });
  await c.wait((m) => m.type === 'subscribed');
  const order = (symbol, price) => http('POST', '/orders', { order_ref: `risk-${++refNo}`, account_id: acc,
    strategy_id: strat, symbol, side: 'BUY', order_type: 'LIMIT', quantity: '1', price, position_type: 'DAY_TRADE' });

  let r = await order('RISK3', '101.00');
  assert.equal(r.status, 422, JSON.stringify(r.body));
  const refused = r.body.error;
  const breach = await c.wait((m) => m.type === 'RiskLimitBreached' && m.data.order_id === refused.details.order_id);
  assert.equal(breach.topic, 'risk');
  assert.deepEqual(breach.data, { order_id: refused.details.order_id, rule: 'max_order_value',
    limit: '100.00000000', value: '101.00000000', message: refused.message });

  r = await http('POST', '/risk/kill-switch', { active: true, reason: 'risk topic test' });
  assert.equal(r.status, 200);
  const on = await c.wait((m) => m.type === 'KillSwitchActivated' && m.data.reason === 'risk topic test');
  assert.deepEqual(on.data, r.body);
  assert.equal(on.data.reason, 'risk topic test');
  r = await order('PETR4', '1.00');
  assert.equal(r.status, 422, JSON.stringify(r.body));
  const ks = await c.wait((m) => m.type === 'RiskLimitBreached' && m.data.order_id === r.body.error.details.order_id);
  assert.equal(ks.data.rule, 'kill_switch');
  r = await http('POST', '/risk/kill-switch', { active: false, reason: 'risk topic test done' });
  assert.equal(r.status, 200);
  const off = await c.wait((m) => m.type === 'KillSwitchReleased' && m.data.reason === 'risk topic test done');
  assert.deepEqual(off.data, r.body);

  // exactly these, in seq order, and nothing of other topics. A subscription is live from
  // the ring's end: under load the status test's last event may still reach the ring after
  // it, so what counts is what came from this test's first event on.
  const got = c.msgs.filter((m) => m.topic && !(m.topic === 'risk' && m.seq < breach.seq));
  assert.deepEqual(got.map((m) => m.type), ['RiskLimitBreached', 'KillSwitchActivated', 'RiskLimitBreached', 'KillSwitchReleased']);
  assert.ok(got.every((m, i) => m.topic === 'risk' && (i === 0 || m.seq > got[i - 1].seq)), 'risk events in seq order');
  c.close();
});

// The 1-minute bar of ticks, computed here from what is sent: prices as cents.
function barOf(sent) {
  const cents = (p) => Math.round(Number(p) * 100);
  const dec = (c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}000000`;
  const byTime = [...sent].sort((a, b) => Date.parse(a.tick_time) - Date.parse(b.tick_time));
  const p = byTime.map((t) => cents(t.price));
  return { open: dec(p[0]), high: dec(Math.max(...p)), low: dec(Math.min(...p)), close: dec(p[p.length - 1]),
    volume: `${sent.reduce((v, t) => v + Number(t.volume), 0)}.00000000`, trade_count: sent.length };
}

test('bars:SYMBOL:1m pushes the previous and the current 1-minute bar', async () => {
  // a symbol of its own: other tests' ticks would share the minute
  await instrument('BARS4');
  const c = await client();
  c.send({ op: 'subscribe', topics: ['bars:BARS4:1m'] });
  await c.wait((m) => m.type === 'subscribed');
  // every tick in one known minute, the current one: stamped from its start (so none is in
  // the future), it stays the current or the previous bar for at least a minute
  const minute = Math.floor(Date.now() / 60000) * 60000;
  const sent = ['71.10', '71.90', '70.50', '71.25'].map((p, i) => ({
    symbol: 'BARS4', price: p, volume: String(10 + i), aggressor: 'BUY',
    tick_time: new Date(minute + i).toISOString(), trade_id: 9000000 + i }));
  const r = await http('POST', '/market/ticks', sent);
  assert.equal(r.body.stored, 4);
  const bucket = new Date(minute).toISOString().replace('.000Z', 'Z');
  const m = await c.wait((x) => x.topic === 'bars:BARS4:1m' && x.type === 'Bars' &&
    x.data.some((b) => b.bucket === bucket), 15000);
  assert.ok(m.data.length >= 1 && m.data.length <= 2, `previous and current bar: ${JSON.stringify(m.data)}`);
  const bar = m.data.find((b) => b.bucket === bucket);
  assert.deepEqual(bar, { bucket, ...barOf(sent) });
  c.close();
});

test('bad input on the socket gets an error message, and the connection stays usable', async () => {
  const c = await client();
  const cases = [
    ['not json', 'invalid_message'],
    ['[1,2]', 'invalid_message'],
    [{ op: 'dance' }, 'invalid_message'],
    [{ op: 'subscribe', topics: 'orders' }, 'invalid_message'],
    [{ op: 'subscribe', topics: ['orders'], extra: 1 }, 'invalid_message'],
    [{ op: 'subscribe', topics: ['orders'], since: -1 }, 'invalid_message'],
    [{ op: 'subscribe', topics: ['orders', 'ticks:petr4'] }, 'invalid_topic'],
    [{ op: 'subscribe', topics: ["orders'; DROP TABLE x;--"] }, 'invalid_topic'],
    [{ op: 'subscribe', topics: ['bars:PETR4:7m'] }, 'invalid_topic'],
    [{ op: 'subscribe', topics: ['bars:PETR4:5m'] }, 'invalid_topic'],
  ];
  for (const [msg, code] of cases) {
    const before = c.msgs.length;
    c.send(msg);
    const e = await c.wait((m) => m.type === 'error' && c.msgs.indexOf(m) >= before);
    assert.equal(e.code, code, `${JSON.stringify(msg)}: ${e.message}`);
  }
  c.send({ op: 'subscribe', topics: ['trades'] });
  const ack = await c.wait((m) => m.type === 'subscribed');
  assert.deepEqual(ack.topics, ['trades'], 'the refused subscriptions added nothing');
  c.close();
});

test('a huge frame or a binary frame closes the connection with a reason', async () => {
  const big = await client();
  big.send('{"op":"ping","pad":"' + 'x'.repeat(100 * 1024) + '"}');
  assert.equal((await big.closed).code, 1009);
  const bin = await client();
  bin.ws.send(Buffer.from([1, 2, 3]), { binary: true });
  assert.equal((await bin.closed).code, 1003);
  const ok = await client(); // the server is fine
  ok.send({ op: 'ping' });
  await ok.wait((m) => m.type === 'pong');
  ok.close();
});

// How an upgrade attempt ends: 'open', or the HTTP status the server answered, or the
// socket error (code) when it hung up without an answer.
function upgrade(url, headers = srv.auth()) {
  return new Promise((res) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => { ws.close(); res({ open: true }); });
    ws.on('unexpected-response', (req, r) => { res({ status: r.statusCode }); req.destroy(); });
    ws.on('error', (e) => res({ error: e.code || e.message }));
  });
}

test('a user granted one account gets only that account\'s order events', async () => {
  const other = (await http('POST', '/accounts', { name: 'stream-other', broker_account: 'S-2' })).body.id;
  // rosa is granted acc alone, made with the CLI as an admin would
  const only = execFileSync(BIN, ['user', 'add', 'rosa', '--role', 'viewer', '--accounts', acc],
    { env: srv.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const mine = await srv.client(only), all = await client();
  for (const c of [mine, all]) {
    c.send({ op: 'subscribe', topics: ['orders'] });
    await c.wait((m) => m.type === 'subscribed');
  }
  const theirs = await http('POST', '/orders', { order_ref: `s-${++refNo}`, account_id: other, strategy_id: strat,
    symbol: 'PETR4', side: 'BUY', order_type: 'LIMIT', quantity: '1', price: '1.00', position_type: 'DAY_TRADE' });
  assert.equal(theirs.status, 201);
  const ours = await placeOrder('PETR4', '1.00');
  const seen = await all.wait((m) => m.type === 'OrderPlaced' && m.data.id === theirs.body.id);
  assert.equal(seen.data.account_id, other, 'events name their account (what the filter reads)');
  await all.wait((m) => m.type === 'OrderPlaced' && m.data.id === ours.id);
  await mine.wait((m) => m.type === 'OrderPlaced' && m.data.id === ours.id); // after theirs in seq
  assert.equal(mine.msgs.filter((m) => m.data && m.data.account_id === other).length, 0,
    'no event of an account not granted');
  mine.close();
  all.close();
});

test('the stream needs credentials, a viewer\'s will do', async () => {
  assert.deepEqual(await upgrade(srv.wsUrl, {}), { status: 401 });
  assert.deepEqual(await upgrade(srv.wsUrl, { authorization: `Bearer ts_${'x'.repeat(43)}` }), { status: 401 });
  assert.deepEqual(await upgrade(srv.wsUrl, { cookie: `ts_session=${srv.token}` }), { status: 401 },
    'an API token is not a session cookie');
  assert.deepEqual(await upgrade(srv.wsUrl, srv.auth(srv.userToken('watcher', 'viewer'))), { open: true });
});

test('only /api/v1/stream upgrades', async () => {
  const base = srv.wsUrl.replace(/\/api\/v1\/stream$/, '');
  // the server is there and upgrades its stream path (so a refusal below is the server's)
  assert.deepEqual(await upgrade(srv.wsUrl), { open: true });
  for (const p of ['/api/v1/orders', '/api/v1/streams', '/api/v1/stream/x', '/']) {
    // the server accepts the connection, reads the request and closes it without upgrading
    // (libwebsockets refuses the protocol in its filter): a hang-up, not a refused connection
    assert.deepEqual(await upgrade(base + p), { error: 'ECONNRESET' }, `upgrade on ${p}`);
  }
  assert.equal((await http('GET', '/orders?limit=1')).status, 200, 'the path is served over plain HTTP');
  assert.deepEqual(await upgrade(srv.wsUrl), { open: true }, 'and the server still upgrades its stream path');
});
