// ResponseStream details (on/off, finalResponse, queued next() calls, toReadableStream ⇄
// fromReadableStream, abort after the end, the snapshot) and the public ResponseAccumulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, StreamError, AbortError, ResponseStream, ResponseAccumulator, ResponsesClient } from 'cometapi-responses';
import {
  useMock, fault, collect, rejection, deltaText, bodyOf, frame, syntheticStream, has, isError, fails, drained, finished, enc,
  streamOf, settled,
} from './client-helpers.mjs';
import { scripted } from './sdk-helpers.mjs';

const { client } = await useMock();

const params = { model: 'gpt-mock', input: 'Stream API tests' };
const DONE = { done: true, value: undefined };
/** A body that enqueues these chunks at its start (and stays open unless `close`). */
const bodyStarting = (chunks, { close = true, cancel } = {}) => new ReadableStream({
  start(c) {
    for (const chunk of chunks) c.enqueue(chunk);
    if (close) c.close();
  },
  cancel,
});

test('ResponseStream cannot be constructed directly', () => {
  assert.throws(() => new ResponseStream(), TypeError);
  for (const body of ['data: x', null]) {
    assert.throws(() => ResponseStream.fromReadableStream(body), TypeError);
  }
});

test('on(type) and on("*") while iterating; handlers run before the event is yielded; off(), also of itself', async () => {
  const stream = client.stream(params);
  const byType = [], all = [], order = [], removed = [], created = [];
  const drop = (e) => removed.push(e);
  const onDelta = (e) => { byType.push(e); order.push(`delta:${e.sequence_number}`); };
  assert.equal(stream.on('response.output_text.delta', onDelta), stream, 'on() chains');
  stream.on('*', (e) => { all.push(e); order.push(`*:${e.sequence_number}`); });
  stream.on('response.completed', drop).off('response.completed', drop);
  // a handler that off()s itself while an event is handed out: the next handler still sees that event
  const once = () => stream.off('response.created', once);
  stream.on('response.created', once).on('response.created', (e) => created.push(e.type));
  const yielded = await drained(stream, (e) => assert.equal(all.at(-1), e, 'the "*" handler saw it before it was yielded'));
  assert.deepEqual(all, yielded);
  assert.deepEqual(byType, yielded.filter((e) => e.type === 'response.output_text.delta'));
  assert.ok(byType.length > 3);
  const first = byType[0].sequence_number;
  const at = order.indexOf(`delta:${first}`);
  assert.deepEqual(order.slice(at, at + 2), [`delta:${first}`, `*:${first}`], 'type handlers first, then "*"');
  assert.equal(removed.length, 0, 'off() removed the handler');
  assert.deepEqual(created, ['response.created']);
  for (const args of [[42, () => {}], ['x']]) assert.throws(() => stream.on(...args), TypeError);
});

test('finalResponse() without iterating, or after on() and one next(), reads the rest of the stream (handlers still run)', async () => {
  for (const skip of [0, 1]) {
    const stream = client.stream(params);
    const seen = [];
    stream.on('*', (e) => seen.push(e));
    if (skip) assert.equal((await stream.next()).value.type, 'response.created');
    const final = await stream.finalResponse();
    has(final, { status: 'completed', output_text: deltaText(seen) }, `${skip} next()`);
    assert.equal(seen.at(-1).type, 'response.completed');
    assert.deepEqual(stream.response, final);
    // Iterating afterwards yields nothing more.
    assert.deepEqual(await drained(stream), []);
  }
});

test('finalResponse() while iterating, or asked before the loop, steals no events, resolves at the end', async () => {
  const stream = client.stream(params);
  const events = [];
  let final = null;
  let finalResolvedAt = -1;
  for await (const e of stream) {
    events.push(e);
    if (events.length === 3) {
      stream.finalResponse().then((r) => { final = r; finalResolvedAt = events.length; });
    }
    await new Promise((r) => setImmediate(r)); // give finalResponse every chance to read ahead
  }
  events.forEach((e, i) => assert.equal(e.sequence_number, i, 'every event reached the loop, in order'));
  assert.equal(events.at(-1).type, 'response.completed');
  await new Promise((r) => setImmediate(r));
  assert.ok(final, 'finalResponse resolved');
  assert.equal(finalResolvedAt, events.length, 'only after the last event');
  assert.equal(final.output_text, deltaText(events));
  // asked before a for await in the same task: the loop still gets every event
  const early = client.stream(params);
  const earlyFinal = early.finalResponse();
  const all = await drained(early);
  assert.deepEqual(all.map((e) => e.type), events.map((e) => e.type));
  assert.equal((await earlyFinal).output_text, deltaText(all));
});

