// The official openai npm SDK, unchanged, against the mock Responses backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { NotFoundError, BadRequestError, InternalServerError } from 'openai';
import { useMock, has, isError, finished, deltaText } from './client-helpers.mjs';
import { validate, strictObject } from './mock-schema-check.mjs';

const { srv } = await useMock({ delayMs: 0, backgroundMs: 300 });
const client = new OpenAI({ apiKey: 'test', baseURL: `${srv.url}/v1`, maxRetries: 0 });

const HOUR = { type: 'integer', minimum: 0, maximum: 23 };
const WEATHER_SCHEMA = strictObject({
  location: { type: 'string', description: 'City and country' },
  unit: { type: 'string', enum: ['fahrenheit', 'celsius'] },
  days: { type: 'integer', minimum: 5, maximum: 10 },
  threshold: { type: 'number', minimum: 0, maximum: 1 },
  include_hourly: { type: 'boolean' },
  tags: { type: 'array', items: { type: 'string' }, minItems: 3 },
  window: strictObject({ from: { type: 'string', format: 'date' }, hours: { type: 'array', items: HOUR } }),
  note: { type: ['string', 'null'] },
});
const tools = [{ type: 'function', name: 'get_weather', description: 'Weather for a place', parameters: WEATHER_SCHEMA, strict: true }];

test('SDK: responses.create returns a completed response quoting the input', async () => {
  const r = await client.responses.create({ model: 'my-model-x', input: 'Hello from the SDK' });
  has(r, { object: 'response', status: 'completed', model: 'my-model-x' });
  assert.match(r.id, /^resp_[0-9a-f]{50}$/);
  for (const re of [/You said: "Hello from the SDK"/, /mock/]) assert.match(r.output_text, re);
  assert.ok(r.usage.input_tokens > 0 && r.usage.output_tokens > 0);
  assert.equal(r.usage.total_tokens, r.usage.input_tokens + r.usage.output_tokens);
  assert.deepEqual(r.usage.input_tokens_details, { cached_tokens: 0 });
  assert.equal(typeof r.usage.output_tokens_details.reasoning_tokens, 'number');
});

test('SDK: responses.stream — ordered events, sequence numbers 0..n, text = deltas, finalResponse()', async () => {
  const { events, final } = await finished(client.responses.stream({ model: 'm', input: 'Stream this please' }));
  const deltas = deltaText(events);
  assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i));
  const types = events.map((e) => e.type);
  assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
  assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
  assert.ok(types.filter((t) => t === 'response.output_text.delta').length >= 20, 'tens of deltas');
  has(final, { status: 'completed', output_text: deltas });
  assert.match(deltas, /Stream this please/);
});

test('SDK: function call with schema-valid arguments, then the follow-up with function_call_output', async () => {
  const stream = client.responses.stream({ model: 'm', input: 'What is the weather in Paris?', tools });
  const argDeltas = [];
  stream.on('response.function_call_arguments.delta', (e) => argDeltas.push(e.delta));
  const first = await stream.finalResponse();
  const call = first.output.find((o) => o.type === 'function_call');
  has(call, { name: 'get_weather' }, 'a function_call item');
  assert.match(call.call_id, /^call_/);
  assert.ok(argDeltas.length > 3);
  assert.equal(argDeltas.join(''), call.arguments);
  const args = JSON.parse(call.arguments);
  assert.deepEqual(validate(WEATHER_SCHEMA, args), []);

  const second = await client.responses.create({
    model: 'm',
    previous_response_id: first.id,
    tools,
    input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temperature":"21C","sky":"clear"}' }],
  });
  assert.equal(second.previous_response_id, first.id);
  for (const re of [/get_weather/, /21C/, /turn 2/]) assert.match(second.output_text, re);
});

test('SDK: tool_choice "required" forces a call; tool_choice "none" answers in text', async () => {
  const forced = await client.responses.create({ model: 'm', input: 'hello', tools, tool_choice: 'required' });
  assert.equal(forced.output[0].type, 'function_call');
  const none = await client.responses.create({ model: 'm', input: 'what is the weather', tools, tool_choice: 'none' });
  assert.equal(none.output[0].type, 'message');
});

