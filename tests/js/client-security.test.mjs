// What a hostile server, proxy or custom fetch can do to the client: the API key echoed back on
// every path (an error body, a response header such as x-request-id, on any operation of the
// client) must never reach any field of an error; memory is released when a parser, accumulator or stream
// ends (not only by the garbage collector); bodies are cancelled at their limit, never drained;
// ids that would name another path are refused before any request.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  ApiError, ConnectionError, OutputParseError, StreamError, ValidationError, ResponsesClient, ResponseAccumulator, SseParser, jsonSchemaFormat,
} from 'cometapi-responses';
import {
  KEY, assertNoKey, assertNoKeyIn, rawServer, rejection, collect, frame, syntheticStream, fails, clientFor, has, isError, startMock, enc, streamOf,
} from './client-helpers.mjs';
import { response, message, fnCall, sseAnswer, jsonAnswer, scripted } from './sdk-helpers.mjs';

const servers = [];
after(() => Promise.all(servers.map((s) => s.close())));
const server = async (handler) => servers[servers.push(await rawServer(handler)) - 1];
/** A server answering every request with `status`, `type` and `body`. */
const answering = (status, type, body) => server((req, res) => {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'function' ? body(req) : body);
});
const params = { model: 'gpt-mock', input: 'hi' };
/** A client (with the key, no retries) whose requests go to `fetch`. */
const fetching = (fetch) => new ResponsesClient({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch });
/** The growth of the RSS in MiB since `rss0`. */
const grownSince = (rss0) => (process.memoryUsage().rss - rss0) / 2 ** 20;

test('the key: a 200 text/html body echoing the headers; in-stream error events, response.failed, malformed data quoting it', async () => {
  const s = await answering(200, 'text/html', (req) => `<p>authorization: ${req.headers.authorization}</p><pre>${JSON.stringify(req.headers)}</pre>`);
  const err = await fails(clientFor(s).create(params), StreamError);
  assert.match(err.message, /not JSON/);
  assertNoKey(err, 'html 200');
  // in-stream error events, response.failed and malformed data quoting the key
  const { events } = syntheticStream(['a', 'b'], { terminal: false });
  const head = events.slice(0, 5).map((e) => frame(e)).join('');
  const nested = { type: 'invalid_request_error', code: `bad_${KEY}`, message: `key ${KEY} is wrong`, param: KEY.slice(5) };
  const failed = { id: 'resp_test', object: 'response', status: 'failed', output: [], error: { code: 'x', message: `denied for ${KEY}` }, instructions: KEY };
  const bodies = {
    nested: frame({ type: 'error', sequence_number: 9, error: nested }),
    flat: frame({ type: 'error', sequence_number: 9, code: KEY.slice(4, 30), message: `key ${KEY}`, param: null }),
    failed: frame({ type: 'response.failed', sequence_number: 9, response: failed }),
    malformed: `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"${KEY}"\n\n`,
  };
  for (const [name, tail] of Object.entries(bodies)) {
    const s = await answering(200, 'text/event-stream', head + tail);
    const { error } = await collect(clientFor(s).stream(params));
    assertNoKey(isError(error, name === 'malformed' ? StreamError : ApiError, {}, name), `${name} (iteration)`);
    assertNoKey(await rejection(clientFor(s).stream(params).finalResponse()), `${name} (finalResponse)`);
  }
});