test('finalResponse() while iterating, then the stream fails: both see the same error; abort() after it keeps it', async () => {
  const stream = client.stream(params, fault('failed'));
  let pending;
  const { error } = await collect(stream, (e) => {
    pending ??= stream.finalResponse();
    assert.ok(e.type);
  });
  isError(error, ApiError);
  await fails(pending, ApiError, { message: error.message });
  stream.abort();
  await fails(stream.finalResponse(), ApiError, { message: error.message });
});

test('finalResponse() pending while iterating settles when the loop is left early (break, abort)', async () => {
  // break
  const s1 = client.stream(params);
  let p1;
  await collect(s1, (e, seen) => {
    assert.ok(e);
    if (seen.length === 1) p1 = s1.finalResponse();
    return seen.length === 4;
  });
  isError(await settled(p1), AbortError);
  // abort() between events (finalResponse() asked before it, or after it), the iterator not resumed
  for (const askFirst of [true, false]) {
    const s = client.stream(params);
    const it = s[Symbol.asyncIterator]();
    await it.next();
    const pending = askFirst && s.finalResponse();
    s.abort();
    isError(await settled(pending || s.finalResponse()), AbortError, {}, `asked first: ${askFirst}`);
    assert.deepEqual(await it.next(), DONE, 'the stream is over');
  }
});

test('concurrent next() calls are queued: consecutive events, in order, no exception', async () => {
  const stream = client.stream(params);
  const it = stream[Symbol.asyncIterator]();
  const first = await Promise.all([it.next(), it.next(), it.next(), it.next(), it.next()]);
  assert.deepEqual(first.map((r) => r.done), [false, false, false, false, false]);
  assert.deepEqual(first.map((r) => r.value.sequence_number), [0, 1, 2, 3, 4]);
  const rest = await Promise.all(Array.from({ length: 200 }, () => it.next()));
  const values = rest.filter((r) => !r.done).map((r) => r.value);
  values.forEach((e, i) => assert.equal(e.sequence_number, 5 + i));
  assert.equal(values.at(-1).type, 'response.completed');
  const doneFrom = rest.findIndex((r) => r.done);
  assert.ok(rest.slice(doneFrom).every((r) => r.done && r.value === undefined), 'then only { done: true }');
  assert.equal((await stream.finalResponse()).status, 'completed');
});

test('concurrent next() calls on a failing stream: one rejection, then done', async () => {
  const stream = client.stream(params, fault('no-terminal'));
  const results = await Promise.allSettled(Array.from({ length: 200 }, () => stream.next()));
  const rejected = results.filter((r) => r.status === 'rejected');
  assert.equal(rejected.length, 1);
  isError(rejected[0].reason, StreamError);
  const i = results.indexOf(rejected[0]);
  assert.ok(results.slice(0, i).every((r) => !r.value.done));
  assert.ok(results.slice(i + 1).every((r) => r.value.done));
});

test('return() is queued behind a pending next(): a handler that stops the loop ends it cleanly, a next() after return() is done', async () => {
  const { sse, events } = syntheticStream();
  const frames = events.map((e) => frame(e));
  for (const chunks of [[sse], frames, [frames.slice(0, 3).join(''), frames.slice(3).join('')]]) {
    const stream = streamOf(chunks);
    stream.on('response.output_item.added', () => void stream.return()); // "stop after this event"
    const seen = (await drained(stream)).map((e) => e.type);
    assert.deepEqual(seen, ['response.created', 'response.in_progress', 'response.output_item.added'], `${chunks.length} chunks`);
    await fails(stream.finalResponse(), AbortError);
  }
  // return() while a read is pending aborts it (that next() rejects); the calls after it are done
  const stream = streamOf(frames);
  const [first, ...rest] = await Promise.allSettled([stream.next(), stream.return(), stream.next(), stream.next()]);
  isError(first.reason, AbortError);
  assert.deepEqual(rest.map((r) => r.value), Array(3).fill(DONE));
});

