// The rest of the Responses surface (compact, input token counts, the Conversations API) with the
// client's auth, headers, retries, timeouts, typed errors and validation; and background streams
// that resume by themselves when their body breaks.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, StreamError, TimeoutError, ValidationError, ResponsesClient } from 'cometapi-responses';
import { KEY, useMock, startMock, clientFor, fault, collect, rejection, deltaText, has, fails, drained, isError } from './client-helpers.mjs';

const { srv, client } = await useMock();

const last = () => srv.requests.at(-1);
const params = { model: 'gpt-mock', input: 'Tell me about the surface of the API.' };

describe('compact and input token counts', () => {
  test('compact: POST /responses/compact with the params as given → the compaction', async () => {
    const c = await client.compact({ ...params, instructions: 'be brief', extra_vendor_field: 7 });
    has(c, { object: 'response.compaction' });
    assert.ok(c.id);
    assert.equal(c.output.at(-1).type, 'compaction');
    assert.ok(c.output.at(-1).encrypted_content);
    const req = last();
    has(req, { method: 'POST', path: '/v1/responses/compact' });
    has(req.body, { extra_vendor_field: 7, stream: undefined });
    assert.equal(req.headers.authorization, 'REDACTED', 'the key was sent (the mock log hides it)');
    assert.match(req.headers['content-type'], /application\/json/);
  });

  test('countInputTokens: POST /responses/input_tokens → { object, input_tokens } = usage.input_tokens', async () => {
    const n = await client.countInputTokens(params);
    assert.equal(n.object, 'response.input_tokens');
    assert.equal(typeof n.input_tokens, 'number');
    assert.equal(last().path, '/v1/responses/input_tokens');
    assert.equal(n.input_tokens, (await client.create(params)).usage.input_tokens);
  });

  test('both: not an object → ValidationError before any request; server errors typed; retries', async () => {
    const n = srv.requests.length;
    for (const bad of ['text', 42, [1]]) {
      const e = await fails(client.compact(bad), ValidationError);
      await fails(client.countInputTokens(bad), ValidationError);
    }
    assert.equal(srv.requests.length, n, 'nothing was sent');
    await fails(client.compact({ input: 'no model' }), ApiError, { status: 400 });
    const t0 = srv.requests.length;
    const ok = await clientFor(srv, { maxRetries: 2 }).countInputTokens(params, fault('fail-first=1,status=503', { headers: { 'x-mock-fault-key': `count-${Date.now()}` } }));
    assert.equal(ok.object, 'response.input_tokens');
    assert.equal(srv.requests.length - t0, 2, 'one failure, one retry');
  });
});

