// A test bridge for `serve --feed bridge:HOST:PORT` (docs/api.md "Feed bridge protocol"):
// listens on 127.0.0.1, speaks a script per connection and logs "connect N MS",
// "hangup N MS" and "close N MS" lines to EVENTS, so that the test can check the order
// of events (the backoff's timing is tests/unit/test_backoff.c's, with an injected clock).
//   1st connection: state, three trades, bad lines of every kind, book actions, an order.
//   2nd: resends the three trades and one new one (idempotency).
//   3rd and later: a state line.
// Each then stays open until the client leaves or the test says `GET /hangup/N` on the
// control port (plain HTTP): the bridge logs "hangup N" and then hangs up, so the line is
// in EVENTS before the client can see the hang-up (200; 404 for no open connection N).
// PORTFILE gets "BRIDGE_PORT CONTROL_PORT" once both listen.
// Usage: node server.mjs PORTFILE EVENTS
import net from 'node:net';
import http from 'node:http';
import fs from 'node:fs';

const [portFile, events] = process.argv.slice(2);
const t = (s) => `2026-11-27T13:00:0${s}.000Z`;
const trade = (id, price, qty, s) =>
  JSON.stringify({ type: 'TRADE', time: t(s), symbol: 'PETR4', price, quantity: qty, trade_id: id,
                   aggressor: id % 2 ? 'BUY' : 'SELL', buy_agent: 3, sell_agent: 72 });
const first = [
  JSON.stringify({ type: 'STATE', time: t(0), conn: 'MARKET_DATA', result: 'CONNECTED' }),
  trade(1, '38.45', 100, 1), trade(2, '38.46', 200, 2), trade(3, 38.47, 300, 3),
  '{"type":"TRADE",',                                             // not JSON
  Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),              // not UTF-8
  JSON.stringify({ type: 'HELLO', time: t(1) }),                  // unknown type
  '[1,2,3]',                                                      // not an object
  '{"type":"ORDER","x":NaN}',                    // json-c takes NaN, PostgreSQL does not
  '{"type":"ORDER","x":1e-99999}',               // nor a number numeric cannot hold
  JSON.stringify({ type: 'TRADE', time: t(4), symbol: 'PETR4', price: '-1', quantity: 100, trade_id: 9 }),
  JSON.stringify({ type: 'TRADE', time: t(4), symbol: 'ZZZZ9', price: '1', quantity: 100, trade_id: 9 }),
  JSON.stringify({ type: 'TRADE', time: t(4), symbol: 'PETR4', price: '1', quantity: '100000000000', trade_id: 9 }),
  JSON.stringify({ type: 'TRADE', time: 'yesterday', symbol: 'PETR4', price: '1', quantity: 100, trade_id: 9 }),
  `{"type":"TRADE","pad":"${'x'.repeat(1536 * 1024)}"}`,        // longer than 1 MiB: 25 bytes + the pad
  JSON.stringify({ type: 'PRICE_DEPTH', time: t(5), symbol: 'PETR4', action: 'FULL_BOOK',
                   bids: [{ price: '38.44', volume: '500' }, { price: '38.43', volume: '800' }],
                   asks: [{ price: '38.46', volume: '400' }, { price: '38.47', volume: '900' }] }),
  JSON.stringify({ type: 'PRICE_DEPTH', time: t(6), symbol: 'PETR4', action: 'ADD', side: 'BID',
                   position: 0, price: '38.45', volume: '100' }),
  JSON.stringify({ type: 'OFFER_BOOK', time: t(7), symbol: 'PETR4', action: 'EDIT', side: 'ASK',
                   position: 0, price: '38.46', volume: '1000' }),
  JSON.stringify({ type: 'PRICE_DEPTH', time: t(8), symbol: 'PETR4', action: 'DELETE', side: 'ASK',
                   position: 7 }),                                // no such level: FAILED
  JSON.stringify({ type: 'ORDER', time: t(9), order_id: 'X1', status: 'FILLED' }),
  '',
];
const second = [trade(1, '38.45', 100, 1), trade(2, '38.46', 200, 2), trade(3, 38.47, 300, 3),
                trade(4, '38.50', 100, 9)];
let n = 0;
const open = new Map(); // N -> its socket, while open
const log = (s) => fs.appendFileSync(events, `${s} ${Date.now()}\n`);
const server = net.createServer((sock) => {
  const k = ++n;
  log(`connect ${k}`);
  open.set(k, sock);
  sock.on('close', () => { open.delete(k); log(`close ${k}`); });
  sock.on('error', () => {});
  const lines = k === 1 ? first : k === 2 ? second
    : [JSON.stringify({ type: 'STATE', time: t(0), conn: 'ROUTING', result: `UP${k}` })];
  for (const l of lines) {
    sock.write(l);
    sock.write('\n');
  }
});
const control = http.createServer((req, res) => {
  const m = /^\/hangup\/([0-9]+)$/.exec(req.url);
  const sock = m && open.get(Number(m[1]));
  if (sock) {
    log(`hangup ${m[1]}`); // before the FIN: the client sees it after the line is written
    sock.end();
  }
  res.writeHead(sock ? 200 : 404).end();
});
server.listen(0, '127.0.0.1', () => control.listen(0, '127.0.0.1', () =>
  fs.writeFileSync(portFile, `${server.address().port} ${control.address().port}\n`)));
process.on('SIGTERM', () => process.exit(0));
