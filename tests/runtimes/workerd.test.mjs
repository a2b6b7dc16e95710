// The example Cloudflare Worker (examples/cloudflare-worker) in workerd, through miniflare: a fresh
// copy of the example (build/consumer-worker) installs the packed tarball, is bundled the way
// wrangler bundles (lib.mjs), and proxies to the mock backend, which requires the secret key;
// then to a hostile or broken upstream (a hand-made server on 127.0.0.1, picked by model name): one
// that never answers, sends only headers, stalls or breaks mid-stream, streams without end, or quotes
// the API key back (whole, without its `sk-` prefix, as a fragment, split across TCP writes or across
// text deltas). The Worker must answer within UPSTREAM_TIMEOUT_MS, abort the upstream request (the
// server sees its socket closed), and let no 10-character fragment of the key reach the client.
// Last, WebSocket mode (src/socket.js, on 127.0.0.1): a client without a key (as a page) connects
// from an allowed origin, the Worker opens the upstream socket to the mock (which requires the key)
// with fetch Upgrade, relays frames both ways and applies the checks of a POST to every response.create frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SECRET, bundleExample, checkSocketTurns, devImport, finalOf, fragmentsIn, keyedCalls, listen, pkgNode, sleep, socketTurns, sseEvents, startMock } from './lib.mjs';
import { startWorker as startBundle, streamingPage, streamsInPage, useChromium, useMock, using } from './lib.mjs';
import { has, until as waitFor } from '../js/client-helpers.mjs';

const ORIGIN = 'https://app.example';
const WORKER = 'http://worker.test/v1/responses';

/** A realistic key: long enough that a fragment without `sk-` is still a secret. */
const KEY = 'sk-Zq7pLm2vRt9sWk4nBh6cYy8dFj3gHa5eXu1oNb0i';
const BARE = KEY.slice(3);
const FRAGMENT = KEY.slice(17, 31); // 14 characters from the middle
const TIMEOUT_MS = 600;

const mock = useMock({ delayMs: 40, requireKey: SECRET });
const chromium = useChromium();
let mf, bundle, upstream, hostile, WebSocket, ResponsesClient;
/** The socket Worker (on 127.0.0.1), its URL, and the origin of a page using it (a mock serving the packed package at /pkg). */
let sockets, base, pageServer;
const { ApiError } = await pkgNode();
/** Every response the Worker gave, to check that the key never appears in one. */
const seen = [];

const startWorker = (bindings, options) =>
  startBundle(bundle, { COMETAPI_KEY: SECRET, UPSTREAM_BASE_URL: `${mock.url}/v1`, ALLOWED_ORIGINS: `${ORIGIN}, http://localhost:5173`, ALLOWED_MODELS: 'gpt-5.4,gpt-5.4-mini', ...bindings }, options);
/** Runs `fn(worker)` with a Worker of these bindings, disposed of afterwards. */
const withWorker = async (bindings, fn) => using(await startWorker(bindings), fn);

/** A Worker (the key KEY) in front of the hostile upstream. */
const startHostile = (bindings) =>
  startBundle(bundle, { COMETAPI_KEY: KEY, UPSTREAM_BASE_URL: `${upstream.url}/v1`, ALLOWED_ORIGINS: ORIGIN, ALLOWED_MODELS: '*', UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS), ...bindings });

before(async () => {
  await mock.ready;
  bundle = await bundleExample('worker');
  mf = await startWorker();
  upstream = await startHostileUpstream();
  hostile = await startHostile();
  ({ default: WebSocket } = await devImport('ws/index.js'));
  const pkg = join(bundle.dir, 'node_modules', 'cometapi-responses');
  ({ ResponsesClient } = await import(pathToFileURL(join(pkg, 'node.js')).href));
  pageServer = await startMock({ pkgDir: pkg });
  const socketBindings = { ALLOWED_ORIGINS: `${ORIGIN}, ${pageServer.url}`, MAX_BODY_BYTES: '4096', IDLE_TIMEOUT_MS: '1500' };
  sockets = await startWorker(socketBindings, { host: '127.0.0.1', port: 0 });
  base = (await sockets.ready).href.replace(/\/$/, '');
});

after(async () => {
  for (const worker of [mf, hostile, sockets]) await worker?.dispose();
  for (const server of [upstream, pageServer]) await server?.close();
});

/** A request body sent in these chunks, without content-length. */
const chunked = (parts) => new ReadableStream({ start: (c) => (parts.forEach((p) => c.enqueue(p)), c.close()) });
const JSON_TYPE = { 'content-type': 'application/json' };

/** A request to the Worker (a body other than a string or a stream is sent as JSON); fails instead
 *  of hanging when the whole answer takes over `limitMs`. */
