// Faults on demand (x-mock-fault), checked on the bytes and chunks received.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createParser } from 'eventsource-parser';
import WebSocket from 'ws';
import { createMock } from '../../mock/index.mjs';
import { attachWebSocket } from '../../mock/websocket.mjs';
import { useMock, has, statusOf } from './client-helpers.mjs';

const { srv } = await useMock({ delayMs: 0 });

const create = (fault, body = {}, headers = {}) => fetch(`${srv.url}/v1/responses`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(fault ? { 'x-mock-fault': fault } : {}), ...headers },
  body: JSON.stringify({ model: 'm', input: 'Fault test input', stream: true, ...body }),
});

/** All chunks of a body as they arrived (into `out`), with arrival times. */
async function chunks(res, out = []) {
  for await (const bytes of res.body) out.push({ bytes, at: performance.now() });
  return out;
}
const concat = (cs) => Buffer.concat(cs.map((c) => c.bytes));

function parse(text) {
  const events = [];
  const comments = [];
  const p = createParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) });
  p.feed(text);
  return {
    events,
    comments,
    get json() { return events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data)); },
  };
}

/** Asserts `res` is the 400 of a bad x-mock-fault value. */
async function badFault(res, fault) {
  assert.equal(res.status, 400, fault);
  has((await res.json()).error, { param: 'x-mock-fault', code: 'invalid_value' }, fault);
}
const drain = async (res) => (await res).arrayBuffer();

/** The streamed answer under `fault`: its chunks (with arrival times), text, events and time (ms). */
async function faulted(fault, body) {
  const t0 = performance.now();
  const cs = await chunks(await create(fault, body));
  const text = concat(cs).toString();
  return Object.assign(parse(text), { cs, text, ms: performance.now() - t0 });
}

test('status faults (directives or JSON): the status, its headers, the error JSON and request id', async () => {
  const retryMs = { 'retry-after-ms': '50', 'x-should-retry': 'false' };
  const cases = [
    ['status=429,retry-after=1', 429, { 'retry-after': '1' }, { code: 'rate_limit_exceeded' }],
    ['status=500;retry-after-ms=50;x-should-retry=false', 500, retryMs, { type: 'server_error' }],
    ['{"status":503,"retry-after":"2"}', 503, { 'retry-after': '2' }, {}],
  ];
  for (const [fault, status, headers, error] of cases) {
    const res = await create(fault);
    assert.equal(res.status, status, fault);
    for (const [name, value] of Object.entries(headers)) assert.equal(res.headers.get(name), value, fault);
    assert.match(res.headers.get('x-request-id'), /^req_/);
    const body = await res.json();
    assert.deepEqual(Object.keys(body.error), ['message', 'type', 'param', 'code']);
    has(body.error, error, fault);
  }
  const bad = await create('explode=1');
  assert.equal(bad.status, 400, 'unknown directives are 400');
  assert.equal((await bad.json()).error.param, 'x-mock-fault');
});

test('fail-first=2: two failures, then success; counted per x-mock-fault-key', async () => {
  const key = `k-${Math.random()}`;
  const statuses = [];
  for (let i = 0; i < 4; i++) {
    const res = await create('fail-first=2,status=502', { stream: false }, { 'x-mock-fault-key': key });
    statuses.push([res.status, res.headers.get('x-mock-attempt')]);
    await drain(res);
  }
  assert.deepEqual(statuses, [[502, '1'], [502, '2'], [200, '3'], [200, '4']]);
  assert.equal(srv.requests.filter((r) => r.headers['x-mock-fault-key'] === key).length, 4);
  // Without a key the fault string is the key; default status is 500.
  const fault = `fail-first=1,retry-after=0,seed=${Date.now()}`;
  assert.deepEqual([await statusOf(create(fault)), await statusOf(create(fault))], [500, 200]);
});

test('disconnect-after=N closes the stream early; disconnect drops a JSON request', async () => {
  const res = await create('disconnect-after=5');
  assert.equal(res.status, 200);
  const got = [];
  await assert.rejects(chunks(res, got));
  const text = concat(got).toString();
  assert.equal(parse(text).json.length <= 5, true);
  assert.doesNotMatch(text, /response\.completed/);
  await assert.rejects(create('disconnect', { stream: false }));
});

test('stall-headers=MS delays the headers', async () => {
  const t0 = performance.now();
  const res = await create('stall-headers=150');
  assert.ok(performance.now() - t0 >= 140);
  await drain(res);
});