test('the key: a custom fetch that rejects quoting the headers, with the request attached, an AggregateError or a deep cause chain: ConnectionError and a cause without the key', async () => {
  const deep = (text) => Array.from({ length: 7 }).reduce((e, _, i) => new Error(`layer ${i}`, { cause: e }), new Error(text));
  const rejections = {
    'the headers quoted': (url, init) => new TypeError(`fetch failed for ${url} with ${JSON.stringify(init.headers)}`, {
      cause: new Error(`socket: ${init.headers.authorization}`),
    }),
    'a Request attached': (url, init) => Object.assign(new Error('POST failed'), { request: new Request(url, init) }),
    'the init attached': (url, init) => Object.assign(new Error('network down'), { init }),
    'an AggregateError': () => new AggregateError([new Error(`mirror: bad key ${KEY}`)], 'all mirrors failed'),
    'a cause 7 levels down': () => deep(`proxy: bad key ${KEY}`),
    'an error class with a getter': (url, init) => new (class extends Error {
      #init = init;
      get init() { return this.#init; }
    })('failed'),
    'a function holding the headers': (url, init) => Object.assign(new Error('failed'), { retry: Object.assign(() => {}, { headers: init.headers }) }),
    'a symbol named by the key': () => Object.assign(new Error('failed'), { tag: Symbol(KEY) }),
    'a DOMException quoting the key': () => new DOMException(`aborted: ${KEY}`, 'TimeoutError'),
  };
  for (const [name, rejection] of Object.entries(rejections)) {
    const c = fetching(async (url, init) => { throw rejection(url, init); });
    const err = await fails(c.create(params), ConnectionError);
    assertNoKey(err, name);
    assert.ok(err.cause instanceof Error, name);
    assertNoKeyIn(inspect(err.cause, { depth: 20, showHidden: true, getters: true }), `${name}: its cause`);
    assertNoKey(isError((await collect(c.stream(params))).error, ConnectionError), `${name} (stream)`);
    if (name === 'the headers quoted') assert.match(err.message, /fetch failed/);
  }
  // A cause with nothing of the key in it is the rejection itself (a DOMException too: AbortSignal.timeout()'s).
  for (const clean of [deep('proxy: no route'), new DOMException('The operation was aborted due to timeout', 'TimeoutError')]) {
    assert.equal((await fails(fetching(async () => { throw clean; }).create(params), ConnectionError)).cause, clean);
  }
});

test('the key: params quoting it fail validation without it; a structured output that quotes it fails its validate without it', async () => {
  // A refused baseURL that holds the key (a query, user:key@, a path with a space) is quoted without it.
  for (const baseURL of [`https://h/v1?api-key=${KEY}`, `https://u:${KEY}@h/v1`, `https://h/${KEY}/v1 `]) {
    let e;
    assert.throws(() => new ResponsesClient({ apiKey: KEY, baseURL }), (err) => (e = err) instanceof ValidationError && err.param === 'baseURL');
    assertNoKey(e, baseURL.slice(0, 12));
  }
  const c = fetching(async () => { throw new Error('not sent'); });
  for (const bad of [{ temperature: KEY }, { metadata: { [KEY]: 'x'.repeat(600) } }]) {
    assertNoKey(await rejection((async () => c.stream({ ...params, ...bad }))()), JSON.stringify(Object.keys(bad)));
  }
  const answer = response([message(JSON.stringify({ a: KEY }))]);
  const answerOf = (body) => (body.stream ? sseAnswer(answer) : jsonAnswer(answer));
  const { client: answering } = scripted(answerOf, { apiKey: KEY });
  // A validator whose issue quotes the value it refused.
  const validate = { '~standard': { version: 1, vendor: 'test', validate: (v) => ({ issues: [{ message: `refused ${v.a}`, path: ['a'], input: v }] }) } };
  // Issues that refer to themselves: their messages and paths, redacted.
  const selfish = { '~standard': { version: 1, vendor: 'test', validate: (v) => {
    const issue = { message: `refused ${v.a}`, path: ['a'] };
    issue.self = issue;
    return { issues: [issue] };
  } } };
  for (const v of [validate, selfish]) {
    const format = jsonSchemaFormat('p', { type: 'object' }, { validate: v });
    for (const [name, run] of [['parse', () => answering.parse({ ...params, text: { format } })], ['stream', () => answering.stream({ ...params, text: { format } }).finalResponse()]]) {
      const err = await fails(run(), OutputParseError);
      assertNoKey(err, name);
      assertNoKeyIn(`${err.text} ${inspect(err.issues, { depth: 4 })}`, `${name}: text and issues`);
      assert.equal(err.text, '{"a":"[redacted]"}', name);
      assert.equal(err.issues[0].message, 'refused [redacted]', name);
    }
  }
  // The tool loop's errors of the calls: arguments that are not JSON, a validate that refuses them.
  const first = response([fnCall('f', `{"a":"${KEY}"`, 'c1'), fnCall('f', `{"a":"${KEY}"}`, 'c2')]);
  const { client: tools } = scripted((_, n) => sseAnswer(n ? answer : first), { apiKey: KEY });
  const run = tools.runTools({ ...params, tools: [{ type: 'function', name: 'f', validate, execute: () => 'ran' }] });
  await run.finalResponse();
  const errors = run.steps[0].toolCalls.map((c) => c.error);
  assert.deepEqual(errors.map((e) => e?.name), ['OutputParseError', 'OutputParseError']);
  for (const e of errors) {
    assertNoKey(e, 'a tool call\'s error');
    assertNoKeyIn(`${e.text} ${inspect(e.issues, { depth: 4 })}`, 'a tool call\'s error: text and issues');
  }
});

/** Every method that puts an id in a path, each a function of the client and the id (an id of its
 *  own when none is given) that returns its outcome as a promise; the item's id in `BY_ITEM_ID`. */
const BY_ID = {
  retrieve: (c, id = 'resp_1') => c.retrieve(id),
  retrieveStream: (c, id = 'resp_1') => c.retrieveStream(id).finalResponse(),
  cancel: (c, id = 'resp_1') => c.cancel(id),
  delete: (c, id = 'resp_1') => c.delete(id),
  inputItems: (c, id = 'resp_1') => c.inputItems(id),
  'conversations.retrieve': (c, id = 'conv_1') => c.conversations.retrieve(id),
  'conversations.update': (c, id = 'conv_1') => c.conversations.update(id, { metadata: {} }),
  'conversations.delete': (c, id = 'conv_1') => c.conversations.delete(id),
  'conversations.items.create': (c, id = 'conv_1') => c.conversations.items.create(id, { items: [] }),
  'conversations.items.list': (c, id = 'conv_1') => c.conversations.items.list(id),
  'conversations.items.retrieve': (c, id = 'conv_1') => c.conversations.items.retrieve(id, 'msg_1'),
  'conversations.items.delete': (c, id = 'conv_1') => c.conversations.items.delete(id, 'msg_1'),
  'files.retrieve': (c, id = 'file_1') => c.files.retrieve(id),
  'files.delete': (c, id = 'file_1') => c.files.delete(id),
  'files.content': (c, id = 'file_1') => c.files.content(id),
};
const BY_ITEM_ID = {
  'conversations.items.retrieve': (c, id) => c.conversations.items.retrieve('conv_1', id),
  'conversations.items.delete': (c, id) => c.conversations.items.delete('conv_1', id),
};

/** Every operation of the client, each a function of the client that returns its outcome as a promise. */
const OPERATIONS = {
  create: (c) => c.create(params),
  stream: (c) => c.stream(params).finalResponse(),
  'stream (iteration)': async (c) => {
    const { error } = await collect(c.stream(params));
    throw error;
  },
  compact: (c) => c.compact(params),
  countInputTokens: (c) => c.countInputTokens(params),
  parse: (c) => c.parse(params),
  runTools: (c) => c.runTools(params).finalResponse(),
  'conversations.create': (c) => c.conversations.create({}),
  ...BY_ID,
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
  const listed = Object.keys(OPERATIONS).filter((n) => !n.includes(' ') && !n.startsWith('files.'));
  assert.deepEqual(methods.filter((n) => n !== 'connect').sort(), listed.sort());
  assert.ok(methods.includes('connect'));
});

