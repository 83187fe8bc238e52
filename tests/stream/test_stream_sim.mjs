// The L2 books of the sim feed (docs/api.md "Feed", "Streams"): `book:SYMBOL` on the stream
// and the top-of-book snapshots in data_capture.order_book_snapshots, against a real
// `serve --feed sim` on loopback with its own cluster (test_stream.mjs runs without a feed).
// Run by ctest: TS_BIN=build/tradingsystem node --test tests/stream/test_stream_sim.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Serve, until } from './lib.mjs';

const srv = new Serve('ts-stream-sim-', 55440, { TS_SIM_RATE: '50' });
// the sim's tape, as docs/api.md "Feed" lists it
const SIM = ['PETR4', 'VALE3', 'ITUB4', 'BBDC4', 'ABEV3', 'B3SA3', 'BBAS3', 'WEGE3', 'RENT3', 'SUZB3',
  'PRIO3', 'MGLU3', 'WINZ26', 'WDOZ26'];
const LEVELS = 5; // the sim's book: 5 levels a side, a tick apart around the last trade

before(async () => {
  await srv.start(['--feed', 'sim']);
});

after(async () => {
  const code = await srv.stop();
  assert.equal(code, 0, `serve exited ${code}: ${srv.stderr.slice(-3000)}`);
  assert.doesNotMatch(srv.stderr, / ERROR /, 'serve logged no error');
});

const cents = (p) => Math.round(Number(p) * 100);

/** The shape the docs give a book, and its levels consistent with its best prices. */
function checkBook(symbol, tick, b) {
  assert.equal(b.symbol, symbol);
  assert.equal(typeof b.seq, 'number');
  assert.match(b.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(b.bids.length, LEVELS, `${symbol}: ${LEVELS} bid levels`);
  assert.equal(b.asks.length, LEVELS, `${symbol}: ${LEVELS} ask levels`);
  assert.equal(b.best_bid, b.bids[0].price);
  assert.equal(b.best_ask, b.asks[0].price);
  assert.equal(cents(b.spread), cents(b.best_ask) - cents(b.best_bid));
  for (let i = 1; i < LEVELS; i++) {
    assert.equal(cents(b.bids[i - 1].price) - cents(b.bids[i].price), tick, `${symbol}: bids a tick apart, best first`);
    assert.equal(cents(b.asks[i].price) - cents(b.asks[i - 1].price), tick, `${symbol}: asks a tick apart, best first`);
  }
  for (const l of [...b.bids, ...b.asks]) {
    assert.ok(Number(l.volume) > 0 && Number(l.volume) % 100 === 0, `${symbol}: volume ${l.volume} in lots of 100`);
  }
}

test('book:SYMBOL streams the sim\'s books with their levels, as GET /market/book answers', async () => {
  const c = await srv.client();
  c.send({ op: 'subscribe', topics: ['book:PETR4', 'book:VALE3'] });
  const ack = await c.wait((m) => m.type === 'subscribed');
  assert.deepEqual(ack.topics, ['book:PETR4', 'book:VALE3']);
  for (const sym of ['PETR4', 'VALE3']) {
    const m = await c.wait((x) => x.topic === `book:${sym}`, 30000);
    assert.equal(m.type, 'Book');
    checkBook(sym, 1, m.data);
  }
  // a later book of PETR4 replaces the first: the sim keeps trading
  const first = c.events('book:PETR4')[0];
  await c.wait((x) => x.topic === 'book:PETR4' && x.data.seq > first.data.seq, 30000);
  assert.ok(c.events('book:PETR4').every((m, i, a) => i === 0 || m.data.seq > a[i - 1].data.seq), 'newer books only');

  // with the feed stopped the book stays put: the stream's latest is the REST book
  assert.equal((await srv.http('POST', '/feed/stop')).status, 200);
  try {
    const rest = await until('the streamed PETR4 book to be the one GET /market/book answers', async () => {
      const r = await srv.http('GET', '/market/book/PETR4');
      assert.equal(r.status, 200);
      const last = c.events('book:PETR4').at(-1);
      return last.data.seq === r.body.seq && r.body;
    });
    assert.deepEqual(c.events('book:PETR4').at(-1).data, rest);
    assert.ok(c.msgs.every((m) => !m.topic || m.topic.startsWith('book:')), 'books only');
  } finally {
    assert.equal((await srv.http('POST', '/feed/start')).status, 200);
  }
  c.close();
});

test('order_book_snapshots gets the books of every sim symbol, the newest as the feed holds it', async () => {
  const list = SIM.map((s) => `'${s}'`).join(',');
  // rows appear for every symbol of the sim, each consistent with its levels
  const rows = await until('a book snapshot of every sim symbol', () => {
    const r = srv.sql('data_capture', `SELECT symbol, count(*), bool_and(best_bid = (bids->0->>'price')::numeric
        AND best_ask = (asks->0->>'price')::numeric AND spread = best_ask - best_bid
        AND jsonb_array_length(bids) = ${LEVELS} AND jsonb_array_length(asks) = ${LEVELS}
        AND total_bid_volume = (SELECT sum((l->>'volume')::numeric) FROM jsonb_array_elements(bids) l)
        AND total_ask_volume = (SELECT sum((l->>'volume')::numeric) FROM jsonb_array_elements(asks) l)
        AND source = 'feed' AND exchange = 'B3')
      FROM data_capture.order_book_snapshots WHERE symbol IN (${list}) GROUP BY symbol ORDER BY symbol`);
    return r.length === SIM.length && r;
  });
  for (const row of rows) {
    const [symbol, n, consistent] = row.split('|');
    assert.ok(Number(n) >= 1, `${symbol}: ${n} snapshots`);
    assert.equal(consistent, 't', `${symbol}: every snapshot consistent with its levels`);
  }
  assert.deepEqual(rows.map((r) => r.split('|')[0]), [...SIM].sort());

  // the feed stopped, its books stay put: the newest snapshot of each is the book it holds
  assert.equal((await srv.http('POST', '/feed/stop')).status, 200);
  try {
    for (const sym of ['PETR4', 'WINZ26']) {
      const want = await until(`the newest ${sym} snapshot to be GET /market/book/${sym}`, async () => {
        const r = await srv.http('GET', `/market/book/${sym}`);
        assert.equal(r.status, 200);
        const [row] = srv.sql('data_capture', `SELECT json_build_object('symbol', symbol, 'seq', seq,
            'best_bid', best_bid::text, 'best_ask', best_ask::text, 'spread', spread::text,
            'bids', bids, 'asks', asks)::text
          FROM data_capture.order_book_snapshots WHERE symbol = '${sym}' ORDER BY snapshot_time DESC, seq DESC LIMIT 1`);
        const got = JSON.parse(row);
        return got.seq === r.body.seq && { got, book: r.body };
      });
      const { time, ...book } = want.book;
      assert.ok(time, 'the book has a time');
      const norm = (ls) => ls.map((l) => ({ price: cents(l.price), volume: Number(l.volume) }));
      assert.deepEqual({ ...want.got, bids: norm(want.got.bids), asks: norm(want.got.asks) },
        { ...book, bids: norm(book.bids), asks: norm(book.asks) }, sym);
    }
  } finally {
    assert.equal((await srv.http('POST', '/feed/start')).status, 200);
  }
});
