// The small helpers the modules share: a public value's name, keys set as non-enumerable or as
// own data, abort listeners, `on(type, …)` handlers, JSON text of params, lone surrogates.

/**
 * `value` (a public class or function) with its own `name`, which the package's minifier does not
 * keep, after `setup(value)` (a class's methods made from a table). A pure call: a bundler leaves
 * out what an app never uses.
 */
export const named = (name, value, setup) => (setup?.(value), Object.defineProperty(value, 'name', { value: name }));

/** Sets a key that is not enumerable (a method, or a key kept off the wire: JSON.stringify skips it). */
export const hidden = (obj, key, value) => Object.defineProperty(obj, key, { value, writable: true, configurable: true });
/** Sets `o[k] = v` as an own data property, as JSON.parse makes one (`__proto__` included). */
export const setOwn = (o, k, v) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
export const isObject = (v) => typeof v === 'object' && v !== null;
/** A call's options: an object, or none (`undefined`, `null`: `{}`). */
export const optionsOf = (opts) => {
  if (opts != null && !isObject(opts)) throw new TypeError('options must be an object');
  return opts ?? {};
};
/** `options.signal`: an AbortSignal (by behaviour: one from another realm passes), or none (`undefined`). */
export const signalOf = (signal) => {
  if (signal != null && !(isObject(signal) && typeof signal.addEventListener === 'function' && typeof signal.removeEventListener === 'function')) {
    throw new TypeError('options.signal must be an AbortSignal');
  }
  return signal ?? undefined;
};
/** `maxEventSize` as given (the client's, a foreign body's, SseParser's): a whole number of bytes ≥ 1, or absent. */
export const eventLimit = (n) => {
  if (n == null || (Number.isInteger(n) && n >= 1 && n <= 0xffffffff)) return n ?? undefined;
  // Another value is named by its type only (it may be a secret passed in the wrong place).
  throw new TypeError(`maxEventSize must be a whole number of bytes, at least 1; got ${typeof n === 'number' ? n : `a ${typeof n}`}`);
};
export const ignore = () => {};
/**
 * Set by an entry whose wasm is not instantiated yet (the "web" entry before `await init()`):
 * what each public constructor calls first, so that it throws a clear error rather than the
 * glue's TypeError on an absent instance.
 */
export let unready;
export const setUnready = (f) => {
  unready = f;
};
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
  for (const handler of [...(list ?? [])]) { // a copy: a handler may off() itself
    try {
      handler(value);
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}
