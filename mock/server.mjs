// The mock on its own Node HTTP server: `startMockServer({ port })`. Everything the
// mock does is in createMock (index.mjs); this only listens and closes.

import http from 'node:http';
import { createMock } from './index.mjs';

/**
 * @param {{port?: number, host?: string} & object} [options] the rest goes to createMock
 * @returns {Promise<{url: string, port: number, host: string, close(): Promise<void>,
 *   requests: object[], mock: ReturnType<typeof createMock>, server: http.Server}>}
 */
export async function startMockServer({ port = 0, host = '127.0.0.1', ...options } = {}) {
  const mock = createMock(options);
  const server = http.createServer((req, res) => {
    mock.handle(req, res).catch(() => res.destroy());
  });
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
    url: `http://${shown}:${addr.port}`,
    port: addr.port,
    host: addr.address,
    requests: mock.requests,
    mock,
    server,
    close() {
      closing ??= new Promise((done) => {
        mock.close();
        server.close(() => done());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
