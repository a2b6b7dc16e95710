// WebSocket mode against the mock (mock/websocket.mjs), over the `ws` package's WebSocket:
// frames, lanes, warmup, steering, drops and reconnects, abort, errors, the tool loop, the key.
import { privateSizes, wasm } from './socket-probe.mjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getEventListeners } from 'node:events';
import WebSocket, { WebSocketServer } from 'ws';
import { ApiError, AbortError, ConnectionError, ResponseStream, ResponsesClient, StreamError, ValidationError, functionTool } from 'cometapi-responses';
import {
  KEY, assertNoKey, clientFor, collect, startMock, has, fails, drained, read, sleep, syntheticStream, assertWhole,
} from './client-helpers.mjs';

async function setup(t, opts = {}) {
  const srv = await startMock({ delayMs: 2, requireKey: KEY, ...opts }, t);
  const client = clientFor(srv);
  const socket = await client.connect({ WebSocket });
  t.after(() => socket.close());
  return { srv, client, socket };
}

/** A WebSocket server on 127.0.0.1 (closed after the test `t`) whose connections go to `onConnection(ws, req)`: its base URL. */
async function wsServer(t, onConnection, opts = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...opts });
  t.after(() => wss.close());
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', onConnection);
  return `http://127.0.0.1:${wss.address().port}/v1`;
}

/** A socket of a client of `base` (closed after the test `t`). */
async function connectTo(t, base, opts = {}) {
  const socket = await new ResponsesClient({ apiKey: KEY, baseURL: base, ...opts }).connect({ WebSocket });
  t.after(() => socket.close());
  return socket;
}

/** What `p` resolves to, or `{ status: what }` when it is still pending after 5 s. */
const soon = (p, what = 'still waiting') => Promise.race([p, sleep(5000).then(() => ({ status: what }))]);

/** The POST bodies the mock ran for the socket's frames (its request log). */
const bodies = (srv) => srv.requests.filter((r) => r.method === 'POST').map((r) => r.body);

test('stream(): the same ResponseStream, events and snapshot as over HTTP; frames without stream', async (t) => {
  const { srv, socket } = await setup(t);
  const s = socket.stream({ model: 'm', input: 'hello socket', store: false });
  assert.ok(s instanceof ResponseStream);
  const seen = [];
  s.on('response.output_text.delta', (e) => seen.push(e.delta));
  assertWhole(await drained(s));
  const final = await s.finalResponse();
  assert.equal(final.output_text, seen.join(''));
  assert.match(final.output_text, /hello socket/);
  // previous_response_id is connection-local: it works with store: false
  const next = await socket.create({ model: 'm', input: 'and then', previous_response_id: final.id, store: false });
  assert.equal(next.status, 'completed');
  const sent = bodies(srv);
  assert.equal(sent.length, 2);
  has(sent[1], { previous_response_id: final.id, input: 'and then' });
});

test('warmup() sends generate: false; later turns chain from its id', async (t) => {
  const { srv, socket } = await setup(t);
  const w = await socket.warmup({ model: 'm', input: 'the tools and instructions', store: false });
  has(w, { status: 'completed', output: [] });
  assert.equal(bodies(srv)[0].generate, false);
  const r = await socket.create({ model: 'm', input: 'go', previous_response_id: w.id, store: false });
  assert.equal(r.status, 'completed');
  assert.equal(bodies(srv)[1].generate, undefined);
  const url = socket.url;
  assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/v1\/responses$/);
  await socket.close();
  assert.equal(socket.url, url, 'the URL after close()');
});

