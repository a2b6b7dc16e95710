// The mock in workerd (miniflare, no nodejs_compat): mock/index.mjs bundled for a
// platform without Node built-ins (esbuild fails on any node: import), served by a
// three-line Worker, and used over dispatchFetch: JSON, SSE, replay, faults, background
// responses kept running with ctx.waitUntil.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { sseEvents as events } from './client-helpers.mjs';
import { errorOf } from './mock-schema-check.mjs';

const INDEX = fileURLToPath(new URL('../../mock/index.mjs', import.meta.url));
const WORKER = `
import { createMock } from ${JSON.stringify(INDEX)};
let mock; // created in a request: workerd allows no random values at the top level
export default {
  fetch(request, env, ctx) {
    mock ??= createMock({ delayMs: 0, backgroundMs: 200 });
    return mock.fetch(request, ctx);
  },
};`;

let mf;
before(async () => {
  const out = await esbuild.build({
    stdin: { contents: WORKER, resolveDir: process.cwd(), sourcefile: 'worker.js' },
    bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', write: false, logLevel: 'silent',
  });
  const script = out.outputFiles[0].text;
  assert.doesNotMatch(script, /node:|require\(/);
  mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-09-01' });
  await mf.ready;
});
after(() => mf?.dispose());

const URL_ = 'http://mock.test/v1/responses';
const call = (body, headers = {}) => mf.dispatchFetch(URL_, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

test('workerd: JSON create and retrieve', async () => {
  const res = await call({ model: 'm', input: 'in workerd' });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('x-request-id'), /^req_/);
  const r = await res.json();
  assert.match(r.output[0].content[0].text, /in workerd/);
  assert.deepEqual(await (await mf.dispatchFetch(`${URL_}/${r.id}`)).json(), r);
});

test('workerd: a streamed answer, its replay, and a 400', async () => {
  const res = await call({ model: 'm', input: 'stream in workerd', stream: true });
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const evs = events(await res.text());
  assert.equal(evs.at(-1).type, 'response.completed');
  evs.forEach((e, i) => assert.equal(e.sequence_number, i));
  const replay = events(await (await mf.dispatchFetch(`${URL_}/${evs[0].response.id}?stream=true&starting_after=5`)).text());
  assert.deepEqual(replay.map((e) => e.sequence_number), evs.slice(6).map((e) => e.sequence_number));
  assert.equal((await errorOf(call({ model: 'm', input: 'x', top_p: 2 }), 400)).param, 'top_p');
});

test('workerd: faults (status with retry-after, split chunks)', async () => {
  const res = await call({ model: 'm', input: 'x' }, { 'x-mock-fault': 'status=503,retry-after=1' });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '1');
  await res.arrayBuffer();
  const split = await call({ model: 'm', input: 'split in workerd', stream: true }, { 'x-mock-fault': 'split=7' });
  assert.equal(events(await split.text()).at(-1).type, 'response.completed');
});

test('workerd: a background response completes (ctx.waitUntil keeps it running)', async () => {
  const r = await (await call({ model: 'm', input: 'bg', background: true })).json();
  assert.equal(r.status, 'queued');
  let status = r.status;
  for (let i = 0; i < 50 && status !== 'completed'; i++) {
    await new Promise((ok) => setTimeout(ok, 50));
    status = (await (await mf.dispatchFetch(`${URL_}/${r.id}`)).json()).status;
  }
  assert.equal(status, 'completed');
});
