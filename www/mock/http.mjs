// Small HTTP helpers shared by the dev server, the mock API and the proxy:
// ids shaped like the real API's, the API's error JSON, CORS, body reading,
// abortable sleeps. Only `node:` built-ins.

import { randomBytes } from 'node:crypto';

/** `resp_…`, `msg_…`, `fc_…`, `rs_…` ids: prefix + 50 hex chars, like the real API. */
export function newId(prefix, hexChars = 50) {
  return `${prefix}_${randomBytes(Math.ceil(hexChars / 2)).toString('hex').slice(0, hexChars)}`;
}

/** `call_…` ids: 24 alphanumerics, like the real API. */
export function newCallId() {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(24);
  let s = 'call_';
  for (const b of bytes) s += alphabet[b % alphabet.length];
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

/** CORS headers for every response. Preflights echo the requested headers. */
export function corsHeaders(req) {
  const h = {
    'access-control-allow-origin': '*',
    'access-control-expose-headers': EXPOSED,
  };
  if (req.method === 'OPTIONS') {
    h['access-control-allow-methods'] = 'GET, POST, DELETE, OPTIONS';
    const asked = req.headers['access-control-request-headers'];
    // Echo what the browser asks for (only header-name characters), else a generous default.
    h['access-control-allow-headers'] =
      asked && /^[\w\-, ]+$/.test(asked) ? asked : DEFAULT_ALLOWED_HEADERS;
    h['access-control-max-age'] = '600';
  }
  return h;
}

/** Write a JSON body (headers set by the caller stay). */
export function sendJson(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The API's error object: `{error: {message, type, param, code}}`. */
export function apiError(message, { type = 'invalid_request_error', param = null, code = null } = {}) {
  return { error: { message, type, param, code } };
}

/** Default error type/code for an HTTP status, as the real API answers them. */
export function errorForStatus(status, message) {
  const table = {
    400: ['invalid_request_error', null, 'Bad request.'],
    401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'],
    403: ['permission_denied', 'unsupported_country_region_territory', 'Forbidden.'],
    404: ['invalid_request_error', null, 'Not found.'],
    408: ['timeout', 'timeout', 'Request timed out.'],
    409: ['conflict', 'conflict', 'Conflict.'],
    413: ['invalid_request_error', 'request_too_large', 'Request entity too large.'],
    422: ['invalid_request_error', null, 'Unprocessable entity.'],
    429: ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again later.'],
    500: ['server_error', 'server_error', 'The server had an error while processing your request. Sorry about that!'],
    502: ['server_error', 'bad_gateway', 'Bad gateway.'],
    503: ['server_error', 'service_unavailable', 'The engine is currently overloaded, please try again later.'],
    504: ['server_error', 'gateway_timeout', 'Gateway timeout.'],
  };
  const [type, code, text] = table[status] ?? [status >= 500 ? 'server_error' : 'invalid_request_error', null, `HTTP ${status}.`];
  return apiError(message ?? `${text} (mock server)`, { type, code });
}

/**
 * Read a request body, up to `limit` bytes. Past the limit it rejects with
 * `code: 'too_large'` and ignores the rest (the caller answers 413 and closes: a reset
 * here would lose the answer).
 */
export function readBody(req, limit = 32 * 1024 * 1024) {
  return new Promise((resolve, reject) => {
    let chunks = [];
    let size = 0;
    req.on('data', (c) => {
      if (!chunks) return;
      size += c.length;
      if (size > limit) {
        chunks = null;
        reject(Object.assign(new Error('request body too large'), { code: 'too_large' }));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => { if (chunks) resolve(Buffer.concat(chunks)); });
    req.on('error', reject);
  });
}

/** The longest wait setTimeout can do. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Sleep `ms` (setImmediate when 0); rejects with AbortError when `signal` aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    // setTimeout would turn a longer wait into 1 ms: refuse it instead.
    if (!(ms <= MAX_TIMER_MS)) return reject(new RangeError(`sleep: ${ms} ms is more than a timer can wait`));
    const done = () => { signal?.removeEventListener('abort', onAbort); resolve(); };
    const t = ms > 0 ? setTimeout(done, ms) : setImmediate(done);
    const onAbort = () => {
      if (ms > 0) clearTimeout(t); else clearImmediate(t);
      reject(signal.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** An AbortSignal that fires when the response is finished or its connection closes. */
export function closeSignal(res) {
  const c = new AbortController();
  if (res.destroyed || res.writableFinished) c.abort();
  else res.once('close', () => c.abort());
  return c.signal;
}

/** Unix seconds, as `created_at` / `completed_at`. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);