test('without streamId one at a time (FIFO); different streamIds concurrently, never mixed', async (t) => {
  const { socket } = await setup(t, { delayMs: 5 });
  // FIFO: the second starts only after the first completed
  const order = [];
  const a = socket.stream({ model: 'm', input: 'first' });
  const b = socket.stream({ model: 'm', input: 'second' });
  a.on('response.completed', () => order.push('a done'));
  b.on('response.created', () => order.push('b created'));
  await Promise.all([collect(a), collect(b)]);
  assert.deepEqual(order, ['a done', 'b created']);
  // lanes: both run at the same time, each stream holds only its own lane's events
  const x = socket.stream({ model: 'm', input: 'lane x words' }, { streamId: 'x' });
  const y = socket.stream({ model: 'm', input: 'lane y words' }, { streamId: 'y' });
  let xDone = false;
  let yDeltasAfterX = 0;
  let yDeltasBeforeX = 0;
  x.on('response.completed', () => (xDone = true));
  y.on('response.output_text.delta', () => (xDone ? yDeltasAfterX++ : yDeltasBeforeX++));
  const [rx, ry] = await Promise.all([collect(x), collect(y)]);
  assert.ok(yDeltasBeforeX > 0, 'lane y streamed while lane x ran');
  assert.ok(rx.events.every((e) => e.stream_id === 'x') && ry.events.every((e) => e.stream_id === 'y'));
  assert.match(x.response.output_text, /lane x/);
  assert.doesNotMatch(x.response.output_text, /lane y/);
  assert.match(y.response.output_text, /lane y/);
});

test('errors: an error event is an ApiError (previous_response_not_found), the socket goes on', async (t) => {
  const { socket } = await setup(t);
  const unknown = { model: 'm', input: 'x', previous_response_id: 'resp_unknown' };
  await fails(socket.create(unknown), ApiError, { code: 'previous_response_not_found' });
  assert.throws(() => socket.stream({ model: 'm', input: 'x', background: true }), ValidationError);
  assert.throws(() => socket.stream({ model: 'm', input: 'x', temperature: 9 }), ValidationError);
  assert.equal((await socket.create({ model: 'm', input: 'still fine' })).status, 'completed');
});

test('a malformed frame fails its response; the lane goes on, a malformed terminal frame included', async (t) => {
  const { socket } = await setup(t);
  const n = (await drained(socket.stream({ model: 'm', input: 'x' }))).length;
  for (const at of [5, n - 1]) {
    const { error } = await collect(socket.stream({ model: 'm', input: 'x', metadata: { 'x-mock-fault': `malformed-json=${at}` } }));
    assert.ok(error instanceof StreamError, `${at}: ${error}`);
    const next = await soon(socket.create({ model: 'm', input: 'the next turn' }));
    assert.equal(next.status, 'completed', `after a malformed event ${at}`);
  }
});

test('a frame over maxEventSize fails its response without being copied into wasm memory; the lanes go on', async (t) => {
  const big = 'x'.repeat(16 * 1024 * 1024);
  const base = await wsServer(t, (ws) => ws.on('message', async (m) => {
    const { input: n, stream_id } = JSON.parse(String(m));
    const send = (o) => ws.send(JSON.stringify({ ...o, ...(stream_id ? { stream_id } : {}) }));
    const response = { id: `resp_${n}`, object: 'response', status: 'in_progress', output: [] };
    send({ type: 'response.created', response });
    if (n === 'big delta') send({ type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: big });
    if (n === 'slow') await sleep(300);
    // a terminal event that restates a large output, its lane named before the output
    const done = { ...response, status: 'completed', ...(n === 'big terminal' ? { output_text: big } : {}) };
    ws.send(JSON.stringify({ type: 'response.completed', ...(stream_id ? { stream_id } : {}), response: done }));
  }));
  const socket = await connectTo(t, base, { maxEventSize: 1024 * 1024 });
  await socket.create({ model: 'm', input: 'warm' });
  const before = wasm.memory.buffer.byteLength;
  const { error } = await collect(socket.stream({ model: 'm', input: 'big delta' }));
  assert.ok(error instanceof StreamError && /size limit/.test(error.message), String(error));
  // A large terminal frame on one lane while another runs: that lane's response fails and the
  // lane is free again; the other is untouched.
  const slow = socket.create({ model: 'm', input: 'slow' }, { streamId: 'b' });
  const { error: e2 } = await collect(socket.stream({ model: 'm', input: 'big terminal' }, { streamId: 'a' }));
  assert.ok(e2 instanceof StreamError && /size limit/.test(e2.message), String(e2));
  const grew = wasm.memory.buffer.byteLength - before;
  assert.ok(grew < 8 * 1024 * 1024, `wasm memory grew by ${grew} bytes for two 16 MiB frames over a 1 MiB limit`);
  const next = await soon(socket.create({ model: 'm', input: 'after' }, { streamId: 'a' }), 'lane a still waiting');
  assert.equal(next.status, 'completed');
  assert.equal((await slow).status, 'completed');
  assert.equal((await socket.create({ model: 'm', input: 'after' })).status, 'completed');
});

