// Pages on the packed tarball streaming from the mock (CORS) in headless Chromium: a zero-config app
// bundled by `vite build`, the Vite dev server, `esbuild --bundle` and webpack 5 (production and
// development mode, pinned in tests/runtimes/tools/webpack); and a bundler-free <script type="module">
// page with an import map to the mock's /pkg/browser.js (ready on import) or /pkg/web.js (`await init()`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, PAGE_SCRIPT, devImport, freshConsumer, installTools, launchChromium, packPkg, run, servePage, startMock, streamsInPage } from './lib.mjs';

let vite;
let viteApp;
let webpackApp;
let webpackTools;
let mock;
let browser;

const MAIN = "import { ResponsesClient } from 'cometapi-responses';\nconst baseURL = new URLSearchParams(location.search).get('api');\n" + PAGE_SCRIPT;
const html = (title, script, head = '') =>
  `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title>${head}</head>\n<body><pre id="out"></pre><p id="status">loading</p>${script}</body></html>\n`;

before(async () => {
  let tarball;
  [{ tarball }, webpackTools] = await Promise.all([packPkg(join(BUILD, 'runtimes', 'vite')), installTools('webpack')]);
  const files = { 'index.html': html('vite consumer', '<script type="module" src="/main.js"></script>'), 'main.js': MAIN };
  viteApp = await freshConsumer('vite', { 'package.json': '{ "name": "consumer-vite", "private": true, "type": "module" }\n', ...files }, tarball);
  webpackApp = await freshConsumer('webpack', { 'package.json': '{ "name": "consumer-webpack", "private": true }\n', 'src/index.js': MAIN }, tarball);
  vite = await devImport('vite/dist/node/index.js');
  mock = await startMock({ delayMs: 20 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await mock?.close();
});

const streamInPage = (origin) => streamsInPage(browser, `${origin}/?api=${encodeURIComponent(`${mock.url}/v1`)}`);
/** Serves the page and `bundle` as /main.js; it streams in Chromium. */
async function bundleStreams(page, bundle) {
  const server = await servePage(page, bundle);
  try {
    await streamInPage(server.url);
  } finally {
    await server.close();
  }
}

test('vite build: the production bundle streams in Chromium', async () => {
  await vite.build({ root: viteApp, logLevel: 'silent', build: { outDir: 'dist', emptyOutDir: true } });
  const assets = readdirSync(join(viteApp, 'dist', 'assets'));
  const js = assets.filter((f) => f.endsWith('.js'));
  assert.equal(js.length, 1, `one JS chunk: ${assets}`);
  assert.match(readFileSync(join(viteApp, 'dist', 'assets', js[0]), 'utf8'), /H4sI/, 'the wasm is inlined in the bundle');
  const server = await vite.preview({ root: viteApp, logLevel: 'silent', preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  try {
    await streamInPage(server.resolvedUrls.local[0].replace(/\/$/, ''));
  } finally {
    await new Promise((resolve) => server.httpServer.close(resolve));
  }
});

test('vite dev server: the pre-bundled dependency streams in Chromium', async () => {
  const server = await vite.createServer({ root: viteApp, logLevel: 'silent', server: { port: 0, host: '127.0.0.1', strictPort: false, hmr: false } });
  await server.listen();
  try {
    await streamInPage(server.resolvedUrls.local[0].replace(/\/$/, ''));
    assert.ok(existsSync(join(viteApp, 'node_modules', '.vite', 'deps')), 'vite pre-bundled the dependency');
  } finally {
    await server.close();
  }
});

test('esbuild --bundle with no loader or plugin: the bundle streams in Chromium', async () => {
  const esbuild = await devImport('esbuild/lib/main.js');
  await esbuild.build({ absWorkingDir: viteApp, entryPoints: ['main.js'], bundle: true, format: 'esm', platform: 'browser', outfile: 'esbuild-dist/main.js', logLevel: 'silent' });
  assert.deepEqual(readdirSync(join(viteApp, 'esbuild-dist')), ['main.js'], 'one self-contained file');
  await bundleStreams(readFileSync(join(viteApp, 'index.html'), 'utf8'), readFileSync(join(viteApp, 'esbuild-dist', 'main.js')));
});

/** `webpack --mode MODE` with the CLI of the tools directory, in the app: no problem reported; dist/'s files. */
async function webpack(mode) {
  const cli = join(webpackTools, 'node_modules', 'webpack-cli', 'bin', 'cli.js');
  const { stdout, stderr } = await run(process.execPath, [cli, '--mode', mode, '--output-path', `dist-${mode}`, '--no-color'], { cwd: webpackApp });
  // performance hints (a bundle over 244 KiB) are advice, not a problem of the package
  const problems = (stdout + stderr).split(/\n(?=ERROR|WARNING)/).filter((b) => /^(ERROR|WARNING)/.test(b) && !/size limit|performance recommendations/.test(b));
  assert.deepEqual(problems, [], `webpack reported a problem:\n${stdout}\n${stderr}`);
  assert.match(stdout, /compiled successfully/);
  return readdirSync(join(webpackApp, `dist-${mode}`));
}
const webpackPage = html('webpack consumer', '<script src="/main.js"></script>');
const webpackBundle = (mode) => readFileSync(join(webpackApp, `dist-${mode}`, 'main.js'));

test('webpack --mode production: one self-contained bundle streams in Chromium', async () => {
  assert.deepEqual(await webpack('production'), ['main.js'], 'one file: the wasm is inlined, no asset to copy');
  assert.match(webpackBundle('production').toString(), /H4sI/, 'the gzip-base64 wasm is in the bundle');
  await bundleStreams(webpackPage, webpackBundle('production'));
});

test('webpack --mode development: the dev bundle streams in Chromium', async () => {
  assert.deepEqual(await webpack('development'), ['main.js']);
  await bundleStreams(webpackPage, webpackBundle('development'));
});

const modulePage = (importMap, prelude) =>
  html('plain module page', `\n<script type="module">\n${prelude}\nconst baseURL = '/v1';\n${PAGE_SCRIPT}\n</script>`, `\n<script type="importmap">${JSON.stringify({ imports: importMap })}</script>\n`);
const PAGES = {
  '/runtime-test/browser.html': modulePage({ 'cometapi-responses': '/pkg/browser.js' }, "import { ResponsesClient } from 'cometapi-responses';"),
  '/runtime-test/web.html': modulePage({ 'cometapi-responses/web': '/pkg/web.js' }, "import { init, ResponsesClient } from 'cometapi-responses/web';\nawait init();"),
};

/** The HTML of the module page is handed to the browser for the mock's own origin; every
 *  module, the .wasm and the API calls are real requests to the mock (it serves pkg/ at /pkg/). Returns the paths loaded. */
const load = (path) =>
  streamsInPage(browser, `${mock.url}${path}`, (tab) =>
    tab.route(`${mock.url}/runtime-test/*`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: PAGES[new URL(route.request().url()).pathname] })),
  );

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
