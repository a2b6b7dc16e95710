// The rest of the Responses surface (compact, input token counts, the Conversations API) with the
// client's auth, headers, retries, timeouts, typed errors and validation; and background streams
// that resume by themselves when their body breaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, StreamError, TimeoutError, ValidationError } from 'cometapi-responses';
import { useMock, clientFor, fault, collect, deltaText, has, fails, drained, isError } from './client-helpers.mjs';

const { srv, client, last } = await useMock();
const userSays = (content) => ({ type: 'message', role: 'user', content });
const sent = (method, path) => assert.deepEqual([last().method, last().path], [method, path]);

const params = { model: 'gpt-mock', input: 'Tell me about the surface of the API.' };

test('compact (POST /responses/compact, the params as given) and countInputTokens (= usage.input_tokens)', async () => {
  const c = await client.compact({ ...params, instructions: 'be brief', extra_vendor_field: 7 });
  assert.ok(has(c, { object: 'response.compaction' }).id);
  assert.ok(has(c.output.at(-1), { type: 'compaction' }).encrypted_content);
  sent('POST', '/v1/responses/compact');
  has(last().body, { extra_vendor_field: 7, stream: undefined });
  assert.equal(last().headers.authorization, 'REDACTED', 'the key was sent (the mock log hides it)');
  assert.match(last().headers['content-type'], /application\/json/);
  // countInputTokens: POST /responses/input_tokens → { object, input_tokens } = usage.input_tokens
  const n = await client.countInputTokens(params);
  sent('POST', '/v1/responses/input_tokens');
  assert.deepEqual([n.object, typeof n.input_tokens], ['response.input_tokens', 'number']);
  assert.equal(n.input_tokens, (await client.create(params)).usage.input_tokens);
});

test('compact and countInputTokens: not an object → ValidationError before any request; server errors typed; retries', async () => {
  const n = srv.requests.length;
  for (const bad of ['text', 42, [1]]) {
    await fails(client.compact(bad), ValidationError);
    await fails(client.countInputTokens(bad), ValidationError);
  }
  assert.equal(srv.requests.length, n, 'nothing was sent');
  await fails(client.compact({ input: 'no model' }), ApiError, { status: 400 });
  const t0 = srv.requests.length;
  const retried = fault('fail-first=1,status=503', { headers: { 'x-mock-fault-key': `count-${Date.now()}` } });
  assert.equal((await clientFor(srv, { maxRetries: 2 }).countInputTokens(params, retried)).object, 'response.input_tokens');
  assert.equal(srv.requests.length - t0, 2, 'one failure, one retry');
});

test('conversations: create, retrieve, update, delete; items: create (include as query), list (after, limit, order, include), retrieve, delete', async () => {
  const conv = await client.conversations.create({ metadata: { topic: 'surface' }, items: [userSays('Hello there')] });
  has(conv, { object: 'conversation', metadata: { topic: 'surface' } });
  assert.match(conv.id, /^conv_/);
  sent('POST', '/v1/conversations');
  assert.equal((await client.conversations.retrieve(conv.id)).id, conv.id);
  sent('GET', `/v1/conversations/${conv.id}`);
  assert.deepEqual((await client.conversations.update(conv.id, { metadata: { topic: 'changed' } })).metadata, { topic: 'changed' });
  sent('POST', `/v1/conversations/${conv.id}`);
  const deleted = await client.conversations.delete(conv.id);
  assert.deepEqual(deleted, { id: conv.id, object: 'conversation.deleted', deleted: true });
  sent('DELETE', `/v1/conversations/${conv.id}`);
  await fails(client.conversations.retrieve(conv.id), ApiError, { status: 404 });
  assert.match((await client.conversations.create()).id, /^conv_/);
  // conversations.items: create (include as query), list (after, limit, order, include), retrieve, delete
  const { id } = await client.conversations.create();
  const items = [1, 2, 3].map((i) => userSays(`item ${i}`));
  const created = await client.conversations.items.create(id, { items }, { include: ['message.output_text.logprobs'] });
  assert.deepEqual([created.object, created.data.length], ['list', 3]);
  assert.deepEqual(last().query, { 'include[]': 'message.output_text.logprobs' });
  const all = await client.conversations.items.list(id, { order: 'asc' });
  assert.deepEqual(all.data.map((i) => i.content?.[0]?.text ?? i.content), ['item 1', 'item 2', 'item 3']);
  const [first, second, third] = all.data.map((i) => i.id);
  const page = await client.conversations.items.list(id, { after: first, limit: 1, order: 'asc', include: ['reasoning.encrypted_content'] });
  assert.deepEqual([page.data.map((i) => i.id), page.has_more], [[second], true]);
  assert.deepEqual(last().query, { after: first, limit: '1', order: 'asc', 'include[]': 'reasoning.encrypted_content' });
  assert.equal((await client.conversations.items.retrieve(id, third)).id, third);
  sent('GET', `/v1/conversations/${id}/items/${third}`);
  await client.conversations.items.delete(id, third);
  sent('DELETE', `/v1/conversations/${id}/items/${third}`);
  assert.equal((await client.conversations.items.list(id)).data.length, 2);
});

