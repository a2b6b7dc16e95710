// WebSocket mode in Chromium via the dev server's relay (it adds the key): stream, chain a turn
// (store: false), abort a third mid-stream, then one more on the same socket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../www/server.mjs';
import { launchChromium, startMock } from '../runtimes/lib.mjs';

const KEY = 'sk-proj-Ws7Lm2Vn9Rt4Wb8Kc1Pz6Hd3Jf5Gs0YaQe2Tu4Io6Pl8Mk0N';
let mock;
let dev;
let browser;

before(async () => {
  mock = await startMock({ delayMs: 20, requireKey: KEY });
  dev = await startServer({ apiKey: KEY, upstream: `${mock.url}/v1` });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await dev?.close();
  await mock?.close();
});

test('a page without a key: connect() through the relay, stream, a chained turn, abort, then one more', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const upgrades = [];
  page.on('websocket', (ws) => upgrades.push(ws.url()));
  // any document of the dev server's origin: the page imports the package from /pkg
  await page.goto(`${dev.url}/pkg/package.json`);
  const r = await page.evaluate(async () => {
    const { ResponsesClient } = await import('/pkg/browser.js');
    const client = new ResponsesClient({ baseURL: `${location.origin}/v1` });
    const socket = await client.connect({ timeout: 10000 });
    const out = {};
    const s = socket.stream({ model: 'gpt-5.4', input: 'Hello from the page', store: false });
    out.deltas = 0;
    out.text = '';
    out.types = [];
    for await (const e of s) {
      out.types.push(e.type);
      if (e.type === 'response.output_text.delta') {
        out.deltas++;
        out.text += e.delta;
      }
    }
    const first = await s.finalResponse();
    out.first = { id: first.id, text: first.output_text, status: first.status };
    const second = await socket.create({ model: 'gpt-5.4', input: 'the second turn', previous_response_id: first.id, store: false });
    out.second = { status: second.status, text: second.output_text };
    const ac = new AbortController();
    const s3 = socket.stream({ model: 'gpt-5.4', input: 'a long answer that the page aborts '.repeat(4) }, { signal: ac.signal });
    let seen = 0;
    try {
      for await (const e of s3) if (e.type === 'response.output_text.delta' && ++seen === 2) ac.abort();
      out.aborted = 'not aborted';
    } catch (e) {
      out.aborted = e.name;
    }
    out.abortedDeltas = seen;
    const fourth = await socket.create({ model: 'gpt-5.4', input: 'after the abort' });
    out.fourth = { status: fourth.status, text: fourth.output_text };
    socket.close();
    await socket.closed;
    return out;
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(upgrades, [`${dev.url.replace(/^http/, 'ws')}/v1/responses`], 'one socket, to the page\'s own origin');
  assert.equal(r.types[0], 'response.created');
  assert.equal(r.types.at(-1), 'response.completed');
  assert.ok(r.deltas >= 3);
  assert.match(r.text, /Hello from the page/);
  assert.equal(r.first.text, r.text);
  assert.equal(r.second.status, 'completed', 'the store: false response is found in the upstream connection\'s memory');
  assert.match(r.second.text, /the second turn/);
  assert.equal(r.aborted, 'AbortError');
  assert.equal(r.abortedDeltas, 2, 'nothing of the aborted response reached the loop after abort()');
  assert.equal(r.fourth.status, 'completed');
  assert.match(r.fourth.text, /after the abort/);
  // the upstream saw the key on the upgrade (it requires it) and one connection for all turns
  const ran = mock.requests.filter((q) => q.method === 'POST' && q.path === '/v1/responses');
  assert.equal(ran.length, 4);
  assert.ok(ran.every((q) => q.headers.authorization === 'REDACTED'));
  assert.equal(ran[1].body.previous_response_id, r.first.id);
  assert.equal(ran[1].body.input, 'the second turn', 'only the new input goes');
  await page.close();
});
