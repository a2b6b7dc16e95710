// webpack 5 with zero config bundles an app importing the packed tarball, in production and
// development mode; each bundle streams from the mock (CORS) in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import {
  BUILD, PAGE_SCRIPT, checkStreamed, freshConsumer, installTools, launchChromium, packPkg, pageResult, run, startMock, watchPage,
} from './lib.mjs';

let app;
let tools;
let mock;
let browser;

const HTML =
  '<!doctype html>\n<html><head><meta charset="utf-8"><title>webpack consumer</title></head>\n' +
  '<body><pre id="out"></pre><p id="status">loading</p><script src="/main.js"></script></body></html>\n';

before(async () => {
  const [{ tarball }, dir] = await Promise.all([packPkg(join(BUILD, 'runtimes', 'webpack')), installTools('webpack')]);
  tools = dir;
  app = await freshConsumer(
    'webpack',
    {
      'package.json': '{ "name": "consumer-webpack", "private": true }\n',
      'src/index.js':
        "import { ResponsesClient } from 'cometapi-responses';\n" +
        "const baseURL = new URLSearchParams(location.search).get('api');\n" +
        PAGE_SCRIPT,
    },
    tarball,
  );
  mock = await startMock({ delayMs: 20 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await mock?.close();
});

/** `webpack --mode MODE` with the CLI of the tools directory, in the app; returns dist/'s files. */
async function bundle(mode) {
  const cli = join(tools, 'node_modules', 'webpack-cli', 'bin', 'cli.js');
  const { stdout, stderr } = await run(process.execPath, [cli, '--mode', mode, '--output-path', `dist-${mode}`, '--no-color'], { cwd: app });
  // performance hints (a bundle over 244 KiB) are advice, not a problem of the package
  const problems = (stdout + stderr).split(/\n(?=ERROR|WARNING)/).filter((b) => /^(ERROR|WARNING)/.test(b) && !/size limit|performance recommendations/.test(b));
  assert.deepEqual(problems, [], `webpack reported a problem:\n${stdout}\n${stderr}`);
  assert.match(stdout, /compiled successfully/);
  return readdirSync(join(app, `dist-${mode}`));
}

async function streamBundle(mode) {
  const main = readFileSync(join(app, `dist-${mode}`, 'main.js'));
  const server = http.createServer((req, res) => {
    const js = req.url.startsWith('/main.js');
    res.writeHead(js || req.url.startsWith('/?') || req.url === '/' ? 200 : 404, { 'content-type': js ? 'text/javascript' : 'text/html' });
    res.end(js ? main : HTML);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage();
  const problems = watchPage(page);
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/?api=${encodeURIComponent(`${mock.url}/v1`)}`);
    checkStreamed(assert, await pageResult(page, problems), problems);
  } finally {
    await page.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('webpack --mode production: one self-contained bundle streams in Chromium', async () => {
  const files = await bundle('production');
  assert.deepEqual(files, ['main.js'], 'one file: the wasm is inlined, no asset to copy');
  assert.match(readFileSync(join(app, 'dist-production', 'main.js'), 'utf8'), /H4sI/, 'the gzip-base64 wasm is in the bundle');
  await streamBundle('production');
});

test('webpack --mode development: the dev bundle streams in Chromium', async () => {
  assert.deepEqual(await bundle('development'), ['main.js']);
  await streamBundle('development');
});
