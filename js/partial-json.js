// PartialJsonParser: incremental partial JSON. The core parses and says how the value changes
// (ops); this file mirrors the value and hands the text to wasm with its lone surrogates kept.
import { RawPartialJson } from './cometapi_responses.js';
import { freed, LONE_SURROGATE, named, unready, wellFormed } from './shared.js';
import { Mirror } from './mirror.js';

/** Incremental partial JSON: the core parses, `value` is kept here by applying its ops. */
export const PartialJsonParser = /* @__PURE__ */ named('PartialJsonParser', class PartialJsonParser {
  #raw = (unready?.(), new RawPartialJson());
  #mirror = new Mirror(true);
  /** A high surrogate that ended the last piece: its low half may start the next. */
  #high = '';
  /** Whether the text so far ends with an odd run of backslashes. */
  #escaping = false;

  constructor() {
    this.#mirror.value = undefined;
  }

  #apply(ops) {
    if (ops.length > 2) this.#mirror.apply(JSON.parse(ops));
  }

  /** Appends the next piece of the text; `value` reflects it at once. */
  push(text) {
    if (this.#raw === null) throw freed('PartialJsonParser');
    if (typeof text !== 'string') throw new TypeError('push(text) expects a string');
    let t = this.#high + text;
    this.#high = '';
    if (/[\ud800-\udbff]$/.test(t)) {
      this.#high = t.slice(-1);
      t = t.slice(0, -1);
    }
    this.#apply(this.#raw.push(this.#wellFormed(t)));
  }

  /** The end of the text: a number that is the whole document completes. Later pushes are ignored. */
  finish() {
    if (this.#raw === null) throw freed('PartialJsonParser');
    if (this.#high !== '') this.#apply(this.#raw.push(this.#wellFormed(this.#high)));
    this.#high = '';
    this.#apply(this.#raw.finish());
  }

  /**
   * `t` as it crosses to wasm: a lone surrogate (which would arrive as U+FFFD) as its escape, the
   * same character for JSON.parse inside a string; after a backslash that escapes it, as it is
   * (an invalid escape either way). Invalid outside a string either way.
   */
  #wellFormed(t) {
    const escaping = this.#escaping;
    const run = t.length - t.replace(/\\+$/, '').length;
    this.#escaping = run === t.length ? escaping !== (run % 2 === 1) : run % 2 === 1;
    if (wellFormed(t)) return t;
    return t.replace(new RegExp(LONE_SURROGATE, 'g'), (c, at) => {
      let n = 0;
      while (n < at && t.charCodeAt(at - n - 1) === 0x5c) n++;
      const escaped = n === at ? escaping !== (n % 2 === 1) : n % 2 === 1;
      return escaped ? c : `\\u${c.charCodeAt(0).toString(16)}`;
    });
  }

  /** The value so far; undefined before any value has started. */
  get value() {
    return this.#mirror.value;
  }

  /** Releases the wasm memory now; `value` stays readable. */
  free() {
    const raw = this.#raw;
    this.#raw = null;
    raw?.free();
  }

  [Symbol.dispose]() {
    this.free();
  }
});
