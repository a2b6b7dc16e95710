// Writes Responses API events as `text/event-stream` bytes, applying the wire faults
// of faults.mjs (split chunks, line ends, data-only, keepalives, malformed JSON,
// stalls, disconnects, a missing terminal event). Events are queued and written in
// order; every piece is its own `res.write()`, i.e. its own HTTP chunk.

import { sleep, closeSignal } from './http.mjs';

const TERMINAL = new Set(['response.completed', 'response.failed', 'response.incomplete']);

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

export class SseWriter {
  /**
   * @param {import('node:http').ServerResponse} res
   * @param {object|null} faults parsed x-mock-fault
   * @param {object} [headers] extra response headers (CORS, request id are already set)
   */
  constructor(res, faults, headers = {}) {
    this.res = res;
    this.f = faults ?? {};
    this.eol = this.f.eol ?? '\n';
    this.count = 0; // events written (keepalives excluded)
    this.wireSeq = 0; // renumbering when keepalives are interleaved
    this.dead = false;
    this.ended = false;
    this.queue = Promise.resolve();
    this.rand = prng(this.f.seed ?? 1);
    res.on('close', () => { this.dead = true; });
    this.signal = closeSignal(res); // pending stalls end with the connection
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
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
      this.res.end();
    }).catch(() => this.#kill());
    return this.queue;
  }

  #kill() {
    this.dead = true;
    this.res.socket?.destroy();
    this.res.destroy();
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
    if (this.f.disconnectAfter != null && this.count >= this.f.disconnectAfter) this.#kill();
  }

  #frame(type, data) {
    const lines = this.f.dataOnly ? [`data: ${data}`] : [`event: ${type}`, `data: ${data}`];
    return lines.join(this.eol) + this.eol + this.eol;
  }

  async #bytes(text) {
    if (this.dead) return;
    const buf = Buffer.from(text, 'utf8');
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

  #put(buf) {
    if (this.dead) return;
    if (this.f.disconnectAfter != null) {
      // About to cut the connection: make sure what was written left the process first.
      return new Promise((resolve) => { this.res.write(buf, () => resolve()); });
    }
    if (this.res.write(buf)) return;
    return new Promise((resolve) => {
      const done = () => { this.res.off('drain', done); this.res.off('close', done); resolve(); };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }
}