describe('the Conversations API', () => {
  test('create, retrieve, update, delete', async () => {
    const conv = await client.conversations.create({ metadata: { topic: 'surface' }, items: [{ type: 'message', role: 'user', content: 'Hello there' }] });
    has(conv, { object: 'conversation', metadata: { topic: 'surface' } });
    assert.match(conv.id, /^conv_/);
    assert.deepEqual([last().method, last().path], ['POST', '/v1/conversations']);
    const got = await client.conversations.retrieve(conv.id);
    assert.equal(got.id, conv.id);
    assert.deepEqual([last().method, last().path], ['GET', `/v1/conversations/${conv.id}`]);
    const up = await client.conversations.update(conv.id, { metadata: { topic: 'changed' } });
    assert.deepEqual(up.metadata, { topic: 'changed' });
    assert.deepEqual([last().method, last().path], ['POST', `/v1/conversations/${conv.id}`]);
    const del = await client.conversations.delete(conv.id);
    assert.deepEqual(del, { id: conv.id, object: 'conversation.deleted', deleted: true });
    assert.deepEqual([last().method, last().path], ['DELETE', `/v1/conversations/${conv.id}`]);
    await fails(client.conversations.retrieve(conv.id), ApiError, { status: 404 });
    assert.match((await client.conversations.create()).id, /^conv_/);
  });

  test('items: create (include as query), list (after, limit, order, include), retrieve, delete', async () => {
    const conv = await client.conversations.create();
    const items = [1, 2, 3].map((i) => ({ type: 'message', role: 'user', content: `item ${i}` }));
    const created = await client.conversations.items.create(conv.id, { items }, { include: ['message.output_text.logprobs'] });
    has(created, { object: 'list' });
    assert.equal(created.data.length, 3);
    assert.deepEqual(last().query, { 'include[]': 'message.output_text.logprobs' });
    const all = await client.conversations.items.list(conv.id, { order: 'asc' });
    assert.deepEqual(all.data.map((i) => i.content?.[0]?.text ?? i.content), ['item 1', 'item 2', 'item 3']);
    const page = await client.conversations.items.list(conv.id, { after: all.data[0].id, limit: 1, order: 'asc', include: ['reasoning.encrypted_content'] });
    assert.equal(page.data.length, 1);
    assert.equal(page.data[0].id, all.data[1].id);
    has(page, { has_more: true });
    assert.deepEqual(last().query, { after: all.data[0].id, limit: '1', order: 'asc', 'include[]': 'reasoning.encrypted_content' });
    assert.equal((await client.conversations.items.retrieve(conv.id, all.data[2].id)).id, all.data[2].id);
    assert.equal(last().path, `/v1/conversations/${conv.id}/items/${all.data[2].id}`);
    await client.conversations.items.delete(conv.id, all.data[2].id);
    assert.deepEqual([last().method, last().path], ['DELETE', `/v1/conversations/${conv.id}/items/${all.data[2].id}`]);
    assert.equal((await client.conversations.items.list(conv.id)).data.length, 2);
  });

  test('ids are percent-encoded as one segment; "", "." and ".." are a ValidationError before any request', async () => {
    await fails(client.conversations.retrieve('conv_x/../../v1?a=b#c'), ApiError, { status: 404 });
    assert.equal(last().url, '/v1/conversations/conv_x%2F..%2F..%2Fv1%3Fa%3Db%23c');
    const n = srv.requests.length;
    const calls = [
      (id) => client.conversations.retrieve(id),
      (id) => client.conversations.update(id, { metadata: {} }),
      (id) => client.conversations.delete(id),
      (id) => client.conversations.items.create(id, { items: [] }),
      (id) => client.conversations.items.list(id),
      (id) => client.conversations.items.retrieve('conv_1', id),
      (id) => client.conversations.items.delete('conv_1', id),
      (id) => client.conversations.items.retrieve(id, 'msg_1'),
    ];
    for (const call of calls) {
      for (const id of ['', '.', '..']) {
        const err = await fails(call(id), ValidationError);
        assert.match(err.param, /^(id|item_id)$/);
      }
    }
    await assert.rejects(client.conversations.retrieve(7), TypeError);
    await assert.rejects(client.conversations.items.list('conv_1', { limit: 0 }), ValidationError);
    await assert.rejects(client.conversations.items.list('conv_1', { order: 'up' }), ValidationError);
    assert.equal(srv.requests.length, n, 'nothing was sent');
  });

  test('a response naming a conversation gets its items, and the conversation gets the turn', async () => {
    const conv = await client.conversations.create({ items: [{ type: 'message', role: 'user', content: 'My name is Ada.' }] });
    const r = await client.create({ model: 'gpt-mock', input: 'What is my name?', conversation: conv.id });
    assert.equal(r.status, 'completed');
    const items = await client.conversations.items.list(conv.id, { order: 'asc' });
    assert.ok(items.data.length >= 3, `${items.data.length} items: the first, the question and the answer`);
    const n = srv.requests.length;
    const both = await fails(client.create({ model: 'gpt-mock', input: 'x', conversation: conv.id, previous_response_id: r.id }), ValidationError);
    assert.equal(srv.requests.length, n);
  });

  test('timeouts and headers apply to every endpoint', async () => {
    const slow = clientFor(srv, { timeout: 150, headers: { 'x-client-tag': 'surface' } });
    const e = await fails(slow.conversations.create(undefined, fault('stall-headers=2000')), TimeoutError);
    await slow.countInputTokens(params, { headers: { 'x-request-tag': 'one' } });
    assert.equal(last().headers['x-client-tag'], 'surface');
    assert.equal(last().headers['x-request-tag'], 'one');
  });
});