test('stream.response: null before response.created, then the growing snapshot = a ResponseAccumulator of the same events', async () => {
  const stream = client.stream(params);
  assert.equal(stream.response, null);
  const acc = new ResponseAccumulator();
  assert.equal(acc.response, null);
  let lastText = '';
  for await (const e of stream) {
    acc.push(e);
    assert.deepEqual(stream.response, acc.response, `after ${e.type}`);
    assert.ok(stream.response.output_text.startsWith(lastText), 'output_text only grows');
    lastText = stream.response.output_text;
    if (e.type === 'response.created') assert.equal(stream.response.status, 'in_progress');
  }
  assert.deepEqual(acc.response, await stream.finalResponse());
});

test('abort() after completion is a no-op; after a failure it keeps the failure', async () => {
  const stream = client.stream(params);
  const final = await stream.finalResponse();
  stream.abort();
  stream.abort();
  assert.deepEqual([await stream.finalResponse(), await stream.next(), stream.response], [final, DONE, final]);
  // a failed stream whose finalResponse() is first asked after abort()
  const failed = client.stream(params, fault('failed'));
  const { error } = await collect(failed);
  failed.abort();
  await fails(failed.finalResponse(), ApiError, { message: error.message });
});

test('a handler that throws ends the stream with its error', async () => {
  const stream = client.stream(params);
  const boom = new Error('handler failed');
  stream.on('response.output_text.delta', () => { throw boom; });
  const { events, error } = await collect(stream);
  assert.equal(error, boom);
  assert.ok(!events.some((e) => e.type === 'response.output_text.delta'));
  assert.equal(await rejection(stream.finalResponse()), boom);
});

test('toReadableStream(): text/event-stream bytes that re-parse (fromReadableStream) to the same final response', async () => {
  const stream = client.stream(params);
  const { events, final } = await finished(ResponseStream.fromReadableStream(stream.toReadableStream()));
  assert.deepEqual(final, await stream.finalResponse());
  has(final, { status: 'completed', output_text: deltaText(events) });
  events.forEach((e, i) => assert.equal(e.sequence_number, i));
  // the bytes: text/event-stream
  const { sse, events: wire } = syntheticStream(['x', 'y']);
  const text = await new Response(streamOf(sse).toReadableStream()).text();
  assert.ok(text.startsWith('event: response.created\ndata: {'), text.slice(0, 60));
  const frames = text.split('\n\n').filter(Boolean);
  assert.equal(frames.length, wire.length);
  frames.forEach((f, i) => assert.deepEqual(JSON.parse(f.split('\ndata: ')[1]), wire[i]));
});

test('toReadableStream() of a failed stream forwards the failure; of a truncated one, ends with an error frame; cancelling it aborts the request', async () => {
  const copyOf = async (f) => (await collect(ResponseStream.fromReadableStream(client.stream(params, fault(f)).toReadableStream()))).error;
  const error = isError(await copyOf('failed'), ApiError, { code: 'server_error' });
  assert.equal(error.response.status, 'failed');
  isError(await copyOf('error-event'), ApiError, { code: 'server_error' });
  const truncated = client.stream(params, fault('no-terminal'));
  const text = await new Response(truncated.toReadableStream()).text();
  assert.match(text, /event: error\ndata: \{"type":"error","error":\{"type":"stream_error",[^\n]*"class":"StreamError"\}\}\n\n$/);
  await fails(streamOf([text]).finalResponse(), StreamError, { message: (await rejection(truncated.finalResponse())).message });
  // cancelling toReadableStream() aborts the request
  const stream = client.stream(params);
  const reader = stream.toReadableStream().getReader();
  await reader.read();
  await reader.cancel();
  await fails(stream.finalResponse(), AbortError);
});

test('fromReadableStream of a hand-built body, any chunking (1-byte chunks cut every multi-byte character)', async () => {
  for (const deltas of [['Hand', '-built ', 'body ✓'], ['日本', '語 🙂', '—é']]) {
    const { sse, text, events: wire } = syntheticStream(deltas);
    const bytes = [...enc(sse)].map((b) => Uint8Array.of(b));
    // string chunks of up to 5 code points (a string chunk cannot hold half a surrogate pair), lines, single bytes
    for (const chunks of [[sse], sse.match(/[\s\S]{1,5}/gu), sse.split('\n').map((l) => `${l}\n`).slice(0, -1), bytes]) {
      const { events, final } = await finished(streamOf(chunks));
      assert.deepEqual(events, wire);
      assert.equal(final.output_text, text);
    }
  }
});

