// The tarball's `edge-light` entry bundled as Next.js does for `runtime = 'edge'`, run in edge-runtime's
// EdgeVM without wasm code generation (the Module compiled in the host realm): server-lib.mjs's report.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SECRET, devImport, freshConsumer, installTools, useMock } from './lib.mjs';
import { EDGE_SCRIPT, checkReport } from './server-lib.mjs';

// the conditions Next.js resolves with for the edge runtime
const EDGE_CONDITIONS = ['edge-light', 'worker', 'browser', 'module', 'import', 'default'];

let consumer;
const mock = useMock({ delayMs: 5, requireKey: SECRET });
let EdgeVM;
let hostModule;
const wasmFile = () => join(consumer, 'node_modules', 'cometapi-responses', 'cometapi_responses_bg.wasm');

before(async () => {
  const tools = await installTools('edge-runtime');
  ({ EdgeVM } = await import(pathToFileURL(join(tools, 'node_modules', '@edge-runtime', 'vm', 'dist', 'index.js')).href));
  consumer = await freshConsumer('edge', { 'route.mjs': EDGE_SCRIPT });
  hostModule = new WebAssembly.Module(readFileSync(wasmFile()));
});

/** route.mjs bundled as a script for the edge: `*.wasm?module` → the global the host sets. */
async function bundleForEdge() {
  const esbuild = await devImport('esbuild/lib/main.js');
  const resolved = [];
  const result = await esbuild.build({
    absWorkingDir: consumer,
    entryPoints: ['route.mjs'], bundle: true, write: false, format: 'iife', platform: 'neutral',
    mainFields: ['module', 'main'], conditions: EDGE_CONDITIONS, logLevel: 'silent',
    plugins: [
      {
        name: 'wasm-module-binding',
        setup(build) {
          build.onResolve({ filter: /\.wasm\?module$/ }, (args) => {
            resolved.push(join(args.resolveDir, args.path));
            return { path: args.path, namespace: 'wasm-binding' };
          });
          build.onLoad({ filter: /.*/, namespace: 'wasm-binding' }, () => ({ contents: 'export default globalThis.__wasm_cometapi;', loader: 'js' }));
        },
      },
    ],
  });
  return { code: result.outputFiles[0].text, resolved };
}

const edgeVM = () =>
  new EdgeVM({ codeGeneration: { strings: false, wasm: false }, extend: (context) => Object.assign(context, { __wasm_cometapi: hostModule }) });

test('the edge-light entry is what the edge conditions resolve to, and it imports the .wasm as a module', async () => {
  const { code, resolved } = await bundleForEdge();
  assert.equal(resolved.length, 1, `one .wasm?module import: ${resolved}`);
  assert.equal(realpathSync(resolved[0].replace(/\?module$/, '')), realpathSync(wasmFile()));
  assert.doesNotMatch(code, /H4sI[A-Za-z0-9+/]{1000}/, 'no inline copy of the wasm in the edge bundle');
  assert.doesNotMatch(code, /DecompressionStream|node:/, 'neither DecompressionStream nor a node: import');
});

test('EdgeVM: code generation is disallowed and the host-realm module fails instanceof (the premise)', () => {
  const vm = edgeVM();
  vm.context.__bytes = new vm.context.Uint8Array(readFileSync(wasmFile()));
  assert.throws(() => vm.evaluate('new WebAssembly.Module(__bytes)'), /Wasm code generation disallowed/);
  assert.throws(() => vm.evaluate('eval("1")'), /Code generation from strings disallowed/);
  assert.equal(vm.evaluate('__wasm_cometapi instanceof WebAssembly.Module'), false);
});

test('EdgeVM (no wasm code generation): the edge entry streams from the mock backend, creates, throws ApiError', async () => {
  const { code } = await bundleForEdge();
  const vm = edgeVM();
  vm.evaluate(code);
  // JSON text: the report's objects are of the VM's realm
  checkReport(JSON.parse(await vm.evaluate(`__run(${JSON.stringify(`${mock.url}/v1`)})`)), null);
});
