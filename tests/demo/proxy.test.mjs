// Proxy mode: a second server instance plays the upstream (a mock that requires a
// key). The proxy adds the key server-side, drops the browser's Authorization,
// streams incrementally, keeps statuses and content types, and never returns the key.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startServer } from '../../www/server.mjs';
import { rawRequest, statusOf } from '../js/client-helpers.mjs';
import { cli, post, server } from './helpers.mjs';

const KEY = 'sk-upstream-secret-0123456789';
const NO_KEY = new RegExp(KEY);
const upstream = await startServer({ delayMs: 20, requireKey: KEY });
const proxy = await startServer({ upstream: `${upstream.url}/v1`, apiKey: KEY });
after(async () => {
  for (const s of [proxy, upstream]) await s.close();
});

test('JSON through the proxy: key added server-side, browser Authorization dropped, key never returned or logged', async () => {
  const res = await post(proxy.url, { model: 'm', input: 'via proxy' }, { authorization: 'Bearer sk-browser-wrong', origin: proxy.url });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.equal(res.headers.get('access-control-allow-origin'), proxy.url);
  assert.match(res.headers.get('x-request-id'), /^req_/);
  const text = await res.text();
  assert.match(JSON.parse(text).output[0].content[0].text, /via proxy/);
  for (const t of [text, ...[...res.headers].map(([k, v]) => `${k}: ${v}`)]) assert.doesNotMatch(t, NO_KEY);
  assert.equal(upstream.requests.at(-1).headers.authorization, 'REDACTED');
  for (const log of [proxy.requests, upstream.requests]) assert.doesNotMatch(JSON.stringify(log), NO_KEY);
  assert.doesNotMatch(JSON.stringify(proxy.requests), /sk-browser-wrong/);
});

test('SSE through the proxy arrives incrementally, not buffered', async () => {
  const t0 = performance.now();
  const res = await post(proxy.url, { model: 'm', input: 'stream via proxy', stream: true });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const arrivals = [];
  let text = '';
  const dec = new TextDecoder();
  for await (const value of res.body) {
    arrivals.push(performance.now() - t0);
    text += dec.decode(value, { stream: true });
  }
  const total = arrivals.at(-1);
  assert.ok(total > 500, `the upstream drips (${total} ms)`);
  assert.ok(arrivals[0] < total / 3, `first bytes at ${arrivals[0]} ms of ${total} ms`);
  assert.ok(arrivals.length > 10, `${arrivals.length} chunks`);
  assert.match(text, /event: response\.completed/);
  assert.doesNotMatch(text, NO_KEY);
});

test('statuses, error bodies, query strings and other routes pass through', async () => {
  const bad = await post(proxy.url, { model: 'm', input: 'x', temperature: 9 });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.param, 'temperature');
  // x-mock-fault is not forwarded (the upstream would be told to fail by any page)
  const faulty = post(proxy.url, { model: 'm', input: 'x' }, { 'x-mock-fault': 'status=429,retry-after=3' });
  assert.equal(await statusOf(faulty), 200);
  assert.equal(upstream.requests.at(-1).headers['x-mock-fault'], undefined);
  const r = await (await post(proxy.url, { model: 'm', input: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] })).json();
  const items = await (await fetch(`${proxy.url}/v1/responses/${r.id}/input_items?order=asc&limit=1`)).json();
  assert.equal(items.data[0].content[0].text, 'a');
  assert.equal(items.has_more, true);
  const del = await fetch(`${proxy.url}/v1/responses/${r.id}`, { method: 'DELETE' });
  assert.deepEqual(await del.json(), { id: r.id, object: 'response', deleted: true });
  assert.equal((await fetch(`${proxy.url}/v1/responses/${r.id}`)).status, 404);
});

