// The public JS API (DESIGN.md §2): thin classes over the raw wasm exports.
// Every environment entry (node.js, browser.js, workerd.js, web.js) initialises the wasm
// instance and re-exports this module.
import { RawAccumulator, RawClient, RawSseParser, RawStream } from './cometapi_responses.js';
import { AbortError, ApiError, StreamError, ValidationError, toError } from './errors.js';

export {
  ApiError,
  CometApiError,
  ConnectionError,
  TimeoutError,
  AbortError,
  StreamError,
  ValidationError,
} from './errors.js';

const INTERNAL = Symbol('cometapi-responses.internal');

const call = (fn) => {
  try {
    return fn();
  } catch (e) {
    throw toError(e);
  }
};

const isObject = (v) => typeof v === 'object' && v !== null;

/** The parsed snapshot of a raw stream/accumulator, parsed again only when its version moved. */
class SnapshotCache {
  #version = -1;
  #value = null;
  #text = undefined;
  #released = false;
  get(raw) {
    if (this.#released) {
      if (this.#text !== undefined) {
        this.#value = JSON.parse(this.#text);
        this.#text = undefined;
      }
      return this.#value;
    }
    const version = raw.version;
    if (version !== this.#version) {
      const text = raw.snapshot();
      this.#value = text === undefined ? null : JSON.parse(text);
      this.#version = version;
    }
    return this.#value;
  }
  /** The raw object is about to be freed: keep its last snapshot (as text, parsed on demand). */
  release(raw) {
    if (this.#released) return;
    if (raw.version !== this.#version) this.#text = raw.snapshot();
    this.#released = true;
  }
}

const freed = (what) => new TypeError(`this ${what} was freed (free() or [Symbol.dispose]() was called)`);

function jsonParams(params) {
  try {
    return JSON.stringify(params ?? null);
  } catch (e) {
    throw new ValidationError(`params cannot be serialised to JSON: ${e.message}`, { param: 'params' });
  }
}

function headersJson(headers, where) {
  if (headers === undefined || headers === null) return undefined;
  if (typeof headers.entries === 'function' && typeof headers.get === 'function') {
    headers = Object.fromEntries(headers.entries());
  }
  if (!isObject(headers)) throw new TypeError(`${where} must be an object of strings`);
  return JSON.stringify(headers);
}

function checkNumber(value, name, { integer = false } = {}) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new TypeError(`${name} must be a ${integer ? 'non-negative integer' : 'non-negative number'}, got ${String(value)}`);
  }
  return value;
}

/** The per-request options → the raw call's trailing arguments. */
function requestArgs(opts) {
  if (opts === undefined || opts === null) return [undefined, undefined, undefined, undefined];
  if (!isObject(opts)) throw new TypeError('options must be an object');
  const { signal } = opts;
  if (signal !== undefined && signal !== null && !(isObject(signal) && typeof signal.addEventListener === 'function' && 'aborted' in signal)) {
    throw new TypeError('options.signal must be an AbortSignal');
  }
  return [
    signal ?? undefined,
    checkNumber(opts.timeout, 'options.timeout'),
    checkNumber(opts.maxRetries, 'options.maxRetries', { integer: true }),
    headersJson(opts.headers, 'options.headers'),
  ];
}

function checkId(id) {
  if (typeof id !== 'string') throw new TypeError(`a response id must be a string, got ${typeof id}`);
  return id;
}

/** A client of the Responses API. */
export class ResponsesClient {
  #raw;

