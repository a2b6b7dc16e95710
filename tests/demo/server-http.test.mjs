// The dev server's HTTP surface: CORS and preflight, x-request-id, the request log,
// API-key checks, static files with content types, and no directory traversal.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../www/server.mjs';
import { has, rawRequest, statusOf } from '../js/client-helpers.mjs';
import { postX, server, tree } from './helpers.mjs';

const SECRET = 'TOP-SECRET-CONTENT';
const base = await tree({
  'secret.txt': SECRET,
  'site/index.html': '<!doctype html><title>demo</title>',
  'site/sub/index.html': '<p>sub</p>',
  'site/app.js': 'export {}',
  'site/mod.mjs': 'export {}',
  'site/style.css': 'body{}',
  'site/data.json': '{}',
  'site/img.png': 'PNG',
  'site/icon.svg': '<svg/>',
  'pkg/lib_bg.wasm': Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
  'pkg/index.js': 'export const x = 1;',
});
const srv = await startServer({ delayMs: 0, root: `${base}/site`, pkgDir: `${base}/pkg` });
after(() => srv.close());

/** A raw request: the path is sent as is (fetch would normalise `..`). */
const raw = (path, opts) => rawRequest(srv.url, path, opts);

test('static: index.html at /, directories, content types, HEAD, 404, 405', async () => {
  const root = await fetch(`${srv.url}/`);
  assert.equal(root.status, 200);
  assert.match(root.headers.get('content-type'), /^text\/html/);
  assert.match(await root.text(), /<title>demo/);
  assert.match(await (await fetch(`${srv.url}/sub/`)).text(), /sub/);
  const types = {
    '/app.js': 'text/javascript', '/mod.mjs': 'text/javascript', '/style.css': 'text/css',
    '/data.json': 'application/json', '/img.png': 'image/png', '/icon.svg': 'image/svg+xml',
    '/pkg/lib_bg.wasm': 'application/wasm', '/pkg/index.js': 'text/javascript',
  };
  for (const [path, type] of Object.entries(types)) {
    const res = await fetch(srv.url + path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type').split(';')[0], type, path);
    await res.arrayBuffer();
  }
  const wasm = new Uint8Array(await (await fetch(`${srv.url}/pkg/lib_bg.wasm`)).arrayBuffer());
  assert.deepEqual([...wasm.slice(0, 4)], [0, 0x61, 0x73, 0x6d]);
  const head = await raw('/app.js', { method: 'HEAD' });
  has(head, { status: 200, body: '' });
  assert.equal(head.headers['content-length'], '9');
  assert.equal((await fetch(`${srv.url}/missing.js`)).status, 404);
  assert.equal((await fetch(`${srv.url}/pkg/missing.js`)).status, 404);
  assert.equal((await fetch(`${srv.url}/app.js`, { method: 'POST' })).status, 405);
});

test('static: no directory traversal, encoded or not', async () => {
  const attempts = [
    '/../secret.txt', '/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt',
    '/sub/../../secret.txt', '/..%5csecret.txt', '/pkg/../secret.txt', '/pkg/..%2fsecret.txt', '/pkg/%2e%2e/secret.txt',
    '/pkg/..%2fsite/index.html', '/%252e%252e/secret.txt', '/..%00/secret.txt', '/%c0%ae%c0%ae/secret.txt',
  ];
  for (const path of attempts) {
    const res = await raw(path);
    assert.ok([400, 403, 404].includes(res.status), `${path} → ${res.status}`);
    assert.doesNotMatch(res.body, new RegExp(SECRET), path);
    assert.doesNotMatch(res.body, /<title>demo/, path);
  }
});

test('default static root is www/ and default /pkg is the repo pkg/ (whatever exists)', async (t) => {
  const s = await server(t, { delayMs: 0 });
  const res = await fetch(`${s.url}/server.mjs`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/javascript/);
  await res.arrayBuffer();
  assert.ok([200, 404].includes(await statusOf(fetch(`${s.url}/pkg/package.json`))));
});

test('x-request-id and CORS headers on every response', async () => {
  const responses = [
    await fetch(`${srv.url}/`),
    await fetch(`${srv.url}/nope`),
    await fetch(`${srv.url}/v1/nope`),
    await fetch(`${srv.url}/v1/responses`, { method: 'POST', body: '{}' }),
    await fetch(`${srv.url}/v1/responses`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'x' }) }),
  ];
  const ids = new Set();
  for (const res of responses) {
    assert.match(res.headers.get('x-request-id'), /^req_[0-9a-f]{32}$/);
    ids.add(res.headers.get('x-request-id'));
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const exposed = res.headers.get('access-control-expose-headers');
    for (const re of [/x-request-id/, /retry-after/]) assert.match(exposed, re);
    await res.arrayBuffer();
  }
  assert.equal(ids.size, responses.length);
});