// [fault, the type of the last event, further checks of the answer]
const ENDINGS = [
  ['split=1', 'response.completed', async ({ cs, json: b }) => { // every byte its own write
    const a = (await faulted(null)).json;
    assert.deepEqual(b.map((e) => e.type), a.map((e) => e.type), 'events unchanged');
    assert.ok(cs.length > b.length * 5, `${cs.length} chunks for ${b.length} events`);
  }],
  ['eol=crlf,split=1', 'response.completed', ({ text, cs }) => {
    assert.match(text, /^event: response\.created\r\ndata: \{/);
    assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
    assert.equal(text.replace(/\r\n/g, '').includes('\r'), false, 'no bare CR');
    assert.ok(cs.some((c, i) => c.bytes.at(-1) === 0x0d && cs[i + 1]?.bytes[0] === 0x0a), 'CR | LF across chunks');
  }],
  ['eol=cr', 'response.completed', ({ text }) => {
    assert.equal(text.includes('\n'), false);
    assert.match(text, /^event: response\.created\rdata: /);
  }],
  ['multibyte,split=random,seed=7', 'response.completed', ({ cs, json }) => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const broken = cs.filter((c) => { try { strict.decode(c.bytes); return false; } catch { return true; } });
    assert.ok(broken.length > 5, `${broken.length} chunks end or start inside a character`);
    const text = json.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    assert.match(text, /[\u4e00-\u9fff]/);
    assert.match(text, /\p{Extended_Pictographic}/u);
    assert.match(text, /Fault test input/);
    assert.equal(json.at(-1).response.output[0].content[0].text, text);
  }],
  ['split=64', 'response.completed', ({ cs }) => {
    assert.ok(cs.length > 20);
    assert.ok(cs.every((c) => c.bytes.length <= 64 * 4), 'pieces are small (a read may join a few)');
  }],
  ['data-only', 'response.completed', ({ text, events }) => {
    assert.doesNotMatch(text, /^event:/m);
    assert.match(text, /data: \[DONE\]\n\n$/);
    assert.ok(events.every((e) => e.event === undefined));
  }],
  ['keepalive', 'response.completed', ({ comments, json, events }) => {
    assert.ok(comments.filter((c) => c.trim() === 'ping').length > 5);
    const ka = json.filter((e) => e.type === 'keepalive');
    assert.ok(ka.length > 5);
    assert.ok(events.filter((e) => e.event === 'keepalive').length === ka.length);
    json.forEach((e, i) => assert.equal(e.sequence_number, i, 'sequence numbers stay consecutive'));
  }],
  ['failed', 'response.failed', ({ json }) => {
    assert.equal(json.at(-1).response.status, 'failed');
    assert.equal(json.at(-1).response.error.code, 'server_error');
    assert.ok(json.some((e) => e.type === 'response.output_text.delta'));
    assert.equal(json.some((e) => e.type === 'response.completed'), false);
  }],
  ['oversized=200000', 'response.completed', ({ json }) => {
    const deltas = json.filter((e) => e.type === 'response.output_text.delta');
    assert.ok(deltas.some((d) => Buffer.byteLength(d.delta) >= 199990), 'one huge delta');
    assert.equal(json.at(-1).response.output[0].content[0].text, deltas.map((d) => d.delta).join(''));
  }],
  ['no-terminal', 'response.output_item.done', ({ text }) => assert.doesNotMatch(text, /response\.completed/)],
  ['incomplete', 'response.incomplete', () => {}],
  ['stall-after=3:200', 'response.completed', ({ cs }) => {
    const gaps = cs.slice(1).map((c, i) => c.at - cs[i].at);
    assert.ok(Math.max(...gaps) >= 150, `a pause mid-stream (max gap ${Math.max(...gaps)})`);
  }],
  ['delay=5', 'response.completed', ({ ms, json }) => assert.ok(ms >= json.length * 4, 'a slow drip')],
];
for (const [fault, last, check] of ENDINGS) {
  test(`${fault}: the answer ends with ${last}`, async () => {
    const answer = await faulted(fault);
    assert.equal(answer.json.at(-1).type, last);
    await check(answer);
  });
}

test('malformed-json=N breaks only event N', async () => {
  (await faulted('malformed-json=4')).events.forEach((e, i) => {
    if (i === 4) assert.throws(() => JSON.parse(e.data));
    else assert.doesNotThrow(() => JSON.parse(e.data));
  });
});