async function call(instance, { method = 'POST', origin = ORIGIN, body, headers = {}, limitMs = 15_000, ...init } = {}) {
  const h = { ...headers, ...(origin !== null && { origin }) };
  if (body !== undefined && typeof body !== 'string' && !(body instanceof ReadableStream)) {
    body = JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const t0 = performance.now();
  const answer = (async () => {
    const res = await instance.dispatchFetch(WORKER, { method, headers: h, body, ...init });
    // the body chunk by chunk, each with the time it arrived
    const decoder = new TextDecoder();
    const chunks = [];
    for await (const chunk of res.body ?? []) chunks.push({ t: performance.now() - t0, text: decoder.decode(chunk, { stream: true }) });
    const text = chunks.map((c) => c.text).join('');
    seen.push({ status: res.status, headers: [...res.headers], text });
    return { res, text, chunks, ms: performance.now() - t0, json: /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined };
  })();
  let timer;
  try {
    const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no complete answer after ${limitMs} ms for ${body}`)), limitMs)));
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}
const callHostile = (instance, body, limitMs) => call(instance, { body, limitMs });

function assertApiError(json, { code, param = null }) {
  assert.deepEqual(Object.keys(json), ['error']);
  assert.deepEqual(Object.keys(json.error).sort(), ['code', 'message', 'param', 'type']);
  const { message, type, code: got, param: gotParam } = json.error;
  assert.deepEqual([typeof message, typeof type, got, gotParam], ['string', 'string', code, param], 'message, type, code, param');
}

/** The error of the last event of an SSE text, asserted to be an `error` event in the API's error shape. */
function lastError(text) {
  const last = sseEvents(text).at(-1);
  assert.deepEqual([last.event, last.data.type], ['error', 'error']);
  assert.deepEqual(Object.keys(last.data.error).sort(), ['code', 'message', 'param', 'type']);
  return last.data.error;
}

/** `call(instance, init)` answers `status` with the API error `code` (and `param`). */
async function refused(instance, init, status, code, param = null) {
  const r = await call(instance, init);
  assert.equal(r.res.status, status, `${code}: ${JSON.stringify(init.body)?.slice(0, 200)}`);
  assertApiError(r.json, { code, param });
  return r;
}

/** Runs `fn()` and asserts that `n` requests reached the mock meanwhile. */
async function reaching(n, fn, what = 'the requests') {
  const before = mock.requests.length;
  const result = await fn();
  assert.equal(mock.requests.length, before + n, `${what}: ${n} reached the upstream`);
  return result;
}

test('streams the upstream SSE through incrementally, with the secret key added upstream', async () => {
  const before = mock.requests.length;
  const { res, text, chunks } = await call(mf, { body: { model: 'gpt-5.4', input: 'Stream through the Worker', stream: true } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);

  // incremental: many chunks, spread over time like the upstream's events (40 ms apart)
  assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
  const times = chunks.map((c) => c.t);
  assert.ok(new Set(times.map((t) => Math.round(t / 10))).size >= 3, 'chunks arrived at distinct times');
  assert.ok(times.at(-1) - times[0] > 200, `first to last chunk: ${(times.at(-1) - times[0]).toFixed(0)} ms`);

  // in order, complete, and parseable by the package itself
  const events = sseEvents(text).map((e) => e.data);
  assert.deepEqual([events[0].type, events.at(-1).type], ['response.created', 'response.completed']);
  const seqs = events.map((e) => e.sequence_number);
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] + i), 'sequence numbers in order, none missing');
  const final = await finalOf(text);
  assert.equal(final.status, 'completed');
  assert.equal(final.output_text, events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join(''));

  // the upstream saw the request with the key (the mock answers 401 without `Bearer <SECRET>`)
  const [sent] = keyedCalls(mock, before, 1);
  has(sent.body, { stream: true, model: 'gpt-5.4' });
  assert.equal(sent.headers.origin, undefined, "the browser's headers are not forwarded");
});

test('non-streaming requests answer the Response as JSON, a body without content-length within the limit too', async () => {
  const { res, json } = await call(mf, { body: { model: 'gpt-5.4-mini', input: 'JSON please' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
  has(json, { object: 'response', status: 'completed' });
  assert.equal(typeof json.output_text, 'string');
  const bytes = new TextEncoder().encode(JSON.stringify({ model: 'gpt-5.4', input: 'y'.repeat(10_000) }));
  const r = await call(mf, { body: chunked([bytes.subarray(0, 5000), bytes.subarray(5000)]), duplex: 'half', headers: JSON_TYPE });
  assert.deepEqual([r.res.status, r.json.status], [200, 'completed']);
});

test('CORS: preflight answered for allowed origins only', async () => {
  const ok = await call(mf, { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-evil' } });
  assert.equal(ok.res.status, 204);
  assert.equal(ok.res.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(ok.res.headers.get('access-control-allow-methods'), /POST/);
  assert.equal(ok.res.headers.get('access-control-allow-headers'), 'content-type, accept', 'a fixed list, nothing echoed');
  const bad = await call(mf, { method: 'OPTIONS', origin: 'https://evil.example', headers: { 'access-control-request-method': 'POST' } });
  assert.equal(bad.res.status, 403);
  assert.equal(bad.res.headers.get('access-control-allow-origin'), null);
});

test('refuses what it should, in the API error shape, without calling the upstream', async () => {
  const body = { model: 'gpt-5.4', input: 'hi' };
  const big = new TextEncoder().encode(JSON.stringify({ model: 'gpt-5.4', input: 'x'.repeat(70 * 1024) }));
  const refusals = [
    // [request, status, code, param, access-control-allow-origin]
    [{ origin: 'https://evil.example', body }, 403, 'origin_not_allowed', null, null],
    [{ origin: null, body }, 403, 'origin_required'],
    [{ body: { model: 'gpt-4-expensive', input: 'hi' } }, 400, 'model_not_allowed', 'model', ORIGIN], // readable by the allowed page
    [{ body: { input: 'no model' } }, 400, 'missing_required_parameter', 'model'],
    [{ body: new TextDecoder().decode(big), headers: JSON_TYPE }, 413, 'request_too_large'], // over the limit by content-length
    // no content-length (chunked): the limit holds on the bytes actually read
    [{ body: chunked(Array.from({ length: Math.ceil(big.length / 8192) }, (_, i) => big.subarray(i * 8192, (i + 1) * 8192))), duplex: 'half', headers: JSON_TYPE }, 413, 'request_too_large'],
    [{ body: '{"model": "gpt-5.4", ', headers: JSON_TYPE }, 400, 'invalid_json'],
    [{ body: JSON.stringify(body), headers: { 'content-type': 'text/plain' } }, 415, 'unsupported_media_type'],
  ];
  await reaching(0, async () => {
    for (const [init, status, code, param = null, allowOrigin] of refusals) {
      const r = await refused(mf, init, status, code, param);
      if (allowOrigin !== undefined) assert.equal(r.res.headers.get('access-control-allow-origin'), allowOrigin);
    }
    assert.equal((await call(mf, { method: 'GET' })).res.status, 405);
    const r = await mf.dispatchFetch('http://worker.test/v1/models', { headers: { origin: ORIGIN } });
    assert.equal(r.status, 404);
    seen.push({ status: r.status, headers: [...r.headers], text: await r.text() });
  });
});

test('MAX_OUTPUT_TOKENS caps max_output_tokens: more is refused, none gets the cap', async () => {
  await withWorker({ MAX_OUTPUT_TOKENS: '100' }, async (capped) => {
    await refused(capped, { body: { model: 'gpt-5.4', input: 'hi', max_output_tokens: 500 } }, 400, 'max_output_tokens_not_allowed', 'max_output_tokens');
    const before = mock.requests.length;
    const ok = await call(capped, { body: { model: 'gpt-5.4', input: 'hi' } });
    assert.equal(ok.res.status, 200);
    const sent = mock.requests.slice(before).find((r) => r.path === '/v1/responses');
    assert.equal(sent.body.max_output_tokens, 100);
  });
});

test('cost parameters are refused unless configured: background, built-in tools, stored prompts, priority tiers', async () => {
  const base = { model: 'gpt-5.4', input: 'hi' };
  const fn = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } };
  const refusedParams = [
    [{ background: true }, 'background_not_allowed', 'background'],
    [{ tools: [fn, { type: 'web_search' }] }, 'tool_not_allowed', 'tools[1].type'],
    [{ tools: [{ type: 'mcp', server_label: 'x', server_url: 'https://mcp.example' }] }, 'tool_not_allowed', 'tools[0].type'],
    [{ tools: [{ name: 'untyped' }] }, 'invalid_value', 'tools[0].type'],
    [{ tools: { type: 'web_search' } }, 'invalid_value', 'tools'],
    [{ tool_choice: { type: 'code_interpreter' } }, 'tool_not_allowed', 'tool_choice'],
    [{ prompt: { id: 'pmpt_123' } }, 'prompt_not_allowed', 'prompt'],
    [{ service_tier: 'priority' }, 'service_tier_not_allowed', 'service_tier'],
  ];
  await reaching(0, async () => {
    for (const [extra, code, param] of refusedParams) {
      for (const stream of [false, true]) await refused(mf, { body: { ...base, ...extra, stream } }, 400, code, param);
    }
  });

  // allowed by default: function and custom tools, background: false, the default tiers
  for (const extra of [{ tools: [fn, { type: 'custom', name: 'grammar' }], tool_choice: { type: 'function', name: 'get_weather' } }, { background: false }, { service_tier: 'flex' }, { service_tier: 'auto' }]) {
    await reaching(1, () => call(mf, { body: { ...base, ...extra } }), JSON.stringify(extra));
  }

  await withWorker({ ALLOW_BACKGROUND: 'true', ALLOW_BUILTIN_TOOLS: 'web_search,code_interpreter', ALLOW_PROMPTS: 'true', ALLOWED_SERVICE_TIERS: 'auto,priority' }, async (open) => {
    for (const extra of [{ background: true }, { tools: [{ type: 'web_search' }], tool_choice: { type: 'code_interpreter' } }, { prompt: { id: 'pmpt_123' } }, { service_tier: 'priority' }]) {
      const { json } = await reaching(1, () => call(open, { body: { ...base, ...extra } }), JSON.stringify(extra));
      assert.ok(!['background_not_allowed', 'tool_not_allowed', 'prompt_not_allowed', 'service_tier_not_allowed'].includes(json?.error?.code), `${JSON.stringify(extra)}: ${JSON.stringify(json?.error)}`);
    }
    // a list allows only the tools it names; ALLOWED_SERVICE_TIERS replaces the default list
    assertApiError((await call(open, { body: { ...base, tools: [{ type: 'image_generation' }] } })).json, { code: 'tool_not_allowed', param: 'tools[0].type' });
    assertApiError((await call(open, { body: { ...base, service_tier: 'flex' } })).json, { code: 'service_tier_not_allowed', param: 'service_tier' });
  });
  await withWorker({ ALLOW_BUILTIN_TOOLS: 'true' }, (any) =>
    reaching(1, () => call(any, { body: { ...base, tools: [{ type: 'image_generation' }, { type: 'file_search', vector_store_ids: ['vs_1'] }] } }), '"true" allows every built-in tool'),
  );
});

test('inline attachments: refused by default, then within MAX_ATTACHMENT_BYTES and ATTACHMENT_MIME_TYPES', async () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const big = new Uint8Array(90 * 1024);
  big.set(png);
  const b64 = (bytes) => Buffer.from(bytes).toString('base64');
  const body = (...parts) => ({ model: 'gpt-5.4', input: [{ role: 'user', content: [{ type: 'input_text', text: 'what is this?' }, ...parts] }] });
  const image = (bytes, type = 'image/png') => ({ type: 'input_image', image_url: `data:${type};base64,${b64(bytes)}` });
  const accepted = async (instance, b) => {
    const r = await reaching(1, () => call(instance, { body: b }));
    assert.equal(r.res.status, 200, JSON.stringify(r.json));
    return r;
  };
  await reaching(0, () => refused(mf, { body: body(image(png)) }, 413, 'attachment_too_large', 'input[0].content[1].image_url'), 'no attachment bytes by default');
  // URLs carry no bytes through the proxy
  await accepted(mf, body({ type: 'input_image', image_url: 'https://example.com/a.png' }));

  await withWorker({ MAX_ATTACHMENT_BYTES: String(100 * 1024) }, async (open) => {
    // 90 KiB of image (120 KiB of base64) in a body whose limit is 64 KiB: the attachment has its own
    const r = await accepted(open, body(image(big)));
    assert.match(r.json.output_text, new RegExp(`image/png, ${big.length} bytes, 1×1`));
    const refusals = [
      [body(image(big.subarray(0, 60 * 1024)), image(big.subarray(0, 60 * 1024))), 413, 'attachment_too_large', 'input[0].content[2].image_url'],
      [body(image(big), image(big)), 413, 'request_too_large', null], // past what may be read at all
      [body(image(png, 'image/svg+xml')), 400, 'attachment_type_not_allowed', 'input[0].content[1].image_url'],
      [body({ type: 'input_file', filename: 'a.html', file_data: `data:text/html;base64,${b64(png)}` }), 400, 'attachment_type_not_allowed', 'input[0].content[1].file_data'],
      [{ ...body(image(png)), instructions: 'x'.repeat(70 * 1024) }, 413, 'request_too_large', null],
    ];
    await reaching(0, async () => {
      for (const [b, status, code, param] of refusals) await refused(open, { body: b }, status, code, param);
    }, 'refused attachments');
  });
  await withWorker({ MAX_ATTACHMENT_BYTES: '1000', ATTACHMENT_MIME_TYPES: 'application/pdf' }, async (pdfOnly) => {
    const r = await call(pdfOnly, { body: body(image(png)) });
    assertApiError(r.json, { code: 'attachment_type_not_allowed', param: 'input[0].content[1].image_url' });
    await accepted(pdfOnly, body({ type: 'input_file', filename: 'a.pdf', file_data: `data:application/pdf;base64,${b64(new TextEncoder().encode('%PDF-1.4'))}` }));
  });
});

test('inline attachments in a function_call_output output array get the same rules', async () => {
  const b64 = (text) => Buffer.from(text).toString('base64');
  /** A tool call and its output holding `parts`. */
  const body = (...parts) => ({
    model: 'gpt-5.4',
    input: [
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_text', text: 'here' }, ...parts] },
    ],
  });
  const zip = { type: 'input_file', filename: 'a.zip', file_data: `data:application/zip;base64,${b64('PK\x03\x04 a zip')}` };
  const pdf = (n) => ({ type: 'input_file', filename: 'a.pdf', file_data: `data:application/pdf;base64,${b64('%PDF-1.4'.padEnd(n, ' '))}` });
  const svg = { type: 'input_image', image_url: `data:image/svg+xml;base64,${b64('<svg/>')}` };
  await reaching(0, async () => {
    await refused(mf, { body: body(pdf(100)) }, 413, 'attachment_too_large', 'input[1].output[1].file_data'); // no attachment bytes by default
    await withWorker({ MAX_ATTACHMENT_BYTES: '1000' }, async (open) => {
      await refused(open, { body: body(zip) }, 400, 'attachment_type_not_allowed', 'input[1].output[1].file_data');
      await refused(open, { body: body(svg) }, 400, 'attachment_type_not_allowed', 'input[1].output[1].image_url');
      await refused(open, { body: body(pdf(600), pdf(600)) }, 413, 'attachment_too_large', 'input[1].output[2].file_data');
    });
  }, 'refused attachments in a tool output');
});

test("upstream errors pass through with their status; the package's validation errors are 400 before any upstream call", async () => {
  // the mock validates like the API; the package does not check conversation.id itself
  const body = { model: 'gpt-5.4', input: 'hi', conversation: {} };
  await reaching(2, async () => {
    for (const stream of [false, true]) {
      const r = await refused(mf, { body: { ...body, stream } }, 400, 'missing_required_parameter', 'conversation.id');
      assert.equal(r.res.headers.get('access-control-allow-origin'), ORIGIN);
    }
  });
  await reaching(0, async () => {
    for (const stream of [false, true]) await refused(mf, { body: { model: 'gpt-5.4', input: 'hi', temperature: 7, stream } }, 400, 'invalid_value', 'temperature');
  });
});

test('a wrong upstream key gives 401 without quoting any key; no key is a 500', async () => {
  const wrongKey = 'sk-wrong-worker-key-123456';
  await withWorker({ COMETAPI_KEY: wrongKey }, async (other) => {
    for (const stream of [false, true]) {
      const { res, json, text } = await call(other, { body: { model: 'gpt-5.4', input: 'hi', stream } });
      assert.equal(res.status, 401);
      assertApiError(json, { code: json.error.code });
      assert.ok(!text.includes(wrongKey));
    }
  });
  await withWorker({ COMETAPI_KEY: '' }, (missing) => refused(missing, { body: { model: 'gpt-5.4', input: 'hi' } }, 500, 'proxy_not_configured'));
});

test('a browser page streams through the Worker with no key of its own (CORS preflight for real)', async () => {
  // Three origins, as in production: the page (a tiny server here), the package (the mock's
  // /pkg/, cross-origin module scripts), the Worker (miniflare's workerd).
  let html;
  const site = await listen((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html' });
    res.end(req.url === '/' ? html : '');
  });
  await withWorker({ ALLOWED_ORIGINS: site.url }, async (worker) => {
    const workerURL = (await worker.ready).href.replace(/\/$/, '');
    html = streamingPage({ 'cometapi-responses': `${mock.url}/pkg/browser.js` }, `${workerURL}/v1`);
    const workerHits = [];
    await streamsInPage(chromium.browser, `${site.url}/`, (page) =>
      page.on('request', (r) => r.url().startsWith(workerURL) && workerHits.push(`${r.method()} ${r.headers().authorization ?? '-'}`)),
    );
    assert.ok(workerHits.includes('POST -'), `the page sent no Authorization header: ${workerHits}`);
  }).finally(() => site.close());
});

// ---- a hostile or broken upstream

const frame = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const RESPONSE = { id: 'resp_h', object: 'response', status: 'in_progress', model: 'm', output: [] };
const MESSAGE = { id: 'msg_h', type: 'message', role: 'assistant', status: 'in_progress', content: [] };
const opening = (seq = 0) =>
  frame('response.created', { sequence_number: seq, response: RESPONSE }) +
  frame('response.output_item.added', { sequence_number: seq + 1, output_index: 0, item: MESSAGE }) +
  frame('response.content_part.added', { sequence_number: seq + 2, item_id: 'msg_h', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
const delta = (seq, text) => frame('response.output_text.delta', { sequence_number: seq, item_id: 'msg_h', output_index: 0, content_index: 0, delta: text });
/** The finished message holding `text`. */
const message = (text) =>
  ({ ...MESSAGE, status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] });
const completed = (seq, text) => frame('response.completed', {
  sequence_number: seq, response: { ...RESPONSE, status: 'completed', output: [message(text)] },
});

const sse = (res) => res.writeHead(200, { 'content-type': 'text/event-stream' });
/** A behaviour answering this SSE body whole. */
const sseBody = (body) => (res) => (sse(res), res.end(body));
const sendJson = (res, status, body) => (res.writeHead(status, { 'content-type': 'application/json' }), res.end(JSON.stringify(body)));
/** What each model name makes the upstream do (`res` is the node http response). */
const BEHAVIOURS = {
  // never a byte, not even headers
  silent: () => {},
  // headers, then nothing
  'headers-only': (res, { stream }) =>
    res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' }).flushHeaders(),
  // a stream that starts, then stops sending (the connection stays open)
  stall: (res) => sse(res).write(opening() + delta(3, 'Hello')),
  // two events, then the connection broken
  break: (res) => {
    sse(res).write(frame('response.created', { sequence_number: 0, response: RESPONSE }) + frame('response.in_progress', { sequence_number: 1, response: RESPONSE }));
    setTimeout(() => res.destroy(), 30);
  },
  // one delta every 50 ms until the client goes away
  endless: (res) => {
    sse(res).write(opening());
    let seq = 3;
    const timer = setInterval(() => res.write(delta(seq++, 'x')), 50);
    res.on('close', () => clearInterval(timer));
  },
  // an in-stream error event quoting the key, its bytes split in the middle of the key
  'error-event': async (res) => {
    sse(res).write(opening());
    const text = frame('error', { sequence_number: 3, error: { type: 'invalid_request_error', code: 'invalid_api_key', message: `Incorrect API key provided: ${KEY}.`, param: null } });
    const cut = text.indexOf(KEY) + 12;
    res.write(text.slice(0, cut));
    await sleep(30);
    res.end(text.slice(cut));
  },
  // the flat error shape, quoting the key without its prefix
  'error-event-flat': sseBody(opening() + frame('error', { sequence_number: 3, code: 'server_error', message: `upstream said: ${BARE}`, param: null })),
  // response.failed quoting a fragment of the key
  failed: sseBody(opening() + frame('response.failed', { sequence_number: 3, response: { ...RESPONSE, status: 'failed', error: { code: 'server_error', message: `key …${FRAGMENT}… refused` } } })),
  // a 400 quoting the key without its `sk-` prefix
  '400-bare': (res) => sendJson(res, 400, { error: { message: `Invalid key ${BARE} for this model`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
  // a 400 quoting a fragment, in its code and param too
  '400-fragment': (res) => sendJson(res, 400, { error: { message: `bad credentials (…${FRAGMENT}…)`, type: 'invalid_request_error', param: `x${FRAGMENT}`, code: FRAGMENT } }),
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
  // an event whose type would end the `event:` line and start frames of its own
  'type-inject': sseBody(opening() + `data: ${JSON.stringify({ type: 'x\nevent: error\ndata: {"injected":true}\n', sequence_number: 3 })}\n\n` + completed(4, 'ok')),
  // a plain answer (a stream or JSON, as asked)
  ok: (res, { stream }) => (stream ? sseBody(opening() + completed(3, 'ok'))(res) : sendJson(res, 200, { ...RESPONSE, status: 'completed', output: [] })),
  // a non-streaming Response quoting the key
  'echo-json': (res) =>
    sendJson(res, 200, { ...RESPONSE, status: 'completed', output: [message(`key: ${BARE}`)], metadata: { [KEY]: KEY } }),
};

async function startHostileUpstream() {
  /** One entry per request: { model, auth, body, closed } (closed: the socket closed). */
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

/** Waits (bounded) until every upstream request of `model` had its socket closed. */
async function assertAborted(model) {
  const deadline = Date.now() + 5000;
  const open = () => upstream.of(model).filter((r) => !r.closed);
  while (open().length > 0 && Date.now() < deadline) await sleep(20);
  assert.ok(upstream.of(model).length >= 1, `the upstream saw no request for ${model}`);
  assert.equal(open().length, 0, `the upstream request for ${model} was not aborted (its socket is still open)`);
}

const assertNoKey = (text, where) => assert.deepEqual(fragmentsIn(text, KEY), [], `${where} holds fragments of the key`);
const assertLateness = (ms) => assert.ok(ms >= TIMEOUT_MS * 0.8 && ms < TIMEOUT_MS + 5000, `answered after ${ms.toFixed(0)} ms`);

for (const stream of [true, false]) {
  for (const model of ['silent', 'headers-only']) {
    test(`an upstream that is ${model === 'silent' ? 'silent' : 'sending headers only'} (stream: ${stream}): 504 in the API's error shape, the upstream request aborted`, async () => {
      const { res, json, ms } = await callHostile(hostile, { model, input: 'hi', stream });
      assert.equal(res.status, 504);
      assertApiError(json, { code: 'upstream_timeout' });
      assert.equal(json.error.type, 'server_error');
      assertLateness(ms);
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
      await assertAborted(model);
    });
  }
}