test('SDK: json_schema output is JSON valid against the schema (responses.parse too)', async () => {
  const schema = strictObject({
    title: { type: 'string', maxLength: 12 },
    rating: { type: 'integer', minimum: 1, maximum: 5 },
    score: { type: 'number', minimum: 10 },
    good: { type: 'boolean' },
    genre: { type: 'string', enum: ['drama', 'comedy'] },
    actors: { type: 'array', items: strictObject({ name: { type: 'string' } }), minItems: 2 },
  });
  const text = { format: { type: 'json_schema', name: 'review', schema, strict: true } };
  const stream = client.responses.stream({ model: 'm', input: 'Review a film', text });
  const value = JSON.parse((await stream.finalResponse()).output_text);
  assert.deepEqual(validate(schema, value), []);
  assert.deepEqual((await client.responses.parse({ model: 'm', input: 'Review a film', text })).output_parsed, value);
  const obj = await client.responses.create({ model: 'm', input: 'Give me json', text: { format: { type: 'json_object' } } });
  const o = JSON.parse(obj.output_text);
  assert.deepEqual([typeof o, o.you_said], ['object', 'Give me json']);
});

test('SDK: reasoning summary streamed before the message', async () => {
  const thinking = { model: 'm', input: 'Think first', reasoning: { effort: 'high', summary: 'auto' } };
  const { events, final: r } = await finished(client.responses.stream(thinking));
  const types = events.map((e) => e.type);
  assert.deepEqual(r.output.map((o) => o.type), ['reasoning', 'message']);
  assert.equal(r.output[0].summary.length, 2);
  assert.ok(types.indexOf('response.reasoning_summary_part.added') < types.indexOf('response.reasoning_summary_text.delta'));
  assert.ok(types.includes('response.reasoning_summary_text.done'));
  assert.ok(types.lastIndexOf('response.reasoning_summary_part.done') < types.indexOf('response.content_part.added'));
  assert.ok(r.usage.output_tokens_details.reasoning_tokens > 0);
});

test('SDK: retrieve, inputItems.list, delete (then NotFoundError)', async () => {
  const r = await client.responses.create({
    model: 'm',
    input: [
      { role: 'developer', content: 'Be brief.' },
      { role: 'user', content: 'First question' },
      { role: 'user', content: [{ type: 'input_text', text: 'Second question' }] },
    ],
  });
  assert.match(r.output_text, /Second question/);
  has(await client.responses.retrieve(r.id), { id: r.id, output_text: r.output_text });

  const page = await client.responses.inputItems.list(r.id, { order: 'asc' });
  const seen = [page.data.length, page.data[0].role, page.data[2].content[0].text];
  assert.deepEqual(seen, [3, 'developer', 'Second question']);
  const all = [];
  for await (const item of client.responses.inputItems.list(r.id, { limit: 1 })) all.push(item);
  assert.deepEqual(all.map((i) => i.id), [...page.data].reverse().map((i) => i.id), 'desc by default, paginated with after');

  await client.responses.delete(r.id);
  await assert.rejects(client.responses.retrieve(r.id), NotFoundError);
});

test('SDK: background + cancel, and stream replay with starting_after', async () => {
  const bg = await client.responses.create({ model: 'm', input: 'Run in the background', background: true });
  has(bg, { status: 'queued', background: true });
  const { events, final: done } = await finished(client.responses.stream({ response_id: bg.id, starting_after: 4 }));
  assert.equal(events[0].sequence_number, 5);
  assert.equal(done.status, 'completed');
  assert.match(done.output_text, /Run in the background/);
  assert.equal((await client.responses.retrieve(bg.id)).status, 'completed');

  const bg2 = await client.responses.create({ model: 'm', input: 'cancel me', background: true });
  assert.equal((await client.responses.cancel(bg2.id)).status, 'cancelled');
  assert.equal((await client.responses.retrieve(bg2.id)).status, 'cancelled');

  const fg = await client.responses.create({ model: 'm', input: 'not background' });
  await assert.rejects(client.responses.cancel(fg.id), BadRequestError);
});

test('SDK: errors map to its classes; retries honour retry-after-ms (fail-first)', async () => {
  await assert.rejects(client.responses.create({ model: 'm', input: 'x', temperature: 3 }), (e) => {
    isError(e, BadRequestError, { param: 'temperature', code: 'decimal_above_max_value' });
    assert.match(e.requestID, /^req_/);
    return true;
  });
  await assert.rejects(client.responses.create({ model: 'm', input: 'x' }, { headers: { 'x-mock-fault': 'status=500' } }), InternalServerError);
  const retrying = new OpenAI({ apiKey: 'test', baseURL: `${srv.url}/v1`, maxRetries: 2 });
  const key = `sdk-retry-${Math.random()}`;
  const before = srv.requests.length;
  const r = await retrying.responses.create(
    { model: 'm', input: 'retry me' },
    { headers: { 'x-mock-fault': 'fail-first=2;status=503;retry-after-ms=5', 'x-mock-fault-key': key } },
  );
  assert.equal(r.status, 'completed');
  const attempts = srv.requests.slice(before).filter((q) => q.headers['x-mock-fault-key'] === key);
  assert.equal(attempts.length, 3);
  assert.equal(attempts[0].headers.authorization, 'REDACTED');
});
