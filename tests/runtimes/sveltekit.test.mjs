// A SvelteKit adapter-node app (app-lib.mjs, pinned in tests/runtimes/tools/sveltekit, run on Node 22)
// bundling the package into its server build, run alone: a +server.js route streams the deltas, a page's load renders the text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { NO_COLOR, SECRET, assertVersion, bins, readJson, run, spawnOnPort, toolsApp, useMock, using } from './lib.mjs';
import { SVELTEKIT_APP, checkRendered, checkRoute } from './app-lib.mjs';

let app;
let node22;
const mock = useMock({ delayMs: 5, requireKey: SECRET });
let out;

before(async () => {
  let info;
  ({ dir: app, info } = await toolsApp('sveltekit', SVELTEKIT_APP, () => ['src', 'build', '.svelte-kit', 'svelte.config.js']));
  node22 = bins.node(app, 22);
  // the package as a devDependency, as `npm install -D` writes it
  const manifest = readJson(app, 'package.json');
  manifest.type = 'module';
  manifest.devDependencies['cometapi-responses'] = `^${info.version}`;
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
});

after(() => out && rmSync(out, { recursive: true, force: true }));

test('SvelteKit (adapter-node, devDependency): vite build, the server build run alone streams', async (t) => {
  await assertVersion(node22, 22);
  const vite = join(app, 'node_modules', 'vite', 'bin', 'vite.js');
  const { stdout, stderr } = await run(node22, [vite, 'build'], { cwd: app, env: NO_COLOR, timeoutMs: 300_000 });
  // (the build lists a chunk named error.svelte.js: match warnings and failures, not that name)
  assert.doesNotMatch(stdout + stderr, /\bwarn(ing)?\b|error during|ENOENT|cometapi_responses_bg\.wasm/i, `vite build:\n${stdout}\n${stderr}`);
  out = mkdtempSync(join(tmpdir(), 'cometapi-sveltekit-'));
  cpSync(join(app, 'build'), out, { recursive: true });
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  for (let d = out; d !== parse(d).root; d = dirname(d)) assert.ok(!existsSync(join(d, 'node_modules')), `no node_modules above ${d}`);

  const server = await spawnOnPort(node22, () => ['index.js'], { cwd: out, env: (port, url) => ({ PORT: String(port), HOST: '127.0.0.1', ORIGIN: url }) });
  const api = encodeURIComponent(`${mock.url}/v1`);
  await using(server, async () => {
    await t.test('+server.js route streams', () => checkRoute(`${server.url}/api/stream?api=${api}`, server.output));
    await t.test('a page whose server load streams renders the text', () => checkRendered(`${server.url}/chat?api=${api}`, server.output));
    assert.doesNotMatch(server.output(), /error/i, server.output());
  });
});
