// The dev server's proxy as an attacker would try it: the key must reach only the
// configured upstream origin, below its path prefix, on the client's routes; only an
// allowlist of headers goes upstream; cross-site requests without an Origin are refused;
// the key and its fragments never come back, whatever the body, its chunking or encoding.
// A fake upstream and an "evil" server (both on 127.0.0.1, port 0) record what reaches them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startServer } from '../../www/server.mjs';
import { assertNoKeyIn, has, rawRequest, rawServer, sleep } from '../js/client-helpers.mjs';
import { post as postTo, server } from './helpers.mjs';

const KEY = 'sk-proxy-0123456789abcdefghijklmnopqrstuvwxyzABCDEF';
const BARE = KEY.slice(3); // the key without its sk- prefix
/** No run of the key as short as the package's redactor masks (10 characters) in `text`. */
const noLeak = (text, what) => assertNoKeyIn(text, what, KEY);

/** A server that records every request (method, url, headers, body); `reply(req, res, body)` answers. */
async function recorder(reply) {
  const seen = [];
  const server = await rawServer((req, res) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString();
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      reply(req, res, body);
    });
  });
  return { ...server, seen };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const quoted = `Incorrect API key provided: ${KEY}. Bare: ${BARE}. Part: ${KEY.slice(7, 19)}.`;
const rejected = JSON.stringify({ error: { message: quoted, type: 'invalid_request_error', code: 'invalid_api_key' } });
const gzipped = zlib.gzipSync(JSON.stringify({ error: { message: `key ${KEY}` } }));
const limited = { message: 'Rate limit reached.', type: 'requests', code: 'rate_limit_exceeded', param: null };
const limitedHeaders = { ...JSON_TYPE, 'retry-after': '3', 'retry-after-ms': '2500', 'x-request-id': 'req_upstream_1' };
/** The fake upstream's fixed answers, by the JSON body's `mode`: [status, headers, body]. */
const REPLIES = {
  'quote-key': [401, JSON_TYPE, rejected],
  gzip: [400, { ...JSON_TYPE, 'content-encoding': 'gzip' }, gzipped],
  'weird-encoding': [200, { ...JSON_TYPE, 'content-encoding': 'x-custom' }, `"${KEY}"`],
  limited: [429, limitedHeaders, JSON.stringify({ error: limited })],
};

/** What the fake upstream answers, chosen by the JSON body's `mode`. */
async function upstreamReply(req, res, body) {
  let mode = null;
  try { mode = JSON.parse(body).mode ?? null; } catch { /* GETs */ }
  if (REPLIES[mode]) return res.writeHead(REPLIES[mode][0], REPLIES[mode][1]).end(REPLIES[mode][2]);
  if (mode === 'header-key') {
    res.writeHead(200, { ...JSON_TYPE, 'x-echo-auth': req.headers.authorization, 'x-echo-bare': BARE });
    return res.end('{}');
  }
  if (mode === 'header-name-key') {
    // Header names holding the key, a run of it, a run in upper case (Node lower-cases names).
    res.writeHead(200, {
      ...JSON_TYPE, [`x-debug-${BARE}`]: 'seen', [`x-part-${KEY.slice(7, 19)}`]: 'seen',
      [`x-upper-${KEY.slice(-12)}`]: 'seen', [`x-short-${KEY.slice(9, 17)}`]: 'kept', 'x-fine': 'kept',
    });
    return res.end('{}');
  }
  if (mode === 'stream-split') {
    // An SSE stream quoting the key, cut at every position of the key in turn, each
    // piece written on its own after a pause (so they arrive as separate chunks).
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    for (let cut = 1; cut < KEY.length; cut += 7) {
      const data = `event: error\ndata: {"type":"error","message":"bad key ${KEY} (${BARE})"}\n\n`;
      const at = data.indexOf(KEY) + cut;
      res.write(data.slice(0, at));
      await sleep(5);
      res.write(data.slice(at));
      await sleep(5);
    }
    return res.end('event: done\ndata: {}\n\n');
  }
  return res.writeHead(200, JSON_TYPE).end(JSON.stringify({ ok: true, url: req.url }));
}

