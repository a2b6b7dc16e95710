// Helpers of the mock backend: ids shaped like the real API's, the API's error JSON,
// CORS, JSON responses, abortable sleeps, UTF-8 lengths. Web APIs only (crypto,
// Response, Headers, TextEncoder, timers): this runs in Node, a Worker and a browser.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/** `resp_…`, `msg_…`, `fc_…`, `rs_…` ids: prefix + 50 hex chars, like the real API. */
export function newId(prefix, hexChars = 50) {
  let hex = '';
  for (const b of randomBytes(Math.ceil(hexChars / 2))) hex += HEX[b];
  return `${prefix}_${hex.slice(0, hexChars)}`;
}

/** `call_…` ids: 24 alphanumerics, like the real API. */
export function newCallId() {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = 'call_';
  for (const b of randomBytes(24)) s += alphabet[b % alphabet.length];
  return s;
}

export const newRequestId = () => newId('req', 32);

/** Headers exposed to browsers: what a client needs to read (request id, retry hints). */
const EXPOSED = [
  'x-request-id', 'retry-after', 'retry-after-ms', 'x-should-retry', 'x-mock-attempt',
  'openai-processing-ms', 'openai-version', 'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests',
].join(', ');

const DEFAULT_ALLOWED_HEADERS = [
  'authorization', 'content-type', 'accept', 'x-mock-fault', 'x-mock-fault-key',
  'openai-organization', 'openai-project', 'openai-beta', 'idempotency-key',
  'x-stainless-arch', 'x-stainless-lang', 'x-stainless-os', 'x-stainless-package-version',
  'x-stainless-retry-count', 'x-stainless-runtime', 'x-stainless-runtime-version',
  'x-stainless-timeout', 'x-stainless-helper-method', 'x-stainless-helper',
].join(', ');

/**
 * CORS headers for every response. Preflights echo the requested headers.
 * @param {string} method
 * @param {string|null|undefined} askedHeaders the preflight's access-control-request-headers
 */
export function corsHeaders(method, askedHeaders) {
  const h = {
    'access-control-allow-origin': '*',
    'access-control-expose-headers': EXPOSED,
  };
  if (method === 'OPTIONS') {
    h['access-control-allow-methods'] = 'GET, POST, DELETE, OPTIONS';
    // Echo what the browser asks for (only header-name characters), else a generous default.
    h['access-control-allow-headers'] =
      askedHeaders && /^[\w\-, ]+$/.test(askedHeaders) ? askedHeaders : DEFAULT_ALLOWED_HEADERS;
    h['access-control-max-age'] = '600';
  }
  return h;
}

const encoder = new TextEncoder();

/** A JSON Response (with its content-length, as the real API sends it). */
export function json(status, body, headers = {}) {
  const bytes = encoder.encode(JSON.stringify(body));
  return new Response(bytes, {
    status,
    headers: { ...headers, 'content-type': 'application/json', 'content-length': String(bytes.length) },
  });
}

/** The API's error object: `{error: {message, type, param, code}}`. */
export function apiError(message, { type = 'invalid_request_error', param = null, code = null } = {}) {
  return { error: { message, type, param, code } };
}

const STATUS_ERRORS = new Map([
  [400, ['invalid_request_error', null, 'Bad request.']],
  [401, ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.']],
  [403, ['permission_denied', 'unsupported_country_region_territory', 'Forbidden.']],
  [404, ['invalid_request_error', null, 'Not found.']],
  [408, ['timeout', 'timeout', 'Request timed out.']],
  [409, ['conflict', 'conflict', 'Conflict.']],
  [413, ['invalid_request_error', 'request_too_large', 'Request entity too large.']],
  [422, ['invalid_request_error', null, 'Unprocessable entity.']],
  [429, ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again later.']],
  [500, ['server_error', 'server_error', 'The server had an error while processing your request. Sorry about that!']],
  [502, ['server_error', 'bad_gateway', 'Bad gateway.']],
  [503, ['server_error', 'service_unavailable', 'The engine is currently overloaded, please try again later.']],
  [504, ['server_error', 'gateway_timeout', 'Gateway timeout.']],
]);

/** Default error type/code for an HTTP status, as the real API answers them. */
export function errorForStatus(status, message) {
  const [type, code, text] = STATUS_ERRORS.get(status) ??
    [status >= 500 ? 'server_error' : 'invalid_request_error', null, `HTTP ${status}.`];
  return apiError(message ?? `${text} (mock server)`, { type, code });
}

/** The longest wait setTimeout can do (it turns more into 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

// A zero wait yields to I/O (setImmediate where there is one, a 0 ms timer elsewhere).
const immediate = globalThis.setImmediate
  ? [(fn) => globalThis.setImmediate(fn), (t) => globalThis.clearImmediate(t)]
  : [(fn) => setTimeout(fn, 0), (t) => clearTimeout(t)];

/** Sleep `ms` (yield when 0); rejects with the signal's reason when `signal` aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    if (!(ms <= MAX_TIMER_MS)) return reject(new RangeError(`sleep: ${ms} ms is more than a timer can wait`));
    const [set, clear] = ms > 0 ? [(fn) => setTimeout(fn, ms), (t) => clearTimeout(t)] : immediate;
    const done = () => { signal?.removeEventListener('abort', onAbort); resolve(); };
    const t = set(done);
    const onAbort = () => { clear(t); reject(signal.reason ?? new Error('aborted')); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** An AbortSignal that aborts when any of `signals` does (AbortSignal.any is not everywhere). */
export function anySignal(...signals) {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals.filter(Boolean));
  const c = new AbortController();
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) { c.abort(s.reason); break; }
    s.addEventListener('abort', () => c.abort(s.reason), { once: true });
  }
  return c.signal;
}

/** Unix seconds, as `created_at` / `completed_at`. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Bytes of `text` in UTF-8, without encoding it. */
export function utf8Length(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** Base64 of a string's UTF-8 bytes. */
export function base64(text) {
  let bin = '';
  for (const b of encoder.encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Thrown (or rejected) when a fault drops the connection without an answer. */
export class Disconnect extends TypeError {
  constructor(why = 'x-mock-fault: disconnect') {
    super(`mock: connection dropped (${why})`);
    this.name = 'Disconnect';
  }
}