test('a dropped connection fails the response in flight with ConnectionError (.response), the next call reconnects', async (t) => {
  const { srv, socket } = await setup(t);
  const { stream: s, events, error } = await read(socket.stream({ model: 'm', input: 'cut me', metadata: { 'x-mock-fault': 'ws-drop-after=6' } }));
  assert.ok(error instanceof ConnectionError, String(error));
  assert.equal(events.length, 6);
  assert.equal(error.response?.id, s.response.id, 'the snapshot so far');
  assertNoKey(error);
  const before = bodies(srv).length;
  assert.equal((await socket.create({ model: 'm', input: 'after the drop' })).status, 'completed');
  assert.equal(bodies(srv).length, before + 1, 'the cut response was not replayed');
});

test('abort stops only that response; the other lane goes on', async (t) => {
  const { socket } = await setup(t, { delayMs: 5 });
  const ac = new AbortController();
  const a = socket.stream({ model: 'm', input: 'abort me please' }, { streamId: 'a', signal: ac.signal });
  const b = socket.stream({ model: 'm', input: 'keep me' }, { streamId: 'b' });
  a.on('response.output_text.delta', () => ac.abort());
  const [ra, rb] = await Promise.all([collect(a), collect(b)]);
  assert.ok(ra.error instanceof AbortError);
  assert.equal(rb.error, null);
  assert.match(b.response.output_text, /keep me/);
  // break out of a loop: the lane's next response still gets only its own events
  const c = socket.stream({ model: 'm', input: 'leave early' }, { streamId: 'a' });
  for await (const ev of c) if (ev.type === 'response.output_text.delta') break;
  const d = await socket.create({ model: 'm', input: 'next on a' }, { streamId: 'a' });
  assert.match(d.output_text, /next on a/);
  assert.doesNotMatch(d.output_text, /leave early/);
});

test('steer(): accepted, the steered response ends (incomplete: steered), its successor arrives on on("response")', async (t) => {
  const { socket } = await setup(t, { delayMs: 10 });
  const successor = new Promise((resolve) => socket.on('response', resolve));
  const s = socket.stream({ model: 'm', input: 'a long answer to steer' }, { streamId: 's' });
  let answer;
  s.on('response.output_text.delta', () => {
    answer ??= socket.steer('also mention kittens', { streamId: 's' });
  });
  const { error } = await collect(s);
  assert.equal(error, null);
  assert.equal(await answer, 'accepted');
  has(s.response, { status: 'incomplete', incomplete_details: { reason: 'steered' } });
  const final = await (await successor).finalResponse();
  assert.equal(final.previous_response_id, s.response.id);
  assert.match(final.output_text, /kittens/);
  // nothing running on the lane: refused before sending; a failed steer rejects with ApiError
  await assert.rejects(socket.steer('x', { streamId: 's' }), ValidationError);
  // asked before the response has an id: refused, saying to wait for it (ready()); then accepted
  const early = socket.stream({ model: 'm', input: 'another long answer to steer' }, { streamId: 'e' });
  await assert.rejects(socket.steer('x', { streamId: 'e' }), (e) => e instanceof ValidationError && /ready\(\)/.test(e.message));
  await early.ready();
  assert.equal(await socket.steer('and x', { streamId: 'e' }), 'accepted');
  await collect(early);
  // An accepted steer whose successor the server cannot start (an error in its place): the
  // successor fails with that ApiError, and the lane goes on.
  const failing = new Promise((resolve) => socket.on('response', (r) => r.finalResponse().catch(resolve)));
  const bad = socket.stream({ model: 'm', input: 'a third long answer to steer' }, { streamId: 'f' });
  await bad.ready();
  assert.equal(await socket.steer([{ type: 'message', role: 'user', content: 42 }], { streamId: 'f' }), 'accepted');
  await collect(bad);
  assert.ok((await Promise.race([failing, sleep(5000)])) instanceof ApiError, 'the successor failed');
  assert.equal((await soon(socket.create({ model: 'm', input: 'next on f' }, { streamId: 'f' }))).status, 'completed');
});

