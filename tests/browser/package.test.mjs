// The package in Chromium, against the mock. Full stack: a Node route streams with
// toReadableStream()/toResponse(), the page reads it with fromReadableStream()/fromResponse(); upstream
// 401/429 arrive as ApiError, an aborted fetch as AbortError. And background streams resume by
// themselves in a page too (/pkg/browser.js, served by the mock), the mock cutting the body mid-way
// or ending it early.
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

/** A page of the mock's origin: it imports the package from /pkg. */
let mockPage;
before(async () => {
  route = await listen((req, res) => handle(req, res).catch((e) => res.destroy(e)));
  page = await (await chromium.ready).newPage();
  await page.goto(`${route.url}/`);
  mockPage = await chromium.browser.newPage();
  await mockPage.goto(`${mock.url}/pkg/package.json`);
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

// ---- background streams resume

/** Runs a background stream in the page with `fault` on its first request only (resumes go out clean
 *  when `cleanResumes`, else carry the fault too). */
function run(fault, cleanResumes) {
  return mockPage.evaluate(
    async ([fault, cleanResumes]) => {
      const { ResponsesClient } = await import('/pkg/browser.js');
      const requests = [];
      const fetch = (url, init) => {
        requests.push(`${init.method} ${url}`);
        if (init.method === 'GET' && cleanResumes) {
          const headers = { ...init.headers };
          delete headers['x-mock-fault'];
          return globalThis.fetch(url, { ...init, headers });
        }
        return globalThis.fetch(url, init);
      };
      const client = new ResponsesClient({ baseURL: '/v1', maxRetries: 8, fetch });
      const stream = client.stream(
        { model: 'mock', input: 'A long background answer to resume in the browser, with many words.', background: true },
        { headers: { 'x-mock-fault': fault } },
      );
      const seqs = [];
      let text = '';
      try {
        for await (const e of stream) {
          seqs.push(e.sequence_number);
          if (e.type === 'response.output_text.delta') text += e.delta;
        }
        const final = await stream.finalResponse();
        const stored = await client.retrieve(final.id);
        return { seqs, text, final: final.output_text, stored: stored.output_text, status: final.status, requests };
      } catch (e) {
        return { error: `${e.name}: ${e.message}`, seqs, requests };
      }
    },
    [fault, cleanResumes],
  );
}

for (const [how, fault, clean] of [
  ['the connection drops mid-body (every resume is cut again)', 'disconnect-after=7', false],
  ['the body ends early, cleanly', 'no-terminal', true],
]) {
  test(`${how}: every event once, in order, the final Response complete`, async () => {
    const r = await run(fault, clean);
    assert.equal(r.error, undefined, `${r.error}\n${r.requests?.join('\n')}`);
    // consecutive sequence numbers, none twice; the final text is the streamed one, and the stored one
    has(r, { status: 'completed', seqs: r.seqs.map((_, i) => i), final: r.text, stored: r.text });
    assert.ok(r.requests.some((q) => /^GET .*\?stream=true&starting_after=\d+$/.test(q)), r.requests.join('\n'));
  });
}
