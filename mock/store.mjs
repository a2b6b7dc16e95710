// In-memory response store and the "runner" that plays a response's events over
// time: live subscribers (SSE writers) get every event as it is emitted, later
// readers replay `events` (GET /responses/{id}?stream=true&starting_after=N), and
// background responses can be cancelled while they run.

import { sleep, nowSeconds } from './util.mjs';

const TERMINAL = new Set(['completed', 'failed', 'incomplete', 'cancelled']);
const TERMINAL_EVENTS = new Set(['response.completed', 'response.failed', 'response.incomplete']);

export class ResponseStore {
  /**
   * @param {{max?: number, maxBytes?: number}} opts at most `max` responses and `maxBytes`
   *   of request bodies (the oldest finished ones go first)
   */
  constructor({ max = 1000, maxBytes = 128 * 1024 * 1024 } = {}) {
    this.max = max;
    this.maxBytes = maxBytes;
    this.bytes = 0;
    /** @type {Map<string, Entry>} */
    this.entries = new Map();
  }

  get(id) {
    const e = this.entries.get(id);
    return e && !e.deleted ? e : undefined;
  }

  add(entry) {
    this.entries.set(entry.id, entry);
    this.bytes += entry.size;
    const over = () => this.entries.size > this.max || this.bytes > this.maxBytes;
    if (over()) {
      for (const [id, e] of this.entries) {
        if (!over()) break;
        if (!e.running && e !== entry) this.#drop(id, e);
      }
    }
  }

  /** An output item of a stored response, by its id. */
  findItem(id) {
    if (typeof id !== 'string') return null;
    for (const e of this.entries.values()) {
      const hit = e.output.find((it) => it?.id === id);
      if (hit) return hit;
    }
    return null;
  }

  delete(id) {
    const e = this.get(id);
    if (!e) return false;
    e.deleted = true;
    this.#drop(id, e);
    return true;
  }

  #drop(id, e) {
    this.entries.delete(id);
    this.bytes -= e.size;
  }
}

/**
 * One response: its request, conversation, planned events and what has been emitted.
 */
export class Entry {
  constructor({ id, body, input, history, turn, planned, final, background, stored, size = 0 }) {
    Object.assign(this, { id, body, input, history, turn, planned, final, background, stored, size });
    this.events = []; // emitted so far
    this.output = []; // output items as emitted so far (added, then replaced by done)
    this.response = null; // latest lifecycle snapshot
    this.subscribers = new Set();
    this.running = false;
    this.deleted = false;
    this.stopped = false;
    this.wake = null; // ends the pause between two events early (stop())
  }

  get status() { return this.response?.status ?? 'queued'; }
  get terminal() { return TERMINAL.has(this.status); }

  /** The Response as GET /responses/{id} shows it now. */
  snapshot() {
    const r = structuredClone(this.response);
    if (!this.terminal || r.status === 'cancelled') r.output = structuredClone(this.output.filter(Boolean));
    return r;
  }

  /** Conversation items for a follow-up turn: history, this input, this output. */
  conversation() {
    return [...this.history, ...this.input, ...this.output.filter(Boolean)];
  }

  /** Emit one event: record it, update the snapshot, tell live subscribers. */
  emit(event0) {
    const event = event0;
    if (TERMINAL_EVENTS.has(event.type) && event.response.status === 'completed') {
      event.response.completed_at = nowSeconds();
    }
    this.events.push(event);
    if (event.response) this.response = structuredClone(event.response);
    if (TERMINAL_EVENTS.has(event.type) && event.response.status !== 'failed') this.onDone?.(this);
    if (event.type === 'response.output_item.added' || event.type === 'response.output_item.done') {
      this.output[event.output_index] = structuredClone(event.item);
    }
    for (const fn of this.subscribers) fn(event);
  }

  /** Subscribe to live events (`fn(event)`), and `fn(null)` when the run ends. */
  subscribe(fn) {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /**
   * Play the planned events. `pace(i, entry)` gives the delay (ms) before event i;
   * without subscribers a non-background run finishes at once (nobody is watching).
   * `runs` (a Set) holds the entry while it runs.
   *
   * No AbortSignal or timer is shared with other requests (a Worker forbids using one
   * request's I/O objects from another): stop() sets a flag and, where it can, wakes
   * the pause early.
   */
  async run(pace, runs) {
    this.running = true;
    runs?.add(this);
    try {
      for (let i = 0; i < this.planned.length && !this.stopped; i++) {
        if (i > 0) {
          const ms = pace(i, this);
          if (ms > 0 || i % 64 === 0) await this.#pause(ms);
        }
        if (this.stopped) break;
        this.emit(this.planned[i]);
      }
    } catch (e) {
      this.error = e; // a bug of the mock ends the run (and its streams), not the server
    } finally {
      runs?.delete(this);
      this.running = false;
      for (const fn of [...this.subscribers]) fn(null);
      this.subscribers.clear();
    }
  }

  #pause(ms) {
    return new Promise((resolve) => {
      const t = ms > 0 ? setTimeout(() => this.#woken(resolve), ms) : null;
      this.wake = () => { if (t !== null) clearTimeout(t); resolve(); };
      if (t === null) sleep(0).then(() => this.#woken(resolve));
    });
  }

  #woken(resolve) {
    this.wake = null;
    resolve();
  }

  /** Stop the run (deleted, cancelled, or the server closes). */
  stop() {
    this.stopped = true;
    const wake = this.wake;
    this.wake = null;
    try { wake?.(); } catch { /* another request's timer: the flag is seen after it */ }
  }

  /** Cancel a running background response (status `cancelled`). */
  cancel() {
    if (this.terminal) return;
    this.response = { ...(this.response ?? this.final), status: 'cancelled', output: structuredClone(this.output.filter(Boolean)) };
    this.stop();
  }
}
