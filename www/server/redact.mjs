// Redaction of a secret (the proxy's API key) from bytes that leave the dev server:
// the key itself and every fragment of it at least MIN_FRAGMENT characters long (the
// key without its `sk-` prefix, a half of it quoted by an error message …), also when
// a fragment is split across the chunks of a streamed body.
//
// Works on bytes (as latin1 strings, one char per byte), so multi-byte UTF-8 characters
// cut by a chunk boundary stay intact and the output is the input with only the
// fragments replaced. Only exact byte substrings of the key are found (an upstream that
// escapes or re-encodes the key, e.g. `\u0073k-…` or base64, is not recognised).

export const MIN_FRAGMENT = 10;
export const REDACTED = '[REDACTED]';

/**
 * A redactor for one secret. `redact(text)` for a whole string; `stream()` for a body
 * that arrives in chunks: `push(buf) → Buffer` gives what can be sent now (a possible
 * fragment at the end is held back until the next chunk decides), `end() → Buffer` the rest.
 * @param {string} secret
 */
export function createRedactor(secret) {
  const key = Buffer.from(String(secret ?? ''), 'utf8').toString('latin1');
  if (!key) {
    const id = (b) => Buffer.from(b);
    return { redact: (s) => String(s), stream: () => ({ push: id, end: () => Buffer.alloc(0) }) };
  }
  const min = Math.min(MIN_FRAGMENT, key.length);
  const windows = new Set();
  for (let i = 0; i + min <= key.length; i++) windows.add(key.slice(i, i + min));
  // Pairs of bytes that occur in the key: a cheap filter before a window is sliced.
  const pairs = new Uint8Array(65536);
  for (let i = 0; i + 1 < key.length; i++) pairs[(key.charCodeAt(i) << 8) | key.charCodeAt(i + 1)] = 1;
  const maybe = min >= 2
    ? (s, i) => pairs[(s.charCodeAt(i) << 8) | s.charCodeAt(i + 1)] === 1
    : () => true;

  /**
   * Redact `s` (a latin1 string). Unless `final`, stops where a fragment might go on in
   * the next chunk: returns [output, held-back tail].
   */
  function scan(s, final) {
    let out = '';
    let emitted = 0; // s[emitted..i) is clean and not yet copied to out
    let i = 0;
    for (; i + min <= s.length; i++) {
      if (!maybe(s, i) || !windows.has(s.slice(i, i + min))) continue;
      // The longest run from i that is still a substring of the key.
      let j = i + min;
      while (j < s.length && j - i < key.length && key.includes(s.slice(i, j + 1))) j++;
      if (j === s.length && !final) {
        return [out + s.slice(emitted, i), s.slice(i)];
      }
      out += s.slice(emitted, i) + REDACTED;
      emitted = j;
      i = j - 1;
    }
    if (final) return [out + s.slice(Math.max(emitted, 0)), ''];
    // The unscanned tail (shorter than a window) may begin a fragment: hold back its
    // longest suffix that is a substring of the key.
    const start = Math.max(emitted, i);
    let hold = s.length;
    for (let k = start; k < s.length; k++) {
      if (key.includes(s.slice(k))) { hold = k; break; }
    }
    return [out + s.slice(emitted, hold), s.slice(hold)];
  }

  return {
    redact(text) {
      const s = Buffer.from(String(text), 'utf8').toString('latin1');
      return Buffer.from(scan(s, true)[0], 'latin1').toString('utf8');
    },
    stream() {
      let pending = '';
      return {
        push(buf) {
          const [out, rest] = scan(pending + Buffer.from(buf).toString('latin1'), false);
          pending = rest;
          return Buffer.from(out, 'latin1');
        },
        end() {
          const [out] = scan(pending, true);
          pending = '';
          return Buffer.from(out, 'latin1');
        },
      };
    },
  };
}
