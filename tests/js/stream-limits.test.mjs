// Limits of a stream's memory: a json_schema stream's wasm memory does not grow with its text
// (the core follows the text without keeping it), and a text longer than a JavaScript string
// can be ends in a StreamError with the snapshot, not a RangeError; an error's snapshot is
// redacted even when it is too large to stringify; a json_schema stream's OutputParseError has
// the whole text when the terminal event does not restate it. A custom fetch's header that is not
// a string leaves nothing of the others in wasm memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:buffer';

// The probe first: it keeps the package's wasm memory once the package instantiates it.
import { wasm } from './socket-probe.mjs';
import { scripted } from './sdk-helpers.mjs';
import { KEY, collect } from './client-helpers.mjs';
import { Mirror } from '../../js/mirror.js';
import { StreamError } from '../../js/errors.js';

const MiB = 1024 * 1024;
const SSE = { 'content-type': 'text/event-stream' };

/** A body of `mib` MiB of text deltas, made as it is read (never held whole). */
function lazyBody(mib, { json }) {
  const enc = new TextEncoder();
  const piece = 'abcdefghij'.repeat(1600); // 16000 characters
  const frame = (o) => enc.encode(`data: ${JSON.stringify(o)}\n\n`);
  const base = { id: 'resp_1', object: 'response', status: 'in_progress', output: [] };
  const at = { item_id: 'msg_1', output_index: 0, content_index: 0 };
  const total = Math.ceil((mib * MiB) / piece.length);
  let n = -3;
  return new ReadableStream({
    pull(c) {
      n++;
      if (n === -2) c.enqueue(frame({ type: 'response.created', response: base }));
      else if (n === -1) {
        c.enqueue(frame({ type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } }));
        c.enqueue(frame({ type: 'response.content_part.added', ...at, part: { type: 'output_text', text: '', annotations: [] } }));
        if (json) c.enqueue(frame({ type: 'response.output_text.delta', ...at, delta: '{"t":"' }));
      } else if (n < total) {
        c.enqueue(frame({ type: 'response.output_text.delta', ...at, delta: piece }));
      } else {
        // The terminal response leaves out the output (a whole text of 64 MiB would pass the
        // 16 MiB event limit): the streamed output stands.
        if (json) c.enqueue(frame({ type: 'response.output_text.delta', ...at, delta: '"}' }));
        c.enqueue(frame({ type: 'response.completed', response: { id: 'resp_1', object: 'response', status: 'completed' } }));
        c.close();
      }
    },
  });
}

async function streamThrough(mib, json) {
  const { client } = scripted(() => new Response(lazyBody(mib, { json }), { headers: SSE }));
  const params = { model: 'm', input: 'hi' };
  if (json) params.text = { format: { type: 'json_schema', name: 't', schema: { type: 'object' } } };
  const stream = client.stream(params);
  let partial;
  for await (const _ of stream) if (json) partial = stream.partialParsed;
  const final = await stream.finalResponse();
  return { length: final.output_text.length, partial, parsed: final.output_parsed };
}

test('a json_schema stream of 64 MiB grows wasm memory no more than a plain stream does', async () => {
  assert.ok(wasm.memory instanceof WebAssembly.Memory, 'reached the wasm memory');
  const m0 = wasm.memory.buffer.byteLength;
  const plain = await streamThrough(64, false);
  const m1 = wasm.memory.buffer.byteLength;
  const structured = await streamThrough(64, true);
  const m2 = wasm.memory.buffer.byteLength;
  assert.ok(plain.length >= 64 * MiB && structured.length >= 64 * MiB);
  assert.equal(structured.parsed.t.length, structured.length - 8);
  assert.equal(structured.partial.t.length, structured.length - 8, 'partialParsed followed every delta');
  const plainGrowth = m1 - m0;
  const structuredGrowth = m2 - m1;
  console.log(`wasm memory: start ${m0 / MiB} MiB, after plain ${m1 / MiB} MiB, after json_schema ${m2 / MiB} MiB`);
  // Memory never shrinks: the plain stream set the high-water mark; the structured one may not
  // need more than it again (the text is 64 MiB; keeping it would take far more).
  assert.ok(structuredGrowth <= Math.max(plainGrowth, 16 * MiB), `json_schema grew wasm memory by ${structuredGrowth / MiB} MiB`);
  assert.ok(m2 - m0 < 48 * MiB, `wasm memory grew by ${(m2 - m0) / MiB} MiB for 64 MiB of text`);
});

test('a text longer than a JavaScript string can be is a StreamError with the snapshot', () => {
  const big = 'x'.repeat(constants.MAX_STRING_LENGTH - 1); // a rope: no 512 MB allocated
  const mirror = new Mirror();
  mirror.value = { output: [{ type: 'message', content: [{ type: 'output_text', text: big }] }], output_text: big };
  const before = mirror.value;
  const append = (path) => () => mirror.apply([['a', path, 'delta']], { delta: 'yy' });
  for (const path of [['output_text'], ['output', 0, 'content', 0, 'text']]) {
    assert.throws(append(path), (e) => {
      assert.ok(e instanceof StreamError, `${e.name}: ${e.message}`);
      assert.equal(e.response, before);
      assert.match(e.message, /longer than a JavaScript string/);
      return true;
    });
  }
  assert.throws(() => mirror.apply([['j', ['output_text'], [['output_text'], ['output_text']]]], {}), StreamError);
  assert.throws(() => mirror.apply([['c', ['output_text'], 'zz']], {}), StreamError);
  // Under the limit, appends are unchanged.
  mirror.apply([['a', ['output_text'], 'delta']], { delta: 'y' });
  assert.equal(mirror.value.output_text.length, constants.MAX_STRING_LENGTH);
});

