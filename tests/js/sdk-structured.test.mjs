// Structured outputs: jsonSchemaFormat, client.parse() → output_parsed, json_schema
// streams → partialParsed and finalResponse().output_parsed, OutputParseError; a format's
// `validate` (any Standard Schema, sync or async) is applied and never sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonSchemaFormat, PartialJsonParser, OutputParseError, CometApiError } from 'cometapi-responses';
import { useMock, collect, fails, drained } from './client-helpers.mjs';
import { strictObject } from './mock-schema-check.mjs';
import { scripted, jsonAnswer, sseAnswer, sseText, response, message, refusal, fnCall, personSchema, schema } from './sdk-helpers.mjs';

const TAGS = { type: 'array', items: { type: 'string' } };
const PERSON = strictObject({ name: { type: 'string' }, age: { type: 'integer' }, tags: TAGS });

const { client } = await useMock();

const params = (format, input = 'Ada Lovelace, 36') => ({ model: 'mock', input, text: { format } });

test('jsonSchemaFormat is the plain wire object; strict defaults to true; validate stays off the wire (a symbol key)', () => {
  assert.deepStrictEqual(jsonSchemaFormat('person', PERSON), { type: 'json_schema', name: 'person', schema: PERSON, strict: true });
  assert.deepStrictEqual(jsonSchemaFormat('p', PERSON, { strict: false, description: 'a person' }), { type: 'json_schema', name: 'p', schema: PERSON, strict: false, description: 'a person' });
  const validate = personSchema();
  const f = jsonSchemaFormat('person', PERSON, { validate });
  const [key] = Object.getOwnPropertySymbols(f);
  assert.deepStrictEqual(f, { type: 'json_schema', name: 'person', schema: PERSON, strict: true, [key]: validate });
  assert.deepStrictEqual(Object.keys(f), ['type', 'name', 'schema', 'strict']);
  assert.equal(JSON.stringify(f), JSON.stringify({ type: 'json_schema', name: 'person', schema: PERSON, strict: true }));
  assert.throws(() => jsonSchemaFormat(1, PERSON), TypeError);
  assert.throws(() => jsonSchemaFormat('p', 'not a schema'), TypeError);
  assert.throws(() => jsonSchemaFormat('p', PERSON, { validate: { parse() {} } }), /Standard Schema/);
});

test('parse(): output_parsed is JSON.parse of the output text (the mock answers with the schema)', async () => {
  const r = await client.parse(params(jsonSchemaFormat('person', PERSON)));
  assert.equal(r.status, 'completed');
  assert.deepStrictEqual(r.output_parsed, JSON.parse(r.output_text));
  assert.equal(typeof r.output_parsed.name, 'string');
  assert.ok(Number.isInteger(r.output_parsed.age) && Array.isArray(r.output_parsed.tags));
  // a format written by hand works the same
  const byHand = await client.parse(params({ type: 'json_schema', name: 'person', schema: PERSON, strict: true }));
  assert.deepStrictEqual(byHand.output_parsed, JSON.parse(byHand.output_text));
});

test('parse(): validate transforms the value (sync and async); failing it is an OutputParseError with issues', async () => {
  for (const async of [false, true]) {
    const r = await client.parse(params(jsonSchemaFormat('person', PERSON, { validate: personSchema({ async }) })));
    assert.deepStrictEqual(r.output_parsed, { ...JSON.parse(r.output_text), adult: false });
  }
  const strict = schema(() => ({ issues: [{ message: 'too young', path: ['age'] }, { message: 'no' }] }), { async: true });
  const failing = jsonSchemaFormat('person', PERSON, { validate: strict });
  // A copy of the format (`{ ...format }`) keeps its validator.
  for (const format of [{ ...failing, strict: false }, { ...failing, description: 'a person' }]) {
    await fails(client.parse(params(format)), OutputParseError, { issues: [{ message: 'too young', path: ['age'] }, { message: 'no' }] });
  }
  const e = await fails(client.parse(params(failing)), OutputParseError, { name: 'OutputParseError', issues: [{ message: 'too young', path: ['age'] }, { message: 'no' }] });
  assert.ok(e instanceof CometApiError && e instanceof Error);
  assert.equal(e.response.output_text, e.text, 'the Response whose output failed');
  assert.match(e.message, /age: too young; no/);
  assert.equal(typeof e.text, 'string');
  assert.deepStrictEqual(JSON.parse(e.text).tags.length > 0, true);
  // A path may hold symbols (a Standard Schema's PropertyKey).
  const sym = schema(() => ({ issues: [{ message: 'odd', path: [Symbol('s'), { key: Symbol('k') }, 0] }] }));
  await fails(client.parse(params(jsonSchemaFormat('person', PERSON, { validate: sym }))), OutputParseError, { message: 'the output failed validation: Symbol(s).Symbol(k).0: odd' });
});

