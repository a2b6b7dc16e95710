// client.files against the mock: create (multipart: purpose, the file part with its filename and
// type), retrieve, list (the query), delete, content (the HTTP response, body unread); the same
// options, retries, typed errors and redaction as every other method (the id rules of every
// method are in client-security.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { ApiError, ResponsesClient, ValidationError } from 'cometapi-responses';
import { KEY, assertNoKey, useMock, clientFor, rejection, has, fails, rawServer } from './client-helpers.mjs';

const { srv, client, last } = await useMock();

const PDF = new TextEncoder().encode('%PDF-1.4\n% a small document\n');
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const bytesOf = async (res) => new Uint8Array(await res.arrayBuffer());

test('create: a multipart body with purpose and the file (its name and type), then the File object', async () => {
  const f = await client.files.create({ file: new File([PDF], 'report.pdf', { type: 'application/pdf' }), purpose: 'user_data' });
  assert.match(f.id, /^file-/);
  has(f, { object: 'file', bytes: PDF.length, filename: 'report.pdf', purpose: 'user_data' });
  has(last(), { method: 'POST', path: '/v1/files' });
  assert.match(last().headers['content-type'], /^multipart\/form-data; boundary=/);
  assert.equal(last().headers.authorization, 'REDACTED');
  const content = await client.files.content(f.id);
  assert.deepEqual([content.status, content.headers.get('content-type')], [200, 'application/pdf']);
  assert.deepEqual(await bytesOf(content), PDF);
});

test('create: a content-type the client or the call gives does not replace the multipart one (its boundary)', async () => {
  const c = clientFor(srv, { headers: { 'Content-Type': 'application/json' } });
  const f = await c.files.create({ file: PDF, filename: 'typed.pdf', purpose: 'user_data' }, { headers: { 'content-type': 'text/plain' } });
  has(f, { filename: 'typed.pdf', bytes: PDF.length });
  assert.match(last().headers['content-type'], /^multipart\/form-data; boundary=/);
});

test('create from bytes: the filename from `filename`, else file.<ext> from the sniffed type', async () => {
  assert.equal((await client.files.create({ file: PNG, purpose: 'vision' })).filename, 'file.png');
  const b = await client.files.create({ file: PDF.buffer, filename: 'given.pdf', purpose: 'user_data' });
  assert.equal(b.filename, 'given.pdf');
  assert.equal((await client.files.content(b.id)).headers.get('content-type'), 'application/pdf');
});

test('create with a fetch of the app\'s own: the multipart content type, its boundary as written, goes as a header (a Blob\'s type is lower-cased)', async () => {
  // a FormData whose boundary has capitals, as a browser's has (WebKitFormBoundary…)
  const Real = globalThis.Response;
  globalThis.Response = class extends Real {
    constructor(body, init) {
      if (!(body instanceof FormData)) return super(body, init);
      super('--AbC\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n--AbC--\r\n', { headers: { 'content-type': 'multipart/form-data; boundary=AbC' } });
    }
  };
  let sent;
  try {
    const fetch = async (url, init) => {
      sent = [init.headers['content-type'], await new Real(init.body).text()];
      return new Real('{"id":"file-1","object":"file"}', { headers: { 'content-type': 'application/json' } });
    };
    const c = new ResponsesClient({ apiKey: KEY, baseURL: 'http://files.invalid/v1', maxRetries: 0, fetch });
    await c.files.create({ file: PDF, purpose: 'user_data' });
  } finally {
    globalThis.Response = Real;
  }
  assert.equal(sent[0], 'multipart/form-data; boundary=AbC');
  assert.match(sent[1], /^--AbC\r\n/);
});

test('create: the params\' other members go as multipart fields, nested as the API reads them', async () => {
  let form;
  const fetch = async (url, init) => {
    form = await new Response(init.body).formData();
    return new Response('{"id":"file-1","object":"file"}', { headers: { 'content-type': 'application/json' } });
  };
  const c = new ResponsesClient({ apiKey: KEY, baseURL: 'http://files.invalid/v1', maxRetries: 0, fetch });
  const params = { file: PDF, purpose: 'user_data', expires_after: { anchor: 'created_at', seconds: 3600 }, tags: ['a', 'b'], note: null };
  await c.files.create(params);
  const fields = [...form.entries()].filter(([k]) => k !== 'file');
  assert.deepEqual(fields, [['purpose', 'user_data'], ['expires_after[anchor]', 'created_at'], ['expires_after[seconds]', '3600'], ['tags[]', 'a'], ['tags[]', 'b']]);
  assert.equal(form.get('file').size, PDF.length);
});

