// The full-stack pattern: a route streams a call on (toReadableStream(), toResponse()), a page
// reads it (fromReadableStream(), fromResponse()): failures arrive as the same class and fields,
// the key never leaves, ready() lets the route choose its status, on() alone loses no events.
// (A stream that went well re-parses to the same final response: client-stream.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, ConnectionError, TimeoutError, StreamError, AbortError, ResponseStream } from 'cometapi-responses';
import {
  KEY, assertNoKey, assertNoKeyIn, isError, useMock, closedPort, clientFor, fault, collect, rejection, deltaText, syntheticStream, has,
  fails, drained, assertWhole, rawServer, enc, streamOf,
} from './client-helpers.mjs';

const { srv, client } = await useMock();

const params = { model: 'gpt-mock', input: 'Full-stack tests' };
const FIELDS = ['name', 'message', 'status', 'code', 'type', 'param', 'requestId'];
const fieldsOf = (e) => Object.fromEntries(FIELDS.map((k) => [k, e[k]]));
/** All bytes of a ReadableStream as text (rejects if it errors). */
const textOf = (body) => new Response(body).text();
/** The server side's error (the stream a proxy read fails with it once its body was read). */
const serverError = (stream) => rejection(stream.finalResponse());
/** A client of a port nothing listens on. */
const unreachable = async () => clientFor({ url: `http://127.0.0.1:${await closedPort()}` });
/** The response.created frame of a synthetic stream. */
const headFrame = (deltas) => {
  const { sse } = syntheticStream(deltas);
  return sse.slice(0, sse.indexOf('\n\n') + 2);
};

