// The I/O of one call: it runs what the wasm core's call machine asks — fetch, the body's
// reader, timers — and reports what happened. It decides nothing about the protocol: which
// request, which headers, what a status means, whether to retry or how long to wait all come
// from the core (docs/architecture.md, "The call machine").
import { wantedHeaders } from './cometapi_responses.js';

// Actions and failure kinds, as the core numbers them.
export const SEND = 0;
export const WAIT = 1;
export const READ = 2;
export const SLEEP = 3;
export const DONE = 4;
const NETWORK = 0;
const TIMEOUT = 1;
const ABORT = 2;
// How to let go of a body (the core's `release`).
const CANCEL = 1;
const CANCEL_AND_ABORT = 2;

let WANTED = null;

/** The text of a thrown value, its causes included (the core redacts it). */
function describe(e) {
  if (e === null || e === undefined) return 'network error';
  let text = typeof e === 'object' && typeof e.message === 'string' ? e.message : String(e);
  const c = typeof e === 'object' ? e.cause : undefined;
  if (c && typeof c === 'object' && typeof c.message === 'string' && c.message !== '') text += `: ${c.message}`;
  return text;
}

const ignore = () => {};

/** A read that failed because its body was aborted (a fetch's signal, a reader cancelled with an AbortError). */
const isAbort = (e) => typeof e === 'object' && e !== null && e.name === 'AbortError';

/** Reports the status and wanted headers of a Response to the core. */
export function reportHeaders(raw, res) {
  WANTED ??= wantedHeaders();
  const h = res.headers;
  raw.headers_arrived(res.status, h.get(WANTED[0]) ?? undefined, h.get(WANTED[1]) ?? undefined, h.get(WANTED[2]) ?? undefined, h.get(WANTED[3]) ?? undefined);
}

export class Io {
  #raw;
  #fetch;
  #signal;
  #onAbort = null;
  #controller = null;
  #reader = null;
  #aborted = false;
  #closed = false;
  /** The pending wait's reject (fetch, read or sleep), so that an abort ends it at once. */
  #cancelWait = null;
  // The idle timeout of the current attempt: a timer checks that a pending wait saw activity.
  #interval = null;
  #waiting = false;
  #since = 0;
  #timedOut = false;
  /** The error a custom fetch (or the runtime) rejected with, for ConnectionError.cause. */
  lastError = undefined;
  /** A body to send instead of the core's (a multipart `FormData`: the platform sets its content type). */
  sendBody = undefined;
  /** The HTTP response of a call whose answer is the response itself (the core is done at its headers). */
  response = undefined;

