// Dev server for cometapi-responses: static files (www/, and the built package at
// /pkg/*) plus the Responses API under /v1 — an embedded mock backend by default,
// or a proxy to the real upstream when an API key is configured (the key is added
// server-side and never reaches the browser or a log). Plain Node, `node:` only.
//
// CLI:    node www/server.mjs [--port N] [--host H] [--delay-ms MS] [--background-ms MS] [--quiet]
//   PORT (8080), HOST (127.0.0.1), MOCK_DELAY_MS (15), MOCK_BACKGROUND_MS (2000),
//   COMETAPI_KEY (proxy mode), UPSTREAM_BASE_URL (https://api.cometapi.com/v1),
//   MOCK_REQUIRE_KEY (answer 401 unless `Authorization: Bearer <it>`),
//   ALLOWED_ORIGINS (proxy mode: browser origins allowed besides localhost ones).
// Module: const srv = await startServer({ port: 0 }); … await srv.close();
//   The module never reads COMETAPI_KEY itself (tests must not hit the network
//   because of a developer's environment): pass `apiKey`/`upstream` explicitly.
// Faults on demand: see www/mock/faults.mjs (request header `x-mock-fault`).

import http from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { newRequestId, corsHeaders, sendJson, apiError, readBody } from './mock/http.mjs';
import { createMockApi } from './mock/api.mjs';
import { createProxy } from './mock/upstream.mjs';
import { serveStatic } from './mock/static.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_UPSTREAM = 'https://api.cometapi.com/v1';

