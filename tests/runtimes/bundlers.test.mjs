// A zero-config app importing the packed tarball, bundled by `vite build`, the Vite dev server and
// `esbuild --bundle`; each streams from the mock (CORS) in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import {
  BUILD, PAGE_SCRIPT, checkStreamed, devImport, freshConsumer, launchChromium, packPkg, pageResult, startMock, watchPage,
} from './lib.mjs';

let app;
let mock;
let browser;
let vite;

before(async () => {
  const { tarball } = await packPkg(join(BUILD, 'runtimes', 'vite'));
  app = await freshConsumer(
    'vite',
    {
      'package.json': '{ "name": "consumer-vite", "private": true, "type": "module" }\n',
      'index.html':
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>vite consumer</title></head>\n' +
        '<body><pre id="out"></pre><p id="status">loading</p><script type="module" src="/main.js"></script></body></html>\n',
      'main.js':
        "import { ResponsesClient } from 'cometapi-responses';\n" +
        "const baseURL = new URLSearchParams(location.search).get('api');\n" +
        PAGE_SCRIPT,
    },
    tarball,
  );
  vite = await devImport('vite/dist/node/index.js');
  mock = await startMock({ delayMs: 20 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await mock?.close();
});

async function streamInPage(origin) {
  const page = await browser.newPage();
  const problems = watchPage(page);
  try {
    await page.goto(`${origin}/?api=${encodeURIComponent(`${mock.url}/v1`)}`);
    const r = await pageResult(page, problems);
    checkStreamed(assert, r, problems);
    return r;
  } finally {
    await page.close();
  }
}

test('vite build: the production bundle streams in Chromium', async () => {
  await vite.build({ root: app, logLevel: 'silent', build: { outDir: 'dist', emptyOutDir: true } });
  const assets = readdirSync(join(app, 'dist', 'assets'));
  const js = assets.filter((f) => f.endsWith('.js'));
  assert.equal(js.length, 1, `one JS chunk: ${assets}`);
  assert.match(readFileSync(join(app, 'dist', 'assets', js[0]), 'utf8'), /H4sI/, 'the wasm is inlined in the bundle');
  const server = await vite.preview({ root: app, logLevel: 'silent', preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  try {
    await streamInPage(server.resolvedUrls.local[0].replace(/\/$/, ''));
  } finally {
    await new Promise((resolve) => server.httpServer.close(resolve));
  }
});

test('vite dev server: the pre-bundled dependency streams in Chromium', async () => {
  const server = await vite.createServer({
    root: app,
    logLevel: 'silent',
    server: { port: 0, host: '127.0.0.1', strictPort: false, hmr: false },
  });
  await server.listen();
  try {
    await streamInPage(server.resolvedUrls.local[0].replace(/\/$/, ''));
    assert.ok(existsSync(join(app, 'node_modules', '.vite', 'deps')), 'vite pre-bundled the dependency');
  } finally {
    await server.close();
  }
});

test('esbuild --bundle with no loader or plugin: the bundle streams in Chromium', async () => {
  const esbuild = await devImport('esbuild/lib/main.js');
  await esbuild.build({
    absWorkingDir: app,
    entryPoints: ['main.js'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile: 'esbuild-dist/main.js',
    logLevel: 'silent',
  });
  assert.deepEqual(readdirSync(join(app, 'esbuild-dist')), ['main.js'], 'one self-contained file');
  const html = readFileSync(join(app, 'index.html'), 'utf8');
  const bundle = readFileSync(join(app, 'esbuild-dist', 'main.js'));
  const server = http.createServer((req, res) => {
    const js = req.url.startsWith('/main.js');
    res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
    res.end(js ? bundle : html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await streamInPage(`http://127.0.0.1:${server.address().port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
