// The dev server's WebSocket mode (www/server/relay.mjs): with a key it relays /v1/responses to
// the upstream socket adding the key (origin checked, key redacted from upstream frames, both
// sides closed together, idle timeout); without one it serves the mock's WebSocket protocol.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { ResponsesClient } from 'cometapi-responses';
import { startMockServer } from '../../mock/server.mjs';
import { KEY, until as waitUntil } from '../js/client-helpers.mjs';
import { server } from './helpers.mjs';

/** A dev server relaying to `upstreamURL` with the key (closed after the test `t`). */
const relayTo = (t, upstreamURL, opts = {}) => server(t, { apiKey: KEY, upstream: upstreamURL, ...opts });

/** A bare WebSocket upstream on 127.0.0.1: `onConnection(ws, req)` scripts it. */
async function fakeUpstream(t, onConnection) {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', onConnection);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.close();
  });
  return `http://127.0.0.1:${server.address().port}/v1`;
}

/** Opens a raw WebSocket to `url`; resolves it once open, or rejects with the refusal's status.
 *  `ws.texts` collects the frames received (from the start: they can come with the handshake). */
function open(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.texts = [];
    ws.on('message', (d) => ws.texts.push(d.toString()));
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_q, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

const until = (cond) => waitUntil(cond, 5000);

const wsURL = (dev) => `${dev.url.replace(/^http/, 'ws')}/v1/responses`;

test('relay: a client without a key streams and chains through the dev server; the upstream gets the key', async (t) => {
  const mock = await startMockServer({ delayMs: 2, requireKey: KEY });
  t.after(() => mock.close());
  const dev = await relayTo(t, `${mock.url}/v1`);
  const client = new ResponsesClient({ baseURL: `${dev.url}/v1`, maxRetries: 0 });
  const socket = await client.connect({ WebSocket });
  t.after(() => socket.close());
  const first = await socket.create({ model: 'm', input: 'through the relay', store: false });
  assert.match(first.output_text, /through the relay/);
  const second = await socket.create({ model: 'm', input: 'next', previous_response_id: first.id, store: false });
  assert.equal(second.status, 'completed');
  const ran = mock.requests.filter((r) => r.method === 'POST');
  assert.equal(ran.length, 2);
  assert.ok(ran.every((r) => r.headers.authorization === 'REDACTED'), 'the mock required and got the key');
  assert.equal(ran[1].body.previous_response_id, first.id);
  assert.equal(mock.sockets.connections.size, 1, 'one upstream connection for both turns');
});

test('relay: the Origin is checked on the upgrade (local pages and allowedOrigins only)', async (t) => {
  let upstreamHits = 0;
  const up = await fakeUpstream(t, () => upstreamHits++);
  const dev = await relayTo(t, up, { allowedOrigins: ['https://app.example'] });
  await assert.rejects(open(wsURL(dev), { origin: 'https://evil.example' }), { status: 403 });
  await assert.rejects(open(wsURL(dev).replace(/responses$/, 'other'), {}), { status: 404 });
  assert.equal(upstreamHits, 0, 'nothing reached the upstream');
  for (const origin of ['https://app.example', 'http://localhost:5173']) (await open(wsURL(dev), { origin })).close();
  // the mock mode checks it too
  await assert.rejects(open(wsURL(await server(t)), { origin: 'https://evil.example' }), { status: 403 });
});

test('relay: the key and its fragments are redacted from upstream frames; client frames pass as they are', async (t) => {
  const got = [];
  const up = await fakeUpstream(t, (ws, req) => {
    ws.send(JSON.stringify({ type: 'error', error: { message: `Incorrect API key provided: ${KEY} (${KEY.slice(8, 30)})`, auth: req.headers.authorization } }));
    ws.on('message', (d) => got.push(d.toString()));
  });
  const ws = await open(wsURL(await relayTo(t, up)));
  await until(() => ws.texts.length > 0);
  const [text] = ws.texts;
  assert.ok(!text.includes(KEY.slice(8, 18)), text);
  assert.match(text, /\[redacted\]/);
  assert.equal(JSON.parse(text).error.auth, 'Bearer [redacted]');
  ws.send('{"type":"response.create","model":"m"}');
  await until(() => got.length > 0);
  assert.deepEqual(got, ['{"type":"response.create","model":"m"}']);
  ws.close();
});

test('relay: one side closing closes the other with the same code', async (t) => {
  const closes = [];
  let upstreamWs;
  const up = await fakeUpstream(t, (ws) => {
    upstreamWs = ws;
    ws.on('close', (code, reason) => closes.push([code, reason.toString()]));
  });
  const dev = await relayTo(t, up);
  (await open(wsURL(dev))).close(4001, 'bye');
  await until(() => closes.length > 0);
  assert.deepEqual(closes, [[4001, 'bye']]);
  // and the other way round
  const closed = once(await open(wsURL(dev)), 'close');
  upstreamWs.close(4002, 'upstream says bye');
  const [code, reason] = await closed;
  assert.deepEqual([code, reason.toString()], [4002, 'upstream says bye']);
  assert.equal(dev.relay.pairs.size, 0);
});

test('relay: a pair without frames for socketIdleMs is closed on both sides', async (t) => {
  const upstreamClosed = [];
  const up = await fakeUpstream(t, (ws) => ws.on('close', (code) => upstreamClosed.push(code)));
  const dev = await relayTo(t, up, { socketIdleMs: 150 });
  const [code, reason] = await once(await open(wsURL(dev)), 'close');
  assert.deepEqual([code, reason.toString()], [1000, 'idle timeout']);
  await until(() => upstreamClosed.length > 0);
  assert.deepEqual(upstreamClosed, [1000]);
});

test('relay: a refused upstream upgrade refuses the client\'s; the key is in no answer', async (t) => {
  const mock = await startMockServer({ requireKey: 'sk-another-key-entirely' });
  t.after(() => mock.close());
  const dev = await relayTo(t, `${mock.url}/v1`);
  await assert.rejects(open(wsURL(dev)), { status: 502 });
  const client = new ResponsesClient({ baseURL: `${dev.url}/v1`, maxRetries: 0 });
  await assert.rejects(client.connect({ WebSocket }), (e) => e.name === 'ConnectionError' && !String(e.message).includes(KEY.slice(8, 18)));
});

/** Sends `request` (raw bytes) to the dev server; then `end()` (half-close) when `halfClose`: the status line of the answer ('' when none). */
function rawUpgrade(t, dev, request, { halfClose = false } = {}) {
  return new Promise((done) => {
    const s = net.connect(dev.port, '127.0.0.1', () => {
      s.write(request);
      if (halfClose) s.end();
    });
    t.after(() => s.destroy());
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('error', () => {});
    s.on('close', () => done(got.split('\r\n')[0]));
  });
}
const HANDSHAKE = 'GET /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';
const VALID = `${HANDSHAKE}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;

test('relay: a handshake the dev server refuses (no Sec-WebSocket-Key, bad version) dials no upstream', async (t) => {
  let upstreamHits = 0;
  const up = await fakeUpstream(t, () => upstreamHits++);
  const dev = await relayTo(t, up);
  for (const request of [
    `${HANDSHAKE}\r\n`,
    `${HANDSHAKE}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 7\r\n\r\n`,
  ]) {
    assert.match(await rawUpgrade(t, dev, request), /^HTTP\/1\.1 400 /);
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(upstreamHits, 0, 'no upstream socket was opened');
  assert.equal(dev.relay.pairs.size, 0);
});

test('relay: a client gone before its pair exists ends the upstream socket', async (t) => {
  // An upstream that accepts 200 ms late: the client half-closes meanwhile.
  const server = http.createServer();
  const wss = new WebSocketServer({ server, verifyClient: (_info, ok) => setTimeout(() => ok(true), 200) });
  const upstreams = [];
  wss.on('connection', (ws) => upstreams.push(Object.assign(ws, { ended: once(ws, 'close') })));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.close();
  });
  const dev = await relayTo(t, `http://127.0.0.1:${server.address().port}/v1`);
  assert.equal(await rawUpgrade(t, dev, VALID, { halfClose: true }), '');
  await until(() => upstreams.length === 1);
  await Promise.race([upstreams[0].ended, new Promise((_, no) => setTimeout(() => no(new Error('the upstream socket stayed open')), 3000))]);
  assert.equal(dev.relay.pairs.size, 0);
});

test('without a key the dev server serves the mock\'s WebSocket protocol', async (t) => {
  const dev = await server(t, { delayMs: 2 });
  const socket = await new ResponsesClient({ baseURL: `${dev.url}/v1` }).connect({ WebSocket });
  t.after(() => socket.close());
  assert.match((await socket.create({ model: 'm', input: 'mock mode' })).output_text, /mock mode/);
});