test('a response naming a conversation gets its items, and the conversation gets the turn', async () => {
  const conv = await client.conversations.create({ items: [userSays('My name is Ada.')] });
  const r = await client.create({ model: 'gpt-mock', input: 'What is my name?', conversation: conv.id });
  assert.equal(r.status, 'completed');
  const items = await client.conversations.items.list(conv.id, { order: 'asc' });
  assert.ok(items.data.length >= 3, `${items.data.length} items: the first, the question and the answer`);
  const n = srv.requests.length;
  await fails(client.create({ model: 'gpt-mock', input: 'x', conversation: conv.id, previous_response_id: r.id }), ValidationError);
  assert.equal(srv.requests.length, n);
});

test('timeouts and headers apply to every endpoint', async () => {
  const slow = clientFor(srv, { timeout: 400, headers: { 'x-client-tag': 'surface' } });
  await fails(slow.conversations.create(undefined, fault('stall-headers=2000')), TimeoutError);
  await slow.countInputTokens(params, { headers: { 'x-request-tag': 'one' } });
  has(last().headers, { 'x-client-tag': 'surface', 'x-request-tag': 'one' });
});

/** A client whose requests carry `x-mock-fault: faultFor(method, resumes so far)` (none if that is
 *  undefined), whatever the call's options say; `sent` lists every request. */
const faultsPerRequest = (faultFor) => {
  const sent = [];
  const c = clientFor(srv, {
    maxRetries: 2,
    fetch: (url, init) => {
      sent.push({ method: init.method, url });
      const headers = { ...init.headers };
      delete headers['x-mock-fault'];
      const f = faultFor(init.method, sent.filter((r) => r.method === 'GET').length);
      if (f) headers['x-mock-fault'] = f;
      return fetch(url, { ...init, headers });
    },
  });
  return { c, sent };
};
const background = (input) => ({ model: 'gpt-mock', input, background: true });
const longAnswer = (kind) => background(`A long background answer with many words, ${kind}.`);

