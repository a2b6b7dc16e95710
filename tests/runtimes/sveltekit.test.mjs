// A SvelteKit adapter-node app (app-lib.mjs, pinned in tests/runtimes/tools/sveltekit, run on Node 22)
// bundling the package into its server build, run alone: a +server.js route streams the deltas, a page's load renders the text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { BUILD, SECRET, bins, freePort, installTools, packPkg, run, spawnServer, startMock, unpackInto, writeFiles } from './lib.mjs';
import { SVELTEKIT_APP, checkRendered, checkRoute } from './app-lib.mjs';

let app;
let node22;
let mock;
let out;

before(async () => {
  const [{ tarball, info }, tools] = await Promise.all([packPkg(join(BUILD, 'runtimes', 'sveltekit')), installTools('sveltekit')]);
  app = tools;
  node22 = bins.node(app, 22);
  await unpackInto(app, tarball);
  // the package as a devDependency, as `npm install -D` writes it
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  manifest.type = 'module';
  manifest.devDependencies['cometapi-responses'] = `^${info.version}`;
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const d of ['src', 'build', '.svelte-kit', 'svelte.config.js']) rmSync(join(app, d), { recursive: true, force: true });
  writeFiles(app, SVELTEKIT_APP);
  mock = await startMock({ delayMs: 5, requireKey: SECRET });
});

after(async () => {
  await mock?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

test('SvelteKit (adapter-node, devDependency): vite build, the server build run alone streams', async (t) => {
  assert.match((await run(node22, ['--version'])).stdout, /^v22\./);
  const vite = join(app, 'node_modules', 'vite', 'bin', 'vite.js');
  const { stdout, stderr } = await run(node22, [vite, 'build'], { cwd: app, env: { NO_COLOR: '1', FORCE_COLOR: '0' }, timeoutMs: 300_000 });
  // (the build lists a chunk named error.svelte.js: match warnings and failures, not that name)
  assert.doesNotMatch(stdout + stderr, /\bwarn(ing)?\b|error during|ENOENT|cometapi_responses_bg\.wasm/i, `vite build:\n${stdout}\n${stderr}`);
  out = mkdtempSync(join(tmpdir(), 'cometapi-sveltekit-'));
  cpSync(join(app, 'build'), out, { recursive: true });
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  for (let d = out; d !== parse(d).root; d = dirname(d)) assert.ok(!existsSync(join(d, 'node_modules')), `no node_modules above ${d}`);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await spawnServer(node22, ['index.js'], { cwd: out, env: { PORT: String(port), HOST: '127.0.0.1', ORIGIN: url }, ready: url });
  const api = encodeURIComponent(`${mock.url}/v1`);
  try {
    await t.test('+server.js route streams', () => checkRoute(`${url}/api/stream?api=${api}`, server.output));
    await t.test('a page whose server load streams renders the text', () => checkRendered(`${url}/chat?api=${api}`, server.output));
    assert.doesNotMatch(server.output(), /error/i, server.output());
  } finally {
    await server.stop();
  }
});