test('error-event: nested error then stop; =failed adds response.failed; =flat', async () => {
  const stop = await faulted('error-event');
  assert.deepEqual(stop.json.map((e) => e.type), ['response.created', 'response.in_progress', 'error']);
  assert.equal(stop.json[2].sequence_number, 2);
  assert.deepEqual(Object.keys(stop.json[2].error), ['type', 'code', 'message', 'param']);
  assert.equal(stop.events[2].event, 'error');

  const failed = (await faulted('error-event=failed')).json;
  assert.deepEqual(failed.map((e) => e.type).slice(2), ['error', 'response.failed']);
  assert.equal(failed[3].response.error.code, 'server_error');

  const flat = (await faulted('error-event=flat')).json;
  has(flat[2], { type: 'error', code: 'server_error' });
  assert.equal(typeof flat[2].message, 'string');

  const json = await create('error-event', { stream: false });
  assert.deepEqual([json.status, (await json.json()).error.code], [500, 'server_error']);
});

test('faults also apply to retrieve (GET) and to the stream replay', async () => {
  const r = await (await create(null, { stream: false })).json();
  assert.equal(await statusOf(fetch(`${srv.url}/v1/responses/${r.id}`, { headers: { 'x-mock-fault': 'status=500' } })), 500);
  const replay = await fetch(`${srv.url}/v1/responses/${r.id}?stream=true`, { headers: { 'x-mock-fault': 'data-only,eol=crlf' } });
  const text = await replay.text();
  assert.match(text, /data: \[DONE\]\r\n\r\n$/);
  assert.equal(parse(text).json.at(-1).type, 'response.completed');
});

test('replay-seq=KIND: a resume first sends the last delta at or before starting_after again, badly numbered', async () => {
  const r = await (await create(null, { stream: false })).json();
  const full = parse(await (await fetch(`${srv.url}/v1/responses/${r.id}?stream=true`)).text()).json;
  const n = full.findLast((e) => e.type === 'response.output_text.delta').sequence_number - 1;
  const last = full.findLast((e) => e.type === 'response.output_text.delta' && e.sequence_number <= n);
  const want = { missing: undefined, negative: -1, fraction: n + 0.5, string: String(n + 1), huge: 1e20, same: n };
  for (const [kind, seq] of Object.entries(want)) {
    const res = await fetch(`${srv.url}/v1/responses/${r.id}?stream=true&starting_after=${n}`, { headers: { 'x-mock-fault': `replay-seq=${kind}` } });
    const [again, ...rest] = parse(await res.text()).json;
    assert.equal(again.sequence_number, seq, kind);
    assert.equal('sequence_number' in again, kind !== 'missing', kind);
    assert.equal(again.delta, last.delta, kind);
    assert.deepEqual(rest.map((e) => e.sequence_number), full.slice(n + 1).map((e) => e.sequence_number), kind);
  }
  assert.equal(await statusOf(fetch(`${srv.url}/v1/responses/${r.id}?stream=true`, { headers: { 'x-mock-fault': 'replay-seq=zero' } })), 400);
});

test('status=CODE takes an error status (400–599); other codes are a bad value', async () => {
  for (const status of [400, 599]) assert.equal(await statusOf(create(`status=${status}`)), status);
  for (const fault of ['status=100', 'status=200', 'status=399', '{"status":204}', 'status=600']) {
    await badFault(await create(fault), fault);
  }
});

test('retry-after takes printable ASCII only: anything else is a 400, never a broken answer', async () => {
  const faults = [
    '{"status":429,"retry-after":"1\\r\\nset-cookie: x=1"}',
    '{"status":429,"retry-after":"a\\nb"}',
    '{"status":429,"retry-after":"\\u4e2d"}', // no Latin-1 character
    '{"status":429,"retry-after":"\\u00e9"}', // Latin-1, not ASCII
    '{"status":429,"retry-after":"\\u0000"}',
    '{"status":429,"retry-after":"  "}',
    'status=429,retry-after',
  ];
  const mock = createMock({ delayMs: 0 });
  const body = '{"model":"m","input":"hi"}';
  for (const fault of faults) {
    await badFault(await create(fault), fault); // over HTTP (startMockServer)
    const headers = { 'content-type': 'application/json', 'x-mock-fault': fault };
    const direct = await mock.fetch(new Request('http://mock/v1/responses', { method: 'POST', headers, body }));
    await badFault(direct, fault); // the fetch handler
  }
  const date = 'Wed, 21 Oct 2015 07:28:00 GMT';
  const ok = await create(JSON.stringify({ status: 503, 'retry-after': date }));
  assert.deepEqual([ok.status, ok.headers.get('retry-after')], [503, date]);
  await drain(ok);
});

