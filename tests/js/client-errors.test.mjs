// The error classes: exports, names, fields; HTTP errors, connection
// errors, timeouts (before the headers and between chunks), aborts (and the server seeing the
// connection close), validation before anything is sent; the API key in no error (a server that
// echoes it: client-security.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as lib from 'cometapi-responses';
import { ApiError, ConnectionError, TimeoutError, AbortError, StreamError, ValidationError, ResponsesClient } from 'cometapi-responses';
import {
  KEY, assertNoKey, useMock, closedPort, startMock, clientFor, fault, collect, rejection, rawServer, frame, syntheticStream, sleep, until, deltaText,
  isError, fails, thrown, read, has, drained, settled,
} from './client-helpers.mjs';

const { srv, client, last } = await useMock();

const params = { model: 'gpt-mock', input: 'Error tests' };
const CLASSES = { ApiError, ConnectionError, TimeoutError, AbortError, StreamError, ValidationError };
/** A client of `url` (no retries, with the key unless asked otherwise). */
const at = (url, opts = {}) => new ResponsesClient({ apiKey: KEY, baseURL: url, maxRetries: 0, ...opts });
/** Waits (3 s at most) for the server to see the connection of request `i` close. */
async function closedOnServer(raw, i = 0) {
  await Promise.race([raw.log[i].closedPromise, sleep(3000)]);
  assert.ok(raw.log[i].closed, 'the server saw the connection close');
}
/** Calls `abort()`, asserts `promise` rejects with an AbortError within 1 s of it. */
async function abortsAtOnce(promise, abort) {
  const t0 = Date.now();
  abort();
  await fails(promise, AbortError);
  assert.ok(Date.now() - t0 < 1000);
}
/** A server that streams `deltas` as one event every `ms` and records when the connection closed. */
async function dripServer(t, deltas = Array.from({ length: 200 }, (_, i) => `w${i} `), ms = 50) {
  const { events: wire } = syntheticStream(deltas);
  return rawServer(async (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const e of wire) {
      if (res.destroyed || res.writableEnded) return;
      res.write(frame(e));
      await sleep(ms);
    }
    res.end();
  }, t);
}

test('the classes: exported, Error subclasses, name = class name', () => {
  for (const [name, Class] of Object.entries(CLASSES)) {
    assert.equal(lib[name], Class, `${name} is exported`);
    assert.equal(typeof Class, 'function');
    const e = new Class('m');
    assert.ok(e instanceof Error);
    isError(e, Class, { name, message: 'm' });
    assert.equal(Object.prototype.toString.call(e), '[object Error]');
    assert.match(String(e), new RegExp(`^${name}: m`));
    for (const [other, O] of Object.entries(CLASSES)) if (other !== name) assert.ok(!(e instanceof O), `${name} is not a ${other}`);
  }
});

test('ApiError: 400 validation from the server (status, code, type, param, message, requestId, body); on a stream', async () => {
  const before = srv.requests.length;
  const err = await fails(client.create({ ...params, tool_choice: 'required' }), ApiError, {
    name: 'ApiError', status: 400, code: 'invalid_value', type: 'invalid_request_error', param: 'tool_choice',
    message: "Tool choice 'required' must be specified with 'tools' parameter.",
  });
  assert.equal(srv.requests.length, before + 1);
  has(err, { requestId: last().requestId, body: { error: { message: err.message, type: err.type, param: err.param, code: err.code } } });
  assert.match(err.requestId, /^req_/);
  assert.equal(err.response ?? null, null);
  assertNoKey(err);
  // 400 on a stream: thrown by the iteration, finalResponse rejects the same
  const { stream, events, error } = await read(client.stream({ ...params, tools: [{ type: 'function' }] }));
  assert.equal(events.length, 0);
  isError(error, ApiError, { status: 400, param: 'tools[0].name', code: 'missing_required_parameter' });
  await fails(stream.finalResponse(), ApiError, { status: 400 });
});

test('ApiError in a stream (an error event, response.failed): the requestId of the answer that carried it', async () => {
  for (const f of ['error-event', 'failed']) {
    const { error } = await read(client.stream(params, fault(f)));
    isError(error, ApiError, { status: undefined, requestId: last().requestId }, f);
    assert.match(error.requestId, /^req_/, f);
  }
});

