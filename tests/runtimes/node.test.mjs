// The npm package as a Node user gets it: `npm pack` of pkg/, installed into a fresh consumer
// project (build/consumer-node), imported by name (ESM import and CommonJS require, no init call),
// streaming from the mock backend in a separate Node process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD, DEV_MODULES, SECRET, freshConsumer, packPkg, run, startMock } from './lib.mjs';

let packed;
let consumer;
let mock;

// The consumer's script: stream, then a non-streaming call, then print a JSON report.
const scriptBody = (resolveExpr) => `
const baseURL = process.argv[2];
const client = new ResponsesClient({ apiKey: '${SECRET}', baseURL });
const stream = client.stream({ model: 'gpt-5.4', input: 'Hello from Node' });
const types = [];
let text = '';
for await (const event of stream) {
  types.push(event.type);
  if (event.type === 'response.output_text.delta') text += event.delta;
}
const final = await stream.finalResponse();
const created = await client.create({ model: 'gpt-5.4', input: 'Hello again' });
let apiError = null;
try {
  await new ResponsesClient({ apiKey: 'sk-wrong', baseURL, maxRetries: 0 }).create({ model: 'gpt-5.4', input: 'x' });
} catch (e) {
  apiError = { name: e.name, isApiError: e instanceof ApiError, status: e.status };
}
console.log(JSON.stringify({
  resolved: ${resolveExpr},
  types, text, finalText: final.output_text, status: final.status,
  createdText: created.output_text, apiError,
  exports: Object.keys(pkg).sort(),
}));
`;

before(async () => {
  packed = await packPkg(join(BUILD, 'runtimes', 'node'));
  consumer = await freshConsumer(
    'node',
    {
      'esm.mjs':
        "import * as pkg from 'cometapi-responses';\nimport { ResponsesClient, ApiError } from 'cometapi-responses';\n" +
        scriptBody("import.meta.resolve('cometapi-responses')"),
      'cjs.cjs':
        "const pkg = require('cometapi-responses');\nconst { ResponsesClient, ApiError } = require('cometapi-responses');\n" +
        `(async () => {${scriptBody("require.resolve('cometapi-responses')")}})().catch((e) => { console.error(e); process.exit(1); });\n`,
      'types.ts': [
        "import { ResponsesClient, ApiError, init } from 'cometapi-responses';",
        "import { init as webInit, ResponsesClient as WebClient } from 'cometapi-responses/web';",
        "const client: ResponsesClient = new ResponsesClient({ apiKey: 'x', baseURL: 'http://127.0.0.1/v1' });",
        'export async function main(): Promise<string> {',
        "  await init(); await webInit(); new WebClient({});",
        "  const stream = client.stream({ model: 'm', input: 'i' });",
        '  for await (const event of stream) if (event.type === "response.completed") break;',
        '  try { return (await stream.finalResponse()).output_text; } catch (e) { return e instanceof ApiError ? String(e.status) : "?"; }',
        '}',
      ].join('\n'),
      'types-cjs.cts': "import { ResponsesClient } from 'cometapi-responses';\nexport = new ResponsesClient({});\n",
    },
    packed.tarball,
  );
  mock = await startMock({ delayMs: 5, requireKey: SECRET });
});

after(async () => {
  await mock?.close();
});

