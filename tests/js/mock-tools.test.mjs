// The mock model with tools and structured outputs: arguments drawn from the prompt,
// several calls in one response, later rounds of calls, `store: false` with the history
// resent, and json_schema answers streamed in many small deltas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inProcessMock, has, statusOf, apiError } from './client-helpers.mjs';
import { validate, strictObject } from './mock-schema-check.mjs';

const { mock, BASE, ok, post, streamed } = inProcessMock();

const WEATHER = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: strictObject({ city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }),
  strict: true,
};
const calls = (r) => r.output.filter((o) => o.type === 'function_call');
const args = (r) => calls(r).map((c) => JSON.parse(c.arguments));
const outputsFor = (r) => calls(r).map((c) => ({ type: 'function_call_output', call_id: c.call_id, output: `weather of ${JSON.parse(c.arguments).city}: 20 degrees` }));

test('arguments come from the prompt: Lisbon is Lisbon, not Paris', async () => {
  const cases = [
    ["What's the weather in Lisbon?", { city: 'Lisbon', unit: 'celsius' }],
    ['How warm is it in Buenos Aires, in fahrenheit?', { city: 'Buenos Aires', unit: 'fahrenheit' }],
    ['weather in Paris, France please', { city: 'Paris, France', unit: 'celsius' }],
  ];
  const tools = [WEATHER];
  for (const [input, want] of cases) assert.deepEqual(args(await ok({ model: 'm', input, tools })), [want], input);
  // no place in the prompt: the schema's example
  assert.equal(args(await ok({ model: 'm', input: 'what is the weather like?', tools }))[0].unit, 'celsius');
});

test('string, number and format parameters are filled from the prompt where it has a value', async () => {
  const properties = {
    origin: { type: 'string' },
    query: { type: 'string' },
    days: { type: 'integer', minimum: 1, maximum: 14 },
    email: { type: 'string', format: 'email' },
    date: { type: 'string', format: 'date' },
    seats: { type: 'integer', minimum: 1, maximum: 4 },
  };
  const parameters = { type: 'object', properties, required: Object.keys(properties) };
  const search = { type: 'function', name: 'search_flights', parameters };
  const input = 'Use search_flights from Oslo for 5 days starting 2026-03-14, mail ana@example.org, 9 seats';
  const [a] = args(await ok({ model: 'm', input, tools: [search] }));
  has(a, { origin: 'Oslo', query: input, days: 5, email: 'ana@example.org', date: '2026-03-14' });
  assert.ok(a.seats >= 1 && a.seats <= 4, `9 seats is out of range, so the schema's value: ${a.seats}`);
});

test('two cities: two calls in one response; their outputs give the answer', async () => {
  const first = await ok({ model: 'm', input: 'Compare the weather in Paris and Tokyo', tools: [WEATHER] });
  assert.deepEqual(args(first).map((a) => a.city), ['Paris', 'Tokyo']);
  const [a, b] = calls(first);
  assert.notEqual(a.call_id, b.call_id);
  const events = await streamed({ model: 'm', input: 'Compare the weather in Paris and Tokyo', tools: [WEATHER] });
  assert.deepEqual(events.filter((e) => e.type === 'response.output_item.added').map((e) => [e.output_index, e.item.type]), [[0, 'function_call'], [1, 'function_call']]);
  const answer = await ok({ model: 'm', previous_response_id: first.id, tools: [WEATHER], input: outputsFor(first) });
  assert.equal(answer.output[0].type, 'message');
  assert.match(answer.output[0].content[0].text, /weather of Paris.*weather of Tokyo/);
});

test('parallel_tool_calls: false makes one call per response, the next after each output', async () => {
  const p = { model: 'm', input: 'Weather in Paris and Tokyo', tools: [WEATHER], parallel_tool_calls: false };
  const r1 = await ok(p);
  assert.deepEqual(args(r1).map((a) => a.city), ['Paris']);
  const r2 = await ok({ ...p, input: outputsFor(r1), previous_response_id: r1.id });
  assert.deepEqual(args(r2).map((a) => a.city), ['Tokyo']);
  const r3 = await ok({ ...p, input: outputsFor(r2), previous_response_id: r2.id });
  assert.deepEqual([calls(r3).length, r3.output[0].type], [0, 'message']);
});

