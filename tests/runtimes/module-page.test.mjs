// A bundler-free <script type="module"> page: an import map to /pkg/browser.js (ready on import) or
// /pkg/web.js (`await init()`), streaming from the dev server's mock in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SCRIPT, checkStreamed, launchChromium, pageResult, startDevServer, watchPage } from './lib.mjs';

let server;
let browser;

const page = (importMap, prelude) => `<!doctype html>
<html><head><meta charset="utf-8"><title>plain module page</title>
<script type="importmap">${JSON.stringify({ imports: importMap })}</script>
</head><body><pre id="out"></pre><p id="status">loading</p>
<script type="module">
${prelude}
const baseURL = '/v1';
${PAGE_SCRIPT}
</script></body></html>`;

const PAGES = {
  '/runtime-test/browser.html': page(
    { 'cometapi-responses': '/pkg/browser.js' },
    "import { ResponsesClient } from 'cometapi-responses';",
  ),
  '/runtime-test/web.html': page(
    { 'cometapi-responses/web': '/pkg/web.js' },
    "import { init, ResponsesClient } from 'cometapi-responses/web';\nawait init();",
  ),
};

before(async () => {
  server = await startDevServer({ delayMs: 20 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function load(path) {
  const tab = await browser.newPage();
  const problems = watchPage(tab);
  // The HTML of the test page is handed to the browser for the server's own origin; every
  // module, the .wasm and the API calls are real requests to the dev server.
  await tab.route(`${server.url}/runtime-test/*`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: PAGES[new URL(route.request().url()).pathname] }),
  );
  const loaded = [];
  tab.on('response', (r) => loaded.push(new URL(r.url()).pathname));
  try {
    await tab.goto(`${server.url}${path}`);
    const r = await pageResult(tab, problems);
    checkStreamed(assert, r, problems);
    return loaded;
  } finally {
    await tab.close();
  }
}

test('import map → pkg/browser.js: no init call, streams', async () => {
  const loaded = await load('/runtime-test/browser.html');
  assert.ok(loaded.includes('/pkg/browser.js'));
  // One module per runtime: the inlined wasm travels inside browser.js, no .wasm is fetched.
  assert.ok(!loaded.some((u) => u.endsWith('.wasm')), 'no .wasm file was fetched');
  assert.ok(!loaded.includes('/pkg/cometapi_responses_bg.wasm'), 'no separate .wasm request');
});

test('import map → pkg/web.js: explicit await init() fetches the .wasm, streams', async () => {
  const loaded = await load('/runtime-test/web.html');
  assert.ok(loaded.includes('/pkg/web.js'));
  assert.ok(loaded.includes('/pkg/cometapi_responses_bg.wasm'), 'init() fetched the .wasm beside web.js');
  assert.ok(!loaded.includes('/pkg/cometapi_responses_bg.inline.js'), 'the inlined copy is not loaded');
});
