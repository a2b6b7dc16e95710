// The one harness of the runtime tests: pack pkg/ as npm would publish it, create fresh consumer
// projects under build/ that install the tarball, start the mock backend, servers, Workers (workerd
// through miniflare, bundled the way wrangler bundles) and Chromium; and the checks they share.
// Everything runs locally on 127.0.0.1 with random ports.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PKG = join(ROOT, 'pkg');
export const BUILD = join(ROOT, 'build');
export const DEV_MODULES = join(ROOT, 'node_modules');
export const EXAMPLE = join(ROOT, 'examples', 'cloudflare-worker');
/** The secret the Worker holds and the mock requires: it must never appear in a response. */
export const SECRET = 'sk-test-secret';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The environment that keeps colour codes out of a tool's output. */
export const NO_COLOR = { NO_COLOR: '1', FORCE_COLOR: '0' };

/** Imports a dev dependency of the repo by path (consumers don't install their own copy). */
export const devImport = (spec) => import(pathToFileURL(join(DEV_MODULES, spec)).href);
/** pkg/node.js, the package as built, to parse what a server sent. */
export const pkgNode = () => import(pathToFileURL(join(PKG, 'node.js')).href);
export const readJson = (...path) => JSON.parse(readFileSync(join(...path), 'utf8'));

const execFileAsync = promisify(execFile);

