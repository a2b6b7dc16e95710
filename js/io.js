// The I/O of one call: it runs what the wasm core's call machine asks — fetch, the body's
// reader, one timer — and reports what happened. It decides nothing: which request, what a
// status means, whether to retry, every deadline (the timer is set to the core's
// `poll_timeout`) and how to let go of a body all come from the core (docs/architecture.md,
// "The call machine"); src/wasm/transport.rs runs the same loop for the Rust API.
import { Action, Fault, Release, wantedHeaders } from './cometapi_responses.js';
import { ignore, onAbort } from './shared.js';

let WANTED = null;

/** The text of a thrown value, its causes included (the core redacts it). */
function describe(e) {
  if (e === null || e === undefined) return 'network error';
  let text = typeof e.message === 'string' ? e.message : String(e);
  const c = e.cause;
  if (typeof c?.message === 'string' && c.message !== '') text += `: ${c.message}`;
  return text;
}

/** A pending wait ended by the core (a deadline passed) or by an abort: there is nothing to report. */
const SETTLED = Symbol('settled');

/**
 * Reports the status and wanted headers of a Response to the core. A custom fetch's header that
 * is not a string is refused here, before any of them is copied into wasm memory.
 */
export function reportHeaders(raw, res) {
  WANTED ??= wantedHeaders();
  const [a, b, c, d] = WANTED.map((name) => {
    const v = res.headers.get(name) ?? undefined;
    if (v !== undefined && typeof v !== 'string') throw new TypeError(`the response's ${name} header must be a string`);
    return v;
  });
  raw.headers_arrived(res.status, a, b, c, d);
}

export class Io {
  #raw;
  #fetch;
  /** Removes the listener of the user's signal. */
  #unlisten;
  #controller = null;
  /** The user's signal (optional). */
  #signal;
  #reader = null;
  #aborted = false;
  #closed = false;
  /** The pending fetch's or sleep's reject, so that a deadline or an abort ends it at once (a read ends when its reader is cancelled). */
  #cancelWait = null;
  /** The one timer, and when it fires (one that fires before the core's deadline just sets itself again). */
  #timer = null;
  #timerAt = Infinity;
  /** When the pending wait began (`null`: none is pending); the timer fired while none was (`#due`). */
  #since = null;
  #due = false;
  /** The error a custom fetch (or the runtime) rejected with, for ConnectionError.cause. */
  lastError = undefined;
  /** A body to send instead of the core's (a multipart `FormData`: the platform sets its content type). */
  sendBody = undefined;
  /** The content type of `sendBody` when it is the multipart body as a Blob. */
  sendType = undefined;
  /** The HTTP response of a call whose answer is the response itself (the core is done at its headers). */
  response = undefined;
  /** What the user's signal does: abort this call (a stream sets its own abort, which ends it too). */
  onSignal = () => this.abort();

  /** `fetch` is the user's or the global one; `signal` the user's (optional); `body` a ReadableStream to read instead of sending anything. */
  constructor(raw, fetch, signal, body) {
    this.#raw = raw;
    this.#fetch = fetch;
    this.#signal = signal;
    if (body !== undefined) {
      try {
        this.#reader = body.getReader();
      } catch (e) {
        raw.fault(Fault.NoReader, describe(e));
      }
    }
  }