/** `promise`, or a failure naming `what` when it has not settled in 10 s (a hang, not a timing). */
function settles(promise, what) {
  let timer;
  const hang = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: never happened`)), 10_000)));
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/** Failures a route's toReadableStream() carries to the page's fromReadableStream(): [name, the
 *  route's stream, the class, more checks of (upstream error, the page's events and error, the frames)]. */
const CARRIED = [
  ...[401, 429, 500].map((status) => [
    `an upstream ${status} before the first byte → ApiError with status, code, type, message, requestId`,
    async () => client.stream(params, fault(`status=${status}`)),
    ApiError,
    (upstream, events, error, text) => {
      assert.match(text, /^event: error\ndata: \{"type":"error","error":\{/);
      has(upstream, { status });
      assert.match(upstream.requestId, /^req_/);
      assert.deepEqual(events, []);
      assert.deepEqual(fieldsOf(error), fieldsOf(upstream));
      assert.ok(error.code || error.type, 'the mock names the error');
    },
  ]),
  ['an unreachable upstream → ConnectionError with the same message', async () => (await unreachable()).stream(params), ConnectionError],
  ['a timeout → TimeoutError', async () => client.stream(params, fault('stall-headers=2000', { timeout: 100 })), TimeoutError, null, 'live'],
  ['a body cut mid-stream → StreamError after the events before it', async () => client.stream(params, fault('no-terminal')), StreamError,
    (upstream, events, error) => {
      assert.ok(events.length > 3 && events[0].type === 'response.created');
      assert.equal(error.response.id, events[0].response.id, 'the reader attaches its own partial snapshot');
    }, 'live'],
];

for (const [name, route, Class, check, live] of CARRIED) {
  test(`toReadableStream → fromReadableStream: ${name}`, async () => {
    const stream = await route();
    // a 'live' row's reader reads the frames as they are written; the others read the whole text
    const text = live ? null : await textOf(stream.toReadableStream());
    const reader = live ? ResponseStream.fromReadableStream(stream.toReadableStream()) : streamOf([text]);
    const { events, error } = await collect(reader);
    const upstream = isError(await serverError(stream), Class, {}, 'server side');
    isError(error, Class, { message: upstream.message });
    await fails(reader.finalResponse(), Class, { message: upstream.message });
    check?.(upstream, events, error, text);
  });
}

test('the key is in no frame: an upstream that echoes it, a fetch that fails with it', async () => {
  const error = { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error', param: KEY.slice(5), code: 'invalid_api_key' };
  const echo = async () => new Response(JSON.stringify({ error }), { status: 401, headers: { 'x-request-id': 'req_echo' } });
  const broken = async () => { throw new Error(`connect failed for Authorization: Bearer ${KEY}`); };
  for (const fetch of [echo, broken]) {
    const c = clientFor(srv, { fetch });
    const text = await textOf(c.stream(params).toReadableStream());
    assertNoKeyIn(text, 'the frames');
    assertNoKey(await rejection(streamOf([text]).finalResponse()), 'the reader\'s error');
    assertNoKeyIn(await (await c.stream(params).toResponse()).text(), 'the response');
  }
  const res = await clientFor(srv, { fetch: echo }).stream(params).toResponse();
  has(await rejection(ResponseStream.fromResponse(res).finalResponse()), { requestId: 'req_echo', code: 'invalid_api_key' });
});

test('ready() resolves on the first event, which a later reader still gets', async () => {
  const stream = client.stream(params);
  await stream.ready();
  const events = await drained(stream);
  assertWhole(events);
  assert.equal((await stream.finalResponse()).output_text, deltaText(events));
  // and toReadableStream() after ready(): the same bytes a proxy would have sent
  const proxied = client.stream(params);
  await proxied.ready();
  const again = await collect(ResponseStream.fromReadableStream(proxied.toReadableStream()));
  assert.deepEqual(again.events.map((e) => e.type), events.map((e) => e.type));
});

test('ready() rejects with the upstream error before the first event; toReadableStream() then still carries it', async () => {
  const stream = client.stream(params, fault('status=401'));
  const e = await fails(stream.ready(), ApiError, { status: 401 });
  const back = await rejection(ResponseStream.fromReadableStream(stream.toReadableStream()).finalResponse());
  assert.deepEqual(fieldsOf(back), fieldsOf(e));
  assert.equal(await rejection(stream.finalResponse()), e);
});

test('toResponse(): 200 text/event-stream, or the upstream status with the API\'s JSON error; AbortError when aborted', async () => {
  const ok = await client.stream(params).toResponse({ headers: { 'x-route': '1' } });
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(ok.headers.get('x-route'), '1');
  assert.equal((await ResponseStream.fromResponse(ok).finalResponse()).status, 'completed');
  for (const status of [401, 429, 500]) {
    const stream = client.stream(params, fault(`status=${status}`));
    const res = await stream.toResponse();
    assert.equal(res.status, status);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const upstream = await serverError(stream);
    has((await res.clone().json()).error, { request_id: upstream.requestId, status });
    assert.deepEqual(fieldsOf(await rejection(ResponseStream.fromResponse(res).finalResponse())), fieldsOf(upstream));
  }
  const slow = client.stream(params, fault('stall-headers=2000', { timeout: 100 }));
  const down = (await unreachable()).stream(params);
  for (const [stream, status, Class] of [[down, 502, ConnectionError], [slow, 504, TimeoutError]]) {
    const res = await stream.toResponse();
    assert.equal(res.status, status);
    await fails(ResponseStream.fromResponse(res).finalResponse(), Class);
  }
  // toResponse() of an aborted request rejects with AbortError
  const ac = new AbortController();
  const stream = client.stream(params, fault('stall-headers=2000', { signal: ac.signal }));
  setTimeout(() => ac.abort(), 20);
  await fails(stream.toResponse(), AbortError);
});

test('toResponse() / toReadableStream() after ready(): an in-stream failure that is the first event goes on as the server sent it, with a 200', async () => {
  const failed = { id: 'resp_f', object: 'response', status: 'failed', output: [], error: { code: 'server_error', message: 'boom' } };
  const FIRST = {
    'response.failed': `event: response.failed\ndata: ${JSON.stringify({ type: 'response.failed', sequence_number: 0, response: failed })}\n\n`,
    error: `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: 0, code: 'rate_limit_exceeded', message: 'slow down' })}\n\n`,
    'data-only error': `data: ${JSON.stringify({ error: { message: 'bad gateway', type: 'upstream_error', code: '502' } })}\n\n`,
  };
  for (const [name, sse] of Object.entries(FIRST)) {
    const fetch = async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } });
    const direct = await fails(clientFor(srv, { fetch }).stream(params).finalResponse(), ApiError, { status: undefined }, name);
    const res = await clientFor(srv, { fetch }).stream(params).toResponse();
    assert.equal(res.status, 200, name);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(await res.clone().text(), sse, `${name}: the bytes as sent`);
    const relayed = await rejection(ResponseStream.fromResponse(res).finalResponse());
    assert.deepEqual({ ...fieldsOf(relayed), requestId: null }, { ...fieldsOf(direct), requestId: null }, name);
    assert.deepEqual(relayed.response ?? null, direct.response ?? null, `${name}: .response`);
    const readied = clientFor(srv, { fetch }).stream(params);
    await rejection(readied.ready());
    assert.equal(await textOf(readied.toReadableStream()), sse, `${name}: toReadableStream() after ready()`);
  }
});

test('an aborted read is AbortError: fromReadableStream(body, { signal }) aborted mid-read; a fetch aborted mid-body', async (t) => {
  // a body that gives its head (response.created), then waits forever
  const body = new ReadableStream({ start(c) { c.enqueue(enc(headFrame(['a', 'b', 'c']))); } });
  const ac = new AbortController();
  const stream = ResponseStream.fromReadableStream(body, { signal: ac.signal });
  assert.equal((await stream.next()).value.type, 'response.created');
  setTimeout(() => ac.abort(), 10);
  isError(await settles(rejection(stream.finalResponse()), 'the end of the aborted read'), AbortError);
  // a fetch aborted mid-body (its signal not given to fromReadableStream)
  const route = await rawServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(headFrame(['x'])); // response.created, then nothing: the page leaves before the end
  }, t);
  const fetchAc = new AbortController();
  const fetched = ResponseStream.fromReadableStream((await fetch(`${route.url}/`, { signal: fetchAc.signal })).body);
  assert.equal((await fetched.next()).value.type, 'response.created');
  setTimeout(() => fetchAc.abort(), 10);
  isError(await settles(rejection(fetched.finalResponse()), 'the end of the aborted fetch'), AbortError);
});

test('on() alone fires; a later iterator and finalResponse() still see every event; so does a relay chosen in the same task', async () => {
  const stream = client.stream(params);
  const deltas = [];
  const done = new Promise((resolve) => stream.on('response.completed', resolve));
  stream.on('response.output_text.delta', (e) => deltas.push(e));
  await settles(done, 'on("response.completed") alone');
  assert.ok(deltas.length > 3, 'the handler fired with nobody iterating');
  const events = await drained(stream);
  assertWhole(events);
  assert.deepEqual(events.filter((e) => e.type === 'response.output_text.delta'), deltas);
  assert.equal((await stream.finalResponse()).output_text, deltaText(deltas));
  // a reader chosen in the same task takes the stream from its start (toReadableStream after on())
  const relayed = client.stream(params);
  relayed.on('response.created', () => {});
  assertWhole((await collect(ResponseStream.fromReadableStream(relayed.toReadableStream()))).events);
});

test('on(): an iterator that starts mid-stream gets the events read before it, then the rest, in order', async () => {
  const stream = client.stream(params, fault('delay=5'));
  const seen = [];
  const first = new Promise((resolve) => stream.on('response.output_text.delta', (e) => { seen.push(e); resolve(); }));
  await settles(first, 'on("response.output_text.delta") alone');
  const events = await drained(stream);
  assert.equal(events[0].type, 'response.created');
  const seqs = events.map((e) => e.sequence_number);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.equal(new Set(seqs).size, seqs.length, 'no event twice');
  assert.deepEqual(events.filter((e) => e.type === 'response.output_text.delta'), seen, 'each event to the handler once');
});

/** Frames with the mock's ids and times left out. */
const sameShape = (text) => text.replaceAll(/(resp|msg)_[0-9a-z]+/g, '$1').replaceAll(/"(created_at|completed_at)":\d+/g, '"$1"');

test('finalResponse() beside toResponse() / toReadableStream() (a route recording usage): it waits for the relay, which keeps every event', async () => {
  const plain = await textOf(client.stream(params).toReadableStream());
  for (const when of ['after', 'before']) {
    for (const how of ['toResponse', 'toReadableStream']) {
      const stream = client.stream(params);
      let final;
      if (when === 'before') final = stream.finalResponse();
      const body = how === 'toResponse' ? (await stream.toResponse()).body : stream.toReadableStream();
      if (when === 'after') final = stream.finalResponse();
      const text = await textOf(body);
      assert.equal(sameShape(text), sameShape(plain), `${how}, finalResponse() ${when}: the same bytes`);
      const { events } = await collect(ResponseStream.fromReadableStream(new Response(text).body));
      has(await final, { status: 'completed', output_text: deltaText(events) }, `${how}, finalResponse() ${when}`);
    }
  }
});

test('on() with toReadableStream() / toResponse(): handlers see every event as the proxy passes it on, stream.response follows; the same bytes', async () => {
  const plain = await textOf(client.stream(params).toReadableStream());
  for (const how of ['toReadableStream', 'toResponse', 'ready, then toReadableStream']) {
    const stream = client.stream(params);
    const seen = [];
    const snapshots = [];
    stream.on('*', (e) => {
      seen.push(e);
      snapshots.push(stream.response.output_text);
    });
    const body = how === 'toResponse' ? (await stream.toResponse()).body : (how.startsWith('ready') && (await stream.ready()), stream.toReadableStream());
    const text = await textOf(body);
    const { events } = await collect(ResponseStream.fromReadableStream(new Response(text).body));
    assert.equal(sameShape(text), sameShape(plain), how);
    assert.deepEqual(seen, events, `${how}: each event to the handler once, in order`);
    assert.equal(snapshots.at(-1), deltaText(events), how);
    assert.ok(snapshots.some((t) => t !== '' && t !== snapshots.at(-1)), `${how}: the snapshot grew event by event`);
    const final = await stream.finalResponse();
    assert.equal(final.output_text, deltaText(events), how);
  }
});

test('on() with toReadableStream(): a handler that aborts or throws errors the body, and no handler runs after it', async () => {
  for (const [how, act, Class] of [['abort', (s) => s.abort(), AbortError], ['throw', () => { throw new TypeError('the handler broke'); }, TypeError]]) {
    const stream = client.stream(params);
    const seen = [];
    stream.on('*', (e) => {
      seen.push(e.type);
      if (e.type === 'response.output_text.delta') act(stream);
    });
    isError(await rejection(textOf(stream.toReadableStream())), Class, {}, how);
    assert.equal(seen.at(-1), 'response.output_text.delta', how);
    assert.equal(seen.filter((t) => t === 'response.output_text.delta').length, 1, how);
  }
});

test('failures go to on("error") / on("abort"); unawaited, they are no unhandled rejection', async (t) => {
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));
  const failed = client.stream(params, fault('status=500'));
  const got = new Promise((resolve) => failed.on('error', resolve));
  const e = isError(await settles(got, 'on("error")'), ApiError, { status: 500 });
  assert.equal(await rejection(failed.finalResponse()), e);
  // nobody listens for errors nor awaits: nothing crashes
  const quiet = client.stream(params, fault('status=500'));
  quiet.on('response.output_text.delta', () => {});
  const midway = client.stream(params, fault('no-terminal'));
  midway.on('response.output_text.delta', () => {});
  const aborted = client.stream(params, fault('delay=20'));
  const abort = new Promise((resolve) => aborted.on('abort', resolve));
  aborted.on('response.created', () => aborted.abort());
  isError(await settles(abort, 'on("abort")'), AbortError);
  await new Promise((r) => setTimeout(r, 200));
  await fails(quiet.finalResponse(), ApiError);
  await fails(midway.finalResponse(), StreamError);
  assert.deepEqual(unhandled, []);
});
