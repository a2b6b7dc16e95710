// WebSocket mode through the example Worker (examples/cloudflare-worker/src/socket.js) in workerd
// (miniflare on 127.0.0.1): a client without a key (as a page) connects from an allowed origin, the
// Worker opens the upstream socket to the mock (which requires the key) with fetch Upgrade, relays
// frames both ways and applies the checks of a POST to every response.create frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SECRET, bundleExample, checkSocketTurns, devImport, fragmentsIn, keyedCalls, sleep, socketTurns, startMock, startWorker, useChromium, useMock, using } from './lib.mjs';

const ORIGIN = 'https://app.example';
const mock = useMock({ delayMs: 5, requireKey: SECRET });
const chromium = useChromium();
let mf;
let base;
let WebSocket;
let ResponsesClient;
let pageServer;

before(async () => {
  await mock.ready;
  const bundle = await bundleExample('worker-socket');
  ({ default: WebSocket } = await devImport('ws/index.js'));
  ({ ResponsesClient } = await import(pathToFileURL(join(bundle.dir, 'node_modules', 'cometapi-responses', 'node.js')).href));
  // a page's origin: a mock serving the packed package at /pkg
  pageServer = await startMock({ pkgDir: join(bundle.dir, 'node_modules', 'cometapi-responses') });
  const bindings = { COMETAPI_KEY: SECRET, UPSTREAM_BASE_URL: `${mock.url}/v1`, ALLOWED_ORIGINS: `${ORIGIN}, ${pageServer.url}` };
  mf = await startWorker(bundle, { ...bindings, ALLOWED_MODELS: 'gpt-5.4,gpt-5.4-mini', MAX_BODY_BYTES: '4096', IDLE_TIMEOUT_MS: '1500' }, { host: '127.0.0.1', port: 0 });
  base = (await mf.ready).href.replace(/\/$/, '');
});

after(async () => {
  await pageServer?.close();
  await mf?.dispose();
});

/** The `ws` WebSocket sending an Origin header, as a browser does. */
const withOrigin = (origin) => class extends WebSocket {
  constructor(url, opts) {
    super(url, { ...opts, origin });
  }
};

/** A raw socket to the Worker; `ws.texts` collects the frames from the start. */
function open(origin = ORIGIN) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/responses`, origin ? { origin } : {});
    ws.texts = [];
    ws.on('message', (d) => ws.texts.push(d.toString()));
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_q, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

async function until(cond, ms = 10_000) {
  for (const t0 = Date.now(); !cond(); await sleep(5)) if (Date.now() - t0 > ms) throw new Error('timed out waiting');
}

test('a client without a key connects through the Worker: stream, a chained turn (store: false), two lanes', async (t) => {
  const client = new ResponsesClient({ baseURL: `${base}/v1`, maxRetries: 0 });
  const socket = await client.connect({ WebSocket: withOrigin(ORIGIN), timeout: 10_000 });
  t.after(() => socket.close());
  const s = socket.stream({ model: 'gpt-5.4', input: 'through the Worker', store: false });
  let text = '';
  for await (const e of s) if (e.type === 'response.output_text.delta') text += e.delta;
  const first = await s.finalResponse();
  assert.equal(first.output_text, text);
  assert.match(text, /through the Worker/);
  const second = await socket.create({ model: 'gpt-5.4', input: 'second', previous_response_id: first.id, store: false });
  assert.equal(second.status, 'completed');
  const [a, b] = await Promise.all([
    socket.create({ model: 'gpt-5.4', input: 'lane a' }, { streamId: 'a' }),
    socket.create({ model: 'gpt-5.4-mini', input: 'lane b' }, { streamId: 'b' }),
  ]);
  assert.match(a.output_text, /lane a/);
  assert.match(b.output_text, /lane b/);
  const ran = keyedCalls(mock, 0); // the Worker added the key the mock requires
  assert.ok(ran.length >= 4);
  assert.equal(ran.at(-3).body.previous_response_id, first.id);
});

test('the Origin is checked on the upgrade', async () => {
  await assert.rejects(open('https://evil.example'), { status: 403 });
  await assert.rejects(open(null), { status: 403 });
});

test('every response.create frame gets the checks of a POST: an error event, nothing sent upstream; the socket goes on', async (t) => {
  const ws = await open();
  t.after(() => ws.close());
  const before = mock.requests.length;
  const frames = [
    [{ type: 'response.create', model: 'gpt-4-expensive', input: 'x', stream_id: 's1' }, 'model_not_allowed', 's1'],
    [{ type: 'response.create', model: 'gpt-5.4', input: 'x', tools: [{ type: 'web_search' }] }, 'tool_not_allowed'],
    [{ type: 'response.create', model: 'gpt-5.4', input: 'x', background: true }, 'background_not_allowed'],
    [{ type: 'response.create', model: 'gpt-5.4', input: 'x', service_tier: 'priority' }, 'service_tier_not_allowed'],
    [{ type: 'response.create', model: 'gpt-5.4', input: 'x'.repeat(5000) }, 'request_too_large'],
    [{ type: 'response.cancel', response_id: 'r' }, 'unsupported_event'],
  ];
  for (const [frame] of frames) ws.send(JSON.stringify(frame));
  await until(() => ws.texts.length >= frames.length);
  const events = ws.texts.map((x) => JSON.parse(x));
  assert.deepEqual(events.map((e) => e.type), frames.map(() => 'error'));
  assert.deepEqual(events.map((e) => e.error.code), frames.map((f) => f[1]));
  assert.equal(events[0].stream_id, 's1', 'the refusal goes to the lane of the frame');
  assert.equal(mock.requests.length, before, 'nothing reached the upstream');
  // an allowed frame still goes through on the same socket
  ws.send(JSON.stringify({ type: 'response.create', model: 'gpt-5.4-mini', input: 'allowed' }));
  await until(() => ws.texts.some((x) => JSON.parse(x).type === 'response.completed'));
  for (const x of ws.texts) assert.deepEqual(fragmentsIn(x, SECRET, 6), []);
});

test('closing one side closes the other; an idle pair is closed on both sides', async () => {
  const ws = await open();
  await until(() => mock.sockets.connections.size >= 1);
  const count = mock.sockets.connections.size;
  ws.close(4001, 'bye');
  await until(() => mock.sockets.connections.size === count - 1);
  const idle = await open();
  const [code, reason] = await new Promise((resolve) => idle.once('close', (c, r) => resolve([c, r.toString()])));
  assert.equal(code, 1000);
  assert.equal(reason, 'idle timeout');
});

test('Chromium: a page without a key uses client.connect() through the Worker: stream, chain, a refused model, abort', async () => {
  await using(await chromium.browser.newPage(), async (page) => {
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${pageServer.url}/pkg/package.json`);
    const inputs = ['Hello from a page via the Worker', 'turn two', 'a long answer to abort '.repeat(4), 'after the abort'];
    const r = await page.evaluate(socketTurns, { baseURL: `${base}/v1`, inputs, afterModel: 'gpt-5.4-mini', refuse: 'gpt-4-expensive' });
    assert.deepEqual(problems, []);
    checkSocketTurns(r, inputs, 'ApiError model_not_allowed');
  });
});
