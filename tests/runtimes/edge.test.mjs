// The tarball's `edge-light` entry bundled as Next.js does for `runtime = 'edge'`, run in edge-runtime's
// EdgeVM without wasm code generation (the Module compiled in the host realm): stream, create(), an ApiError.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILD, SECRET, devImport, freshConsumer, installTools, packPkg, startMock } from './lib.mjs';

// the conditions Next.js resolves with for the edge runtime
const EDGE_CONDITIONS = ['edge-light', 'worker', 'browser', 'module', 'import', 'default'];

let consumer;
let mock;
let EdgeVM;
let hostModule;

before(async () => {
  const [{ tarball }, tools] = await Promise.all([packPkg(join(BUILD, 'runtimes', 'edge')), installTools('edge-runtime')]);
  ({ EdgeVM } = await import(pathToFileURL(join(tools, 'node_modules', '@edge-runtime', 'vm', 'dist', 'index.js')).href));
  consumer = await freshConsumer(
    'edge',
    {
      'route.mjs':
        "import * as pkg from 'cometapi-responses';\nimport { ResponsesClient, ApiError } from 'cometapi-responses';\n" +
        'globalThis.__run = async (baseURL) => {\n' +
        `  const client = new ResponsesClient({ apiKey: '${SECRET}', baseURL });\n` +
        "  const stream = client.stream({ model: 'gpt-5.4', input: 'Hello from the edge' });\n" +
        '  const types = [];\n  let text = "";\n' +
        "  for await (const event of stream) { types.push(event.type); if (event.type === 'response.output_text.delta') text += event.delta; }\n" +
        '  const final = await stream.finalResponse();\n' +
        "  const created = await client.create({ model: 'gpt-5.4', input: 'Hello again' });\n" +
        '  let apiError = null;\n' +
        "  try { await new ResponsesClient({ apiKey: 'sk-wrong', baseURL, maxRetries: 0 }).create({ model: 'gpt-5.4', input: 'x' }); }\n" +
        '  catch (e) { apiError = { name: e.name, isApiError: e instanceof ApiError, status: e.status }; }\n' +
        '  return { types, text, finalText: final.output_text, status: final.status, createdText: created.output_text, apiError, exports: Object.keys(pkg).sort() };\n' +
        '};\n',
    },
    tarball,
  );
  hostModule = new WebAssembly.Module(readFileSync(join(consumer, 'node_modules', 'cometapi-responses', 'cometapi_responses_bg.wasm')));
  mock = await startMock({ delayMs: 5, requireKey: SECRET });
});

after(async () => {
  await mock?.close();
});

/** route.mjs bundled as a script for the edge: `*.wasm?module` → the global the host sets. */
async function bundleForEdge() {
  const esbuild = await devImport('esbuild/lib/main.js');
  const resolved = [];
  const result = await esbuild.build({
    absWorkingDir: consumer,
    entryPoints: ['route.mjs'],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: EDGE_CONDITIONS,
    logLevel: 'silent',
    plugins: [
      {
        name: 'wasm-module-binding',
        setup(build) {
          build.onResolve({ filter: /\.wasm\?module$/ }, (args) => {
            resolved.push(join(args.resolveDir, args.path));
            return { path: args.path, namespace: 'wasm-binding' };
          });
          build.onLoad({ filter: /.*/, namespace: 'wasm-binding' }, () => ({
            contents: 'export default globalThis.__wasm_cometapi;',
            loader: 'js',
          }));
        },
      },
    ],
  });
  return { code: result.outputFiles[0].text, resolved };
}

function edgeVM() {
  return new EdgeVM({
    codeGeneration: { strings: false, wasm: false },
    extend: (context) => Object.assign(context, { __wasm_cometapi: hostModule }),
  });
}

test('the edge-light entry is what the edge conditions resolve to, and it imports the .wasm as a module', async () => {
  const { code, resolved } = await bundleForEdge();
  assert.equal(resolved.length, 1, `one .wasm?module import: ${resolved}`);
  assert.equal(
    realpathSync(resolved[0].replace(/\?module$/, '')),
    realpathSync(join(consumer, 'node_modules', 'cometapi-responses', 'cometapi_responses_bg.wasm')),
  );
  assert.doesNotMatch(code, /H4sI[A-Za-z0-9+/]{1000}/, 'no inline copy of the wasm in the edge bundle');
  assert.doesNotMatch(code, /DecompressionStream|node:/, 'neither DecompressionStream nor a node: import');
});

test('EdgeVM: code generation is disallowed and the host-realm module fails instanceof (the premise)', () => {
  const vm = edgeVM();
  const bytes = readFileSync(join(consumer, 'node_modules', 'cometapi-responses', 'cometapi_responses_bg.wasm'));
  vm.context.__bytes = new vm.context.Uint8Array(bytes);
  assert.throws(() => vm.evaluate('new WebAssembly.Module(__bytes)'), /Wasm code generation disallowed/);
  assert.throws(() => vm.evaluate('eval("1")'), /Code generation from strings disallowed/);
  assert.equal(vm.evaluate('__wasm_cometapi instanceof WebAssembly.Module'), false);
});

test('EdgeVM (no wasm code generation): the edge entry streams from the mock backend, creates, throws ApiError', async () => {
  const { code } = await bundleForEdge();
  const vm = edgeVM();
  vm.evaluate(code);
  const report = await vm.evaluate(`__run(${JSON.stringify(`${mock.url}/v1`)})`);
  assert.equal(report.types[0], 'response.created');
  assert.equal(report.types.at(-1), 'response.completed');
  assert.ok(report.types.filter((t) => t === 'response.output_text.delta').length >= 3);
  assert.ok(report.text.length > 0);
  assert.equal(report.finalText, report.text);
  assert.equal(report.status, 'completed');
  assert.ok(report.createdText.length > 0);
  assert.deepEqual({ ...report.apiError }, { name: 'ApiError', isApiError: true, status: 401 });
  for (const name of ['ResponsesClient', 'ResponseStream', 'SseParser', 'ApiError', 'init']) {
    assert.ok(report.exports.includes(name), `exports ${name}`);
  }
});
