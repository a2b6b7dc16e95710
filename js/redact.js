// The core's redactor of an API key (src/redact.rs) in JS: createRedactor for what a proxy passes
// on, and the walker that redacts every string of a JSON value (the snapshot an error carries).
import { RawRedactor } from './cometapi_responses.js';
import { LONE_SURROGATE, named, setOwn, unready, wellFormed } from './shared.js';

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * A redactor of `key`: the key and every run of 10+ of its bytes become `[redacted]` (a shorter key
 * is redacted whole). `redact(text)`, `message(text)` (also anything shaped like an API key),
 * `value(json)` (every string and property name), `stream()`
 * for a text that arrives in chunks (all strings or all bytes): `push(chunk)` gives what can be
 * passed on, `end(last?)` the rest. `hold`: a possible start of the key this many bytes long or
 * longer at the end of a chunk waits for the next chunk (1: none of the key is passed on).
 */
export const createRedactor = /* @__PURE__ */ named('createRedactor', function (key) {
  unready?.();
  const secret = String(key ?? '');
  const raw = RawRedactor.create(secret, 1);
  const redact = (text) => raw?.redact(text);
  // A key shorter than a fragment is redacted whole: a text as short as it may hold it.
  redact.reach = Math.min(fragment(), new TextEncoder().encode(secret).length || 1);
  const whole = (text) => (raw === undefined ? String(text) : redactText(String(text), redact));
  return {
    redact: whole,
    message(text) {
      const t = whole(text);
      return RawRedactor.key_shapes(t) ?? t;
    },
    value: (value) => (raw === undefined ? value : redactValue(value, redact)),
    stream({ hold = 1 } = {}) {
      const s = RawRedactor.create(secret, hold);
      const encoder = new TextEncoder();
      const decoder = new TextDecoder();
      // Fed strings: `end()` with nothing more gives the rest as a string too.
      let strings = false;
      /** `text` (no lone surrogate in it) through the core; `end`: what it holds back goes too. */
      const piece = (text, end) => {
        const bytes = encoder.encode(text);
        const out = s.push(bytes, end);
        return same(out, bytes) ? text : decoder.decode(out);
      };
      const step = (chunk, end) => {
        if (typeof chunk === 'string') strings = true;
        if (s === undefined) return chunk;
        if (typeof chunk !== 'string') return s.push(chunk, end);
        if (wellFormed(chunk)) return piece(chunk, end);
        // UTF-8 has no lone surrogate (half of a pair cut between two chunks, or none): each passes
        // on as it is, and the text before it goes whole (the key has none), as in redact().
        let out = '';
        let from = 0;
        for (const m of chunk.matchAll(new RegExp(LONE_SURROGATE, 'g'))) {
          out += piece(chunk.slice(from, m.index), true) + m[0];
          from = m.index + 1;
        }
        return out + piece(chunk.slice(from), end);
      };
      return {
        push: (chunk) => step(chunk, false),
        end(last = strings ? '' : new Uint8Array(0)) {
          const out = step(last, true);
          strings = false;
          return out;
        },
      };
    },
  };
});

/** The longest text handed to the core's redactor at once, in UTF-16 units. */
const PIECE = 1 << 20;
/** The core's shortest fragment of the key, in bytes (read from the wasm on first use: the web
 * entry's wasm is instantiated after import). A fragment across a cut between two pieces lies within
 * `fragment() - 1` units of it; a text of fewer than `fragment() / 3` units cannot hold one. */
let minFragment;
const fragment = () => (minFragment ??= RawRedactor.min_fragment());

/**
 * `value` (JSON data: the snapshot an error carries) with the API key and its fragments redacted
 * from every string in it, keys included. It goes one string at a time, a long string one piece
 * at a time, so no text the size of the whole value is built: a snapshot too large to stringify
 * is redacted too. What holds nothing to redact is shared with `value`. `redact(text)`: the
 * core's redactor (`undefined`: nothing to redact); `redact.reach`, if set: the shortest text in
 * bytes that may hold something to redact (else a fragment's length).
 */
export function redactValue(value, redact) {
  if (typeof value === 'string') return redactText(value, redact);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let out = value;
    for (let i = 0; i < value.length; i++) {
      const v = redactValue(value[i], redact);
      if (v === value[i]) continue;
      if (out === value) out = value.slice();
      out[i] = v;
    }
    return out;
  }
  const keys = Object.keys(value);
  let out = null;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = value[k];
    const rk = redactText(k, redact);
    const rv = redactValue(v, redact);
    if (out === null && (rk !== k || rv !== v)) {
      out = {};
      for (let j = 0; j < i; j++) setOwn(out, keys[j], value[keys[j]]);
    }
    if (out !== null) setOwn(out, rk, rv);
  }
  return out ?? value;
}

/** `s` redacted: pieces of at most PIECE units, cut where no fragment of the key crosses the cut. */
export function redactText(s, redact) {
  if (s.length * 3 < (redact.reach ?? fragment())) return s; // a UTF-16 unit is 3 bytes of UTF-8 at most
  if (s.length <= PIECE) return redactPiece(s, redact);
  const parts = [];
  let changed = false;
  for (let a = 0; a < s.length; ) {
    const b = cut(s, a + PIECE, redact);
    const piece = s.slice(a, b);
    const r = redactPiece(piece, redact);
    changed ||= r !== piece;
    parts.push(r);
    a = b;
  }
  if (!changed) return s;
  try {
    return parts.join('');
  } catch {
    // Longer than a string can be (a key with non-ASCII bytes, replaced by a longer mask).
    return RawRedactor.mask();
  }
}

/** The first cut at or after `b` with no fragment of the key across it (the end at the latest). */
function cut(s, b, redact) {
  const reach = redact.reach ?? fragment();
  for (; b < s.length; b += reach) {
    if (s.charCodeAt(b - 1) >= 0xd800 && s.charCodeAt(b - 1) <= 0xdbff) b++; // not inside a pair
    if (b < s.length && redact(s.slice(b - reach, b + reach)) === undefined) return b;
  }
  return s.length;
}

function redactPiece(p, redact) {
  const r = redact(p);
  if (r === undefined || !LONE_SURROGATE.test(p)) return r ?? p;
  // Lone surrogates do not survive the way to UTF-8 and back; in JSON text they are escapes.
  try {
    const v = JSON.parse(redact(JSON.stringify(p)) ?? '');
    if (typeof v === 'string' && redact(v) === undefined) return v;
  } catch {
    // the mask cut an escape: the piece as UTF-8 is redacted
  }
  return r;
}
