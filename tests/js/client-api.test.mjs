// ResponsesClient methods against the mock: create, stream, retrieve, delete, inputItems,
// cancel (background), retrieveStream (resume with startingAfter); what goes on the wire:
// URLs, methods, bodies, headers (default, per-request, Authorization), the custom `fetch`.
// The id rules of every method are in client-security.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, ValidationError, ResponsesClient } from 'cometapi-responses';
import { KEY, useMock, startMock, clientFor, collect, rejection, deltaText, sleep, has, fails, drained, isError } from './client-helpers.mjs';

const { srv, client, last } = await useMock({ backgroundMs: 400 });
const ask = (input, extra = {}) => ({ model: 'gpt-mock', input, ...extra });
const texts = (list) => list.data.map((i) => i.content[0].text);
const jsonAnswer = (body) => new Response(body, { headers: { 'content-type': 'application/json' } });

test('create: the completed Response, output_text set; the body sent as given; stream() adds stream: true', async () => {
  const params = ask('Hello create', { instructions: 'Be brief.', metadata: { k: 'v' }, temperature: 0.5 });
  const r = await client.create(params);
  assert.match(r.id, /^resp_/);
  has(r, { object: 'response', status: 'completed', model: 'gpt-mock', instructions: 'Be brief.', metadata: { k: 'v' } });
  assert.match(r.output_text, /Hello create/);
  assert.equal(r.output_text, r.output.filter((i) => i.type === 'message').flatMap((i) => i.content).filter((p) => p.type === 'output_text').map((p) => p.text).join(''));
  has(last(), { method: 'POST', path: '/v1/responses' });
  has(last().body, { model: 'gpt-mock', input: 'Hello create', temperature: 0.5 });
  assert.notEqual(last().body.stream, true);
  assert.match(last().headers['content-type'], /application\/json/);
  assert.match(last().headers.accept, /application\/json/);
  await client.stream(ask('Hello stream')).finalResponse();
  assert.equal(last().body.stream, true);
  assert.match(last().headers.accept, /text\/event-stream/);
});

test('create: output_text when the answer has no text (a function call) is ""', async () => {
  const tool = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
  const r = await client.create(ask('Call get_weather please', { tools: [tool], tool_choice: 'required' }));
  assert.deepEqual([r.output_text, r.output[0].type], ['', 'function_call']);
});

test('retrieve: the stored Response; delete; then retrieve and delete → ApiError 404', async () => {
  const created = await client.create(ask('Keep me'));
  const got = await client.retrieve(created.id);
  has(last(), { method: 'GET', path: `/v1/responses/${created.id}` });
  has(got, { id: created.id, status: 'completed', output_text: created.output_text, output: created.output });
  assert.deepEqual(await client.delete(created.id), { id: created.id, object: 'response', deleted: true });
  assert.equal(last().method, 'DELETE');
  await fails(client.retrieve(created.id), ApiError, { status: 404 });
  await fails(client.delete(created.id), ApiError, { status: 404 });
  // A 204 (no body): null, as openai-node reads it; a Response is due where one is.
  const noBody = new ResponsesClient({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: async () => new Response(null, { status: 204 }) });
  assert.equal(await noBody.delete('resp_1'), null);
  assert.equal(await noBody.files.delete('file_1'), null);
  await fails(noBody.retrieve('resp_1'), Error, { message: 'the response has no body' });
});

test('baseURL with a trailing slash', async () => {
  const c = new ResponsesClient({ apiKey: KEY, baseURL: `${srv.url}/v1/`, maxRetries: 0 });
  assert.equal((await c.create(ask('slash'))).status, 'completed');
  assert.equal(last().path, '/v1/responses');
});

test('inputItems: the list (default order desc); order, limit, after, include as query parameters; bad ones refused', async () => {
  const input = [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'second' }, { role: 'user', content: 'third' }];
  const itemsOf = (await client.create(ask(input))).id;
  const list = await client.inputItems(itemsOf);
  assert.equal(last().path, `/v1/responses/${itemsOf}/input_items`);
  has(list, { object: 'list', has_more: false, first_id: list.data[0].id, last_id: list.data[2].id });
  assert.deepEqual(texts(list), ['third', 'second', 'first']);
  const page1 = await client.inputItems(itemsOf, { order: 'asc', limit: 2, include: ['message.input_image.image_url'] });
  assert.deepEqual(last().query, { order: 'asc', limit: '2', 'include[]': 'message.input_image.image_url' });
  assert.deepEqual([texts(page1), page1.has_more], [['first', 'second'], true]);
  const page2 = await client.inputItems(itemsOf, { order: 'asc', limit: 2, after: page1.last_id });
  assert.equal(last().query.after, page1.last_id);
  assert.deepEqual([texts(page2), page2.has_more], [['third'], false]);
  // bad limit / order: ValidationError before sending; unknown id: 404
  const n = srv.requests.length;
  for (const [opts, param] of [[{ limit: 0 }, 'limit'], [{ limit: 101 }, 'limit'], [{ order: 'up' }, 'order']]) {
    await fails(client.inputItems(itemsOf, opts), ValidationError, { param });
  }
  assert.equal(srv.requests.length, n);
  assert.equal((await rejection(client.inputItems('resp_unknown'))).status, 404);
});

