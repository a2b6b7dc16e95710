// The package's runtime entries as built into pkg/: what each needs from its host.
//   - node.js carries the wasm inside: it runs copied alone, with no .wasm file beside it;
//   - browser.js needs neither top-level await nor DecompressionStream, and where the engine
//     refuses a synchronous compile (Chrome before 115 on a page's main thread) init() waits for
//     the asynchronous one;
//   - no entry uses top-level await (webpack warns about it in every Next.js build; require() and
//     script-style runtimes cannot load it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
const ENTRIES = ['node.js', 'browser.js', 'edge-light.js', 'workerd.js', 'web.js'];

/** Runs an ES module snippet in a fresh Node; returns its stdout. */
const node = (code, cwd = PKG) => execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8' });

// what each snippet does once the entry is imported: the wasm parses an SSE frame synchronously
const USE = `
const parser = new m.SseParser();
const events = parser.feed(new TextEncoder().encode('event: hi\\ndata: from wasm\\n\\n'));
console.log(JSON.stringify(events.map((e) => [e.event, e.data])));`;
const EXPECTED = '[["hi","from wasm"]]';

test('no entry uses top-level await', async () => {
  const esbuild = await import('esbuild');
  for (const entry of ENTRIES) {
    const options = { entryPoints: [join(PKG, entry)], bundle: false, write: false, format: 'esm', logLevel: 'silent' };
    const result = await esbuild.build({ ...options, supported: { 'top-level-await': false } }).catch((e) => e);
    assert.ok(!(result instanceof Error), `${entry} uses top-level await: ${result.message}`);
  }
});

test('node.js runs copied alone, with no .wasm file beside it (the wasm is inside)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cometapi-node-entry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(PKG, 'node.js'), join(dir, 'node.js'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  assert.equal(node(`const m = await import('./node.js');${USE}`, dir).trim(), EXPECTED);
});

test('node.js: an uncaught error prints a short source line (the inline wasm is a line of its own), and it keeps every pure mark the browser entry has', () => {
  const lines = readFileSync(join(PKG, 'node.js'), 'utf8').split('\n');
  assert.match(lines[0], /^var [\w$]+ = "H4sI[A-Za-z0-9+/=]+";$/);
  assert.ok(lines.slice(1).every((l) => l.length < 1000), `a line of ${Math.max(...lines.slice(1).map((l) => l.length))} characters`);
  const marks = (f) => readFileSync(join(PKG, f), 'utf8').match(/\/\*\s*@__PURE__\s*\*\//g).length;
  assert.ok(marks('node.js') >= marks('browser.js'), `${marks('node.js')} pure marks, the browser entry ${marks('browser.js')}`);
  const code = `import { ResponsesClient } from './node.js';
    await new ResponsesClient({ baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 }).create({ model: 'm', input: 'x' });`;
  let stderr = '';
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: PKG, stdio: 'pipe' });
  } catch (e) {
    stderr = String(e.stderr);
  }
  assert.match(stderr, /ConnectionError/);
  assert.ok(stderr.length < 5000, `${stderr.length} characters on stderr`);
});

test('browser.js works where DecompressionStream does not exist', () => {
  const out = node(`delete globalThis.DecompressionStream; const m = await import('./browser.js'); await m.init();${USE}`);
  assert.equal(out.trim(), EXPECTED);
});

test('browser.js: where a synchronous compile is refused, init() resolves once the asynchronous one is done', () => {
  const out = node(`
const Module = WebAssembly.Module;
let refused = 0;
WebAssembly.Module = function () {
  refused++;
  throw new RangeError('WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB.');
};
WebAssembly.Module.prototype = Module.prototype;
const m = await import('./browser.js');
await m.init();
console.log('refused ' + refused);${USE}`);
  assert.deepEqual(out.trim().split('\n'), ['refused 1', EXPECTED]);
});

test('web.js: every constructor used before `await init()` throws an error that says so; after it, each works', () => {
  const out = node(`
const m = await import('./web.js');
const make = {
  ResponsesClient: () => new m.ResponsesClient({ apiKey: 'x' }),
  ResponseAccumulator: () => new m.ResponseAccumulator(),
  SseParser: () => new m.SseParser(),
  PartialJsonParser: () => new m.PartialJsonParser(),
  createRedactor: () => m.createRedactor('sk-secret'),
  fromReadableStream: () => m.ResponseStream.fromReadableStream(new ReadableStream()),
  fromResponse: () => m.ResponseStream.fromResponse(new Response('')),
};
const run = () => Object.entries(make).map(([k, f]) => { try { f(); return k + ' ok'; } catch (e) { return k + ' ' + e.constructor.name + ': ' + e.message; } });
console.log(JSON.stringify(run()));
await m.init((await import('node:fs')).readFileSync('cometapi_responses_bg.wasm'));
console.log(JSON.stringify(run()));`);
  const [before, after] = out.trim().split('\n').map((l) => JSON.parse(l));
  const names = ['ResponsesClient', 'ResponseAccumulator', 'SseParser', 'PartialJsonParser', 'createRedactor', 'fromReadableStream', 'fromResponse'];
  assert.deepEqual(before, names.map((k) => `${k} Error: cometapi-responses/web: call \`await init()\` before using the API`));
  assert.deepEqual(after, names.map((k) => `${k} ok`));
});

// (edge-light.js and workerd.js import the .wasm as a module, which Node cannot: tests/runtimes)
test('node.js, browser.js and web.js keep the names of what a user meets: the exports, init, the classes behind client.conversations, client.files and runTools()', () => {
  for (const entry of ['node.js', 'browser.js', 'web.js']) {
    const out = node(`
const m = await import('./${entry}');
if (${entry === 'web.js'}) await m.init((await import('node:fs')).readFileSync('cometapi_responses_bg.wasm'));
const wrong = Object.entries(m).filter(([k, v]) => v.name !== k).map(([k]) => k);
const c = new m.ResponsesClient({ apiKey: 'x', fetch: () => new Promise(() => {}) });
const run = c.runTools({ model: 'm', input: 'hi', tools: [] });
console.log(JSON.stringify([wrong, c.conversations.constructor.name, c.conversations.items.constructor.name, c.files.constructor.name, run.constructor.name]));`);
    assert.deepEqual(JSON.parse(out), [[], 'Conversations', 'ConversationItems', 'Files', 'ToolRun'], entry);
  }
});
