// createRedactor: the core's redactor of an API key (src/redact.rs) for what a proxy passes on.
import { RawRedactor } from './cometapi_responses.js';
import { redactValue } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NONE = new Uint8Array(0);
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * A redactor of `key`: the key and every run of 10+ of its bytes become `[redacted]` (a shorter key
 * is redacted whole). `redact(text)`, `value(json)` (every string and property name), `stream()`
 * for a text that arrives in chunks (all strings or all bytes): `push(chunk)` gives what can be
 * passed on, `end(last?)` the rest. `hold`: a possible start of the key this many bytes long or
 * longer at the end of a chunk waits for the next chunk (1: none of the key is passed on).
 */
export function createRedactor(key) {
  const secret = String(key ?? '');
  const raw = RawRedactor.create(secret, 1);
  const redact = (text) => raw?.redact(text);
  return {
    redact: (text) => redact(String(text)) ?? String(text),
    value: (value) => (raw === undefined ? value : redactValue(value, redact)),
    stream({ hold = 1 } = {}) {
      const s = RawRedactor.create(secret, hold);
      const step = (chunk, end) => {
        if (s === undefined) return chunk;
        if (typeof chunk !== 'string') return s.push(chunk, end);
        const bytes = encoder.encode(chunk);
        const out = s.push(bytes, end);
        // Passed on whole: the chunk itself (a lone surrogate at a cut between two deltas stays).
        return same(out, bytes) ? chunk : decoder.decode(out);
      };
      return { push: (chunk) => step(chunk, false), end: (last = NONE) => step(last, true) };
    },
  };
}
