// The example Worker against a hostile or broken upstream (a hand-made server on 127.0.0.1, picked
// by model name): one that never answers, sends only headers, stalls mid-stream, or quotes the API
// key back (whole, without its `sk-` prefix, as a fragment, split across TCP writes or across text
// deltas). The Worker must answer within UPSTREAM_TIMEOUT_MS, abort the upstream request (the server
// sees its socket closed), and let no 10-character fragment of the key reach the client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { finalOf, listen, pkgNode, sleep } from './lib.mjs';
import { bundleExample, fragmentsIn, sseEvents, startWorker as startBundle } from './worker-lib.mjs';

const ORIGIN = 'https://app.example';
const WORKER = 'http://worker.test/v1/responses';
/** A realistic key: long enough that a fragment without `sk-` is still a secret. */
const KEY = 'sk-Zq7pLm2vRt9sWk4nBh6cYy8dFj3gHa5eXu1oNb0i';
const BARE = KEY.slice(3);
const FRAGMENT = KEY.slice(17, 31); // 14 characters from the middle
const TIMEOUT_MS = 600;

let upstream;
let bundle;
let mf;
const { ApiError } = await pkgNode();

const frame = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const RESPONSE = { id: 'resp_h', object: 'response', status: 'in_progress', model: 'm', output: [] };
const MESSAGE = { id: 'msg_h', type: 'message', role: 'assistant', status: 'in_progress', content: [] };
const opening = (seq = 0) =>
  frame('response.created', { sequence_number: seq, response: RESPONSE }) +
  frame('response.output_item.added', { sequence_number: seq + 1, output_index: 0, item: MESSAGE }) +
  frame('response.content_part.added', { sequence_number: seq + 2, item_id: 'msg_h', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
const delta = (seq, text) => frame('response.output_text.delta', { sequence_number: seq, item_id: 'msg_h', output_index: 0, content_index: 0, delta: text });
const completed = (seq, text) =>
  frame('response.completed', {
    sequence_number: seq,
    response: {
      ...RESPONSE,
      status: 'completed',
      output: [{ ...MESSAGE, status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] }],
    },
  });

const sse = (res) => res.writeHead(200, { 'content-type': 'text/event-stream' });
/** What each model name makes the upstream do (`res` is the node http response). */
const BEHAVIOURS = {
  // never a byte, not even headers
  silent: () => {},
  // headers, then nothing
  'headers-only': (res, { stream }) => {
    res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
    res.flushHeaders();
  },
  // a stream that starts, then stops sending (the connection stays open)
  stall: (res) => {
    sse(res);
    res.write(opening() + delta(3, 'Hello'));
  },
  // an in-stream error event quoting the key, its bytes split in the middle of the key
  'error-event': async (res) => {
    sse(res);
    res.write(opening());
    const text = frame('error', { sequence_number: 3, error: { type: 'invalid_request_error', code: 'invalid_api_key', message: `Incorrect API key provided: ${KEY}.`, param: null } });
    const cut = text.indexOf(KEY) + 12;
    res.write(text.slice(0, cut));
    await sleep(30);
    res.end(text.slice(cut));
  },
  // the flat error shape, quoting the key without its prefix
  'error-event-flat': (res) => {
    sse(res);
    res.end(opening() + frame('error', { sequence_number: 3, code: 'server_error', message: `upstream said: ${BARE}`, param: null }));
  },
  // response.failed quoting a fragment of the key
  failed: (res) => {
    sse(res);
    res.end(opening() + frame('response.failed', { sequence_number: 3, response: { ...RESPONSE, status: 'failed', error: { code: 'server_error', message: `key …${FRAGMENT}… refused` } } }));
  },
  // a 400 quoting the key without its `sk-` prefix
  '400-bare': (res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `Invalid key ${BARE} for this model`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
  },
  // a 400 quoting a fragment, in its code and param too
  '400-fragment': (res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `bad credentials (…${FRAGMENT}…)`, type: 'invalid_request_error', param: `x${FRAGMENT}`, code: FRAGMENT } }));
  },
  // the key echoed as the answer, three characters per delta, then in the completed response
  'echo-deltas': async (res) => {
    sse(res);
    const text = `Your key is ${KEY}, keep it safe.`;
    let out = opening();
    let seq = 3;
    for (let i = 0; i < text.length; i += 3) out += delta(seq++, text.slice(i, i + 3));
    out += frame('response.output_text.done', { sequence_number: seq++, item_id: 'msg_h', output_index: 0, content_index: 0, text });
    out += completed(seq, text);
    // written in small pieces, as a slow server would
    for (let i = 0; i < out.length; i += 97) {
      res.write(out.slice(i, i + 97));
      await sleep(1);
    }
    res.end();
  },
  // a plain answer (a stream or JSON, as asked)
  ok: (res, { stream }) => {
    res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
    res.end(stream ? opening() + completed(3, 'ok') : JSON.stringify({ ...RESPONSE, status: 'completed', output: [] }));
  },
  // a non-streaming Response quoting the key
  'echo-json': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...RESPONSE, status: 'completed', output: [{ ...MESSAGE, status: 'completed', content: [{ type: 'output_text', text: `key: ${BARE}`, annotations: [] }] }], metadata: { [KEY]: KEY } }));
  },
};

