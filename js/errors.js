// The exported error classes. The wasm side throws plain descriptors ({ __cometapi, name, … });
// toError() turns them into these classes so `instanceof` and `name` work everywhere.
import { named } from './shared.js';

export const CometApiError = /* @__PURE__ */ named('CometApiError', class extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = new.target.name;
  }
});

export const ApiError = /* @__PURE__ */ named('ApiError', class extends CometApiError {
  constructor(message, fields = {}) {
    super(message);
    for (const k of ['status', 'code', 'type', 'param', 'requestId', 'body', 'response']) this[k] = fields[k];
  }
});
export const ConnectionError = /* @__PURE__ */ named('ConnectionError', class extends CometApiError {});
export const TimeoutError = /* @__PURE__ */ named('TimeoutError', class extends CometApiError {});
export const AbortError = /* @__PURE__ */ named('AbortError', class extends CometApiError {});
export const StreamError = /* @__PURE__ */ named('StreamError', class extends CometApiError {
  constructor(message, fields = {}) {
    super(message);
    this.response = fields.response ?? null;
  }
});
/**
 * A structured output that does not parse: not valid JSON (`text`), or it fails the format's
 * `validate` (`issues`); `response`: the Response it is the output of (null for a tool's arguments).
 */
export const OutputParseError = /* @__PURE__ */ named('OutputParseError', class extends CometApiError {
  constructor(message, fields = {}) {
    super(message);
    this.text = fields.text ?? '';
    this.issues = fields.issues;
    this.response = fields.response ?? null;
  }
});
export const ValidationError = /* @__PURE__ */ named('ValidationError', class extends CometApiError {
  constructor(message, fields = {}) {
    super(message);
    this.param = fields.param;
  }
});

const parseJson = (text) => {
  if (text === undefined || text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** `fn()`, with anything it throws across the wasm boundary turned into its class (toError). */
export function call(fn) {
  try {
    return fn();
  } catch (e) {
    throw toError(e);
  }
}

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
      return new OutputParseError(e.message, { text: e.text, response: ctx.response });
    default:
      return new CometApiError(e.message);
  }
}

/**
 * The original error of a failed fetch when nothing in it can hold the API key, else an Error with
 * its message redacted. Read through: strings, symbols' descriptions, property names, plain
 * objects, arrays and the platform's own errors (their message, name, stack and own data
 * properties: `cause`, `errors`, …), a few thousand values at most; anything else (a Request or
 * Headers a fetch wrapper attached, an error class of its own with getters, a function, an
 * accessor) cannot be read through, so it counts as holding the key.
 */
function cleanCause({ cause, raw }) {
  if (cause === undefined || cause === null || !raw) return cause ?? undefined;
  const seen = new Set();
  let texts = '';
  let budget = 4096;
  const readable = (v) => {
    if (typeof v === 'function') return false;
    if (typeof v !== 'object' || v === null) return (texts += `${String(v)}\n`);
    if (seen.has(v)) return true;
    seen.add(v);
    const proto = Object.getPrototypeOf(v);
    // the platform's own error classes (their constructors are native code), of any realm, and
    // its DOMException (a JS class in Node: AbortSignal.timeout()'s TimeoutError)
    const error = (Object.prototype.toString.call(v) === '[object Error]' && /\[native code\]/.test(Function.prototype.toString.call(proto?.constructor))) || proto === globalThis.DOMException?.prototype;
    if (--budget < 0 || !(error || Array.isArray(v) || proto === Object.prototype || proto === null)) return false;
    if (error) texts += `${v.name}\n${v.message}\n${v.stack}\n`;
    for (const k of Reflect.ownKeys(v)) {
      texts += `${String(k)}\n`;
      const d = Object.getOwnPropertyDescriptor(v, k);
      if (!(d && 'value' in d ? readable(d.value) : error && k === 'stack')) return false;
    }
    return true;
  };
  let clean;
  try {
    clean = readable(cause) && raw.redact(texts) === undefined;
  } catch {
    clean = false; // a getter of a foreign error threw
  }
  if (clean) return cause;
  let text;
  try {
    text = String(cause?.message ?? cause);
  } catch {
    text = 'fetch failed';
  }
  return new Error(raw.redact(text) ?? text);
}