/** A fetch that answers every request with `status`, `x-request-id: <requestId>` and an error body
 *  quoting the key whole, without its prefix, and cut. */
const echoing = (status, requestId) => async () => {
  const message = `Incorrect API key provided: ${KEY}. Also ${KEY.slice(3)} and ${KEY.slice(8, 30)}`;
  const error = { message, type: 'invalid_request_error', code: KEY.slice(10, 40), param: null };
  return new Response(JSON.stringify({ error }), { status, headers: { 'content-type': 'application/json', 'x-request-id': requestId } });
};
const clientOf = (status, requestId) => fetching(echoing(status, requestId));

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

test('memory: 3000 SseParsers fed a 1 MB event, each finished (and kept): no trap, bounded memory', () => {
  const done = enc(`data: ${'x'.repeat(1 << 20)}\n\n`);
  const open = enc(`data: ${'y'.repeat(1 << 20)}`);
  const kept = [];
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < 3000; i++) {
    const p = new SseParser();
    assert.equal(p.feed(i % 2 ? done : open).length, i % 2);
    p.finish();
    kept.push(p); // finished parsers hold no wasm memory, whether or not they are collected
  }
  assert.ok(grownSince(rss0) < 600, `RSS grew by ${grownSince(rss0).toFixed(0)} MiB`);
  assert.equal(kept.length, 3000);
});

