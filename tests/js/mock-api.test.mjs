// The mock Responses API over raw fetch: event order and shapes, JSON = stream,
// tools, structured output, reasoning, store, previous_response_id, background.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser } from 'eventsource-parser';
import { useMock, has } from './client-helpers.mjs';
import { errorOf } from './mock-schema-check.mjs';

const { srv } = await useMock({ delayMs: 0, backgroundMs: 400 });

const post = (path, body, headers = {}) =>
  fetch(srv.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const get = (path) => fetch(srv.url + path);
const json = async (res) => (await res).json();
const create = (body) => json(post('/v1/responses', body));
/** The JSON of GET /v1/responses/`path`. */
const got = (path) => json(get(`/v1/responses/${path}`));
const textOf = (r, i = 0) => r.output[i].content[0].text;
const deltaText = (events, type = 'response.output_text.delta') =>
  events.filter((e) => e.type === type).map((e) => e.delta).join('');

async function sse(res) {
  const events = [];
  const parser = createParser({ onEvent: (e) => events.push({ event: e.event, data: JSON.parse(e.data) }) });
  parser.feed(await (await res).text());
  for (const e of events) assert.equal(e.event, e.data.type, 'event: line matches the JSON type');
  return events.map((e) => e.data);
}
/** The events of POST /v1/responses with `body`, streamed. */
const streamed = (body) => sse(post('/v1/responses', { ...body, stream: true }));
/** The event types, each run of one type collapsed. */
const collapsed = (events) => events.map((e) => e.type).filter((t, i, a) => t !== a[i - 1]);

/** Replace ids and timestamps so two answers to the same request compare equal. */
function normalize(v) {
  return JSON.parse(JSON.stringify(v)
    .replace(/"(resp|msg|fc|rs)_[0-9a-f]{50}"/g, '"$1_X"')
    .replace(/"call_[A-Za-z0-9]{24}"/g, '"call_X"')
    .replace(/"(created_at|completed_at)":\d+/g, '"$1":0'));
}

const DOCUMENTED = [
  'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
  'response.output_text.delta', 'response.output_text.done', 'response.content_part.done',
  'response.output_item.done', 'response.completed',
];

test('a stored prompt without model or input: a Response that names a model, echoing the prompt', async () => {
  const r = await create({ prompt: { id: 'pmpt_1', variables: { city: 'Lisbon' } } });
  has(r, { object: 'response', status: 'completed', model: 'gpt-mock', prompt: { id: 'pmpt_1', variables: { city: 'Lisbon' } } });
});

test('stream: documented order, sequence numbers, indexes, ids, usage', async () => {
  const res = await post('/v1/responses', { model: 'gpt-mock', input: 'Tell me a story', stream: true });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const events = await sse(res);
  assert.deepEqual(collapsed(events), DOCUMENTED);
  events.forEach((e, i) => assert.equal(e.sequence_number, i));
  has(events[0].response, { status: 'in_progress', output: [], usage: null });
  const added = events[2];
  assert.equal(added.output_index, 0);
  assert.match(added.item.id, /^msg_[0-9a-f]{50}$/);
  assert.deepEqual({ ...added.item, id: 'x' }, { id: 'x', type: 'message', status: 'in_progress', content: [], role: 'assistant' });
  const deltas = events.filter((e) => e.type === 'response.output_text.delta');
  assert.ok(deltas.length >= 20);
  for (const d of [...deltas, events.at(-3), events.at(-4)]) {
    has(d, { item_id: added.item.id, output_index: 0, content_index: 0 });
  }
  const text = deltaText(events);
  assert.ok(deltas.every((d) => d.delta.split(' ').filter(Boolean).length <= 3), 'a few words per delta');
  assert.equal(events.find((e) => e.type === 'response.output_text.done').text, text);
  const completed = events.at(-1).response;
  has(completed, { status: 'completed', model: 'gpt-mock' });
  assert.deepEqual([completed.output[0].status, textOf(completed)], ['completed', text]);
  assert.equal(typeof completed.completed_at, 'number');
  assert.match(text, /^You said: "Tell me a story"\. /);
  const u = completed.usage;
  assert.equal(u.total_tokens, u.input_tokens + u.output_tokens);
  assert.deepEqual(Object.keys(u), ['input_tokens', 'input_tokens_details', 'output_tokens', 'output_tokens_details', 'total_tokens']);
});

test('JSON answer equals the completed response of the stream; no output_text; deterministic', async () => {
  const body = { model: 'm', input: 'Same request twice', instructions: 'Be nice', metadata: { a: 'b' }, temperature: 0.5 };
  const answer = await create(body);
  assert.equal('output_text' in answer, false);
  assert.deepEqual(normalize(answer), normalize((await streamed(body)).at(-1).response));
  has(answer, { instructions: 'Be nice', metadata: { a: 'b' }, temperature: 0.5 });
  assert.match(textOf(answer), /Your instructions were: "Be nice"/);
  assert.deepEqual(normalize(await create(body)), normalize(answer));
});

test('function call: item shape, argument deltas, arguments from the schema', async () => {
  const tools = [
    { type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
    { type: 'function', name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string', enum: ['UTC', 'CET'] }, n: { type: 'integer', minimum: 7 } }, required: ['tz', 'n'] } },
  ];
  const events = await streamed({ model: 'm', input: 'please use get_time', tools });
  const added = events.find((e) => e.type === 'response.output_item.added');
  has(added.item, { type: 'function_call', name: 'get_time', arguments: '' });
  assert.match(added.item.id, /^fc_/);
  assert.match(added.item.call_id, /^call_[A-Za-z0-9]{24}$/);
  const deltas = events.filter((e) => e.type === 'response.function_call_arguments.delta');
  assert.ok(deltas.every((d) => d.item_id === added.item.id && d.output_index === 0));
  const args = deltaText(events, 'response.function_call_arguments.delta');
  assert.equal(events.find((e) => e.type === 'response.function_call_arguments.done').arguments, args);
  assert.deepEqual(JSON.parse(args), { tz: 'UTC', n: 7 });
  has(events.at(-1).response.output[0], { status: 'completed', arguments: args });

  // "weather"/"call" in the prompt picks the first tool; no hint: plain text; tool_choice naming a function
  assert.equal((await create({ model: 'm', input: 'call something', tools })).output[0].name, 'lookup');
  assert.equal((await create({ model: 'm', input: 'hello there', tools })).output[0].type, 'message');
  const named = await create({ model: 'm', input: 'hi', tools, tool_choice: { type: 'function', name: 'lookup' } });
  assert.equal(named.output[0].name, 'lookup');
});

test('tool outputs: follow-up quotes the output; unknown call_id and missing output are 400', async () => {
  const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
  const first = await create({ model: 'm', input: 'weather?', tools });
  const next = { model: 'm', previous_response_id: first.id };
  const missing = await errorOf(post('/v1/responses', { ...next, input: 'and now?' }), 400);
  assert.match(missing.message, /No tool output found/);
  const output = { type: 'function_call_output', call_id: 'call_nope', output: 'x' };
  assert.equal((await errorOf(post('/v1/responses', { ...next, input: [output] }), 400)).param, 'input');
  const sunny = { type: 'function_call_output', call_id: first.output[0].call_id, output: 'Sunny, 25 degrees' };
  assert.match(textOf(await create({ ...next, tools, input: [sunny] })), /get_weather returned "Sunny, 25 degrees"/);
  // Stateless: the call and its output both in the input.
  const stateless = await create({
    model: 'm',
    input: [
      { role: 'user', content: 'weather?' },
      { type: 'function_call', call_id: 'call_abc', name: 'get_weather', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_abc', output: 'Rain' },
    ],
  });
  assert.match(textOf(stateless), /get_weather returned "Rain"/);
});

test('structured output: json_schema and json_object stream JSON text', async () => {
  const schema = { type: 'object', properties: { answer: { type: 'string' }, n: { type: 'number' }, ok: { type: 'boolean' }, list: { type: 'array', items: { type: 'integer' } } }, required: ['answer', 'n', 'ok', 'list'], additionalProperties: false };
  const events = await streamed({ model: 'm', input: 'Answer in JSON', text: { format: { type: 'json_schema', name: 'a', schema, strict: true } } });
  const v = JSON.parse(deltaText(events));
  assert.deepEqual(Object.keys(v), ['answer', 'n', 'ok', 'list']);
  assert.deepEqual([v.answer, typeof v.n], ['Answer in JSON', 'number']);
  assert.ok(v.list.every(Number.isInteger));
  assert.deepEqual(events.at(-1).response.text.format.schema, schema);
  const o = await create({ model: 'm', input: 'obj', text: { format: { type: 'json_object' } } });
  assert.equal(typeof JSON.parse(textOf(o)), 'object');
});

test('reasoning: summary parts streamed before the message; effort low = one part', async () => {
  const events = await streamed({ model: 'o-mock', input: 'why?', reasoning: { effort: 'low', summary: 'auto' }, include: ['reasoning.encrypted_content'] });
  assert.deepEqual(collapsed(events).slice(0, 9), [
    'response.created', 'response.in_progress', 'response.output_item.added', 'response.reasoning_summary_part.added',
    'response.reasoning_summary_text.delta', 'response.reasoning_summary_text.done', 'response.reasoning_summary_part.done',
    'response.output_item.done', 'response.output_item.added',
  ]);
  const rs = events[2].item;
  assert.match(rs.id, /^rs_/);
  assert.equal(typeof rs.encrypted_content, 'string');
  const final = events.at(-1).response;
  const summary = deltaText(events, 'response.reasoning_summary_text.delta');
  assert.deepEqual(final.output[0].summary, [{ type: 'summary_text', text: summary }]);
  assert.equal(final.output[1].type, 'message');
  assert.equal(events.find((e) => e.type === 'response.content_part.added').output_index, 1);
  assert.deepEqual(final.reasoning, { effort: 'low', summary: 'auto' });
});

test('max_output_tokens: response.incomplete with incomplete_details', async () => {
  const last = (await streamed({ model: 'm', input: 'long please', max_output_tokens: 16 })).at(-1);
  assert.equal(last.type, 'response.incomplete');
  has(last.response, { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  assert.equal(last.response.output[0].status, 'incomplete');
});

test('previous_response_id: history is used (turn number); unknown id is 400 previous_response_not_found', async () => {
  const a = await create({ model: 'm', input: 'first turn' });
  const b = await create({ model: 'm', input: 'second turn', previous_response_id: a.id });
  const c = await create({ model: 'm', input: 'third turn', previous_response_id: b.id });
  assert.match(textOf(b), /turn 2 of/);
  assert.match(textOf(c), /"third turn".*turn 3 of/s);
  assert.ok(c.usage.input_tokens > a.usage.input_tokens, 'history counts as input');
  const bad = post('/v1/responses', { model: 'm', input: 'x', previous_response_id: 'resp_missing' });
  assert.deepEqual(await errorOf(bad, 400), {
    message: "Previous response with id 'resp_missing' not found.",
    type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found',
  });
});

test('store: retrieve, input_items (order, limit, after), delete, store:false', async () => {
  const input = ['one', 'two', 'three', 'four', 'five'].map((t) => ({ role: 'user', content: t }));
  const r = await create({ model: 'm', input });
  assert.deepEqual(await got(r.id), r);
  const texts = (page) => page.data.map((i) => i.content[0].text);
  const asc = await got(`${r.id}/input_items?order=asc`);
  assert.equal(asc.object, 'list');
  assert.deepEqual(texts(asc), ['one', 'two', 'three', 'four', 'five']);
  assert.ok(asc.data.every((i) => /^msg_/.test(i.id) && i.type === 'message' && i.content[0].type === 'input_text'));
  has(asc, { first_id: asc.data[0].id, last_id: asc.data[4].id, has_more: false });
  const page = await got(`${r.id}/input_items?limit=2`);
  assert.deepEqual([texts(page), page.has_more], [['five', 'four'], true]);
  assert.deepEqual(texts(await got(`${r.id}/input_items?limit=2&after=${page.last_id}`)), ['three', 'two']);
  assert.equal((await get(`/v1/responses/${r.id}/input_items?limit=101`)).status, 400);

  const del = () => fetch(`${srv.url}/v1/responses/${r.id}`, { method: 'DELETE' });
  assert.deepEqual(await json(del()), { id: r.id, object: 'response', deleted: true });
  for (const path of [`/v1/responses/${r.id}`, `/v1/responses/${r.id}/input_items`]) {
    await errorOf(get(path), 404);
  }
  assert.equal((await del()).status, 404);

  const unstored = await create({ model: 'm', input: 'x', store: false });
  assert.equal(unstored.store, false);
  assert.equal((await get(`/v1/responses/${unstored.id}`)).status, 404);
});

test('background: queued → in_progress → completed; cancel; replay with starting_after; live stream', async () => {
  const q = await create({ model: 'm', input: 'slow job', background: true });
  has(q, { status: 'queued', background: true });
  const seen = new Set([q.status]);
  for (let i = 0; i < 200; i++) {
    const r = await got(q.id);
    seen.add(r.status);
    if (r.status === 'completed') {
      assert.match(textOf(r), /slow job/);
      break;
    }
    await new Promise((ok) => setTimeout(ok, 10));
  }
  assert.deepEqual([...seen], ['queued', 'in_progress', 'completed']);

  const opening = ['response.created', 'response.queued', 'response.in_progress'];
  const all = await sse(get(`/v1/responses/${q.id}?stream=true`));
  assert.deepEqual(all.slice(0, 3).map((e) => e.type), opening);
  assert.equal(all[0].response.status, 'queued');
  const tail = await sse(get(`/v1/responses/${q.id}?stream=true&starting_after=0`));
  assert.equal(tail[0].sequence_number, 1);
  assert.deepEqual(tail, all.slice(1));
  assert.equal((await get(`/v1/responses/${q.id}?stream=true&starting_after=x`)).status, 400);

  // stream + background: events as they happen, including response.queued
  const live = await streamed({ model: 'm', input: 'live bg', background: true });
  assert.deepEqual(live.slice(0, 3).map((e) => e.type), opening);
  assert.equal(live.at(-1).type, 'response.completed');

  // Replay while running continues live to the end.
  const running = await create({ model: 'm', input: 'watch me', background: true });
  const watched = await sse(get(`/v1/responses/${running.id}?stream=true&starting_after=2`));
  assert.equal(watched.at(-1).type, 'response.completed');
  watched.forEach((e, i) => assert.equal(e.sequence_number, i + 3));

  // cancel; cancelling twice returns the same final response
  const c = await create({ model: 'm', input: 'cancel me', background: true });
  const cancel = (id) => post(`/v1/responses/${id}/cancel`, {});
  assert.equal((await json(cancel(c.id))).status, 'cancelled');
  await new Promise((ok) => setTimeout(ok, 50));
  assert.equal((await got(c.id)).status, 'cancelled');
  assert.equal((await json(cancel(c.id))).status, 'cancelled');
  await errorOf(cancel((await create({ model: 'm', input: 'x' })).id), 400);
  assert.equal((await cancel('resp_nope')).status, 404);
});

test('unknown routes and methods: 404 JSON error', async () => {
  for (const [method, path] of [['GET', '/v1/nope'], ['GET', '/v1/responses'], ['PUT', '/v1/responses/abc'], ['POST', '/v1/chat/completions']]) {
    assert.equal((await errorOf(fetch(srv.url + path, { method }), 404)).message, `Invalid URL (${method} ${path})`);
  }
});
