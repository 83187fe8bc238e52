// Helpers of the stream tests (tests/stream/test_*.mjs), kept here once: a real `serve` on
// loopback with its own cluster, JSON over its REST API, psql on its databases, and a
// WebSocket client that keeps every message it gets.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

export const BIN = process.env.TS_BIN;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll fn until it returns a truthy value (returned), or fail naming what and the last value. */
export async function until(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    if (Date.now() > end) {
      throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await sleep(100);
  }
}

/**
 * `tradingsystem serve` in a temporary TS_HOME (its own embedded cluster on socket port pgPort),
 * on a random loopback port below Linux's ephemeral range; extra settings in env.
 */
export class Serve {
  constructor(prefix, pgPort, env = {}) {
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.chmodSync(this.home, 0o755); // run as root, the embedded PostgreSQL runs as another account
    this.env = { ...process.env, TS_HOME: path.join(this.home, 'home'), TS_PG_PORT: String(pgPort),
      TS_TRADING_HOURS: 'off', TS_EOD_TIME: 'off', ...env };
    for (const k of Object.keys(this.env)) if (k === 'TS_DATABASE_URL' || k.startsWith('TS_DB_')) delete this.env[k];
    this.stderr = '';
    this.proc = null;
  }

  get api() { return `http://127.0.0.1:${this.port}/api/v1`; }
  get wsUrl() { return `ws://127.0.0.1:${this.port}/api/v1/stream`; }

  /** Starts it with args and waits for GET /health 200 (another port if this one is taken). */
  async start(args = []) {
    assert.ok(BIN, 'TS_BIN names the tradingsystem binary');
    for (let attempt = 0; attempt < 5; attempt++) {
      this.port = 20000 + Math.floor(Math.random() * 12000);
      const proc = spawn(BIN, ['serve', '--addr', `127.0.0.1:${this.port}`, ...args],
        { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
      this.proc = proc;
      proc.stderr.on('data', (d) => { this.stderr += d; });
      proc.exited = new Promise((res) => proc.on('exit', (code) => res(code)));
      const up = await until(`GET ${this.api}/health 200`, async () => {
        if (proc.exitCode !== null) return 'exited';
        const r = await fetch(`${this.api}/health`).catch(() => null);
        return r && r.status === 200 && 'up';
      }, 90000);
      if (up === 'up') {
        this.token = this.userToken('tester', 'admin');
        return this;
      }
      if (!/address already in use|cannot listen|bind/i.test(this.stderr)) break;
    }
    throw new Error(`serve did not start: ${this.stderr.slice(-3000)}`);
  }

  /** SIGTERM, then its exit status; the temporary home is removed. */
  async stop() {
    let code = this.proc ? this.proc.exitCode : 0;
    if (this.proc && code === null) {
      this.proc.kill('SIGTERM');
      code = await this.proc.exited;
    }
    fs.rmSync(this.home, { recursive: true, force: true });
    return code;
  }

  /**
   * An API token of user `name` (added with role when new: `tradingsystem user add`, else
   * `user token`), as a script gets one.
   */
  userToken(name, role) {
    const run = (args) => execFileSync(BIN, ['user', ...args], { env: this.env, encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    try { return run(['add', name, '--role', role]); } catch { return run(['token', name]); }
  }

  /** A one-time login link for the dashboard (`tradingsystem user login-url NAME`). */
  loginUrl(name) {
    return execFileSync(BIN, ['user', 'login-url', name],
      { env: { ...this.env, TS_HTTP_ADDR: `127.0.0.1:${this.port}` }, encoding: 'utf8' }).trim();
  }

  /** The headers that prove who a request is from (the admin `tester`, or token). */
  auth(token = this.token) { return token ? { authorization: `Bearer ${token}` } : {}; }

  /** method path [body] [token] -> { status, body } (body parsed from JSON). */
  async http(method, p, body, token = this.token) {
    const r = await fetch(this.api + p, { method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...this.auth(token) } });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }

  /** One query on a module's database, rows of fields as psql -At prints them ('|' between). */
  sql(module, query) {
    const url = execFileSync(BIN, ['db', 'url', '--module', module], { env: this.env, encoding: 'utf8' }).trim();
    assert.ok(url, `db url --module ${module} printed a connection string`);
    const out = execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url, '-c', query],
      { encoding: 'utf8' });
    return out.split('\n').filter((l) => l !== '');
  }

  client(token = this.token) { return new Client(this.wsUrl, this.auth(token)).open(); }
}

// A client that keeps every message; wait(pred) resolves with the first one matching.
export class Client {
  constructor(url, headers = {}) {
    this.msgs = [];
    this.waiters = [];
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (m) => {
      const o = JSON.parse(m.toString());
      this.msgs.push(o);
      this.waiters = this.waiters.filter((w) => (w.pred(o) ? (w.resolve(o), false) : true));
    });
    this.closed = new Promise((res) => this.ws.on('close', (code, reason) => res({ code, reason: reason.toString() })));
  }
  async open() { if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, 'open'); return this; }
  send(o) { this.ws.send(typeof o === 'string' ? o : JSON.stringify(o)); }
  wait(pred, ms = 15000) {
    const hit = this.msgs.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`no matching message in ${ms} ms; got ${JSON.stringify(this.msgs.slice(-5))}`));
      }, ms);
      const w = { pred, resolve: (o) => { clearTimeout(timer); resolve(o); } };
      this.waiters.push(w);
    });
  }
  /** The messages after `from` (a message of this client) */
  after(from) { return this.msgs.slice(this.msgs.indexOf(from) + 1); }
  events(topic) { return this.msgs.filter((m) => m.topic === topic); }
  close() { this.ws.close(); }
}
