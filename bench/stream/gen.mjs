// gen.mjs - the load generator of bench/stream: POST /api/v1/market/ticks as fast as the
// server answers, with INFLIGHT requests outstanding, BATCH ticks each.
//
// usage: node gen.mjs --url=http://127.0.0.1:PORT/api/v1 --symbols=BEN0,... --start=EPOCH_MS
//          --end=EPOCH_MS --trade_id=FIRST [--inflight=4] [--batch=1000]
//
// Waits until start, then each of INFLIGHT loops builds a batch and posts it, until end
// (a batch sent before end is still awaited). A tick: {symbol (round robin), price (10.00 to
// 10.99: far above the benchmark's resting BUY @ 1.00, so nothing fills), volume 100,
// aggressor BUY, tick_time: the moment its batch is sent, to the microsecond, trade_id: FIRST,
// FIRST+1, ...}. Every answer must be 200 with stored == the batch size (no duplicates).
// Prints one line of key=value: ticks stored per second (stored / (last answer - start)),
// requests, the batches' round trip p50/p99 (ms), and this process's CPU % over the window.
import http from 'node:http';
import { args, cpuWindow, fail, nowMs, post, quantile, report, Samples, sleepUntil } from './common.mjs';

const a = args(['url', 'symbols', 'start', 'end', 'trade_id']);
const START = +a.start;
const END = +a.end;
const INFLIGHT = +(a.inflight || 4);
const BATCH = +(a.batch || 1000);
const symbols = a.symbols.split(',');
let tradeId = +a.trade_id;
const url = `${a.url}/market/ticks`;
const agent = new http.Agent({ keepAlive: true, maxSockets: INFLIGHT });

const prices = Array.from({ length: 100 }, (_, i) => `10.${String(i).padStart(2, '0')}`);
const pad = (n, w) => String(n).padStart(w, '0');

// epoch ms (with a fraction) -> RFC 3339 with microseconds
function iso(ms) {
    const whole = Math.floor(ms);
    const us = Math.floor((ms - whole) * 1000);
    return new Date(whole).toISOString().slice(0, 23) + pad(Math.min(us, 999), 3) + 'Z';
}

function batch() {
    const tt = iso(nowMs());
    const parts = new Array(BATCH);
    for (let i = 0; i < BATCH; i++) {
        const id = tradeId++;
        parts[i] = `{"symbol":"${symbols[id % symbols.length]}","price":"${prices[id % 100]}",` +
            `"volume":"100","aggressor":"BUY","tick_time":"${tt}","trade_id":${id}}`;
    }
    return '[' + parts.join(',') + ']';
}

let stored = 0;
let requests = 0;
let lastAnswer = START;
const rtt = new Samples();
const cpu = cpuWindow(START, END);

async function loop() {
    while (nowMs() < END) {
        const r = await post(agent, url, batch()).catch((e) => fail(`POST /market/ticks: ${e.message}`));
        if (r.status !== 200) fail(`POST /market/ticks answered ${r.status}: ${r.body.slice(0, 300)}`);
        const j = JSON.parse(r.body);
        if (j.stored !== BATCH) fail(`POST /market/ticks stored ${j.stored} of ${BATCH}: ${r.body}`);
        stored += j.stored;
        requests++;
        rtt.push(r.ms);
        lastAnswer = nowMs();
    }
}

await sleepUntil(START);
await Promise.all(Array.from({ length: INFLIGHT }, loop));
agent.destroy();
const s = rtt.sorted();
report({
    ticks_s: stored / ((lastAnswer - START) / 1000),
    stored,
    requests,
    batch_p50: quantile(s, 0.5),
    batch_p99: quantile(s, 0.99),
    cpu: cpu.pct(),
});
