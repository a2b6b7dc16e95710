// List options of a wrong type throw at once (before any request), with the option's name; their
// values (documented limits, orders) are the core's to check, and reject the call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponsesClient } from 'cometapi-responses';

const client = new ResponsesClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: () => Promise.reject(new Error('no request expected')) });

test('inputItems and conversations.items.list: after, limit, order, include of a wrong type throw a TypeError at once', () => {
  for (const list of [(o) => client.inputItems('resp_1', o), (o) => client.conversations.items.list('conv_1', o)]) {
    assert.throws(() => list({ limit: -1 }), { name: 'TypeError', message: /limit must be a non-negative integer, got -1/ });
    assert.throws(() => list({ limit: 1.5 }), { name: 'TypeError', message: /limit/ });
    assert.throws(() => list({ after: 5 }), { name: 'TypeError', message: /after must be a string/ });
    assert.throws(() => list({ order: 1 }), { name: 'TypeError', message: /order must be a string/ });
    assert.throws(() => list({ include: [1] }), { name: 'TypeError', message: /include must be an array of strings/ });
  }
});

test('conversations.items.create and retrieve: an include that is not an array of strings throws a TypeError at once', () => {
  assert.throws(() => client.conversations.items.create('conv_1', { items: [] }, { include: 'x' }), { name: 'TypeError', message: /include/ });
  assert.throws(() => client.conversations.items.retrieve('conv_1', 'msg_1', { include: [null] }), { name: 'TypeError', message: /include/ });
});

test('a documented limit out of range rejects the call (the core decides), no request is sent', async () => {
  await assert.rejects(client.inputItems('resp_1', { limit: 101 }), (e) => e.name === 'ValidationError' && /limit/.test(e.message));
});

test('the options object, its signal and the ids of a list call reject, as every call does', async () => {
  await assert.rejects(client.inputItems(123), { name: 'TypeError', message: /response id must be a string/ });
  await assert.rejects(client.conversations.items.list('conv_1', 'x'), { name: 'TypeError', message: /options must be an object/ });
  await assert.rejects(client.conversations.items.retrieve('conv_1', 5), { name: 'TypeError', message: /item id must be a string/ });
  await assert.rejects(client.conversations.items.create('conv_1', { items: [] }, { signal: {} }), { name: 'TypeError', message: /signal/ });
});

test('a value of the wrong type is named by its type, never echoed (it may be a secret in the wrong place)', () => {
  const secret = 'sk-proj-wrong-place-0123456789';
  const e = thrownBy(() => client.inputItems('resp_1', { limit: secret }));
  assert.equal(e.name, 'TypeError');
  assert.match(e.message, /limit must be a non-negative integer, got a string/);
  assert.ok(!e.message.includes(secret));
  assert.throws(() => new ResponsesClient({ apiKey: secret, maxRetries: secret }), (err) => err instanceof TypeError && /maxRetries/.test(err.message) && !err.message.includes(secret));
});

test('list options that are not finite numbers throw at once too', () => {
  for (const limit of [NaN, Infinity]) assert.throws(() => client.inputItems('resp_1', { limit }), { name: 'TypeError', message: /limit/ });
});

function thrownBy(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected a throw');
}

test('the other methods reject an option of a wrong type: only the methods that take include[] throw', async () => {
  const calls = [() => client.create({ model: 'm', input: 'x' }, { timeout: 'x' }), () => client.files.list({ limit: 'x' }), () => client.retrieve('resp_1', { maxRetries: -1 })];
  for (const f of calls) await assert.rejects(f(), { name: 'TypeError' });
});
