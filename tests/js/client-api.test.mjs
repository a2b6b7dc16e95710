// ResponsesClient methods against the mock: create, stream, retrieve, delete, inputItems,
// cancel (background), retrieveStream (resume with startingAfter); what goes on the wire:
// URLs, methods, bodies, headers (default, per-request, Authorization), the custom `fetch`.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, ValidationError, ResponsesClient } from 'cometapi-responses';
import { KEY, useMock, startMock, clientFor, collect, rejection, deltaText, until, sleep, has, fails, drained } from './client-helpers.mjs';

const { srv, client } = await useMock({ backgroundMs: 400 });

const last = () => srv.requests.at(-1);

describe('create / retrieve / delete', () => {
  test('create: the completed Response, output_text set; the body sent as given, without stream', async () => {
    const params = { model: 'gpt-mock', input: 'Hello create', instructions: 'Be brief.', metadata: { k: 'v' }, temperature: 0.5 };
    const r = await client.create(params);
    assert.match(r.id, /^resp_/);
    has(r, { object: 'response', status: 'completed', model: 'gpt-mock', instructions: 'Be brief.', metadata: { k: 'v' } });
    assert.equal(typeof r.output_text, 'string');
    assert.match(r.output_text, /Hello create/);
    assert.equal(r.output_text, r.output.filter((i) => i.type === 'message').flatMap((i) => i.content).filter((p) => p.type === 'output_text').map((p) => p.text).join(''));
    const req = last();
    has(req, { method: 'POST', path: '/v1/responses' });
    has(req.body, { model: 'gpt-mock', input: 'Hello create', temperature: 0.5 });
    assert.notEqual(req.body.stream, true);
    assert.match(req.headers['content-type'], /application\/json/);
    assert.match(req.headers.accept, /application\/json/);
  });

  test('stream() sends stream: true and accepts text/event-stream', async () => {
    const stream = client.stream({ model: 'gpt-mock', input: 'Hello stream' });
    await stream.finalResponse();
    assert.equal(last().body.stream, true);
    assert.match(last().headers.accept, /text\/event-stream/);
  });

  test('create: output_text when the answer has no text (a function call) is ""', async () => {
    const r = await client.create({
      model: 'gpt-mock',
      input: 'Call get_weather please',
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: 'required',
    });
    assert.equal(r.output[0].type, 'function_call');
    assert.equal(r.output_text, '');
  });

  test('retrieve: the stored Response; delete; then retrieve → ApiError 404', async () => {
    const created = await client.create({ model: 'gpt-mock', input: 'Keep me' });
    const got = await client.retrieve(created.id);
    has(last(), { method: 'GET', path: `/v1/responses/${created.id}` });
    has(got, { id: created.id, status: 'completed', output_text: created.output_text, output: created.output });

    const deleted = await client.delete(created.id);
    assert.equal(last().method, 'DELETE');
    assert.deepEqual(deleted, { id: created.id, object: 'response', deleted: true });

    const err = await fails(client.retrieve(created.id), ApiError);
    assert.equal(err.status, 404);
    const err2 = await fails(client.delete(created.id), ApiError);
    assert.equal(err2.status, 404);
  });

  test('ids are one encoded path segment; an empty id is a ValidationError', async () => {
    const err = await rejection(client.retrieve('resp_x/../../etc?a=b#c'));
    assert.equal(err.status, 404);
    assert.equal(last().url, '/v1/responses/resp_x%2F..%2F..%2Fetc%3Fa%3Db%23c');
    const n = srv.requests.length;
    const v = await fails(client.retrieve(''), ValidationError);
    assert.equal(v.param, 'id');
    await assert.rejects(client.retrieve(42), TypeError);
    assert.equal(srv.requests.length, n);
  });

  test('baseURL with a trailing slash', async () => {
    const c = new ResponsesClient({ apiKey: KEY, baseURL: `${srv.url}/v1/`, maxRetries: 0 });
    const r = await c.create({ model: 'gpt-mock', input: 'slash' });
    assert.equal(r.status, 'completed');
    assert.equal(last().path, '/v1/responses');
  });
});

