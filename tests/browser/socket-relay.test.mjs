// WebSocket mode in Chromium via the dev server's relay (it adds the key): stream, chain a turn
// (store: false), abort a third mid-stream, then one more on the same socket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../www/server.mjs';
import { checkSocketTurns, socketTurns, useChromium, useMock } from '../runtimes/lib.mjs';

const KEY = 'sk-proj-Ws7Lm2Vn9Rt4Wb8Kc1Pz6Hd3Jf5Gs0YaQe2Tu4Io6Pl8Mk0N';
const mock = useMock({ delayMs: 20, requireKey: KEY });
const chromium = useChromium();
let dev;

before(async () => (dev = await startServer({ apiKey: KEY, upstream: `${(await mock.ready).url}/v1` })));
after(() => dev?.close());

test('a page without a key: connect() through the relay, stream, a chained turn, abort, then one more', async () => {
  const page = await chromium.browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const upgrades = [];
  page.on('websocket', (ws) => upgrades.push(ws.url()));
  // any document of the dev server's origin: the page imports the package from /pkg
  await page.goto(`${dev.url}/pkg/package.json`);
  const inputs = ['Hello from the page', 'the second turn', 'a long answer that the page aborts '.repeat(4), 'after the abort'];
  const r = await page.evaluate(socketTurns, { baseURL: `${dev.url}/v1`, inputs, afterModel: 'gpt-5.4' });
  assert.deepEqual(problems, []);
  checkSocketTurns(r, inputs, undefined);
  assert.deepEqual(upgrades, [`${dev.url.replace(/^http/, 'ws')}/v1/responses`], 'one socket, to the page\'s own origin');
  // the upstream saw the key on the upgrade (it requires it) and one connection for all turns
  const ran = mock.requests.filter((q) => q.method === 'POST' && q.path === '/v1/responses');
  assert.deepEqual(ran.map((q) => q.headers.authorization), Array(4).fill('REDACTED'));
  assert.equal(ran[1].body.previous_response_id, r.first.id);
  assert.equal(ran[1].body.input, 'the second turn', 'only the new input goes');
  await page.close();
});