test('an upstream that stalls mid-stream: the body ends with an SSE error event (upstream_timeout), the upstream request aborted', async () => {
  const { res, text, ms } = await callHostile(hostile, { model: 'stall', input: 'hi', stream: true });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const events = sseEvents(text);
  assert.deepEqual(events.slice(0, 4).map((e) => e.event), ['response.created', 'response.output_item.added', 'response.content_part.added', 'response.output_text.delta']);
  assert.equal(lastError(text).code, 'upstream_timeout');
  assertLateness(ms);
  await assert.rejects(finalOf(text), (e) => e instanceof ApiError && e.code === 'upstream_timeout');
  await assertAborted('stall');
});

test('UPSTREAM_TIMEOUT_MS at 60 s (default): a silence is waited for, a break ends in an error event, a client leaving aborts', async () => {
  await using(await startHostile({ UPSTREAM_TIMEOUT_MS: undefined }), async (worker) => {
    // the stall is cut by the test's own bound (2 s), not by the Worker
    await assert.rejects(callHostile(worker, { model: 'silent', input: 'hi', stream: true }, 2000), /no complete answer after 2000 ms/);

    const { res, text } = await callHostile(worker, { model: 'break', input: 'hi', stream: true });
    assert.equal(res.status, 200);
    assert.match(text, /^event: response\.created\n/);
    assert.match(text.trim().split('\n\n').at(-1), /^event: error\ndata: /);
    const { code } = lastError(text);
    await assert.rejects(finalOf(text), (e) => e instanceof ApiError && e.code === code);

    const body = JSON.stringify({ model: 'endless', input: 'hi', stream: true });
    const endless = await worker.dispatchFetch(WORKER, { method: 'POST', headers: { origin: ORIGIN, ...JSON_TYPE }, body });
    assert.equal(endless.status, 200);
    const reader = endless.body.getReader();
    let got = '';
    for (let i = 0; i < 6; i++) {
      const { done, value } = await reader.read();
      assert.equal(done, false, `the stream went on: ${got}`);
      got += new TextDecoder().decode(value);
    }
    assert.match(got, /response\.output_text\.delta/);
    await reader.cancel();
    await assertAborted('endless');
  });
});