describe('inputItems', () => {
  const input = [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'second' }, { role: 'user', content: 'third' }];
  let id;
  before(async () => { id = (await client.create({ model: 'gpt-mock', input })).id; });

  test('the list: data, first_id, last_id, has_more (default order desc)', async () => {
    const list = await client.inputItems(id);
    assert.equal(last().path, `/v1/responses/${id}/input_items`);
    assert.equal(list.object, 'list');
    assert.equal(list.data.length, 3);
    has(list, { has_more: false, first_id: list.data[0].id, last_id: list.data[2].id });
    assert.deepEqual(list.data.map((i) => i.content[0].text), ['third', 'second', 'first']);
  });

  test('order, limit, after, include reach the server as query parameters', async () => {
    const page1 = await client.inputItems(id, { order: 'asc', limit: 2, include: ['message.input_image.image_url'] });
    assert.deepEqual(last().query, { order: 'asc', limit: '2', 'include[]': 'message.input_image.image_url' });
    assert.deepEqual(page1.data.map((i) => i.content[0].text), ['first', 'second']);
    assert.equal(page1.has_more, true);
    const page2 = await client.inputItems(id, { order: 'asc', limit: 2, after: page1.last_id });
    assert.equal(last().query.after, page1.last_id);
    assert.deepEqual(page2.data.map((i) => i.content[0].text), ['third']);
    assert.equal(page2.has_more, false);
  });

  test('bad limit / order: ValidationError before sending; unknown id: 404', async () => {
    const n = srv.requests.length;
    for (const [opts, param] of [[{ limit: 0 }, 'limit'], [{ limit: 101 }, 'limit'], [{ order: 'up' }, 'order']]) {
      const err = await fails(client.inputItems(id, opts), ValidationError);
      assert.equal(err.param, param);
    }
    assert.equal(srv.requests.length, n);
    const err = await rejection(client.inputItems('resp_unknown'));
    assert.equal(err.status, 404);
  });
});

