// WebSocket mode through the dev server (docs/websocket.md): an upgrade on /v1/responses from an
// allowed origin (the same policy as the HTTP API: local pages and ALLOWED_ORIGINS; a request
// without Origin passes, as for HTTP). With an API key it is a relay: once the client's handshake
// is valid it opens the upstream socket with `Authorization: Bearer <key>` (a page cannot set that
// header; a client gone before the pair exists ends it), then moves frames both ways
// as they are; every text frame from upstream has the key and its fragments redacted (the
// package's createRedactor, as on the HTTP proxy), binary frames from upstream (not part of the
// protocol) are dropped;
// when one side closes the other is closed with the same code; a pair with no frame in either
// direction for `idleMs` is closed on both sides. Without a key it hands the upgrade to the
// mock's own WebSocket protocol (mock/websocket.mjs).

import { WebSocket, WebSocketServer } from 'ws';
import { createRedactor } from 'cometapi-responses';

/** Default idle timeout of a relayed pair, ms. */
export const IDLE_MS = 5 * 60_000;
const MAX_PAYLOAD = 32 * 1024 * 1024;
const PATH = '/v1/responses';

/** Codes a close frame may carry (RFC 6455 §7.4): the others (1005, 1006, 1015 …) only describe. */
const sendable = (code) => code === 1000 || (code >= 1001 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);

function refuse(socket, status, text) {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/**
 * @param {object} o
 * @param {(req: import('node:http').IncomingMessage) => boolean} o.allow whether the origin and host may connect
 * @param {string} [o.apiKey] relay mode: the key added to the upstream upgrade
 * @param {string} [o.upstream] relay mode: the API's base URL (http(s)://…/v1)
 * @param {{upgrade: Function, close(): void}} [o.mockSockets] mock mode: the mock's WebSocket protocol
 * @param {number} [o.idleMs]
 * @returns {{upgrade(req, socket, head): void, close(): void, pairs: Set<{client: WebSocket, upstream: WebSocket}>}}
 */
export function createSocketRelay({ allow, apiKey, upstream, mockSockets, idleMs = IDLE_MS }) {
  // ws calls verifyClient once the handshake headers are valid: only then is the upstream dialled.
  const wss = new WebSocketServer({
    noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD, verifyClient: ({ req }, done) => dial(req, done),
  });
  const redactor = createRedactor(apiKey ?? '');
  const target = upstream ? `${upstream.replace(/\/+$/, '').replace(/^http/, 'ws')}/responses` : null;
  const pairs = new Set();
  const pending = new Set();
  /** request → its client socket and upstream, from the upgrade until the pair exists. */
  const upgrading = new WeakMap();

  function upgrade(req, socket, head) {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== PATH) return refuse(socket, 404, 'Not Found');
    if (!allow(req)) return refuse(socket, 403, 'Forbidden');
    if (!apiKey) {
      if (mockSockets) return mockSockets.upgrade(req, socket, head);
      return refuse(socket, 404, 'Not Found');
    }
    const state = { socket, up: null, paired: false };
    upgrading.set(req, state);
    // Until paired, the client going away (or ws giving the upgrade up) ends the upstream.
    socket.once('close', () => {
      if (state.paired || !state.up) return;
      pending.delete(state.up);
      state.up.terminate();
    });
    wss.handleUpgrade(req, socket, head, (client) => {
      state.paired = true;
      upgrading.delete(req);
      pair(client, state.up);
    });
  }

  /** The upstream for a valid handshake: `done(true)` once it is open (a refused upstream refuses the client). */
  function dial(req, done) {
    const state = upgrading.get(req);
    const { socket } = state;
    if (socket.destroyed) return;
    const up = new WebSocket(target, {
      headers: { authorization: `Bearer ${apiKey}` }, perMessageDeflate: false, maxPayload: MAX_PAYLOAD, handshakeTimeout: 30_000,
    });
    state.up = up;
    pending.add(up);
    let settled = false;
    const fail = (status, text) => {
      if (settled) return;
      settled = true;
      pending.delete(up);
      up.terminate();
      if (!socket.destroyed) refuse(socket, status, text);
    };
    up.once('unexpected-response', (_req, res) => fail(res.statusCode === 401 || res.statusCode === 403 ? 502 : res.statusCode, 'Upstream Refused'));
    up.once('error', () => fail(502, 'Bad Gateway'));
    up.once('open', () => {
      if (settled) return;
      settled = true;
      pending.delete(up);
      if (socket.destroyed) return up.terminate();
      up.pause(); // frames wait until the client side is there
      done(true);
    });
  }

  function pair(client, up) {
    const p = { client, upstream: up };
    pairs.add(p);
    let timer = null;
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => end(1000, 'idle timeout'), idleMs);
    };
    const end = (code, reason) => {
      clearTimeout(timer);
      pairs.delete(p);
      for (const ws of [client, up]) {
        if (ws.readyState !== WebSocket.OPEN) continue;
        if (sendable(code)) ws.close(code, reason);
        else if (code === 1005) ws.close();
        else ws.terminate(); // a dropped side drops the other one too
      }
    };
    touch();
    client.on('message', (data, isBinary) => {
      touch();
      if (up.readyState === WebSocket.OPEN) up.send(data, { binary: isBinary });
    });
    up.on('message', (data, isBinary) => {
      touch();
      if (isBinary || client.readyState !== WebSocket.OPEN) return;
      client.send(redactor.redact(data.toString('utf8')));
    });
    client.on('close', (code, reason) => end(code, reason.toString('utf8')));
    up.on('close', (code, reason) => end(code, redactor.redact(reason.toString('utf8'))));
    client.on('error', () => end(1006, ''));
    up.on('error', () => end(1006, ''));
    up.resume();
  }

  return {
    upgrade,
    pairs,
    close() {
      for (const up of pending) up.terminate();
      for (const { client, upstream: up } of pairs) {
        client.terminate();
        up.terminate();
      }
      pairs.clear();
      mockSockets?.close();
      wss.close();
    },
  };
}
