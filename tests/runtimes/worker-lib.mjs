// Shared by the tests of the Workers (examples/cloudflare-worker and Workers of the tests' own):
// a fresh copy of the example (build/consumer-NAME) installs the packed tarball and is bundled the
// way wrangler bundles (esbuild, conditions workerd/worker/browser, .wasm kept as a separate
// CompiledWasm module); startWorker() runs a bundle in workerd through miniflare.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, ROOT, devImport, freshConsumer, packPkg } from './lib.mjs';

export { listen } from './lib.mjs';
export const EXAMPLE = join(ROOT, 'examples', 'cloudflare-worker');

/** The compatibility_date of a wrangler.toml (the example's by default). */
export const compatibilityDate = (toml = join(EXAMPLE, 'wrangler.toml')) =>
  readFileSync(toml, 'utf8').match(/^compatibility_date\s*=\s*"([^"]+)"/m)[1];

/** esbuild as wrangler bundles `entry` of `dir` into `dir/outdir`; returns esbuild's metafile inputs. */
export async function bundleWorker(dir, entry, outdir = 'dist') {
  const esbuild = await devImport('esbuild/lib/main.js');
  // the conditions wrangler passes; the .wasm kept as its own module, imported as a WebAssembly.Module
  const conditions = ['workerd', 'worker', 'browser'];
  const result = await esbuild.build({
    absWorkingDir: dir, entryPoints: [entry], outdir, bundle: true, format: 'esm', target: 'es2024', conditions,
    loader: { '.wasm': 'copy' }, assetNames: '[name]', metafile: true, logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

/** The example as a user would copy it, bundled: { dir, bundleDir, compatibilityDate }. */
export async function bundleExample(name) {
  const { tarball } = await packPkg(join(BUILD, 'runtimes', name));
  const example = JSON.parse(readFileSync(join(EXAMPLE, 'package.json'), 'utf8'));
  assert.equal(example.dependencies['cometapi-responses'], 'file:../../pkg');
  // the package comes from the tarball instead of ../../pkg (wrangler itself is not installed:
  // it is replaced by the same esbuild bundling; tests/runtimes/wrangler.test.mjs runs it)
  const files = {
    'package.json': JSON.stringify({ name: example.name, private: true, type: 'module' }, null, 2),
    'wrangler.toml': readFileSync(join(EXAMPLE, 'wrangler.toml'), 'utf8'),
  };
  for (const f of readdirSync(join(EXAMPLE, 'src'))) files[`src/${f}`] = readFileSync(join(EXAMPLE, 'src', f), 'utf8');
  const dir = await freshConsumer(name, files, tarball);
  const inputs = await bundleWorker(dir, 'src/index.js');
  assert.ok(inputs.some((p) => p.endsWith('node_modules/cometapi-responses/workerd.js')), `bundled workerd.js: ${inputs}`);
  assert.ok(!inputs.some((p) => p.includes('inline')), 'the inlined wasm of the browser entry is not bundled');
  return { dir, bundleDir: join(dir, 'dist'), compatibilityDate: compatibilityDate() };
}

/**
 * The bundle (its `script`, index.js by default) in workerd (miniflare) with these bindings (vars
 * and the secret; an undefined value is a binding left out) and miniflare `options`; dispose() when done.
 */
export async function startWorker({ bundleDir, compatibilityDate, script = 'index.js' }, bindings, options = {}) {
  const { Miniflare } = await devImport('miniflare/dist/src/index.js');
  const instance = new Miniflare({
    modules: true, modulesRoot: bundleDir, scriptPath: join(bundleDir, script), compatibilityDate,
    modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
    bindings: Object.fromEntries(Object.entries(bindings).filter(([, v]) => v !== undefined)),
    ...options,
  });
  await instance.ready;
  return instance;
}

/** Every ≥ `min`-char substring of `secret` that occurs in `text` (none expected). */
export function fragmentsIn(text, secret, min = 10) {
  const found = new Set();
  for (let i = 0; i + min <= secret.length; i++) {
    const piece = secret.slice(i, i + min);
    if (text.includes(piece)) found.add(piece);
  }
  return [...found];
}

/** The SSE blocks of a text/event-stream body → [{ event, data }] (data parsed as JSON). */
export function sseEvents(text) {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      return { event, data: JSON.parse(lines.find((l) => l.startsWith('data: ')).slice(6)) };
    });
}
