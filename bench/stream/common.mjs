// common.mjs - helpers shared by the processes of bench/stream (clients, gen, orders).
//
// Clock: every process of the benchmark runs on the same machine and stamps times as
// epoch milliseconds with a fraction, performance.timeOrigin + performance.now() (the
// realtime clock read once at process start, then the monotonic clock), so the sender's
// stamp and the receiver's stamp are comparable to well under a millisecond, unlike
// Date.now() (whole milliseconds).
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export const nowMs = () => performance.timeOrigin + performance.now();

// --key=value arguments -> { key: value }; every name in `need` is required
export function args(need) {
    const a = {};
    for (const s of process.argv.slice(2)) {
        const m = /^--([a-z_]+)=(.*)$/s.exec(s);
        if (!m) fail(`bad argument '${s}' (want --key=value)`);
        a[m[1]] = m[2];
    }
    for (const k of need) {
        if (a[k] === undefined || a[k] === '') fail(`--${k}= is required`);
    }
    return a;
}

export function fail(msg) {
    const name = process.argv[1] ? process.argv[1].replace(/^.*\//, '') : 'bench';
    process.stderr.write(`bench/stream/${name}: ${msg}\n`);
    process.exit(1);
}

export const sleepUntil = (t) =>
    new Promise((r) => setTimeout(r, Math.max(0, t - nowMs())));

// the q-quantile of sorted numbers, as bench/orders: the (N*q rounded)-th value, 1-based
export function quantile(sorted, q) {
    if (!sorted.length) return NaN;
    let i = Math.floor(sorted.length * q + 0.5);
    if (i < 1) i = 1;
    if (i > sorted.length) i = sorted.length;
    return sorted[i - 1];
}

// a growable Float64Array of samples
export class Samples {
    constructor(cap = 1 << 16) {
        this.a = new Float64Array(cap);
        this.n = 0;
    }
    push(v) {
        if (this.n === this.a.length) {
            const b = new Float64Array(this.a.length * 2);
            b.set(this.a);
            this.a = b;
        }
        this.a[this.n++] = v;
    }
    sorted() {
        return this.a.slice(0, this.n).sort();
    }
}

// The bench's API token (bench/lib.sh makes it when it starts the server) as headers.
export function auth() {
    const t = process.env.TS_BENCH_TOKEN;
    return t ? { Authorization: `Bearer ${t}` } : {};
}

// POST body (a string) to url with agent; resolves { status, body, ms }
export function post(agent, url, body, headers = {}) {
    return new Promise((resolve, reject) => {
        const t0 = performance.now();
        const req = http.request(url, {
            method: 'POST',
            agent,
            headers: {
                'Content-Type': 'application/json',
                'Content-Length': Buffer.byteLength(body),
                ...auth(),
                ...headers,
            },
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({
                status: res.statusCode,
                body: Buffer.concat(chunks).toString(),
                ms: performance.now() - t0,
            }));
            res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
    });
}

// one line of key=value pairs for run.sh (numbers rounded to 3 decimals)
export function report(obj) {
    const parts = Object.entries(obj).map(([k, v]) =>
        `${k}=${typeof v === 'number' ? (Number.isFinite(v) ? +v.toFixed(3) : 'nan') : v}`);
    process.stdout.write(parts.join(' ') + '\n');
}

// this process's CPU (user + system) over [start, end] epoch ms, in % of one core:
// const w = cpuWindow(start, end); ... after end: w.pct()
export function cpuWindow(start, end) {
    let u0 = null;
    let t0 = 0;
    let pct = NaN;
    const stop = () => {
        if (u0 && Number.isNaN(pct)) {
            const d = process.cpuUsage(u0);
            pct = (d.user + d.system) / 1000 / (nowMs() - t0) * 100;
        }
    };
    setTimeout(() => {
        u0 = process.cpuUsage();
        t0 = nowMs();
    }, Math.max(0, start - nowMs()));
    setTimeout(stop, Math.max(0, end - nowMs()));
    return {
        pct() {
            stop();
            return pct;
        },
    };
}
