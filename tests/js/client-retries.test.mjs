// Retries: which failures retry, how many attempts, the waits (retry-after-ms, retry-after, backoff),
// x-should-retry, never after a stream's first byte. Attempts are counted per `x-mock-fault-key` in
// the mock's log (or by a counting `fetch`). A loaded machine only makes waits longer, so lower
// bounds are tight and upper bounds generous.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, ConnectionError, TimeoutError, StreamError, ResponsesClient } from 'cometapi-responses';
import { KEY, useMock, clientFor, closedPort, isError, collect, rejection, deltaText, has, fails, finished } from './client-helpers.mjs';

const { srv, client: warm } = await useMock();
await warm.create({ model: 'gpt-mock', input: 'warm-up' }); // compile the wasm, warm the server

const params = { model: 'gpt-mock', input: 'Retry tests' };
let keys = 0;

/** Options with a fault and a fresh attempt-counting key; `attempts()` counts what the server saw. */
function faulty(value, extra = {}) {
  const key = `retry-test-${++keys}-${Date.now()}`;
  return {
    opts: { ...extra, headers: { 'x-mock-fault': value, 'x-mock-fault-key': key } },
    attempts: () => srv.requests.filter((r) => r.headers['x-mock-fault-key'] === key),
  };
}

test('429 with retry-after-ms=50 is retried: 3 attempts, then success; waits ≈ 50 ms', async () => {
  const { opts, attempts } = faulty('status=429,retry-after-ms=50,fail-first=2');
  const t0 = Date.now();
  assert.equal((await clientFor(srv, { maxRetries: 2 }).create(params, opts)).status, 'completed');
  const elapsed = Date.now() - t0;
  const seen = attempts();
  assert.equal(seen.length, 3);
  assert.ok(elapsed >= 95, `${elapsed} ms for two 50 ms waits`);
  assert.ok(seen[1].time - seen[0].time >= 45, 'the wait is between attempts');
  const waits = seen[2].time - seen[0].time;
  assert.ok(waits < 1100, `${waits} ms between the first and the last attempt: retry-after-ms was not honoured (the backoff would wait ≥ 1125 ms)`);
  // Every attempt sends the same request.
  for (const a of seen) {
    has(a, { body: seen[0].body, method: 'POST', path: '/v1/responses' });
    assert.equal(a.headers.authorization, 'REDACTED');
  }
});

test('the same on a stream (retries happen before the first byte)', async () => {
  const { opts, attempts } = faulty('status=503,retry-after-ms=20,fail-first=2');
  const { events, final } = await finished(clientFor(srv, { maxRetries: 2 }).stream(params, opts));
  assert.equal(attempts().length, 3);
  assert.equal(final.output_text, deltaText(events));
});

/** How many attempts a failure gets: [fault, client options (null: the defaults), per-request options, attempts,
 *  a check of the error]. */
const ATTEMPTS = [
  // 500 exhausting maxRetries: maxRetries + 1 attempts, then the last attempt's ApiError
  ...[0, 1, 3].map((maxRetries) => ['status=500,retry-after-ms=10', { maxRetries }, {}, maxRetries + 1, (err) => {
    isError(err, ApiError, { status: 500 });
    assert.match(err.message, new RegExp(`on attempt ${maxRetries + 1}\\b`), 'the last attempt\'s error');
  }]),
  // per-request maxRetries overrides the client's
  ['status=500,retry-after-ms=5', { maxRetries: 5 }, { maxRetries: 1 }, 2],
  ['status=500,retry-after-ms=5', { maxRetries: 0 }, { maxRetries: 2 }, 3],
  // default maxRetries is 2
  ['status=502,retry-after-ms=5', null, {}, 3],
  // 408, 409 retried; 400, 401, 403, 404, 422 not
  ...[[408, 2], [409, 2], [400, 1], [401, 1], [403, 1], [404, 1], [422, 1]].map(([status, tries]) =>
    [`status=${status},retry-after-ms=5`, { maxRetries: 1 }, {}, tries, (err) => assert.equal(err.status, status)]),
  // x-should-retry=false on 500 is not retried; x-should-retry=true on 400 is
  ['status=500,retry-after-ms=5,x-should-retry=false', { maxRetries: 2 }, {}, 1, (err) => assert.equal(err.status, 500)],
  ['status=400,retry-after-ms=5,x-should-retry=true', { maxRetries: 2 }, {}, 3, (err) => assert.equal(err.status, 400)],
];

