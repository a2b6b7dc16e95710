// A Worker app through Vite with @cloudflare/vite-plugin (pinned in tests/runtimes/tools/cloudflare-vite):
// `vite` dev and `vite build` + `vite preview` each stream from the mock (key from .dev.vars) and create(). Offline.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { NO_COLOR, SECRET, checkSseAnswer, freshConsumer, installTools, keyedCalls, run, spawnOnPort, useMock, using } from './lib.mjs';

let app;
let tools;
const mock = useMock({ delayMs: 20, requireKey: SECRET });

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

// nothing reaches the network: no metrics, no download of the Request.cf object, any update check to a closed local port
const env = () => ({
  WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', npm_config_registry: 'http://127.0.0.1:9/',
  XDG_CONFIG_HOME: join(app, '.config'), WRANGLER_LOG_PATH: join(app, '.logs'), CI: 'true', ...NO_COLOR,
});

const vite = () => join(tools, 'node_modules', 'vite', 'bin', 'vite.js');

/** `vite …args` in the app until it prints its local URL; then the Worker streams (several chunks, a complete SSE body) and creates. */
async function checkWorker(args) {
  const server = await spawnOnPort(process.execPath, (port) => [vite(), ...args, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: app,
    env: env(),
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
  const { stdout, stderr } = await run(process.execPath, [vite(), 'build'], { cwd: app, env: env() });
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
