// WebSocket mode (docs/websocket.md) on the packed tarball: Node 22/24, Bun and Deno run socket-lib.mjs
// against the mock's WebSocket protocol (key required on the upgrade); workerd connects via fetch(Upgrade).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILD, ROOT, SECRET, devImport, freshConsumer, installTools, packPkg, run } from './lib.mjs';
import { EXAMPLE } from './worker-lib.mjs';
import { SOCKET_SCRIPTS, checkSocketReport } from './socket-lib.mjs';
import { parseReport } from './server-lib.mjs';

let consumer;
let mock;
let nodes;
let bunDeno;

before(async () => {
  const [{ tarball }, n, bd] = await Promise.all([
    packPkg(join(BUILD, 'runtimes', 'socket')), installTools('node-versions'), installTools('bun-deno'),
  ]);
  nodes = n;
  bunDeno = bd;
  consumer = await freshConsumer('socket', SOCKET_SCRIPTS, tarball);
  mkdirSync(join(consumer, '.deno'), { recursive: true });
  const { startMockServer } = await import(pathToFileURL(join(ROOT, 'mock', 'server.mjs')).href);
  mock = await startMockServer({ delayMs: 5, requireKey: SECRET });
});

after(async () => {
  await mock?.close();
});

const quietEnv = () => ({
  DENO_DIR: join(consumer, '.deno'),
  DENO_NO_UPDATE_CHECK: '1',
  DENO_NO_PROMPT: '1',
  BUN_INSTALL_CACHE_DIR: join(consumer, '.bun-cache'),
  DO_NOT_TRACK: '1',
  NO_COLOR: '1',
});

async function runSocket(cmd, args) {
  const baseURL = `${mock.url}/v1`;
  const before = mock.requests.length;
  const { stdout, stderr } = await run(cmd, [...args, baseURL, SECRET], { cwd: consumer, env: quietEnv(), timeoutMs: 60_000 });
  assert.doesNotMatch(stderr, /error|warn/i, `nothing alarming on stderr:\n${stderr}`);
  const report = parseReport(stdout);
  checkSocketReport(report, baseURL);
  // the mock ran each frame as a POST with the upgrade's Authorization (its log redacts it)
  const ran = mock.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/v1/responses');
  assert.equal(ran.length, 4);
  assert.ok(ran.every((r) => r.headers.authorization === 'REDACTED'));
  assert.equal(ran[1].body.previous_response_id, report.firstId, 'the second turn chains from the first');
  assert.equal(ran[1].body.input, 'and then', 'only the new input goes');
}

for (const major of [22, 24]) {
  test(`Node ${major}: client.connect() over the global WebSocket with the key on the upgrade; stream, a chained turn, two lanes`, async () => {
    const bin = join(nodes, 'node_modules', `node${major}`, 'bin', 'node');
    const { stdout } = await run(bin, ['--version']);
    assert.match(stdout, new RegExp(`^v${major}\\.`));
    await runSocket(bin, ['socket.mjs']);
  });
}

test('Bun: client.connect() over the global WebSocket with the key on the upgrade; stream, a chained turn, two lanes', async () => {
  await runSocket(join(bunDeno, 'node_modules', 'bun', 'bin', 'bun.exe'), ['socket.mjs']);
});

test('Deno: client.connect() over the global WebSocket with the key on the upgrade; stream, a chained turn, two lanes', async () => {
  const host = new URL(mock.url).host;
  await runSocket(join(bunDeno, 'node_modules', 'deno', 'deno'), ['run', '--cached-only', '--no-lock', `--allow-net=${host}`, `--allow-read=${consumer}`, 'socket.mjs']);
});

test('workerd: client.connect() through fetch Upgrade with the key; stream, a chained turn, two lanes', async (t) => {
  const esbuild = await devImport('esbuild/lib/main.js');
  await esbuild.build({
    absWorkingDir: consumer,
    entryPoints: ['worker.mjs'],
    outdir: 'dist-worker',
    bundle: true,
    format: 'esm',
    target: 'es2024',
    conditions: ['workerd', 'worker', 'browser'], // what wrangler passes
    loader: { '.wasm': 'copy' },
    assetNames: '[name]',
    logLevel: 'silent',
  });
  const compatibilityDate = readFileSync(join(EXAMPLE, 'wrangler.toml'), 'utf8').match(/^compatibility_date\s*=\s*"([^"]+)"/m)[1];
  const { Miniflare } = await devImport('miniflare/dist/src/index.js');
  const bundleDir = join(consumer, 'dist-worker');
  const baseURL = `${mock.url}/v1`;
  const mf = new Miniflare({
    modules: true,
    modulesRoot: bundleDir,
    scriptPath: join(bundleDir, 'worker.js'),
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate,
    bindings: { BASE_URL: baseURL, KEY: SECRET },
  });
  t.after(() => mf.dispose());
  const before = mock.requests.length;
  const res = await mf.dispatchFetch('http://worker.test/');
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const report = JSON.parse(text);
  checkSocketReport(report, baseURL);
  const ran = mock.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/v1/responses');
  assert.equal(ran.length, 4);
  assert.equal(ran[1].body.previous_response_id, report.firstId);
});
