// The error classes: exports, names, fields; HTTP errors, connection
// errors, timeouts (before the headers and between chunks), aborts (and the server seeing the
// connection close), validation before anything is sent; the API key in no error.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as lib from 'cometapi-responses';
import {
  ApiError, ConnectionError, TimeoutError, AbortError, StreamError, ValidationError, ResponsesClient,
} from 'cometapi-responses';
import {
  KEY, assertNoKey, useMock, closedPort, startMock, clientFor, fault, collect, rejection, rawServer, frame, syntheticStream, sleep, until, deltaText,
} from './client-helpers.mjs';

const { srv, client } = await useMock();

const params = { model: 'gpt-mock', input: 'Error tests' };
const CLASSES = { ApiError, ConnectionError, TimeoutError, AbortError, StreamError, ValidationError };

describe('the classes', () => {
  test('exported, Error subclasses, name = class name', () => {
    for (const [name, Class] of Object.entries(CLASSES)) {
      assert.equal(lib[name], Class, `${name} is exported`);
      assert.equal(typeof Class, 'function');
      const e = new Class('m');
      assert.ok(e instanceof Error);
      assert.ok(e instanceof Class);
      assert.equal(e.name, name);
      assert.equal(e.message, 'm');
      assert.equal(Object.prototype.toString.call(e), '[object Error]');
      assert.match(String(e), new RegExp(`^${name}: m`));
      for (const [other, O] of Object.entries(CLASSES)) if (other !== name) assert.ok(!(e instanceof O), `${name} is not a ${other}`);
    }
  });
});

describe('ApiError from HTTP', () => {
  test('400 validation from the server: status, code, type, param, message, requestId, body', async () => {
    const before = srv.requests.length;
    const err = await rejection(client.create({ ...params, tool_choice: 'required' }));
    assert.ok(err instanceof ApiError, `got ${err}`);
    assert.equal(err.name, 'ApiError');
    assert.equal(err.status, 400);
    assert.equal(err.code, 'invalid_value');
    assert.equal(err.type, 'invalid_request_error');
    assert.equal(err.param, 'tool_choice');
    assert.equal(err.message, "Tool choice 'required' must be specified with 'tools' parameter.");
    assert.equal(srv.requests.length, before + 1);
    assert.equal(err.requestId, srv.requests.at(-1).requestId);
    assert.match(err.requestId, /^req_/);
    assert.deepEqual(err.body, { error: { message: err.message, type: err.type, param: err.param, code: err.code } });
    assert.equal(err.response ?? null, null);
    assertNoKey(err);
  });

  test('400 on a stream: thrown by the iteration, finalResponse rejects the same', async () => {
    const stream = client.stream({ ...params, tools: [{ type: 'function' }] });
    const { events, error } = await collect(stream);
    assert.equal(events.length, 0);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 400);
    assert.equal(error.param, 'tools[0].name');
    assert.equal(error.code, 'missing_required_parameter');
    const again = await rejection(stream.finalResponse());
    assert.ok(again instanceof ApiError);
    assert.equal(again.status, 400);
  });

  test('404: retrieve of an unknown id', async () => {
    const err = await rejection(client.retrieve('resp_does_not_exist'));
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 404);
    assert.equal(err.type, 'invalid_request_error');
    assert.equal(err.code, undefined);
    assert.equal(err.param, undefined);
    assert.match(err.message, /resp_does_not_exist/);
    assert.equal(err.requestId, srv.requests.at(-1).requestId);
    assert.equal(err.body.error.message, err.message);
  });

  test('every failing status maps to ApiError with the server\'s code', async () => {
    for (const [status, code] of [[401, 'invalid_api_key'], [403, 'unsupported_country_region_territory'], [409, 'conflict'], [422, undefined], [429, 'rate_limit_exceeded'], [500, 'server_error'], [503, 'service_unavailable']]) {
      const err = await rejection(client.create(params, fault(`status=${status}`)));
      assert.ok(err instanceof ApiError, `${status}: ${err}`);
      assert.equal(err.status, status);
      assert.equal(err.code, code);
      assertNoKey(err, `HTTP ${status}`);
    }
  });

  test('a non-JSON error body: ApiError with the status and an excerpt', async () => {
    const raw = await rawServer((req, res) => {
      res.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'req_html' });
      res.end(`<html><body>Bad gateway${'!'.repeat(5000)}</body></html>`);
    });
    try {
      const c = new ResponsesClient({ apiKey: KEY, baseURL: raw.url, maxRetries: 0 });
      const err = await rejection(c.create(params));
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 502);
      assert.equal(err.requestId, 'req_html');
      assert.match(err.message, /502/);
      assert.match(err.message, /Bad gateway/);
      assert.ok(err.message.length < 600, `message of ${err.message.length} characters`);
      assert.equal(err.code, undefined);
    } finally {
      await raw.close();
    }
  });
});