test('parse(): null on a refusal or without output text; OutputParseError (.text) for invalid JSON; exact values', async () => {
  const answers = [
    response([refusal()]),
    response([fnCall('f', '{}', 'c1')]),
    response([message(''), fnCall('f', '{}', 'c1')]),
    response([message('{"name": "Ada"')], { status: 'incomplete' }),
    response([message('{"z": 1, "a": 1e400, "__proto__": {"x": 1}, "n": -0}')]),
    response([message('{"a":1}')]),
  ];
  const { client: c, requests } = scripted((body, n) => jsonAnswer(answers[n]));
  const validate = personSchema();
  const format = jsonSchemaFormat('person', PERSON, { validate });
  assert.equal((await c.parse(params(format))).output_parsed, null, 'refusal: null, not validated');
  assert.equal((await c.parse(params(format))).output_parsed, null, 'tool calls only: null');
  assert.equal((await c.parse(params(format))).output_parsed, null, 'tool calls beside an empty text part: null');
  const e = await fails(c.parse(params(format)), OutputParseError, { text: '{"name": "Ada"', issues: undefined });
  assert.match(e.message, /not valid JSON/);
  // the answer stays on the error: why it was cut off, its id and usage
  assert.deepStrictEqual([e.response.id, e.response.status, e.response.output_text], [answers[3].id, 'incomplete', '{"name": "Ada"']);
  const exact = (await c.parse(params(jsonSchemaFormat('x', {})))).output_parsed;
  assert.deepStrictEqual(Object.keys(exact), ['z', 'a', '__proto__', 'n'], 'key order as written');
  assert.equal(exact.a, Infinity);
  assert.ok(Object.hasOwn(exact, '__proto__') && Object.is(exact.n, -0));
  // another format: output_parsed is null (nothing to parse)
  assert.equal((await c.parse(params({ type: 'json_object' }))).output_parsed, null);
  // what was sent: the format as given, without validate; create()'s body otherwise
  for (const r of requests.slice(0, 3)) {
    assert.deepStrictEqual(r.body.text.format, { type: 'json_schema', name: 'person', schema: PERSON, strict: true });
    assert.equal(r.body.stream, undefined);
  }
});

test('a json_schema stream: partialParsed reflects every event yielded, the one in hand included', async () => {
  const format = jsonSchemaFormat('person', PERSON, { validate: personSchema() });
  const stream = client.stream(params(format, 'Grace Hopper'));
  assert.equal(stream.partialParsed, undefined);
  let text = '';
  let deltas = 0;
  const seen = [];
  for await (const ev of stream) {
    if (ev.type === 'response.output_text.delta') {
      text += ev.delta;
      deltas++;
      const p = new PartialJsonParser();
      p.push(text);
      assert.deepStrictEqual(stream.partialParsed, p.value, `after ${JSON.stringify(text)}`);
      p.free();
      seen.push(JSON.stringify(stream.partialParsed));
    }
  }
  assert.ok(deltas > 10, `${deltas} deltas: the mock streams JSON in small pieces`);
  assert.ok(new Set(seen).size > 5, 'the value grew along the way');
  const final = await stream.finalResponse();
  assert.deepStrictEqual(stream.partialParsed, JSON.parse(text));
  assert.deepStrictEqual(final.output_parsed, { ...JSON.parse(final.output_text), adult: false }, 'validated');
  assert.equal(final.output_text, text);
  assert.strictEqual(stream.response, final);
});

test('plain streams have no partialParsed and no output_parsed', async () => {
  const stream = client.stream({ model: 'mock', input: 'hello' });
  for await (const ev of stream) assert.equal(stream.partialParsed, undefined, ev.type);
  assert.equal('output_parsed' in (await stream.finalResponse()), false);
  const obj = client.stream(params({ type: 'json_object' }));
  await obj.finalResponse();
  assert.equal(obj.partialParsed, undefined);
});

test('json_schema streams: a refusal gives null, invalid JSON rejects finalResponse() (the events all come)', async () => {
  const answers = [response([refusal()]), response([message('{"name": "Ada", "age": ')], { status: 'incomplete' }), response([message(''), fnCall('f', '{}', 'c1')])];
  const { client: c } = scripted((body, n) => sseAnswer(answers[n], 2));
  const format = jsonSchemaFormat('person', PERSON, { validate: personSchema() });
  const s1 = c.stream(params(format));
  await drained(s1);
  assert.equal(s1.partialParsed, undefined);
  assert.equal((await s1.finalResponse()).output_parsed, null);
  const s2 = c.stream(params(format));
  const r2 = await collect(s2);
  assert.equal(r2.error, null, 'iteration ends normally');
  assert.equal(r2.events.at(-1).type, 'response.completed');
  assert.deepStrictEqual(s2.partialParsed, { name: 'Ada' }, 'best effort');
  const e2 = await fails(s2.finalResponse(), OutputParseError, { text: '{"name": "Ada", "age": ' });
  assert.deepStrictEqual([e2.response.id, e2.response.status], [answers[1].id, 'incomplete']);
  // Only an empty text part beside a tool call: nothing to parse.
  const s3 = c.stream(params(format));
  await drained(s3);
  assert.equal((await s3.finalResponse()).output_parsed, null);
});