test('fromReadableStream: a body that errors or yields a chunk that is not bytes → StreamError (partial snapshot); a locked body', async () => {
  const first = enc(frame(syntheticStream(['a']).events[0]));
  const erroring = new ReadableStream({
    start: (c) => c.enqueue(first),
    pull: (c) => c.error(new Error('socket reset')),
  });
  // Said as it is (not a lost connection), with the events before it in the partial snapshot.
  const notBytes = { message: 'the body yielded a chunk that is not a Uint8Array' };
  for (const [body, fields] of [[erroring, {}], [bodyStarting([first, 'text']), notBytes]]) {
    const { events, error } = await collect(ResponseStream.fromReadableStream(body));
    assert.equal(events.length, 1);
    assert.equal(isError(error, StreamError, fields).response?.id, 'resp_test');
  }
  const locked = bodyOf('');
  locked.getReader();
  for (const body of [locked, bodyStarting(['a string chunk'])]) {
    isError((await collect(ResponseStream.fromReadableStream(body))).error, StreamError);
  }
});

test('a body is cancelled when the loop is left early (its lock released) and once the terminal event is read', async () => {
  const { events: wire } = syntheticStream(['a', 'b', 'c']);
  let cancelled = false;
  const body = bodyStarting(wire.map((e) => enc(frame(e))), { close: false, cancel: () => { cancelled = true; } });
  const stream = ResponseStream.fromReadableStream(body);
  assert.equal((await collect(stream, (e) => e.type === 'response.created')).error, null);
  assert.ok(cancelled, 'the body was cancelled');
  assert.equal(body.locked, false, 'the reader lock was released');
  await fails(stream.finalResponse(), AbortError);
  // once the terminal event is read: a fetched one, and a given one, which also comes back unlocked
  const source = () => {
    const s = { cancelled: false };
    s.res = new Response(bodyStarting([enc(syntheticStream(['a']).sse)], { close: false, cancel: () => (s.cancelled = true) }));
    return s;
  };
  const fetched = source();
  await drained(new ResponsesClient({ apiKey: 'x', baseURL: 'http://fetch.invalid/v1', maxRetries: 0, fetch: async () => fetched.res }).stream(params));
  assert.ok(fetched.cancelled, 'the fetched body was cancelled');
  const given = source();
  assert.equal((await ResponseStream.fromResponse(given.res).finalResponse()).status, 'completed');
  assert.ok(given.cancelled, 'the given body was cancelled');
  assert.equal(given.res.body.locked, false, 'the given body came back unlocked');
});

test('many at once: 20 concurrent streams and 20 concurrent creates on one client', async () => {
  const inputs = Array.from({ length: 20 }, (_, i) => `parallel ${i}`);
  const results = await Promise.all(inputs.map((input) => finished(client.stream({ model: 'gpt-mock', input }, fault('split=random')))));
  results.forEach(({ events, final }, i) => {
    assert.equal(final.output_text, deltaText(events));
    assert.ok(final.output_text.includes(`"parallel ${i}"`), 'each stream got its own answer');
  });
  const created = await Promise.all(inputs.map((input) => client.create({ model: 'gpt-mock', input })));
  created.forEach((r, i) => assert.ok(r.output_text.includes(`"parallel ${i}"`)));
});

test('ResponseAccumulator: events collected with for-await → acc.response = finalResponse(); tool calls, a failure', async () => {
  const reasoning = { ...params, reasoning: { effort: 'medium', summary: 'auto' } };
  const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
  const cases = [undefined, 'incomplete', 'multibyte', 'keepalive'].map((f) => [reasoning, f && fault(f), String(f)]);
  let run;
  cases.push([{ model: 'gpt-mock', input: 'Use get_weather for Paris', tools }, undefined, 'tools']);
  for (const [p, opts, what] of cases) {
    run = await finished(client.stream(p, opts));
    const acc = new ResponseAccumulator();
    for (const e of run.events) assert.equal(acc.push(e), acc, 'push() chains');
    assert.deepEqual(acc.response, run.final, what);
  }
  // the last run: a function call, its arguments the deltas
  const args = run.events.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta).join('');
  has(run.final.output[0], { type: 'function_call', arguments: args });
  // a failed stream: the events before the failure, then the failing event as the server sent it
  const acc = new ResponseAccumulator();
  (await collect(client.stream(params, fault('failed')))).events.forEach((e) => acc.push(e));
  assert.equal(acc.response.status, 'in_progress');
  const error = { code: 'x', message: 'y' };
  acc.push({ type: 'response.failed', sequence_number: 999, response: { ...acc.response, status: 'failed', error } });
  assert.equal(acc.response.status, 'failed', 'the accumulator holds the failed response');
});

