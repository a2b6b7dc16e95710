// The packed tarball in a fresh project, run by the server runtimes (server-lib.mjs's scripts against
// the mock, which requires the key): the running Node, Node 22 and 24 (tools/node-versions), Bun and
// Deno (tools/bun-deno), by ESM import, CommonJS require and Deno's npm: specifiers; server bundles
// (esbuild, bun build) run alone; WebSocket mode (docs/websocket.md) in each and in workerd; and the
// `edge-light` entry bundled as Next.js does for `runtime = 'edge'`, run in edge-runtime's EdgeVM
// without wasm code generation (the Module compiled in the host realm).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEV_MODULES, NO_COLOR, SECRET, assertVersion, bins, bundleWorker, devImport, freshConsumer, installTools, run, startWorker, useMock } from './lib.mjs';
import { CONSUMER_SCRIPTS, checkReport, checkSocketReport, parseReport } from './server-lib.mjs';

let consumer;
const mock = useMock({ delayMs: 5, requireKey: SECRET });
let nodes;
let bunDeno;
let EdgeVM;
/** The package's .wasm compiled in the host realm, as a bundler hands it to the edge (the EdgeVM cannot compile one). */
let hostModule;
const lonely = [];

before(async () => {
  let edge;
  [nodes, bunDeno, edge] = await Promise.all(['node-versions', 'bun-deno', 'edge-runtime'].map((name) => installTools(name)));
  ({ EdgeVM } = await import(pathToFileURL(join(edge, 'node_modules', '@edge-runtime', 'vm', 'dist', 'index.js')).href));
  const types = [
    "import { ResponsesClient, ApiError, init } from 'cometapi-responses';",
    "import { init as webInit, ResponsesClient as WebClient } from 'cometapi-responses/web';",
    "const client: ResponsesClient = new ResponsesClient({ apiKey: 'x', baseURL: 'http://127.0.0.1/v1' });",
    'export async function main(): Promise<string> {',
    "  await init(); await webInit(); new WebClient({});",
    "  const stream = client.stream({ model: 'm', input: 'i' });",
    '  for await (const event of stream) if (event.type === "response.completed") break;',
    '  try { return (await stream.finalResponse()).output_text; } catch (e) { return e instanceof ApiError ? String(e.status) : "?"; }',
    '}',
  ];
  const cts = "import { ResponsesClient } from 'cometapi-responses';\nexport = new ResponsesClient({});\n";
  consumer = await freshConsumer('node', { ...CONSUMER_SCRIPTS, 'types.ts': types.join('\n'), 'types-cjs.cts': cts });
  mkdirSync(join(consumer, '.deno'), { recursive: true });
  hostModule = new WebAssembly.Module(readFileSync(wasmFile()));
});

after(() => {
  for (const d of lonely) rmSync(d, { recursive: true, force: true });
});

test('TypeScript consumers get the types (moduleResolution nodenext, bundler; CommonJS .cts)', async () => {
  const tsc = join(DEV_MODULES, 'typescript', 'bin', 'tsc');
  const common = ['--noEmit', '--strict', '--target', 'es2022'];
  await run(process.execPath, [tsc, ...common, '--module', 'nodenext', '--moduleResolution', 'nodenext', 'types.ts', 'types-cjs.cts'], { cwd: consumer });
  await run(process.execPath, [tsc, ...common, '--module', 'esnext', '--moduleResolution', 'bundler', 'types.ts'], { cwd: consumer });
});

