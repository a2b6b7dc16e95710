// The exported error classes. The wasm side throws plain descriptors ({ __cometapi, name, … });
// toError() turns them into these classes so `instanceof` and `name` work everywhere. Also the
// few helpers every module shares.

/**
 * `value` (a public class or function) with its own `name`, which the package's minifier does not
 * keep, after `setup(value)` (a class's methods made from a table). A pure call: a bundler leaves
 * out what an app never uses.
 */
export const named = (name, value, setup) => (setup?.(value), Object.defineProperty(value, 'name', { value: name }));

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
/** A structured output that does not parse: not valid JSON (`text`), or it fails the format's `validate` (`issues`). */
export const OutputParseError = /* @__PURE__ */ named('OutputParseError', class extends CometApiError {
  constructor(message, fields = {}) {
    super(message);
    this.text = fields.text ?? '';
    this.issues = fields.issues;
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

export const isObject = (v) => typeof v === 'object' && v !== null;
export const ignore = () => {};
export const freed = (what) => new TypeError(`this ${what} was freed (free() or [Symbol.dispose]() was called)`);
/** A lone surrogate (half of a pair without its other half). */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Whether `s` has no lone surrogate (it survives the way to UTF-8 and back). */
export const wellFormed = (s) => (s.isWellFormed ? s.isWellFormed() : !LONE_SURROGATE.test(s));

/** Calls `fn` when `signal` aborts (now, when it is aborted already); returns what removes the listener. */
export function onAbort(signal, fn) {
  if (!signal) return ignore;
  if (signal.aborted) {
    fn();
    return ignore;
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

/** `JSON.stringify(params)`, or the error `fail(message)` makes when they cannot be. */
export function jsonText(params, fail) {
  try {
    return JSON.stringify(params);
  } catch (e) {
    throw fail(`params cannot be serialised to JSON: ${e.message}`);
  }
}

/** Adds an `on(type, handler)` handler to `handlers` (type → list). */
export function addHandler(handlers, type, handler) {
  if (typeof type !== 'string' || typeof handler !== 'function') throw new TypeError('on(type: string, handler: function)');
  const list = handlers.get(type);
  if (list) list.push(handler);
  else handlers.set(type, [handler]);
}

/** Calls each handler of `list` with `value`; one that throws is the app's bug, reported as the runtime reports it. */
export function runHandlers(list, value) {
  for (const handler of list ?? []) {
    try {
      handler(value);
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

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
