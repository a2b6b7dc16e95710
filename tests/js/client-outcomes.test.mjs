// The outcomes of a stream (docs/architecture.md, "The stream") against the mock and hand-made
// bodies; the same answer through every chunking and line end; events arriving while the server sends.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, StreamError, ResponseStream } from 'cometapi-responses';
import {
  useMock, startMock, clientFor, inProcessMock, thrown, fault, read, deltaText, frame, syntheticStream, has, isError, fails, drained, enc, streamOf,
  finished, assertWhole,
} from './client-helpers.mjs';

const { client } = await useMock();

const params = { model: 'gpt-mock', input: 'Outcome tests' };
const TERMINALS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const types = (events) => events.map((e) => e.type);
/** A stream of the mock (with fault `f`) read to its end: { stream, events, error }. */
const run = (f) => read(client.stream(params, f ? fault(f) : undefined));
/** A stream of a hand-made body (these chunks) read to its end: { stream, events, error }. */
const runBody = (chunks) => read(streamOf(chunks));

test('response.completed: iteration ends, finalResponse resolves, output_text = deltas, snapshot = final', async () => {
  const stream = client.stream(params);
  assert.equal(stream.response, null, 'no snapshot before response.created');
  const events = await drained(stream);
  assertWhole(events);
  events.forEach((e, i) => assert.equal(e.sequence_number, i, 'sequence numbers as on the wire'));
  const final = await stream.finalResponse();
  const { output, usage } = events.at(-1).response;
  has(final, { status: 'completed', id: events[0].response.id, output_text: deltaText(events), output, usage });
  assert.ok(final.output_text.length > 50);
  assert.deepEqual(stream.response, final);
  // finalResponse is stable
  assert.deepEqual(await stream.finalResponse(), final);
});