test('ApiError: 404 (retrieve of an unknown id); every failing status maps to ApiError with the server\'s code', async () => {
  const fields = { status: 404, type: 'invalid_request_error', code: undefined, param: undefined };
  const err = await fails(client.retrieve('resp_does_not_exist'), ApiError, fields);
  assert.match(err.message, /resp_does_not_exist/);
  assert.equal(err.requestId, last().requestId);
  assert.equal(err.body.error.message, err.message);
  // every failing status maps to ApiError with the server's code
  const codes = [[401, 'invalid_api_key'], [403, 'unsupported_country_region_territory'], [409, 'conflict'], [422]];
  codes.push([429, 'rate_limit_exceeded'], [500, 'server_error'], [503, 'service_unavailable']);
  for (const [status, code] of codes) {
    assertNoKey(await fails(client.create(params, fault(`status=${status}`)), ApiError, { status, code }, status), `HTTP ${status}`);
  }
});

test('ApiError: a non-JSON error body: the status and an excerpt', async (t) => {
  const raw = await rawServer((req, res) => {
    res.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'req_html' });
    res.end(`<html><body>Bad gateway${'!'.repeat(5000)}</body></html>`);
  }, t);
  const err = await fails(at(raw.url).create(params), ApiError, { status: 502, requestId: 'req_html', code: undefined });
  assert.match(err.message, /502/);
  assert.match(err.message, /Bad gateway/);
  assert.ok(err.message.length < 600, `message of ${err.message.length} characters`);
});