test('memory: 3000 streams with a 1 MB response.created, read to their end (and kept): bounded memory', async () => {
  const big = { id: 'resp_big', object: 'response', status: 'in_progress', output: [], instructions: 'i'.repeat(1 << 20) };
  const completed = { ...big, instructions: 'done', status: 'completed' };
  const created = frame({ type: 'response.created', sequence_number: 0, response: big });
  const sse = enc(created + frame({ type: 'response.completed', sequence_number: 1, response: completed }));
  const kept = [];
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < 3000; i++) {
    const stream = streamOf([sse]);
    if (i % 2) for await (const ev of stream) void ev;
    assert.equal((await stream.finalResponse()).status, 'completed');
    kept.push(stream); // an ended stream holds no wasm memory, whether or not it is collected
  }
  assert.ok(grownSince(rss0) < 800, `RSS grew by ${grownSince(rss0).toFixed(0)} MiB`);
});

test('memory: a chunk wasm memory cannot hold is a StreamError, never a trap; the instance keeps working', async () => {
  const huge = new Uint8Array(2 ** 31 + 16); // more than a wasm32 allocation can be (pages stay untouched)
  const p = new SseParser();
  assert.throws(() => p.feed(huge), (e) => e instanceof StreamError && /out of memory/.test(e.message));
  p.finish();
  assert.deepEqual(p.feed(enc('data: still here\n\n')), [{ event: 'message', data: 'still here', lastEventId: '' }]);
  const { sse } = syntheticStream();
  const head = sse.slice(0, sse.indexOf('\n\n') + 2); // the first event, whole
  const { events, error } = await collect(streamOf([head, huge]));
  assert.ok(error instanceof StreamError && /out of memory/.test(error.message), `got ${error}`);
  assert.ok(events.length >= 1);
  assert.equal((await streamOf([sse]).finalResponse()).output_text, 'Hello wörld 🙂');
});

test('memory: free() and [Symbol.dispose]() on every class holding wasm memory; a freed object says so', async () => {
  for (const release of [(p) => p.free(), (p) => p[Symbol.dispose]()]) {
    const p = new SseParser();
    release(p);
    assert.throws(() => p.feed(new Uint8Array([1])), /freed|disposed/);
    p.free(); // twice is fine
  }
  const acc = new ResponseAccumulator();
  acc.push({ type: 'response.created', response: { id: 'r', object: 'response', status: 'in_progress', output: [] } });
  const snapshot = acc.response;
  acc[Symbol.dispose]();
  assert.deepEqual(acc.response, snapshot, 'the last snapshot stays readable');
  assert.throws(() => acc.push({ type: 'response.in_progress', response: {} }), /freed|disposed/);
  const { sse } = syntheticStream();
  const stream = streamOf([sse]);
  stream.free();
  const { error } = await collect(stream);
  assert.ok(error instanceof Error && /freed|disposed|abort/i.test(error.message), `got ${error}`);
  // A stream read to its end still answers everything after its wasm side was released.
  const done = streamOf([sse]);
  for await (const ev of done) void ev;
  assert.equal((await done.finalResponse()).output_text, 'Hello wörld 🙂');
  assert.equal(done.response.output_text, 'Hello wörld 🙂');
  done[Symbol.dispose]();
});

