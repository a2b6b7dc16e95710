// The rest of the surface in the mock: POST /responses/compact, POST /responses/input_tokens,
// the Conversations API (and responses that name a conversation), and a background stream
// cut mid-body by `disconnect-after=N`, then resumed with starting_after.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMockServer } from '../../mock/index.mjs';
import { has, inProcessMock, apiError } from './client-helpers.mjs';
import { readSse } from './mock-schema-check.mjs';

const { mock, BASE, request: call, okAt: ok, streamed } = inProcessMock({ backgroundMs: 300 });
/** Asserts `method path` answers an API error of `status` (with `param` and `code` when given). */
const bad = async (method, path, body, status, param, code) => {
  const fields = { ...(param !== undefined && { param }), ...(code !== undefined && { code }) };
  return apiError(await call(method, path, body), status, fields, `${method} ${path}`);
};
const text = (r) => r.output.filter((o) => o.type === 'message').at(-1).content[0].text;

test('compact: the user messages, then one compaction item; usage; it can stand for the history', async () => {
  const input = [
    { role: 'user', content: 'Create a landing page for a dog café.' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Here it is …' }] },
    { role: 'user', content: 'Make it blue.' },
  ];
  const c = await ok('POST', '/responses/compact', { model: 'm', input });
  assert.equal(c.object, 'response.compaction');
  assert.match(c.id, /^resp_/);
  assert.equal(typeof c.created_at, 'number');
  assert.deepEqual(c.output.map((o) => [o.type, o.role ?? null]), [['message', 'user'], ['message', 'user'], ['compaction', null]]);
  assert.equal(c.output[1].content[0].text, 'Make it blue.');
  const item = c.output.at(-1);
  assert.match(item.id, /^cmp_/);
  assert.equal(typeof item.encrypted_content, 'string');
  assert.deepEqual(Object.keys(c.usage), ['input_tokens', 'input_tokens_details', 'output_tokens', 'output_tokens_details', 'total_tokens']);
  assert.equal(c.usage.total_tokens, c.usage.input_tokens + c.usage.output_tokens);

  // with previous_response_id: the chain's user messages too
  const r1 = await ok('POST', '/responses', { model: 'm', input: 'first question' });
  const r2 = await ok('POST', '/responses', { model: 'm', input: 'second question', previous_response_id: r1.id });
  const c2 = await ok('POST', '/responses/compact', { model: 'm', previous_response_id: r2.id });
  assert.deepEqual(c2.output.filter((o) => o.type === 'message').map((o) => o.content[0].text), ['first question', 'second question']);
  // the compacted window continues the conversation (turn 3)
  const next = await ok('POST', '/responses', { model: 'm', input: [...c2.output, { role: 'user', content: 'third' }] });
  assert.match(text(next), /turn 3/);
  await bad('POST', '/responses', { model: 'm', input: [{ type: 'compaction', encrypted_content: btoa('forged') }] }, 400, 'input', 'invalid_encrypted_content');

  await bad('POST', '/responses/compact', { input: 'x' }, 400, 'model', 'missing_required_parameter');
  await bad('POST', '/responses/compact', { model: 'm' }, 400, 'input', 'missing_required_parameter');
  await bad('POST', '/responses/compact', { model: 'm', input: 5 }, 400, 'input', 'invalid_type');
  await bad('POST', '/responses/compact', { model: 'm', input: [{ role: 5, content: 'x' }] }, 400, 'input[0].role', 'invalid_type');
  await bad('POST', '/responses/compact', { model: 'm', previous_response_id: 'resp_nope' }, 400, 'previous_response_id', 'previous_response_not_found');
  await bad('POST', '/responses/compact', '{"model":', 400, null);
});

test('input_tokens: the same count as the usage of the same request', async () => {
  const conv = await ok('POST', '/conversations', { items: [{ role: 'user', content: 'Remember: the code word is heron.' }] });
  const first = await ok('POST', '/responses', { model: 'm', input: 'a first message, long enough to count a few tokens' });
  const cases = [
    { model: 'm', input: 'hello' },
    { model: 'm', input: 'x'.repeat(1000), instructions: 'Be brief and precise.' },
    { model: 'm', input: [{ role: 'developer', content: 'rules' }, { role: 'user', content: [{ type: 'input_text', text: 'a question' }] }] },
    { model: 'm', input: 'and then?', previous_response_id: first.id },
    { model: 'm', input: 'what is the code word?', conversation: conv.id, store: false },
  ];
  for (const params of cases) {
    const count = await ok('POST', '/responses/input_tokens', params);
    assert.deepEqual(Object.keys(count).sort(), ['input_tokens', 'object']);
    assert.equal(count.object, 'response.input_tokens');
    const r = await ok('POST', '/responses', params);
    assert.equal(count.input_tokens, r.usage.input_tokens, JSON.stringify(params).slice(0, 80));
  }
  const alone = await ok('POST', '/responses/input_tokens', { model: 'm', input: 'what is the code word?' });
  const inConv = await ok('POST', '/responses/input_tokens', { model: 'm', input: 'what is the code word?', conversation: conv.id });
  assert.ok(inConv.input_tokens > alone.input_tokens, 'the conversation items count');
  assert.equal((await ok('POST', '/responses/input_tokens', {})).input_tokens, 0);
  await bad('POST', '/responses/input_tokens', { input: 5 }, 400, 'input', 'invalid_type');
  await bad('POST', '/responses/input_tokens', { input: 'x', conversation: conv.id, previous_response_id: first.id }, 400, 'conversation', 'mutually_exclusive_parameters');
  await bad('POST', '/responses/input_tokens', { input: 'x', truncation: 1 }, 400, 'truncation', 'invalid_type');
  assert.equal(typeof (await ok('POST', '/responses/input_tokens', { input: 'x', truncation: 'sometimes' })).input_tokens, 'number', 'an open enumeration');
  await bad('POST', '/responses/input_tokens', { input: 'x', previous_response_id: 'resp_nope' }, 400, 'previous_response_id', 'previous_response_not_found');
  await bad('POST', '/responses/input_tokens', { input: 'x', conversation: 'conv_nope' }, 404, 'conversation');
});

test('conversations: create, retrieve, update, delete', async () => {
  const c = await ok('POST', '/conversations', { metadata: { topic: 'demo' }, items: [{ role: 'user', content: 'hi' }] });
  assert.deepEqual(Object.keys(c), ['id', 'object', 'created_at', 'metadata']);
  assert.match(c.id, /^conv_[0-9a-f]{48}$/);
  has(c, { object: 'conversation', metadata: { topic: 'demo' } });
  assert.deepEqual(await ok('GET', `/conversations/${c.id}`), c);
  assert.deepEqual((await ok('POST', '/conversations')).metadata, {});
  const updated = await ok('POST', `/conversations/${c.id}`, { metadata: { topic: 'other', n: '2' } });
  assert.deepEqual(updated.metadata, { topic: 'other', n: '2' });
  assert.deepEqual((await ok('GET', `/conversations/${c.id}`)).metadata, { topic: 'other', n: '2' });
  await bad('POST', `/conversations/${c.id}`, {}, 400, 'metadata', 'missing_required_parameter');
  await bad('POST', `/conversations/${c.id}`, { metadata: { k: 'x'.repeat(513) } }, 400, 'metadata.k', 'string_above_max_length');
  assert.deepEqual(await ok('DELETE', `/conversations/${c.id}`), { id: c.id, object: 'conversation.deleted', deleted: true });
  await bad('GET', `/conversations/${c.id}`, undefined, 404);
  await bad('DELETE', `/conversations/${c.id}`, undefined, 404);
  await bad('POST', '/conversations', { items: Array.from({ length: 21 }, () => ({ role: 'user', content: 'x' })) }, 400, 'items', 'array_above_max_length');
  await bad('POST', '/conversations', { items: [{ role: 5, content: 'x' }] }, 400, 'items[0].role', 'invalid_type');
  await bad('POST', '/conversations', { metadata: 'x' }, 400, 'metadata', 'invalid_type');
});

test('conversation items: create, list (after, limit, order, include), retrieve, delete', async () => {
  const c = await ok('POST', '/conversations', {});
  const added = await ok('POST', `/conversations/${c.id}/items`, { items: ['one', 'two', 'three'].map((t) => ({ role: 'user', content: t })) });
  assert.equal(added.object, 'list');
  assert.equal(added.data.length, 3);
  has(added, { first_id: added.data[0].id, last_id: added.data[2].id, has_more: false });
  assert.deepEqual(added.data[0], { id: added.data[0].id, type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_text', text: 'one' }] });
  const more = await ok('POST', `/conversations/${c.id}/items`, { items: [{ role: 'assistant', content: 'four' }] });

  const desc = await ok('GET', `/conversations/${c.id}/items`);
  assert.deepEqual(desc.data.map((i) => i.content[0].text), ['four', 'three', 'two', 'one'], 'desc by default');
  const asc = await ok('GET', `/conversations/${c.id}/items?order=asc&limit=2`);
  assert.deepEqual(asc.data.map((i) => i.content[0].text), ['one', 'two']);
  assert.equal(asc.has_more, true);
  const page2 = await ok('GET', `/conversations/${c.id}/items?order=asc&limit=2&after=${asc.last_id}`);
  assert.deepEqual(page2.data.map((i) => i.content[0].text), ['three', 'four']);
  has(page2, { has_more: false, last_id: more.data[0].id });

  assert.deepEqual(await ok('GET', `/conversations/${c.id}/items/${added.data[1].id}`), added.data[1]);
  const conv = await ok('DELETE', `/conversations/${c.id}/items/${added.data[1].id}`);
  assert.deepEqual(conv, { id: c.id, object: 'conversation', created_at: c.created_at, metadata: {} });
  assert.deepEqual((await ok('GET', `/conversations/${c.id}/items?order=asc`)).data.map((i) => i.content[0].text), ['one', 'three', 'four']);
  await bad('GET', `/conversations/${c.id}/items/${added.data[1].id}`, undefined, 404);

  await bad('GET', `/conversations/${c.id}/items?limit=0`, undefined, 400, 'limit', 'integer_below_min_value');
  await bad('GET', `/conversations/${c.id}/items?limit=101`, undefined, 400, 'limit', 'integer_above_max_value');
  await bad('GET', `/conversations/${c.id}/items?order=up`, undefined, 400, 'order', 'invalid_value');
  // include is an open list: a value the mock does not know is passed over, not refused.
  assert.deepEqual((await ok('GET', `/conversations/${c.id}/items?include=some.future.value`)).data.map((i) => i.content[0].text), ['four', 'three', 'one']);
  await bad('POST', `/conversations/${c.id}/items`, {}, 400, 'items', 'missing_required_parameter');
  await bad('POST', `/conversations/${c.id}/items`, { items: [{ type: 'function_call_output', output: 'x' }] }, 400, 'items[0].call_id', 'missing_required_parameter');
  await bad('GET', '/conversations/conv_nope/items', undefined, 404);
});

test('a response in a conversation: its items come first, its input and output are added when it completes', async () => {
  const c = await ok('POST', '/conversations', { items: [{ role: 'user', content: 'My name is Ada.' }] });
  const r1 = await ok('POST', '/responses', { model: 'm', input: 'What is my name?', conversation: c.id });
  assert.deepEqual(r1.conversation, { id: c.id });
  assert.match(text(r1), /turn 1/, 'a user item alone is no turn of the model');
  let items = (await ok('GET', `/conversations/${c.id}/items?order=asc`)).data;
  assert.deepEqual(items.map((i) => [i.role, i.content[0].text.slice(0, 20)]), [
    ['user', 'My name is Ada.'], ['user', 'What is my name?'], ['assistant', text(r1).slice(0, 20)],
  ]);
  assert.equal(items[2].id, r1.output[0].id);

  // streamed: the items are added once the stream completed, with the object form of `conversation`
  const events = await streamed({ model: 'm', input: 'And now?', conversation: { id: c.id } });
  assert.equal(events.at(-1).type, 'response.completed');
  assert.match(events.at(-1).response.output[0].content[0].text, /turn 2/, 'the answer in the conversation counts');
  items = (await ok('GET', `/conversations/${c.id}/items?order=asc`)).data;
  assert.equal(items.length, 5);

  // a failed response adds nothing; previous_response_id with conversation is a 400
  const failed = await call('POST', '/responses', { model: 'm', input: 'fail please', conversation: c.id, stream: false }, { 'x-mock-fault': 'failed' });
  assert.equal(failed.status, 200);
  assert.equal(failed.body.status, 'failed');
  assert.equal((await ok('GET', `/conversations/${c.id}/items`)).data.length, 5);
  await bad('POST', '/responses', { model: 'm', input: 'x', conversation: c.id, previous_response_id: r1.id }, 400, 'conversation', 'mutually_exclusive_parameters');
  await bad('POST', '/responses', { model: 'm', input: 'x', conversation: 'conv_nope' }, 404, 'conversation');
});

for (const transport of ['fetch (no socket)', 'HTTP (a real socket cut)']) {
  test(`background stream cut by disconnect-after=N, resumed with starting_after: exact and the same response — ${transport}`, async (t) => {
    let srv = null;
    let go = (path, init) => mock.fetch(new Request(BASE + path, init));
    if (transport.startsWith('HTTP')) {
      srv = await startMockServer({ port: 0, delayMs: 0, backgroundMs: 300 });
      go = (path, init) => fetch(`${srv.url}/v1${path}`, init);
    }
    t.after(() => srv?.close());
    const body = JSON.stringify({ model: 'm', input: 'A background answer that is long enough to stream many deltas', background: true, stream: true });
    const cut = await readSse(await go('/responses', { method: 'POST', body, headers: { 'x-mock-fault': 'disconnect-after=6' } }));
    assert.ok(cut.error, 'the body was cut');
    assert.equal(cut.events.length, 6);
    const id = cut.events[0].response.id;
    const last = cut.events.at(-1).sequence_number;
    const rest = await readSse(await go(`/responses/${id}?stream=true&starting_after=${last}`));
    assert.equal(rest.error, null);
    const all = [...cut.events, ...rest.events];
    all.forEach((e, i) => assert.equal(e.sequence_number, i, 'every event once, in order'));
    assert.equal(all.at(-1).type, 'response.completed');
    assert.ok(all.filter((e) => e.response).every((e) => e.response.id === id), 'the same response');
    // byte for byte what a reader from the start gets
    assert.deepEqual([...cut.raw, ...rest.raw], (await readSse(await go(`/responses/${id}?stream=true`))).raw);
    assert.deepEqual(await (await go(`/responses/${id}`)).json(), all.at(-1).response);
  });
}

after(() => mock.close());
