// WebSocket client of /api/v1/stream: subscribes to event topics and market topics,
// reconnects with backoff, and resumes event topics with `since` = the last seq seen.
export const EVENT_TOPICS = ['orders', 'trades', 'positions', 'risk', 'signals', 'status'];

export class Stream {
  constructor({ onEvent, onTick, onState, onResync }) {
    this.onEvent = onEvent;
    this.onTick = onTick;
    this.onState = onState;
    this.onResync = onResync;
    this.lastSeq = null;       // newest event seq applied (resume point)
    this.marketTopics = new Set();
    this.ws = null;
    this.retry = 0;
    this.timer = null;
    this.stopped = false;
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${location.host}/api/v1/stream`;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, 'bye');
  }

  connect() {
    if (this.stopped) return;
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.schedule();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      this.onState({ connected: true });
      this.subscribeEvents(this.lastSeq);
      if (this.marketTopics.size) this.send({ op: 'subscribe', topics: [...this.marketTopics] });
    };
    ws.onmessage = (m) => this.handle(m.data);
    ws.onclose = () => {
      if (this.ws === ws) this.ws = null;
      this.onState({ connected: false });
      this.schedule();
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  schedule() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const delay = Math.min(10000, 500 * 2 ** this.retry++);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  subscribeEvents(since) {
    const msg = { op: 'subscribe', topics: EVENT_TOPICS };
    if (since !== null && since !== undefined) msg.since = since;
    this.pendingSince = msg.since ?? null;
    this.send(msg);
  }

  /** Subscribe to the given market topics (ticks:SYMBOL), now and on every reconnect. */
  setMarketTopics(topics) {
    const add = topics.filter((t) => !this.marketTopics.has(t));
    for (const t of add) this.marketTopics.add(t);
    if (add.length) this.send({ op: 'subscribe', topics: add });
  }

  handle(raw) {
    let m;
    try { m = JSON.parse(raw); } catch { return; }
    if (m.type === 'subscribed') {
      // Without `since` the answer's seq is where our REST state starts: resume from there.
      if (this.pendingSince === null && m.topics && m.topics.includes('orders') && this.lastSeq === null) {
        this.lastSeq = m.seq;
        this.onState({ seq: m.seq });
        this.onResync();
      }
      this.pendingSince = undefined;
      return;
    }
    if (m.type === 'error') {
      if (m.code === 'since_too_old') {
        // Our resume point is gone: reload the state over REST and subscribe from now.
        this.lastSeq = null;
        this.subscribeEvents(null);
      }
      return;
    }
    if (m.type === 'heartbeat' || m.type === 'pong' || m.type === 'unsubscribed') {
      if (m.type === 'heartbeat') this.onState({ heartbeat: m.time });
      return;
    }
    if (typeof m.topic !== 'string') return;
    if (m.topic.startsWith('ticks:')) {
      this.onTick(m);
      return;
    }
    if (typeof m.seq === 'number') {
      if (this.lastSeq !== null && m.seq <= this.lastSeq) return; // already applied
      this.lastSeq = m.seq;
      this.onState({ seq: m.seq });
    }
    this.onEvent(m);
  }
}