test('"…, then …": a second round of calls after the first outputs', async () => {
  const p = { model: 'm', tools: [WEATHER] };
  const r1 = await ok({ ...p, input: 'Get the weather in Paris and Tokyo, then in Lisbon' });
  assert.deepEqual(args(r1).map((a) => a.city), ['Paris', 'Tokyo']);
  const r2 = await ok({ ...p, previous_response_id: r1.id, input: outputsFor(r1) });
  assert.deepEqual(args(r2).map((a) => a.city), ['Lisbon']);
  const r3 = await ok({ ...p, previous_response_id: r2.id, input: outputsFor(r2) });
  for (const re of [/weather of Lisbon/, /turn 3/]) assert.match(r3.output[0].content[0].text, re);
  // a new question in the same conversation starts over
  const r4 = await ok({ ...p, previous_response_id: r3.id, input: 'And in Oslo?' });
  assert.deepEqual(args(r4).map((a) => a.city), ['Oslo']);
});

test('store: false: nothing stored, no chaining; the history resent in input drives the rounds', async () => {
  const p = { model: 'm', tools: [WEATHER], store: false, reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'] };
  const question = { role: 'user', content: 'Weather in Paris, then in Lisbon' };
  const r1 = await ok({ ...p, input: [question] });
  assert.equal(r1.store, false);
  assert.equal(await statusOf(mock.fetch(new Request(`${BASE}/responses/${r1.id}`))), 404);
  const chained = await post({ ...p, previous_response_id: r1.id, input: outputsFor(r1) });
  apiError(chained, 400, { code: 'previous_response_not_found', param: 'previous_response_id' });

  const reasoning = r1.output.find((o) => o.type === 'reasoning');
  assert.equal(typeof reasoning.encrypted_content, 'string');
  assert.deepEqual(args(r1).map((a) => a.city), ['Paris']);
  const history = [question, ...r1.output, ...outputsFor(r1)];
  const r2 = await ok({ ...p, input: history });
  assert.deepEqual(args(r2).map((a) => a.city), ['Lisbon'], 'the second round, from the resent history');
  const r3 = await ok({ ...p, input: [...history, ...r2.output, ...outputsFor(r2)] });
  assert.equal(r3.output.at(-1).type, 'message');
  for (const re of [/weather of Lisbon/, /turn 3/]) assert.match(r3.output.at(-1).content[0].text, re);

  // The history must be whole: a call without its output, a reasoning item without its
  // encrypted content (not stored anywhere), or content that is not the server's.
  const noOutput = apiError(await post({ ...p, input: [question, ...r1.output] }), 400);
  assert.match(noOutput.message, /No tool output found for function call call_/);
  const unencrypted = [{ ...reasoning, encrypted_content: undefined }, ...r1.output.filter((o) => o.type !== 'reasoning')];
  const bare = apiError(await post({ ...p, input: [question, ...unencrypted, ...outputsFor(r1)] }), 404);
  assert.match(bare.message, /Items are not persisted when `store` is set to false/);
  const forged = await post({ ...p, input: [question, { ...reasoning, encrypted_content: btoa('forged') }] });
  apiError(forged, 400, { code: 'invalid_encrypted_content' });
});

test('json_schema answers: valid JSON built from the schema, filled from the prompt, in many small deltas', async () => {
  const activity = strictObject({ name: { type: 'string' }, hours: { type: 'number' } });
  const schema = strictObject({
    city: { type: 'string' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 10 },
    activities: { type: 'array', items: activity, minItems: 2 },
    summary: { type: 'string' },
  });
  const events = await streamed({ model: 'm', input: 'Plan 4 days in Lisbon, temperatures in fahrenheit', text: { format: { type: 'json_schema', name: 'trip', schema, strict: true } } });
  const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta);
  const text = deltas.join('');
  const value = JSON.parse(text);
  assert.deepEqual(validate(schema, value), []);
  has(value, { city: 'Lisbon', unit: 'fahrenheit', days: 4 });
  assert.ok(deltas.every((d) => Array.from(d).length <= 4), `deltas of at most 4 characters: ${deltas.slice(0, 10)}`);
  assert.ok(deltas.length >= Array.from(text).length / 3, `${deltas.length} deltas for ${text.length} characters`);
  assert.equal(events.at(-1).response.output[0].content[0].text, text);
});
