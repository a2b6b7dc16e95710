// What a call leaves behind once it is stopped or given up, whoever reads it: no listener on the
// caller's (long-lived) signal, no wasm memory, no open upstream connection, no locked body of the
// caller's; on('abort') handlers run when the stream is stopped, not when it is next read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { AbortError, ResponsesClient, ResponseStream, StreamError, TimeoutError, functionTool } from 'cometapi-responses';
import { enc, fails, rawServer, sleep, until } from './client-helpers.mjs';

const CREATED = 'data: {"type":"response.created","response":{"id":"r","object":"response","status":"in_progress","output":[]}}\n\n';
const DELTA = 'data: {"type":"response.output_text.delta","item_id":"m","output_index":0,"content_index":0,"delta":"x"}\n\n';

/** A server whose streams send response.created, then a delta every 10 ms until the client goes. */
async function endless(t) {
  return rawServer(async (req, res) => {
    for await (const _ of req);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(CREATED);
    const timer = setInterval(() => res.write(DELTA), 10);
    res.on('close', () => clearInterval(timer));
  }, t);
}

const listeners = (signal) => getEventListeners(signal, 'abort').length;

test('a stream stopped while nothing reads it (abort(), a relay\'s reader cancelling) ends at once: handlers, listener, connection', async (t) => {
  const srv = await endless(t);
  const client = new ResponsesClient({ apiKey: 'sk-test', baseURL: `${srv.url}/v1`, maxRetries: 0 });
  const app = new AbortController();
  const aborted = [];
  const stopped = [];
  for (const how of ['abort()', 'the relay cancelled', 'the signal']) {
    const own = new AbortController();
    const signal = how === 'the signal' ? AbortSignal.any([app.signal, own.signal]) : app.signal;
    const stream = client.stream({ model: 'm', input: 'hi' }, { signal });
    stream.on('abort', (e) => aborted.push([how, e]));
    if (how === 'the relay cancelled') {
      const reader = stream.toReadableStream().getReader();
      await reader.read();
      await reader.cancel();
    } else {
      assert.equal((await stream.next()).value.type, 'response.created');
      if (how === 'abort()') stream.abort();
      else own.abort();
    }
    stopped.push(stream);
  }
  assert.deepEqual(aborted.map(([how, e]) => [how, e instanceof AbortError]), [['abort()', true], ['the relay cancelled', true], ['the signal', true]]);
  assert.equal(listeners(app.signal), 0);
  await fails(stopped[0].next(), AbortError);
  await fails(stopped[2].finalResponse(), AbortError);
  await until(() => srv.log.every((r) => r.closed), 3000, 'every upstream connection closed');
});

test('a tool run aborted between two events, or never read, holds no listener on the caller\'s signal', async (t) => {
  const srv = await endless(t);
  const client = new ResponsesClient({ apiKey: 'sk-test', baseURL: `${srv.url}/v1`, maxRetries: 0 });
  const app = new AbortController();
  const tools = [functionTool({ name: 'f', parameters: { type: 'object' }, execute: () => 'x' })];
  for (let i = 0; i < 3; i++) client.runTools({ model: 'm', input: 'hi', tools }, { signal: app.signal });
  assert.equal(listeners(app.signal), 0, 'never read');
  const run = client.runTools({ model: 'm', input: 'hi', tools }, { signal: app.signal });
  assert.equal((await run.next()).value.type, 'response.created');
  assert.equal(listeners(app.signal), 1, 'while it runs');
  run.abort();
  assert.equal(listeners(app.signal), 0, 'aborted');
  await fails(run.next(), AbortError);
  await fails(run.finalResponse(), AbortError);
  await until(() => srv.log.every((r) => r.closed), 3000, 'the upstream connection closed');
});

test('a custom fetch that answers after the timeout (it ignores the signal): the late response\'s body is cancelled', async (t) => {
  const srv = await endless(t);
  const fetch = async (url, init) => {
    await sleep(300);
    return globalThis.fetch(url, { method: init.method, headers: init.headers, body: init.body });
  };
  const client = new ResponsesClient({ apiKey: 'sk-test', baseURL: `${srv.url}/v1`, fetch, maxRetries: 0, timeout: 100 });
  await fails(client.stream({ model: 'm', input: 'hi' }).finalResponse(), TimeoutError);
  await until(() => srv.log.length === 1 && srv.log[0].closed, 3000, 'the late response\'s connection closed');
});

test('a body of the caller\'s whose chunk is not bytes: StreamError, and the body is cancelled and handed back unlocked', async () => {
  let cancelled = false;
  const body = new ReadableStream({ start: (c) => { c.enqueue(enc(CREATED)); c.enqueue('not bytes'); }, cancel: () => { cancelled = true; } });
  await fails(ResponseStream.fromReadableStream(body).finalResponse(), StreamError);
  assert.equal(cancelled, true);
  assert.equal(body.locked, false);
});