test('ResponseAccumulator: garbage throws; an event that fits nowhere changes nothing', () => {
  const acc = new ResponseAccumulator();
  for (const garbage of [null, 'response.created', 42]) assert.throws(() => acc.push(garbage), TypeError, String(garbage));
  acc.push({ type: 'keepalive' }); // nothing to put in a Response yet
  assert.equal(acc.response, null);
  const { events: wire } = syntheticStream(['ok']);
  acc.push(wire[0]);
  const before = acc.response;
  acc.push({ type: 'response.output_text.annotation.added', output_index: 7, content_index: 0, annotation: {} }); // no such item: skipped
  acc.push({ type: 'response.created' }); // a lifecycle event without a response: skipped
  assert.deepEqual(acc.response, before);
  // keepalive and unknown events change nothing
  acc.push({ type: 'keepalive' }).push({ type: 'response.some_future_event', x: 1 });
  assert.deepEqual(acc.response, before);
  for (const e of wire.slice(1)) acc.push(e);
  has(acc.response, { output_text: 'ok', status: 'completed' });
});

test('a relay is the first and only reader: toReadableStream() twice, or after an iterator began, is a TypeError; next() on a relayed stream too', async () => {
  const { sse, events } = syntheticStream(['a', 'b']);
  const twice = streamOf(sse);
  const body = twice.toReadableStream();
  assert.throws(() => twice.toReadableStream(), TypeError);
  await assert.rejects(twice.next(), TypeError, 'next() while the relay reads');
  const text = await new Response(body).text();
  assert.equal(text.split('\n\n').filter(Boolean).length, events.length, 'the one relay has every event');
  assert.deepEqual(await twice.next(), DONE, 'next() after the relay ended');
  assert.equal((await twice.finalResponse()).output_text, 'ab');
  // An iterator began in this task, or finalResponse() read from an earlier one: the relay refuses.
  const iterated = streamOf(sse);
  const first = iterated.next();
  assert.throws(() => iterated.toReadableStream(), TypeError);
  assert.equal((await first).value.type, 'response.created');
  assert.equal((await iterated.finalResponse()).output_text, 'ab', 'the iterator reads on');
  const read = streamOf(sse);
  const final = read.finalResponse();
  await new Promise((r) => setTimeout(r, 0));
  assert.throws(() => read.toReadableStream(), TypeError);
  assert.equal((await final).output_text, 'ab');
  // ready() then the relay: the relay takes the event ready() read.
  const ready = streamOf(sse);
  await ready.ready();
  assert.equal((await new Response(ready.toReadableStream()).text()).split('\n\n').filter(Boolean).length, events.length);
});

test('data with neither a type nor an event: name that carries an error (LiteLLM\'s proxy) fails the stream with that ApiError', async () => {
  const { sse } = syntheticStream(['a'], { terminal: false });
  const error = { message: 'quota exceeded for gpt-5', type: 'rate_limit_error', param: null, code: '429' };
  const { events, error: e } = await collect(streamOf([sse, `data: ${JSON.stringify({ error })}\n\n`]));
  isError(e, ApiError, { message: 'quota exceeded for gpt-5', code: '429', type: 'rate_limit_error' });
  assert.ok(events.every((ev) => typeof ev.type === 'string'), 'the error is not handed out as an event');
});

test('finalResponse() beside toResponse(), the whole stream read by ready() at once: the relay ends with the terminal frames, and a reader that stops there aborts nothing', async () => {
  const { sse } = syntheticStream(['a', 'b']);
  const { client: fast } = scripted(() => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }));
  const stream = fast.stream(params);
  const aborted = [];
  stream.on('abort', (e) => aborted.push(e));
  const final = stream.finalResponse();
  const { events } = await collect(ResponseStream.fromResponse(await stream.toResponse()));
  assert.equal(events.at(-1).type, 'response.completed');
  assert.equal((await final).output_text, 'ab');
  assert.deepEqual(aborted, []);
});