/** What the Worker passes on from a hostile upstream: [model, stream, status, check(answer)]; no fragment of the key in any. */
const HOSTILE = [
  // an in-stream error event quoting the key (split across TCP writes)
  ['error-event', true, 200, ({ text }) => {
    const error = lastError(text);
    assert.equal(error.code, 'invalid_api_key');
    assert.match(error.message, /^Incorrect API key provided: \[redacted\]\.$/);
    assert.equal(upstream.of('error-event')[0].auth, `Bearer ${KEY}`, 'the upstream got the key');
  }],
  // the flat error event and response.failed, quoting the key without its prefix or a fragment
  ...['error-event-flat', 'failed'].map((model) => [model, true, 200, async ({ text }) => {
    assert.match(text, /\[redacted\]/);
    await assert.rejects(finalOf(text), ApiError);
  }]),
  // a 400 quoting the key without its sk- prefix, or a fragment of it
  ...['400-bare', '400-fragment'].flatMap((model) => [false, true].map((stream) => [model, stream, 400, ({ json }) => assert.match(json.error.message, /\[redacted\]/)])),
  // a type with line ends: passed on as a `message` event, its data whole; no frame of its making
  ['type-inject', true, 200, async ({ text }) => {
    const events = sseEvents(text);
    assert.ok(events.every((e) => e.event !== 'error' && !e.data?.injected), text);
    assert.deepEqual(events.find((e) => e.event === 'message')?.data.type, 'x\nevent: error\ndata: {"injected":true}\n');
    assert.equal((await finalOf(text)).status, 'completed');
  }],
  // the key echoed in text deltas three characters at a time: not whole, not in fragments
  ['echo-deltas', true, 200, async ({ text }) => {
    const streamed = sseEvents(text).filter((e) => e.event === 'response.output_text.delta').map((e) => e.data.delta).join('');
    assertNoKey(streamed, 'the concatenated deltas');
    assert.match(streamed, /^Your key is .*\[redacted\]/);
    assert.match(streamed, /, keep it safe\.$/, 'the text after the key is streamed');
    const final = await finalOf(text);
    assert.equal(final.status, 'completed');
    assert.equal(final.output_text, 'Your key is [redacted], keep it safe.');
  }],
  // a non-streaming Response quoting the key
  ['echo-json', false, 200, ({ json }) => assert.equal(json.output_text, 'key: [redacted]')],
];
for (const [model, stream, status, check] of HOSTILE) {
  test(`an upstream answer quoting the key (${model}, stream: ${stream}) is passed on redacted`, async () => {
    const answer = await callHostile(hostile, { model, input: 'hi', stream });
    assert.equal(answer.res.status, status);
    assertNoKey(answer.text, `the ${model} answer (stream: ${stream})`);
    await check(answer);
  });
}

