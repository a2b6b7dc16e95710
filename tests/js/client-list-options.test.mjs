// List options of a wrong type throw at once (before any request), with the option's name; their
// values (documented limits, orders) are the core's to check, and reject the call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponsesClient } from 'cometapi-responses';
import { thrown } from './client-helpers.mjs';

const client = new ResponsesClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: () => Promise.reject(new Error('no request expected')) });
const lists = [(o) => client.inputItems('resp_1', o), (o) => client.conversations.items.list('conv_1', o)];

/** Calls that throw a TypeError at once: [call, its message]. */
const THROWS = [
  ...lists.flatMap((list) => [
    [() => list({ limit: -1 }), /limit must be a non-negative integer, got -1/],
    [() => list({ limit: 1.5 }), /limit/],
    [() => list({ after: 5 }), /after must be a string/],
    [() => list({ order: 1 }), /order must be a string/],
    [() => list({ include: [1] }), /include must be an array of strings/],
  ]),
  // an include that is not an array of strings, on the other calls that take one
  [() => client.conversations.items.create('conv_1', { items: [] }, { include: 'x' }), /include/],
  [() => client.conversations.items.retrieve('conv_1', 'msg_1', { include: [null] }), /include/],
  // list options that are not finite numbers
  [() => client.inputItems('resp_1', { limit: NaN }), /limit/],
  [() => client.inputItems('resp_1', { limit: Infinity }), /limit/],
];

/** Calls that reject: [call, what the rejection is]. */
const REJECTS = [
  // a documented limit out of range: the core decides, no request is sent
  [() => client.inputItems('resp_1', { limit: 101 }), (e) => e.name === 'ValidationError' && /limit/.test(e.message)],
  // the options object, its signal and the ids of a list call reject, as every call does
  [() => client.inputItems(123), { name: 'TypeError', message: /response id must be a string/ }],
  [() => client.conversations.items.list('conv_1', 'x'), { name: 'TypeError', message: /options must be an object/ }],
  [() => client.conversations.items.retrieve('conv_1', 5), { name: 'TypeError', message: /item id must be a string/ }],
  [() => client.conversations.items.create('conv_1', { items: [] }, { signal: {} }), { name: 'TypeError', message: /signal/ }],
  // the other methods reject an option of a wrong type: only the methods that take include[] throw
  [() => client.create({ model: 'm', input: 'x' }, { timeout: 'x' }), { name: 'TypeError' }],
  [() => client.files.list({ limit: 'x' }), { name: 'TypeError' }],
  [() => client.retrieve('resp_1', { maxRetries: -1 }), { name: 'TypeError' }],
  // an empty id of any kind: said as required, with no example of another kind of id
  [() => client.files.retrieve(''), { name: 'ValidationError', message: /^`[a-z_]+` is required, got an empty string$/ }],
  [() => client.conversations.items.retrieve('conv_1', ''), { name: 'ValidationError', message: /^`[a-z_]+` is required, got an empty string$/ }],
];

test('list options (after, limit, order, include) of a wrong type throw a TypeError at once', () => {
  for (const [call, message] of THROWS) assert.throws(call, { name: 'TypeError', message }, String(call));
});

test('a value out of range, the options object, the ids and the other methods\' options reject the call', async () => {
  for (const [call, expected] of REJECTS) await assert.rejects(call(), expected, String(call));
});

test('a value of the wrong type is named by its type, never echoed (it may be a secret in the wrong place)', () => {
  const secret = 'sk-proj-wrong-place-0123456789';
  const e = thrown(() => client.inputItems('resp_1', { limit: secret }));
  assert.equal(e.name, 'TypeError');
  assert.match(e.message, /limit must be a non-negative integer, got a string/);
  assert.ok(!e.message.includes(secret));
  assert.throws(() => new ResponsesClient({ apiKey: secret, maxRetries: secret }), (err) => err instanceof TypeError && /maxRetries/.test(err.message) && !err.message.includes(secret));
});

test('retrieve and retrieveStream send include as include[] in the query', async () => {
  const urls = [];
  const answer = (body, type) => Promise.resolve(new Response(body, { headers: { 'content-type': type } }));
  const c = new ResponsesClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: (url) => {
    urls.push(String(url));
    const response = { id: 'resp_1', object: 'response', status: 'completed', output: [] };
    if (!String(url).includes('stream=true')) return answer(JSON.stringify(response), 'application/json');
    return answer(`event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', sequence_number: 1, response })}\n\n`, 'text/event-stream');
  } });
  const include = ['reasoning.encrypted_content', 'message.output_text.logprobs'];
  await c.retrieve('resp_1', { include });
  await c.retrieveStream('resp_1', { include }).finalResponse();
  await c.retrieve('resp_1');
  const q = 'include%5B%5D=reasoning.encrypted_content&include%5B%5D=message.output_text.logprobs';
  assert.deepEqual(urls, [
    `http://127.0.0.1:9/v1/responses/resp_1?${q}`,
    `http://127.0.0.1:9/v1/responses/resp_1?stream=true&${q}`,
    'http://127.0.0.1:9/v1/responses/resp_1',
  ]);
  assert.throws(() => c.retrieveStream('resp_1', { include: 'x' }), { name: 'TypeError', message: /include must be an array of strings/ });
});