const evil = await recorder((req, res) => res.end('stolen'));
const up = await recorder(upstreamReply);
const proxy = await startServer({ upstream: `${up.url}/v1`, apiKey: KEY });
after(async () => {
  for (const s of [proxy, up, evil]) await s.close();
});

/** A raw request to the proxy: the path is sent verbatim (fetch would normalise it). */
const raw = (path, opts) => rawRequest(proxy.url, path, opts);

const post = (body, headers = {}) => postTo(proxy.url, body, headers);

test('paths that would leave the upstream origin or its /v1 prefix are refused, the key goes nowhere', async () => {
  const e = `127.0.0.1:${evil.port}`;
  const attempts = [
    `/v1/http://${e}/steal`, `/v1/https://${e}/steal`, `/v1//${e}/steal`, `/v1/\\\\${e}/steal`, `/v1/\\${e}/steal`,
    `/v1/%5c%5c${e}/steal`, `/v1/%5C%5C${e}/steal`, `/v1/%2f%2f${e}/steal`, `/v1/http:%2f%2f${e}/steal`,
    `/v1/responses/..%2f..%2f..%2f${e}`, `/v1/@${e}/steal`, `/v1/responses/@${e}`,
    '/v1/../admin/secret', '/v1/%2e%2e/admin', '/v1/%2E%2E/admin', '/v1/%2e%2E/admin', '/v1/.%2e/admin', '/v1/%2e./admin',
    '/v1/responses/..', '/v1/responses/.', '/v1/responses/%2e%2e', '/v1/responses/%2E%2e', '/v1/responses/%2e',
    '/v1/responses/.%2E', '/v1/responses/%2e%2e/input_items', '/v1/responses/../../admin', '/v1/responses/x/../../admin',
    '/v1/responses/..%2fadmin', '/v1/responses/%2e%2e%2fadmin', '/v1/responses/%2e%2e%5cadmin', '/v1/responses/%252e%252e',
    '/v1/responses/a%5c..%5cb', '/v1/responses/%5c', '/v1/responses/a%2fb', '/v1/responses/a%00b', '/v1/responses/%',
    '/v1/responses//', '/v1/responses//x', '/v1/./responses', '/v1/responses/./x', '/v1/conversations/..',
    '/v1/conversations/c/items/%2e%2e', '/v1/conversations/%2e%2e/items', '/v1/models', '/v1/files/%2e%2e', '/v1/files/x/../../admin', '/v1/', '/v1',
    '/v1/responses/r/cancel/../../..', '/v1/responses?x=1/../../admin', '/v1/responses#/../admin',
  ];
  for (const path of attempts) {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await raw(path, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      // POST /v1/responses with a query: a real route; the query must not change the path
      if (method === 'POST' && /^\/v1\/responses[?#]/.test(path)) continue;
      assert.ok([400, 404].includes(res.status), `${method} ${path} → ${res.status}`);
      noLeak(res.body, `${method} ${path}`);
    }
  }
  assert.deepEqual(evil.seen, [], 'nothing reached the other server');
  for (const r of up.seen) {
    assert.match(r.url, /^\/v1\/responses(\?|$)/, `only POST /v1/responses?… was forwarded, got ${r.method} ${r.url}`);
    assert.equal(r.method, 'POST');
  }
});

test('the client\'s routes are forwarded below the prefix, with the key and re-encoded ids', async () => {
  const n = up.seen.length;
  // 'METHOD path', forwarded as is, or [that, the path the upstream gets]
  const routes = [
    'POST /v1/responses', 'POST /v1/responses/compact', 'POST /v1/responses/input_tokens',
    'GET /v1/responses/resp_abc123', 'GET /v1/responses/resp_abc123?stream=true&starting_after=4',
    ['DELETE /v1/responses/resp_abc123/', '/v1/responses/resp_abc123'],
    'POST /v1/responses/resp_abc123/cancel',
    ['GET /v1/responses/resp_%61bc/input_items?order=asc&limit=2',
      '/v1/responses/resp_abc/input_items?order=asc&limit=2'],
    'POST /v1/conversations', 'GET /v1/conversations/conv_1', 'POST /v1/conversations/conv_1',
    'DELETE /v1/conversations/conv_1', 'POST /v1/conversations/conv_1/items?include=x',
    'GET /v1/conversations/conv_1/items?after=msg_1&limit=5&order=desc',
    'GET /v1/conversations/conv_1/items/msg_2', 'DELETE /v1/conversations/conv_1/items/msg_2', 'POST /v1/files', 'GET /v1/files?purpose=user_data&limit=2',
    'GET /v1/files/file-1', 'DELETE /v1/files/file-1', 'GET /v1/files/file-1/content',
  ];
  for (const route of routes) {
    const [call, expected = call.split(' ')[1]] = [route].flat();
    const [method, path] = call.split(' ');
    const res = await raw(path, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    assert.equal(res.status, 200, `${method} ${path}: ${res.body}`);
    const seen = up.seen.at(-1);
    has(seen, { method, url: expected });
    assert.equal(seen.headers.authorization, `Bearer ${KEY}`);
  }
  assert.equal(up.seen.length, n + routes.length);
  assert.deepEqual(evil.seen, []);
});

test('an upstream base with a deeper prefix keeps it (the key never goes above it)', async (t) => {
  const p = await server(t, { upstream: `${up.url}/api/openai/v1/`, apiKey: KEY });
  const n = up.seen.length;
  for (const path of ['/v1/responses', '/v1/../responses', '/v1/%2e%2e/%2e%2e/responses', '/v1/responses/%2e%2e/..']) {
    await rawRequest(p.url, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  }
  assert.deepEqual(up.seen.slice(n).map((r) => r.url), ['/api/openai/v1/responses']);
  await assert.rejects(startServer({ upstream: 'https://user:pw@api.example/v1', apiKey: KEY }), /credentials/);
  await assert.rejects(startServer({ upstream: 'file:///etc/passwd', apiKey: KEY }), /http/);
});

test('only allowlisted request headers go upstream', async () => {
  const res = await post({ model: 'm', input: 'x' }, {
    authorization: 'Bearer sk-from-the-browser', cookie: 'session=1', 'x-api-key': 'sk-other', 'api-key': 'sk-azure',
    'x-forwarded-for': '10.0.0.1', 'x-forwarded-host': 'evil.example', forwarded: 'for=10.0.0.1', 'x-real-ip': '10.0.0.1',
    'x-mock-fault': 'status=500', 'x-mock-fault-key': 'k', 'openai-organization': 'org-x', 'openai-project': 'proj-x',
    'proxy-authorization': 'Basic eA==', referer: 'https://evil.example/', 'user-agent': 'test-agent',
    'x-custom': 'anything', accept: 'application/json', 'idempotency-key': 'idem-1', 'x-client-request-id': 'cr-1',
  });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  const seen = up.seen.at(-1).headers;
  const allowed = new Set(['host', 'connection', 'content-type', 'content-length', 'accept', 'accept-encoding', 'authorization', 'idempotency-key', 'x-client-request-id']);
  for (const name of Object.keys(seen)) assert.ok(allowed.has(name), `forwarded: ${name}: ${seen[name]}`);
  has(seen, { authorization: `Bearer ${KEY}`, 'idempotency-key': 'idem-1' });
  has(seen, { accept: 'application/json', host: `127.0.0.1:${up.port}` });
});

test('cross-site requests without an Origin (an <img>, a no-cors GET) are refused', async () => {
  const n = up.seen.length;
  for (const site of ['cross-site', 'same-site']) {
    const res = await raw('/v1/responses/resp_1', { headers: { 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' } });
    assert.equal(res.status, 403, site);
    assert.equal(JSON.parse(res.body).error.code, 'origin_not_allowed');
    const p = await raw('/v1/responses', { method: 'POST', headers: { 'sec-fetch-site': site, 'content-type': 'text/plain' }, body: '{"model":"m","input":"x"}' });
    assert.equal(p.status, 403, site);
  }
  assert.equal(up.seen.length, n, 'nothing reached the upstream');
  for (const site of ['same-origin', 'none']) {
    assert.equal((await raw('/v1/responses/resp_1', { headers: { 'sec-fetch-site': site } })).status, 200, site);
  }
  const withOrigin = await raw('/v1/responses/resp_1', { headers: { 'sec-fetch-site': 'cross-site', origin: 'http://localhost:5173' } });
  assert.equal(withOrigin.status, 200, 'a local page on another port (its Origin says who it is)');
  assert.equal(up.seen.length, n + 3);
});

test('the key and its fragments are redacted from error bodies and headers', async () => {
  const res = await post({ mode: 'quote-key' });
  assert.equal(res.status, 401);
  const text = await res.text();
  noLeak(text);
  const message = 'Incorrect API key provided: [redacted]. Bare: [redacted]. Part: [redacted].';
  has(JSON.parse(text).error, { message, code: 'invalid_api_key' });

  const h = await post({ mode: 'header-key' });
  await h.arrayBuffer();
  for (const [k, v] of h.headers) noLeak(`${k}: ${v}`, k);
  assert.equal(h.headers.get('x-echo-auth'), 'Bearer [redacted]');
});

test('upstream headers whose name holds the key or a run of it (in any case) are dropped', async () => {
  const res = await post({ mode: 'header-name-key' });
  await res.arrayBuffer();
  assert.equal(res.status, 200);
  const names = [...res.headers.keys()];
  for (const name of names) assertNoKeyIn(name, `header name ${name}`, KEY.toLowerCase());
  assert.deepEqual(names.filter((n) => /^x-(debug|part|upper)-/.test(n)), []);
  assert.equal(res.headers.get('x-fine'), 'kept');
  assert.equal(res.headers.get(`x-short-${KEY.slice(9, 17)}`), 'kept', 'a run shorter than 10 characters is no fragment');
});

test('a streamed body quoting the key, cut inside it at many positions, arrives redacted and intact', async () => {
  const res = await post({ mode: 'stream-split' });
  assert.equal(res.status, 200);
  const dec = new TextDecoder();
  const chunks = [];
  for await (const value of res.body) chunks.push(dec.decode(value, { stream: true }));
  assert.ok(chunks.length > 4, `${chunks.length} chunks`);
  const text = chunks.join('');
  noLeak(text);
  const events = text.split('\n\n').filter(Boolean);
  assert.equal(events.at(-1), 'event: done\ndata: {}');
  for (const e of events.slice(0, -1)) assert.equal(e, 'event: error\ndata: {"type":"error","message":"bad key [redacted] ([redacted])"}');
});

test('upstream statuses and retry headers pass through', async () => {
  const res = await post({ mode: 'limited' });
  assert.equal(res.status, 429);
  const headers = Object.fromEntries(res.headers);
  has(headers, { 'retry-after': '3', 'retry-after-ms': '2500', 'x-request-id': 'req_upstream_1' });
  assert.equal((await res.json()).error.code, 'rate_limit_exceeded');
});

test('compressed upstream bodies are decoded before redaction; unknown encodings are refused', async () => {
  const res = await post({ mode: 'gzip' });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('content-encoding'), null);
  const text = await res.text();
  noLeak(text);
  assert.equal(JSON.parse(text).error.message, 'key [redacted]');
  const weird = await post({ mode: 'weird-encoding' });
  assert.equal(weird.status, 502);
  noLeak(await weird.text());
});