test('runTools({ socket }): each step sends only the new items + previous_response_id (store: false too)', async (t) => {
  const { srv, client, socket } = await setup(t);
  const tools = [functionTool({ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, execute: ({ city }) => `sunny in ${city}` })];
  const run = client.runTools({ model: 'm', input: 'What is the weather in Paris?', tools, store: false }, { socket });
  assert.equal((await run.finalResponse()).status, 'completed');
  assert.ok(run.steps.length >= 2);
  const sent = bodies(srv);
  assert.equal(sent.length, run.steps.length);
  for (const [i, b] of sent.slice(1).entries()) {
    assert.equal(b.previous_response_id, run.steps[i].response.id);
    assert.ok(b.input.every((item) => item.type === 'function_call_output'), 'only the new outputs');
  }
});

test('the upgrade carries Authorization: Bearer <key>; none without a key; no frame holds the key', async (t) => {
  const seen = [];
  const base = await wsServer(t, (ws, req) => {
    seen.push(req.headers.authorization ?? null);
    ws.on('message', (d) => {
      seen.push(String(d));
      ws.close();
    });
  });
  for (const apiKey of [KEY, undefined]) {
    const socket = await new ResponsesClient({ apiKey, baseURL: base }).connect({ WebSocket });
    assertNoKey(await fails(socket.create({ model: 'm', input: 'hi' }), ConnectionError));
    socket.close();
    await socket.closed;
  }
  assert.equal(seen[0], `Bearer ${KEY}`);
  assert.equal(seen[2], null);
  assert.ok(!seen[1].includes(KEY) && !seen[3].includes(KEY));
  assert.deepEqual(JSON.parse(seen[1]), { type: 'response.create', model: 'm', input: 'hi' });
});

/** A WebSocket that never opens on its own (the test dispatches its events); every one made is in `made`. */
const made = [];
class Fake extends EventTarget {
  readyState = 0;
  constructor() {
    super();
    made.push(this);
  }
  close() {
    this.readyState = 3;
    this.closedByUs = true;
  }
  send() {}
}

test('options and options.signal are checked alike by every call: an object or none, an AbortSignal by behaviour or none', async (t) => {
  const { client, socket } = await setup(t);
  const params = { model: 'm', input: 'x', store: false };
  const calls = {
    'client.stream': (o) => client.stream(params, o),
    'client.create': (o) => client.create(params, o),
    'client.runTools': (o) => client.runTools(params, o),
    'client.connect': (o) => client.connect(typeof o === 'object' ? { WebSocket, ...o } : o),
    'socket.stream': (o) => socket.stream(params, o),
    'ResponseStream.fromReadableStream': (o) => ResponseStream.fromReadableStream(new ReadableStream(), o),
    'ResponseStream.fromResponse': (o) => ResponseStream.fromResponse(new Response(''), o),
  };
  const signals = [{}, { addEventListener() {} }, { aborted: false, addEventListener() {} }, 'x'];
  const refused = [
    [5, 'options must be an object'],
    ...signals.map((signal) => [{ signal }, 'options.signal must be an AbortSignal']),
  ];
  for (const [name, run] of Object.entries(calls)) {
    for (const [opts, message] of refused) {
      await assert.rejects(async () => run(opts), { name: 'TypeError', message }, `${name} ${JSON.stringify(opts)}`);
    }
  }
  await assert.rejects(async () => socket.steer('more', 'lane-2'), { name: 'TypeError', message: 'options must be an object' });
  assert.throws(() => new ResponsesClient(5), { name: 'TypeError', message: 'options must be an object' });
  assert.equal(new ResponsesClient(null).constructor, ResponsesClient, 'no options: the defaults');
  for (const run of [calls['client.stream'], calls['socket.stream']]) {
    for (const opts of [undefined, null, { signal: null }]) assertWhole(await drained(run(opts)));
  }
});