test('create with a fetch of the app\'s own (undici\'s, whose FormData is not the platform\'s) or a Blob of another library: the multipart body arrives whole', async (t) => {
  const { fetch: undiciFetch } = await import('undici');
  const seen = [];
  const raw = await rawServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ type: req.headers['content-type'], body: Buffer.concat(chunks).toString('latin1') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"file-1","object":"file"}');
    });
  }, t);
  const real = new Blob([PDF]);
  // fetch-blob / formdata-node shaped: a Blob by its methods, not the platform's class.
  const blobLike = (type) => ({ size: real.size, type, name: 'lib.pdf', slice: (...a) => real.slice(...a), arrayBuffer: () => real.arrayBuffer(), stream: () => real.stream() });
  const cases = [
    [undiciFetch, new File([PDF], 'report.pdf', { type: 'application/pdf' }), 'report.pdf'],
    [undefined, blobLike(''), 'lib.pdf'],
    [undefined, blobLike('application/pdf'), 'lib.pdf'],
  ];
  for (const [fetch, file, filename] of cases) {
    const c = new ResponsesClient({ apiKey: KEY, baseURL: raw.url, maxRetries: 0, fetch });
    has(await c.files.create({ file, purpose: 'user_data' }), { id: 'file-1' });
    const { type, body } = seen.at(-1);
    const boundary = /^multipart\/form-data; ?boundary=(.+)$/.exec(type)?.[1];
    assert.ok(boundary, type);
    assert.ok(body.includes(`filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n${Buffer.from(PDF).toString('latin1')}\r\n--${boundary}--`), body);
  }
});

test('content: the signal still aborts the download after the Response is handed over, as with fetch', { timeout: 10000 }, async (t) => {
  const raw = await rawServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write('x'.repeat(1000));
    const timer = setInterval(() => res.write('x'.repeat(1000)), 20);
    res.on('close', () => clearInterval(timer));
  }, t);
  const c = new ResponsesClient({ apiKey: KEY, baseURL: raw.url, maxRetries: 0 });
  const controller = new AbortController();
  const res = await c.files.content('file-1', { signal: controller.signal });
  const reader = res.body.getReader();
  assert.equal((await reader.read()).done, false);
  controller.abort();
  await assert.rejects(async () => { for (;;) if ((await reader.read()).done) break; }, { name: 'AbortError' });
  await raw.log[0].closedPromise;
  // Nothing is left listening on a signal shared by many calls once their bodies are read.
  const shared = new AbortController().signal;
  for (let i = 0; i < 12; i++) await bytesOf(await client.files.content((await client.files.create({ file: PDF, purpose: 'user_data' })).id, { signal: shared }));
  assert.equal(getEventListeners(shared, 'abort').length, 0);
});

test('retrieve, list with its query, delete', async () => {
  const f = await client.files.create({ file: new Blob([PNG], { type: 'image/png' }), filename: 'p.png', purpose: 'vision' });
  assert.deepEqual(await client.files.retrieve(f.id), f);
  const page = await client.files.list({ purpose: 'vision', limit: 1, order: 'desc' });
  assert.equal(last().url, '/v1/files?purpose=vision&limit=1&order=desc');
  assert.deepEqual([page.object, page.data[0].id], ['list', f.id]);
  assert.deepEqual(await client.files.delete(f.id), { id: f.id, object: 'file', deleted: true });
  has(last(), { method: 'DELETE', path: `/v1/files/${f.id}` });
  await fails(client.files.retrieve(f.id), ApiError, { status: 404 });
  assert.match((await fails(client.files.content(f.id), ApiError, { status: 404 })).message, /No such File object/);
});

test('bad arguments: typed errors before any request', async () => {
  const n = srv.requests.length;
  await fails(client.files.create({ file: 'text', purpose: 'x' }), ValidationError);
  await fails(client.files.create({ file: PDF }), TypeError);
  assert.equal((await rejection(client.files.create({ file: PDF, purpose: '' }))).param, 'purpose');
  assert.equal((await rejection(client.files.list({ limit: 10001 }))).param, 'limit');
  assert.equal((await rejection(client.files.list({ order: 'up' }))).param, 'order');
  assert.equal(srv.requests.length, n);
});

test('retries resend the multipart body; the content call retries too', async () => {
  const c = clientFor(srv, { maxRetries: 2 });
  const key = `files-${Date.now()}`;
  const headers = (k) => ({ 'x-mock-fault': 'status=503,retry-after-ms=10,fail-first=2', 'x-mock-fault-key': k });
  const attempts = (k) => srv.requests.filter((r) => r.headers['x-mock-fault-key'] === k).length;
  const f = await c.files.create({ file: new File([PDF], 'r.pdf'), purpose: 'user_data' }, { headers: headers(key) });
  assert.deepEqual([f.bytes, attempts(key)], [PDF.length, 3]);
  assert.deepEqual(await bytesOf(await c.files.content(f.id, { headers: headers(`${key}-c`) })), PDF);
  assert.equal(attempts(`${key}-c`), 3);
});

test('errors hold no trace of the key; an abort is an AbortError', async () => {
  assertNoKey(await fails(client.files.retrieve(`file-${KEY}`), ApiError));
  const ac = new AbortController();
  ac.abort();
  assert.equal((await rejection(client.files.list({ signal: ac.signal }))).name, 'AbortError');
});
