// The packed tarball in a fresh Node project: ESM import and CommonJS require by name, streaming from
// the mock, under the running Node and Node 22 and 24 (pinned in tests/runtimes/tools/node-versions).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, DEV_MODULES, SECRET, freshConsumer, installTools, packPkg, run, startMock } from './lib.mjs';
import { CONSUMER_SCRIPTS, checkReport, parseReport } from './server-lib.mjs';

let packed;
let consumer;
let mock;
let tools;

before(async () => {
  [packed, tools] = await Promise.all([packPkg(join(BUILD, 'runtimes', 'node')), installTools('node-versions')]);
  consumer = await freshConsumer(
    'node',
    {
      ...CONSUMER_SCRIPTS,
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
    'node.js', 'browser.js', 'edge-light.js', 'workerd.js', 'web.js',
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
  assert.deepEqual(Object.keys(root), ['types', 'workerd', 'edge-light', 'node', 'browser', 'worker', 'default']);
  assert.equal(root.node, './node.js');
  assert.equal(root.workerd, './workerd.js');
  assert.equal(root['edge-light'], './edge-light.js');
  assert.equal(root.browser, './browser.js');
  assert.ok(manifest.sideEffects.includes('./browser.js'));
  assert.ok(manifest.files.length > 0);
});

const NODES = [
  { label: `Node ${process.version} (the one running the tests)`, bin: () => process.execPath, major: null },
  { label: 'Node 22', bin: () => join(tools, 'node_modules', 'node22', 'bin', 'node'), major: 22 },
  { label: 'Node 24', bin: () => join(tools, 'node_modules', 'node24', 'bin', 'node'), major: 24 },
];

for (const { label, bin, major } of NODES) {
  test(`${label} ESM: import by name, no init call, streams from the mock backend`, async () => {
    if (major) {
      const { stdout } = await run(bin(), ['--version']);
      assert.match(stdout, new RegExp(`^v${major}\\.`), `the binary is Node ${major}`);
    }
    const { stdout, stderr } = await run(bin(), ['esm.mjs', `${mock.url}/v1`], { cwd: consumer });
    assert.equal(stderr.trim(), '', 'no warning printed');
    checkReport(parseReport(stdout), consumer);
    assert.ok(mock.requests.some((r) => r.path === '/v1/responses' && r.headers.authorization === 'REDACTED'));
  });

  // require(esm) is on by default from Node 20.19 and 22.12; only an older 20 lacks it
  const requireEsm = major ? true : process.features?.require_module;
  test(`${label} CommonJS: require() by name (require(esm)), streams from the mock backend`, { skip: !requireEsm && 'this Node has no require(esm)' }, async () => {
    const { stdout, stderr } = await run(bin(), ['cjs.cjs', `${mock.url}/v1`], { cwd: consumer });
    assert.doesNotMatch(stderr, /Error|Warning/);
    checkReport(parseReport(stdout), consumer);
  });
}

test('TypeScript consumers get the types (moduleResolution nodenext, bundler; CommonJS .cts)', async () => {
  const tsc = join(DEV_MODULES, 'typescript', 'bin', 'tsc');
  const common = ['--noEmit', '--strict', '--target', 'es2022'];
  await run(process.execPath, [tsc, ...common, '--module', 'nodenext', '--moduleResolution', 'nodenext', 'types.ts', 'types-cjs.cts'], { cwd: consumer });
  await run(process.execPath, [tsc, ...common, '--module', 'esnext', '--moduleResolution', 'bundler', 'types.ts'], { cwd: consumer });
});
