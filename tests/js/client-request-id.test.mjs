// The API key in a response header or an error body: a server (or proxy) that echoes the key in
// `x-request-id` or its message must not get it into any field of the error, on any operation of
// the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, ResponsesClient } from 'cometapi-responses';
import { KEY, assertNoKey, collect, rejection, fails } from './client-helpers.mjs';

const params = { model: 'gpt-mock', input: 'hi' };

/** Every operation of the client, each a function of the client that returns its outcome as a promise. */
const OPERATIONS = {
  create: (c) => c.create(params),
  stream: (c) => c.stream(params).finalResponse(),
  'stream (iteration)': async (c) => {
    const { error } = await collect(c.stream(params));
    throw error;
  },
  retrieve: (c) => c.retrieve('resp_1'),
  retrieveStream: (c) => c.retrieveStream('resp_1').finalResponse(),
  cancel: (c) => c.cancel('resp_1'),
  delete: (c) => c.delete('resp_1'),
  inputItems: (c) => c.inputItems('resp_1'),
  compact: (c) => c.compact(params),
  countInputTokens: (c) => c.countInputTokens(params),
  parse: (c) => c.parse(params),
  runTools: (c) => c.runTools(params).finalResponse(),
  'conversations.create': (c) => c.conversations.create({}),
  'conversations.retrieve': (c) => c.conversations.retrieve('conv_1'),
  'conversations.update': (c) => c.conversations.update('conv_1', { metadata: {} }),
  'conversations.delete': (c) => c.conversations.delete('conv_1'),
  'conversations.items.create': (c) => c.conversations.items.create('conv_1', { items: [] }),
  'conversations.items.list': (c) => c.conversations.items.list('conv_1'),
  'conversations.items.retrieve': (c) => c.conversations.items.retrieve('conv_1', 'msg_1'),
  'conversations.items.delete': (c) => c.conversations.items.delete('conv_1', 'msg_1'),
};

test('the list covers every method of the client and of its conversations', () => {
  const own = (o) => Object.getOwnPropertyNames(Object.getPrototypeOf(o)).filter((n) => n !== 'constructor' && !n.startsWith('_'));
  const c = new ResponsesClient({ apiKey: KEY });
  const methods = [
    ...own(c),
    ...own(c.conversations).map((n) => `conversations.${n}`),
    ...own(c.conversations.items).map((n) => `conversations.items.${n}`),
  ];
  // connect() opens a WebSocket: no HTTP answer, no request id (tests/js/socket.test.mjs checks its key handling).
  assert.deepEqual(methods.filter((n) => n !== 'connect').sort(), Object.keys(OPERATIONS).filter((n) => !n.includes(' ')).sort());
  assert.ok(methods.includes('connect'));
});

/** A fetch that answers every request with `status`, `x-request-id: <requestId>` and an error body
 *  quoting the key whole, without its prefix, and cut. */
const answering = (status, requestId) => async () => {
  const message = `Incorrect API key provided: ${KEY}. Also ${KEY.slice(3)} and ${KEY.slice(8, 30)}`;
  const error = { message, type: 'invalid_request_error', code: KEY.slice(10, 40), param: null };
  return new Response(JSON.stringify({ error }), { status, headers: { 'content-type': 'application/json', 'x-request-id': requestId } });
};
const clientOf = (status, requestId) => new ResponsesClient({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: answering(status, requestId) });

const REQUEST_IDS = {
  'the whole key': `req_${KEY}`,
  'the key without its prefix': `req_${KEY.slice(3)}`,
  'fragments of 10 and 12 bytes': `req_${KEY.slice(20, 30)}_${KEY.slice(5, 17)}`,
};

for (const [what, requestId] of Object.entries(REQUEST_IDS)) {
  test(`x-request-id holding ${what}, the body quoting the key: no field of the error of any operation holds it`, async () => {
    for (const status of [400, 401, 404]) {
      for (const [name, op] of Object.entries(OPERATIONS)) {
        const err = await fails(op(clientOf(status, requestId)), ApiError, { status }, name);
        assert.match(err.requestId, /^req_.*\[redacted\]/, `${name}: requestId ${err.requestId}`);
        assert.match(err.message, /Incorrect API key provided: \[redacted\]/, name);
        assertNoKey(err, `${name} (${status}, ${what})`);
        assert.ok(!err.requestId.includes(KEY.slice(20, 30)), name);
      }
    }
  });
}

test('a request id that holds no part of the key is kept as it is', async () => {
  for (const [name, op] of Object.entries(OPERATIONS)) {
    assert.equal((await rejection(op(clientOf(400, 'req_0123456789abcdef')))).requestId, 'req_0123456789abcdef', name);
  }
});