test('npm pack: the tarball is a complete package', () => {
  const { files, info } = packed;
  const manifest = JSON.parse(readFileSync(join(consumer, 'node_modules', 'cometapi-responses', 'package.json'), 'utf8'));
  assert.equal(info.name, 'cometapi-responses');
  assert.match(manifest.version, /^\d+\.\d+\.\d+/);
  assert.ok(manifest.license);
  assert.equal(manifest.type, 'module');
  for (const f of [
    'package.json', 'README.md', 'index.d.ts', 'cometapi_responses_bg.wasm',
    'node.js', 'browser.js', 'workerd.js', 'web.js',
  ]) {
    assert.ok(files.includes(f), `the tarball holds ${f}`);
  }
  assert.deepEqual(files.filter((f) => !/^([\w.-]+\.(js|d\.ts|wasm|json|md)|LICENSE[\w.-]*)$/.test(f)), [], 'nothing else is published');
  // every target named by package.json exists in the installed package
  const installed = join(consumer, 'node_modules', 'cometapi-responses');
  const targets = [manifest.main, manifest.module, manifest.types];
  const walk = (v) => (typeof v === 'string' ? targets.push(v) : Object.values(v).forEach(walk));
  walk(manifest.exports);
  for (const t of targets) assert.ok(existsSync(join(installed, t)), `${t} exists`);
  const root = manifest.exports['.'];
  assert.deepEqual(Object.keys(root), ['types', 'workerd', 'node', 'browser', 'worker', 'default']);
  assert.equal(root.node, './node.js');
  assert.equal(root.workerd, './workerd.js');
  assert.equal(root.browser, './browser.js');
  assert.ok(manifest.sideEffects.includes('./browser.js'));
  assert.ok(manifest.files.length > 0);
});

function checkReport(report) {
  const resolved = report.resolved.startsWith('file:') ? fileURLToPath(report.resolved) : report.resolved;
  assert.ok(
    realpathSync(resolved).startsWith(realpathSync(join(consumer, 'node_modules'))),
    `resolved from the consumer's own node_modules: ${resolved}`,
  );
  assert.match(report.resolved, /cometapi-responses[/\\]node\.js$/, 'the "node" condition picks node.js');
  assert.equal(report.types[0], 'response.created');
  assert.equal(report.types.at(-1), 'response.completed');
  assert.ok(report.types.filter((t) => t === 'response.output_text.delta').length >= 3);
  assert.ok(report.text.length > 0);
  assert.equal(report.finalText, report.text);
  assert.equal(report.status, 'completed');
  assert.equal(typeof report.createdText, 'string');
  assert.ok(report.createdText.length > 0);
  assert.deepEqual(report.apiError, { name: 'ApiError', isApiError: true, status: 401 });
  for (const name of ['ResponsesClient', 'ResponseStream', 'ResponseAccumulator', 'SseParser', 'ApiError', 'ConnectionError', 'TimeoutError', 'AbortError', 'StreamError', 'ValidationError', 'init']) {
    assert.ok(report.exports.includes(name), `exports ${name}`);
  }
}

test('Node ESM: import by name, no init call, streams from the mock backend', async () => {
  const { stdout, stderr } = await run(process.execPath, ['esm.mjs', `${mock.url}/v1`], { cwd: consumer });
  assert.equal(stderr.trim(), '', 'no warning printed');
  checkReport(JSON.parse(stdout));
  assert.ok(mock.requests.some((r) => r.path === '/v1/responses' && r.headers.authorization === 'REDACTED'));
});

test('Node CommonJS: require() by name (require(esm), Node ≥ 20.19), streams from the mock backend', { skip: !process.features?.require_module && 'this Node has no require(esm)' }, async () => {
  const { stdout, stderr } = await run(process.execPath, ['cjs.cjs', `${mock.url}/v1`], { cwd: consumer });
  assert.doesNotMatch(stderr, /Error/);
  checkReport(JSON.parse(stdout));
});

test('TypeScript consumers get the types (moduleResolution nodenext, bundler; CommonJS .cts)', async () => {
  const tsc = join(DEV_MODULES, 'typescript', 'bin', 'tsc');
  const common = ['--noEmit', '--strict', '--target', 'es2022'];
  await run(process.execPath, [tsc, ...common, '--module', 'nodenext', '--moduleResolution', 'nodenext', 'types.ts', 'types-cjs.cts'], { cwd: consumer });
  await run(process.execPath, [tsc, ...common, '--module', 'esnext', '--moduleResolution', 'bundler', 'types.ts'], { cwd: consumer });
});
