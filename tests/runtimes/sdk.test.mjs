// The SDK helpers' contract (sdk-contract.mjs) in headless Chromium and in workerd (miniflare);
// every line must say "ok" in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bundleWorker, freshConsumer, launchChromium, startWorker, useMock, using, waitDone, watchPage } from './lib.mjs';
import { LINES } from './sdk-contract.mjs';

const CONTRACT = readFileSync(new URL('./sdk-contract.mjs', import.meta.url), 'utf8');

const mock = useMock({ delayMs: 2 });

function assertAllOk(results, where) {
  assert.deepStrictEqual(Object.keys(results), LINES, `${where}: every line ran`);
  for (const [name, r] of Object.entries(results)) assert.equal(r, 'ok', `${where}: ${name}`);
}

test('every line of the contract works in Chromium (pkg/browser.js, a plain module page)', async () => {
  await using(await launchChromium(), async (browser) => {
    const tab = await browser.newPage();
    const problems = watchPage(tab);
    const html = `<!doctype html><html><head><meta charset="utf-8">
<script type="importmap">${JSON.stringify({ imports: { 'cometapi-responses': '/pkg/browser.js' } })}</script></head>
<body><p id="status">loading</p><script type="module">
import * as api from 'cometapi-responses';
import { runContract } from '/runtime-test/sdk-contract.mjs';
window.__results = await runContract(api, '/v1');
document.getElementById('status').textContent = 'done';
</script></body></html>`;
    await tab.route(`${mock.url}/runtime-test/*`, (route) => {
      const js = route.request().url().endsWith('.mjs');
      route.fulfill({ status: 200, contentType: js ? 'text/javascript' : 'text/html', body: js ? CONTRACT : html });
    });
    await tab.goto(`${mock.url}/runtime-test/sdk.html`);
    await waitDone(tab, problems);
    assertAllOk(await tab.evaluate(() => window.__results), 'Chromium');
    assert.deepStrictEqual(problems, []);
  });
});

test('every line of the contract works in workerd (a Worker bundled as wrangler does, miniflare)', async () => {
  const worker = `import * as api from 'cometapi-responses';
import { runContract } from './sdk-contract.mjs';
export default { async fetch(request, env) { return Response.json(await runContract(api, env.BASE_URL)); } };
`;
  const dir = await freshConsumer('sdk-worker', { 'src/index.js': worker, 'src/sdk-contract.mjs': CONTRACT });
  await using(await startWorker(await bundleWorker(dir, 'src/index.js'), { BASE_URL: `${mock.url}/v1` }), async (mf) => {
    const res = await mf.dispatchFetch('http://worker.test/');
    assert.equal(res.status, 200);
    assertAllOk(await res.json(), 'workerd');
  });
});
