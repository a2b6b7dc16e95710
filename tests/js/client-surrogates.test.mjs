// Lone surrogates (JS strings that are not well-formed UTF-16) are handled as JSON.parse and
// JSON.stringify handle them: params holding one are valid and go on the wire exactly as
// JSON.stringify writes them (an escape such as \ud83d, never U+FFFD); a response holding one
// (text, arguments) reads as JSON.parse reads it, in stream(), create() and the tool loop; a tool's
// output holding one goes back to the model as JSON.stringify writes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functionTool } from 'cometapi-responses';
import { response, message, fnCall, sseAnswer, jsonAnswer, scripted } from './sdk-helpers.mjs';

const HALF_EMOJI = 'Great news 😀'.slice(0, 12);
const LONE = `lone \ud800 and \udfff`;

const withStream = (params) => `{"stream":true,${JSON.stringify(params).slice(1)}`;

test('params holding lone surrogates are sent byte for byte as JSON.stringify writes them, by every method with a body', async () => {
  assert.equal(HALF_EMOJI.isWellFormed(), false);
  const params = { model: 'm', input: [{ role: 'user', content: HALF_EMOJI }], metadata: { note: LONE } };
  let sse = false;
  const { client, requests } = scripted(() => (sse ? sseAnswer(response([message('ok')])) : jsonAnswer(response([message('ok')]))));
  const calls = [
    ['create', () => client.create(params), JSON.stringify(params)],
    ['stream', () => client.stream(params).finalResponse(), withStream(params)],
    ['parse', () => client.parse(params), JSON.stringify(params)],
    ['countInputTokens', () => client.countInputTokens(params), JSON.stringify(params)],
    ['compact', () => client.compact(params), JSON.stringify(params)],
    ['conversations.create', () => client.conversations.create({ items: params.input, metadata: { note: LONE } }), JSON.stringify({ items: params.input, metadata: { note: LONE } })],
    ['conversations.update', () => client.conversations.update('conv_1', { metadata: { note: LONE } }), JSON.stringify({ metadata: { note: LONE } })],
    ['conversations.items.create', () => client.conversations.items.create('conv_1', { items: params.input }), JSON.stringify({ items: params.input })],
  ];
  for (const [name, run, expected] of calls) {
    requests.length = 0;
    sse = name === 'stream';
    await run();
    assert.deepEqual(requests.map((r) => r.text), [expected], `${name}: one body, as JSON.stringify writes it`);
    assert.match(requests[0].text, /\\ud8/, `${name}: escaped`);
    assert.ok(!requests[0].text.includes('\ufffd'), `${name}: no U+FFFD`);
  }
});

test('a stream() whose params say stream: false, or a create() whose params say stream: true: the lone surrogates are kept', async () => {
  const { client, requests } = scripted((_, n) => (n === 0 ? sseAnswer(response([message('ok')])) : jsonAnswer(response([message('ok')]))));
  await client.stream({ model: 'm', input: HALF_EMOJI, stream: false }).finalResponse();
  await client.create({ model: 'm', input: HALF_EMOJI, stream: true });
  assert.deepEqual(requests.map((r) => r.body), [
    { model: 'm', input: HALF_EMOJI, stream: true },
    { model: 'm', input: HALF_EMOJI, stream: false },
  ]);
  for (const { text } of requests) assert.ok(text.includes('"Great news \\ud83d"'), text);
});

test('a response with lone surrogates: create(), stream() and its output_text read as JSON.parse reads them', async () => {
  // Two parts whose halves meet in output_text (a pair, as JS concatenates), then a lone one.
  const final = response([{ ...message('a\ud83d'), content: [{ type: 'output_text', text: 'a\ud83d', annotations: [] }, { type: 'output_text', text: '\ude00b \udfff', annotations: [] }] }]);
  const { client } = scripted((_, n) => (n === 0 ? jsonAnswer(final) : sseAnswer(final, 2)));
  const created = await client.create({ model: 'm', input: 'x' });
  assert.deepEqual([created.output_text, created.output[0].content[1].text], ['a😀b \udfff', '\ude00b \udfff']);
  assert.equal((await client.stream({ model: 'm', input: 'x' }).finalResponse()).output_text, 'a😀b \udfff');
});

