// Faults on demand (x-mock-fault), checked on the bytes and chunks received.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser } from 'eventsource-parser';
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
    await res.arrayBuffer();
  }
  assert.deepEqual(statuses, [[502, '1'], [502, '2'], [200, '3'], [200, '4']]);
  assert.equal(srv.requests.filter((r) => r.headers['x-mock-fault-key'] === key).length, 4);
  // Without a key the fault string is the key; default status is 500.
  const fault = `fail-first=1,retry-after=0,seed=${Date.now()}`;
  const a = await create(fault);
  const b = await create(fault);
  assert.deepEqual([a.status, b.status], [500, 200]);
  await a.arrayBuffer();
  await b.arrayBuffer();
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
  await res.arrayBuffer();
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
  const err = stop.json[2];
  assert.equal(err.sequence_number, 2);
  assert.deepEqual(Object.keys(err.error), ['type', 'code', 'message', 'param']);
  assert.equal(stop.events[2].event, 'error');

  const failed = (await faulted('error-event=failed')).json;
  assert.deepEqual(failed.map((e) => e.type).slice(2), ['error', 'response.failed']);
  assert.equal(failed[3].response.error.code, 'server_error');

  const flat = (await faulted('error-event=flat')).json;
  has(flat[2], { type: 'error', code: 'server_error' });
  assert.equal(typeof flat[2].message, 'string');

  const json = await create('error-event', { stream: false });
  assert.equal(json.status, 500);
  assert.equal((await json.json()).error.code, 'server_error');
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
