// The mock on its own Node HTTP server: `startMockServer({ port })`, and `listen()`, the
// server set-up it shares with the dev server (www/server.mjs). Everything the mock does
// is in createMock (index.mjs); this listens, closes and, with `pkgDir`, serves that directory
// (the built npm package) at /pkg/* so that a test page can load the package from the mock's origin.

import http from 'node:http';
import { createMock } from './index.mjs';
import { attachWebSocket } from './websocket.mjs';
import { serveStatic } from './static.mjs';
import { corsHeaders } from './util.mjs';

/**
 * An HTTP server for `handler` on host:port, with bounded waits: a request (headers and
 * body) must arrive within 30 s, so a declared body never sent does not hold a
 * connection for Node's default 5 minutes.
 * @param {(req, res) => void} handler
 * @param {{port?: number, host?: string, onClose?: () => void}} [o] onClose: stop what runs (streams, agents)
 * @returns {Promise<{server: http.Server, url: string, port: number, host: string, close(): Promise<void>}>}
 */
export async function listen(handler, { port = 0, host = '127.0.0.1', onClose } = {}) {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 20000;
  server.requestTimeout = 30000;
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => { server.off('error', fail); ok(); });
  });
  const addr = server.address();
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing = null;
  return {
    server,
    url: `http://${shown}:${addr.port}`,
    port: addr.port,
    host: addr.address,
    close() {
      closing ??= new Promise((done) => {
        onClose?.();
        server.close(() => done());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * @param {{port?: number, host?: string, pkgDir?: string} & object} [options] pkgDir: a directory
 *   served at /pkg/* (GET/HEAD, CORS open: module scripts of other origins load it); the rest goes
 *   to createMock
 * @returns {Promise<{url: string, port: number, host: string, close(): Promise<void>,
 *   requests: object[], mock: ReturnType<typeof createMock>, server: http.Server}>}
 */
export async function startMockServer({ port = 0, host = '127.0.0.1', pkgDir, ...options } = {}) {
  const mock = createMock(options);
  let sockets = null;
  const files = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (pkgDir === undefined || (path !== '/pkg' && !path.startsWith('/pkg/'))) return false;
    for (const [k, v] of Object.entries(corsHeaders(req.method, req.headers['access-control-request-headers']))) res.setHeader(k, v);
    serveStatic(req, res, pkgDir, path.slice('/pkg'.length) || '/').catch(() => res.destroy());
    return true;
  };
  const srv = await listen((req, res) => { if (!files(req, res)) mock.handle(req, res).catch(() => res.destroy()); }, {
    port, host, onClose: () => { sockets?.close(); mock.close(); },
  });
  // WebSocket mode on <basePath>/responses (mock/websocket.mjs).
  sockets = attachWebSocket(srv.server, mock, { basePath: options.basePath, requireKey: options.requireKey });
  return { ...srv, requests: mock.requests, mock, sockets };
}
