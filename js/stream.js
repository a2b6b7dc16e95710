// ResponseStream: the events of one streamed call, as an async iterator, with the Response
// snapshot kept as they are handed out. The wasm core decodes, folds and decides every outcome;
// this file moves its batches to the consumer and mirrors the snapshot (docs/architecture.md).
import { RawCall } from './cometapi_responses.js';
import { AbortError, StreamError, toError } from './errors.js';
import { Io } from './io.js';
import { Mirror } from './mirror.js';
import { validated } from './sdk.js';

export const INTERNAL = Symbol('cometapi-responses.internal');

const isObject = (v) => typeof v === 'object' && v !== null;

/**
 * A stream of Responses events: an async iterator of wire events, with the Response
 * accumulated as they arrive. Single consumer; concurrent next() calls are queued.
 */
export class ResponseStream {
  #raw;
  #io;
  #mirror = new Mirror();
  #events;
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
  #output = 0;

  /** @internal Streams come from ResponsesClient.stream(), retrieveStream() and ResponseStream.fromReadableStream(). */
  constructor(token, raw, io, validate) {
    if (token !== INTERNAL) {
      throw new TypeError('use ResponsesClient.stream(), retrieveStream() or ResponseStream.fromReadableStream()');
    }
    this.#raw = raw;
    this.#io = io;
    if (raw.structured) {
      this.#parsed = new Mirror(true);
      this.#parsed.value = undefined;
      this.#validate = validate;
    }
    this.#events = this.#generate();
  }

  /** Parses any ReadableStream of SSE bytes (e.g. the body of your own proxy's response). */
  static fromReadableStream(body) {
    if (!isObject(body) || typeof body.getReader !== 'function') {
      throw new TypeError('fromReadableStream expects a ReadableStream');
    }
    const raw = RawCall.from_body();
    return new ResponseStream(INTERNAL, raw, new Io(raw, undefined, undefined, body));
  }

  [Symbol.asyncIterator]() {
    this.#iterating = true;
    return this;
  }

  /** The next event; queued behind any pending call. */
  next() {
    return this.#events.next();
  }

  /** Leaving a `for await` loop early: aborts the request. */
  async return() {
    if (this.#state === 'open') this.#abort(new AbortError('the stream was closed before its end'));
    this.#iterating = false;
    await this.#events.return(undefined);
    return { done: true, value: undefined };
  }

  async *#generate() {
    const io = this.#io;
    const mirror = this.#mirror;
    const parsed = this.#parsed;
    const stride = parsed === null ? 3 : 4;
    try {
      for (;;) {
        if (this.#error) throw this.#error;
        const text = await io.step();
        if (this.#error) throw this.#error;
        if (text === null) break;
        const batch = JSON.parse(text);
        let ops = null;
        for (let i = 0; i + 2 < batch.length; i += stride) {
          const event = batch[i];
          // 1: the same operations as the previous event's (a run of appends; src/stream/sinks.rs)
          if (batch[i + 1] !== 1) ops = batch[i + 1];
          mirror.apply(ops, event);
          if (stride === 4) parsed.apply(batch[i + 3]);
          if (batch[i + 2] !== 0) continue; // folded only (replayed, or the failing event)
          if (this.#handlers.size !== 0) this.#emit(event);
          yield event;
          if (this.#error) throw this.#error;
        }
      }
      const e = this.#raw.error();
      if (e !== undefined) throw this.#fail(this.#toError(e));
      this.#readOutput();
      this.#end('done');
    } catch (e) {
      throw this.#fail(e);
    } finally {
      // Left early (break, return, a throwing handler) or ended: nothing more is read.
      if (this.#state === 'open') this.#fail(this.#error ?? new AbortError('the stream was closed before its end'));
      this.#iterating = false;
    }
  }

  /** A json_schema stream ended: what output_parsed is (the core decides), read before the core's memory goes. */
  #readOutput() {
    if (this.#parsed === null) return;
    try {
      this.#output = this.#raw.output_parsed();
    } catch (e) {
      this.#output = toError(e);
    }
  }

  #toError(descriptor) {
    const snapshot = this.#mirror.value;
    let response = snapshot;
    if (snapshot !== null) {
      const redacted = this.#raw.redact(JSON.stringify(snapshot));
      if (redacted !== undefined) response = JSON.parse(redacted);
    }
    return toError(descriptor, { response, cause: this.#io.lastError, raw: this.#raw });
  }

  #emit(event) {
    const run = (list) => {
      if (list) for (const handler of list) handler(event);
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
    }
    return this.#error ?? error;
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

  /** Resolves with the final Response once the stream ends (reading the rest if nobody is). */
  finalResponse() {
    this.#final ??= (async () => {
      if (this.#iterating && this.#state === 'open' && !this.#error) {
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
        const output = this.#output;
        if (output instanceof Error) throw output;
        final.output_parsed = output === 1 ? await validated(this.#validate, JSON.parse(final.output_text), final.output_text, 'the output') : null;
      }
      return final;
    })();
    return this.#final;
  }

  /** Calls `handler(event)` for events of `type` ("*" for all) as the stream is read. */
  on(type, handler) {
    if (typeof type !== 'string' || typeof handler !== 'function') throw new TypeError('on(type: string, handler: function)');
    const list = this.#handlers.get(type);
    if (list) list.push(handler);
    else this.#handlers.set(type, [handler]);
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
    this.#abort(new AbortError('the stream was aborted'));
  }

  /** Releases the stream's wasm memory now (aborting it if it is still open). */
  free() {
    if (this.#state === 'open') {
      this.#abort(new AbortError('the stream was freed before its end'));
      this.#fail(this.#error);
    }
    this.#release();
  }

  [Symbol.dispose]() {
    this.free();
  }

  /**
   * The events as a ReadableStream of text/event-stream bytes, each event exactly as the server
   * sent it (for proxies). An in-stream failure (response.failed, error) is forwarded as the
   * server sent it (the API key redacted); a broken stream errors the ReadableStream.
   */
  toReadableStream() {
    const raw = this.#raw;
    const encoder = new TextEncoder();
    if (raw === null || this.#state !== 'open') {
      return new ReadableStream({ start: (c) => (this.#error ? c.error(this.#error) : c.close()) });
    }
    raw.frames_mode();
    const io = this.#io;
    return new ReadableStream({
      pull: async (controller) => {
        try {
          for (;;) {
            const text = await io.step();
            if (text === null) break;
            controller.enqueue(encoder.encode(text));
            return;
          }
          const terminal = this.#raw?.terminal_batch();
          if (terminal !== undefined) {
            const b = JSON.parse(terminal);
            this.#mirror.apply(b[1], b[0]);
          }
          const e = this.#raw?.error();
          if (e !== undefined && !this.#raw.failure_forwarded) {
            controller.error(this.#fail(this.#toError(e)));
            return;
          }
          if (e !== undefined) this.#fail(this.#toError(e));
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
}