describe('ConnectionError', () => {
  test('connecting to a closed port (create and stream)', async () => {
    const port = await closedPort();
    const c = new ResponsesClient({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const err = await rejection(c.create(params));
    assert.ok(err instanceof ConnectionError, `got ${err}`);
    assert.equal(err.name, 'ConnectionError');
    if (err.cause !== undefined) assert.ok(err.cause instanceof Error, 'cause is the original error');
    assert.match(`${err.message} ${err.cause?.message ?? ''}`, /ECONNREFUSED|refused/i);
    assertNoKey(err, 'ConnectionError');
    const { events, error } = await collect(c.stream(params));
    assert.equal(events.length, 0);
    assert.ok(error instanceof ConnectionError);
    assertNoKey(error, 'ConnectionError (stream)');
  });

  test('the server drops the connection before answering (disconnect)', async () => {
    const err = await rejection(client.create(params, fault('disconnect')));
    assert.ok(err instanceof ConnectionError, `got ${err}`);
    const { error } = await collect(client.stream(params, fault('disconnect')));
    assert.ok(error instanceof ConnectionError, `got ${error}`);
  });

  test('a custom fetch that rejects', async () => {
    const boom = new TypeError('network down');
    const c = new ResponsesClient({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: async () => { throw boom; } });
    const err = await rejection(c.create(params));
    assert.ok(err instanceof ConnectionError, `got ${err}`);
    assert.ok(err.cause === boom || err.message.includes('network down'), err.message);
  });
});

describe('TimeoutError', () => {
  test('no headers within `timeout` (stall-headers)', async () => {
    const t0 = Date.now();
    const err = await rejection(client.create(params, fault('stall-headers=3000', { timeout: 200 })));
    const elapsed = Date.now() - t0;
    assert.ok(err instanceof TimeoutError, `got ${err}`);
    assert.equal(err.name, 'TimeoutError');
    assert.ok(elapsed >= 180, `timed out after ${elapsed} ms`);
    assert.ok(elapsed < 2500, `timed out after ${elapsed} ms`);
    assertNoKey(err, 'TimeoutError');
  });

  test('stream: no headers within the client\'s timeout', async () => {
    const c = clientFor(srv, { timeout: 200 });
    const t0 = Date.now();
    const { events, error } = await collect(c.stream(params, fault('stall-headers=3000')));
    assert.ok(error instanceof TimeoutError, `got ${error}`);
    assert.equal(events.length, 0);
    assert.ok(Date.now() - t0 < 2500);
  });

  test('mid-stream stall (stall-after): the timeout is an idle timeout between chunks', async () => {
    const t0 = Date.now();
    const stream = client.stream(params, fault('stall-after=3:5000', { timeout: 600 }));
    const { events, error } = await collect(stream);
    const elapsed = Date.now() - t0;
    assert.ok(error instanceof TimeoutError, `got ${error}`);
    assert.equal(events.length, 3);
    assert.ok(elapsed >= 550 && elapsed < 4000, `timed out after ${elapsed} ms`);
    const again = await rejection(stream.finalResponse());
    assert.ok(again instanceof TimeoutError);
  });

  test('a slow consumer (no read pending) never times out, and does not hang', { timeout: 15000 }, async () => {
    const c = clientFor(srv, { timeout: 300 });
    const stream = c.stream(params);
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

  test('abort() after a pause (body data queued): AbortError at once, no hang', async () => {
    const stream = client.stream(params);
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    await sleep(300);
    stream.abort();
    const t0 = Date.now();
    const settled = await Promise.race([it.next().then(() => 'resolved', (e) => e), sleep(3000).then(() => 'hung')]);
    assert.ok(settled instanceof AbortError, `got ${settled}`);
    assert.ok(Date.now() - t0 < 1000);
  });

  test('a slow but steady stream longer than `timeout` does not time out', async () => {
    const { events: wire, text } = syntheticStream(Array.from({ length: 12 }, (_, i) => `d${i} `));
    const raw = await rawServer(async (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const e of wire) {
        if (res.destroyed) return;
        res.write(frame(e));
        await sleep(60);
      }
      res.end();
    });
    try {
      const c = new ResponsesClient({ baseURL: raw.url, maxRetries: 0, timeout: 500 });
      const t0 = Date.now();
      const final = await c.stream(params).finalResponse();
      assert.ok(Date.now() - t0 > 700, 'the stream outlasted the timeout');
      assert.equal(final.output_text, text);
    } finally {
      await raw.close();
    }
  });
});

describe('AbortError', () => {
  /** A server that streams one event every 50 ms for ~10 s and records when the connection closed. */
  async function dripServer() {
    const { events: wire } = syntheticStream(Array.from({ length: 200 }, (_, i) => `w${i} `));
    return rawServer(async (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const e of wire) {
        if (res.destroyed || res.writableEnded) return;
        res.write(frame(e));
        await sleep(50);
      }
      res.end();
    });
  }

  test('abort(): iteration throws AbortError; the server sees the connection close', async () => {
    const raw = await dripServer();
    try {
      const c = new ResponsesClient({ apiKey: KEY, baseURL: raw.url, maxRetries: 0 });
      const stream = c.stream(params);
      const seen = [];
      let error = null;
      try {
        for await (const e of stream) {
          seen.push(e);
          if (seen.length === 3) stream.abort();
        }
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof AbortError, `got ${error}`);
      assert.equal(error.name, 'AbortError');
      assert.ok(seen.length <= 4, `${seen.length} events after abort()`);
      const t0 = Date.now();
      await Promise.race([raw.log[0].closedPromise, sleep(3000)]);
      assert.ok(raw.log[0].closed, 'the server saw the connection close');
      assert.ok(Date.now() - t0 < 3000);
      assert.ok((await rejection(stream.finalResponse())) instanceof AbortError);
      assertNoKey(error, 'AbortError');
      assert.equal(raw.log.length, 1, 'no retry after an abort');
    } finally {
      await raw.close();
    }
  });

  test('early break: finalResponse rejects with AbortError; the server sees the connection close', async () => {
    const raw = await dripServer();
    try {
      const c = new ResponsesClient({ baseURL: raw.url, maxRetries: 0 });
      const stream = c.stream(params);
      let n = 0;
      for await (const e of stream) {
        assert.ok(e.type);
        if (++n === 2) break;
      }
      await Promise.race([raw.log[0].closedPromise, sleep(3000)]);
      assert.ok(raw.log[0].closed, 'the server saw the connection close');
      const err = await rejection(stream.finalResponse());
      assert.ok(err instanceof AbortError, `got ${err}`);
      // The stream is over: iterating again yields nothing.
      assert.deepEqual(await stream.next(), { done: true, value: undefined });
    } finally {
      await raw.close();
    }
  });

  test('signal: aborting mid-stream (iteration and finalResponse); the server sees the close', async () => {
    const raw = await dripServer();
    try {
      const c = new ResponsesClient({ baseURL: raw.url, maxRetries: 0 });
      const ac = new AbortController();
      const stream = c.stream(params, { signal: ac.signal });
      const final = stream.finalResponse();
      await until(() => stream.response !== null, 3000, 'response.created');
      ac.abort();
      const err = await rejection(final);
      assert.ok(err instanceof AbortError, `got ${err}`);
      await Promise.race([raw.log[0].closedPromise, sleep(3000)]);
      assert.ok(raw.log[0].closed, 'the server saw the connection close');
    } finally {
      await raw.close();
    }
  });

  test('signal while waiting for the headers (create): AbortError at once, connection closed', async () => {
    const raw = await rawServer(() => { /* never answers */ });
    try {
      const c = new ResponsesClient({ baseURL: raw.url, maxRetries: 3 });
      const ac = new AbortController();
      const p = c.create(params, { signal: ac.signal });
      await until(() => raw.log.length === 1, 3000, 'the request');
      const t0 = Date.now();
      ac.abort();
      const err = await rejection(p);
      assert.ok(err instanceof AbortError, `got ${err}`);
      assert.ok(Date.now() - t0 < 1000);
      await Promise.race([raw.log[0].closedPromise, sleep(3000)]);
      assert.ok(raw.log[0].closed, 'the server saw the connection close');
      assert.equal(raw.log.length, 1, 'no retry after an abort');
    } finally {
      await raw.close();
    }
  });

  test('abort() while a custom fetch that ignores the signal waits for the headers: AbortError at once', async () => {
    let called = 0;
    const c = new ResponsesClient({ fetch: () => { called++; return new Promise(() => {}); }, maxRetries: 0 });
    const stream = c.stream(params);
    const next = stream.next();
    await until(() => called === 1, 3000, 'the fetch call');
    const t0 = Date.now();
    stream.abort();
    const error = await rejection(next);
    assert.ok(error instanceof AbortError, `got ${error}`);
    assert.ok(Date.now() - t0 < 1000);
    assert.ok((await rejection(stream.finalResponse())) instanceof AbortError);
    // The same through a signal.
    const ac = new AbortController();
    const s2 = c.stream(params, { signal: ac.signal });
    const final = s2.finalResponse();
    await until(() => called === 2, 3000, 'the second fetch call');
    ac.abort();
    assert.ok((await rejection(final)) instanceof AbortError);
    // Aborted from inside the fetch call itself, before it returns its never-settling promise.
    let s3;
    const c3 = new ResponsesClient({ fetch: () => { s3.abort(); return new Promise(() => {}); }, maxRetries: 0 });
    s3 = c3.stream(params);
    assert.ok((await rejection(s3.next())) instanceof AbortError);
  });

  test('a stream read to its end does not abort its request (a custom fetch sees no abort)', async () => {
    const signals = [];
    const c = clientFor(srv, { fetch: (url, init) => { signals.push(init.signal); return fetch(url, init); } });
    const s1 = c.stream(params);
    for await (const e of s1) void e;
    await c.stream(params).finalResponse();
    assert.equal(signals.length, 2);
    assert.deepEqual(signals.map((sig) => sig.aborted), [false, false]);
    // Leaving early still aborts.
    const s3 = c.stream(params);
    for await (const e of s3) break;
    assert.equal(signals[2].aborted, true);
  });

  test('an already aborted signal: nothing is sent', async () => {
    const n = srv.requests.length;
    const err = await rejection(client.create(params, { signal: AbortSignal.abort() }));
    assert.ok(err instanceof AbortError, `got ${err}`);
    const { error } = await collect(client.stream(params, { signal: AbortSignal.abort() }));
    assert.ok(error instanceof AbortError, `got ${error}`);
    await sleep(50);
    assert.equal(srv.requests.length, n);
  });

  test('abort during a retry wait: AbortError quickly, no further attempt', async () => {
    const c = clientFor(srv, { maxRetries: 3 });
    const ac = new AbortController();
    const key = `abort-wait-${Date.now()}`;
    const n = srv.requests.length;
    const p = c.create(params, { signal: ac.signal, headers: { 'x-mock-fault': 'status=503,retry-after=5', 'x-mock-fault-key': key } });
    await until(() => srv.requests.length === n + 1, 3000, 'the first attempt');
    await sleep(50);
    const t0 = Date.now();
    ac.abort();
    const err = await rejection(p);
    assert.ok(err instanceof AbortError, `got ${err}`);
    assert.ok(Date.now() - t0 < 1000);
    await sleep(100);
    assert.equal(srv.requests.length, n + 1, 'one attempt only');
  });

  test('abort() before iterating: nothing is sent', async () => {
    const n = srv.requests.length;
    const stream = client.stream(params);
    stream.abort();
    const { events, error } = await collect(stream);
    assert.equal(events.length, 0);
    assert.ok(error instanceof AbortError, `got ${error}`);
    await sleep(50);
    assert.equal(srv.requests.length, n);
  });
});

describe('ValidationError: before any request is sent', () => {
  const bad = [
    [{ model: 'm', input: 'x', temperature: 3 }, 'temperature'],
    [{ model: 'm', input: 'x', top_p: -1 }, 'top_p'],
    [{ model: 'm', input: 'x', metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
    [{ model: 'm', input: 'x', conversation: 'c', previous_response_id: 'r' }, 'conversation'],
    [{ input: 'x' }, 'model'],
  ];

  test('stream() throws synchronously; create() rejects; the server saw nothing', async () => {
    const fresh = await startMock();
    try {
      const c = clientFor(fresh);
      for (const [p, param] of bad) {
        let thrown = null;
        try {
          c.stream(p);
        } catch (e) {
          thrown = e;
        }
        assert.ok(thrown instanceof ValidationError, `stream(${JSON.stringify(p).slice(0, 60)}): ${thrown}`);
        assert.equal(thrown.name, 'ValidationError');
        assert.equal(thrown.param, param);
        assert.ok(thrown.message.includes(param), thrown.message);
        assertNoKey(thrown, 'ValidationError');
        const promise = c.create(p);
        assert.ok(promise instanceof Promise, 'create() returns a promise even for bad params');
        const err = await rejection(promise);
        assert.ok(err instanceof ValidationError, `create: ${err}`);
        assert.equal(err.param, param);
      }
      await sleep(50);
      assert.equal(fresh.requests.length, 0, 'no request reached the server');
    } finally {
      await fresh.close();
    }
  });
});

describe('the API key is in no error', () => {
  test('401 (wrong key), 500, stream errors, timeout, connection error', async () => {
    const guarded = await startMock({ requireKey: 'sk-the-right-one' });
    try {
      const c = clientFor(guarded); // sends KEY, which is wrong
      const e401 = await rejection(c.create(params));
      assert.ok(e401 instanceof ApiError);
      assert.equal(e401.status, 401);
      assert.equal(e401.code, 'invalid_api_key');
      assertNoKey(e401, '401');
      const { error: s401 } = await collect(c.stream(params));
      assert.equal(s401.status, 401);
      assertNoKey(s401, '401 (stream)');
      assert.equal(guarded.requests.at(-1).headers.authorization, 'REDACTED', 'the key was sent (and redacted in the log)');
    } finally {
      await guarded.close();
    }
    const errors = [
      await rejection(client.create(params, fault('status=500'))),
      (await collect(client.stream(params, fault('failed')))).error,
      (await collect(client.stream(params, fault('error-event')))).error,
      (await collect(client.stream(params, fault('no-terminal')))).error,
      (await collect(client.stream(params, fault('malformed-json=3')))).error,
      (await collect(client.stream(params, fault('disconnect-after=4')))).error,
      await rejection(client.create(params, fault('stall-headers=2000', { timeout: 100 }))),
    ];
    for (const e of errors) assertNoKey(e, e?.name);
    const port = await closedPort();
    const off = new ResponsesClient({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    assertNoKey(await rejection(off.create(params)), 'ConnectionError');
  });

  test('a server that echoes the key in its error: the client redacts it', async () => {
    const raw = await rawServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${auth.slice(7)}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
    });
    try {
      const c = new ResponsesClient({ apiKey: KEY, baseURL: raw.url, maxRetries: 0 });
      const err = await rejection(c.create(params));
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 401);
      assert.equal(raw.log[0].headers.authorization, `Bearer ${KEY}`);
      assertNoKey(err, 'echoed 401');
      assert.match(err.message, /Incorrect API key provided/);
    } finally {
      await raw.close();
    }
  });
});
