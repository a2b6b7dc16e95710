// The consumer scripts of the server-side runtime tests (server.test.mjs: Node 20/22/24, Bun, Deno, the edge, workerd),
// importing the package by name from the consumer's own node_modules, each printing (or answering)
// one JSON report that a check below asserts on:
// - report(): stream from the mock backend, a non-streaming create(), an ApiError for a wrong key;
// - socketCheck(): client.connect() with the runtime's own WebSocket (no constructor passed), a
//   streamed response, a second turn chained by previous_response_id with store: false
//   (connection-local memory on the server), two lanes at once, a refused upgrade for a wrong key.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECRET, checkStreamed } from './lib.mjs';

/** drain(stream): the event types, the stream_id of its events (a socket's lane) and the text it streamed, its final text, status and id. */
const DRAIN = `
async function drain(stream) {
  const r = { types: [], streamIds: [], text: '' };
  for await (const event of stream) {
    r.types.push(event.type);
    if (!r.streamIds.includes(event.stream_id)) r.streamIds.push(event.stream_id);
    if (event.type === 'response.output_text.delta') r.text += event.delta;
  }
  const final = await stream.finalResponse();
  return { ...r, finalText: final.output_text, status: final.status, id: final.id };
}
`;

/** report(pkg, baseURL, resolved): uses `ResponsesClient` and `ApiError` as the script imported them. */
export const REPORT = `${DRAIN}
async function report(pkg, baseURL, resolved) {
  const client = new ResponsesClient({ apiKey: '${SECRET}', baseURL });
  const streamed = await drain(client.stream({ model: 'gpt-5.4', input: 'Hello from a server runtime' }));
  const created = await client.create({ model: 'gpt-5.4', input: 'Hello again' });
  let apiError = null;
  try {
    await new ResponsesClient({ apiKey: 'sk-wrong', baseURL, maxRetries: 0 }).create({ model: 'gpt-5.4', input: 'x' });
  } catch (e) {
    apiError = { name: e.name, isApiError: e instanceof ApiError, status: e.status };
  }
  // A body that stalls after its first events: the timeout ends the pending read, and so does
  // an abort (the runtime's own fetch body and reader).
  const stalled = {};
  const stall = { headers: { 'x-mock-fault': 'stall-after=2:20000' } };
  const aborter = new AbortController();
  for (const [how, opts] of [['timeout', { ...stall, timeout: 500 }], ['abort', { ...stall, signal: aborter.signal }]]) {
    const t0 = Date.now();
    if (how === 'abort') setTimeout(() => aborter.abort(), 500);
    try {
      for await (const event of new ResponsesClient({ apiKey: '${SECRET}', baseURL, maxRetries: 0 }).stream({ model: 'gpt-5.4', input: 'stall' }, opts));
      stalled[how] = 'no error';
    } catch (e) {
      stalled[how] = e.name + (Date.now() - t0 < 10000 ? '' : ' (late)');
    }
  }
  return { resolved, ...streamed, createdText: created.output_text, apiError, stalled, exports: Object.keys(pkg).sort() };
}
`;

const imports = (spec) => `import * as pkg from '${spec}';\nimport { ResponsesClient, ApiError } from '${spec}';\n${REPORT}`;
const print = (resolved) => `console.log(JSON.stringify(await report(pkg, process.argv[2], ${resolved})));\n`;

const SOCKET_CHECK = `${DRAIN}
async function socketCheck(ResponsesClient, baseURL, key) {
  const client = new ResponsesClient({ apiKey: key, baseURL, maxRetries: 0 });
  const socket = await client.connect({ timeout: 10000 });
  const report = { url: socket.url };
  try {
    Object.assign(report, await drain(socket.stream({ model: 'gpt-5.4', input: 'Hello over a socket', store: false })));
    const second = await socket.create({ model: 'gpt-5.4', input: 'and then', previous_response_id: report.id, store: false });
    report.second = { status: second.status, id: second.id, text: second.output_text };
    const lane = (streamId, input) => drain(socket.stream({ model: 'gpt-5.4', input }, { streamId }));
    report.lanes = await Promise.all([lane('a', 'lane alpha'), lane('b', 'lane beta')]);
  } finally {
    socket.close();
    await socket.closed;
  }
  try {
    const bad = await new ResponsesClient({ apiKey: 'sk-wrong', baseURL, maxRetries: 0 }).connect({ timeout: 10000 });
    bad.close();
    report.refused = null;
  } catch (e) {
    report.refused = e.name;
  }
  return report;
}
`;

