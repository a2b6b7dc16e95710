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

/** All chunks of a body as they arrived, with arrival times. */
async function chunks(res) {
  const out = [];
  const reader = res.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out;
    out.push({ bytes: value, at: performance.now() });
  }
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

test('status=429 with retry-after: error JSON, headers, request id', async () => {
  const res = await create('status=429,retry-after=1');
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '1');
  assert.match(res.headers.get('x-request-id'), /^req_/);
  const body = await res.json();
  assert.deepEqual(Object.keys(body.error), ['message', 'type', 'param', 'code']);
  assert.equal(body.error.code, 'rate_limit_exceeded');
});

test('status=500;retry-after-ms=50;x-should-retry=false', async () => {
  const res = await create('status=500;retry-after-ms=50;x-should-retry=false');
  assert.equal(res.status, 500);
  assert.equal(res.headers.get('retry-after-ms'), '50');
  assert.equal(res.headers.get('x-should-retry'), 'false');
  assert.equal((await res.json()).error.type, 'server_error');
});

test('faults as JSON; unknown directives are 400', async () => {
  const res = await create('{"status":503,"retry-after":"2"}');
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '2');
  await res.arrayBuffer();
  const bad = await create('explode=1');
  assert.equal(bad.status, 400);
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
  await assert.rejects(async () => {
    for (const c of await chunks(res)) got.push(c);
  });
  const text = Buffer.concat(got.map((c) => c.bytes)).toString();
  assert.equal(parse(text).json.length <= 5, true);
  assert.doesNotMatch(text, /response\.completed/);
  await assert.rejects(create('disconnect', { stream: false }));
});

test('stall-headers=MS delays the headers; stall-after=N:MS pauses mid-stream', async () => {
  let t0 = performance.now();
  const res = await create('stall-headers=150');
  assert.ok(performance.now() - t0 >= 140);
  await res.arrayBuffer();

  t0 = performance.now();
  const res2 = await create('stall-after=3:200');
  const cs = await chunks(res2);
  const { json } = parse(concat(cs).toString());
  assert.equal(json.at(-1).type, 'response.completed');
  const gaps = cs.slice(1).map((c, i) => c.at - cs[i].at);
  assert.ok(Math.max(...gaps) >= 150, `a pause mid-stream (max gap ${Math.max(...gaps)})`);
});

test('split=1: every byte its own write, many chunks; events unchanged', async () => {
  const whole = concat(await chunks(await create(null))).toString();
  const cs = await chunks(await create('split=1'));
  const text = concat(cs).toString();
  const a = parse(whole).json;
  const b = parse(text).json;
  assert.equal(b.length, a.length);
  assert.deepEqual(b.map((e) => e.type), a.map((e) => e.type));
  assert.ok(cs.length > b.length * 5, `${cs.length} chunks for ${b.length} events`);
});