test('OPTIONS preflight: 204, methods, echoes the requested headers (openai SDK headers too)', async () => {
  const asked = 'authorization, content-type, x-mock-fault, x-stainless-os, x-stainless-retry-count, x-stainless-timeout';
  const res = await fetch(`${srv.url}/v1/responses`, {
    method: 'OPTIONS',
    headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': asked },
  });
  assert.equal(res.status, 204);
  const h = Object.fromEntries(res.headers);
  has(h, { 'access-control-allow-origin': '*', 'access-control-allow-headers': asked });
  for (const re of [/POST/, /DELETE/]) assert.match(h['access-control-allow-methods'], re);
  assert.match(h['x-request-id'], /^req_/);
  const plain = await fetch(`${srv.url}/v1/responses/abc/cancel`, { method: 'OPTIONS' });
  assert.equal(plain.status, 204);
  assert.match(plain.headers.get('access-control-allow-headers'), /x-mock-fault/);
});

test('requests log: method, path, body, headers with authorization redacted', async () => {
  const before = srv.requests.length;
  const body = { model: 'm', input: 'logged input' };
  const headers = { authorization: 'Bearer sk-secret-123', 'content-type': 'application/json' };
  await statusOf(fetch(`${srv.url}/v1/responses?x=1`, { method: 'POST', body: JSON.stringify(body), headers }));
  const entry = srv.requests.slice(before).find((r) => r.path === '/v1/responses');
  has(entry, { method: 'POST', body: body, query: { x: '1' } });
  assert.equal(entry.headers.authorization, 'REDACTED');
  assert.match(entry.requestId, /^req_/);
  assert.doesNotMatch(JSON.stringify(srv.requests), /sk-secret-123/);
});

test('requireKey: 401 when missing or wrong (never echoing keys), 200 with the key', async (t) => {
  const s = await server(t, { delayMs: 0, requireKey: 'sk-right-key' });
  const call = (headers) => postX(s.url, headers);
  const refused = [
    [{}, { type: 'invalid_request_error' }],
    [{ authorization: 'Bearer sk-wrong-key' }, { code: 'invalid_api_key' }],
  ];
  for (const [headers, field] of refused) {
    const res = await call(headers);
    assert.equal(res.status, 401);
    const text = await res.text();
    has(JSON.parse(text).error, field);
    assert.doesNotMatch(text, /sk-right-key|sk-wrong-key/);
  }
  assert.equal(await statusOf(call({ authorization: 'Bearer sk-right-key' })), 200);
  // static files need no key; preflights neither
  assert.equal((await fetch(`${s.url}/v1/responses`, { method: 'OPTIONS' })).status, 204);
});

// A stream is open (its first chunk read) when close() is called: close() is prompt and the stream ends in an
// error; with fault stalls pending (a stalled body, stalled headers), these end too (no timers left behind).
const STALL_AFTER = { 'x-mock-fault': 'stall-after=2:30000' };
const CLOSES = [
  ['close() ends promptly even with a stream still open', 50, 'long', {}, false],
  ['close() also ends pending fault stalls (no timers left behind)', 0, 'x', STALL_AFTER, true],
];
for (const [name, delayMs, input, headers, stallHeaders] of CLOSES) {
  test(name, async () => {
    const s = await startServer({ delayMs });
    const body = JSON.stringify({ model: 'm', input, stream: true });
    const reader = (await fetch(`${s.url}/v1/responses`, { method: 'POST', body, headers })).body.getReader();
    await reader.read();
    const stall = { 'x-mock-fault': 'stall-headers=30000' };
    const stalled = () => fetch(`${s.url}/v1/responses`, { method: 'POST', body, headers: stall });
    const headersStalled = stallHeaders ? stalled() : null;
    if (headersStalled) await new Promise((ok) => setTimeout(ok, 50));
    const t0 = performance.now();
    await s.close();
    assert.ok(performance.now() - t0 < 500);
    if (headersStalled) await assert.rejects(headersStalled);
    await assert.rejects(async () => { for (;;) { const { done } = await reader.read(); if (done) throw new Error('ended cleanly'); } });
  });
}