/** Run each with `<runtime> FILE <baseURL>` (socket.mjs: `<baseURL> <key>`); worker.mjs is a Worker, route.mjs for the edge. */
export const CONSUMER_SCRIPTS = {
  'esm.mjs': imports('cometapi-responses') + print("import.meta.resolve('cometapi-responses')"),
  'cjs.cjs':
    "const pkg = require('cometapi-responses');\nconst { ResponsesClient, ApiError } = require('cometapi-responses');\n" +
    `(async () => {${REPORT}${print("require.resolve('cometapi-responses')")}})().catch((e) => { console.error(e); process.exit(1); });\n`,
  // Deno's npm: specifiers (Netlify Edge, Deno Deploy), resolved from the project's node_modules
  'deno-npm.mjs': imports('npm:cometapi-responses') + print("import.meta.resolve('npm:cometapi-responses')"),
  // for server bundles run where there is no node_modules to resolve from
  'bundle.mjs': imports('cometapi-responses') + print('null'),
  // WebSocket mode, in a runtime and in a Worker (workerd: the mock's URL and the key as bindings)
  'socket.mjs':
    "import { ResponsesClient } from 'cometapi-responses';\n" + SOCKET_CHECK +
    'console.log(JSON.stringify(await socketCheck(ResponsesClient, process.argv[2], process.argv[3])));\n',
  'worker.mjs':
    "import { ResponsesClient } from 'cometapi-responses';\n" + SOCKET_CHECK +
    'export default { async fetch(request, env) { return Response.json(await socketCheck(ResponsesClient, env.BASE_URL, env.KEY)); } };\n',
  // for the edge, bundled as a script: globalThis.__run(baseURL) resolves the report as JSON text
  'route.mjs': imports('cometapi-responses') + 'globalThis.__run = async (baseURL) => JSON.stringify(await report(pkg, baseURL, null));\n',
};


/** Parses the one JSON line a consumer script printed (runtimes may print other lines before it). */
export function parseReport(stdout) {
  const line = stdout.trim().split('\n').at(-1);
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`the script printed no JSON report:\n${stdout}`);
  }
}

/**
 * Asserts a report: resolved from the consumer's node_modules to `entry` (the `node` condition's
 * node.js by default), streamed incrementally, create() answered, an ApiError thrown for a wrong key.
 */
export function checkReport(report, consumer, { entry = 'node.js' } = {}) {
  // a bundle or the edge resolve nothing at run time: consumer is null
  if (consumer !== null) {
    const resolved = report.resolved.startsWith('file:') ? fileURLToPath(report.resolved) : report.resolved;
    assert.ok(
      realpathSync(resolved).startsWith(realpathSync(join(consumer, 'node_modules'))),
      `resolved from the consumer's own node_modules: ${resolved}`,
    );
    assert.ok(resolved.endsWith(join('cometapi-responses', entry)), `the entry is ${entry}: ${resolved}`);
  }
  checkStreamed({ ...report, final: report.finalText });
  assert.equal(typeof report.createdText, 'string');
  assert.ok(report.createdText.length > 0);
  assert.deepEqual(report.apiError, { name: 'ApiError', isApiError: true, status: 401 });
  assert.deepEqual(report.stalled, { timeout: 'TimeoutError', abort: 'AbortError' });
  const names = ['ResponsesClient', 'ResponseStream', 'ResponseAccumulator', 'SseParser', 'ApiError', 'ConnectionError', 'TimeoutError', 'AbortError', 'StreamError', 'ValidationError', 'init'];
  assert.deepEqual(names.filter((name) => !report.exports.includes(name)), [], 'every one of these is exported');
}

/**
 * Asserts a report of socketCheck() for a socket to `baseURL`, and what the mock ran since
 * `before` (each frame as a POST with the upgrade's Authorization, which its log redacts).
 */
export function checkSocketReport(r, baseURL, mock, before) {
  assert.equal(r.url, `${baseURL.replace(/^http/, 'ws')}/responses`);
  checkStreamed({ ...r, final: r.finalText }, 'the socket:');
  assert.match(r.text, /Hello over a socket/);
  // a store: false response is found again only in the connection's memory
  assert.equal(r.second.status, 'completed');
  assert.notEqual(r.second.id, r.id);
  assert.match(r.second.text, /and then/);
  assert.deepEqual(r.lanes.map((l) => l.streamIds), [['a'], ['b']], 'each lane sees only its own events');
  assert.match(r.lanes[0].text, /lane alpha/);
  assert.match(r.lanes[1].text, /lane beta/);
  assert.deepEqual(r.lanes.map((l) => [l.status, l.finalText]), r.lanes.map((l) => ['completed', l.text]));
  assert.equal(r.refused, 'ConnectionError', 'a wrong key: the upgrade is refused');
  const ran = mock.requests.slice(before).filter((q) => q.method === 'POST' && q.path === '/v1/responses');
  assert.equal(ran.length, 4);
  assert.ok(ran.every((q) => q.headers.authorization === 'REDACTED'));
  assert.equal(ran[1].body.previous_response_id, r.id, 'the second turn chains from the first');
  assert.equal(ran[1].body.input, 'and then', 'only the new input goes');
}