test('a tool that returns half an emoji: its output goes back as JSON.stringify writes it, the other outputs are untouched', async () => {
  const first = response([fnCall('half', '{}', 'c1'), fnCall('plain', '{"x":1}', 'c2'), fnCall('object', '{}', 'c3')]);
  const { client, requests } = scripted((_, n) => sseAnswer(n === 0 ? first : response([message('done')])));
  const tools = [
    functionTool({ name: 'half', execute: () => HALF_EMOJI }),
    functionTool({ name: 'plain', execute: () => 'fine' }),
    functionTool({ name: 'object', execute: () => ({ note: LONE }) }),
  ];
  const run = client.runTools({ model: 'm', input: 'hi', tools });
  assert.equal((await run.finalResponse()).output_text, 'done');
  const calls = run.steps[0].toolCalls;
  const outputs = [HALF_EMOJI, 'fine', JSON.stringify({ note: LONE })];
  assert.deepEqual(calls.map((c) => [c.output, c.error]), outputs.map((o) => [o, undefined]));
  assert.deepEqual(requests[1].body.input.map((i) => i.output), outputs);
  assert.ok(requests[1].text.includes(`"output":"Great news \\ud83d"`), requests[1].text);
  assert.ok(!requests[1].text.includes('\ufffd'));
});

for (const store of [true, false]) {
  test(`a response with a lone surrogate in its text and in a call's arguments goes through runTools (store: ${store})`, async () => {
    // Arguments whose string holds the lone code unit itself, and arguments that escape it.
    const raw = `{"s":"${'\ud800'}x"}`;
    const escaped = JSON.stringify({ s: '\udc00y' });
    const first = response([message(`thinking \ud800`), fnCall('echo', raw, 'c1'), fnCall('echo', escaped, 'c2')]);
    const { client, requests } = scripted((_, n) => sseAnswer(n === 0 ? first : response([message('done \udfff')])));
    const got = [];
    const echo = functionTool({ name: 'echo', execute: (args) => (got.push(args.s), args.s) });
    const run = client.runTools({ model: 'm', input: 'hi', store, tools: [echo] });
    assert.equal((await run.finalResponse()).output_text, 'done \udfff');
    assert.deepEqual(got, ['\ud800x', '\udc00y'], 'the arguments as JSON.parse(arguments) reads them');
    assert.deepEqual(run.steps[0].toolCalls.map((c) => [c.arguments, c.output, c.error]), [
      [raw, '\ud800x', undefined],
      [escaped, '\udc00y', undefined],
    ]);
    const sent = requests[1].body;
    const outputs = sent.input.filter((i) => i.type === 'function_call_output').map((i) => i.output);
    assert.deepEqual(outputs, ['\ud800x', '\udc00y']);
    if (!store) {
      // The whole history goes back: the items as they came, lone surrogates and all.
      const items = sent.input.filter((i) => i.type === 'message' || i.type === 'function_call');
      assert.deepEqual(items.slice(1), first.output);
    }
    assert.ok(!requests[1].text.includes('\ufffd'));
  });
}

test('PartialJsonParser: lone surrogates in the pushed text, and pairs split between pushes, as JSON.parse reads them', async () => {
  const { PartialJsonParser } = await import('cometapi-responses');
  /** The parser's value after pushing `pieces` and finishing. */
  const valueOf = (pieces) => {
    const p = new PartialJsonParser();
    for (const piece of pieces) p.push(piece);
    p.finish();
    const { value } = p;
    p.free();
    return value;
  };
  const docs = ['{"a":"x\ud800y\ud83d\ude00 \udfff","\udc00k":["\ud83d"]}', '["\\\\\ud800", "\\\\\\\\\ud800"]', '{"s":"Great news 😀 and 😀"}'];
  for (const doc of docs) {
    const want = JSON.parse(doc);
    // every cut, surrogate pairs split included
    for (let cut = 0; cut <= doc.length; cut++) {
      assert.deepStrictEqual(valueOf([doc.slice(0, cut), doc.slice(cut)]), want, `${JSON.stringify(doc)} cut at ${cut}`);
    }
    // one code unit at a time
    assert.deepStrictEqual(valueOf([...doc].flatMap((c) => c.split(''))), want, `${JSON.stringify(doc)} unit by unit`);
  }
  // A lone surrogate escaped by a backslash is an invalid escape, as for JSON.parse: no value for it.
  const bad = '["\\\ud800"]';
  assert.throws(() => JSON.parse(bad));
  for (let cut = 0; cut <= bad.length; cut++) {
    assert.notDeepStrictEqual(valueOf([bad.slice(0, cut), bad.slice(cut)]), ['\\ud800'], `cut at ${cut}`);
  }
});
