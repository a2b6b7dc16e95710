// ResponseStream: the events of one streamed call, as an async iterator, with the Response
// snapshot kept as they are handed out. The wasm core decodes, folds and decides every outcome;
// this file moves its batches to the consumer and mirrors the snapshot (docs/architecture.md).
import { Action, PatchesMark, RawCall, Show } from './cometapi_responses.js';
import { AbortError, OutputParseError, StreamError, toError } from './errors.js';
import { addHandler, eventLimit, ignore, isObject, named, optionsOf, runHandlers, signalOf, unready } from './shared.js';
import { redactText, redactValue } from './redact.js';
import { Io, reportHeaders } from './io.js';
import { Mirror } from './mirror.js';
import { parsedText, validated } from './structured.js';

export const INTERNAL = Symbol('cometapi-responses.internal');

// a batch entry's codes (src/stream/sinks.rs), read once per event
const SAME_OPS = PatchesMark.Same;
const YIELD = Show.Yield;
/** `what` on a stream another reader reads (a relay is the first and only one). */
const readAlready = (what) => new TypeError(`${what}: another reader (a relay, an iterator, on()) reads this stream`);
/** A stream of a body the app hands over: `make(maxEventSize)` makes its call; `opts.signal`'s abort ends it. */
const foreign = (body, opts, make) => {
  unready?.();
  const { signal, maxEventSize } = optionsOf(opts);
  const abort = signalOf(signal);
  const raw = make(eventLimit(maxEventSize));
  const io = new Io(raw, undefined, abort, body);
  const stream = new ResponseStream(INTERNAL, raw, io);
  io.listen();
  return stream;
};

/**
 * A stream of Responses events: an async iterator of wire events, with the Response
 * accumulated as they arrive. Single consumer; concurrent next() calls are queued.
 */
