// Keeps the API key out of everything the Worker passes on from the upstream: error messages,
// events, Responses. Not only the whole key is removed but every fragment of it of FRAGMENT
// characters or more (an upstream may quote the key without its `sk-` prefix, or cut), and in a
// stream a fragment split across text deltas too.

/** Fragments of the key this long or longer are redacted (the whole key when it is shorter). */
const FRAGMENT = 10;
/**
 * In a stream, text that ends with this many characters of the key (or more) is held back until the
 * next delta shows whether the key goes on: so at most HOLD - 1 characters of a key streamed in small
 * deltas are passed on before the rest is redacted. Ordinary text ends that way about once in
 * (62^4 / key length) ≈ 300 000 deltas.
 */
const HOLD = 4;
const MARK = '[redacted]';
const HASH_BASE = 31;

const isObject = (v) => typeof v === 'object' && v !== null;

let cached = null;

/** The redactor of `key` (cached: the Worker has one key). */
export function keyRedactor(key) {
  if (cached?.key !== key) cached = { key, redactor: new KeyRedactor(key) };
  return cached.redactor;
}

class KeyRedactor {
  #key;
  #size;
  /** code unit → 1 when it occurs in the key */
  #chars = new Uint8Array(65536);
  /** every #size-long substring of the key, and a filter on their rolling hashes */
  #grams = new Set();
  #filter = new Uint8Array(65536);
  #shift = 1;

  constructor(key) {
    this.#key = String(key ?? '');
    this.#size = Math.min(FRAGMENT, this.#key.length);
    if (this.#size === 0) return;
    for (let i = 0; i < this.#key.length; i++) this.#chars[this.#key.charCodeAt(i)] = 1;
    for (let i = 0; i < this.#size; i++) this.#shift = Math.imul(this.#shift, HASH_BASE);
    for (let i = 0; i + this.#size <= this.#key.length; i++) {
      const gram = this.#key.slice(i, i + this.#size);
      this.#grams.add(gram);
      let h = 0;
      for (let j = 0; j < gram.length; j++) h = (Math.imul(h, HASH_BASE) + gram.charCodeAt(j)) | 0;
      this.#filter[h >>> 16] = 1;
    }
  }

  /**
   * The [start, end) ranges of `s` made of fragments of the key (merged where they overlap or touch),
   * found in one pass with a rolling hash over runs of characters that occur in the key.
   */
  spans(s) {
    const spans = [];
    const size = this.#size;
    if (size === 0 || s.length < size) return spans;
    let h = 0;
    let run = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.#chars[c] === 0) {
        run = 0;
        h = 0;
        continue;
      }
      h = (Math.imul(h, HASH_BASE) + c) | 0;
      if (++run > size) h = (h - Math.imul(s.charCodeAt(i - size), this.#shift)) | 0;
      if (run >= size && this.#filter[h >>> 16] === 1 && this.#grams.has(s.slice(i + 1 - size, i + 1))) {
        const start = i + 1 - size;
        const last = spans.at(-1);
        if (last !== undefined && start <= last[1]) last[1] = i + 1;
        else spans.push([start, i + 1]);
      }
    }
    return spans;
  }

  /** `s` with every fragment of the key replaced by [redacted]. */
  text(s) {
    const spans = this.spans(s);
    if (spans.length === 0) return s;
    let out = '';
    let at = 0;
    for (const [start, end] of spans) {
      out += s.slice(at, start) + MARK;
      at = end;
    }
    return out + s.slice(at);
  }

  /** An error message: the key's fragments and anything shaped like an API key (sk-…) removed. */
  message(s) {
    return this.text(String(s ?? '')).replace(/\bsk-[A-Za-z0-9*._-]{4,}/g, MARK);
  }

  /** A copy of a JSON value with every string (and property name) redacted. */
  value(v) {
    if (typeof v === 'string') return this.text(v);
    if (!isObject(v)) return v;
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      // defineProperty: a "__proto__" key stays a plain property
      Object.defineProperty(out, this.text(k), { value: this.value(x), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /** The redactor of one stream: keeps what it needs of each text channel to see fragments across deltas. */
  stream() {
    return new StreamRedactor(this);
  }

  /** The length of the longest suffix of `s` (at most FRAGMENT - 1 long) that occurs in the key. */
  keySuffix(s) {
    let n = 0;
    const max = Math.min(this.#size - 1, s.length);
    while (n < max && this.#key.includes(s.slice(s.length - n - 1))) n++;
    return n;
  }

  get keyLength() {
    return this.#key.length;
  }
}

class StreamRedactor {
  #r;
  /** channel → { tail, tailRedacted, pending } (original text: decided tail, held back part) */
  #channels = new Map();

  constructor(redactor) {
    this.#r = redactor;
  }

  /**
   * A redacted copy of an event. The `delta` of a delta event (text, arguments, code: not base64 audio) is redacted together with
   * the text before it in its channel, and a possible start of the key at its end is held back and
   * passed on with the next delta of the channel (when the channel ends instead, it is dropped: the
   * `.done` event and the final Response carry the whole text, redacted).
   */
  event(event) {
    const out = this.#r.value(event);
    if (!isObject(event) || typeof event.delta !== 'string' || typeof event.type !== 'string' || /(^|\.)audio\.delta$/.test(event.type)) {
      return out;
    }
    const channel = [event.type, event.item_id, event.output_index, event.content_index, event.summary_index].join('\u0000');
    let state = this.#channels.get(channel);
    if (state === undefined) {
      state = { tail: '', tailRedacted: false, pending: '' };
      this.#channels.set(channel, state);
    }
    out.delta = this.#delta(state, event.delta);
    return out;
  }

  #delta(state, delta) {
    const r = this.#r;
    const base = state.tail.length;
    const s = state.tail + state.pending + delta;
    const spans = r.spans(s).filter(([, end]) => end > base);
    const lastEnd = spans.length === 0 ? 0 : spans.at(-1)[1];
    // hold back a possible start of the key at the end (unless the end is already redacted)
    let decideTo = s.length;
    if (lastEnd < s.length) {
      const run = r.keySuffix(s);
      if (run >= HOLD) decideTo = Math.max(base, s.length - run, lastEnd);
    }
    let out = '';
    let at = base;
    let redactedEnd = false;
    for (const [start, end] of spans) {
      if (start >= decideTo) break;
      const from = Math.max(start, base);
      out += s.slice(at, from);
      // a fragment that goes on from (or touches) one already passed on as [redacted] stays under that mark
      if (!(start <= base && state.tailRedacted)) out += MARK;
      at = Math.min(end, decideTo);
      redactedEnd = at === decideTo;
    }
    if (at < decideTo) {
      out += s.slice(at, decideTo);
      redactedEnd = false;
    }
    if (decideTo > base) state.tailRedacted = redactedEnd;
    state.tail = s.slice(Math.max(0, decideTo - r.keyLength), decideTo);
    state.pending = s.slice(decideTo);
    return out;
  }
}