test('response.incomplete: iteration ends normally; resolves with status incomplete + incomplete_details (also alone)', async () => {
  const stream = client.stream(params, fault('incomplete'));
  const events = await drained(stream);
  assert.equal(events.at(-1).type, 'response.incomplete');
  const final = await stream.finalResponse();
  const incomplete = { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  has(final, { ...incomplete, output_text: deltaText(events) });
  assert.deepEqual(stream.response, final);
  // finalResponse() alone
  has(await client.stream(params, fault('incomplete')).finalResponse(), incomplete);
});

/** The mock's failures: [fault, class, fields, message, more checks of (error, events)]; each
 *  thrown by the iteration after the events before it, finalResponse rejecting the same. */
const FAILURES = [
  ['failed', ApiError, { name: 'ApiError', status: undefined, code: 'server_error' }, /failed this response on request/, (error, events) => {
    assert.ok(error.response, '.response is set');
    has(error.response, { status: 'failed', id: events[0].response.id, error: { code: error.code, message: error.message } });
    assert.ok(events.some((e) => e.type === 'response.output_text.delta'), 'the events before the failure were yielded');
    assert.ok(!events.some((e) => e.type === 'response.failed'), 'the failing event is thrown, not yielded');
  }],
  ...['stop', 'flat', 'failed'].map((mode) => [
    `error-event=${mode}`,
    ApiError,
    { status: undefined, code: 'server_error', type: mode === 'flat' ? undefined : 'server_error' },
    /emitted an error event/,
    (error, events) => assert.deepEqual(types(events), ['response.created', 'response.in_progress']),
  ]),
  ['no-terminal', StreamError, { name: 'StreamError' }, /terminal/, (error, events) => {
    assert.ok(error.response, 'partial snapshot');
    has(error.response, { id: events[0].response.id, status: 'in_progress', output_text: deltaText(events) });
    assert.ok(error.response.output_text.length > 0);
  }],
  ['disconnect-after=8', StreamError, {}, /./, (error, events) => {
    assert.equal(events.length, 8);
    has(error.response, { id: events[0].response.id, output_text: deltaText(events) });
  }],
  ['malformed-json=5', StreamError, {}, /./, (error, events) => {
    assert.equal(events.length, 5, 'the events before it were yielded');
    assert.ok(error.response, 'partial snapshot');
  }],
  ['oversized=17000000', StreamError, {}, /size limit/, (error, events) => {
    assert.ok(error.message.length < 1000);
    assert.ok(events.length >= 1 && events.length < 10);
    assert.ok(error.response, 'partial snapshot');
  }],
];

for (const [f, Class, fields, message, check] of FAILURES) {
  test(`fault ${f}: ${Class.name} from the iteration and finalResponse, and from finalResponse() alone`, async () => {
    const { stream, events, error } = await run(f);
    isError(error, Class, fields, f);
    assert.match(error.message, message);
    check(error, events);
    await fails(stream.finalResponse(), Class, { ...fields, message: error.message, response: error.response });
    // finalResponse() alone, without iterating: the same failure
    const alone = await fails(client.stream(params, fault(f)).finalResponse(), Class, fields, `${f} alone`);
    assert.equal(alone.response?.status, error.response?.status, f);
  });
}

test('error event with param, hand-made (nested and flat); an empty body: StreamError, no snapshot', async () => {
  const created = { type: 'response.created', sequence_number: 0, response: { id: 'resp_e', object: 'response', status: 'in_progress', output: [] } };
  for (const payload of [
    { type: 'error', sequence_number: 1, error: { type: 'invalid_request_error', code: 'bad_thing', message: 'Nested error', param: 'input' } },
    { type: 'error', sequence_number: 1, code: 'bad_thing', message: 'Flat error', param: 'input' },
  ]) {
    const { events, error } = await runBody([frame(created), frame(payload)]);
    assert.equal(events.length, 1);
    isError(error, ApiError, { code: 'bad_thing', param: 'input', message: payload.error?.message ?? payload.message });
    assert.ok(error.body, 'body: the event');
  }
  // an empty body: StreamError, no snapshot
  const { stream, events, error } = await runBody([]);
  assert.equal(events.length, 0);
  isError(error, StreamError, { response: null });
  assert.equal(stream.response, null);
});

test('[DONE], comments, keepalive and unknown event types in a hand-made body', async () => {
  const { events: wire, text } = syntheticStream(['a', 'b', 'c']);
  const unknown = { type: 'response.future_feature.delta', sequence_number: 99, payload: { x: [1, 2] } };
  const noSeq = { type: 'something.else', note: 'no sequence_number' };
  const chunks = [
    ': a comment\n\n',
    frame(wire[0]),
    'event: keepalive\ndata: {"type":"keepalive"}\n\n',
    frame(unknown),
    ...wire.slice(1, -1).map((e) => frame(e)),
    frame(noSeq),
    ':ping\n\n',
    frame(wire.at(-1)),
    'data: [DONE]\n\n',
  ];
  const { stream, events, error } = await runBody(chunks);
  assert.equal(error, null);
  assert.deepEqual(events.find((e) => e.type === unknown.type), unknown, 'unknown events are yielded as is');
  assert.deepEqual(events.find((e) => e.type === 'something.else'), noSeq);
  const withoutExtras = events.filter((e) => e.type !== 'keepalive' && e !== undefined && e.type !== unknown.type && e.type !== 'something.else');
  assert.deepEqual(withoutExtras, wire);
  assert.equal((await stream.finalResponse()).output_text, text);
});

test('malformed JSON: the message holds a short excerpt, not the whole payload', async () => {
  const big = `{"type":"response.output_text.delta","delta":"${'x'.repeat(20000)}MARKER-AT-THE-END",oops`;
  const { events: wire } = syntheticStream(['a']);
  const { events, error } = await runBody([frame(wire[0]), frame(big, 'response.output_text.delta')]);
  assert.equal(events.length, 1);
  isError(error, StreamError);
  assert.ok(error.message.includes('{"type":"response.output_text.delta"'), `excerpt missing: ${error.message.slice(0, 300)}`);
  assert.ok(error.message.length < 1000, `message is ${error.message.length} characters`);
  for (const text of [error.message, JSON.stringify(error)]) {
    assert.ok(!text.includes('MARKER-AT-THE-END'), text.slice(0, 300));
  }
});

test('maxEventSize (client, fromReadableStream, fromResponse): a lower limit fails the stream, a higher one takes an event over 16 MiB', async () => {
  // an event just under the default limit passes (mock oversized=1 MB)
  const under = await finished(client.stream(params, fault('oversized=1000000')));
  assert.equal(under.final.output_text, deltaText(under.events));
  assert.ok(under.final.output_text.length >= 1000000 - 8);
  const { clientOf, call } = inProcessMock();
  const oversized = (n) => fault(`oversized=${n}`);
  // lower: the event over it is a StreamError that says the limit
  const { error } = await read(clientOf({ maxEventSize: 2048 }).stream(params, oversized(4096)));
  isError(error, StreamError);
  assert.match(error.message, /2048/);
  await drained(clientOf().stream(params, oversized(4096)));
  // higher: an event past the default (a final Response carrying large results)
  const big = 17 * 1024 * 1024;
  assert.match((await read(clientOf().stream(params, oversized(big)))).error.message, /16777216/);
  const final = await clientOf({ maxEventSize: 64 * 1024 * 1024 }).stream(params, oversized(big)).finalResponse();
  assert.ok(final.output_text.length >= big);
  // a body read here: the same option
  const body = () => call('/responses', { method: 'POST', body: JSON.stringify({ ...params, stream: true }), headers: { 'x-mock-fault': 'oversized=4096' } });
  isError((await read(ResponseStream.fromReadableStream((await body()).body, { maxEventSize: 2048 }))).error, StreamError);
  isError((await read(ResponseStream.fromResponse(await body(), { maxEventSize: 2048 }))).error, StreamError);
  await drained(ResponseStream.fromResponse(await body(), { maxEventSize: 8192 }));
  // not a whole number of bytes ≥ 1: a TypeError at once
  for (const bad of [0, -1, 1.5, '4096', NaN, 'sk-proj-a-key-given-in-the-wrong-place']) {
    for (const make of [() => clientOf({ maxEventSize: bad }), () => ResponseStream.fromReadableStream(new ReadableStream(), { maxEventSize: bad })]) {
      const e = thrown(make);
      assert.ok(e instanceof TypeError, String(bad));
      assert.ok(!e.message.includes('sk-proj'), 'a value that is not a number is named by its type only');
    }
  }
  assert.ok(clientOf({ maxEventSize: null }), 'null: the default, as for the other options');
});

test('nothing after the terminal event is reported (in later chunks, or the same chunk)', async () => {
  const { events: wire, text } = syntheticStream(['z']);
  const all = wire.map((e) => frame(e)).join('');
  const late = frame({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'AFTER' }) + frame({ type: 'error', message: 'late' });
  for (const chunks of [[all, 'data: {not json\n\n', frame({ type: 'error', message: 'late' })], [all + late]]) {
    // Iterated: the terminal event is the last one seen, the late delta is not folded in.
    const { stream, events, error } = await runBody(chunks);
    assert.equal(error, null);
    assert.equal(events.filter((e) => TERMINALS.has(e.type)).length, 1);
    assert.equal(events.at(-1).type, 'response.completed');
    assert.equal(events.length, wire.length);
    assert.equal((await stream.finalResponse()).output_text, text);
    // finalResponse() alone: the same.
    assert.equal((await streamOf(chunks).finalResponse()).output_text, text);
  }
  // An `error` event first: that is the outcome, a completed after it in the chunk changes nothing.
  const errorFirst = wire.slice(0, 2).map((e) => frame(e)).join('') + frame({ type: 'error', code: 'boom', message: 'first' }) + frame(wire.at(-1));
  const r2 = await runBody([errorFirst]);
  isError(r2.error, ApiError, { code: 'boom' });
  assert.ok(!r2.events.some((e) => e.type === 'response.completed'));
});

const CHUNKING_INPUT = 'Chunking: the same answer whatever the bytes look like';
let reference;
let referenceMb;
const summary = async (fault0) => {
  // A short input keeps the multibyte answer short: every cut inside a character costs the mock a timer tick.
  const text = fault0?.includes('multibyte') ? '多' : CHUNKING_INPUT;
  const opts = fault0 ? fault(fault0) : undefined;
  const { events, final } = await finished(client.stream({ model: 'gpt-mock', input: text }, opts));
  assert.equal(final.output_text, deltaText(events));
  const deltas = events.filter((e) => e.delta !== undefined).map((e) => e.delta);
  return { text: final.output_text, types: types(events), deltas, status: final.status };
};
before(async () => {
  reference = await summary(null);
  referenceMb = await summary('multibyte');
  assert.ok(/[^\x00-\x7f]/.test(referenceMb.text), 'the multibyte answer has non-ASCII text');
  assert.ok(/\p{Extended_Pictographic}/u.test(referenceMb.text), 'and emoji');
});

for (const f of ['split=7', 'split=random,seed=3', 'eol=crlf', 'eol=cr', 'data-only', 'eol=crlf,split=random,seed=5', 'eol=cr,split=random,seed=6', 'data-only,eol=crlf,split=random,seed=9', 'keepalive,eol=cr']) {
  test(`chunking and line ends do not change the result: ${f}`, async () => {
    const got = await summary(f);
    has(got, { status: 'completed', text: reference.text, deltas: reference.deltas });
    assert.deepEqual(got.types.filter((t) => t !== 'keepalive'), reference.types);
  });
}

for (const f of ['multibyte,split=1', 'multibyte,split=random', 'multibyte,split=random,seed=42,eol=crlf', 'multibyte,split=random,seed=7,eol=cr']) {
  test(`chunking: ${f}: UTF-8 split across chunks`, async () => {
    const got = await summary(f);
    has(got, { text: referenceMb.text, deltas: referenceMb.deltas });
    assert.ok(!got.text.includes('\uFFFD'), 'no replacement characters');
  });
}

test('slow server (30 ms between events): the first event long before the end, events one by one', async (t) => {
  const c = clientFor(await startMock({ delayMs: 30 }, t));
  const t0 = Date.now();
  const times = [];
  for await (const ev of c.stream({ model: 'gpt-mock', input: 'slow drip' })) times.push([Date.now(), ev.type]);
  const tEnd = Date.now();
  const total = tEnd - t0;
  assert.ok(times.length > 20);
  assert.ok(total > 20 * 30 * 0.8, `the stream took ${total} ms`);
  const first = times[0][0] - t0;
  assert.ok(first < total / 3, `first event after ${first} ms of ${total} ms`);
  // With no buffering the events arrive spread over time, not in a few bursts.
  let gaps = 0;
  for (let i = 1; i < times.length; i++) if (times[i][0] - times[i - 1][0] >= 10) gaps++;
  assert.ok(gaps > times.length / 2, `only ${gaps} of ${times.length} events came apart`);
  // The first delta reaches us long before the terminal event.
  const firstDelta = times.find(([, t]) => t === 'response.output_text.delta')[0];
  assert.ok(tEnd - firstDelta > total / 3, `first delta only ${tEnd - firstDelta} ms before the end`);
});

test('an event completed by a chunk is delivered before the next chunk arrives', async () => {
  const { events: wire } = syntheticStream(['a', 'b']);
  let release;
  const gate = new Promise((r) => (release = r));
  let step = 0;
  const body = new ReadableStream({
    async pull(controller) {
      if (step === 0) controller.enqueue(enc(frame(wire[0]) + frame(wire[1]).slice(0, 10)));
      else if (step === 1) {
        await gate;
        controller.enqueue(enc(frame(wire[1]).slice(10) + wire.slice(2).map((e) => frame(e)).join('')));
      } else controller.close();
      step++;
    },
  });
  const stream = ResponseStream.fromReadableStream(body);
  assert.equal((await stream[Symbol.asyncIterator]().next()).value.type, 'response.created');
  assert.equal(stream.response.id, 'resp_test');
  release();
  await drained(stream);
  assert.equal((await stream.finalResponse()).output_text, 'ab');
});
