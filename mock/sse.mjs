// Writes Responses API events as `text/event-stream` bytes, applying the wire faults
// of faults.mjs (split chunks, line ends, data-only, keepalives, malformed JSON,
// stalls, disconnects, a missing terminal event). Events are queued and written in
// order; every piece is its own chunk of the body stream (its own HTTP chunk in Node).

import { sleep, anySignal, Disconnect } from './util.mjs';

const TERMINAL = new Set(['response.completed', 'response.failed', 'response.incomplete']);
/**
 * How long `disconnect-after` waits between its last event and the cut. A browser drops body
 * bytes it has received but not yet handed to the page once the connection errors (Chromium
 * does), so a cut right behind the data can take the data with it on a busy machine; the wait
 * lets the client read what was sent, so that the cut comes after exactly N events.
 */
const CUT_LINGER_MS = 250;

/** Small deterministic PRNG (mulberry32) for split=random. */
function prng(seed) {
  let a = seed >>> 0 || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

const encoder = new TextEncoder();

/**
 * The body of an SSE answer: `stream` is a ReadableStream of bytes, one chunk per
 * piece; each piece waits until the reader took the one before (so a slow reader
 * slows the writer, and a cut made by a fault comes exactly after what was read).
 * A fault that drops the connection errors the stream (a Node adapter then destroys
 * the socket); a reader that cancels (the client left) stops the writer.
 */
export class SseWriter {
  /**
   * @param {object|null} faults parsed x-mock-fault
   * @param {{signal?: AbortSignal, onCancel?: () => void}} [opts] signal: ends pending stalls;
   *   onCancel: the reader left, or a fault cut the stream (nobody reads on)
   */
  constructor(faults, { signal, onCancel } = {}) {
    this.onCancel = onCancel;
    this.f = faults ?? {};
    this.eol = this.f.eol ?? '\n';
    this.count = 0; // events written (keepalives excluded)
    this.wireSeq = 0; // renumbering when keepalives are interleaved
    this.dead = false;
    this.ended = false;
    this.queue = Promise.resolve();
    this.rand = prng(this.f.seed ?? 1);
    this.wanted = null; // resolves when the reader asks for more
    const cancelled = new AbortController();
    this.signal = signal ? anySignal(signal, cancelled.signal) : cancelled.signal;
    this.stream = new ReadableStream({
      start: (c) => { this.controller = c; },
      pull: () => { const w = this.wanted; this.wanted = null; w?.(); },
      cancel: () => {
        this.dead = true;
        cancelled.abort();
        const w = this.wanted; this.wanted = null; w?.();
        this.onCancel?.();
      },
    }, { highWaterMark: 0 });
    if (this.f.disconnectAfter === 0) this.#kill();
  }

  /** Queue one event. */
  send(event) {
    this.queue = this.queue.then(() => this.#write(event)).catch(() => this.#kill());
    return this.queue;
  }

  /** Queue the end of the body (`data: [DONE]` first in data-only mode). */
  end() {
    if (this.ended) return this.queue;
    this.ended = true;
    this.queue = this.queue.then(async () => {
      if (this.dead) return;
      if (this.f.dataOnly) await this.#bytes(`data: [DONE]${this.eol}${this.eol}`);
      if (this.dead) return;
      this.dead = true;
      this.controller.close();
    }).catch(() => this.#kill());
    return this.queue;
  }

  /** Drop the connection: the stream errors (after every piece already read). */
  #kill() {
    if (this.dead) return;
    this.dead = true;
    try { this.controller.error(new Disconnect('x-mock-fault')); } catch { /* already closed */ }
    this.onCancel?.();
  }

  async #write(event0) {
    if (this.dead) return;
    if (this.f.noTerminal && TERMINAL.has(event0.type)) return;
    const n = this.count;
    if (this.f.stallAfter && n === this.f.stallAfter.n) await sleep(this.f.stallAfter.ms, this.signal);
    if (this.dead) return;
    let event = event0;
    if (this.f.keepalive) {
      if (n > 0) {
        await this.#bytes(`: ping${this.eol}${this.eol}`);
        await this.#bytes(this.#frame('keepalive', JSON.stringify({ type: 'keepalive', sequence_number: this.wireSeq++ })));
      }
      if ('sequence_number' in event) event = { ...event, sequence_number: this.wireSeq++ };
    }
    let data = JSON.stringify(event);
    if (this.f.malformedJson === n) data = data.slice(0, Math.ceil(data.length / 2)) + ',"oops';
    await this.#bytes(this.#frame(event.type, data));
    this.count++;
    if (this.f.disconnectAfter != null && this.count >= this.f.disconnectAfter) {
      await sleep(CUT_LINGER_MS, this.signal).catch(() => {});
      this.#kill();
    }
  }

  #frame(type, data) {
    const lines = this.f.dataOnly ? [`data: ${data}`] : [`event: ${type}`, `data: ${data}`];
    return lines.join(this.eol) + this.eol + this.eol;
  }

  async #bytes(text) {
    if (this.dead) return;
    const buf = encoder.encode(text);
    const split = this.f.split;
    if (!split) return this.#put(buf);
    for (let i = 0; i < buf.length && !this.dead;) {
      const size = split === 'random' ? 1 + Math.floor(this.rand() * 24) : split;
      const end = Math.min(buf.length, i + size);
      await this.#put(buf.subarray(i, end));
      i = end;
      if (i < buf.length) {
        // A cut inside a UTF-8 character or between CR and LF must be seen as such:
        // give the piece a timer tick of its own.
        const critical = buf[i - 1] === 0x0d || (buf[i] & 0xc0) === 0x80;
        const ms = this.f.splitDelay ?? (critical ? 1 : 0);
        await sleep(ms, this.signal);
      }
    }
  }

  /** Hand one piece to the reader, and wait until it asks for the next. */
  #put(buf) {
    if (this.dead) return;
    const wanted = new Promise((resolve) => { this.wanted = resolve; });
    this.controller.enqueue(buf.slice());
    return wanted;
  }
}
