// Dev server for cometapi-responses: static files (www/, and the built package at
// /pkg/*) plus the Responses API under /v1 — the mock backend (mock/, a component of
// its own) by default, or a proxy to the real upstream when an API key is configured
// (the key is added server-side and never reaches the browser or a log; see
// www/server/proxy.mjs for what the proxy guarantees); WebSocket mode on /v1/responses the same
// way (www/server/relay.mjs). Plain Node: `node:` and the `ws` package.
//
// CLI:    node www/server.mjs [--port N] [--host H] [--delay-ms MS] [--background-ms MS] [--quiet]
//   PORT (8080), HOST (127.0.0.1), MOCK_DELAY_MS (15), MOCK_BACKGROUND_MS (2000),
//   COMETAPI_KEY (proxy mode), UPSTREAM_BASE_URL (https://api.cometapi.com/v1),
//   MOCK_REQUIRE_KEY (answer 401 unless `Authorization: Bearer <it>`),
//   ALLOWED_ORIGINS (proxy mode: browser origins allowed besides localhost ones).
// Module: const srv = await startServer({ port: 0 }); … await srv.close();
//   The module never reads COMETAPI_KEY itself (tests must not hit the network
//   because of a developer's environment): pass `apiKey`/`upstream` explicitly.
// Faults on demand: see mock/README.md (request header `x-mock-fault`).

import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createMock, RequestLog, checkKey, tooLargeResponse, readNodeBody, declaredTooLarge, nodeHeaders, writeResponse,
} from '../mock/index.mjs';
import { newRequestId, corsHeaders, json, apiError } from '../mock/util.mjs';
import { listen } from '../mock/server.mjs';
import { attachWebSocket } from '../mock/websocket.mjs';
import { serveStatic } from '../mock/static.mjs';
import { createProxy } from './server/proxy.mjs';
import { createSocketRelay } from './server/relay.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_UPSTREAM = 'https://api.cometapi.com/v1';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(value) {
  try { return new URL(value.includes('://') ? value : `http://${value}`).hostname; } catch { return null; }
}

/**
 * Proxy mode spends a real key, so only local pages (any port: the demo, a Vite dev
 * server) and `allowedOrigins` may call /v1 from a browser, and the Host header must
 * be local (no DNS rebinding). Requests without Origin pass (Node, curl, tests), unless
 * the browser says they come from another site (`Sec-Fetch-Site: cross-site` or
 * `same-site`: an `<img>`, a `no-cors` GET, a link — these carry no Origin).
 */