function redactHeaders(headers) {
  const out = { ...headers };
  for (const k of ['authorization', 'x-api-key', 'api-key', 'cookie']) {
    if (k in out) out[k] = 'REDACTED';
  }
  return out;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(value) {
  try { return new URL(value.includes('://') ? value : `http://${value}`).hostname; } catch { return null; }
}

/**
 * Proxy mode spends a real key, so only local pages (any port: the demo, a Vite dev
 * server) and `allowedOrigins` may call /v1 from a browser, and the Host header must
 * be local (no DNS rebinding). Requests without Origin (Node, curl, tests) pass.
 */
function originPolicy(allowedOrigins) {
  const allowed = new Set(allowedOrigins.map((o) => o.replace(/\/+$/, '')));
  return {
    originAllowed: (origin) => !origin || allowed.has(origin) || LOCAL_HOSTS.has(hostnameOf(origin)),
    hostAllowed: (host, listenHost) => !host || LOCAL_HOSTS.has(hostnameOf(host)) || hostnameOf(host) === listenHost,
  };
}

function parseLoggedBody(buf, type) {
  if (!buf.length) return null;
  const text = buf.toString('utf8');
  if (/json/i.test(type ?? '') || /^\s*[{[]/.test(text)) {
    try { return JSON.parse(text); } catch { /* keep the text */ }
  }
  return text;
}

/**
 * Start the dev server.
 * @param {object} [o]
 * @param {number} [o.port=0] 0: a free port
 * @param {string} [o.host='127.0.0.1']
 * @param {number} [o.delayMs] between stream events (default env MOCK_DELAY_MS or 15)
 * @param {number} [o.backgroundMs] duration of a background response (default 2000)
 * @param {string} [o.upstream] proxy /v1 to this base URL (default https://api.cometapi.com/v1 when apiKey is set)
 * @param {string} [o.apiKey] proxy mode: the key added to upstream requests
 * @param {string} [o.requireKey] answer 401 unless `Authorization: Bearer <requireKey>`
 * @param {string} [o.root] static root (default: www/)
 * @param {string} [o.pkgDir] served at /pkg (default: <repo>/pkg)
 * @param {boolean} [o.quiet=true] false: log one line per request to stdout
 * @param {number} [o.maxLog=10000] size of the `requests` log
 * @param {string[]} [o.allowedOrigins] proxy mode: browser origins allowed besides local ones
 * @returns {Promise<{url: string, port: number, host: string, close(): Promise<void>,
 *   requests: {method: string, path: string, url: string, query: object, headers: object, body: any, requestId: string, time: number}[],
 *   mock: object|null, server: http.Server}>}
 */
export async function startServer({
  port = 0, host = '127.0.0.1', delayMs, backgroundMs, upstream, apiKey, requireKey,
  root = HERE, pkgDir = resolve(HERE, '..', 'pkg'), quiet = true, maxLog = 10000, allowedOrigins = [],
} = {}) {
  const envDelay = Number.parseInt(process.env.MOCK_DELAY_MS ?? '', 10);
  const envBackground = Number.parseInt(process.env.MOCK_BACKGROUND_MS ?? '', 10);
  const shutdown = new AbortController();
  const proxied = !!(apiKey || upstream);
  const mock = proxied ? null : createMockApi({
    delayMs: delayMs ?? (Number.isFinite(envDelay) ? envDelay : 15),
    backgroundMs: backgroundMs ?? (Number.isFinite(envBackground) ? envBackground : 2000),
    signal: shutdown.signal,
  });
  const proxy = proxied ? createProxy({ upstream: upstream ?? DEFAULT_UPSTREAM, apiKey }) : null;
  const policy = originPolicy(allowedOrigins);
  const requests = [];

  async function handler(req, res) {
    const started = Date.now();
    const requestId = newRequestId();
    res.setHeader('x-request-id', requestId);
    for (const [k, v] of Object.entries(corsHeaders(req))) res.setHeader(k, v);
    const origin = req.headers.origin;
    if (proxy) {
      // Not `*` when a key is at stake: echo allowed origins only.
      res.setHeader('vary', 'Origin');
      if (origin && policy.originAllowed(origin)) res.setHeader('access-control-allow-origin', origin);
      else res.removeHeader('access-control-allow-origin');
    }
    if (!quiet) {
      res.on('finish', () => console.log(`${req.method} ${req.url.split('?')[0]} ${res.statusCode} ${Date.now() - started}ms`));
    }
    const fullUrl = req.url ?? '/';
    const q = fullUrl.indexOf('?');
    const rawPath = q < 0 ? fullUrl : fullUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : fullUrl.slice(q + 1);
    const search = rawQuery ? `?${rawQuery}` : '';
    const query = new URLSearchParams(rawQuery);
    const isApi = rawPath === '/v1' || rawPath.startsWith('/v1/');

    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'content-length': 0 });
      return res.end();
    }

    let body = Buffer.alloc(0);
    if (isApi) {
      try {
        body = await readBody(req);
      } catch (e) {
        if (e.code === 'too_large') return sendJson(res, 413, apiError('Request body too large.', { code: 'request_too_large' }));
        return;
      }
    }
    requests.push({
      method: req.method,
      path: rawPath,
      url: req.url,
      query: Object.fromEntries(query),
      headers: redactHeaders(req.headers),
      body: parseLoggedBody(body, req.headers['content-type']),
      requestId,
      time: started,
    });
    if (requests.length > maxLog) requests.splice(0, requests.length - maxLog);

    if (!isApi) {
      if (rawPath === '/pkg' || rawPath.startsWith('/pkg/')) {
        return serveStatic(req, res, pkgDir, rawPath.slice('/pkg'.length) || '/');
      }
      return serveStatic(req, res, root, rawPath);
    }

    if (proxy && (!policy.originAllowed(origin) || !policy.hostAllowed(req.headers.host, host))) {
      return sendJson(res, 403, apiError('This dev server proxies with a real API key and only answers local pages (origin or host not allowed).', { type: 'invalid_request_error', code: 'origin_not_allowed' }));
    }
    if (requireKey) {
      const auth = req.headers.authorization;
      if (!auth) {
        return sendJson(res, 401, apiError("You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", { code: 'missing_api_key' }));
      }
      if (auth !== `Bearer ${requireKey}`) {
        return sendJson(res, 401, apiError('Incorrect API key provided.', { code: 'invalid_api_key' }));
      }
    }
    const path = rawPath.slice('/v1'.length) || '/';
    if (proxy) return proxy(req, res, { path, search, body });
    return mock.handle(req, res, { path, query, body });
  }

  const server = http.createServer((req, res) => {
    handler(req, res).catch((err) => {
      if (!res.headersSent) {
        sendJson(res, 500, apiError(`Mock server error: ${err?.message ?? err}`, { type: 'server_error', code: 'server_error' }));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => { server.off('error', fail); ok(); });
  });
  const addr = server.address();
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${shownHost}:${addr.port}`;

  let closing = null;
  function close() {
    closing ??= new Promise((done) => {
      shutdown.abort();
      server.close(() => done());
      server.closeAllConnections();
      proxy?.close();
    });
    return closing;
  }

  return { url, port: addr.port, host: addr.address, close, requests, mock, server };
}

// ── CLI ─────────────────────────────────────────────────────────────────────
/** `--port 8080`, `--port=8080`, `--quiet`: flags override the environment. */
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument: ${argv[i]}`);
    const [, name, inline] = m;
    if (name === 'quiet' || name === 'help') { out[name] = true; continue; }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const env = process.env;
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${e.message}\nusage: node www/server.mjs [--port N] [--host H] [--delay-ms MS] [--background-ms MS] [--quiet]`);
    process.exit(2);
  }
  if (args.help) {
    console.log('usage: node www/server.mjs [--port N] [--host H] [--delay-ms MS] [--background-ms MS] [--quiet]\n' +
      'env: PORT, HOST, MOCK_DELAY_MS, MOCK_BACKGROUND_MS, COMETAPI_KEY, UPSTREAM_BASE_URL, MOCK_REQUIRE_KEY, ALLOWED_ORIGINS, QUIET=1');
    process.exit(0);
  }
  const num = (v) => (v === undefined || v === '' ? undefined : Number.parseInt(v, 10));
  const apiKey = env.COMETAPI_KEY || undefined;
  const upstream = apiKey ? (env.UPSTREAM_BASE_URL || DEFAULT_UPSTREAM) : undefined;
  const srv = await startServer({
    port: num(args.port) ?? num(env.PORT) ?? 8080,
    host: args.host || env.HOST || '127.0.0.1',
    delayMs: num(args['delay-ms']),
    backgroundMs: num(args['background-ms']),
    apiKey,
    upstream,
    requireKey: env.MOCK_REQUIRE_KEY || undefined,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    quiet: args.quiet === true || env.QUIET === '1',
  });
  const mode = apiKey ? `proxying /v1 to ${upstream} (key added server-side)` : 'mock Responses API at /v1 (no key, no network)';
  console.log(`Dev server: ${srv.url}/  —  ${mode}`);
  const stop = () => srv.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