/** Runs a command (no input); resolves { stdout, stderr }; rejects on a non-zero exit, with both in the message. */
export function run(cmd, args, { cwd = ROOT, env, timeoutMs = 120_000 } = {}) {
  const options = { cwd, env: { ...process.env, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 30 };
  const running = execFileAsync(cmd, args, options);
  running.child.stdin.end();
  return running.catch((e) => {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${e.code ?? e.signal}\n${e.stdout}\n${e.stderr}`);
  });
}

/** Asserts that `bin --version` prints `version` (a RegExp, or a major version of Node). */
export async function assertVersion(bin, version) {
  const { stdout } = await run(bin, ['--version']);
  assert.match(stdout, typeof version === 'number' ? new RegExp(`^v${version}\\.`) : version, `${bin} --version`);
}

const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/**
 * The tools a runtime test needs (Bun, Deno, other Node versions, webpack, …), pinned by
 * tests/runtimes/tools/NAME/package-lock.json and installed by `npm ci` into
 * build/runtimes/tools-NAME (or `dir`) once; again only when the lock changes. Returns that directory.
 */
export async function installTools(name, spec = join(ROOT, 'tests', 'runtimes', 'tools', name), dir = join(BUILD, 'runtimes', `tools-${name}`)) {
  const lock = readFileSync(join(spec, 'package-lock.json'), 'utf8');
  const stamp = join(dir, '.installed-lock.json');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lock) return dir;
  const t0 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(spec, f), join(dir, f));
  await run('npm', ['ci', '--prefer-offline', ...NPM_QUIET], { cwd: dir, timeoutMs: 600_000 });
  writeFileSync(stamp, lock);
  console.log(`installed the ${name} tools into ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s (kept for later runs)`);
  return dir;
}

/** The binaries of the pinned tools: Node 22/24 (node-versions), Bun and Deno (bun-deno). */
export const bins = {
  node: (tools, major) => join(tools, 'node_modules', `node${major}`, 'bin', 'node'),
  bun: (tools) => join(tools, 'node_modules', 'bun', 'bin', 'bun.exe'),
  deno: (tools) => join(tools, 'node_modules', 'deno', 'deno'),
};

/** `npm pack` of pkg/ into `dir`; returns { tarball, files, info } (npm's --json report). */
export async function packPkg(dir) {
  if (!existsSync(join(PKG, 'package.json'))) throw new Error('pkg/ is missing: run `make build` first');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.tgz')) rmSync(join(dir, f));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir, ...NPM_QUIET], { cwd: PKG });
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  return { tarball: join(dir, info.filename), files: info.files.map((f) => f.path).sort(), info };
}

/** Writes { path: text } under `dir`. */
export function writeFiles(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/**
 * A fresh consumer project build/consumer-NAME: the given files, then `npm install` of the packed
 * tarball (offline: it has no dependencies); the tarball is packed into build/runtimes/NAME unless
 * given. Resolves the project's directory.
 */
export async function freshConsumer(name, files, tarball) {
  tarball ??= (await packPkg(join(BUILD, 'runtimes', name))).tarball;
  const dir = join(BUILD, `consumer-${name}`);
  rmSync(dir, { recursive: true, force: true });
  writeFiles(dir, { 'package.json': '{ "name": "consumer", "private": true }\n', ...files });
  await run('npm', ['install', '--offline', ...NPM_QUIET, tarball], { cwd: dir });
  if (!existsSync(join(dir, 'node_modules', 'cometapi-responses', 'package.json'))) {
    throw new Error(`the tarball was not installed into ${dir}`);
  }
  return dir;
}

/**
 * The tools directory of NAME as the app: the packed tarball unpacked as its
 * node_modules/cometapi-responses, what `stale(dir)` names removed, then `files` written. Resolves { dir, info }.
 */
export async function toolsApp(name, files, stale) {
  const [{ tarball, info }, dir] = await Promise.all([packPkg(join(BUILD, 'runtimes', name)), installTools(name)]);
  const target = join(dir, 'node_modules', 'cometapi-responses');
  rmSync(target, { recursive: true, force: true }); // last run's copy: files a newer build dropped must go
  for (const d of stale(dir)) rmSync(join(dir, d), { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  await run('tar', ['xzf', tarball, '-C', target, '--strip-components=1']);
  writeFiles(dir, files);
  return { dir, info };
}

/** The mock backend (mock/server.mjs) on 127.0.0.1, a free port, serving pkg/ at /pkg/ for pages
 *  (`pkgDir`: another directory); close() when done. */
export async function startMock(options = {}) {
  const { startMockServer } = await import(pathToFileURL(join(ROOT, 'mock', 'server.mjs')).href);
  return startMockServer({ port: 0, host: '127.0.0.1', pkgDir: PKG, ...options });
}

/**
 * The mock (startMock's options) for the tests of a file, started now and closed after them; the
 * returned object gets its fields once `ready` resolves (a file's before hooks run at once: one
 * that reads the mock awaits `mock.ready`).
 */
export function useMock(options) {
  const mock = {};
  mock.ready = startMock(options).then((started) => Object.assign(mock, started));
  mock.ready.catch(() => {}); // the before hook below reports a failure
  before(() => mock.ready);
  after(() => mock.close?.());
  return mock;
}

/** Chromium for the tests of a file, as `.browser` once `ready` resolves (to it): launched now, closed after them. */
export function useChromium() {
  const chromium = {};
  chromium.ready = launchChromium().then((browser) => (chromium.browser = browser));
  chromium.ready.catch(() => {}); // the before hook below reports a failure
  before(() => chromium.ready);
  after(() => chromium.browser?.close());
  return chromium;
}

/**
 * The mock's POST /v1/responses calls since `before` (a WebSocket's frames are logged as POSTs too),
 * `n` of them when given; each carried the key (the mock refuses others; its log says REDACTED).
 */
export function keyedCalls(mock, before, n) {
  const calls = mock.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/v1/responses');
  if (n !== undefined) assert.equal(calls.length, n, `${n} calls reached the mock`);
  for (const r of calls) assert.equal(r.headers.authorization, 'REDACTED', 'an Authorization header reached the upstream');
  return calls;
}

/** Runs `fn(resource)`, then always `close(resource)` (its stop(), close() or dispose() by default). */
export async function using(resource, fn, close = (r) => (r.stop ?? r.close ?? r.dispose).call(r)) {
  try {
    return await fn(resource);
  } finally {
    await close(resource);
  }
}

/** An http server on 127.0.0.1, port 0; close() ends its open connections too. */
export async function listen(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve)));
  return { server, url: `http://127.0.0.1:${server.address().port}`, close };
}

/** Serves `html` at / (and any /?query) and `js` at /main.js, on 127.0.0.1; close() when done. */
export const servePage = (html, js) =>
  listen((req, res) => {
    const isJs = req.url.startsWith('/main.js');
    res.writeHead(isJs || req.url.startsWith('/?') || req.url === '/' ? 200 : 404, { 'content-type': isJs ? 'text/javascript' : 'text/html' });
    res.end(isJs ? js : html);
  });

/** A page running the module `script` with the import map `imports`; #out and #status as PAGE_SCRIPT
 *  and waitDone use them. */
export const modulePage = (imports, script) => `<!doctype html>
<html><head><meta charset="utf-8"><script type="importmap">${JSON.stringify({ imports })}</script></head>
<body><pre id="out"></pre><p id="status">loading</p><script type="module">
${script}
</script></body></html>
`;

/** In `tab`, `origin`/runtime-test/NAME answers pages['/runtime-test/NAME'] (.mjs as JavaScript, else as HTML). */
export const routePages = (tab, origin, pages) =>
  tab.route(`${origin}/runtime-test/*`, (route) => {
    const path = new URL(route.request().url()).pathname;
    route.fulfill({ status: 200, contentType: path.endsWith('.mjs') ? 'text/javascript' : 'text/html', body: pages[path] });
  });

/** Debian's Chromium through playwright-core (never a downloaded browser). */
export async function launchChromium() {
  const { chromium } = await devImport('playwright-core/index.mjs');
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'];
  return chromium.launch({ executablePath: '/usr/bin/chromium', args });
}

/** Collects a page's console errors and uncaught exceptions, for assertion messages. */
export function watchPage(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.location()?.url ?? '')) problems.push(`console: ${m.text()}`);
  });
  return problems;
}