function originPolicy(allowedOrigins) {
  const allowed = new Set(allowedOrigins.map((o) => o.replace(/\/+$/, '')));
  return {
    originAllowed: (origin, fetchSite) => (origin
      ? allowed.has(origin) || LOCAL_HOSTS.has(hostnameOf(origin))
      : fetchSite !== 'cross-site' && fetchSite !== 'same-site'),
    hostAllowed: (host, listenHost) => !host || LOCAL_HOSTS.has(hostnameOf(host)) || hostnameOf(host) === listenHost,
  };
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
 * @param {number} [o.maxLog=10000] size of the `requests` log (entries; their bodies are
 *   parsed up to 1 MiB, kept as a 2 KiB preview beyond, and the log's bodies total at most
 *   `maxLogBytes`: the oldest ones shrink to previews)
 * @param {number} [o.maxLogBytes=33554432] bytes of bodies the `requests` log keeps in full
 * @param {number} [o.maxBodyBytes=33554432] larger /v1 request bodies get a 413 (then the
 *   connection is closed)
 * @param {string[]} [o.allowedOrigins] proxy mode: browser origins allowed besides local ones
 * @param {number} [o.socketIdleMs] WebSocket mode relayed with a key: close both sides after this
 *   long without a frame (default 5 minutes; www/server/relay.mjs)
 * @returns {Promise<{url: string, port: number, host: string, close(): Promise<void>,
 *   requests: {method: string, path: string, url: string, query: object, headers: object, body: any, requestId: string, time: number}[],
 *   mock: object|null, server: http.Server}>}
 */
export async function startServer({
  port = 0, host = '127.0.0.1', delayMs, backgroundMs, upstream, apiKey, requireKey,
  root = HERE, pkgDir = resolve(HERE, '..', 'pkg'), quiet = true, maxLog = 10000, allowedOrigins = [],
  maxLogBytes = 32 * 1024 * 1024, maxBodyBytes = 32 * 1024 * 1024, socketIdleMs,
} = {}) {
  const fromEnv = (name) => (process.env[name] ? Number(process.env[name]) : undefined);
  const pace = { delayMs: delayMs ?? fromEnv('MOCK_DELAY_MS') ?? 15, backgroundMs: backgroundMs ?? fromEnv('MOCK_BACKGROUND_MS') ?? 2000 };
  const proxied = !!(apiKey || upstream);
  const log = new RequestLog({ maxLog, maxLogBytes });
  const mock = proxied ? null : createMock({ ...pace, requireKey, maxBodyBytes, log });
  const proxy = proxied ? createProxy({ upstream: upstream ?? DEFAULT_UPSTREAM, apiKey }) : null;
  const policy = originPolicy(allowedOrigins);

  async function handler(req, res) {
    const started = Date.now();
    if (!quiet) {
      res.on('finish', () => console.log(`${req.method} ${req.url.split('?')[0]} ${res.statusCode} ${Date.now() - started}ms`));
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const isApi = rawPath === '/v1' || rawPath.startsWith('/v1/');
    if (isApi && mock) return mock.handle(req, res);

    const requestId = newRequestId();
    res.setHeader('x-request-id', requestId);
    for (const [k, v] of Object.entries(corsHeaders(req.method, req.headers['access-control-request-headers']))) res.setHeader(k, v);
    const origin = req.headers.origin;
    if (proxy) {
      // Not `*` when a key is at stake: echo allowed origins only.
      res.setHeader('vary', 'Origin');
      if (origin && policy.originAllowed(origin, undefined)) res.setHeader('access-control-allow-origin', origin);
      else res.removeHeader('access-control-allow-origin');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'content-length': 0 });
      return res.end();
    }

    const refused = isApi &&
      (!policy.originAllowed(origin, req.headers['sec-fetch-site']) || !policy.hostAllowed(req.headers.host, host));
    let body = null;
    if (isApi && !refused) {
      if (declaredTooLarge(req, maxBodyBytes)) return writeResponse(res, tooLargeResponse(maxBodyBytes));
      body = await readNodeBody(req, maxBodyBytes);
      if (!body) return writeResponse(res, tooLargeResponse(maxBodyBytes));
    }
    log.add({ method: req.method, url, headers: req.headers, requestId, time: started }, body);

    if (!isApi) {
      if (rawPath === '/pkg' || rawPath.startsWith('/pkg/')) {
        return serveStatic(req, res, pkgDir, rawPath.slice('/pkg'.length) || '/');
      }
      return serveStatic(req, res, root, rawPath);
    }
    if (refused) {
      return writeResponse(res, json(403, apiError('This dev server proxies with a real API key and only answers local pages (origin or host not allowed).', { type: 'invalid_request_error', code: 'origin_not_allowed' })));
    }
    const denied = checkKey(nodeHeaders(req), requireKey);
    if (denied) return writeResponse(res, denied);
    return proxy(req, res, { path: rawPath.slice('/v1'.length) || '/', search: q < 0 ? '' : url.slice(q), body });
  }

  let relay = null;
  const srv = await listen((req, res) => {
    handler(req, res).catch((err) => {
      if (!res.headersSent) {
        writeResponse(res, json(500, apiError(`Mock server error: ${err?.message ?? err}`, { type: 'server_error', code: 'server_error' })));
      } else {
        res.destroy();
      }
    });
  }, { port, host, onClose: () => { relay?.close(); mock?.close(); proxy?.close(); } });
  // WebSocket mode on /v1/responses: relayed upstream with the key, or the mock's own protocol.
  relay = createSocketRelay({
    allow: (req) => policy.originAllowed(req.headers.origin, req.headers['sec-fetch-site']) && policy.hostAllowed(req.headers.host, host),
    apiKey: proxied ? apiKey : undefined,
    upstream: proxied ? (upstream ?? DEFAULT_UPSTREAM) : undefined,
    mockSockets: mock ? attachWebSocket(srv.server, mock, { requireKey, listen: false }) : undefined,
    idleMs: socketIdleMs,
  });
  srv.server.on('upgrade', relay.upgrade);
  return { ...srv, requests: log.entries, mock, relay };
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
  const requireKey = env.MOCK_REQUIRE_KEY || undefined;
  const port = num(args.port) ?? num(env.PORT) ?? 8080;
  const host = args.host || env.HOST || '127.0.0.1';
  let srv;
  try {
    srv = await startServer({
      port,
      host,
      delayMs: num(args['delay-ms']),
      backgroundMs: num(args['background-ms']),
      apiKey,
      upstream,
      requireKey,
      allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
      quiet: args.quiet === true || env.QUIET === '1',
    });
  } catch (e) {
    // What a newcomer can act on, not a stack.
    if (e.code === 'EADDRINUSE') console.error(`port ${port} is in use — try \`PORT=${port + 1} make demo\` (or --port ${port + 1})`);
    else if (e.code === 'EACCES') console.error(`port ${port} needs privileges on this machine — try \`PORT=8080 make demo\` (or --port 8080)`);
    else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') console.error(`cannot listen on host ${host}: ${e.code} — try HOST=127.0.0.1`);
    else console.error(`cannot start the dev server: ${e.message}`);
    process.exit(1);
  }
  const mode = apiKey
    ? `proxying /v1 to ${upstream} (key added server-side)`
    : requireKey
      ? 'mock Responses API at /v1 (answers 401 unless `Authorization: Bearer $MOCK_REQUIRE_KEY`; no network)'
      : 'mock Responses API at /v1 (no key, no network)';
  console.log(`Dev server: ${srv.url}/  —  ${mode}`);
  const stop = () => srv.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