test('attempts per failure: maxRetries (the client\'s, per request, the default 2), the statuses retried, x-should-retry', async () => {
  for (const [f, clientOpts, requestOpts, tries, check] of ATTEMPTS) {
    const { opts, attempts } = faulty(f, requestOpts);
    const c = clientOpts ? clientFor(srv, clientOpts) : new ResponsesClient({ apiKey: KEY, baseURL: `${srv.url}/v1` });
    const err = await rejection(c.create(params, opts));
    check?.(err);
    assert.equal(attempts().length, tries, `${f} ${JSON.stringify({ ...clientOpts, ...requestOpts })}`);
  }
});

test('retry-after=1 (seconds) is honoured', async () => {
  const { opts, attempts } = faulty('status=429,retry-after=1,fail-first=1');
  const t0 = Date.now();
  assert.equal((await clientFor(srv, { maxRetries: 1 }).create(params, opts)).status, 'completed');
  const elapsed = Date.now() - t0;
  assert.equal(attempts().length, 2);
  assert.ok(elapsed >= 950, `waited only ${elapsed} ms`);
  assert.ok(elapsed < 5000, `waited ${elapsed} ms`);
  const [a, b] = attempts();
  assert.ok(b.time - a.time >= 950, `attempts ${b.time - a.time} ms apart`);
});

test('retry-after as an HTTP date is honoured', async () => {
  const when = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000); // 2–3 s ahead, whole second
  const { opts, attempts } = faulty(`{"status":503,"retry-after":"${when.toUTCString()}","fail-first":1}`);
  const t0 = Date.now();
  await clientFor(srv, { maxRetries: 1 }).create(params, opts);
  const elapsed = Date.now() - t0;
  assert.equal(attempts().length, 2);
  assert.ok(Date.now() >= when.getTime() - 50, `retried ${when.getTime() - Date.now()} ms before the date`);
  assert.ok(elapsed < 6000, `waited ${elapsed} ms`);
});

test('without retry-after: exponential backoff from 0.5 s (minus at most 25 % jitter)', async () => {
  const { opts, attempts } = faulty('status=500');
  await rejection(clientFor(srv, { maxRetries: 2 }).create(params, opts));
  const seen = attempts();
  assert.equal(seen.length, 3);
  const w1 = seen[1].time - seen[0].time;
  const w2 = seen[2].time - seen[1].time;
  assert.ok(w1 >= 370 && w1 < 2000, `first wait ${w1} ms (expected 375–500)`);
  assert.ok(w2 >= 740 && w2 < 3000, `second wait ${w2} ms (expected 750–1000)`);
});

// disconnect-after=0: a stream cut right after its headers is not retried either.
for (const n of [3, 0]) {
  test(`never retried after the stream's first byte (disconnect-after=${n} → StreamError, 1 attempt)`, async () => {
    const { opts, attempts } = faulty(`disconnect-after=${n}`);
    const { events, error } = await collect(clientFor(srv, { maxRetries: 3 }).stream(params, opts));
    assert.ok(error instanceof StreamError || (n === 0 && error instanceof ConnectionError), `got ${error}`);
    assert.equal(events.length, n);
    assert.equal(attempts().length, 1);
  });
}

test('connection errors are retried (server drops the connection): maxRetries + 1 attempts', async () => {
  const { opts, attempts } = faulty('disconnect');
  const t0 = Date.now();
  await fails(clientFor(srv, { maxRetries: 1 }).create(params, opts), ConnectionError);
  assert.equal(attempts().length, 2);
  assert.ok(Date.now() - t0 >= 370, 'backoff between the attempts');
});

/** A fetch that counts its calls (`calls()`), failing the first `failFirst` ones as fetch does when it cannot connect. */
function counting(failFirst = 0) {
  let n = 0;
  const fetch_ = (url, init) => (++n <= failFirst ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init));
  return { fetch: fetch_, calls: () => n };
}

test('connection refused is retried (custom fetch counts the calls)', async () => {
  const { fetch: f, calls } = counting();
  await fails(clientFor({ url: `http://127.0.0.1:${await closedPort()}` }, { maxRetries: 2, fetch: f }).create(params), ConnectionError);
  assert.equal(calls(), 3);
});

test('a connection error, then success', async () => {
  const { fetch: f, calls } = counting(1);
  assert.equal((await clientFor(srv, { maxRetries: 2, fetch: f }).create(params)).status, 'completed');
  assert.equal(calls(), 2);
});

test('timeouts are retried up to maxRetries, then TimeoutError', async () => {
  const { fetch: f, calls } = counting();
  await fails(clientFor(srv, { maxRetries: 1, timeout: 300, fetch: f }).create(params, faulty('stall-headers=5000').opts), TimeoutError);
  assert.equal(calls(), 2);
});