/** A WebSocket to the mock at `base` (http URL): `send(frame)`, the frames received, and how it ended. */
async function socketTo(t, base) {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/responses`);
  t.after(() => ws.terminate());
  await new Promise((ok, fail) => { ws.once('open', ok); ws.once('error', fail); });
  const frames = [];
  ws.on('message', (d) => frames.push(JSON.parse(d)));
  const closed = new Promise((r) => ws.once('close', (code) => r(code)));
  return { ws, frames, closed, send: (f) => ws.send(JSON.stringify({ type: 'response.create', model: 'm', input: 'hi', ...f })) };
}
const within = (p, ms, what) => Promise.race([p, new Promise((_, no) => setTimeout(() => no(new Error(`${what}: nothing after ${ms} ms`)), ms))]);
/** Waits (at most 3 s) until `cond(s.frames)` holds. */
const framesUntil = (s, cond, what) =>
  within((async () => { while (!cond(s.frames)) await new Promise((r) => setTimeout(r, 5)); })(), 3000, what);

test('WebSocket: disconnect and disconnect-after=N drop the socket (no close frame)', async (t) => {
  for (const [fault, most] of [['disconnect', 0], ['disconnect-after=3', 3], ['{"disconnect":true}', 0]]) {
    const s = await socketTo(t, srv.url);
    s.send({ stream_id: 'a', metadata: { 'x-mock-fault': fault } });
    assert.equal(await within(s.closed, 3000, fault), 1006, `${fault}: dropped, not closed`);
    assert.ok(s.frames.length <= most, `${fault}: ${s.frames.length} frames`);
    assert.equal(s.frames.some((f) => f.type === 'response.completed'), false, fault);
  }
});

test('WebSocket: a fault a header cannot carry is the x-mock-fault 400, on its lane', async (t) => {
  const s = await socketTo(t, srv.url);
  for (const fault of ['status=500, seed=\n1', 'status=500\u2028', '{"status":429,"retry-after":"\u4e2d"}', '{"status":429,"retry-after":"1\\r\\nx: y"}']) {
    s.frames.length = 0;
    s.send({ stream_id: 'lane-1', metadata: { 'x-mock-fault': fault } });
    await framesUntil(s, (f) => f.length, JSON.stringify(fault));
    has(s.frames[0], { type: 'error', status: 400, stream_id: 'lane-1' }, JSON.stringify(fault));
    has(s.frames[0].error, { param: 'x-mock-fault', code: 'invalid_value' }, JSON.stringify(fault));
  }
  assert.equal(s.ws.readyState, WebSocket.OPEN, 'the connection stays');
});

test('WebSocket: a fault in the JSON form is passed on whole, whatever its strings hold', async (t) => {
  const s = await socketTo(t, srv.url);
  // read as the list form, the string's `ws-drop-after=1` would cut the socket after one event
  s.send({ stream_id: 'a', metadata: { 'x-mock-fault': '{"error-event":"stop","retry-after":"a,ws-drop-after=1,b"}' } });
  await framesUntil(s, (frames) => frames.some((f) => f.type === 'error'), 'the error event');
  assert.ok(s.frames.length > 2, `${s.frames.length} frames`);
  assert.equal(s.ws.readyState, WebSocket.OPEN);
});

test('WebSocket: a response that throws is an error event on its lane; a body that errors drops the socket', async (t) => {
  const server = http.createServer((_, res) => res.end());
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  let mode = 'throw';
  const stub = {
    async fetch() {
      if (mode === 'throw') throw new Error('boom');
      const body = new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('data: {"type":"response.created","response":{"id":"resp_1"}}\n\n'));
          setTimeout(() => c.error(new Error('body broke')), 20);
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    },
  };
  const sockets = attachWebSocket(server, stub);
  t.after(() => new Promise((r) => {
    sockets.close(); // the upgraded sockets first: server.close() waits for them
    server.closeAllConnections();
    server.close(r);
  }));
  const base = `http://127.0.0.1:${server.address().port}`;

  const s = await socketTo(t, base);
  s.send({ stream_id: 'x' });
  await framesUntil(s, (f) => f.length, 'error event');
  has(s.frames[0], { type: 'error', stream_id: 'x' });
  assert.equal(s.ws.readyState, WebSocket.OPEN);

  mode = 'body';
  const b = await socketTo(t, base);
  b.send({});
  assert.equal(await within(b.closed, 3000, 'body error'), 1006);
  assert.deepEqual(b.frames.map((f) => f.type), ['response.created']);
});