/** A message of a `phase` (`null`: the field present, without a value). */
const said = (text, phase, id) => ({ ...message(text, id), phase });
const search = { id: 'ws_1', type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'q' } };

test('output_parsed reads the messages no phase sets aside (a "commentary" preamble); output_text has every message', async () => {
  const CASES = [
    // a preamble, a built-in tool, the answer
    [[said('Let me search the web.', 'commentary', 'm1'), search, said('{"name":"Ada"}', 'final_answer', 'm2')], { name: 'Ada' }],
    // a tool turn: a preamble beside the call, nothing to parse
    [[said('Checking the weather.', 'commentary', 'm1'), fnCall('get_weather', '{"city":"Lisbon"}', 'c1')], null],
    // a phase this client does not know is set aside too; a null phase is read
    [[said('{"a":', 'final_answer', 'm1'), said('Aside.', 'a_new_phase', 'm2'), said('1}', null, 'm3')], { a: 1 }],
  ];
  for (const [output, want] of CASES) {
    const final = response(output);
    const { client: c } = scripted((body) => (body.stream ? sseAnswer(final, 2) : jsonAnswer(final)));
    const all = output.filter((m) => m.type === 'message').map((m) => m.content[0].text).join('');
    const r = await c.parse(params(jsonSchemaFormat('x', {})));
    assert.deepStrictEqual([r.output_parsed, r.output_text], [want, all]);
    const stream = c.stream(params(jsonSchemaFormat('x', {})));
    const partial = [];
    for await (const ev of stream) {
      if (ev.type === 'response.output_text.delta') partial.push(JSON.stringify(stream.partialParsed));
    }
    const f = await stream.finalResponse();
    assert.deepStrictEqual([f.output_parsed, f.output_text], [want, all]);
    assert.deepStrictEqual(stream.partialParsed, want ?? undefined);
    // the preamble's deltas leave the partial value as it was (never an error, never text)
    assert.ok(partial.every((p) => p === undefined || p.startsWith('{')), partial.join(' '));
  }
});

test('parse() and a stream run the validator on any output text, "null" included', async () => {
  const nullable = (fallback) => schema((v) => (v === null ? (fallback ?? { issues: [{ message: 'expected an object' }] }) : v));
  const final = response([message('null')]);
  const { client: c } = scripted((body) => (body.stream ? sseAnswer(final, 2) : jsonAnswer(final)));
  for (const run of [(p) => c.parse(p), (p) => c.stream(p).finalResponse()]) {
    await fails(run(params(jsonSchemaFormat('x', {}, { validate: nullable() }))), OutputParseError, { text: 'null' });
    const r = await run(params(jsonSchemaFormat('x', {}, { validate: nullable({ a: 'default' }) })));
    assert.deepStrictEqual(r.output_parsed, { a: 'default' });
  }
});

test('a message whose phase comes only with its .done leaves the parsed text, and output_parsed follows', async () => {
  let seq = 0;
  const ev = (type, fields) => ({ type, sequence_number: seq++, ...fields });
  const at = (i, id) => ({ output_index: i, item_id: id, content_index: 0 });
  const events = [
    ev('response.created', { response: { id: 'r', object: 'response', status: 'in_progress', output: [] } }),
    ev('response.output_item.added', { output_index: 0, item: { ...message('', 'm1'), content: [], status: 'in_progress' } }),
    ev('response.output_text.delta', { ...at(0, 'm1'), delta: '{"a":' }),
    ev('response.output_item.done', { output_index: 0, item: said('{"a":', 'commentary', 'm1') }),
    ev('response.output_item.added', { output_index: 1, item: { ...message('', 'm2'), content: [], status: 'in_progress' } }),
    ev('response.output_text.delta', { ...at(1, 'm2'), delta: '1}' }),
    // a terminal event without `output`: the snapshot's output stands
    ev('response.completed', { response: { id: 'r', object: 'response', status: 'completed' } }),
  ];
  const { client: c } = scripted(() => new Response(sseText(events), { headers: { 'content-type': 'text/event-stream' } }));
  const stream = c.stream(params(jsonSchemaFormat('x', {})));
  await drained(stream);
  // the text the snapshot's output gives ("1}") is not JSON: said so, with the Response
  const e = await fails(stream.finalResponse(), OutputParseError);
  assert.equal(e.response.output_text, '{"a":1}');
});