test('cancel a running background response → status cancelled (also on retrieve); a foreground one: 400; unknown: 404', async () => {
  const r = has(await client.create(ask('cancel me', { background: true })), { background: true });
  assert.ok(['queued', 'in_progress'].includes(r.status), r.status);
  const cancelled = await client.cancel(r.id);
  has(last(), { method: 'POST', path: `/v1/responses/${r.id}/cancel` });
  has(cancelled, { id: r.id, status: 'cancelled' });
  assert.equal(typeof cancelled.output_text, 'string');
  await sleep(20);
  assert.equal((await client.retrieve(r.id)).status, 'cancelled');
  // of a foreground response: ApiError 400; of an unknown id: 404
  await fails(client.cancel((await client.create(ask('foreground'))).id), ApiError, { status: 400 });
  assert.equal((await rejection(client.cancel('resp_nope'))).status, 404);
});

test('background + stream, leave early, resume with retrieveStream({ startingAfter })', async () => {
  const first = client.stream(ask('resume me', { background: true }));
  const seen = await drained(first, (e) => e.sequence_number >= 4);
  assert.deepEqual(seen.slice(0, 3).map((e) => e.type), ['response.created', 'response.queued', 'response.in_progress']);
  // After a reload, stream.response.id and the last sequence_number are all retrieveStream needs.
  const id = first.response.id;
  assert.equal(id, seen[0].response.id);
  const n = seen.at(-1).sequence_number;
  const resumed = client.retrieveStream(id, { startingAfter: n });
  // The snapshot is the whole response from the first event handed out: the replay starts at
  // the beginning (every event is folded), only the events after startingAfter are handed out.
  const head = (await resumed.next()).value;
  assert.deepEqual([head.sequence_number, resumed.response.id], [n + 1, id]);
  assert.equal(resumed.response.output_text, deltaText([...seen, head]), 'the snapshot holds the text of the events before startingAfter');
  const events = [head, ...(await drained(resumed))];
  const req = srv.requests.filter((r) => r.method === 'GET' && r.path === `/v1/responses/${id}`).at(-1);
  assert.deepEqual(req.query, { stream: 'true' });
  assert.match(req.headers.accept, /text\/event-stream/);
  assert.ok(events.length > 5);
  events.forEach((e, i) => assert.equal(e.sequence_number, n + 1 + i, 'only events after startingAfter, consecutive'));
  assert.equal(events.at(-1).type, 'response.completed');
  const final = await resumed.finalResponse();
  has(final, { status: 'completed', id, output_text: deltaText([...seen, ...events]) }, 'first part + resumed part');
  assert.equal(final.output_text, (await client.retrieve(id)).output_text);
});

test('retrieveStream without startingAfter replays everything (also after the end)', async () => {
  const r = await client.create(ask('replay me', { background: true }));
  const live = client.retrieveStream(r.id);
  const events = await drained(live);
  has(events[0], { sequence_number: 0, type: 'response.created' });
  assert.equal(events.at(-1).type, 'response.completed');
  assert.deepEqual(last().query, { stream: 'true' });
  const final = await live.finalResponse();
  // The stream is over now: a second replay gives the same events.
  const again = client.retrieveStream(r.id, { startingAfter: 0 });
  assert.deepEqual((await collect(again)).events, events.slice(1));
  assert.equal((await again.finalResponse()).output_text, final.output_text);
});

test('retrieveStream of an unknown id: ApiError 404 from iteration and finalResponse; argument checks', async () => {
  const s = client.retrieveStream('resp_missing', { startingAfter: 3 });
  isError((await collect(s)).error, ApiError, { status: 404 });
  assert.equal((await rejection(s.finalResponse())).status, 404);
  for (const args of [['resp_x', { startingAfter: -1 }], ['resp_x', { startingAfter: 1.5 }], [7]]) {
    assert.throws(() => client.retrieveStream(...args), TypeError, JSON.stringify(args));
  }
});

