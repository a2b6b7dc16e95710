// The mock as a component (mock/): `createMock().fetch(Request)` with no socket at all,
// `handle(req, res)` on a plain node:http server, `startMockServer({ port })`, and no
// Node-only import anywhere on the fetch path (mock/index.mjs and what it imports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMock, startMockServer } from '../../mock/index.mjs';
import { sseEvents as events, statusOf, has } from './client-helpers.mjs';
import { errorOf, readSse } from './mock-schema-check.mjs';

const MOCK_DIR = fileURLToPath(new URL('../../mock/', import.meta.url));
const BASE = 'http://mock.test/v1';

const post = (mock, path, body, headers = {}) => mock.fetch(new Request(BASE + path, {
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
}));

test('the fetch path imports no node: module (static import graph of mock/index.mjs)', () => {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)) {
      const spec = m[1] ?? m[2];
      assert.ok(!/^node:|^(fs|http|https|net|crypto|path|url|zlib|stream|buffer|os|child_process)$/.test(spec), `${file} imports ${spec}`);
      visit(resolve(dirname(file), spec));
    }
    assert.doesNotMatch(src.replace(/\/\/.*$/gm, ''), /\bBuffer\.|\bprocess\.|\brequire\(/, `${file} uses a Node global`);
  };
  visit(join(MOCK_DIR, 'index.mjs'));
  assert.ok(seen.size >= 8, `${seen.size} modules on the fetch path`);
  assert.ok(![...seen].some((f) => f.endsWith('server.mjs')), 'server.mjs (node:http) is not on it');
});

test('fetch(): JSON create, stream, retrieve, replay — no socket', async () => {
  const mock = createMock({ delayMs: 0 });
  const res = await post(mock, '/responses', { model: 'm', input: 'no socket' });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('x-request-id'), /^req_[0-9a-f]{32}$/);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  const r = await res.json();
  assert.match(r.output[0].content[0].text, /no socket/);

  const stream = await post(mock, '/responses', { model: 'm', input: 'streamed', stream: true });
  assert.match(stream.headers.get('content-type'), /^text\/event-stream/);
  const evs = events(await stream.text());
  assert.equal(evs.at(-1).type, 'response.completed');
  evs.forEach((e, i) => assert.equal(e.sequence_number, i));

  assert.deepEqual(await (await mock.fetch(new Request(`${BASE}/responses/${r.id}`))).json(), r);
  const replay = events(await (await mock.fetch(new Request(`${BASE}/responses/${evs[0].response.id}?stream=true&starting_after=3`))).text());
  assert.deepEqual(replay, evs.slice(4));

  assert.equal(mock.requests.length, 4);
  has(mock.requests[0], { body: { model: 'm', input: 'no socket' }, requestId: res.headers.get('x-request-id') });
});

test('fetch(): validation, 404, OPTIONS, requireKey, body limit', async () => {
  const mock = createMock({ delayMs: 0, requireKey: 'sk-need', maxBodyBytes: 200 });
  assert.equal((await errorOf(post(mock, '/responses', { model: 'm', input: 'x' }), 401)).code, 'missing_api_key');
  const auth = { authorization: 'Bearer sk-need' };
  const bad = post(mock, '/responses', { model: 'm', input: 'x', temperature: 3 }, auth);
  assert.equal((await errorOf(bad, 400)).param, 'temperature');
  const big = post(mock, '/responses', { model: 'm', input: 'x'.repeat(300) }, auth);
  assert.equal((await errorOf(big, 413)).code, 'request_too_large');
  assert.equal((await mock.fetch(new Request(`${BASE}/models`, { headers: auth }))).status, 404);
  assert.equal((await mock.fetch(new Request('http://mock.test/other'))).status, 404);
  const pre = await mock.fetch(new Request(`${BASE}/responses`, { method: 'OPTIONS', headers: { 'access-control-request-headers': 'authorization, x-mock-fault' } }));
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-headers'), 'authorization, x-mock-fault');
  const based = createMock({ delayMs: 0, basePath: '/api/openai/v1/' });
  assert.equal(await statusOf(based.fetch(new Request('http://x/api/openai/v1/responses', { method: 'POST', body: '{"model":"m","input":"x"}' }))), 200);
});

test('fetch(): faults — status, disconnect (a rejected fetch), disconnect-after (a body that errors after N events)', async () => {
  const mock = createMock({ delayMs: 0 });
  const limited = await post(mock, '/responses', { model: 'm', input: 'x' }, { 'x-mock-fault': 'status=429,retry-after=2' });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '2');
  assert.equal(limited.headers.get('x-mock-attempt'), '1');
  await limited.arrayBuffer();
  await assert.rejects(post(mock, '/responses', { model: 'm', input: 'x' }, { 'x-mock-fault': 'disconnect' }), TypeError);
  const cut = await post(mock, '/responses', { model: 'm', input: 'x', stream: true }, { 'x-mock-fault': 'disconnect-after=3' });
  const { events: before, error: err } = await readSse(cut);
  assert.ok(err instanceof TypeError, `the body errors: ${err}`);
  assert.equal(before.length, 3, 'exactly the events before the cut');
});

test('fetch(): background responses run on (waitUntil is given the run)', async () => {
  const mock = createMock({ delayMs: 0, backgroundMs: 100 });
  const waited = [];
  const res = await mock.fetch(new Request(`${BASE}/responses`, {
    method: 'POST', body: JSON.stringify({ model: 'm', input: 'bg', background: true }),
  }), { waitUntil: (p) => waited.push(p) });
  const r = await res.json();
  assert.equal(r.status, 'queued');
  assert.equal(waited.length, 1);
  await waited[0];
  assert.equal((await (await mock.fetch(new Request(`${BASE}/responses/${r.id}`))).json()).status, 'completed');
});

test('handle(req, res) on a plain node:http server, and startMockServer({ port })', async (t) => {
  const mock = createMock({ delayMs: 0 });
  const server = http.createServer((req, res) => { mock.handle(req, res); });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    const url = `http://127.0.0.1:${server.address().port}`;
    const res = await fetch(`${url}/v1/responses`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'node http', stream: true }) });
    assert.equal(res.status, 200);
    assert.equal(events(await res.text()).at(-1).type, 'response.completed');
    assert.equal(mock.requests.at(-1).path, '/v1/responses');
  } finally {
    mock.close();
    await new Promise((ok) => { server.close(ok); server.closeAllConnections(); });
  }

  const srv = await startMockServer({ port: 0, delayMs: 0 });
  t.after(() => srv.close());
  assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const r = await (await fetch(`${srv.url}/v1/responses`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'own server' }) })).json();
  assert.match(r.output[0].content[0].text, /own server/);
  assert.equal(srv.requests.length, 1);
});
