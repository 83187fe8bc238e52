// orders.mjs - the order path probe of bench/stream: one client, POST /api/v1/orders one
// after the other (a LIMIT BUY 1 @ 1.00, a new order_ref each), from start until end.
//
// usage: node orders.mjs --url=http://127.0.0.1:PORT/api/v1 --account=UUID --strategy=UUID
//          --symbol=BEN0 --ref=PREFIX --start=EPOCH_MS --end=EPOCH_MS
//
// Every answer must be 201. Prints one line of key=value: orders, per second, latency
// p50/p99/mean/max (ms, request sent to answer read, keep-alive connection).
import http from 'node:http';
import { args, fail, nowMs, post, quantile, report, Samples, sleepUntil } from './common.mjs';

const a = args(['url', 'account', 'strategy', 'symbol', 'ref', 'start', 'end']);
const START = +a.start;
const END = +a.end;
const url = `${a.url}/orders`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const lat = new Samples();

await sleepUntil(START);
let n = 0;
let sum = 0;
while (nowMs() < END) {
    const body = JSON.stringify({
        order_ref: `${a.ref}-${n}`,
        account_id: a.account,
        strategy_id: a.strategy,
        symbol: a.symbol,
        side: 'BUY',
        order_type: 'LIMIT',
        quantity: '1',
        price: '1.00',
        position_type: 'DAY_TRADE',
    });
    const r = await post(agent, url, body).catch((e) => fail(`POST /orders: ${e.message}`));
    if (r.status !== 201) fail(`POST /orders answered ${r.status}: ${r.body.slice(0, 300)}`);
    lat.push(r.ms);
    sum += r.ms;
    n++;
}
agent.destroy();
const s = lat.sorted();
report({
    orders: n,
    per_s: n / ((END - START) / 1000),
    p50: quantile(s, 0.5),
    p99: quantile(s, 0.99),
    mean: n ? sum / n : NaN,
    max: n ? s[n - 1] : NaN,
});
