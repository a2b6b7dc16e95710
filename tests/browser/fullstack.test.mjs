// Full stack in Chromium: a Node route streams with toReadableStream()/toResponse(), the page reads it with
// fromReadableStream()/fromResponse(); upstream 401/429 arrive as ApiError, an aborted fetch as AbortError.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ResponsesClient } from 'cometapi-responses';
import { has } from '../js/client-helpers.mjs';
import { listen, sleep, useChromium, useMock } from '../runtimes/lib.mjs';

const KEY = 'sk-proj-Fs7Lm2Vn9Rt4Wb8Kc1Pz6Hd3Jf5Gs0YaQe2Tu4Io6Pl8Mk0N';
const mock = useMock({ delayMs: 5 });
const chromium = useChromium();
let route;
let page;
/** What the server side saw: the error each route's stream ended with. */
const serverErrors = [];
/** Connections of the route that closed (the page left). */
const closed = [];

/** Sends a fetch Response (status, headers, streamed body) through Node's `res`; when the page leaves,
 *  the body is cancelled (which aborts the upstream request). */
async function send(res, response) {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  await pipeline(Readable.fromWeb(response.body), res).catch(() => {});
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end('<!doctype html><meta charset="utf-8"><title>full stack</title>');
  }
  if (url.pathname === '/api/chat') {
    const client = new ResponsesClient({ apiKey: KEY, baseURL: `${mock.url}/v1`, maxRetries: 0 });
    const fault = url.searchParams.get('fault');
    const stream = client.stream({ model: 'gpt-mock', input: 'Full stack in Chromium' }, fault ? { headers: { 'x-mock-fault': fault } } : {});
    res.on('close', () => closed.push(url.search));
    if (url.searchParams.get('mode') === 'response') await send(res, await stream.toResponse());
    else await send(res, new Response(stream.toReadableStream(), { headers: { 'content-type': 'text/event-stream' } }));
    // the body was sent: the stream knows how it ended
    return stream.finalResponse().catch((e) => serverErrors.push(e));
  }
  res.writeHead(404).end();
}

before(async () => {
  route = await listen((req, res) => handle(req, res).catch((e) => res.destroy(e)));
  page = await (await chromium.ready).newPage();
  await page.goto(`${route.url}/`);
});
after(() => route?.close());

/** In the page (the package from the mock's /pkg/): fetch the route, read it; `abortAfter`: abort the
 *  fetch after that many events. */
function readInPage(query, { mode = 'stream', abortAfter } = {}) {
  return page.evaluate(
    async ([query, mode, abortAfter, pkg]) => {
      const { ResponseStream } = await import(pkg);
      const ac = new AbortController();
      const res = await fetch(`/api/chat?${query}&mode=${mode}`, { signal: ac.signal });
      const stream = mode === 'response' ? ResponseStream.fromResponse(res) : ResponseStream.fromReadableStream(res.body);
      const types = [];
      try {
        for await (const e of stream) {
          types.push(e.type);
          if (types.length === abortAfter) ac.abort();
        }
        return { httpStatus: res.status, types, text: stream.response?.output_text };
      } catch (e) {
        return { httpStatus: res.status, types, error: { name: e.name, isError: e instanceof Error, status: e.status, code: e.code, type: e.type, message: e.message, requestId: e.requestId } };
      }
    },
    [query, mode, abortAfter, `${mock.url}/pkg/browser.js`],
  );
}

const fields = (e) => ({ name: e.name, status: e.status, code: e.code, type: e.type, message: e.message, requestId: e.requestId });

for (const mode of ['stream', 'response']) {
  for (const status of [401, 429]) {
    test(`an upstream ${status} reaches the page as ApiError with status, code and requestId (${mode === 'stream' ? 'toReadableStream → fromReadableStream' : 'toResponse → fromResponse'})`, async () => {
      serverErrors.length = 0;
      const r = await readInPage(`fault=status=${status}`, { mode });
      has(r, { types: [], httpStatus: mode === 'stream' ? 200 : status }, JSON.stringify(r));
      assert.equal(r.error?.name, 'ApiError', JSON.stringify(r));
      const upstream = serverErrors[0];
      assert.equal(upstream?.status, status);
      assert.match(upstream.requestId, /^req_/);
      assert.deepEqual(r.error, { ...fields(upstream), isError: true });
      assert.ok(!JSON.stringify(r).includes(KEY.slice(8, 18)));
    });
  }
}

test('a stream that goes well reads the same through the route', async () => {
  const r = await readInPage('fault=', { mode: 'response' });
  assert.equal(r.httpStatus, 200);
  assert.deepEqual([r.types[0], r.types.at(-1)], ['response.created', 'response.completed']);
  assert.ok(r.text.length > 0);
});

test('a page that aborts its fetch mid-stream gets AbortError; the route lets go of the upstream', async () => {
  closed.length = 0;
  const r = await readInPage('fault=delay=30&abort=1', { abortAfter: 3 });
  assert.equal(r.types.length, 3);
  assert.equal(r.error?.name, 'AbortError', JSON.stringify(r));
  for (let i = 0; i < 100 && !closed.includes('?fault=delay=30&abort=1&mode=stream'); i++) await sleep(50);
  assert.ok(closed.includes('?fault=delay=30&abort=1&mode=stream'), 'the route saw the page leave');
});