  constructor(options = {}) {
    if (!isObject(options)) throw new TypeError('options must be an object');
    const { apiKey, baseURL, fetch, headers, maxRetries, timeout } = options;
    if (apiKey !== undefined && apiKey !== null && typeof apiKey !== 'string') throw new TypeError('apiKey must be a string');
    if (baseURL !== undefined && baseURL !== null && typeof baseURL !== 'string') throw new TypeError('baseURL must be a string');
    if (fetch !== undefined && fetch !== null && typeof fetch !== 'function') throw new TypeError('fetch must be a function');
    this.#raw = call(() => new RawClient(
      apiKey ?? undefined,
      baseURL ?? undefined,
      fetch ?? undefined,
      headersJson(headers, 'headers'),
      checkNumber(maxRetries, 'maxRetries', { integer: true }),
      checkNumber(timeout, 'timeout'),
    ));
  }

  /** POST /responses (non-streaming) → the Response, with `output_text` always set. */
  async create(params, opts) {
    const body = jsonParams(params);
    const args = requestArgs(opts);
    try {
      return JSON.parse(await this.#raw.create(body, ...args));
    } catch (e) {
      throw toError(e);
    }
  }

  /** POST /responses with `stream: true` → a ResponseStream (returned at once; invalid params throw). */
  stream(params, opts) {
    const body = jsonParams(params);
    const args = requestArgs(opts);
    return new ResponseStream(INTERNAL, call(() => this.#raw.stream(body, ...args)));
  }

  /** GET /responses/{id} → the Response. */
  async retrieve(id, opts) {
    const args = requestArgs(opts);
    try {
      return JSON.parse(await this.#raw.retrieve(checkId(id), ...args));
    } catch (e) {
      throw toError(e);
    }
  }

  /** GET /responses/{id}?stream=true → a ResponseStream replaying events after `startingAfter`. */
  retrieveStream(id, opts = {}) {
    const startingAfter = checkNumber(opts?.startingAfter, 'startingAfter', { integer: true });
    const args = requestArgs(opts);
    return new ResponseStream(INTERNAL, call(() => this.#raw.retrieve_stream(checkId(id), startingAfter, ...args)));
  }

  /** POST /responses/{id}/cancel → the Response (background responses only). */
  async cancel(id, opts) {
    const args = requestArgs(opts);
    try {
      return JSON.parse(await this.#raw.cancel(checkId(id), ...args));
    } catch (e) {
      throw toError(e);
    }
  }

  /** DELETE /responses/{id} → { id, object, deleted }. */
  async delete(id, opts) {
    const args = requestArgs(opts);
    try {
      return JSON.parse(await this.#raw.delete(checkId(id), ...args));
    } catch (e) {
      throw toError(e);
    }
  }

  /** GET /responses/{id}/input_items → { data, first_id, last_id, has_more }. */
  async inputItems(id, opts = {}) {
    const { after, limit, order, include } = opts ?? {};
    if (after !== undefined && typeof after !== 'string') throw new TypeError('after must be a string');
    if (order !== undefined && typeof order !== 'string') throw new TypeError('order must be a string');
    if (include !== undefined && !(Array.isArray(include) && include.every((s) => typeof s === 'string'))) {
      throw new TypeError('include must be an array of strings');
    }
    checkNumber(limit, 'limit', { integer: true });
    const args = requestArgs(opts);
    try {
      return JSON.parse(await this.#raw.input_items(checkId(id), after, limit, order, include ?? [], ...args));
    } catch (e) {
      throw toError(e);
    }
  }
}

/**
 * A stream of Responses events: an async iterator of wire events, with the Response
 * accumulated as they arrive. Single consumer; concurrent next() calls are queued.
 */
export class ResponseStream {
  #raw;
  #batch = [];
  #index = 0;
  /** 'open' | 'done' | 'failed' */
  #state = 'open';
  #error = null;
  #aborted = false;
  #iterating = false;
  #handlers = new Map();
  #chain = Promise.resolve();
  #ended = null;
  #endedResolve = null;
  #final = null;
  /** The body's reader (undefined before the headers, null when there is none). */
  #reader = undefined;
  #snapshot = new SnapshotCache();
  /** The final Response as JSON text, kept when the wasm side is released at the end. */
  #finalJson = undefined;

  /** @internal Streams come from ResponsesClient.stream() and ResponseStream.fromReadableStream(). */
  constructor(token, raw) {
    if (token !== INTERNAL) {
      throw new TypeError('use ResponsesClient.stream(), retrieveStream() or ResponseStream.fromReadableStream()');
    }
    this.#raw = raw;
  }

  /** Parses any ReadableStream of SSE bytes (e.g. the body of your own proxy's response). */
  static fromReadableStream(body) {
    if (!isObject(body) || typeof body.getReader !== 'function') {
      throw new TypeError('fromReadableStream expects a ReadableStream');
    }
    return new ResponseStream(INTERNAL, RawStream.fromReadableStream(body));
  }

  [Symbol.asyncIterator]() {
    this.#iterating = true;
    return this;
  }

  /** The next event; queued behind any pending call. */
  next() {
    const p = this.#chain.then(() => this.#pull());
    this.#chain = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  /** Leaving a `for await` loop early: aborts the request. */
  async return() {
    if (this.#state === 'open') this.#abort(new AbortError('the stream was closed before its end'));
    this.#iterating = false;
    return { done: true, value: undefined };
  }

  async #pull() {
    for (;;) {
      if (this.#state !== 'open') {
        this.#iterating = false;
        return { done: true, value: undefined };
      }
      if (this.#aborted) throw this.#fail(this.#error ?? new AbortError('the request was aborted'));
      if (this.#index < this.#batch.length) {
        const event = this.#batch[this.#index++];
        try {
          this.#raw.step();
        } catch (e) {
          throw this.#fail(toError(e));
        }
        if (this.#handlers.size !== 0) this.#emit(event);
        return { done: false, value: event };
      }
      let text;
      try {
        text = await this.#read();
      } catch (e) {
        throw this.#fail(this.#aborted ? this.#error ?? toError(e) : toError(e));
      }
      if (text === null) {
        this.#end('done');
        continue;
      }
      if (text !== undefined) {
        this.#batch = JSON.parse(text);
        this.#index = 0;
      }
    }
  }

  /**
   * Reads one chunk of the body (here, in JS: one `await reader.read()`, no wasm future per
   * chunk) and feeds it to the wasm side synchronously: the JSON batch of the events it
   * completed, `undefined` for none yet, `null` at the normal end; throws the stream's error.
   */
  async #read() {
    if (this.#reader === undefined) this.#reader = (await this.#raw.open()) ?? null;
    if (this.#reader === null || this.#raw.finished) {
      this.#raw.close();
      return this.#raw.end() ?? null;
    }
    let r;
    try {
      this.#raw.wait();
      r = await this.#reader.read();
    } catch (e) {
      return this.#raw.end(e ?? new Error('read failed')) ?? null;
    }
    if (r.done) return this.#raw.end() ?? null;
    if (!(r.value instanceof Uint8Array)) return this.#raw.bad_chunk() ?? null;
    return this.#raw.feed(r.value);
  }

  #emit(event) {
    const run = (list) => {
      if (list) for (const handler of list) handler(event);
    };
    try {
      run(this.#handlers.get(event.type));
      run(this.#handlers.get('*'));
    } catch (e) {
      this.#raw?.abort();
      throw this.#fail(e);
    }
  }

  #fail(error) {
    if (this.#state === 'open') {
      this.#error = error;
      this.#end('failed');
    }
    return error;
  }

  #end(state) {
    this.#state = state;
    this.#batch = [];
    this.#release();
    this.#endedResolve?.();
  }

  /** The stream is over: its wasm memory goes now, not when the garbage collector gets to it. */
  #release() {
    const raw = this.#raw;
    if (raw === null) return;
    if (this.#state === 'done') this.#finalJson = raw.final_response();
    this.#snapshot.release(raw);
    this.#raw = null;
    try {
      raw.close();
    } finally {
      raw.free();
    }
  }

  /** Releases the stream's wasm memory now (aborting it if it is still open). */
  free() {
    if (this.#state === 'open' && !this.#aborted) this.#abort(new AbortError('the stream was freed before its end'));
    this.#release();
  }

  [Symbol.dispose]() {
    this.free();
  }

  #abort(error) {
    this.#aborted = true;
    this.#error ??= error;
    this.#raw?.abort();
    // Nothing more will be read: a read in flight settles with the abort and finds no raw side.
    this.#release();
    // A finalResponse() waiting for the iteration to end must not wait for a loop that left.
    this.#endedResolve?.();
  }

  /** Resolves with the final Response once the stream ends (reading the rest if nobody is). */
  finalResponse() {
    this.#final ??= (async () => {
      if (this.#iterating && this.#state === 'open' && !this.#aborted) {
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
      const json = this.#finalJson;
      if (json === undefined) throw new StreamError('the stream ended without a final response', { response: this.response });
      return JSON.parse(json);
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
    return this.#snapshot.get(this.#raw);
  }

  /** Aborts the request; iteration and finalResponse() then reject with AbortError. */
  abort() {
    if (this.#state === 'open') this.#abort(new AbortError('the stream was aborted'));
  }

  /**
   * The events as a ReadableStream of text/event-stream bytes (for proxies). An in-stream
   * failure (response.failed, error) is forwarded as the server sent it; a broken stream errors.
   */
  toReadableStream() {
    const encoder = new TextEncoder();
    const frame = (type, data) => encoder.encode(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    return new ReadableStream({
      pull: async (controller) => {
        try {
          const { done, value } = await this.next();
          if (done) controller.close();
          else controller.enqueue(frame(value.type, value));
        } catch (e) {
          if (e instanceof ApiError && e.status === undefined && isObject(e.body) && typeof e.body.type === 'string') {
            controller.enqueue(frame(e.body.type, e.body));
            controller.close();
          } else {
            controller.error(e);
          }
        }
      },
      cancel: () => this.abort(),
    });
  }
}

/** Builds the Response snapshot from wire events (the same rules as ResponseStream). */
export class ResponseAccumulator {
  #raw = new RawAccumulator();
  #snapshot = new SnapshotCache();

  /** Folds one event (a plain object as on the wire) into the snapshot. */
  push(event) {
    if (this.#raw === null) throw freed('ResponseAccumulator');
    if (!isObject(event)) throw new TypeError('push(event) expects an event object');
    call(() => this.#raw.push(JSON.stringify(event)));
    return this;
  }

  /** The Response so far (with output_text), or null before the first lifecycle event. */
  get response() {
    return this.#snapshot.get(this.#raw);
  }

  /** Releases the wasm memory now; `response` stays readable, `push` throws. */
  free() {
    const raw = this.#raw;
    if (raw === null) return;
    this.#snapshot.release(raw);
    this.#raw = null;
    raw.free();
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/** WHATWG-exact incremental Server-Sent Events parser. */
export class SseParser {
  #raw;
  constructor(options = {}) {
    this.#raw = new RawSseParser(checkNumber(options?.maxEventSize, 'maxEventSize'));
  }
  // The event type and last event ID of the previous event: the raw feed sends them only
  // when they change.
  #event = '';
  #id = '';
  /** Feeds one chunk (Uint8Array); returns the events it completed: [{ event, data, lastEventId }]. */
  feed(chunk) {
    if (this.#raw === null) throw freed('SseParser');
    if (!(chunk instanceof Uint8Array)) throw new TypeError('feed(chunk) expects a Uint8Array');
    const flat = call(() => this.#raw.feed(chunk));
    if (flat === undefined) return [];
    const out = new Array(flat.length / 3);
    for (let i = 0, j = 0; i < flat.length; i += 3, j++) {
      if (flat[i] !== undefined) this.#event = flat[i];
      if (flat[i + 2] !== undefined) this.#id = flat[i + 2];
      out[j] = { event: this.#event, data: flat[i + 1], lastEventId: this.#id };
    }
    return out;
  }
  /** Ends the stream: an unfinished event is discarded (the spec); returns []. The parser keeps no
   * buffer after it (and can parse a new stream). */
  finish() {
    if (this.#raw === null) throw freed('SseParser');
    call(() => this.#raw.finish());
    return [];
  }
  /** The last valid `retry:` value in ms, or undefined. */
  get retry() {
    return this.#raw === null ? this.#retry : this.#raw.retry;
  }
  #retry = undefined;
  /** Releases the wasm memory now; the parser cannot be used after it. */
  free() {
    const raw = this.#raw;
    if (raw === null) return;
    this.#retry = raw.retry;
    this.#raw = null;
    raw.free();
  }
  [Symbol.dispose]() {
    this.free();
  }
}