describe('background: cancel, retrieveStream', () => {
  test('cancel a running background response → status cancelled (also on retrieve)', async () => {
    const r = await client.create({ model: 'gpt-mock', input: 'cancel me', background: true });
    assert.equal(r.background, true);
    assert.ok(['queued', 'in_progress'].includes(r.status), r.status);
    const cancelled = await client.cancel(r.id);
    has(last(), { method: 'POST', path: `/v1/responses/${r.id}/cancel` });
    has(cancelled, { id: r.id, status: 'cancelled' });
    assert.equal(typeof cancelled.output_text, 'string');
    await sleep(20);
    assert.equal((await client.retrieve(r.id)).status, 'cancelled');
  });

  test('cancel of a foreground response: ApiError 400; of an unknown id: 404', async () => {
    const r = await client.create({ model: 'gpt-mock', input: 'foreground' });
    const err = await fails(client.cancel(r.id), ApiError);
    assert.equal(err.status, 400);
    assert.equal((await rejection(client.cancel('resp_nope'))).status, 404);
  });

  test('background + stream, leave early, resume with retrieveStream({ startingAfter })', async () => {
    const first = client.stream({ model: 'gpt-mock', input: 'resume me', background: true });
    const seen = [];
    for await (const e of first) {
      seen.push(e);
      if (e.sequence_number >= 4) break;
    }
    assert.deepEqual(seen.slice(0, 3).map((e) => e.type), ['response.created', 'response.queued', 'response.in_progress']);
    const id = seen[0].response.id;
    const n = seen.at(-1).sequence_number;

    const resumed = client.retrieveStream(id, { startingAfter: n });
    // The snapshot is the whole response from the first event handed out: the replay starts at
    // the beginning (every event is folded), only the events after startingAfter are handed out.
    const head = (await resumed.next()).value;
    assert.equal(head.sequence_number, n + 1);
    assert.equal(resumed.response.id, id);
    const textSoFar = deltaText([...seen, head]);
    assert.equal(resumed.response.output_text, textSoFar, 'the snapshot holds the text of the events before startingAfter');
    const { events: rest, error } = await collect(resumed);
    const events = [head, ...rest];
    assert.equal(error, null);
    const req = srv.requests.filter((r) => r.method === 'GET' && r.path === `/v1/responses/${id}`).at(-1);
    assert.deepEqual(req.query, { stream: 'true' });
    assert.match(req.headers.accept, /text\/event-stream/);
    assert.ok(events.length > 5);
    assert.ok(events.every((e) => e.sequence_number > n), 'only events after startingAfter');
    events.forEach((e, i) => assert.equal(e.sequence_number, n + 1 + i, 'consecutive'));
    assert.equal(events.at(-1).type, 'response.completed');
    const final = await resumed.finalResponse();
    assert.equal(final.status, 'completed');
    assert.equal(final.id, id);
    const all = [...seen, ...events];
    assert.equal(final.output_text, deltaText(all), 'first part + resumed part = the whole text');
    assert.equal(final.output_text, (await client.retrieve(id)).output_text);
  });

  test('retrieveStream without startingAfter replays everything (also after the end)', async () => {
    const r = await client.create({ model: 'gpt-mock', input: 'replay me', background: true });
    const live = client.retrieveStream(r.id);
    const events = await drained(live);
    has(events[0], { sequence_number: 0, type: 'response.created' });
    assert.equal(events.at(-1).type, 'response.completed');
    assert.deepEqual(last().query, { stream: 'true' });
    const final = await live.finalResponse();
    // The stream is over now: a second replay gives the same events.
    const again = client.retrieveStream(r.id, { startingAfter: 0 });
    const rest = await collect(again);
    assert.deepEqual(rest.events, events.slice(1));
    assert.equal((await again.finalResponse()).output_text, final.output_text);
  });

  test('retrieveStream of an unknown id: ApiError 404 from iteration and finalResponse', async () => {
    const s = client.retrieveStream('resp_missing', { startingAfter: 3 });
    const { error } = await collect(s);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 404);
    assert.equal((await rejection(s.finalResponse())).status, 404);
  });

  test('retrieveStream argument checks', () => {
    assert.throws(() => client.retrieveStream('resp_x', { startingAfter: -1 }), TypeError);
    assert.throws(() => client.retrieveStream('resp_x', { startingAfter: 1.5 }), TypeError);
    assert.throws(() => client.retrieveStream(7), TypeError);
  });
});