for (const [how, f] of [['the connection drops mid-body', 'disconnect-after=9'], ['the body ends early, cleanly', 'no-terminal']]) {
  test(`resumed by itself, ${how}: every event once, in order; the snapshot continuous; the final Response complete`, async () => {
    // The resumes (GET ?stream=true&starting_after=…) go out without the fault.
    const { c, sent } = faultsPerRequest((method) => (method === 'POST' ? f : undefined));
    const stream = c.stream(background('A long background answer, please, with many words in it.'));
    const events = [];
    for await (const e of stream) {
      events.push(e);
      // The snapshot never goes backwards.
      if (e.type === 'response.output_text.delta') assert.ok(stream.response.output_text.endsWith(e.delta));
    }
    const final = has(await stream.finalResponse(), { status: 'completed', output_text: deltaText(events) });
    events.forEach((e, i) => assert.equal(e.sequence_number, i, 'consecutive sequence numbers, none twice'));
    assert.equal(final.output_text, (await c.retrieve(final.id)).output_text);
    const resume = sent.find((r) => r.method === 'GET' && r.url.includes('stream=true'));
    assert.ok(resume, 'a resume request was sent');
    assert.match(resume.url, new RegExp(`/responses/${final.id}\\?stream=true&starting_after=\\d+$`));
    const after = Number(new URL(resume.url).searchParams.get('starting_after'));
    assert.ok(after > 0 && after < events.length - 1, `resumed after event ${after}`);
  });
}

test('a resume that keeps breaking (the same fault every time) still makes progress and completes', async () => {
  const c = clientFor(srv, { maxRetries: 2 });
  const stream = c.stream(background('Resume me again and again, a long answer with many words.'), fault('disconnect-after=6'));
  const events = await drained(stream);
  events.forEach((e, i) => assert.equal(e.sequence_number, i));
  assert.equal(events.at(-1).type, 'response.completed');
  const gets = srv.requests.filter((r) => r.method === 'GET' && r.path === `/v1/responses/${events[0].response.id}`);
  assert.ok(gets.length >= 2, `${gets.length} resumes`);
});

test('no progress maxRetries times in a row: StreamError (with the partial snapshot)', async () => {
  const empty = () => Promise.resolve(new Response('', { headers: { 'content-type': 'text/event-stream' } }));
  const c = clientFor(srv, { maxRetries: 1, fetch: (url, init) => (init.method === 'GET' ? empty() : fetch(url, init)) });
  const { events, error } = await collect(c.stream(background('Broken for good, a long answer.'), fault('disconnect-after=7')));
  isError(error, StreamError);
  assert.equal(events.length, 7);
  assert.ok(error.response?.id, 'the partial snapshot');
});

// Each resume (GET ?stream=true&starting_after=N) first replays the last delta at or before N
// with a sequence_number that is no number after N (mock fault `replay-seq`); the 9th resume and
// later go out clean, so a client that never stops still ends.
const BAD_SEQ = ['missing', 'negative', 'fraction', 'string', 'huge', 'same'];
const replaying = (first, resume) =>
  faultsPerRequest((method, resumes) => (method === 'POST' ? first : resumes <= 8 ? resume : undefined));
const listed = (sent) => sent.map((r) => `${r.method} ${r.url}`).join('\n');

test('a resume that only replays an event it cannot place, then drops: maxRetries + 1 requests, nothing twice', async () => {
  await Promise.all(BAD_SEQ.map(async (kind) => {
    const { c, sent } = replaying('disconnect-after=6', `replay-seq=${kind},disconnect-after=1`);
    const { events, error } = await collect(c.stream(longAnswer(kind)));
    assert.equal(sent.length, 3, `${kind}: ${listed(sent)}`);
    assert.deepEqual(events.map((e) => e.sequence_number), [0, 1, 2, 3, 4, 5], kind);
    assert.equal(deltaText(events), isError(error, StreamError, {}, kind).response.output_text, kind);
  }));
});

test('a resume that replays an event it cannot place, then goes on: every event once, the text whole', async () => {
  await Promise.all(BAD_SEQ.map(async (kind) => {
    const { c, sent } = replaying('disconnect-after=7', `replay-seq=${kind}`);
    const stream = c.stream(longAnswer(kind));
    const events = await drained(stream);
    assert.equal(sent.length, 2, `${kind}: ${listed(sent)}`);
    events.forEach((e, i) => assert.equal(e.sequence_number, i, kind));
    const final = has(await stream.finalResponse(), { status: 'completed', output_text: deltaText(events) }, kind);
    assert.equal(final.output_text, (await c.retrieve(final.id)).output_text, kind);
  }));
});
