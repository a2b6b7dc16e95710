// The shared harness of the library's tests (not a test file itself): the mock backend (mock/) on
// 127.0.0.1, a client of it, and helpers to read streams and errors.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after } from 'node:test';
import { inspect } from 'node:util';
import { createParser } from 'eventsource-parser';
import { ResponsesClient, ResponseStream } from 'cometapi-responses';
import { createMock } from '../../mock/index.mjs';
import { startMockServer } from '../../mock/server.mjs';

/** A key of the shape real ones have (a project key, 56 characters): no error may hold it, nor
 *  any 10-character fragment of it. */
export const KEY = 'sk-proj-Xq7Lm2Vn9Rt4Wb8Kc1Pz6Hd3Jf5Gs0YaQe2Tu4Io6Pl8Mk0N';

/** Every view of an error (message, stack, JSON, body, response, cause, inspect): none may hold
 *  the key or any 10-character fragment of it. */
export function assertNoKey(err, what = 'error', key = KEY) {
  assert.ok(err instanceof Error, `${what}: not an Error: ${err}`);
  const views = {
    message: err.message,
    stack: err.stack,
    json: JSON.stringify(err),
    body: JSON.stringify(err.body ?? null),
    response: JSON.stringify(err.response ?? null),
    cause: err.cause ? `${err.cause.message} ${err.cause.stack}` : '',
    string: String(err),
    inspect: inspect(err, { depth: 10, showHidden: true }),
  };
  for (const [k, v] of Object.entries(views)) assertNoKeyIn(v, `${what}: its ${k}`, key);
}

/** No 10-character fragment of the key in `text`. */
export function assertNoKeyIn(text, what = 'text', key = KEY) {
  for (let i = 0; i + 10 <= key.length; i++) {
    const frag = key.slice(i, i + 10);
    assert.ok(!String(text).includes(frag), `${what}: a fragment of the API key (${frag}) is in ${String(text).slice(0, 300)}`);
  }
}

/** The mock backend on 127.0.0.1 (fast by default; `port` 0: a free one); closed after the test `t` if given. */
export async function startMock(opts = {}, t = null) {
  const srv = await startMockServer({ port: 0, delayMs: 1, ...opts });
  t?.after(() => srv.close());
  return srv;
}

/** The mock for the tests of this file (closed after them), a client of it and its last logged request. */
export async function useMock(opts = {}) {
  const srv = await startMock(opts);
  after(() => srv.close());
  return { srv, client: clientFor(srv), last: () => srv.requests.at(-1) };
}

/**
 * The mock in this process (no socket; `delayMs` 0 unless asked), at `BASE`: `call(path, init)` →
 * its Response; `request(method, path, body, headers)` → { status, body } (`body` JSON, or a string
 * sent as is; the answer parsed, null when empty); `okAt(method, path, body)` → the answer, asserting
 * 200; `post(body)` and `ok(body)` the same for POST /responses; `streamed(body)` → the events of
 * the streamed answer; `clientOf(opts)` → a ResponsesClient of it (no retries unless asked).
 */