describe('what goes on the wire', () => {
  test('a custom fetch is used for every call (and not globalThis.fetch)', async (t) => {
    const calls = [];
    const origFetch = globalThis.fetch;
    let globalCalls = 0;
    globalThis.fetch = (...a) => { globalCalls++; return origFetch(...a); };
    t.after(() => globalThis.fetch = origFetch);
    const c = new ResponsesClient({
      apiKey: KEY,
      baseURL: `${srv.url}/v1`,
      maxRetries: 0,
      fetch: (url, init) => { calls.push({ url, init }); return origFetch(url, init); },
    });
    const r = await c.create({ model: 'gpt-mock', input: 'custom fetch' });
    await c.stream({ model: 'gpt-mock', input: 'custom fetch stream' }).finalResponse();
    await c.retrieve(r.id);
    await c.inputItems(r.id);
    await c.delete(r.id);
    assert.equal(calls.length, 5);
    assert.equal(globalCalls, 0);
    assert.equal(calls[0].url, `${srv.url}/v1/responses`);
    assert.equal(calls[0].init.method, 'POST');
    assert.equal(JSON.parse(calls[0].init.body).input, 'custom fetch');
    assert.ok(calls[0].init.signal instanceof AbortSignal);
    const headers = new Headers(calls[0].init.headers);
    assert.equal(headers.get('authorization'), `Bearer ${KEY}`);
    assert.equal(calls[4].init.method, 'DELETE');
    assert.equal(calls[2].url, `${srv.url}/v1/responses/${r.id}`);
  });

  test('clients made one after another each send their own key, base URL and headers', async () => {
    const sent = [];
    const fetch = async (url, init) => {
      sent.push([url, new Headers(init.headers).get('authorization'), new Headers(init.headers).get('x-tenant')]);
      return new Response('{"id":"r","object":"response","output":[]}', { headers: { 'content-type': 'application/json' } });
    };
    const make = (n) => new ResponsesClient({ apiKey: `sk-tenant-${n}`, baseURL: `http://127.0.0.1:9/v${n}`, headers: { 'x-tenant': `${n}` }, fetch });
    // a2 shares a's core client (the same options, made right after it); b is made after both
    const [a, a2, b] = [make(1), make(1), make(2)];
    for (const c of [a, b, a2, b, a]) await c.create({ model: 'm', input: 'x' });
    const want = (n) => [`http://127.0.0.1:9/v${n}/responses`, `Bearer sk-tenant-${n}`, `${n}`];
    assert.deepEqual(sent, [want(1), want(2), want(1), want(2), want(1)]);
  });

  test('a custom fetch that returns a hand-made Response', async () => {
    const body = { id: 'resp_fake', object: 'response', status: 'completed', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'fake!', annotations: [] }] }] };
    const c = new ResponsesClient({ fetch: async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }) });
    const r = await c.create({ model: 'm', input: 'x' });
    has(r, { id: 'resp_fake', output_text: 'fake!' });
  });

  test('default headers and per-request headers arrive; per-request wins', async () => {
    const c = clientFor(srv, { headers: { 'x-client-default': 'a', 'x-both': 'client', 'OpenAI-Organization': 'org_1' } });
    await c.create({ model: 'gpt-mock', input: 'headers' }, { headers: { 'x-per-request': 'b', 'x-both': 'request' } });
    let h = last().headers;
    assert.equal(h['x-client-default'], 'a');
    assert.equal(h['x-per-request'], 'b');
    assert.equal(h['x-both'], 'request');
    assert.equal(h['openai-organization'], 'org_1');
    assert.equal(h.authorization, 'REDACTED', 'an Authorization header was sent (the mock redacts it in its log)');
    await c.stream({ model: 'gpt-mock', input: 'headers' }, { headers: new Headers({ 'x-from-headers-object': 'c' }) }).finalResponse();
    h = last().headers;
    assert.equal(h['x-client-default'], 'a');
    assert.equal(h['x-from-headers-object'], 'c');
    await c.retrieve(srv.requests.at(-1).requestId).catch(() => {});
    assert.equal(last().headers['x-client-default'], 'a', 'on GET too');
  });

  test('no Authorization header without an apiKey (or with an empty one)', async () => {
    for (const apiKey of [undefined, null, '']) {
      const c = new ResponsesClient({ apiKey, baseURL: `${srv.url}/v1`, maxRetries: 0 });
      await c.create({ model: 'gpt-mock', input: 'no key' });
      assert.equal(last().headers.authorization, undefined, `apiKey ${JSON.stringify(apiKey)}`);
      await c.stream({ model: 'gpt-mock', input: 'no key' }).finalResponse();
      assert.equal(last().headers.authorization, undefined);
    }
  });

  test('the key is sent as Bearer to a server that requires it', async (t) => {
    const guarded = await startMock({ requireKey: KEY }, t);
    const r = await clientFor(guarded).create({ model: 'gpt-mock', input: 'authorised' });
    assert.equal(r.status, 'completed');
    const err = await rejection(new ResponsesClient({ baseURL: `${guarded.url}/v1`, maxRetries: 0 }).create({ model: 'gpt-mock', input: 'x' }));
    has(err, { status: 401, code: 'missing_api_key' });
  });

  test('constructor and option type checks', () => {
    assert.throws(() => new ResponsesClient({ apiKey: 5 }), TypeError);
    assert.throws(() => new ResponsesClient({ fetch: 'nope' }), TypeError);
    assert.throws(() => new ResponsesClient({ maxRetries: -1 }), TypeError);
    assert.throws(() => new ResponsesClient({ timeout: Number.NaN }), TypeError);
    assert.throws(() => client.stream({ model: 'm', input: 'x' }, { signal: {} }), TypeError);
    assert.throws(() => client.stream({ model: 'm', input: 'x' }, { maxRetries: 1.5 }), TypeError);
  });
});