const QUIET = (stderr) => assert.doesNotMatch(stderr, /error|warn/i, `nothing alarming on stderr:\n${stderr}`);
/** The report of `bin args… <baseURL> extra…` in `cwd`, its stderr checked; nothing of Bun or Deno reaches the network (no update check, telemetry, registry). */
async function report(bin, args, { cwd = consumer, extra = [], stderr: checkStderr = QUIET } = {}) {
  const env = { DENO_DIR: join(consumer, '.deno'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', BUN_INSTALL_CACHE_DIR: join(cwd, '.bun-cache'), DO_NOT_TRACK: '1', ...NO_COLOR };
  const { stdout, stderr } = await run(bin, [...args, `${mock.url}/v1`, ...extra], { cwd, timeoutMs: 60_000, env });
  checkStderr(stderr);
  return parseReport(stdout);
}

/** `deno run` with the network limited to the mock, files read-only in the consumer, nothing fetched. */
const denoRun = (file) => ['run', '--cached-only', '--no-lock', `--allow-net=${new URL(mock.url).host}`, `--allow-read=${consumer}`, file];
const bun = () => bins.bun(bunDeno);
const deno = () => bins.deno(bunDeno);
const node = (major) => () => (major ? bins.node(nodes, major) : process.execPath);
// require(esm) is on by default from Node 20.19 and 22.12; only an older 20 lacks it
const noRequireEsm = !process.features?.require_module && 'this Node has no require(esm)';
const NO_STDERR = { stderr: (s) => assert.equal(s.trim(), '', 'no warning printed') };
const NO_ERROR = { stderr: (s) => assert.doesNotMatch(s, /Error|Warning/) };
const HERE = `Node ${process.version} (the one running the tests)`;
const CREATES = 'streams from the mock backend and creates';

/** Checks a report of esm.mjs, cjs.cjs or deno-npm.mjs run since the mock's log had `before` entries. */
const checked = (r, before) => {
  checkReport(r, consumer);
  assert.ok(mock.requests.slice(before).some((q) => q.path === '/v1/responses' && q.headers.authorization === 'REDACTED'));
};
/** socket.mjs: the key as an extra argument; its own check. */
const SOCKET = { extra: [SECRET], check: (r, before) => checkSocketReport(r, `${mock.url}/v1`, mock, before) };
const SOCKETS = 'client.connect() over the global WebSocket with the key on the upgrade; stream, a chained turn, two lanes';

// [title, bin, args, version printed, options (report's, and `check`), skip]
for (const [title, bin, args, version, options = {}, skip] of [
  [`${HERE} ESM: import by name, no init call, streams from the mock backend`, node(), () => ['esm.mjs'], null, NO_STDERR],
  [`${HERE} CommonJS: require() by name (require(esm)), streams from the mock backend`, node(), () => ['cjs.cjs'], null, NO_ERROR, noRequireEsm],
  ...[22, 24].flatMap((major) => [
    [`Node ${major} ESM: import by name, no init call, streams from the mock backend`, node(major), () => ['esm.mjs'], major, NO_STDERR],
    [`Node ${major} CommonJS: require() by name (require(esm)), streams from the mock backend`, node(major), () => ['cjs.cjs'], major, NO_ERROR],
    [`Node ${major}: ${SOCKETS}`, node(major), () => ['socket.mjs'], major, SOCKET],
  ]),
  [`Bun: import by name ${CREATES}`, bun, () => ['esm.mjs'], /^1\.4\.5\s*$/],
  [`Bun: require() by name ${CREATES}`, bun, () => ['cjs.cjs']],
  [`Bun: ${SOCKETS}`, bun, () => ['socket.mjs'], null, SOCKET],
  [`Deno: import by name ${CREATES}`, deno, () => denoRun('esm.mjs'), /^deno 2\.9\.6\b/],
  [`Deno: require() by name (a .cjs file) ${CREATES}`, deno, () => denoRun('cjs.cjs')],
  ['Deno: npm: specifiers (Netlify Edge / Deno Deploy style) stream from the mock backend and create', deno, () => denoRun('deno-npm.mjs')],
  [`Deno: ${SOCKETS}`, deno, () => denoRun('socket.mjs'), null, SOCKET],
]) {
  test(title, { skip }, async () => {
    if (version) await assertVersion(bin(), version);
    const before = mock.requests.length;
    const { check = checked, ...reportOptions } = options;
    check(await report(bin(), args(), reportOptions), before);
  });
}

/** Copies the one file of a server bundle alone into a fresh temporary folder (no node_modules on the way up); runs it with Node and Bun. */
async function runsAlone(outdir) {
  assert.deepEqual(readdirSync(outdir), ['bundle.js'], 'one file, no .wasm beside it');
  const dir = mkdtempSync(join(tmpdir(), 'cometapi-bundle-'));
  lonely.push(dir);
  for (let d = dir; d !== parse(d).root; d = dirname(d)) assert.ok(!existsSync(join(d, 'node_modules')), `no node_modules above the bundle: ${d}`);
  copyFileSync(join(outdir, 'bundle.js'), join(dir, 'server.mjs'));
  for (const bin of [process.execPath, bun()]) checkReport(await report(bin, ['server.mjs'], { cwd: dir }), null);
}

test('esbuild --platform=node --bundle: the bundle runs alone (Node and Bun)', async () => {
  const esbuild = await devImport('esbuild/lib/main.js');
  const outdir = join(consumer, 'dist-esbuild');
  const result = await esbuild.build({ absWorkingDir: consumer, entryPoints: ['bundle.mjs'], bundle: true, platform: 'node', format: 'esm', outdir, logLevel: 'silent' });
  assert.deepEqual(result.warnings, []);
  await runsAlone(outdir);
});

test('bun build --target=node: the bundle runs alone (Node and Bun)', async () => {
  const outdir = join(consumer, 'dist-bun');
  const { stderr } = await run(bun(), ['build', 'bundle.mjs', '--target=node', '--outdir', outdir], { cwd: consumer, env: { DO_NOT_TRACK: '1', ...NO_COLOR } });
  assert.doesNotMatch(stderr, /error|warn/i, stderr);
  await runsAlone(outdir);
});

test('workerd: client.connect() through fetch Upgrade with the key; stream, a chained turn, two lanes', async (t) => {
  const baseURL = `${mock.url}/v1`;
  const mf = await startWorker(await bundleWorker(consumer, 'worker.mjs', 'dist-worker'), { BASE_URL: baseURL, KEY: SECRET });
  t.after(() => mf.dispose());
  const before = mock.requests.length;
  const res = await mf.dispatchFetch('http://worker.test/');
  const text = await res.text();
  assert.equal(res.status, 200, text);
  checkSocketReport(JSON.parse(text), baseURL, mock, before);
});

// ---- the edge

// the conditions Next.js resolves with for the edge runtime
const EDGE_CONDITIONS = ['edge-light', 'worker', 'browser', 'module', 'import', 'default'];

const wasmFile = () => join(consumer, 'node_modules', 'cometapi-responses', 'cometapi_responses_bg.wasm');

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