// A body whose frames are read one at a time (the API key is long enough to be redacted).
const at0 = { item_id: 'msg_1', output_index: 0, content_index: 0 };
function framesBody(events) {
  const enc = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i < events.length) c.enqueue(enc.encode(`data: ${JSON.stringify(events[i++])}\n\n`));
      else c.close();
    },
  }, { highWaterMark: 0 });
}
function streamOf(events, params = {}) {
  const { client } = scripted(() => new Response(framesBody(events), { headers: SSE }), { apiKey: KEY });
  return client.stream({ model: 'm', input: 'hi', ...params });
}
const opening = (deltas) => [
  { type: 'response.created', response: { id: `resp_${KEY}`, object: 'response', status: 'in_progress', output: [] } },
  { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } },
  { type: 'response.content_part.added', ...at0, part: { type: 'output_text', text: '', annotations: [] } },
  ...deltas.map((delta) => ({ type: 'response.output_text.delta', ...at0, delta })),
];

/** A text of `length` characters (a rope: nothing that size is allocated) holding the key at its start, across a 1 MiB mark and at its end. */
function keyedText(length) {
  const cut = 1 << 20;
  const head = `${KEY}${'x'.repeat(cut - 20 - KEY.length)}${KEY}`;
  return head + 'x'.repeat(length - head.length - KEY.length + 3) + KEY.slice(3);
}
function assertKeyRedacted(text, length, what) {
  assert.ok(text.startsWith('[redacted]x'), `${what}: starts with ${text.slice(0, 40)}`);
  const mark = text.indexOf('[redacted]', 10);
  assert.equal(mark, (1 << 20) - 20 - KEY.length + 10, `${what}: the key across the 1 MiB mark`);
  assert.ok(text.endsWith('x[redacted]'), `${what}: ends with ${text.slice(-40)}`);
  assert.equal(text.length, length - 3 * KEY.length + 3 + 30, what);
  for (let i = 0; i + 10 <= KEY.length; i += 7) assert.ok(!text.slice(0, 2 << 20).includes(KEY.slice(i, i + 10)), what);
}

// [what, the deltas of the stream, the length of the text set in the snapshot]: a text one character
// too long for a string; a snapshot too large to stringify (the body ends without a terminal event:
// the core's StreamError gets the snapshot).
const TOO_LARGE = [
  ['a text too long for a string', ['a', 'b'], constants.MAX_STRING_LENGTH, /longer than a JavaScript string/],
  ['a snapshot too large to stringify', ['a'], (constants.MAX_STRING_LENGTH >> 1) + 64, /./],
];
for (const [what, deltas, length, message] of TOO_LARGE) {
  test(`${what}: the StreamError carries the snapshot with the key redacted`, async () => {
    const stream = streamOf(opening(deltas));
    const { error: err } = await collect(stream, (e) => {
      if (e.delta !== 'a') return;
      const big = keyedText(length);
      stream.response.output_text = big;
      stream.response.output[0].content[0].text = big;
    });
    assert.equal(err?.name, 'StreamError', `${err?.name}: ${err?.message}`);
    assert.match(err.message, message);
    assert.equal(err.response.id, 'resp_[redacted]');
    assertKeyRedacted(err.response.output_text, length, 'output_text');
    assertKeyRedacted(err.response.output[0].content[0].text, length, 'the part');
  });
}

test('json_schema: a terminal event without output and a text that is not JSON → OutputParseError with the whole text, redacted', async () => {
  const deltas = ['{"name": "', `Ada ${KEY}`, '", oops'];
  const events = [...opening(deltas), { type: 'response.completed', response: { id: 'resp_1', object: 'response', status: 'completed' } }];
  const stream = streamOf(events, { text: { format: { type: 'json_schema', name: 't', schema: { type: 'object' } } } });
  for await (const _ of stream);
  await assert.rejects(stream.finalResponse(), (e) => {
    assert.equal(e.name, 'OutputParseError', `${e.name}: ${e.message}`);
    assert.equal(e.text, '{"name": "Ada [redacted]", oops');
    return true;
  });
});

test('a custom fetch whose header is not a string: a TypeError, and nothing of the others stays in wasm memory', async () => {
  const { ResponsesClient } = await import('cometapi-responses');
  let first = null;
  const fetch = async () => ({
    status: 200,
    headers: { get: (name) => ((first ??= name) === name ? 'x'.repeat(MiB) : Symbol('not a string')) },
  });
  const client = new ResponsesClient({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/v1', fetch, maxRetries: 0 });
  const fail = () => assert.rejects(client.create({ model: 'm', input: 'x' }), TypeError);
  await fail();
  const before = wasm.memory.buffer.byteLength;
  for (let i = 0; i < 40; i++) await fail();
  assert.ok(wasm.memory.buffer.byteLength - before < 8 * MiB, `wasm memory grew by ${(wasm.memory.buffer.byteLength - before) / MiB} MiB`);
});
