// Shared by the tests of the example Cloudflare Worker (examples/cloudflare-worker): a fresh copy of
// the example (build/consumer-NAME) installs the packed tarball and is bundled the way wrangler
// bundles (esbuild, conditions workerd/worker/browser, .wasm kept as a separate CompiledWasm module);
// startWorker() runs that bundle in workerd through miniflare.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { BUILD, ROOT, devImport, freshConsumer, packPkg } from './lib.mjs';

export const EXAMPLE = join(ROOT, 'examples', 'cloudflare-worker');

/** The example as a user would copy it, bundled: { dir, bundleDir, compatibilityDate }. */
export async function bundleExample(name) {
  const { tarball } = await packPkg(join(BUILD, 'runtimes', name));
  const example = JSON.parse(readFileSync(join(EXAMPLE, 'package.json'), 'utf8'));
  assert.equal(example.dependencies['cometapi-responses'], 'file:../../pkg');
  const wranglerToml = readFileSync(join(EXAMPLE, 'wrangler.toml'), 'utf8');
  const compatibilityDate = wranglerToml.match(/^compatibility_date\s*=\s*"([^"]+)"/m)[1];
  // the package comes from the tarball instead of ../../pkg (wrangler itself is not installed:
  // it is replaced by the same esbuild bundling below; tests/runtimes/wrangler.test.mjs runs it)
  const dir = await freshConsumer(
    name,
    {
      'package.json': JSON.stringify({ name: example.name, private: true, type: 'module' }, null, 2),
      'wrangler.toml': wranglerToml,
      ...Object.fromEntries(readdirSync(join(EXAMPLE, 'src')).map((f) => [`src/${f}`, readFileSync(join(EXAMPLE, 'src', f), 'utf8')])),
    },
    tarball,
  );
  const esbuild = await devImport('esbuild/lib/main.js');
  const bundleDir = join(dir, 'dist');
  const result = await esbuild.build({
    absWorkingDir: dir,
    entryPoints: ['src/index.js'],
    outdir: 'dist',
    bundle: true,
    format: 'esm',
    target: 'es2024',
    conditions: ['workerd', 'worker', 'browser'], // what wrangler passes
    loader: { '.wasm': 'copy' }, // kept as its own module, imported as a WebAssembly.Module
    assetNames: '[name]',
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((p) => p.endsWith('node_modules/cometapi-responses/workerd.js')), `bundled workerd.js: ${inputs}`);
  assert.ok(!inputs.some((p) => p.includes('inline')), 'the inlined wasm of the browser entry is not bundled');
  return { dir, bundleDir, compatibilityDate };
}

/** The bundle in workerd (miniflare) with these bindings (vars and the secret); dispose() when done. */
export async function startWorker({ bundleDir, compatibilityDate }, bindings) {
  const { Miniflare } = await devImport('miniflare/dist/src/index.js');
  const instance = new Miniflare({
    modules: true,
    modulesRoot: bundleDir,
    scriptPath: join(bundleDir, 'index.js'),
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate,
    // an undefined value is a binding left out
    bindings: Object.fromEntries(Object.entries(bindings).filter(([, v]) => v !== undefined)),
  });
  await instance.ready;
  return instance;
}

/** An http server on 127.0.0.1, port 0; close() ends its open connections too. */
export async function listen(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
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