test('params holding lone surrogates (JSON.stringify writes them as escapes): passed on, the escapes byte for byte', async () => {
  const half = 'Great news 😀'.slice(0, 12);
  for (const stream of [false, true]) {
    const before = upstream.of('ok').length;
    const { res, text } = await callHostile(hostile, { model: 'ok', input: half, metadata: { k: '\udc00' }, stream });
    assert.equal(res.status, 200, text);
    const sent = upstream.of('ok').slice(before);
    assert.equal(sent.length, 1);
    assert.ok(sent[0].body.includes('"input":"Great news \\ud83d"'), sent[0].body);
    assert.ok(sent[0].body.includes('"k":"\\udc00"'), sent[0].body);
    assert.ok(!sent[0].body.includes('\ufffd'));
  }
});

test('the secret key appears in no response body or header', () => {
  assert.ok(seen.length >= 15, `${seen.length} responses checked`);
  for (const { status, headers, text } of seen) {
    assert.ok(!text.includes(SECRET), `the body of a ${status} response holds the key`);
    for (const [name, value] of headers) assert.ok(!value.includes(SECRET) && !name.includes(SECRET), `header ${name} holds the key`);
  }
});

// ---- WebSocket mode

/** The `ws` WebSocket sending an Origin header, as a browser does. */
const withOrigin = (origin) => class extends WebSocket {
  constructor(url, opts) {
    super(url, { ...opts, origin });
  }
};