/** A server answering `status` with an endless body: it counts the bytes it managed to write. */
async function endless(status, type) {
  const state = { written: 0 };
  const s = await server((req, res) => {
    res.writeHead(status, { 'content-type': type });
    const block = Buffer.alloc(1 << 20, 'a');
    const pump = () => {
      while (!res.destroyed && state.written < 2 ** 30) {
        state.written += block.length;
        if (!res.write(block)) return res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  return { s, state };
}

// [status, content type, the error, the bytes the server may write at most]
const ENDLESS = [[500, 'text/plain', ApiError, 64], [200, 'application/json', StreamError, 400]];
test('an endless body: ApiError (an error body) once 1 MiB is read, StreamError (a 2xx JSON body) at the limit; the connection is closed', async () => {
  for (const [status, type, Class, mib] of ENDLESS) {
    const { s, state } = await endless(status, type);
    const t0 = Date.now();
    const err = await fails(clientFor(s).create(params), Class, status === 200 ? {} : { status });
    if (status === 200) assert.match(err.message, /limit/);
    await s.log[0].closedPromise;
    assert.ok(state.written < mib * 2 ** 20, `the server wrote ${state.written >> 20} MiB before the client let go`);
    assert.ok(Date.now() - t0 < 10_000);
  }
});

test('ids: "", "." and ".." are a ValidationError before any request; others one encoded path segment', async (t) => {
  const srv = await startMock({}, t);
  const c = clientFor(srv);
  for (const [table, param] of [[BY_ID, 'id'], [BY_ITEM_ID, 'item_id']]) {
    for (const [name, call] of Object.entries(table)) {
      for (const id of ['', '.', '..']) await fails(call(c, id), ValidationError, { param }, `${name}(${JSON.stringify(id)})`);
    }
  }
  for (const call of [() => c.retrieve(42), () => c.conversations.retrieve(7), () => c.files.retrieve(3)]) {
    await assert.rejects(call(), TypeError);
  }
  await assert.rejects(c.conversations.items.list('conv_1', { limit: 0 }), ValidationError);
  await assert.rejects(c.conversations.items.list('conv_1', { order: 'up' }), ValidationError);
  assert.equal(srv.requests.length, 0, 'no request was sent');
  const SEGMENTS = [
    [() => c.retrieve('resp_x/../../etc?a=b#c'), '/v1/responses/resp_x%2F..%2F..%2Fetc%3Fa%3Db%23c'],
    [() => c.conversations.retrieve('conv_x/../../v1?a=b#c'), '/v1/conversations/conv_x%2F..%2F..%2Fv1%3Fa%3Db%23c'],
    [() => c.files.retrieve('a/b c'), '/v1/files/a%2Fb%20c'],
  ];
  for (const [call, url] of SEGMENTS) {
    await fails(call(), ApiError, { status: 404 }, url);
    assert.equal(srv.requests.at(-1).url, url);
  }
});

test('headers: one fetch cannot send is a ValidationError naming it, never quoting its value, and is not retried', async (t) => {
  const srv = await startMock({}, t);
  // the platform's fetch, counted: one attempt, no retry
  let attempts = 0;
  const fetch = (url, init) => (attempts++, globalThis.fetch(url, init));
  const bad = [{ 'x-user': 'Zoë 😀' }, { 'bad name': 's3cret' }, { 'x-line': 'a\r\nb' }];
  for (const headers of bad) {
    const [[name, value]] = Object.entries(headers);
    for (const [what, call] of [
      ['client', () => clientFor(srv, { headers, maxRetries: 2, fetch }).create(params)],
      ['call', () => clientFor(srv, { maxRetries: 2, fetch }).create(params, { headers })],
      ['stream', () => clientFor(srv, { maxRetries: 2, fetch }).stream(params, { headers }).finalResponse()],
    ]) {
      attempts = 0;
      const err = await fails(call(), ValidationError, { param: 'headers' }, `${what} ${name}`);
      assert.ok(err.message.includes(`\`${name}\``) && !err.message.includes(value), err.message);
      assert.equal(attempts, 1, `${what} ${name}: retried`);
    }
  }
  // the key itself, in the authorization header
  const err = await fails(clientFor(srv, { apiKey: `${KEY}\u0100` }).create(params), ValidationError, { param: 'headers' });
  assertNoKey(err, 'a key fetch cannot send');
  assert.equal(srv.requests.length, 0, 'nothing was sent');
  // what Headers trims or sends as it is: whitespace around a value, Latin-1
  await clientFor(srv).create(params, { headers: { 'x-pad': ' v\t', 'x-latin': 'José' } });
  assert.equal(srv.requests.length, 1);
});

test('headers: a header option of the wrong type is a TypeError that quotes no name (it may be the key)', async () => {
  const counting = async () => new Response('{}');
  assertNoKey(await rejection(fetching(counting).create(params, { headers: { [KEY]: {} } })), 'a header named by the key');
  assert.throws(() => new ResponsesClient({ apiKey: KEY, headers: { [KEY]: [] } }), (e) => e instanceof TypeError && !e.message.includes(KEY.slice(8)));
});

test('a Response with numbers beyond f64 (1e400, a 5000-digit integer) is read as JSON.parse reads it', async () => {
  const big = '9'.repeat(5000);
  const body = `{"id":"resp_big","object":"response","status":"completed","x":1e400,"n":${big},"output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"fine"}]}]}`;
  const s = await answering(200, 'application/json', body);
  has(await clientFor(s).create(params), { x: Infinity, n: JSON.parse(big), output_text: 'fine' });
});
