// A Worker app through Vite with @cloudflare/vite-plugin (pinned in tests/runtimes/tools/cloudflare-vite):
// `vite` dev and `vite build` + `vite preview` each stream from the mock (key from .dev.vars) and create(). Offline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILD, PKG, SECRET, freshConsumer, installTools, packPkg, run, freePort, startMock, stopGroup } from './lib.mjs';

let app;
let tools;
let mock;

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
  mock = await startMock({ delayMs: 20, requireKey: SECRET });
  const [{ tarball }, dir] = await Promise.all([packPkg(join(BUILD, 'runtimes', 'cloudflare-vite')), installTools('cloudflare-vite')]);
  tools = dir;
  app = await freshConsumer(
    'cloudflare-vite',
    {
      'package.json': '{ "name": "consumer-cloudflare-vite", "private": true, "type": "module" }\n',
      'vite.config.js':
        "import { defineConfig } from 'vite';\nimport { cloudflare } from '@cloudflare/vite-plugin';\n\n" +
        'export default defineConfig({ plugins: [cloudflare({ inspectorPort: false, persistState: false })] });\n',
      'wrangler.jsonc': JSON.stringify(
        { name: 'consumer-cloudflare-vite', main: 'src/index.js', compatibility_date: '2025-09-01', vars: { UPSTREAM_BASE_URL: `${mock.url}/v1` } },
        null,
        2,
      ),
      '.dev.vars': `COMETAPI_KEY=${SECRET}\n`,
      'src/index.js': WORKER,
    },
    tarball,
  );
  // vite and the plugin as if installed in the app (linked from the tools directory)
  mkdirSync(join(app, 'node_modules', '@cloudflare'), { recursive: true });
  symlinkSync(join(tools, 'node_modules', 'vite'), join(app, 'node_modules', 'vite'));
  symlinkSync(join(tools, 'node_modules', '@cloudflare', 'vite-plugin'), join(app, 'node_modules', '@cloudflare', 'vite-plugin'));
  for (const d of ['.config', '.logs']) mkdirSync(join(app, d), { recursive: true });
});

after(async () => {
  await mock?.close();
});

const env = () => ({
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false', // no download of the Request.cf object
  npm_config_registry: 'http://127.0.0.1:9/', // any update check: a closed local port
  XDG_CONFIG_HOME: join(app, '.config'),
  WRANGLER_LOG_PATH: join(app, '.logs'),
  CI: 'true',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
});

const vite = () => join(tools, 'node_modules', 'vite', 'bin', 'vite.js');


/** `vite …args` in the app, in its own process group, until it prints its local URL; then `fn(origin)`. */
async function withVite(args, fn) {
  const port = await freePort();
  const child = spawn(process.execPath, [vite(), ...args, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: app,
    env: { ...process.env, ...env() },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    const deadline = Date.now() + 90_000;
    while (!output.includes(`http://127.0.0.1:${port}/`)) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`vite ${args.join(' ')} exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`vite ${args.join(' ')} was not ready after 90 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await fn(`http://127.0.0.1:${port}`);
    assert.doesNotMatch(output, /\berror\b/i, `vite printed an error:\n${output}`);
    assert.ok(!output.includes(SECRET), "the key is in vite's output");
  } finally {
    await stopGroup(child, exited);
  }
}

/** The Worker streams (several chunks, a complete SSE body) and creates; the mock saw the key. */
async function checkWorker(origin) {
  const before = mock.requests.length;
  const res = await fetch(`${origin}/stream`, { signal: AbortSignal.timeout(30_000) });
  assert.equal(res.status, 200, await res.clone().text());
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const decoder = new TextDecoder();
  let chunks = 0;
  let text = '';
  for await (const chunk of res.body) {
    chunks++;
    text += decoder.decode(chunk, { stream: true });
  }
  assert.ok(chunks >= 3, `the Worker streamed ${chunks} chunks`);
  const { ResponseStream } = await import(pathToFileURL(join(PKG, 'node.js')).href);
  const final = await ResponseStream.fromReadableStream(new Blob([text]).stream()).finalResponse();
  assert.equal(final.status, 'completed');
  assert.ok(final.output_text.length > 0);

  const created = await (await fetch(`${origin}/create`, { signal: AbortSignal.timeout(30_000) })).json();
  assert.equal(created.status, 'completed');
  assert.ok(created.output_text.length > 0);
  // the mock answers 401 unless the Worker sent `Bearer <SECRET>` (from .dev.vars)
  const upstream = mock.requests.slice(before).filter((r) => r.path === '/v1/responses');
  assert.equal(upstream.length, 2);
  for (const r of upstream) assert.equal(r.headers.authorization, 'REDACTED');
}

test('vite dev with @cloudflare/vite-plugin: the Worker runs in workerd, streams and creates', async () => {
  await withVite([], checkWorker);
});

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
  await withVite(['preview'], checkWorker);
});
