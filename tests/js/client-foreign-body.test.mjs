// A body that is not a platform ReadableStream (a custom fetch's duck-typed Response, a polyfill):
// a timeout or an abort still ends a read it never settles, and a cancel() that throws or
// returns nothing changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponsesClient, ResponseStream, AbortError, TimeoutError } from 'cometapi-responses';
import { collect } from './client-helpers.mjs';

const FRAME = new TextEncoder().encode(
  'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","output":[]}}\n\n',
);

/** A body whose reader gives one frame, then a read that never settles; `cancel` as given. */
function stalledBody(cancel) {
  let sent = false;
  const reader = {
    read: () => (sent ? new Promise(() => {}) : ((sent = true), Promise.resolve({ done: false, value: FRAME }))),
    releaseLock() {},
  };
  if (cancel !== undefined) reader.cancel = cancel;
  return { getReader: () => reader };
}

const fetchOf = (body) => async () => ({ status: 200, headers: new Headers({ 'content-type': 'text/event-stream' }), body });

/** Asserts the stream yields response.created, then ends with an error of `Class`. */
async function firstThenFails(stream, Class) {
  const { events, error } = await collect(stream);
  assert.deepEqual(events.map((e) => e.type), ['response.created']);
  assert.ok(error instanceof Class, String(error));
}

const CANCELS = [
  ['resolves without settling the read', () => Promise.resolve()],
  ['throws', () => {
    throw new Error('no cancel here');
  }],
  ['returns nothing', () => undefined],
  ['is missing', undefined],
];

for (const [name, cancel] of CANCELS) {
  test(`a stalled read of a foreign body whose cancel ${name}: the timeout ends it`, async () => {
    const client = new ResponsesClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, timeout: 200, fetch: fetchOf(stalledBody(cancel)) });
    await firstThenFails(client.stream({ model: 'm', input: 'hi' }), TimeoutError);
  });

  test(`a stalled read of a foreign body whose cancel ${name}: an abort ends it`, async () => {
    const ac = new AbortController();
    const client = new ResponsesClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: fetchOf(stalledBody(cancel)) });
    setTimeout(() => ac.abort(), 100);
    await firstThenFails(client.stream({ model: 'm', input: 'hi' }, { signal: ac.signal }), AbortError);
  });
}

test('fromReadableStream of a foreign body: an abort ends a read it never settles', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  await firstThenFails(ResponseStream.fromReadableStream(stalledBody(() => Promise.resolve()), { signal: ac.signal }), AbortError);
});

test('fromReadableStream with a signal aborted before the call: AbortError, and the body is cancelled and handed back', async () => {
  let cancelled = false;
  const body = new ReadableStream({ pull: () => new Promise(() => {}), cancel: () => { cancelled = true; } });
  const { events, error } = await collect(ResponseStream.fromReadableStream(body, { signal: AbortSignal.abort() }));
  assert.deepEqual(events, []);
  assert.ok(error instanceof AbortError, String(error));
  assert.equal(cancelled, true);
  assert.equal(body.locked, false);
});

test('a stream that is never read adds no listener to the caller\'s signal; one that is read removes it at its end', async () => {
  const ac = new AbortController();
  let listening = 0;
  const { addEventListener: add, removeEventListener: remove } = ac.signal;
  ac.signal.addEventListener = function (...a) { listening++; return add.apply(this, a); };
  ac.signal.removeEventListener = function (...a) { listening--; return remove.apply(this, a); };
  const body = () => new ReadableStream({ start: (c) => { c.enqueue(FRAME); c.close(); } });
  const client = new ResponsesClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: fetchOf(body()) });
  for (let i = 0; i < 3; i++) client.stream({ model: 'm', input: 'hi' }, { signal: ac.signal });
  assert.equal(listening, 0);
  const { events } = await collect(client.stream({ model: 'm', input: 'hi' }, { signal: ac.signal }));
  assert.deepEqual(events.map((e) => e.type), ['response.created']);
  assert.equal(listening, 0);
});
