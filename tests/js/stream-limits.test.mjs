// Limits of a stream's memory: a json_schema stream's wasm memory does not grow with its text
// (the core follows the text without keeping it), and a text longer than a JavaScript string
// can be ends in a StreamError with the snapshot, not a RangeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:buffer';

// The package's wasm memory: the instance is created on import; keep its exported memory.
let memory = null;
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const instance = new Instance(module, imports);
  memory ??= instance.exports.memory ?? null;
  return instance;
};
WebAssembly.Instance.prototype = Instance.prototype;
const { ResponsesClient } = await import('cometapi-responses');
const { Mirror } = await import('../../js/mirror.js');
const { StreamError } = await import('../../js/errors.js');
WebAssembly.Instance = Instance;

const MiB = 1024 * 1024;

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
  const client = new ResponsesClient({
    apiKey: 'sk-test',
    baseURL: 'http://lazy.invalid/v1',
    maxRetries: 0,
    fetch: async () => new Response(lazyBody(mib, { json }), { headers: { 'content-type': 'text/event-stream' } }),
  });
  const params = { model: 'm', input: 'hi' };
  if (json) params.text = { format: { type: 'json_schema', name: 't', schema: { type: 'object' } } };
  const stream = client.stream(params);
  let partial;
  for await (const _ of stream) if (json) partial = stream.partialParsed;
  const final = await stream.finalResponse();
  return { length: final.output_text.length, partial, parsed: final.output_parsed };
}

test('a json_schema stream of 64 MiB grows wasm memory no more than a plain stream does', async () => {
  assert.ok(memory instanceof WebAssembly.Memory, 'reached the wasm memory');
  const m0 = memory.buffer.byteLength;
  const plain = await streamThrough(64, false);
  const m1 = memory.buffer.byteLength;
  const structured = await streamThrough(64, true);
  const m2 = memory.buffer.byteLength;
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