test('a leading BOM is dropped as fetch drops it: a JSON answer is read, an error body keeps its code', async (t) => {
  const answer = { id: 'resp_bom', object: 'response', status: 'completed', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi', annotations: [] }] }] };
  const error = { error: { message: 'bad input', type: 'invalid_request_error', param: 'input', code: 'bad_input' } };
  const raw = await rawServer((req, res) => {
    const [status, body] = req.url.includes('/responses/') ? [400, error] : [200, answer];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(`\ufeff${JSON.stringify(body)}`);
  }, t);
  has(await at(raw.url).create(params), { id: 'resp_bom', output_text: 'Hi' });
  await fails(at(raw.url).retrieve('resp_x'), ApiError, { status: 400, code: 'bad_input', param: 'input', message: 'bad input' });
});

test('ConnectionError: a closed port (create and stream); the server drops the connection (disconnect); a custom fetch rejects', async () => {
  const c = at(`http://127.0.0.1:${await closedPort()}/v1`);
  const err = await fails(c.create(params), ConnectionError, { name: 'ConnectionError' });
  if (err.cause !== undefined) assert.ok(err.cause instanceof Error, 'cause is the original error');
  assert.match(`${err.message} ${err.cause?.message ?? ''}`, /ECONNREFUSED|refused/i);
  assertNoKey(err, 'ConnectionError');
  const { events, error } = await collect(c.stream(params));
  assert.equal(events.length, 0);
  assertNoKey(isError(error, ConnectionError), 'ConnectionError (stream)');
  // the server drops the connection before answering (disconnect); a custom fetch rejects
  await fails(client.create(params, fault('disconnect')), ConnectionError);
  isError((await collect(client.stream(params, fault('disconnect')))).error, ConnectionError);
  const boom = new TypeError('network down');
  const down = await fails(at('http://127.0.0.1:9/v1', { fetch: async () => { throw boom; } }).create(params), ConnectionError);
  assert.ok(down.cause === boom || down.message.includes('network down'), down.message);
});

test('TimeoutError: no headers within `timeout` (stall-headers), create and a stream', async () => {
  let t0 = Date.now();
  const err = await fails(client.create(params, fault('stall-headers=3000', { timeout: 200 })), TimeoutError, { name: 'TimeoutError' });
  const elapsed = Date.now() - t0;
  assert.ok(elapsed >= 180 && elapsed < 2500, `timed out after ${elapsed} ms`);
  assertNoKey(err, 'TimeoutError');
  // a stream, with the client's timeout
  t0 = Date.now();
  const { events, error } = await collect(clientFor(srv, { timeout: 200 }).stream(params, fault('stall-headers=3000')));
  isError(error, TimeoutError);
  assert.equal(events.length, 0);
  assert.ok(Date.now() - t0 < 2500);
});

test('TimeoutError: mid-stream stall (stall-after): the timeout is an idle timeout between chunks', async () => {
  const t0 = Date.now();
  const { stream, events, error } = await read(client.stream(params, fault('stall-after=3:5000', { timeout: 600 })));
  const elapsed = Date.now() - t0;
  isError(error, TimeoutError);
  assert.equal(events.length, 3);
  assert.ok(elapsed >= 550 && elapsed < 4000, `timed out after ${elapsed} ms`);
  await fails(stream.finalResponse(), TimeoutError);
});

test('TimeoutError: a slow consumer (no read pending) never times out, and does not hang', { timeout: 15000 }, async () => {
  const stream = clientFor(srv, { timeout: 300 }).stream(params);
  const events = [];
  const t0 = Date.now();
  for await (const e of stream) {
    events.push(e);
    if (events.length === 2 || events.length === 10) await sleep(800); // the whole body has arrived meanwhile
  }
  assert.equal(events.at(-1).type, 'response.completed');
  assert.ok(Date.now() - t0 < 10000);
  assert.equal((await stream.finalResponse()).output_text, deltaText(events));
});

test('TimeoutError: abort() after a pause (body data queued): AbortError at once, no hang', async () => {
  const stream = client.stream(params);
  const it = stream[Symbol.asyncIterator]();
  await it.next();
  await sleep(300);
  stream.abort();
  const t0 = Date.now();
  isError(await settled(it.next(), 3000), AbortError);
  assert.ok(Date.now() - t0 < 1000);
});

test('TimeoutError: a slow but steady stream longer than `timeout` does not time out', async (t) => {
  const deltas = Array.from({ length: 12 }, (_, i) => `d${i} `);
  const raw = await dripServer(t, deltas, 60);
  const t0 = Date.now();
  const final = await new ResponsesClient({ baseURL: raw.url, maxRetries: 0, timeout: 500 }).stream(params).finalResponse();
  assert.ok(Date.now() - t0 > 700, 'the stream outlasted the timeout');
  assert.equal(final.output_text, deltas.join(''));
});

test('AbortError: abort(): iteration throws AbortError; the server sees the connection close', async (t) => {
  const raw = await dripServer(t);
  const stream = at(raw.url, { maxRetries: 2 }).stream(params);
  const { events: seen, error } = await collect(stream, (e, events) => {
    if (events.length === 3) stream.abort();
  });
  isError(error, AbortError, { name: 'AbortError' });
  assert.ok(seen.length <= 4, `${seen.length} events after abort()`);
  has(stream.response, { status: 'in_progress' }); // the snapshot stays readable
  const t0 = Date.now();
  await closedOnServer(raw);
  assert.ok(Date.now() - t0 < 3000);
  await fails(stream.finalResponse(), AbortError);
  assertNoKey(error, 'AbortError');
  assert.equal(raw.log.length, 1, 'no retry after an abort');
});

test('AbortError: an early break, or a signal mid-stream: finalResponse rejects with AbortError; the server sees the close', async (t) => {
  const raw = await dripServer(t);
  const stream = at(raw.url, { apiKey: undefined }).stream(params);
  await drained(stream, (e, events) => {
    assert.ok(e.type);
    return events.length === 2;
  });
  await closedOnServer(raw);
  await fails(stream.finalResponse(), AbortError);
  // The stream is over: iterating again yields nothing.
  assert.deepEqual(await stream.next(), { done: true, value: undefined });
  // a signal aborted mid-stream (finalResponse() pending)
  const raw2 = await dripServer(t);
  const ac = new AbortController();
  const signalled = at(raw2.url, { apiKey: undefined }).stream(params, { signal: ac.signal });
  const final = signalled.finalResponse();
  await until(() => signalled.response !== null, 3000, 'response.created');
  ac.abort();
  await fails(final, AbortError);
  await closedOnServer(raw2);
});

test('a break at the terminal event is no abort: finalResponse resolves with it, for each chunking', async () => {
  for (const [terminal, faults] of [['response.completed', undefined], ['response.completed', 'split=7'], ['response.incomplete', 'incomplete'], ['response.incomplete', 'incomplete,split=7']]) {
    const stream = client.stream(params, faults && fault(faults));
    for await (const e of stream) if (e.type === terminal) break;
    const final = await stream.finalResponse();
    assert.equal(final.status, terminal.slice('response.'.length), `${terminal} ${faults}`);
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
  }
  // One event before it: the rest was not wanted (an abort).
  const stream = client.stream(params);
  for await (const e of stream) if (e.type === 'response.output_text.done') break;
  await fails(stream.finalResponse(), AbortError);
});

test('AbortError: signal while waiting for the headers (create): AbortError at once, connection closed', async (t) => {
  const raw = await rawServer(() => { /* never answers */ }, t);
  const ac = new AbortController();
  const p = at(raw.url, { apiKey: undefined, maxRetries: 3 }).create(params, { signal: ac.signal });
  await until(() => raw.log.length === 1, 3000, 'the request');
  await abortsAtOnce(p, () => ac.abort());
  await closedOnServer(raw);
  assert.equal(raw.log.length, 1, 'no retry after an abort');
});

test('AbortError: abort() while a custom fetch that ignores the signal waits for the headers: at once', async () => {
  let called = 0;
  const c = new ResponsesClient({ fetch: () => { called++; return new Promise(() => {}); }, maxRetries: 0 });
  const stream = c.stream(params);
  const next = stream.next();
  await until(() => called === 1, 3000, 'the fetch call');
  await abortsAtOnce(next, () => stream.abort());
  await fails(stream.finalResponse(), AbortError);
  // The same through a signal.
  const ac = new AbortController();
  const final = c.stream(params, { signal: ac.signal }).finalResponse();
  await until(() => called === 2, 3000, 'the second fetch call');
  ac.abort();
  await fails(final, AbortError);
  // Aborted from inside the fetch call itself, before it returns its never-settling promise.
  let s3;
  const c3 = new ResponsesClient({ fetch: () => { s3.abort(); return new Promise(() => {}); }, maxRetries: 0 });
  s3 = c3.stream(params);
  await fails(s3.next(), AbortError);
});

test('AbortError: a stream read to its end does not abort its request; an aborted one sends nothing', async () => {
  const signals = [];
  const c = clientFor(srv, { fetch: (url, init) => { signals.push(init.signal); return fetch(url, init); } });
  for await (const e of c.stream(params)) void e;
  await c.stream(params).finalResponse();
  assert.deepEqual(signals.map((sig) => sig.aborted), [false, false]);
  // Leaving early still aborts.
  for await (const e of c.stream(params)) break;
  assert.equal(signals[2].aborted, true);
  // an already aborted signal, or abort() before iterating: nothing is sent
  const n = srv.requests.length;
  await fails(client.create(params, { signal: AbortSignal.abort() }), AbortError);
  isError((await collect(client.stream(params, { signal: AbortSignal.abort() }))).error, AbortError);
  const stream = client.stream(params);
  stream.abort();
  const { events, error } = await collect(stream);
  assert.equal(events.length, 0);
  isError(error, AbortError);
  await sleep(50);
  assert.equal(srv.requests.length, n);
});

test('AbortError: abort during a retry wait: AbortError quickly, no further attempt', async () => {
  const ac = new AbortController();
  const n = srv.requests.length;
  const headers = { 'x-mock-fault': 'status=503,retry-after=5', 'x-mock-fault-key': `abort-wait-${Date.now()}` };
  const p = clientFor(srv, { maxRetries: 3 }).create(params, { signal: ac.signal, headers });
  await until(() => srv.requests.length === n + 1, 3000, 'the first attempt');
  await sleep(50);
  await abortsAtOnce(p, () => ac.abort());
  await sleep(100);
  assert.equal(srv.requests.length, n + 1, 'one attempt only');
});

test('ValidationError before any request is sent: stream() throws synchronously; create() rejects; the server saw nothing', async (t) => {
  const bad = [
    [{ model: 'm', input: 'x', temperature: 3 }, 'temperature'],
    [{ model: 'm', input: 'x', top_p: -1 }, 'top_p'],
    [{ model: 'm', input: 'x', metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
    [{ model: 'm', input: 'x', conversation: 'c', previous_response_id: 'r' }, 'conversation'],
    [{ input: 'x' }, 'model'],
  ];
  const fresh = await startMock({}, t);
  const c = clientFor(fresh);
  for (const [p, param] of bad) {
    const what = `stream(${JSON.stringify(p).slice(0, 60)})`;
    const sync = isError(thrown(() => c.stream(p)), ValidationError, { name: 'ValidationError', param }, what);
    assert.ok(sync.message.includes(param), sync.message);
    assertNoKey(sync, 'ValidationError');
    const promise = c.create(p);
    assert.ok(promise instanceof Promise, 'create() returns a promise even for bad params');
    await fails(promise, ValidationError, { param });
  }
  await sleep(50);
  assert.equal(fresh.requests.length, 0, 'no request reached the server');
});

test('the API key is in no error: 401 (wrong key, every endpoint), stream errors, timeout', async (t) => {
  const guarded = await startMock({ requireKey: 'sk-the-right-one' }, t);
  const c = clientFor(guarded); // sends KEY, which is wrong
  const wrongKey = [() => c.create(params), () => c.compact(params), () => c.countInputTokens(params), () => c.conversations.create()];
  for (const call of wrongKey) {
    assertNoKey(await fails(call(), ApiError, { status: 401, code: 'invalid_api_key' }, String(call)), `401: ${call}`);
  }
  assertNoKey(isError((await collect(c.stream(params))).error, ApiError, { status: 401 }), '401 (stream)');
  assert.equal(guarded.requests.at(-1).headers.authorization, 'REDACTED', 'the key was sent (and redacted in the log)');
  // (an HTTP 500 and a refused connection: the ApiError and ConnectionError tests above)
  for (const f of ['failed', 'error-event', 'no-terminal', 'malformed-json=3', 'disconnect-after=4']) {
    assertNoKey((await collect(client.stream(params, fault(f)))).error, f);
  }
  assertNoKey(await rejection(client.create(params, fault('stall-headers=2000', { timeout: 100 }))), 'TimeoutError');
});