test('connect() rejects with ConnectionError: upgrade refused (wrong key), or no answer in time', async (t) => {
  const srv = await startMock({ requireKey: KEY }, t);
  const wrong = new ResponsesClient({ apiKey: 'sk-wrong-0000000000', baseURL: `${srv.url}/v1` });
  await fails(wrong.connect({ WebSocket }), ConnectionError);
  const client = new ResponsesClient({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/v1' });
  const message = 'cannot open the WebSocket: no answer in 30 ms';
  await fails(client.connect({ WebSocket: Fake, timeout: 30 }), ConnectionError, { message });
  // A refused reconnect fails the request waiting for it with the same words.
  let refuse = false;
  const drop = (ws) => ws.on('message', () => ws.terminate()); // at the first request
  const base = await wsServer(t, drop, { verifyClient: () => !refuse });
  const socket = await connectTo(t, base);
  await collect(socket.stream({ model: 'm', input: 'x' }));
  refuse = true;
  const e = await fails(socket.create({ model: 'm', input: 'y' }), ConnectionError);
  assert.equal(e.message.split('cannot open the WebSocket').length, 2, e.message);
});

test('connect({ signal }) leaves no listener on the signal once connected (or refused)', async (t) => {
  const base = await wsServer(t, () => {});
  const app = new AbortController();
  for (let i = 0; i < 3; i++) {
    const socket = await new ResponsesClient({ apiKey: KEY, baseURL: base }).connect({ WebSocket, signal: app.signal });
    socket.close();
    await socket.closed;
  }
  await fails(new ResponsesClient({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/v1' }).connect({ WebSocket: Fake, timeout: 30, signal: app.signal }), ConnectionError);
  assert.equal(getEventListeners(app.signal, 'abort').length, 0);
});

test('close() while a reconnect is in flight closes its half-open WebSocket at once; socket.closed resolves', async () => {
  made.length = 0;
  const client = new ResponsesClient({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/v1' });
  const opening = client.connect({ WebSocket: Fake, timeout: 60_000 });
  made[0].readyState = 1;
  made[0].dispatchEvent(new Event('open'));
  const socket = await opening;
  made[0].readyState = 3;
  made[0].dispatchEvent(Object.assign(new Event('close'), { code: 1006 }));
  const p = collect(socket.stream({ model: 'm', input: 'x' }));
  while (made.length < 2) await sleep(1);
  socket.close();
  const { error } = await p;
  assert.ok(error instanceof AbortError, String(error));
  await socket.closed;
  await sleep(0);
  assert.equal(made[1].closedByUs, true, 'the reconnect\'s WebSocket is closed, not left to its 60 s timeout');
});

test('close(): unfinished responses end with AbortError; socket.closed resolves', async (t) => {
  const { socket } = await setup(t, { delayMs: 20 });
  const s = socket.stream({ model: 'm', input: 'never finished' });
  const p = collect(s);
  await new Promise((r) => s.on('response.created', r));
  socket.close();
  await socket.closed;
  const { error } = await p;
  assert.ok(error instanceof AbortError, String(error));
  assert.throws(() => socket.stream({ model: 'm', input: 'x' }), ConnectionError);
});

test('a socket stream is the same ResponseStream for a proxy: ready(), toResponse(), toReadableStream(), errors as frames', async (t) => {
  const { socket } = await setup(t);
  const s = socket.stream({ model: 'm', input: 'through a route', store: false });
  await s.ready();
  const res = await s.toResponse();
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  assert.match((await ResponseStream.fromResponse(res).finalResponse()).output_text, /through a route/);

  const plain = socket.stream({ model: 'm', input: 'as bytes', store: false });
  const text = await new Response(plain.toReadableStream()).text();
  // frames from a socket carry no SSE event name: the type is in the data, as on the wire
  assert.match(text, /^data: \{"type":"response\.created"/);
  assert.match(text, /"type":"response\.completed"/);
  assert.match((await ResponseStream.fromReadableStream(new Response(text).body).finalResponse()).output_text, /as bytes/);

  // an error event of the server (a chain from an id this connection never saw) reaches the reader
  const bad = socket.stream({ model: 'm', input: 'x', previous_response_id: 'resp_nowhere', store: false });
  const proxied = ResponseStream.fromResponse(await bad.toResponse());
  assertNoKey(await fails(proxied.finalResponse(), ApiError, { code: 'previous_response_not_found' }));
});

/**
 * A server that answers each `response.create` at once with every frame of a complete stream of
 * `deltas[input]` text deltas (default 3; each padded to `chars[input]` characters, and then the
 * text the `.done` events restate elided) on the frame's lane: a reader is always behind.
 */
async function scripted(t, deltas = {}, chars = {}) {
  const base = await wsServer(t, (ws) => {
    ws.on('message', (d) => {
      const f = JSON.parse(String(d));
      const n = deltas[f.input] ?? 3;
      const { events } = syntheticStream(Array.from({ length: n }, (_, i) => `${f.input}${i} `.padEnd(chars[f.input] ?? 0, 'x')), { id: `resp_${f.input}` });
      for (const e of events) {
        const text = JSON.stringify(f.stream_id === undefined ? e : { ...e, stream_id: f.stream_id });
        ws.send(chars[f.input] ? text.replace(/"text":"[^"]{1000,}"/g, '"text":"(elided)"') : text);
      }
    });
  });
  return connectTo(t, base);
}

/** The text of `n` deltas of `input` as `scripted` sends them. */
const words = (input, n) => Array.from({ length: n }, (_, i) => `${input}${i} `).join('');

/** Every frame of the response on lane `a` has arrived once a later one on lane `b` is read (the server sends them in order). */
const behind = (socket) => socket.create({ model: 'm', input: 'later' }, { streamId: 'b' });

test('a slow reader gets every event of a response the socket already received in full, then its final Response', async (t) => {
  const s = (await scripted(t, { slow: 36 })).stream({ model: 'm', input: 'slow' });
  const events = [];
  for await (const e of s) {
    events.push(e);
    await sleep(2);
  }
  assert.equal(events.length, 44);
  assert.equal(events.at(-1).type, 'response.completed');
  has(await s.finalResponse(), { status: 'completed', output_text: words('slow', 36) });
});

/** A stream of `input` on lane `a` received in full: it, and `grown()` (wasm memory since it was asked for). */
async function backlog(socket, input) {
  await behind(socket);
  const before = wasm.memory.buffer.byteLength;
  const s = socket.stream({ model: 'm', input }, { streamId: 'a' });
  await behind(socket);
  return { s, grown: () => wasm.memory.buffer.byteLength - before };
}

test('20,000 unread deltas: kept outside wasm memory until read, then every one handed out', async (t) => {
  const { s, grown } = await backlog(await scripted(t, { many: 20_000 }), 'many');
  const unread = grown();
  assert.ok(unread < 4 * 1024 * 1024, `wasm memory grew by ${unread} bytes for unread events`);
  assert.equal((await drained(s)).length, 20_008);
  assert.equal((await s.finalResponse()).status, 'completed');
});

test('a backlog of large frames is decoded a chunk at a time: reading it leaves wasm memory about as it was', async (t) => {
  const { s, grown } = await backlog(await scripted(t, { large: 40 }, { large: 100_000 }), 'large');
  assert.equal((await drained(s)).length, 48);
  const grew = grown();
  assert.ok(grew < 4 * 1024 * 1024, `wasm memory grew by ${grew} bytes reading 4 MB of unread deltas`);
});

test('ready() and toReadableStream() called after the whole response arrived still give every event', async (t) => {
  const socket = await scripted(t, { late: 10, bytes: 10 });
  const s = socket.stream({ model: 'm', input: 'late' }, { streamId: 'a' });
  await behind(socket);
  await s.ready();
  assert.equal((await drained(s)).length, 18);
  assert.equal(s.response.output_text, words('late', 10));

  const b = socket.stream({ model: 'm', input: 'bytes' }, { streamId: 'a' });
  await behind(socket);
  const text = await new Response(b.toReadableStream()).text();
  assert.equal(text.match(/^data: /gm)?.length, 18);
  const back = await ResponseStream.fromReadableStream(new Response(text).body).finalResponse();
  assert.equal(back.output_text, words('bytes', 10));
});

test('streams made with an aborted signal end with AbortError and leave nothing behind in the socket', async (t) => {
  const socket = await scripted(t);
  const ac = new AbortController();
  ac.abort();
  const streams = Array.from({ length: 20 }, (_, i) => socket.stream({ model: 'm', input: `x${i}` }, { signal: ac.signal }));
  for (const s of streams) await fails(s.finalResponse(), AbortError);
  assert.equal((await socket.create({ model: 'm', input: 'after' })).status, 'completed');
  await sleep(10);
  for (const [name, size] of Object.entries(privateSizes(socket))) assert.equal(size, 0, `${name} holds ${size} entries`);
});
