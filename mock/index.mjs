// The mock Responses API as a component: one fetch-style handler, usable from Node's
// http (`handle(req, res)`), from a Worker or miniflare (`fetch(request, ctx)`), and
// from tests with no socket at all (`await mock.fetch(new Request(…))`). The modules
// on the fetch path use web APIs only; `startMockServer` (node:http) is loaded on demand.
// See mock/README.md for the endpoints, the options and the fault grammar.

import { createMockApi } from './api.mjs';
import { RequestLog } from './log.mjs';
import { readNodeBody, declaredTooLarge, nodeHeaders, writeResponse } from './node.mjs';
import { apiError, corsHeaders, json, newRequestId, Disconnect, MAX_TIMER_MS } from './util.mjs';

export { RequestLog } from './log.mjs';
export { Disconnect } from './util.mjs';
export { readNodeBody, declaredTooLarge, nodeHeaders, writeResponse } from './node.mjs';

const MiB = 1024 * 1024;

/** The API's 401 answers when `requireKey` is set, or null when the key is right. */
export function checkKey(headers, requireKey) {
  if (!requireKey) return null;
  const auth = headers.get('authorization');
  if (!auth) {
    return json(401, apiError("You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", { code: 'missing_api_key' }));
  }
  if (auth !== `Bearer ${requireKey}`) return json(401, apiError('Incorrect API key provided.', { code: 'invalid_api_key' }));
  return null;
}

/** The 413 answer; `connection: close` makes Node close the connection once it is sent. */
export function tooLargeResponse(limit) {
  return json(413, apiError(`Request body too large (more than ${limit} bytes).`, { code: 'request_too_large' }), { connection: 'close' });
}

/** A copy of `res` with `headers` added where it has none of that name. */
function withHeaders(res, headers) {
  const h = new Headers(res.headers);
  for (const [k, v] of Object.entries(headers)) if (!h.has(k)) h.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: h });
}