export function inProcessMock(opts = {}) {
  const mock = createMock({ delayMs: 0, ...opts });
  const BASE = 'http://mock.test/v1';
  const call = (path, init = {}) => mock.fetch(new Request(`${BASE}${path}`, init));
  const request = async (method, path, body, headers = {}) => {
    const init = { method, headers: { 'content-type': 'application/json', ...headers } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await call(path, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const okAt = async (method, path, body) => {
    const r = await request(method, path, body);
    assert.equal(r.status, 200, `${method} ${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const post = (body) => request('POST', '/responses', body);
  const ok = (body) => okAt('POST', '/responses', body);
  const streamed = async (body) => sseEvents(await (await call('/responses', { method: 'POST', body: JSON.stringify({ ...body, stream: true }) })).text());
  const clientOf = (opts = {}) => new ResponsesClient({
    apiKey: 'sk-test', baseURL: BASE, maxRetries: 0, fetch: (input, init) => mock.fetch(new Request(input, init)), ...opts,
  });
  return { mock, BASE, call, request, okAt, post, ok, streamed, clientOf };
}

/** Asserts `r` ({ status, body }) is an API error of `status`, its fields in the API's order, with
 *  `type` invalid_request_error and these `fields`; returns the error. */
export function apiError(r, status, fields = {}, what = '') {
  assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
  assert.deepEqual(Object.keys(r.body.error), ['message', 'type', 'param', 'code'], what);
  return has(r.body.error, { type: 'invalid_request_error', ...fields }, what);
}

/** The JSON data of every event of an SSE text. */
export function sseEvents(text) {
  const events = [];
  createParser({ onEvent: (e) => events.push(JSON.parse(e.data)) }).feed(text);
  return events;
}

/** A raw HTTP request to `base` + `path` (the path sent as is: fetch would normalise `..`) → { status, headers, body }. */
export function rawRequest(base, path, { method = 'GET', headers = {}, body } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((ok, fail) => {
    const req = http.request({ hostname, port, path, method, headers }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** The status of the response `res` (a promise of it) resolves to, its body read to the end. */
export async function statusOf(res) {
  const r = await res;
  await r.arrayBuffer();
  return r.status;
}

/** A port nothing listens on. */
export async function closedPort() {
  const s = http.createServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

/** A client of `srv` (no retries unless asked). */
export function clientFor(srv, opts = {}) {
  return new ResponsesClient({ apiKey: KEY, baseURL: `${srv.url}/v1`, maxRetries: 0, ...opts });
}

/** Per-request options carrying an `x-mock-fault` header. */
export const fault = (value, extra = {}) => ({ ...extra, headers: { 'x-mock-fault': value, ...(extra.headers ?? {}) } });

/** Reads a stream to its end (or until `each(event, events so far)` returns true): the events
 *  yielded, and the error thrown (if any). */
export async function collect(stream, each = null) {
  const events = [];
  let failed = null; // what `each` threw: the test's own failure, not the stream's
  try {
    for await (const ev of stream) {
      events.push(ev);
      try {
        if (each?.(ev, events) === true) break;
      } catch (e) {
        failed = e;
        break;
      }
    }
  } catch (error) {
    return { events, error };
  }
  if (failed) throw failed;
  return { events, error: null };
}

/** A stream read to its end: { stream, events, error }. */
export const read = async (stream) => ({ stream, ...(await collect(stream)) });

/** The events of a stream read to its end (or as `collect` with `each`), asserting it ended without an error. */
export async function drained(stream, each = null) {
  const { events, error } = await collect(stream, each);
  assert.equal(error, null);
  return events;
}

/** A stream read to its end without an error, then its final response: { stream, events, final }. */
export async function finished(stream) {
  const events = await drained(stream);
  return { stream, events, final: await stream.finalResponse() };
}

/** Asserts the events run from response.created to `terminal`. */
export function assertWhole(events, terminal = 'response.completed') {
  assert.equal(events[0].type, 'response.created');
  assert.equal(events.at(-1).type, terminal);
}

/** Asserts each field of `expected` on `obj` (deepStrictEqual per field). */
export function has(obj, expected, what = '') {
  for (const [k, v] of Object.entries(expected)) assert.deepEqual(obj?.[k], v, `${what}.${k}`);
  return obj;
}

/** Asserts `err` is an instance of `Class` with these fields; returns it. */
export function isError(err, Class, fields = {}, what = '') {
  assert.ok(err instanceof Class, `${what}: got ${err}`);
  return has(err, fields, what);
}

/** The error a promise rejects with, asserted to be a `Class` with these fields. */
export const fails = async (promise, Class, fields, what) => isError(await rejection(promise), Class, fields, what);

/** The error `fn()` throws synchronously (null if it returns). */
export function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** The concatenated `response.output_text.delta` deltas. */
export const deltaText = (events) =>
  events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');

/** A ReadableStream<Uint8Array> of the given chunks (strings are UTF-8 encoded). */
export function bodyOf(chunks) {
  const list = (Array.isArray(chunks) ? chunks : [chunks]).map((c) => (typeof c === 'string' ? enc(c) : c));
  return new ReadableStream({
    pull(controller) {
      if (list.length) controller.enqueue(list.shift());
      else controller.close();
    },
  });
}

/** The UTF-8 bytes of `text`. */
export const enc = (text) => new TextEncoder().encode(text);

/** A ResponseStream of a hand-made body of these chunks (`opts`: fromReadableStream's). */
export const streamOf = (chunks, opts) => ResponseStream.fromReadableStream(bodyOf(chunks), opts);

/** 'resolved', the error `p` rejects with, or a note that it is still pending after `ms`. */
export const settled = (p, ms = 2000) =>
  Promise.race([p.then(() => 'resolved', (e) => e), sleep(ms).then(() => `still pending after ${ms} ms`)]);

/** One SSE frame. */
export const frame = (data, type = data.type) => `event: ${type}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** A minimal, complete Responses stream as SSE text (text split into `deltas`). */
export function syntheticStream(deltas = ['Hel', 'lo ', 'wörld 🙂'], { id = 'resp_test', terminal = true } = {}) {
  const base = { id, object: 'response', created_at: 1, status: 'in_progress', model: 'm', output: [], error: null, incomplete_details: null };
  const text = deltas.join('');
  const item = { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
  const part = { type: 'output_text', text: '', annotations: [] };
  let seq = 0;
  const ev = (type, fields) => ({ type, sequence_number: seq++, ...fields });
  const events = [
    ev('response.created', { response: base }),
    ev('response.in_progress', { response: base }),
    ev('response.output_item.added', { output_index: 0, item }),
    ev('response.content_part.added', { item_id: 'msg_1', output_index: 0, content_index: 0, part }),
    ...deltas.map((delta) => ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta })),
    ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text }),
    ev('response.content_part.done', { item_id: 'msg_1', output_index: 0, content_index: 0, part: { ...part, text } }),
    ev('response.output_item.done', { output_index: 0, item: { ...item, status: 'completed', content: [{ ...part, text }] } }),
  ];
  if (terminal) {
    events.push(ev('response.completed', {
      response: { ...base, status: 'completed', output: [{ ...item, status: 'completed', content: [{ ...part, text }] }] },
    }));
  }
  return { events, text, sse: events.map((e) => frame(e)).join('') };
}

/**
 * A raw HTTP server on 127.0.0.1 for behaviours the mock cannot show. `handler(req, res, log)`;
 * `log` records every request and when its connection closed. Closed after the test `t` if given.
 */
export async function rawServer(handler, t = null) {
  const log = [];
  const server = http.createServer((req, res) => {
    const entry = { method: req.method, url: req.url, headers: req.headers, closed: false, closedAt: null };
    log.push(entry);
    let resolveClosed;
    entry.closedPromise = new Promise((r) => (resolveClosed = r));
    res.on('close', () => {
      entry.closed = true;
      entry.closedAt = Date.now();
      resolveClosed();
    });
    handler(req, res, entry);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  const close = () => new Promise((done) => { server.close(() => done()); server.closeAllConnections(); });
  t?.after(close);
  return { url: `http://127.0.0.1:${port}`, port, log, close };
}

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond()` is true (polling), or fails after `ms`. */
export async function until(cond, ms = 3000, what = 'condition') {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