describe('background streams resume by themselves', () => {
  /** A client whose resumes (GET ?stream=true&starting_after=…) go out without the fault. */
  const resumer = (opts = {}) => {
    const seen = [];
    const c = clientFor(srv, {
      maxRetries: 2,
      ...opts,
      fetch: (url, init) => {
        seen.push({ method: init.method, url });
        if (init.method === 'GET') {
          const headers = { ...init.headers };
          delete headers['x-mock-fault'];
          return fetch(url, { ...init, headers });
        }
        return fetch(url, init);
      },
    });
    return { c, seen };
  };

  for (const [how, f] of [['the connection drops mid-body', 'disconnect-after=9'], ['the body ends early, cleanly', 'no-terminal']]) {
    test(`${how}: every event once, in order; the snapshot continuous; the final Response complete`, async () => {
      const { c, seen } = resumer();
      const stream = c.stream({ model: 'gpt-mock', input: 'A long background answer, please, with many words in it.', background: true }, fault(f));
      const events = [];
      for await (const e of stream) {
        events.push(e);
        // The snapshot never goes backwards.
        if (e.type === 'response.output_text.delta') assert.ok(stream.response.output_text.endsWith(e.delta));
      }
      const final = await stream.finalResponse();
      assert.equal(final.status, 'completed');
      const seqs = events.map((e) => e.sequence_number);
      seqs.forEach((s, i) => assert.equal(s, i, 'consecutive sequence numbers, none twice'));
      assert.equal(final.output_text, deltaText(events));
      assert.equal(final.output_text, (await c.retrieve(final.id)).output_text);
      const resume = seen.find((r) => r.method === 'GET' && r.url.includes('stream=true'));
      assert.ok(resume, 'a resume request was sent');
      assert.match(resume.url, new RegExp(`/responses/${final.id}\\?stream=true&starting_after=\\d+$`));
      const after = Number(new URL(resume.url).searchParams.get('starting_after'));
      assert.ok(after > 0 && after < events.length - 1, `resumed after event ${after}`);
    });
  }

  test('a resume that keeps breaking (the same fault every time) still makes progress and completes', async () => {
    const c = clientFor(srv, { maxRetries: 2 });
    const stream = c.stream({ model: 'gpt-mock', input: 'Resume me again and again, a long answer with many words.', background: true }, fault('disconnect-after=6'));
    const events = await drained(stream);
    events.forEach((e, i) => assert.equal(e.sequence_number, i));
    assert.equal(events.at(-1).type, 'response.completed');
    const gets = srv.requests.filter((r) => r.method === 'GET' && r.path === `/v1/responses/${events[0].response.id}`);
    assert.ok(gets.length >= 2, `${gets.length} resumes`);
  });

  test('no progress maxRetries times in a row: StreamError (with the partial snapshot)', async () => {
    const c = clientFor(srv, {
      maxRetries: 1,
      fetch: (url, init) => (init.method === 'GET' ? Promise.resolve(new Response('', { headers: { 'content-type': 'text/event-stream' } })) : fetch(url, init)),
    });
    const { events, error } = await collect(c.stream({ model: 'gpt-mock', input: 'Broken for good, a long answer.', background: true }, fault('disconnect-after=7')));
    isError(error, StreamError);
    assert.equal(events.length, 7);
    assert.ok(error.response?.id, 'the partial snapshot');
  });

  // Each resume (GET ?stream=true&starting_after=N) first replays the last delta at or before N
  // with a sequence_number that is no number after N (mock fault `replay-seq`).
  const BAD_SEQ = ['missing', 'negative', 'fraction', 'string', 'huge', 'same'];
  /** A client whose first request carries `first` and whose resumes carry `resume` (the 9th
   *  resume and later go out clean, so a client that never stops still ends). */
  const faultsPerRequest = (first, resume) => {
    const sent = [];
    const c = clientFor(srv, {
      maxRetries: 2,
      fetch: (url, init) => {
        sent.push(`${init.method} ${url}`);
        const headers = { ...init.headers };
        const resumes = sent.filter((r) => r.startsWith('GET')).length;
        if (init.method === 'POST') headers['x-mock-fault'] = first;
        else if (resumes <= 8) headers['x-mock-fault'] = resume;
        return fetch(url, { ...init, headers });
      },
    });
    return { c, sent };
  };
  const longAnswer = (kind) => ({ model: 'gpt-mock', input: `A long background answer with many words, ${kind}.`, background: true });

  test('a resume that only replays an event it cannot place, then drops: maxRetries + 1 requests, nothing twice', async () => {
    await Promise.all(BAD_SEQ.map(async (kind) => {
      const { c, sent } = faultsPerRequest('disconnect-after=6', `replay-seq=${kind},disconnect-after=1`);
      const { events, error } = await collect(c.stream(longAnswer(kind)));
      isError(error, StreamError, {}, kind);
      assert.equal(sent.length, 3, `${kind}: ${sent.join('\n')}`);
      assert.deepEqual(events.map((e) => e.sequence_number), [0, 1, 2, 3, 4, 5], kind);
      assert.equal(deltaText(events), error.response.output_text, kind);
    }));
  });

  test('a resume that replays an event it cannot place, then goes on: every event once, the text whole', async () => {
    await Promise.all(BAD_SEQ.map(async (kind) => {
      const { c, sent } = faultsPerRequest('disconnect-after=7', `replay-seq=${kind}`);
      const stream = c.stream(longAnswer(kind));
      const events = await drained(stream);
      assert.equal(sent.length, 2, `${kind}: ${sent.join('\n')}`);
      events.forEach((e, i) => assert.equal(e.sequence_number, i, kind));
      const final = await stream.finalResponse();
      assert.equal(final.status, 'completed');
      assert.equal(deltaText(events), final.output_text, kind);
      assert.equal(final.output_text, (await c.retrieve(final.id)).output_text, kind);
    }));
  });

  test('a stream that is not in the background is not resumed: StreamError, one request', async () => {
    const n = srv.requests.length;
    isError((await collect(client.stream(params, fault('disconnect-after=5')))).error, StreamError);
    assert.equal(srv.requests.length - n, 1);
  });

  test('after a reload: stream.response.id and the last sequence_number are all retrieveStream needs', async () => {
    const first = client.stream({ model: 'gpt-mock', input: 'Resume me after a reload, a long answer.', background: true });
    let id;
    let lastSeq;
    for await (const e of first) {
      id = first.response?.id ?? id;
      lastSeq = e.sequence_number;
      if (lastSeq >= 6) break; // the page goes away
    }
    const again = client.retrieveStream(id, { startingAfter: lastSeq });
    const events = await drained(again);
    assert.equal(events[0].sequence_number, lastSeq + 1);
    const final = await again.finalResponse();
    assert.equal(final.output_text, (await client.retrieve(id)).output_text, 'the whole text, from the first event');
  });
});

test('the key is sent to every endpoint and is in no error', async (t) => {
  const guarded = await startMock({ requireKey: 'sk-the-right-key-0123456789' }, t);
  const wrong = new ResponsesClient({ apiKey: KEY, baseURL: `${guarded.url}/v1`, maxRetries: 0 });
  for (const call of [() => wrong.compact(params), () => wrong.countInputTokens(params), () => wrong.conversations.create()]) {
    const e = await rejection(call());
    assert.ok(e instanceof ApiError && e.status === 401, `${e}`);
    assert.ok(!JSON.stringify({ m: e.message, b: e.body }).includes(KEY));
  }
});