/** Read a web body stream up to `limit` bytes; null when it is larger. */
async function readLimited(stream, limit) {
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/**
 * Create a mock backend.
 * @param {object} [o]
 * @param {number} [o.delayMs=15] between stream events
 * @param {number} [o.backgroundMs=2000] how long a background response takes
 * @param {string} [o.requireKey] answer 401 unless `Authorization: Bearer <requireKey>`
 * @param {string} [o.basePath='/v1'] where the API lives (other paths: 404)
 * @param {number} [o.maxBodyBytes=33554432] larger request bodies get a 413
 * @param {number} [o.maxStoreBytes=134217728] request bytes of stored responses kept (oldest go first)
 * @param {number} [o.maxFileBytes=67108864] bytes of uploaded files kept (oldest go first)
 * @param {RequestLog} [o.log] a log to share (else its own, from `maxLog` / `maxLogBytes`)
 * @returns {{fetch(request: Request, ctx?: {waitUntil?(p: Promise<unknown>): void}): Promise<Response>,
 *   handle(req, res, opts?: {body?: Uint8Array}): Promise<void>, requests: object[], close(): void,
 *   store: object}}
 */
export function createMock({
  delayMs = 15, backgroundMs = 2000, requireKey, basePath = '/v1', maxBodyBytes = 32 * MiB,
  maxStoreBytes = 128 * MiB, maxFileBytes = 64 * MiB, log, maxLog, maxLogBytes,
} = {}) {
  for (const [name, v] of Object.entries({ delayMs, backgroundMs })) {
    if (!(Number.isInteger(v) && v >= 0 && v <= MAX_TIMER_MS)) {
      throw new RangeError(`${name} must be an integer from 0 to ${MAX_TIMER_MS} (ms), not ${v}`);
    }
  }
  const base = basePath.replace(/\/+$/, '');
  const api = createMockApi({ delayMs, backgroundMs, maxBytes: maxStoreBytes, maxFileBytes });
  const requests = log ?? new RequestLog({ maxLog, maxLogBytes });

  /** One request, already read: {method, url (path + query), headers: Headers, body, signal, waitUntil, tooLarge}. */
  async function respond({ method, url, headers, body, signal, waitUntil, tooLarge, local }) {
    const requestId = newRequestId();
    const common = { 'x-request-id': requestId, ...corsHeaders(method, headers.get('access-control-request-headers')) };
    if (method === 'OPTIONS') return new Response(null, { status: 204, headers: { ...common, 'content-length': '0' } });
    if (tooLarge) return withHeaders(tooLargeResponse(maxBodyBytes), common);
    requests.add({ method, url, headers, requestId }, body);
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path !== base && !path.startsWith(`${base}/`)) {
      return withHeaders(json(404, apiError(`Invalid URL (${method} ${path})`)), common);
    }
    const refused = checkKey(headers, requireKey);
    if (refused) return withHeaders(refused, common);
    const ctx = {
      method,
      path: path.slice(base.length) || '/',
      query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
      headers,
      body: body ?? new Uint8Array(0),
      signal,
      waitUntil,
      extra: {},
      local,
    };
    const res = await api.handle(ctx);
    return withHeaders(res, { ...common, ...ctx.extra });
  }

  return {
    /**
     * The mock as a fetch handler (`ctx.local`: a WebSocket connection's own responses, a Map
     * by id, which `previous_response_id` also finds, `store: false` ones included). Rejects with `Disconnect` (a TypeError, as a network
     * error is) when a fault drops the connection before answering.
     */
    async fetch(request, ctx = {}) {
      const url = new URL(request.url);
      let body = null;
      let tooLarge = false;
      if (request.body && request.method !== 'GET' && request.method !== 'HEAD') {
        if (Number(request.headers.get('content-length')) > maxBodyBytes) tooLarge = true;
        else {
          body = await readLimited(request.body, maxBodyBytes);
          tooLarge = body === null;
        }
      }
      return respond({
        method: request.method, url: url.pathname + url.search, headers: request.headers, body,
        signal: request.signal, waitUntil: ctx.waitUntil?.bind(ctx), tooLarge, local: ctx.local,
      });
    },

    /** The mock on a Node ServerResponse; `opts.body`: the request body, when already read. */
    async handle(req, res, opts = {}) {
      const left = new AbortController();
      res.once('close', () => left.abort());
      let body = opts.body ?? null;
      let tooLarge = false;
      if (opts.body === undefined && req.method !== 'GET' && req.method !== 'HEAD') {
        tooLarge = declaredTooLarge(req, maxBodyBytes);
        if (!tooLarge) {
          body = await readNodeBody(req, maxBodyBytes);
          tooLarge = body === null;
        }
      }
      let response;
      try {
        response = await respond({ method: req.method, url: req.url ?? '/', headers: nodeHeaders(req), body, signal: left.signal, tooLarge });
      } catch (e) {
        if (!(e instanceof Disconnect)) throw e;
        req.socket?.destroy();
        return;
      }
      await writeResponse(res, response);
    },

    /** Every request seen (bounded; see RequestLog). */
    requests: requests.entries,
    /** The shared log object (to add entries of one's own, e.g. a dev server's static files). */
    log: requests,
    store: api.store,
    files: api.files,
    attempts: api.attempts,
    /** Stop every running response (their streams end). */
    close() { api.close(); },
  };
}

// Kept out of the static import graph (a variable specifier), so that a Worker bundle of
// this module never sees node:http.
const SERVER_MODULE = './server.mjs';

/**
 * The mock on its own HTTP server (Node).
 * @param {{port?: number, host?: string} & Parameters<typeof createMock>[0]} [options]
 * @returns {Promise<{url: string, port: number, close(): Promise<void>, requests: object[], mock: object}>}
 */
export async function startMockServer(options) {
  const { startMockServer: start } = await import(SERVER_MODULE);
  return start(options);
}
