// createRedactor for the bench's floor and openai Workers (bench/lib/edge.mjs), which bundle no
// wasm: the example Worker's redaction in plain JS (every 10-character fragment of the key, also
// split across the deltas of a stream), so that every variant does the same redaction work.

/** Fragments of the key this long or longer are redacted (the whole key when it is shorter). */
const FRAGMENT = 10;
const MARK = '[redacted]';
const HASH_BASE = 31;

const isObject = (v) => typeof v === 'object' && v !== null;

/** The package's createRedactor API over KeyRedactor. */
export function createRedactor(key) {
  const r = new KeyRedactor(key);
  return { redact: (s) => r.text(String(s)), value: (v) => r.value(v), stream: (o) => r.stream(o) };
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

  /** The redactor of one text that arrives in pieces (the deltas of one channel). */
  stream({ hold = 1 } = {}) {
    const state = { tail: '', tailRedacted: false, pending: '' };
    return { push: (delta) => deltaOf(this, state, delta, hold), end: () => '' };
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

function deltaOf(r, state, delta, hold) {
  const base = state.tail.length;
  const s = state.tail + state.pending + delta;
  const spans = r.spans(s).filter(([, end]) => end > base);
  const lastEnd = spans.length === 0 ? 0 : spans.at(-1)[1];
  // hold back a possible start of the key at the end (unless the end is already redacted)
  let decideTo = s.length;
  if (lastEnd < s.length) {
    const run = r.keySuffix(s);
    if (run >= hold) decideTo = Math.max(base, s.length - run, lastEnd);
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