/** Waits until the page's #status starts with done (or error); fails with the page's state and problems if it does not. */
export async function waitDone(page, problems, timeout = 60_000) {
  try {
    await page.waitForFunction(() => /^(done|error)/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout });
  } catch (e) {
    const state = await page.evaluate(() => ({ status: document.getElementById('status')?.textContent, result: window.__result })).catch(() => null);
    throw new Error(`the page did not finish: ${e.message}\nstate: ${JSON.stringify(state)?.slice(0, 2000)}\n${problems.join('\n')}`);
  }
}

/**
 * The page-side demo used by the browser tests: streams from `baseURL` and reports into the DOM.
 * `#out` shows the text as it arrives, `#status` ends as "done" or "error: …", and window.__result
 * holds what the test checks.
 */
export const PAGE_SCRIPT = `
const result = { updates: 0, events: [], text: '', finalText: null, error: null };
window.__result = result;
const out = document.getElementById('out');
const status = document.getElementById('status');
try {
  const client = new ResponsesClient({ baseURL });
  const stream = client.stream({ model: 'gpt-5.4', input: 'Say hello from the browser.' });
  for await (const event of stream) {
    result.events.push({ type: event.type, seq: event.sequence_number, t: performance.now() });
    if (event.type === 'response.output_text.delta') {
      result.text += event.delta;
      out.textContent = result.text;
      result.updates++;
    }
  }
  const response = await stream.finalResponse();
  result.finalText = response.output_text;
  result.status = response.status;
  status.textContent = 'done';
} catch (e) {
  result.error = String(e && (e.stack || e.message) || e);
  status.textContent = 'error: ' + (e && e.message);
}
`;

/** A module page importing the package through the import map `imports` (`prelude`: the import),
 *  running PAGE_SCRIPT against `baseURL`. */
export const streamingPage = (imports, baseURL, prelude = "import { ResponsesClient } from 'cometapi-responses';") =>
  modulePage(imports, `${prelude}\nconst baseURL = ${JSON.stringify(baseURL)};\n${PAGE_SCRIPT}`);

/**
 * Opens `url` (a page running PAGE_SCRIPT) in a new tab, checks that it streamed a whole response incrementally
 * and returns the paths the tab loaded; `prepare(tab)` runs before the page loads.
 */
export async function streamsInPage(browser, url, prepare) {
  const tab = await browser.newPage();
  const problems = watchPage(tab);
  const loaded = [];
  tab.on('response', (r) => loaded.push(new URL(r.url()).pathname));
  try {
    await prepare?.(tab);
    await tab.goto(url);
    await waitDone(tab, problems);
    const r = await tab.evaluate(() => ({ ...window.__result, shown: document.getElementById('out').textContent, statusText: document.getElementById('status').textContent }));
    // a whole response, streamed incrementally
    assert.equal(r.error, null, `the page failed: ${r.error}\n${problems.join('\n')}`);
    assert.equal(r.statusText, 'done');
    const types = r.events.map((e) => e.type);
    checkStreamed({ types, deltas: r.updates, text: r.text, final: r.finalText, status: r.status }, 'the page:');
    assert.equal(r.shown, r.text, 'the page shows the streamed text');
    const seqs = r.events.map((e) => e.seq).filter((s) => s !== undefined);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'events arrive in order');
    const spread = r.events.at(-1).t - r.events[0].t;
    assert.ok(spread > 30, `events arrived over ${spread.toFixed(0)} ms, not all at once`);
    assert.deepEqual(problems, [], 'no page error and a clean console');
    return loaded;
  } finally {
    await tab.close();
  }
}

/**
 * Asserts the report of a streamed answer: `types` (when given) open with response.created and end
 * with response.completed; 3 deltas or more (`deltas`, else the deltas among `types`); some `text`,
 * the same as the final response's `final`; `status` completed.
 */
export function checkStreamed({ types, deltas, text, final, status }, what = '') {
  deltas ??= types.filter((t) => t === 'response.output_text.delta').length;
  if (types) assert.deepEqual([types[0], types.at(-1)], ['response.created', 'response.completed'], `${what} first and last`);
  assert.ok(deltas >= 3, `${what} text arrived in ${deltas} deltas`);
  assert.ok(text.length > 0, `${what} some text`);
  assert.equal(final, text, `${what} the final output_text is the concatenated deltas`);
  assert.equal(status, 'completed', `${what} status`);
}