  /**
   * Listens to the user's signal (aborted already: now), once. A fetch's call listens from its
   * first step, so that a stream never read holds no listener; a stream of a body (a socket's
   * lane, the caller's) listens from the start, once its `onSignal` is set.
   */
  listen() {
    if (!this.#closed) this.#unlisten ??= onAbort(this.#signal, () => this.onSignal());
  }

  /** Runs the call until it has events for the consumer (their batch) or is done (`null`); whenever the action is not Read, lets go of the body as the core says. */
  async step() {
    const raw = this.#raw;
    this.listen();
    let out;
    for (;;) {
      // Closed (the stream was released while a wait was pending): the raw side may be gone.
      if (this.#closed) return null;
      this.#since = null;
      const action = raw.action;
      if (action !== Action.Read) this.#letGo();
      if (out !== undefined) {
        // The consumer holds the events: the deadline's timer keeps no process alive meanwhile.
        this.#timer?.unref?.();
        return out;
      }
      if (action === Action.Done) {
        this.close();
        return null;
      }
      const now = Date.now();
      this.#since = now;
      // A wait begins: the deadline's timer keeps the process alive again.
      this.#timer?.ref?.();
      if (action === Action.Read) {
        if (this.#due && this.#fire()) continue;
        const reader = this.#reader;
        // Awaited here, not in a function of its own: one promise less per chunk. A platform
        // reader's pending read settles when a deadline or an abort cancels it; any other
        // reader's read is raced, so that nothing it does can hold the call.
        let r;
        let failed = false;
        try {
          const read = reader?.read();
          r = await (reader instanceof NativeReader ? read : this.#wait(read));
        } catch (e) {
          r = e;
          failed = true;
        }
        // Let go of while the read was pending (a deadline, an abort): nothing to report.
        if (reader === null || this.#reader === reader) out = this.#took(reader, r, failed);
      } else {
        this.#due = false;
        raw.start(now, Math.random());
        this.#arm();
        if (action === Action.Send) await this.#send();
        else await this.#wait(new Promise(ignore)).catch(ignore); // a sleep: the timer ends it
      }
    }
  }

  /** The user aborted: the call ends (AbortError) and whatever is pending stops now. */
  abort() {
    if (this.#aborted || this.#closed) return;
    this.#aborted = true;
    this.#raw.abort();
    this.#letGo();
    this.#disarm();
    this.#cancelWait?.(SETTLED);
    this.#unlisten?.();
  }

  /** No more I/O: lets go of the body as the core says, stops the timer and a pending wait, removes listeners. */
  close() {
    if (this.#closed) return;
    this.#letGo();
    this.#closed = true;
    this.#disarm();
    this.#cancelWait?.(SETTLED);
    this.#unlisten?.();
  }

  async #send() {
    const raw = this.#raw;
    const controller = new AbortController();
    this.#controller = controller;
    const [method, url, coreBody, ...headers] = raw.request();
    // The user's signal aborts the fetch too (where the platform can combine signals): a response
    // handed to the caller (a file's content, its body unread) stops as a plain fetch's would.
    const signal = this.#signal instanceof AbortSignal && AbortSignal.any ? AbortSignal.any([controller.signal, this.#signal]) : controller.signal;
    const init = { method, headers: headersOf(headers), signal };
    if (this.sendType) init.headers['content-type'] = this.sendType;
    const body = this.sendBody ?? coreBody;
    if (body !== undefined) init.body = body;
    let res, pending;
    try {
      res = await this.#wait((pending = this.#fetch(url, init)));
    } catch (e) {
      if (e !== SETTLED) {
        this.lastError = e;
        // A header the platform refuses is no request any platform sends: the core's fault, not
        // a failed attempt.
        const bad = refused(init.headers);
        if (bad !== undefined) raw.fault(Fault.BadHeader, bad);
        else raw.fetch_failed(describe(e));
      } else {
        // Given up (a deadline, an abort): a response a custom fetch gives later (one that does
        // not follow the signal) is not read, and its body is cancelled (its connection closes).
        Promise.resolve(pending).then((late) => late.body.cancel()).catch(ignore);
      }
      return;
    }
    if (typeof res !== 'object' || res === null || typeof res.status !== 'number' || typeof res.headers?.get !== 'function') {
      raw.fault(Fault.NoResponse);
      return;
    }
    reportHeaders(raw, res);
    if (raw.action === Action.Done) {
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
      raw.fault(Fault.NoReader, describe(e));
    }
  }

  /** What a read of the body gave (`failed`: it threw `r`), reported to the core; returns what the core gave back (a batch, or undefined). */
  #took(reader, r, failed) {
    const raw = this.#raw;
    if (reader === null) return raw.fault(Fault.NoReader);
    if (!failed && !r.done && r.value instanceof Uint8Array) return raw.feed(r.value);
    this.#reader = null;
    if (failed) return raw.read_failed(r?.name, describe(r));
    if (!r.done) {
      cancel(reader);
      this.#unlock(reader);
      return raw.fault(Fault.BadChunk);
    }
    this.#unlock(reader);
    return raw.end();
  }

  /** Resolves with `p`, or rejects with SETTLED at once when the core's deadline passes or the call is aborted (even if `p` never settles). */
  #wait(p) {
    return new Promise((resolve, reject) => {
      // Aborted already (e.g. from inside the fetch call that produced `p`): do not wait for it.
      if (this.#aborted) reject(SETTLED);
      this.#cancelWait = reject;
      Promise.resolve(p).then(resolve, reject);
    }).finally(() => {
      this.#cancelWait = null;
    });
  }

  /** Sets the timer to the core's deadline, unless it already fires by then. */
  #arm() {
    const at = this.#raw.poll_timeout;
    if (at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#fire, Math.min(at - Date.now(), 0x7fffffff));
  }

  /** No deadline any more (closed or aborted): a pending timer would keep a process alive. */
  #disarm() {
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Infinity;
  }

  /** The timer fired: reports it during a wait (true: the call moved on, the wait is ended). */
  #fire = () => {
    this.#timer = null;
    this.#timerAt = Infinity;
    if (this.#closed) return false;
    // Nothing pending (the consumer holds its events): reported when the next wait begins.
    this.#due = this.#since === null;
    if (this.#due) return false;
    if (!this.#raw.handle_timeout(Date.now(), this.#since)) return this.#arm();
    this.#letGo();
    this.#cancelWait?.(SETTLED);
    return true;
  };

  /**
   * A body the caller gave is handed back unlocked. A fetched body is nobody else's: its lock
   * stays (releasing it makes an error, with its stack, for the reader's closed promise).
   */
  #unlock(reader) {
    if (this.#fetch !== undefined) return;
    try {
      reader.releaseLock();
    } catch {
      // released already, or held by a pending read: released when it settles
    }
  }

  /** Lets go of the current body and attempt, as the core says (cancel; cancel and abort). */
  #letGo() {
    const reader = this.#reader;
    const how = this.#aborted ? Release.Abort : this.#raw.release;
    if (reader !== null) {
      this.#reader = null;
      if (how !== Release.Nothing) {
        cancel(reader);
        this.#unlock(reader);
      }
    }
    if (how === Release.Abort) this.#controller?.abort();
    this.#controller = null;
  }
}

/** Cancels a reader; one that throws or returns no promise (not a platform stream's) changes nothing. */
function cancel(reader) {
  try {
    Promise.resolve(reader.cancel()).catch(ignore);
  } catch {
    // a foreign reader without a working cancel()
  }
}

/** The class of the platform's stream readers (a stub that matches nothing where there is none). */
const NativeReader = globalThis.ReadableStreamDefaultReader ?? class {};

/** The name of the first header `Headers` refuses, if any. */
function refused(headers) {
  for (const k in headers) {
    try {
      new Headers([[k, headers[k]]]);
    } catch {
      return k;
    }
  }
}

/** The core's flat `[name, value, …]` list as a headers object. */
export function headersOf(flat) {
  const h = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]] = flat[i + 1];
  return h;
}
