// Pages on the packed tarball streaming from the mock (CORS) in headless Chromium: a zero-config app
// bundled by `vite build`, the Vite dev server, `esbuild --bundle` and webpack 5 (production and
// development mode, pinned in tests/runtimes/tools/webpack); and a bundler-free <script type="module">
// page with an import map to the mock's /pkg/browser.js (ready on import) or /pkg/web.js (`await init()`).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, PAGE_SCRIPT, devImport, freshConsumer, installTools, packPkg, routePages, run, servePage } from './lib.mjs';
import { streamingPage, streamsInPage, useChromium, useMock, using } from './lib.mjs';

let vite;
let viteApp;
let webpackApp;
let webpackTools;

const MAIN = "import { ResponsesClient } from 'cometapi-responses';\nconst baseURL = new URLSearchParams(location.search).get('api');\n" + PAGE_SCRIPT;
const html = (title, script, head = '') =>
  `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title>${head}</head>\n<body><pre id="out"></pre><p id="status">loading</p>${script}</body></html>\n`;

const mock = useMock({ delayMs: 20 });
const chromium = useChromium();

before(async () => {
  let tarball;
  [{ tarball }, webpackTools] = await Promise.all([packPkg(join(BUILD, 'runtimes', 'vite')), installTools('webpack')]);
  const files = { 'index.html': html('vite consumer', '<script type="module" src="/main.js"></script>'), 'main.js': MAIN };
  viteApp = await freshConsumer('vite', { 'package.json': '{ "name": "consumer-vite", "private": true, "type": "module" }\n', ...files }, tarball);
  webpackApp = await freshConsumer('webpack', { 'package.json': '{ "name": "consumer-webpack", "private": true }\n', 'src/index.js': MAIN }, tarball);
  vite = await devImport('vite/dist/node/index.js');
});

const streamInPage = (origin) => streamsInPage(chromium.browser, `${origin}/?api=${encodeURIComponent(`${mock.url}/v1`)}`);
/** The local URL of a vite server, without its trailing slash. */
const viteURL = (server) => server.resolvedUrls.local[0].replace(/\/$/, '');
const SERVER = { port: 0, host: '127.0.0.1', strictPort: false };

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

/**
 * Each bundler: `build()` bundles the app and checks its output, then resolves the page and its
 * /main.js for servePage, or (`serve`) starts a server of its own; the page streams in Chromium.
 */
const BUNDLERS = [
  ['vite build: the production bundle streams in Chromium', {
    build: async () => {
      await vite.build({ root: viteApp, logLevel: 'silent', build: { outDir: 'dist', emptyOutDir: true } });
      const assets = readdirSync(join(viteApp, 'dist', 'assets'));
      const js = assets.filter((f) => f.endsWith('.js'));
      assert.equal(js.length, 1, `one JS chunk: ${assets}`);
      assert.match(readFileSync(join(viteApp, 'dist', 'assets', js[0]), 'utf8'), /H4sI/, 'the wasm is inlined in the bundle');
    },
    serve: () => vite.preview({ root: viteApp, logLevel: 'silent', preview: SERVER }),
    close: (server) => new Promise((resolve) => server.httpServer.close(resolve)),
  }],
  ['vite dev server: the pre-bundled dependency streams in Chromium', {
    serve: async () => (await vite.createServer({ root: viteApp, logLevel: 'silent', server: { ...SERVER, hmr: false } })).listen(),
    close: (server) => server.close(),
    check: () => assert.ok(existsSync(join(viteApp, 'node_modules', '.vite', 'deps')), 'vite pre-bundled the dependency'),
  }],
  ['esbuild --bundle with no loader or plugin: the bundle streams in Chromium', {
    build: async () => {
      const esbuild = await devImport('esbuild/lib/main.js');
      await esbuild.build({ absWorkingDir: viteApp, entryPoints: ['main.js'], bundle: true, format: 'esm', platform: 'browser', outfile: 'esbuild-dist/main.js', logLevel: 'silent' });
      assert.deepEqual(readdirSync(join(viteApp, 'esbuild-dist')), ['main.js'], 'one self-contained file');
      return [readFileSync(join(viteApp, 'index.html'), 'utf8'), readFileSync(join(viteApp, 'esbuild-dist', 'main.js'))];
    },
  }],
  ...['production', 'development'].map((mode) => [`webpack --mode ${mode}: one self-contained bundle streams in Chromium`, {
    build: async () => {
      assert.deepEqual(await webpack(mode), ['main.js'], 'one file: the wasm is inlined, no asset to copy');
      const bundle = readFileSync(join(webpackApp, `dist-${mode}`, 'main.js'));
      if (mode === 'production') assert.match(bundle.toString(), /H4sI/, 'the gzip-base64 wasm is in the bundle');
      return [html('webpack consumer', '<script src="/main.js"></script>'), bundle];
    },
  }]),
];
for (const [title, { build, serve, close, check }] of BUNDLERS) {
  test(title, async () => {
    const page = await build?.();
    const server = serve ? await serve() : await servePage(...page);
    await using(server, async () => {
      await streamInPage(serve ? viteURL(server) : server.url);
      check?.();
    }, close);
  });
}

const PAGES = {
  '/runtime-test/browser.html': streamingPage({ 'cometapi-responses': '/pkg/browser.js' }, '/v1'),
  '/runtime-test/web.html': streamingPage(
    { 'cometapi-responses/web': '/pkg/web.js' }, '/v1', "import { init, ResponsesClient } from 'cometapi-responses/web';\nawait init();",
  ),
};

/** The HTML of the module page is handed to the browser for the mock's own origin; every
 *  module, the .wasm and the API calls are real requests to the mock (it serves pkg/ at /pkg/). Returns the paths loaded. */
const load = (path) => streamsInPage(chromium.browser, `${mock.url}${path}`, (tab) => routePages(tab, mock.url, PAGES));

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