export const ResponseStream = /* @__PURE__ */ named('ResponseStream', class ResponseStream {
  #raw;
  #io;
  #mirror = new Mirror();
  /** The batch being handed out, the index of its next entry, the last entry's ops. */
  #batch = null;
  #at = 0;
  #ops = null;
  /** The iteration: 0 not begun, 1 running, 2 over (next() gives done). */
  #phase = 0;
  /** The pending next() (a read of the body): later calls wait for it; #run is handing out an event. */
  #tail = null;
  #running = false;
  #handlers = new Map();
  /** 'open' | 'done' | 'failed' */
  #state = 'open';
  #error = null;
  #iterating = false;
  #final = null;
  #ended = null;
  #endedResolve = null;
  /** json_schema streams: the partial value of the output text (the core's ops mirrored), the format's validator, what output_parsed is. */
  #parsed = null;
  #validate;
  #redactor;
  #output = 0;
  /** ready(): its promise; while it runs, it alone reads (the events it reads are held in the core). */
  #readying = null;
  /** The core holds events not taken yet (ready() read them): the next reader takes them first. */
  #held = false;
  /** Reading began (ready(), an iterator, finalResponse(), on(), toReadableStream()). */
  #started = false;
  /** A failure before the first event, as the core writes it for a proxy: [status, body, frame]. */
  #relay = null;
  /** on() started reading with nobody else reading: what it read, kept for a later reader ({ value, done } or { error }). */
  #queue = null;
  /** The read on()'s reader has in flight. */
  #ahead = null;
  /** A reader other than on()'s came (next(), toReadableStream()): on()'s reader stops. */
  #claimed = false;
  /** toReadableStream() reads the stream (finalResponse() waits for it). */
  #relayed = false;

  /** @internal Streams come from ResponsesClient.stream(), retrieveStream() and ResponseStream.fromReadableStream(). */
  constructor(token, raw, io, validate) {
    if (token !== INTERNAL) {
      throw new TypeError('use ResponsesClient.stream() or ResponseStream.fromReadableStream()');
    }
    this.#raw = raw;
    this.#io = io;
    io.onSignal = () => this.abort();
    if (raw.structured) {
      this.#parsed = new Mirror(true);
      this.#parsed.value = undefined;
      this.#validate = validate;
      // Its errors come after the call's end: the redactor outlives the call.
      this.#redactor = raw.redactor();
    }
  }

  /**
   * Parses any ReadableStream of SSE bytes (e.g. the body of your own proxy's response). An
   * `event: error` frame written by toReadableStream() becomes the error it stands for. With
   * `signal`, aborting it ends the stream with AbortError (so does a body whose read fails
   * with an AbortError, e.g. the fetch it came from was aborted).
   */
  static fromReadableStream(body, opts) {
    if (!isObject(body) || typeof body.getReader !== 'function') {
      throw new TypeError('fromReadableStream expects a ReadableStream');
    }
    return foreign(body, opts, RawCall.from_body);
  }

  /**
   * Reads a fetch Response of your own proxy (e.g. one toResponse() made): a success status is
   * read as an SSE stream (as fromReadableStream), an error status as the API's error body
   * (ApiError with its status, code, type, param, message and requestId).
   */
  static fromResponse(res, opts) {
    if (!isObject(res) || typeof res.status !== 'number' || typeof res.headers?.get !== 'function') {
      throw new TypeError('fromResponse expects a Response');
    }
    const body = res.body ?? undefined;
    return foreign(body, opts, (limit) => {
      const raw = RawCall.from_response(limit);
      reportHeaders(raw, res);
      if (body === undefined) raw.no_body();
      return raw;
    });
  }

  [Symbol.asyncIterator]() {
    this.#iterating = true;
    return this;
  }

  /** The next event; queued behind any pending call. */
  next() {
    // The relay reads the body: the events are its (on() handlers see them).
    if (this.#relayed) return this.#state === 'open' ? Promise.reject(readAlready('next()')) : Promise.resolve({ value: undefined, done: true });
    if (this.#queue === null) return this.#next();
    this.#claimed = true;
    return this.#fromQueue();
  }

  /** next() after on() read ahead: what it read first, in order, then the stream itself. */
  async #fromQueue() {
    while (this.#ahead) await this.#ahead;
    const r = this.#queue?.shift();
    if (r === undefined) {
      // Drained, and on()'s reader has stopped: next() reads the stream directly again.
      this.#queue = null;
      return this.#next();
    }
    if ('error' in r) throw r.error;
    return r;
  }

  /** on() with nobody reading: reads the stream (handlers fire), keeping the events for a later reader. */
  async #pump() {
    if (this.#readying) await this.#readying.then(ignore, ignore);
    while (!this.#claimed && this.#state === 'open') {
      this.#ahead = this.#next().then(
        (r) => {
          this.#queue.push(r);
          this.#ahead = null;
          return r.done;
        },
        (error) => {
          this.#queue.push({ error });
          this.#ahead = null;
          return true;
        },
      );
      if (await this.#ahead) break;
    }
  }

  /** ready() and on()'s reader are done with the I/O (before another reader takes it). */
  async #settle() {
    this.#claimed = true;
    if (this.#readying) await this.#readying.then(ignore, ignore);
    while (this.#ahead) await this.#ahead;
  }

  /** Leaving a `for await` loop early: aborts the request (after a pending next(), which the abort ends). */
  async return() {
    const raw = this.#raw;
    // Left at the terminal event (the last of its batch): the stream has ended, nothing to abort.
    if (raw?.action === Action.Done && !this.#held && !(this.#batch?.length > this.#at + 2) && !this.#queue?.length && raw.error() === undefined) {
      this.#readOutput();
      this.#end('done');
    }
    if (this.#state === 'open') this.#abort(new AbortError('the stream was closed before its end'));
    this.#iterating = false;
    const end = () => {
      if (this.#phase === 1) this.#finish(null);
      this.#phase = 2;
    };
    const tail = this.#tail;
    if (tail === null) end();
    else {
      // Queued behind the pending next(), as a generator's return(): a next() called after it gives done.
      const p = tail.then(end, end);
      this.#tail = p;
      await p;
      if (this.#tail === p) this.#tail = null;
    }
    return { done: true, value: undefined };
  }

  /** The next result, after any pending one (a handler's next() waits for the one that fired it): a promise. */
  #next() {
    let p;
    if (this.#tail === null && !this.#running) {
      this.#running = true;
      p = this.#run();
      this.#running = false;
      if (!(p instanceof Promise)) return Promise.resolve(p);
    } else p = (this.#tail ?? Promise.resolve()).then(() => this.#run(), () => this.#run());
    this.#tail = p;
    const clear = () => {
      if (this.#tail === p) this.#tail = null;
    };
    p.then(clear, clear);
    return p;
  }

  /**
   * Hands out the next shown event of the current batch (applying each entry to the snapshot),
   * taking the next batch when it is used up: the result, or a promise of it when the body must
   * be read. A failure ends the iteration (a rejected promise).
   */
  #run() {
    if (this.#phase === 2) return { value: undefined, done: true };
    try {
      if (this.#phase === 0) {
        this.#phase = 1;
        this.#started = true;
        if (this.#readying) return this.#readying.then(ignore, ignore).then(() => this.#run());
      }
      for (;;) {
        if (this.#error) throw this.#error;
        const batch = this.#batch;
        while (batch !== null && this.#at + 2 < batch.length) {
          const i = this.#at;
          this.#at = i + (this.#parsed === null ? 3 : 4); // json_schema streams: the output's ops too
          if (this.#fold(batch, i)) return { value: batch[i], done: false };
        }
        this.#batch = null;
        this.#at = 0;
        if (!this.#held) return this.#read();
        this.#held = false;
        const text = this.#raw.take_pending();
        if (text !== undefined) this.#batch = JSON.parse(text);
      }
    } catch (e) {
      return Promise.reject(this.#finish(e));
    }
  }

  /** Applies entry `i` of `batch` to the snapshot; whether its event is handed out (then handlers saw it). */
  #fold(batch, i) {
    const event = batch[i];
    // the same operations as the previous event's (a run of appends; src/stream/sinks.rs)
    if (batch[i + 1] !== SAME_OPS) this.#ops = batch[i + 1];
    this.#apply(this.#ops, event);
    this.#parsed?.apply(batch[i + 3]);
    if (batch[i + 2] !== YIELD) return false; // folded only (replayed, or the failing event)
    if (this.#handlers.size !== 0) this.#emit(event);
    return true;
  }

  /** Reads the body until the core has a batch (then hands out its first event) or the stream ends. */
  async #read() {
    try {
      const text = await this.#io.step();
      if (this.#error) throw this.#error;
      if (text !== null) {
        this.#batch = JSON.parse(text);
        return this.#run();
      }
      const e = this.#raw.error();
      if (e !== undefined) throw this.#toError(e);
      this.#readOutput();
      this.#end('done');
    } catch (e) {
      throw this.#finish(e);
    }
    this.#finish(null);
    return { value: undefined, done: true };
  }

  /** The iteration is over (`error`: its failure, returned as the stream's): nothing more is read. */
  #finish(error) {
    this.#phase = 2;
    if (error !== null) error = this.#fail(error);
    // Left early (return, a throwing handler) or ended
    else if (this.#state === 'open') this.#fail(this.#error ?? new AbortError('the stream was closed before its end'));
    this.#iterating = false;
    return error;
  }

  /** A json_schema stream ended: what output_parsed is (the core decides), read before the core's memory goes. */
  #readOutput() {
    if (this.#parsed === null) return;
    try {
      this.#output = this.#raw.output_parsed();
    } catch (e) {
      const err = toError(e);
      // The core follows the text without keeping it: when the terminal event did not restate
      // the output, the text is the snapshot's.
      const text = this.#mirror.value?.output_text;
      if (err instanceof OutputParseError && err.text === '' && typeof text === 'string') {
        const raw = this.#raw;
        err.text = redactText(text, (t) => raw.redact(t));
      }
      this.#output = err;
    }
  }

  #toError(descriptor) {
    return toError(descriptor, { response: this.#redacted(this.#mirror.value), cause: this.#io.lastError, raw: this.#raw });
  }

  /** `snapshot` with the API key redacted from every string in it. */
  #redacted(snapshot) {
    const raw = this.#raw;
    return raw === null ? snapshot : redactValue(snapshot, (text) => raw.redact(text));
  }

  /** Applies a batch entry's ops to the snapshot; a text too long for a string is a StreamError carrying the snapshot, redacted. */
  #apply(ops, event) {
    try {
      this.#mirror.apply(ops, event);
    } catch (e) {
      if (e instanceof StreamError) e.response = this.#redacted(e.response);
      throw e;
    }
  }

  #emit(event) {
    // A copy: a handler may off() itself (or another) while the event is handed out.
    const run = (list) => {
      if (list) for (const handler of [...list]) handler(event);
    };
    try {
      run(this.#handlers.get(event.type));
      run(this.#handlers.get('*'));
    } catch (e) {
      this.#abort(e);
      throw e;
    }
  }

  #fail(error) {
    if (this.#state === 'open') {
      this.#error ??= error;
      this.#end('failed');
      this.#emitFailure(this.#error);
    }
    return this.#error ?? error;
  }

  /** The stream failed: on('abort') handlers get an AbortError, on('error') handlers any other error. */
  #emitFailure(error) {
    const list = this.#handlers.get(error instanceof AbortError ? 'abort' : 'error');
    if (list) runHandlers(list, error);
  }

  #end(state) {
    this.#state = state;
    this.#release();
    this.#endedResolve?.();
  }

  /** The stream is over: its wasm memory goes now, not when the garbage collector gets to it. */
  #release() {
    const raw = this.#raw;
    if (raw === null) return;
    this.#io.close();
    this.#raw = null;
    raw.free();
  }

  #abort(error) {
    if (this.#state !== 'open') return;
    this.#error ??= error;
    this.#io.abort();
    // A finalResponse() waiting for the iteration to end must not wait for a loop that left.
    this.#endedResolve?.();
  }

  /**
   * Resolves with the final Response once the stream ends. It reads the rest itself only when
   * nobody else reads: a reader started in the same task (a `for await`, toReadableStream(),
   * toResponse()) keeps every event, and this waits for its end.
   */
  finalResponse() {
    this.#final ??= (async () => {
      await null; // the rest of this task: toResponse() starts ready(), then the relay
      await this.#readying?.then(ignore, ignore);
      if ((this.#iterating || this.#relayed) && this.#state === 'open' && !this.#error) {
        this.#ended ??= new Promise((resolve) => (this.#endedResolve = resolve));
        await this.#ended;
      } else {
        for (;;) {
          try {
            if ((await this.next()).done) break;
          } catch {
            break;
          }
        }
      }
      if (this.#error) throw this.#error;
      const final = this.#mirror.value;
      if (this.#state !== 'done' || final === null) {
        throw new StreamError('the stream ended without a final response', { response: final });
      }
      if (this.#parsed !== null) {
        const at = this.#output;
        const redact = (t) => this.#redactor?.redact(t);
        if (at instanceof Error) {
          at.response ??= redactValue(final, redact);
          throw at;
        }
        const text = parsedText(final, at);
        final.output_parsed = at.length ? await validated(this.#validate, JSON.parse(text), text, 'the output', redact, final) : null;
      }
      return final;
    })();
    return this.#final;
  }

  /**
   * Calls `handler(event)` for events of `type` ("*" for all) as the stream is read;
   * `on('error', h)` / `on('abort', h)`: `h(error)` when the stream fails (AbortError goes to
   * 'abort'). Starts reading the stream if nothing else does (after the current task, so a
   * reader chosen in the same task takes it from the start); what it reads before an iterator
   * or finalResponse() asks is kept for them.
   */
  on(type, handler) {
    addHandler(this.#handlers, type, handler);
    if (this.#queue === null && this.#state === 'open') {
      this.#queue = [];
      queueMicrotask(() => {
        if (!this.#claimed && !this.#iterating && this.#final === null) this.#pump();
        else if (this.#queue?.length === 0 && this.#ahead === null) this.#queue = null;
      });
    }
    return this;
  }

  /** Removes a handler added with on(). */
  off(type, handler) {
    const list = this.#handlers.get(type);
    const i = list ? list.indexOf(handler) : -1;
    if (i >= 0) list.splice(i, 1);
    if (list && list.length === 0) this.#handlers.delete(type);
    return this;
  }

  /** The Response built from the events read so far (with output_text), or null before response.created. */
  get response() {
    return this.#mirror.value;
  }

  /** json_schema streams: the best-effort value of the output text so far (undefined before any, and on other streams). */
  get partialParsed() {
    return this.#parsed?.value;
  }

  /** Aborts the request; iteration and finalResponse() then reject with AbortError. */
  abort() {
    this.#stop('the stream was aborted');
  }

  /** Releases the stream's wasm memory now (aborting it if it is still open). */
  free() {
    this.#stop('the stream was freed before its end');
    this.#release();
  }

  /**
   * Aborts an open stream and ends it now: its memory goes and on('abort') handlers run even
   * if nothing reads it again (a read in flight ends with the same AbortError).
   */
  #stop(why) {
    this.#abort(new AbortError(why));
    this.#fail(this.#error);
  }

  [Symbol.dispose]() {
    this.free();
  }

  /**
   * Resolves once the first event arrived (it is kept for whoever reads the stream next);
   * rejects with the error when the request failed before any event (an HTTP error, an
   * unreachable upstream, a timeout, an abort, a stream whose first event is a failure). Lets a
   * server route choose its HTTP status before answering. Called after reading began, it
   * settles at once.
   */
  ready() {
    this.#readying ??= this.#waitReady();
    return this.#readying;
  }

  async #waitReady() {
    if (this.#started || this.#state !== 'open') {
      if (this.#state === 'failed') throw this.#error;
      return;
    }
    this.#started = true;
    const raw = this.#raw;
    raw.hold();
    this.#held = true;
    const text = await this.#io.step();
    if (this.#error) throw this.#fail(this.#error);
    const e = raw.error();
    if (text === null && raw.held !== true && e !== undefined) {
      this.#relay = raw.relay() ?? null;
      throw this.#fail(this.#toError(e));
    }
  }

  /**
   * A Response for a server route: once ready(), status 200 with the events as
   * text/event-stream (toReadableStream()), an in-stream failure (`error`, `response.failed`)
   * that is the first event too; on a failure before the first event, the upstream's status
   * (502 when it had none, 504 for a timeout) with the API's JSON error body (`{"error":{…}}`
   * plus `status` and `request_id`; ResponseStream.fromResponse reads it back). Rejects only
   * with an AbortError. `init.headers` are added to the answer's.
   */
  async toResponse(init) {
    const headers = new Headers(isObject(init) ? init.headers : undefined);
    let status = 200, body;
    try {
      await this.ready();
      body = this.toReadableStream();
    } catch (e) {
      const r = this.#relay;
      if (r === null) throw e;
      [status, body] = r;
    }
    // 200: the events (an in-stream failure that came first among them, as the server sent it).
    if (status !== 200) headers.set('content-type', 'application/json');
    else {
      if (!headers.has('content-type')) headers.set('content-type', 'text/event-stream; charset=utf-8');
      if (!headers.has('cache-control')) headers.set('cache-control', 'no-cache');
    }
    return new Response(body, { status, headers });
  }

  /**
   * The events as a ReadableStream of text/event-stream bytes, each event exactly as the server
   * sent it (for proxies). An in-stream failure (response.failed, error) is forwarded as the
   * server sent it (the API key redacted); any other failure — an HTTP error before the first
   * byte, an unreachable upstream, a timeout, a broken body — as an `event: error` frame in the
   * API's error shape that fromReadableStream() reads back as the same error (docs: README,
   * "Full stack"). Only an abort errors the ReadableStream (and an event handler that throws:
   * its error, as when iterating).
   */
  toReadableStream() {
    const encoder = new TextEncoder();
    const ended = (c) => {
      const frame = this.#relay?.[2];
      if (frame) {
        c.enqueue(encoder.encode(frame));
        c.close();
      } else if (this.#error) c.error(this.#error);
      else c.close();
    };
    // One reader of the body: a relay begins before any other (ready() aside, whose event it takes).
    if (this.#relayed || this.#phase !== 0 || this.#ahead !== null || this.#queue?.length) throw readAlready('toReadableStream()');
    if (this.#raw === null || this.#state !== 'open') return new ReadableStream({ start: ended });
    this.#claimed = true;
    this.#relayed = true;
    this.#started = true;
    const io = this.#io;
    let first = true;
    // With handlers of events, the events are also folded and handed to them (the snapshot
    // follows): the core writes batches and their frames beside; else frames only.
    let teed = false;
    /** The frames of `text` (a batch when teed, whose events are folded first). */
    const frames = (text) => {
      if (!teed || text === undefined || text === null) return text;
      const batch = JSON.parse(text);
      for (let i = 0; i + 2 < batch.length; i += this.#parsed === null ? 3 : 4) {
        this.#fold(batch, i);
        if (this.#error) throw this.#error; // a handler aborted the stream
      }
      return this.#raw.take_frames();
    };
    return new ReadableStream({
      pull: async (controller) => {
        try {
          let text;
          if (first) {
            first = false;
            await this.#settle();
            if (this.#raw === null || this.#state !== 'open') return ended(controller);
            teed = [...this.#handlers.keys()].some((type) => type !== 'error' && type !== 'abort');
            if (teed) this.#raw.tee();
            else this.#raw.frames_mode();
            this.#held = false;
            // What ready() read (the whole stream, when it came at once) goes first.
            text = frames(this.#raw.take_pending());
          }
          while (text === undefined) text = frames(await io.step());
          if (text !== null) {
            controller.enqueue(encoder.encode(text));
            // The last frames: the body ends with them (a reader that stops at the outcome aborts nothing).
            if (this.#raw?.action !== Action.Done) return;
          }
          const raw = this.#raw;
          if (raw === null) return ended(controller);
          const terminal = teed ? undefined : raw.terminal_batch();
          if (terminal !== undefined) {
            const b = JSON.parse(terminal);
            this.#apply(b[1], b[0]);
          }
          const e = raw.error();
          if (e !== undefined && !raw.failure_forwarded) {
            const frame = raw.relay()?.[2];
            const err = this.#fail(this.#toError(e));
            if (frame === undefined) return controller.error(err);
            controller.enqueue(encoder.encode(frame));
          } else if (e !== undefined) this.#fail(this.#toError(e));
          else {
            this.#readOutput();
            this.#end('done');
          }
          controller.close();
        } catch (err) {
          controller.error(this.#fail(err));
        }
      },
      cancel: () => this.abort(),
    });
  }
});
