// client.files against the mock: create (multipart: purpose, the file part with its filename and
// type), retrieve, list (the query), delete, content (the HTTP response, body unread); the same
// options, retries, typed errors, id rules and redaction as every other method.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, ValidationError } from 'cometapi-responses';
import { KEY, assertNoKey, useMock, clientFor, rejection, has, fails } from './client-helpers.mjs';

const { srv, client } = await useMock();

const PDF = new TextEncoder().encode('%PDF-1.4\n% a small document\n');
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const last = () => srv.requests.at(-1);

test('create: a multipart body with purpose and the file (its name and type), then the File object', async () => {
  const f = await client.files.create({ file: new File([PDF], 'report.pdf', { type: 'application/pdf' }), purpose: 'user_data' });
  assert.match(f.id, /^file-/);
  assert.deepEqual([f.object, f.bytes, f.filename, f.purpose], ['file', PDF.length, 'report.pdf', 'user_data']);
  const req = last();
  has(req, { method: 'POST', path: '/v1/files' });
  assert.match(req.headers['content-type'], /^multipart\/form-data; boundary=/);
  assert.equal(req.headers.authorization, 'REDACTED');
  const content = await client.files.content(f.id);
  assert.equal(content.status, 200);
  assert.equal(content.headers.get('content-type'), 'application/pdf');
  assert.deepEqual(new Uint8Array(await content.arrayBuffer()), PDF);
});

test('create from bytes: the filename from `filename`, else file.<ext> from the sniffed type', async () => {
  const a = await client.files.create({ file: PNG, purpose: 'vision' });
  assert.equal(a.filename, 'file.png');
  const b = await client.files.create({ file: PDF.buffer, filename: 'given.pdf', purpose: 'user_data' });
  assert.equal(b.filename, 'given.pdf');
  assert.equal((await client.files.content(b.id).then((r) => r.headers.get('content-type'))), 'application/pdf');
});

test('retrieve, list with its query, delete', async () => {
  const f = await client.files.create({ file: new Blob([PNG], { type: 'image/png' }), filename: 'p.png', purpose: 'vision' });
  assert.deepEqual(await client.files.retrieve(f.id), f);
  const page = await client.files.list({ purpose: 'vision', limit: 1, order: 'desc' });
  assert.equal(last().url, '/v1/files?purpose=vision&limit=1&order=desc');
  assert.deepEqual([page.object, page.data[0].id], ['list', f.id]);
  assert.deepEqual(await client.files.delete(f.id), { id: f.id, object: 'file', deleted: true });
  assert.equal(last().method, 'DELETE');
  const e = await fails(client.files.retrieve(f.id), ApiError);
  assert.equal(e.status, 404);
  const c = await fails(client.files.content(f.id), ApiError);
  assert.equal(c.status, 404);
  assert.match(c.message, /No such File object/);
});

test('ids are one path segment; "", "." and ".." are refused before any request', async () => {
  const n = srv.requests.length;
  for (const id of ['', '.', '..']) {
    for (const p of [client.files.retrieve(id), client.files.delete(id), client.files.content(id)]) {
      const e = await fails(p, ValidationError);
    }
  }
  assert.equal(srv.requests.length, n);
  await rejection(client.files.retrieve('a/b c'));
  assert.equal(last().url, '/v1/files/a%2Fb%20c');
  await fails(client.files.retrieve(3), TypeError);
});

test('bad arguments: typed errors before any request', async () => {
  const n = srv.requests.length;
  await fails(client.files.create({ file: 'text', purpose: 'x' }), ValidationError);
  assert.equal((await rejection(client.files.create({ file: PDF, purpose: '' }))).param, 'purpose');
  await fails(client.files.create({ file: PDF }), TypeError);
  assert.equal((await rejection(client.files.list({ limit: 10001 }))).param, 'limit');
  assert.equal((await rejection(client.files.list({ order: 'up' }))).param, 'order');
  assert.equal(srv.requests.length, n);
});

test('retries resend the multipart body; the content call retries too', async () => {
  const c = clientFor(srv, { maxRetries: 2 });
  const key = `files-${Date.now()}`;
  const headers = { 'x-mock-fault': 'status=503,retry-after-ms=10,fail-first=2', 'x-mock-fault-key': key };
  const f = await c.files.create({ file: new File([PDF], 'r.pdf'), purpose: 'user_data' }, { headers });
  assert.equal(f.bytes, PDF.length);
  assert.equal(srv.requests.filter((r) => r.headers['x-mock-fault-key'] === key).length, 3);
  const key2 = `${key}-c`;
  const res = await c.files.content(f.id, { headers: { ...headers, 'x-mock-fault-key': key2 } });
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), PDF);
  assert.equal(srv.requests.filter((r) => r.headers['x-mock-fault-key'] === key2).length, 3);
});

test('errors hold no trace of the key; an abort is an AbortError', async () => {
  const e = await fails(client.files.retrieve(`file-${KEY}`), ApiError);
  assertNoKey(e);
  const ac = new AbortController();
  ac.abort();
  assert.equal((await rejection(client.files.list({ signal: ac.signal }))).name, 'AbortError');
});