/** The final Response of an SSE body, as the package parses it (rejects as the stream ended). */
export async function finalOf(text) {
  const { ResponseStream } = await pkgNode();
  return ResponseStream.fromReadableStream(new Blob([text]).stream()).finalResponse();
}

/** Asserts a streamed answer: 200, text/event-stream, in 3 chunks or more, a completed Response with text. Returns the body. */
export async function checkSseAnswer(res) {
  assert.equal(res.status, 200, await res.clone().text());
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const decoder = new TextDecoder();
  let chunks = 0;
  let text = '';
  for await (const chunk of res.body) (chunks++, (text += decoder.decode(chunk, { stream: true })));
  assert.ok(chunks >= 3, `the answer came in ${chunks} chunks`);
  const final = await finalOf(text);
  assert.equal(final.status, 'completed');
  assert.ok(final.output_text.length > 0);
  return text;
}

/** Whether any process of the group `pgid` is still alive. */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a child spawned with `detached: true` (its own process group): SIGTERM to the group,
 *  SIGKILL after 10 s; resolves once `exited` (the child's exit promise) has and every process of
 *  the group is gone (the child — `npm`, say — can exit before the server it started has closed
 *  its socket). */
async function stopGroup(child, exited) {
  const signal = (s) => {
    try {
      process.kill(-child.pid, s);
    } catch {}
  };
  if (child.exitCode === null && child.signalCode === null) signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await exited;
  const deadline = Date.now() + 15_000;
  while (groupAlive(child.pid) && Date.now() < deadline) await sleep(50);
  clearTimeout(timer);
  if (groupAlive(child.pid)) signal('SIGKILL');
}

/**
 * Starts a server process in its own process group and waits until it is ready: `ready` is a
 * RegExp its output must match, or a URL that must answer. Resolves { ready, output(), exited, stop };
 * a child that exits first rejects, or resolves with ready: false when `allowExit`.
 */
export async function spawnServer(cmd, args, { cwd, env, ready, allowExit = false, timeoutMs = 90_000 }) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const server = { ready: true, output: () => output, exited, stop: () => stopGroup(child, exited) };
  const isReady = async () =>
    ready instanceof RegExp ? ready.test(output) : fetch(ready, { signal: AbortSignal.timeout(2000) }).then(() => true, () => false);
  const deadline = Date.now() + timeoutMs;
  while (!(await isReady())) {
    if (child.exitCode !== null || child.signalCode !== null) {
      if (allowExit) return { ...server, ready: false };
      throw new Error(`${cmd} ${args.join(' ')} exited:\n${output}`);
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${cmd} ${args.join(' ')} was not ready after ${timeoutMs} ms:\n${output}`);
    }
    await sleep(100);
  }
  return server;
}

/** A free loopback port (listened on, then released). */
export async function freePort() {
  const { server, close } = await listen(() => {});
  const { port } = server.address();
  await close();
  return port;
}

/**
 * spawnServer on a free port: `args(port)` is the command's arguments, `env(port, url)` (or an
 * object) its environment; ready once http://127.0.0.1:PORT answers (or as `ready(url)` says). Resolves { url, port, … }.
 */
export async function spawnOnPort(cmd, args, { ready = (url) => url, env, ...options }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const environment = typeof env === 'function' ? env(port, url) : env;
  return { url, port, ...(await spawnServer(cmd, args(port), { ...options, env: environment, ready: ready(url) })) };
}

// ---- Workers: bundled as wrangler bundles, run in workerd (miniflare)

/** The compatibility_date of a wrangler.toml (the example's by default). */
export const compatibilityDate = (toml = join(EXAMPLE, 'wrangler.toml')) =>
  readFileSync(toml, 'utf8').match(/^compatibility_date\s*=\s*"([^"]+)"/m)[1];

/**
 * esbuild as wrangler bundles `entry` of `dir` into `dir/outdir`; returns esbuild's metafile inputs
 * and the bundle as startWorker takes it.
 */
export async function bundleWorker(dir, entry, outdir = 'dist') {
  const esbuild = await devImport('esbuild/lib/main.js');
  // the conditions wrangler passes; the .wasm kept as its own module, imported as a WebAssembly.Module
  const conditions = ['workerd', 'worker', 'browser'];
  const result = await esbuild.build({
    absWorkingDir: dir, entryPoints: [entry], outdir, bundle: true, format: 'esm', target: 'es2024', conditions,
    loader: { '.wasm': 'copy' }, assetNames: '[name]', metafile: true, logLevel: 'silent',
  });
  const script = entry.split('/').at(-1).replace(/\.m?js$/, '.js');
  return { inputs: Object.keys(result.metafile.inputs), bundleDir: join(dir, outdir), compatibilityDate: compatibilityDate(), script };
}

/** The example Worker as a user would copy it (build/consumer-NAME), bundled: { dir, bundleDir, compatibilityDate }. */
export async function bundleExample(name) {
  const example = readJson(EXAMPLE, 'package.json');
  assert.equal(example.dependencies['cometapi-responses'], 'file:../../pkg');
  // the package comes from the tarball instead of ../../pkg (wrangler itself is not installed:
  // it is replaced by the same esbuild bundling; tests/runtimes/wrangler.test.mjs runs it)
  const files = {
    'package.json': JSON.stringify({ name: example.name, private: true, type: 'module' }, null, 2),
    'wrangler.toml': readFileSync(join(EXAMPLE, 'wrangler.toml'), 'utf8'),
  };
  for (const f of readdirSync(join(EXAMPLE, 'src'))) files[`src/${f}`] = readFileSync(join(EXAMPLE, 'src', f), 'utf8');
  const dir = await freshConsumer(name, files);
  const { inputs, ...bundle } = await bundleWorker(dir, 'src/index.js');
  assert.ok(inputs.some((p) => p.endsWith('node_modules/cometapi-responses/workerd.js')), `bundled workerd.js: ${inputs}`);
  assert.ok(!inputs.some((p) => p.includes('inline')), 'the inlined wasm of the browser entry is not bundled');
  return { dir, ...bundle };
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
  return text.split('\n\n').filter((block) => block.includes('data: ')).map((block) => {
    const lines = block.split('\n');
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
    return { event, data: JSON.parse(lines.find((l) => l.startsWith('data: ')).slice(6)) };
  });
}

// ---- WebSocket mode in a page

/**
 * In a page of an origin serving the package at /pkg/ (no key): client.connect() to `baseURL`, a
 * stream, a chained turn (store: false), a refused model (when `refuse`), a stream aborted at its
 * second delta, then one more turn on the same socket. Run it with page.evaluate(socketTurns, …);
 * checkSocketTurns asserts what it returns.
 */
export async function socketTurns({ baseURL, inputs: [hello, second, long, after], afterModel, refuse }) {
  const { ResponsesClient } = await import('/pkg/browser.js');
  const socket = await new ResponsesClient({ baseURL }).connect({ timeout: 10000 });
  const out = { types: [], deltas: 0, text: '' };
  const s = socket.stream({ model: 'gpt-5.4', input: hello, store: false });
  for await (const e of s) {
    out.types.push(e.type);
    if (e.type === 'response.output_text.delta') (out.deltas++, (out.text += e.delta));
  }
  const first = await s.finalResponse();
  out.first = { id: first.id, text: first.output_text, status: first.status };
  const r2 = await socket.create({ model: 'gpt-5.4', input: second, previous_response_id: first.id, store: false });
  out.second = { status: r2.status, text: r2.output_text };
  if (refuse) out.refused = await socket.create({ model: refuse, input: 'x' }).then(() => 'not refused', (e) => `${e.name} ${e.code}`);
  const ac = new AbortController();
  out.seen = 0;
  try {
    for await (const e of socket.stream({ model: 'gpt-5.4', input: long }, { signal: ac.signal })) if (e.type === 'response.output_text.delta' && ++out.seen === 2) ac.abort();
    out.aborted = 'not aborted';
  } catch (e) {
    out.aborted = e.name;
  }
  const r4 = await socket.create({ model: afterModel, input: after });
  out.after = { status: r4.status, text: r4.output_text };
  socket.close();
  await socket.closed;
  return out;
}

/** Asserts a report of socketTurns for these inputs (`refused`: the error the refused model met). */
export function checkSocketTurns(r, [hello, second, , after], refused) {
  checkStreamed({ ...r, final: r.first.text, status: r.first.status });
  assert.ok(r.text.includes(hello), r.text);
  assert.equal(r.second.status, 'completed', "the store: false response is found in the upstream connection's memory");
  assert.ok(r.second.text.includes(second), r.second.text);
  assert.equal(r.refused, refused);
  assert.equal(r.aborted, 'AbortError');
  assert.equal(r.seen, 2, 'nothing of the aborted response reached the loop after abort()');
  assert.equal(r.after.status, 'completed');
  assert.ok(r.after.text.includes(after), r.after.text);
}