async function startHostileUpstream() {
  /** One entry per request: { model, auth, closed } (closed: the socket closed). */
  const requests = [];
  const srv = await listen((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const params = JSON.parse(body);
      const entry = { model: params.model, auth: req.headers.authorization, body, closed: false };
      requests.push(entry);
      req.socket.on('close', () => (entry.closed = true));
      const behaviour = BEHAVIOURS[params.model];
      if (behaviour) behaviour(res, params);
      else res.writeHead(404).end();
    });
  });
  return { ...srv, requests, of: (model) => requests.filter((r) => r.model === model) };
}

before(async () => {
  bundle = await bundleExample('worker-upstream');
  upstream = await startHostileUpstream();
  mf = await startWorker();
});

after(async () => {
  await mf?.dispose();
  await upstream?.close();
});

const startWorker = (bindings) =>
  startBundle(bundle, { COMETAPI_KEY: KEY, UPSTREAM_BASE_URL: `${upstream.url}/v1`, ALLOWED_ORIGINS: ORIGIN, ALLOWED_MODELS: '*', UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS), ...bindings });

/** POSTs `body` to the Worker; fails (instead of hanging) when the whole answer takes over `limitMs`. */
async function call(instance, body, limitMs = 15_000) {
  const t0 = performance.now();
  let timer;
  const answer = (async () => {
    const res = await instance.dispatchFetch(WORKER, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    return { res, text, ms: performance.now() - t0, json: /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined };
  })();
  try {
    return await Promise.race([
      answer,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no complete answer after ${limitMs} ms for ${JSON.stringify(body)}`)), limitMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function assertApiError(json, code) {
  assert.deepEqual(Object.keys(json), ['error']);
  assert.deepEqual(Object.keys(json.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(typeof json.error.message, 'string');
  assert.equal(json.error.code, code);
}

/** Waits (bounded) until every upstream request of `model` had its socket closed. */
async function assertAborted(model) {
  const deadline = Date.now() + 5000;
  const open = () => upstream.of(model).filter((r) => !r.closed);
  while (open().length > 0 && Date.now() < deadline) await sleep(20);
  assert.ok(upstream.of(model).length >= 1, `the upstream saw no request for ${model}`);
  assert.equal(open().length, 0, `the upstream request for ${model} was not aborted (its socket is still open)`);
}

const assertNoKey = (text, where) => assert.deepEqual(fragmentsIn(text, KEY), [], `${where} holds fragments of the key`);

for (const stream of [true, false]) {
  for (const model of ['silent', 'headers-only']) {
    test(`an upstream that is ${model === 'silent' ? 'silent' : 'sending headers only'} (stream: ${stream}): 504 in the API's error shape, the upstream request aborted`, async () => {
      const { res, json, ms } = await call(mf, { model, input: 'hi', stream });
      assert.equal(res.status, 504);
      assertApiError(json, 'upstream_timeout');
      assert.equal(json.error.type, 'server_error');
      assert.ok(ms >= TIMEOUT_MS * 0.8, `answered after ${ms.toFixed(0)} ms, before the timeout`);
      assert.ok(ms < TIMEOUT_MS + 5000, `answered after ${ms.toFixed(0)} ms`);
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
      await assertAborted(model);
    });
  }
}

test('an upstream that stalls mid-stream: the body ends with an SSE error event (upstream_timeout), the upstream request aborted', async () => {
  const { res, text, ms } = await call(mf, { model: 'stall', input: 'hi', stream: true });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const events = sseEvents(text);
  assert.deepEqual(events.slice(0, 4).map((e) => e.event), ['response.created', 'response.output_item.added', 'response.content_part.added', 'response.output_text.delta']);
  const last = events.at(-1);
  assert.equal(last.event, 'error');
  assert.equal(last.data.type, 'error');
  assert.deepEqual(Object.keys(last.data.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(last.data.error.code, 'upstream_timeout');
  assert.ok(ms >= TIMEOUT_MS * 0.8 && ms < TIMEOUT_MS + 5000, `ended after ${ms.toFixed(0)} ms`);
  await assert.rejects(finalOf(text), (e) => e instanceof ApiError && e.code === 'upstream_timeout');
  await assertAborted('stall');
});

test('UPSTREAM_TIMEOUT_MS defaults to 60 s: a stall of a second is waited for', async () => {
  const worker = await startWorker({ UPSTREAM_TIMEOUT_MS: undefined });
  try {
    // the stall is cut by the test's own bound (2 s), not by the Worker
    await assert.rejects(call(worker, { model: 'silent', input: 'hi', stream: true }, 2000), /no complete answer after 2000 ms/);
  } finally {
    await worker.dispose();
  }
});

test('an in-stream error event quoting the key (split across TCP writes) reaches the client redacted', async () => {
  const { res, text } = await call(mf, { model: 'error-event', input: 'hi', stream: true });
  assert.equal(res.status, 200);
  assertNoKey(text, 'the stream');
  const last = sseEvents(text).at(-1);
  assert.equal(last.event, 'error');
  assert.equal(last.data.error.code, 'invalid_api_key');
  assert.match(last.data.error.message, /^Incorrect API key provided: \[redacted\]\.$/);
  assert.equal(upstream.of('error-event')[0].auth, `Bearer ${KEY}`, 'the upstream got the key');
});

test('the flat error event and response.failed, quoting the key without its prefix or a fragment, are redacted', async () => {
  for (const model of ['error-event-flat', 'failed']) {
    const { res, text } = await call(mf, { model, input: 'hi', stream: true });
    assert.equal(res.status, 200);
    assertNoKey(text, `the ${model} stream`);
    assert.match(text, /\[redacted\]/);
    await assert.rejects(finalOf(text), ApiError);
  }
});

test('a 400 quoting the key without its sk- prefix, or a fragment of it, is passed on redacted', async () => {
  for (const model of ['400-bare', '400-fragment']) {
    for (const stream of [false, true]) {
      const { res, json, text } = await call(mf, { model, input: 'hi', stream });
      assert.equal(res.status, 400, `${model}, stream ${stream}`);
      assertNoKey(text, `the ${model} answer (stream: ${stream})`);
      assert.match(json.error.message, /\[redacted\]/);
    }
  }
});

test('the key echoed in text deltas three characters at a time never reaches the client whole or in fragments', async () => {
  const { res, text } = await call(mf, { model: 'echo-deltas', input: 'hi', stream: true });
  assert.equal(res.status, 200);
  const events = sseEvents(text);
  const streamed = events.filter((e) => e.event === 'response.output_text.delta').map((e) => e.data.delta).join('');
  assertNoKey(streamed, 'the concatenated deltas');
  assertNoKey(text, 'the stream');
  assert.match(streamed, /^Your key is .*\[redacted\]/);
  assert.match(streamed, /, keep it safe\.$/, 'the text after the key is streamed');
  const final = await finalOf(text);
  assert.equal(final.status, 'completed');
  assert.equal(final.output_text, 'Your key is [redacted], keep it safe.');
});

test('a non-streaming Response quoting the key is passed on redacted', async () => {
  const { res, json, text } = await call(mf, { model: 'echo-json', input: 'hi' });
  assert.equal(res.status, 200);
  assertNoKey(text, 'the Response');
  assert.equal(json.output_text, 'key: [redacted]');
});

test('params holding lone surrogates (JSON.stringify writes them as escapes): passed on, the escapes byte for byte', async () => {
  const half = 'Great news 😀'.slice(0, 12);
  for (const stream of [false, true]) {
    const before = upstream.of('ok').length;
    const { res, text } = await call(mf, { model: 'ok', input: half, metadata: { k: '\udc00' }, stream });
    assert.equal(res.status, 200, text);
    const sent = upstream.of('ok').slice(before);
    assert.equal(sent.length, 1);
    assert.ok(sent[0].body.includes('"input":"Great news \\ud83d"'), sent[0].body);
    assert.ok(sent[0].body.includes('"k":"\\udc00"'), sent[0].body);
    assert.ok(!sent[0].body.includes('\ufffd'));
  }
});