test('a custom fetch is used for every call (and not globalThis.fetch)', async (t) => {
  const calls = [];
  const origFetch = globalThis.fetch;
  let globalCalls = 0;
  globalThis.fetch = (...a) => { globalCalls++; return origFetch(...a); };
  t.after(() => globalThis.fetch = origFetch);
  const fetch = (url, init) => { calls.push({ url, init }); return origFetch(url, init); };
  const c = new ResponsesClient({ apiKey: KEY, baseURL: `${srv.url}/v1`, maxRetries: 0, fetch });
  const r = await c.create(ask('custom fetch'));
  await c.stream(ask('custom fetch stream')).finalResponse();
  await c.retrieve(r.id);
  await c.inputItems(r.id);
  await c.delete(r.id);
  assert.equal(calls.length, 5);
  assert.equal(globalCalls, 0);
  has(calls[0], { url: `${srv.url}/v1/responses` });
  assert.deepEqual(calls.map((c) => c.init.method), ['POST', 'POST', 'GET', 'GET', 'DELETE']);
  assert.equal(JSON.parse(calls[0].init.body).input, 'custom fetch');
  assert.ok(calls[0].init.signal instanceof AbortSignal);
  assert.equal(new Headers(calls[0].init.headers).get('authorization'), `Bearer ${KEY}`);
  assert.equal(calls[2].url, `${srv.url}/v1/responses/${r.id}`);
});

test('clients made one after another each send their own key, base URL and headers; a hand-made Response', async () => {
  const sent = [];
  const fetch = async (url, init) => {
    sent.push([url, new Headers(init.headers).get('authorization'), new Headers(init.headers).get('x-tenant')]);
    return jsonAnswer('{"id":"r","object":"response","output":[]}');
  };
  const make = (n) => new ResponsesClient({ apiKey: `sk-tenant-${n}`, baseURL: `http://127.0.0.1:9/v${n}`, headers: { 'x-tenant': `${n}` }, fetch });
  // a2 shares a's core client (the same options, made right after it); b is made after both
  const [a, a2, b] = [make(1), make(1), make(2)];
  for (const c of [a, b, a2, b, a]) await c.create({ model: 'm', input: 'x' });
  const want = (n) => [`http://127.0.0.1:9/v${n}/responses`, `Bearer sk-tenant-${n}`, `${n}`];
  assert.deepEqual(sent, [want(1), want(2), want(1), want(2), want(1)]);
  // a custom fetch that returns a hand-made Response
  const body = { id: 'resp_fake', object: 'response', status: 'completed', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'fake!', annotations: [] }] }] };
  const c = new ResponsesClient({ fetch: async () => jsonAnswer(JSON.stringify(body)) });
  has(await c.create({ model: 'm', input: 'x' }), { id: 'resp_fake', output_text: 'fake!' });
});

test('default headers and per-request headers arrive; per-request wins', async () => {
  const c = clientFor(srv, { headers: { 'x-client-default': 'a', 'x-both': 'client', 'OpenAI-Organization': 'org_1' } });
  await c.create(ask('headers'), { headers: { 'x-per-request': 'b', 'x-both': 'request' } });
  // an Authorization header was sent (the mock redacts it in its log)
  const sent = { 'x-client-default': 'a', 'x-per-request': 'b', 'x-both': 'request', 'openai-organization': 'org_1', authorization: 'REDACTED' };
  has(last().headers, sent);
  await c.stream(ask('headers'), { headers: new Headers({ 'x-from-headers-object': 'c' }) }).finalResponse();
  has(last().headers, { 'x-client-default': 'a', 'x-from-headers-object': 'c' });
  await c.retrieve(srv.requests.at(-1).requestId).catch(() => {});
  assert.equal(last().headers['x-client-default'], 'a', 'on GET too');
});

test('no Authorization header without an apiKey (or with an empty one); the key as Bearer to a server that requires it', async (t) => {
  for (const apiKey of [undefined, null, '']) {
    const c = new ResponsesClient({ apiKey, baseURL: `${srv.url}/v1`, maxRetries: 0 });
    await c.create(ask('no key'));
    assert.equal(last().headers.authorization, undefined, `apiKey ${JSON.stringify(apiKey)}`);
    await c.stream(ask('no key')).finalResponse();
    assert.equal(last().headers.authorization, undefined);
  }
  // the key is sent as Bearer to a server that requires it
  const guarded = await startMock({ requireKey: KEY }, t);
  assert.equal((await clientFor(guarded).create(ask('authorised'))).status, 'completed');
  const err = await rejection(new ResponsesClient({ baseURL: `${guarded.url}/v1`, maxRetries: 0 }).create(ask('x')));
  has(err, { status: 401, code: 'missing_api_key' });
});

test('constructor and option type checks', () => {
  for (const opts of [{ apiKey: 5 }, { fetch: 'nope' }, { maxRetries: -1 }, { timeout: Number.NaN }]) {
    assert.throws(() => new ResponsesClient(opts), TypeError, String(Object.keys(opts)));
  }
  assert.throws(() => client.stream({ model: 'm', input: 'x' }, { signal: {} }), TypeError);
  assert.throws(() => client.stream({ model: 'm', input: 'x' }, { maxRetries: 1.5 }), TypeError);
});
