// The exported error classes. The wasm side throws plain descriptors ({ __cometapi, name, … });
// toError() turns them into these classes so `instanceof` and `name` work everywhere.

export class CometApiError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ApiError extends CometApiError {
  constructor(message, fields = {}) {
    super(message);
    this.status = fields.status;
    this.code = fields.code;
    this.type = fields.type;
    this.param = fields.param;
    this.requestId = fields.requestId;
    this.body = fields.body;
    this.response = fields.response;
  }
}
export class ConnectionError extends CometApiError {}
export class TimeoutError extends CometApiError {}
export class AbortError extends CometApiError {}
export class StreamError extends CometApiError {
  constructor(message, fields = {}) {
    super(message);
    this.response = fields.response ?? null;
  }
}
/** A structured output that does not parse: not valid JSON (`text`), or it fails the format's `validate` (`issues`). */
export class OutputParseError extends CometApiError {
  constructor(message, fields = {}) {
    super(message);
    this.text = fields.text ?? '';
    this.issues = fields.issues;
  }
}
export class ValidationError extends CometApiError {
  constructor(message, fields = {}) {
    super(message);
    this.param = fields.param;
  }
}

const parseJson = (text) => {
  if (text === undefined || text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * Turns anything thrown across the wasm boundary into one of the exported classes.
 * `ctx.response`: the snapshot the error belongs to (a stream's, for stream and in-stream
 * errors); `ctx.cause`: the error a fetch rejected with (a ConnectionError's cause, kept only
 * when it holds no trace of the API key; `ctx.raw.redact` tells).
 */
export function toError(e, ctx = {}) {
  if (e instanceof CometApiError) return e;
  if (!e || e.__cometapi !== true) return e;
  switch (e.name) {
    case 'ApiError': {
      // status, code, type, param, requestId: strings or undefined (src/wasm/error.rs)
      const response = parseJson(e.response) ?? (e.ofSnapshot ? ctx.response : undefined) ?? null;
      return new ApiError(e.message, { ...e, body: parseJson(e.body), response });
    }
    case 'ConnectionError': {
      const err = new ConnectionError(e.message, { cause: cleanCause(ctx) });
      // A response cut by a lost connection (WebSocket mode): the snapshot so far.
      if (ctx.response !== undefined) err.response = ctx.response;
      return err;
    }
    case 'TimeoutError':
      return new TimeoutError(e.message);
    case 'AbortError':
      return new AbortError(e.message);
    case 'StreamError':
      return new StreamError(e.message, { response: parseJson(e.response) ?? ctx.response ?? null });
    case 'ValidationError':
      return new ValidationError(e.message, { param: e.param });
    case 'OutputParseError':
      return new OutputParseError(e.message, { text: e.text });
    default:
      return new CometApiError(e.message);
  }
}

/** The original error of a failed fetch, unless some text of it holds the API key. */
function cleanCause({ cause, raw }) {
  if (cause === undefined || cause === null) return undefined;
  let texts = '';
  for (let c = cause, depth = 0; c && depth < 5; c = c.cause, depth++) {
    texts += `${c?.message ?? c}\n${c?.stack ?? ''}\n`;
    if (typeof c !== 'object') break;
  }
  if (raw?.redact(texts) === undefined) return cause;
  return new Error(raw.redact(String(cause?.message ?? cause)) ?? String(cause?.message ?? cause));
}

/** The longest text handed to the core's redactor at once, in UTF-16 units. */
const PIECE = 1 << 20;
/** Units either side of a cut between two pieces that are checked for a fragment of the key
 * across it (a fragment is ≥ 10 bytes, so it lies within 9 units of the cut). */
const REACH = 16;
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * `value` (JSON data: the snapshot an error carries) with the API key and its fragments redacted
 * from every string in it, keys included. It goes one string at a time, a long string one piece
 * at a time, so no text the size of the whole value is built: a snapshot too large to stringify
 * is redacted too. What holds nothing to redact is shared with `value`. `redact(text)`: the
 * core's redactor (`undefined`: nothing to redact).
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
      for (let j = 0; j < i; j++) putOwn(out, keys[j], value[keys[j]]);
    }
    if (out !== null) putOwn(out, rk, rv);
  }
  return out ?? value;
}

function putOwn(o, k, v) {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** `s` redacted: pieces of at most PIECE units, cut where no fragment of the key crosses the cut. */
export function redactText(s, redact) {
  if (s.length < 4) return s; // under 10 bytes of UTF-8
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
    return '[redacted]';
  }
}

/** The first cut at or after `b` with no fragment of the key across it (the end at the latest). */
function cut(s, b, redact) {
  for (; b < s.length; b += REACH) {
    if (s.charCodeAt(b - 1) >= 0xd800 && s.charCodeAt(b - 1) <= 0xdbff) b++; // not inside a pair
    if (b < s.length && redact(s.slice(b - REACH, b + REACH)) === undefined) return b;
  }
  return s.length;
}

function redactPiece(p, redact) {
  const r = redact(p);
  if (r === undefined || !LONE.test(p)) return r ?? p;
  // Lone surrogates do not survive the way to UTF-8 and back; in JSON text they are escapes.
  try {
    const v = JSON.parse(redact(JSON.stringify(p)) ?? '');
    if (typeof v === 'string' && redact(v) === undefined) return v;
  } catch {
    // the mask cut an escape: the piece as UTF-8 is redacted
  }
  return r;
}
