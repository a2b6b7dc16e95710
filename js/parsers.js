// The low-level pieces: ResponseAccumulator (fold wire events into a Response, as a stream does)
// and SseParser (WHATWG-exact Server-Sent Events). Both keep their work in the wasm core.
import { RawAccumulator, RawSseParser } from './cometapi_responses.js';
import { call } from './errors.js';
import { eventLimit, freed, isObject, named, unready } from './shared.js';
import { Mirror } from './mirror.js';

/** Builds the Response snapshot from wire events (the same rules as ResponseStream). */
export const ResponseAccumulator = /* @__PURE__ */ named('ResponseAccumulator', class ResponseAccumulator {
  #raw = (unready?.(), new RawAccumulator());
  #mirror = new Mirror();
  /** The last ops the core sent: a run of deltas repeats them (the core then sends none). */
  #ops = [];

  /** Folds one event (a plain object as on the wire) into the snapshot. */
  push(event) {
    if (this.#raw === null) throw freed('ResponseAccumulator');
    if (!isObject(event)) throw new TypeError('push(event) expects an event object');
    const ops = call(() => this.#raw.push(JSON.stringify(event)));
    if (ops !== undefined) this.#ops = JSON.parse(ops);
    this.#mirror.apply(this.#ops, event);
    return this;
  }

  /** The Response so far (with output_text), or null before the first lifecycle event. */
  get response() {
    return this.#mirror.value;
  }

  /** Releases the wasm memory now; `response` stays readable, `push` throws. */
  free() {
    const raw = this.#raw;
    this.#raw = null;
    raw?.free();
  }

  [Symbol.dispose]() {
    this.free();
  }
});

/** WHATWG-exact incremental Server-Sent Events parser. */
export const SseParser = /* @__PURE__ */ named('SseParser', class SseParser {
  #raw;
  #retry = undefined;
  // The event type and last event ID of the previous event: the raw feed sends them only
  // when they change.
  #event = '';
  #id = '';

  constructor(options = {}) {
    unready?.();
    this.#raw = new RawSseParser(eventLimit(options?.maxEventSize));
  }

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
});