test('eol=crlf: CRLF line ends, and with split=1 a CR and its LF arrive in separate chunks', async () => {
  const cs = await chunks(await create('eol=crlf,split=1'));
  const bytes = concat(cs);
  const text = bytes.toString();
  assert.match(text, /^event: response\.created\r\ndata: \{/);
  assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
  assert.equal(text.replace(/\r\n/g, '').includes('\r'), false, 'no bare CR');
  assert.ok(cs.some((c, i) => c.bytes.at(-1) === 0x0d && cs[i + 1]?.bytes[0] === 0x0a), 'CR | LF across chunks');
  assert.equal(parse(text).json.at(-1).type, 'response.completed');
});

test('eol=cr: CR only', async () => {
  const text = concat(await chunks(await create('eol=cr'))).toString();
  assert.equal(text.includes('\n'), false);
  assert.match(text, /^event: response\.created\rdata: /);
  assert.equal(parse(text).json.at(-1).type, 'response.completed');
});

test('multibyte + split=random: chunks cut inside UTF-8 characters; text intact', async () => {
  const cs = await chunks(await create('multibyte,split=random,seed=7'));
  const strict = new TextDecoder('utf-8', { fatal: true });
  const broken = cs.filter((c) => { try { strict.decode(c.bytes); return false; } catch { return true; } });
  assert.ok(broken.length > 5, `${broken.length} chunks end or start inside a character`);
  const { json } = parse(concat(cs).toString());
  const text = json.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
  assert.match(text, /[\u4e00-\u9fff]/);
  assert.match(text, /\p{Extended_Pictographic}/u);
  assert.match(text, /Fault test input/);
  assert.equal(json.at(-1).response.output[0].content[0].text, text);
});

test('split=N writes N-byte pieces', async () => {
  const cs = await chunks(await create('split=64'));
  assert.ok(cs.length > 20);
  assert.ok(cs.every((c) => c.bytes.length <= 64 * 4), 'pieces are small (a read may join a few)');
});

test('data-only: no event: lines, ends with data: [DONE]', async () => {
  const text = concat(await chunks(await create('data-only'))).toString();
  assert.doesNotMatch(text, /^event:/m);
  assert.match(text, /data: \[DONE\]\n\n$/);
  const { events, json } = parse(text);
  assert.ok(events.every((e) => e.event === undefined));
  assert.equal(json.at(-1).type, 'response.completed');
});

test('keepalive: ": ping" comments and keepalive events between events', async () => {
  const text = concat(await chunks(await create('keepalive'))).toString();
  const { comments, json, events } = parse(text);
  assert.ok(comments.filter((c) => c.trim() === 'ping').length > 5);
  const ka = json.filter((e) => e.type === 'keepalive');
  assert.ok(ka.length > 5);
  assert.ok(events.filter((e) => e.event === 'keepalive').length === ka.length);
  json.forEach((e, i) => assert.equal(e.sequence_number, i, 'sequence numbers stay consecutive'));
  assert.equal(json.at(-1).type, 'response.completed');
});

test('malformed-json=N breaks only event N', async () => {
  const { events } = parse(concat(await chunks(await create('malformed-json=4'))).toString());
  events.forEach((e, i) => {
    if (i === 4) assert.throws(() => JSON.parse(e.data));
    else assert.doesNotThrow(() => JSON.parse(e.data));
  });
});

test('failed: ends with response.failed', async () => {
  const { json } = parse(concat(await chunks(await create('failed'))).toString());
  const last = json.at(-1);
  assert.equal(last.type, 'response.failed');
  assert.equal(last.response.status, 'failed');
  assert.equal(last.response.error.code, 'server_error');
  assert.ok(json.some((e) => e.type === 'response.output_text.delta'));
  assert.equal(json.some((e) => e.type === 'response.completed'), false);
});

test('error-event: nested error then stop; =failed adds response.failed; =flat', async () => {
  const stop = parse(concat(await chunks(await create('error-event'))).toString());
  assert.deepEqual(stop.json.map((e) => e.type), ['response.created', 'response.in_progress', 'error']);
  const err = stop.json[2];
  assert.equal(err.sequence_number, 2);
  assert.deepEqual(Object.keys(err.error), ['type', 'code', 'message', 'param']);
  assert.equal(stop.events[2].event, 'error');

  const failed = parse(concat(await chunks(await create('error-event=failed'))).toString());
  assert.deepEqual(failed.json.map((e) => e.type).slice(2), ['error', 'response.failed']);
  assert.equal(failed.json[3].response.error.code, 'server_error');

  const flat = parse(concat(await chunks(await create('error-event=flat'))).toString());
  has(flat.json[2], { type: 'error', code: 'server_error' });
  assert.equal(typeof flat.json[2].message, 'string');

  const json = await create('error-event', { stream: false });
  assert.equal(json.status, 500);
  assert.equal((await json.json()).error.code, 'server_error');
});

test('oversized=BYTES: one huge delta, kept in the final text', async () => {
  const { json } = parse(concat(await chunks(await create('oversized=200000'))).toString());
  const deltas = json.filter((e) => e.type === 'response.output_text.delta');
  assert.ok(deltas.some((d) => Buffer.byteLength(d.delta) >= 199990));
  assert.equal(json.at(-1).response.output[0].content[0].text, deltas.map((d) => d.delta).join(''));
});

test('no-terminal: no response.completed, the body ends cleanly', async () => {
  const text = concat(await chunks(await create('no-terminal'))).toString();
  const { json } = parse(text);
  assert.equal(json.at(-1).type, 'response.output_item.done');
  assert.doesNotMatch(text, /response\.completed/);
});

test('incomplete: response.incomplete', async () => {
  const { json } = parse(concat(await chunks(await create('incomplete'))).toString());
  assert.equal(json.at(-1).type, 'response.incomplete');
});

test('delay=MS: slow drip between events', async () => {
  const t0 = performance.now();
  const { json } = parse(concat(await chunks(await create('delay=5'))).toString());
  assert.ok(performance.now() - t0 >= json.length * 4);
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
