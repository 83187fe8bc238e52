// clients.mjs - the subscribers of bench/stream: N WebSocket clients in this one process,
// each subscribed to ticks:SYMBOL of every symbol given.
//
// usage: node clients.mjs --url=ws://127.0.0.1:PORT/api/v1/stream --clients=50
//          --symbols=BEN0,BEN1,... --start=EPOCH_MS --end=EPOCH_MS [--ready=FILE]
//
// Connects and subscribes at once, writes FILE (when given) once every client has its
// "subscribed" answer, and fails unless that happened before --start. Then it counts, per
// client, the Tick messages received in [start, end) (the rate) and, for every Tick whose
// tick_time (the load generator's send time) lies in [start, end), the latency from that
// tick_time to the moment this process handles the message. After end it keeps reading until
// no Tick came for QUIET ms (the generator's last batches), at most 20 s, then closes every
// connection with 1000 and prints one line of key=value (see the end of the file).
//
// Fails (exit 1) on a connection error, a close it did not ask for, an error message from
// the server, a binary frame, or a client that received no Tick at all.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { args, auth, cpuWindow, fail, nowMs, quantile, report, Samples } from './common.mjs';

const require = createRequire(import.meta.url);
const WebSocket = require('../../node_modules/ws/index.js');

const a = args(['url', 'clients', 'symbols', 'start', 'end']);
const N = +a.clients;
const START = +a.start;
const END = +a.end;
const QUIET = +(a.quiet || 500);
const topics = a.symbols.split(',').map((s) => `ticks:${s}`);

const lat = new Samples(1 << 20);
const perClient = new Float64Array(N);   // Ticks received in [start, end)
const total = new Float64Array(N);       // Ticks received at all
let subscribed = 0;
let closing = false;
let lastTick = 0;
const socks = [];
const cpu = cpuWindow(START, END);

// tick_time "2026-11-27T03:41:05.123456Z" -> epoch ms with the microseconds; the second's
// part is parsed once per second
let secKey = '';
let secMs = 0;
function tickMs(ts) {
    const k = ts.slice(0, 19);
    if (k !== secKey) {
        secKey = k;
        secMs = Date.parse(k + 'Z');
        if (Number.isNaN(secMs)) fail(`cannot read tick_time '${ts}'`);
    }
    return secMs + Number(ts.slice(20, 26)) / 1000;
}

const KEY = '"tick_time":"';
for (let i = 0; i < N; i++) {
    const ws = new WebSocket(a.url, { perMessageDeflate: false, headers: auth() });
    socks.push(ws);
    ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', topics })));
    ws.on('message', (data, isBinary) => {
        const t = nowMs();
        if (isBinary) fail(`client ${i}: a binary frame`);
        const s = data.toString();
        if (s.startsWith('{"topic":"ticks:')) {
            const p = s.indexOf(KEY);
            if (p < 0) fail(`client ${i}: a Tick without tick_time: ${s.slice(0, 200)}`);
            const sent = tickMs(s.substr(p + KEY.length, 27));
            total[i]++;
            lastTick = t;
            if (t >= START && t < END) perClient[i]++;
            if (sent >= START && sent < END) lat.push(t - sent);
            return;
        }
        let m;
        try {
            m = JSON.parse(s);
        } catch {
            fail(`client ${i}: not JSON: ${s.slice(0, 200)}`);
        }
        if (m.type === 'subscribed') {
            const got = new Set(m.topics || []);
            if (!topics.every((x) => got.has(x))) fail(`client ${i}: subscribed to ${s}`);
            if (++subscribed === N && a.ready) writeFileSync(a.ready, `${nowMs()}\n`);
        } else if (m.type === 'error') {
            fail(`client ${i}: the server answered an error: ${s.slice(0, 300)}`);
        } else if (m.type !== 'heartbeat' && m.type !== 'pong') {
            fail(`client ${i}: an unexpected message: ${s.slice(0, 300)}`);
        }
    });
    ws.on('unexpected-response', (_req, res) =>
        fail(`client ${i}: the upgrade was answered HTTP ${res.statusCode}`));
    ws.on('error', (e) => fail(`client ${i}: ${e.message}`));
    ws.on('close', (code, reason) => {
        if (!closing) fail(`client ${i}: the server closed the connection: ${code} ${reason}`);
    });
}

setTimeout(() => {
    if (subscribed < N) fail(`only ${subscribed} of ${N} clients subscribed before the start`);
}, Math.max(0, START - nowMs()));

// after the end: wait for QUIET ms without a Tick (at most 20 s), then close and report
const hardStop = END + 20000;
function maybeStop() {
    const t = nowMs();
    if (t < END || (t - Math.max(lastTick, END) < QUIET && t < hardStop)) {
        setTimeout(maybeStop, 100);
        return;
    }
    closing = true;
    for (const ws of socks) ws.close(1000, 'bench done');
    const secs = (END - START) / 1000;
    const rates = Array.from(perClient, (n) => n / secs).sort((x, y) => x - y);
    const starved = Array.from(total).filter((n) => n === 0).length;
    if (starved) fail(`${starved} of ${N} clients received no Tick at all`);
    const l = lat.sorted();
    const sum = perClient.reduce((x, y) => x + y, 0);
    report({
        clients: N,
        msgs: sum,
        msgs_s: sum / secs,
        client_med_s: quantile(rates, 0.5),
        client_min_s: rates[0],
        client_max_s: rates[rates.length - 1],
        samples: l.length,
        p50: quantile(l, 0.5),
        p99: quantile(l, 0.99),
        max: l.length ? l[l.length - 1] : NaN,
        tail_ms: Math.max(0, lastTick - END),
        cpu: cpu.pct(),
    });
    setTimeout(() => process.exit(0), 300).unref();
    let open = N;
    for (const ws of socks) {
        ws.once('close', () => {
            if (--open === 0) process.exit(0);
        });
    }
}
setTimeout(maybeStop, Math.max(0, END - nowMs()));