test('the openai SDK works through the proxy without a real key', async () => {
  const client = new OpenAI({ apiKey: 'not-the-key', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
  const final = await client.responses.stream({ model: 'm', input: 'sdk via proxy' }).finalResponse();
  assert.match(final.output_text, /sdk via proxy/);
});

test('upstream down: 502 JSON error without the key', async (t) => {
  const dead = await startServer({ delayMs: 0 });
  await dead.close();
  const p = await server(t, { upstream: `${dead.url}/v1`, apiKey: KEY });
  const res = await post(p.url, { model: 'm', input: 'x' });
  assert.equal(res.status, 502);
  const text = await res.text();
  assert.equal(JSON.parse(text).error.code, 'bad_gateway');
  assert.doesNotMatch(text, NO_KEY);
});

test('not an open relay: only local origins and hosts may use the key', async (t) => {
  const before = upstream.requests.length;
  const evil = await post(proxy.url, { model: 'm', input: 'x' }, { origin: 'https://evil.example' });
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  assert.equal((await evil.json()).error.code, 'origin_not_allowed');
  const preflight = { origin: 'https://evil.example', 'access-control-request-method': 'POST' };
  const pre = await fetch(`${proxy.url}/v1/responses`, { method: 'OPTIONS', headers: preflight });
  assert.equal(pre.headers.get('access-control-allow-origin'), null);
  const host = `attacker.example:${new URL(proxy.url).port}`;
  const body = JSON.stringify({ model: 'm', input: 'x' });
  assert.equal((await rawRequest(proxy.url, '/v1/responses', { method: 'POST', headers: { host }, body })).status, 403);
  assert.equal(upstream.requests.length, before, 'nothing reached the upstream');

  const p = await server(t, { upstream: `${upstream.url}/v1`, apiKey: KEY, allowedOrigins: ['https://demo.example'] });
  for (const [base, origin] of [[proxy.url, 'http://localhost:5173'], [p.url, 'https://demo.example']]) {
    const ok = await post(base, { model: 'm', input: 'x' }, { origin });
    assert.equal(ok.status, 200, origin);
    assert.equal(ok.headers.get('access-control-allow-origin'), origin);
    assert.match(ok.headers.get('vary'), /Origin/);
    await ok.arrayBuffer();
  }
});

test('static files are still served locally in proxy mode', async () => {
  assert.equal(await statusOf(fetch(`${proxy.url}/server.mjs`)), 200);
  assert.equal(upstream.requests.some((r) => r.path === '/server.mjs'), false);
});

test('CLI: mock by default; COMETAPI_KEY + UPSTREAM_BASE_URL switch to the proxy; the key is never printed', async (t) => {
  const mock = await cli(['--port', '0', '--delay-ms', '0'], { QUIET: '' });
  t.after(() => mock.stop());
  assert.match(mock.out, /mock Responses API/);
  const r = await (await post(mock.url, { model: 'm', input: 'cli mock' })).json();
  assert.match(r.output[0].content[0].text, /cli mock/);
  const before = upstream.requests.length;
  const prox = await cli(['--port=0'], { COMETAPI_KEY: KEY, UPSTREAM_BASE_URL: `${upstream.url}/v1`, QUIET: '' });
  try {
    assert.match(prox.out + prox.err, /proxying \/v1 to http:\/\/127\.0\.0\.1:\d+\/v1/);
    const r = await (await post(prox.url, { model: 'm', input: 'cli proxy' })).json();
    assert.match(r.output[0].content[0].text, /cli proxy/);
    assert.equal(upstream.requests.length, before + 1);
  } finally {
    await prox.stop();
  }
  assert.doesNotMatch(prox.out + prox.err, NO_KEY);
  assert.match(prox.out + prox.err, /POST \/v1\/responses 200/);
});

test('files through the proxy: a multipart upload arrives whole, the content comes back byte for byte', async () => {
  const { ResponsesClient } = await import('cometapi-responses');
  const client = new ResponsesClient({ baseURL: `${proxy.url}/v1`, maxRetries: 0 });
  const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 37) & 255); // every byte value
  const f = await client.files.create({ file: new File([bytes], 'all-bytes.bin'), purpose: 'user_data' });
  assert.deepEqual([f.bytes, f.filename], [bytes.length, 'all-bytes.bin']);
  assert.deepEqual(new Uint8Array(await (await client.files.content(f.id)).arrayBuffer()), bytes);
  assert.equal(upstream.requests.at(-1).headers.authorization, 'REDACTED');
  assert.equal((await client.files.delete(f.id)).deleted, true);
});