  /** `fetch` is the user's or the global one; `signal` the user's (optional); `body` a ReadableStream to read instead of sending anything. */
  constructor(raw, fetch, signal, body) {
    this.#raw = raw;
    this.#fetch = fetch;
    this.#signal = signal;
    WANTED ??= wantedHeaders();
    if (signal) {
      if (signal.aborted) this.abort();
      else {
        this.#onAbort = () => this.abort();
        signal.addEventListener('abort', this.#onAbort, { once: true });
      }
    }
    if (body !== undefined && !this.#aborted) {
      try {
        this.#reader = body.getReader();
      } catch (e) {
        raw.read_failed(NETWORK, `cannot read the body: ${describe(e)}`);
      }
    }
  }

  get aborted() {
    return this.#aborted;
  }

  /** Runs the call until it has events for the consumer (their batch) or is done (`null`). */
  async step() {
    const raw = this.#raw;
    for (;;) {
      // Closed (the stream was released while a wait was pending): the raw side may be gone.
      if (this.#closed) return null;
      switch (raw.action) {
        case READ: {
          const out = await this.#read();
          if (out !== undefined) return out;
          break;
        }
        case SEND:
          await this.#send();
          break;
        case SLEEP:
          this.#letGo();
          await this.#sleep(raw.delay(Date.now(), Math.random()));
          if (!this.#aborted) raw.wake();
          break;
        default:
          this.close();
          return null;
      }
    }
  }

  /** The user aborted: the call ends (AbortError) and whatever is pending stops now. */
  abort() {
    if (this.#aborted || this.#closed) return;
    this.#aborted = true;
    this.#raw.abort();
    this.#letGo();
    this.#cancelWait?.(new Error('aborted'));
  }

  /** No more I/O: lets go of the body as the core says, stops the timer, removes listeners. */
  close() {
    if (this.#closed) return;
    this.#letGo();
    this.#closed = true;
    if (this.#onAbort) {
      this.#signal.removeEventListener('abort', this.#onAbort);
      this.#onAbort = null;
    }
  }

  async #send() {
    const raw = this.#raw;
    this.#letGo();
    const controller = new AbortController();
    this.#controller = controller;
    const init = { method: raw.method, headers: headersOf(raw.headers), signal: controller.signal };
    const body = this.sendBody ?? raw.body;
    if (body !== undefined) init.body = body;
    const url = raw.url;
    raw.sent();
    this.#startTimer(raw.timeout);
    let res;
    try {
      res = await this.#wait(this.#fetch(url, init));
    } catch (e) {
      this.#waiting = false;
      if (!this.#aborted) {
        const kind = this.#timedOut ? TIMEOUT : NETWORK;
        if (kind === NETWORK) this.lastError = e;
        raw.fetch_failed(kind, kind === NETWORK ? describe(e) : '');
      }
      return;
    }
    this.#waiting = false;
    if (this.#aborted) return;
    if (typeof res !== 'object' || res === null || typeof res.status !== 'number' || typeof res.headers?.get !== 'function') {
      raw.fetch_failed(NETWORK, 'fetch did not return a Response');
      return;
    }
    reportHeaders(raw, res);
    if (raw.action === DONE) {
      // A success whose answer is the response itself: its body is the caller's to read.
      this.response = res;
      return;
    }
    const stream = res.body;
    if (stream === null || stream === undefined) {
      raw.no_body();
      return;
    }
    try {
      this.#reader = stream.getReader();
    } catch (e) {
      raw.read_failed(NETWORK, `cannot read the body: ${describe(e)}`);
    }
  }

  /** One chunk of the body, reported to the core; returns what the core gave back (a batch, or undefined). */
  async #read() {
    const raw = this.#raw;
    const reader = this.#reader;
    if (reader === null) return raw.read_failed(NETWORK, 'the body is gone');
    this.#waiting = true;
    this.#since = Date.now();
    let r;
    try {
      r = await this.#wait(reader.read());
    } catch (e) {
      this.#waiting = false;
      this.#reader = null;
      if (this.#aborted) return undefined;
      const kind = this.#timedOut ? TIMEOUT : isAbort(e) ? ABORT : NETWORK;
      return raw.read_failed(kind, describe(e));
    }
    this.#waiting = false;
    if (this.#aborted) return undefined;
    // A timeout cancels the reader, which ends a pending read with `done: true`.
    if (this.#timedOut) {
      this.#reader = null;
      return raw.read_failed(TIMEOUT, '');
    }
    if (r.done) {
      this.#reader = null;
      try {
        reader.releaseLock();
      } catch {
        // a lock already released
      }
      return raw.end();
    }
    const value = r.value;
    if (!(value instanceof Uint8Array)) {
      this.#reader = null;
      reader.cancel().catch(ignore);
      return raw.bad_chunk();
    }
    return raw.feed(value);
  }

  /** Resolves with `p`, or rejects at once when the call is aborted (even if `p` never settles). */
  #wait(p) {
    return new Promise((resolve, reject) => {
      // Aborted already (e.g. from inside the fetch call that produced `p`): do not wait for it.
      if (this.#aborted) reject(new Error('aborted'));
      this.#cancelWait = reject;
      Promise.resolve(p).then(resolve, reject);
    }).finally(() => {
      this.#cancelWait = null;
    });
  }

  #sleep(ms) {
    return this.#wait(new Promise((resolve) => setTimeout(resolve, ms))).catch(ignore);
  }

  #startTimer(timeout) {
    this.#stopTimer();
    this.#timedOut = false;
    this.#waiting = true;
    this.#since = Date.now();
    const period = Math.min(Math.max(timeout / 8, 5), 60_000);
    this.#interval = setInterval(() => {
      if (this.#waiting && !this.#timedOut && Date.now() - this.#since >= timeout) {
        this.#timedOut = true;
        this.#controller?.abort();
        this.#reader?.cancel().catch(ignore);
      }
    }, period);
  }

  #stopTimer() {
    if (this.#interval !== null) {
      clearInterval(this.#interval);
      this.#interval = null;
    }
  }

  /** Lets go of the current body and attempt, as the core says (cancel; cancel and abort). */
  #letGo() {
    this.#stopTimer();
    const reader = this.#reader;
    const how = this.#aborted ? CANCEL_AND_ABORT : this.#raw.release;
    if (reader !== null) {
      this.#reader = null;
      if (how >= CANCEL || this.#aborted) {
        reader.cancel().catch(ignore);
        try {
          reader.releaseLock();
        } catch {
          // still locked by a pending read: released when it settles
        }
      }
    }
    if (how === CANCEL_AND_ABORT || this.#aborted) this.#controller?.abort();
    this.#controller = null;
  }
}

/** The core's flat `[name, value, …]` list as a headers object. */
function headersOf(flat) {
  const h = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]] = flat[i + 1];
  return h;
}