/** A raw socket to the Worker; `ws.texts` collects the frames from the start. */
function open(origin = ORIGIN) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/responses`, origin ? { origin } : {});
    ws.texts = [];
    ws.on('message', (d) => ws.texts.push(d.toString()));
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_q, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

const until = (cond) => waitFor(cond, 10_000);

test('a client without a key connects through the Worker: stream, a chained turn (store: false), two lanes', async (t) => {
  const before = mock.requests.length;
  const client = new ResponsesClient({ baseURL: `${base}/v1`, maxRetries: 0 });
  const socket = await client.connect({ WebSocket: withOrigin(ORIGIN), timeout: 10_000 });
  t.after(() => socket.close());
  const s = socket.stream({ model: 'gpt-5.4', input: 'through the Worker', store: false });
  let text = '';
  for await (const e of s) if (e.type === 'response.output_text.delta') text += e.delta;
  const first = await s.finalResponse();
  assert.equal(first.output_text, text);
  assert.match(text, /through the Worker/);
  const second = await socket.create({ model: 'gpt-5.4', input: 'second', previous_response_id: first.id, store: false });
  assert.equal(second.status, 'completed');
  const [a, b] = await Promise.all([
    socket.create({ model: 'gpt-5.4', input: 'lane a' }, { streamId: 'a' }),
    socket.create({ model: 'gpt-5.4-mini', input: 'lane b' }, { streamId: 'b' }),
  ]);
  assert.match(a.output_text, /lane a/);
  assert.match(b.output_text, /lane b/);
  const ran = keyedCalls(mock, before); // the Worker added the key the mock requires
  assert.ok(ran.length >= 4);
  assert.equal(ran.at(-3).body.previous_response_id, first.id);
});

test('the Origin is checked on the upgrade', async () => {
  await assert.rejects(open('https://evil.example'), { status: 403 });
  await assert.rejects(open(null), { status: 403 });
});

test('every response.create frame gets the checks of a POST: an error event, nothing sent upstream; the socket goes on', async (t) => {
  const ws = await open();
  t.after(() => ws.close());
  const before = mock.requests.length;
  const frames = [
    [{ type: 'response.create', model: 'gpt-4-expensive', input: 'x', stream_id: 's1' }, 'model_not_allowed', 's1'],
    [{ type: 'response.create', model: 'gpt-5.4', input: 'x', tools: [{ type: 'web_search' }] }, 'tool_not_allowed'],
    [{ type: 'response.create', model: 'gpt-5.4', input: 'x', background: true }, 'background_not_allowed'],
    [{ type: 'response.create', model: 'gpt-5.4', input: 'x', service_tier: 'priority' }, 'service_tier_not_allowed'],
    [{ type: 'response.create', model: 'gpt-5.4', input: 'x'.repeat(5000) }, 'request_too_large'],
    // too large to be read: its lane as the client library writes it, at the front
    [{ type: 'response.create', stream_id: 's2', model: 'gpt-5.4', input: 'x'.repeat(5000) }, 'request_too_large', 's2'],
    [{ type: 'response.cancel', response_id: 'r' }, 'unsupported_event'],
    // a refused steer: answered as the API answers one, so the client settles the steer
    [{ type: 'response.steer', previous_response_id: 'resp_x', input: 'y'.repeat(5000) }, 'request_too_large', undefined, 'response.steer.failed'],
    [{ type: 'response.steer', previous_response_id: 'resp_y', input: [{ type: 'message', role: 'user', content: [{ type: 'input_image', image_url: 'data:text/plain;base64,eA==' }] }] }, 'attachment_type_not_allowed', undefined, 'response.steer.failed'],
  ];
  for (const [frame] of frames) ws.send(JSON.stringify(frame));
  await until(() => ws.texts.length >= frames.length);
  const events = ws.texts.map((x) => JSON.parse(x));
  assert.deepEqual(events.map((e) => e.type), frames.map((f) => f[3] ?? 'error'));
  assert.deepEqual(events.map((e) => e.error.code), frames.map((f) => f[1]));
  assert.deepEqual(events.map((e) => e.stream_id), frames.map((f) => f[2]), 'each refusal goes to the lane of its frame');
  assert.deepEqual(events.filter((e) => e.steer).map((e) => e.steer.previous_response_id), ['resp_x', 'resp_y']);
  assert.equal(mock.requests.length, before, 'nothing reached the upstream');
  // an allowed frame still goes through on the same socket
  ws.send(JSON.stringify({ type: 'response.create', model: 'gpt-5.4-mini', input: 'allowed' }));
  await until(() => ws.texts.some((x) => JSON.parse(x).type === 'response.completed'));
  for (const x of ws.texts) assert.deepEqual(fragmentsIn(x, SECRET, 6), []);
});

test('closing one side closes the other; an idle pair is closed on both sides', async () => {
  // the upstream socket this client's pair opened (others of earlier tests may still be closing)
  const earlier = new Set(mock.sockets.connections);
  const ws = await open();
  let upstream;
  await until(() => (upstream = [...mock.sockets.connections].find((c) => !earlier.has(c))));
  ws.close(4001, 'bye');
  await until(() => !mock.sockets.connections.has(upstream));
  const idle = await open();
  const [code, reason] = await new Promise((resolve) => idle.once('close', (c, r) => resolve([c, r.toString()])));
  assert.equal(code, 1000);
  assert.equal(reason, 'idle timeout');
});

test('an upstream close reason that redaction makes longer than a close frame holds is cut, not a broken frame', async () => {
  // 120 bytes; each key-shaped `sk-proj` becomes `[redacted]`: 150 bytes, byte 123 inside an é
  const reason = `${'sk-proj '.repeat(10)}${'é'.repeat(20)}`;
  assert.equal(Buffer.byteLength(reason), 120);
  const up = await listen();
  const wss = new WebSocket.Server({ server: up.server, path: '/v1/responses' });
  wss.on('connection', (ws) => ws.on('message', () => ws.close(4000, reason)));
  const worker = await startWorker({ UPSTREAM_BASE_URL: `${up.url}/v1`, ALLOWED_MODELS: '*' }, { host: '127.0.0.1', port: 0 });
  try {
    const url = (await worker.ready).href.replace(/^http/, 'ws');
    const ws = new WebSocket(`${url}v1/responses`, { origin: ORIGIN });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    ws.on('error', () => {});
    const closed = new Promise((resolve) => ws.once('close', (code, why) => resolve([code, why.toString()])));
    ws.send(JSON.stringify({ type: 'response.create', model: 'gpt-5.4', input: 'hi' }));
    const [code, why] = await Promise.race([closed, sleep(5000).then(() => ['not closed', ''])]);
    assert.equal(code, 4000, `closed with the upstream's code (reason: ${why})`);
    assert.ok(Buffer.byteLength(why) <= 123, `${Buffer.byteLength(why)} bytes`);
    assert.ok(!why.includes('\ufffd'), 'no character cut in half');
    assert.equal(why, `${'[redacted] '.repeat(10)}${'é'.repeat(6)}`);
    ws.terminate();
  } finally {
    await worker.dispose();
    for (const c of wss.clients) c.terminate();
    wss.close();
    await up.close();
  }
});

test('Chromium: a page without a key uses client.connect() through the Worker: stream, chain, a refused model, abort', async () => {
  await using(await chromium.browser.newPage(), async (page) => {
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${pageServer.url}/pkg/package.json`);
    const inputs = ['Hello from a page via the Worker', 'turn two', 'a long answer to abort '.repeat(4), 'after the abort'];
    const r = await page.evaluate(socketTurns, { baseURL: `${base}/v1`, inputs, afterModel: 'gpt-5.4-mini', refuse: 'gpt-4-expensive' });
    assert.deepEqual(problems, []);
    checkSocketTurns(r, inputs, 'ApiError model_not_allowed');
  });
});
