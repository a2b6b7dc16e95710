// Shared helpers of the client-*.test.mjs files (not a test file itself).
import http from 'node:http';
import { ResponsesClient } from 'cometapi-responses';
import { startServer } from '../../www/server.mjs';

/** A distinctive API key: no error may ever contain it. */
export const KEY = 'sk-SECRET-123';

/** The mock backend on 127.0.0.1 (fast by default). */
export function startMock(opts = {}) {
  return startServer({ port: 0, delayMs: 1, quiet: true, ...opts });
}

/** A client of `srv` (no retries unless asked). */
export function clientFor(srv, opts = {}) {
  return new ResponsesClient({ apiKey: KEY, baseURL: `${srv.url}/v1`, maxRetries: 0, ...opts });
}

/** Per-request options carrying an `x-mock-fault` header. */
export const fault = (value, extra = {}) => ({ ...extra, headers: { 'x-mock-fault': value, ...(extra.headers ?? {}) } });

/** Reads a stream to its end: the events yielded, and the error thrown (if any). */
export async function collect(stream) {
  const events = [];
  try {
    for await (const ev of stream) events.push(ev);
  } catch (error) {
    return { events, error };
  }
  return { events, error: null };
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** The concatenated `response.output_text.delta` deltas. */
export const deltaText = (events) =>
  events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');

/** A ReadableStream<Uint8Array> of the given chunks (strings are UTF-8 encoded). */
export function bodyOf(chunks) {
  const enc = new TextEncoder();
  const list = (Array.isArray(chunks) ? chunks : [chunks]).map((c) => (typeof c === 'string' ? enc.encode(c) : c));
  return new ReadableStream({
    pull(controller) {
      if (list.length) controller.enqueue(list.shift());
      else controller.close();
    },
  });
}

/** One SSE frame. */
export const frame = (data, type = data.type) => `event: ${type}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** A minimal, complete Responses stream as SSE text (text split into `deltas`). */
export function syntheticStream(deltas = ['Hel', 'lo ', 'wörld 🙂'], { id = 'resp_test', terminal = true } = {}) {
  const base = { id, object: 'response', created_at: 1, status: 'in_progress', model: 'm', output: [], error: null, incomplete_details: null };
  const text = deltas.join('');
  const item = { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
  const part = { type: 'output_text', text: '', annotations: [] };
  let seq = 0;
  const ev = (type, fields) => ({ type, sequence_number: seq++, ...fields });
  const events = [
    ev('response.created', { response: base }),
    ev('response.in_progress', { response: base }),
    ev('response.output_item.added', { output_index: 0, item }),
    ev('response.content_part.added', { item_id: 'msg_1', output_index: 0, content_index: 0, part }),
    ...deltas.map((delta) => ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta })),
    ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text }),
    ev('response.content_part.done', { item_id: 'msg_1', output_index: 0, content_index: 0, part: { ...part, text } }),
    ev('response.output_item.done', { output_index: 0, item: { ...item, status: 'completed', content: [{ ...part, text }] } }),
  ];
  if (terminal) {
    events.push(ev('response.completed', {
      response: { ...base, status: 'completed', output: [{ ...item, status: 'completed', content: [{ ...part, text }] }] },
    }));
  }
  return { events, text, sse: events.map((e) => frame(e)).join('') };
}

/**
 * A raw HTTP server on 127.0.0.1 for behaviours the mock cannot show. `handler(req, res, log)`;
 * `log` records every request and when its connection closed.
 */
export async function rawServer(handler) {
  const log = [];
  const server = http.createServer((req, res) => {
    const entry = { method: req.method, url: req.url, headers: req.headers, closed: false, closedAt: null };
    log.push(entry);
    let resolveClosed;
    entry.closedPromise = new Promise((r) => (resolveClosed = r));
    res.on('close', () => {
      entry.closed = true;
      entry.closedAt = Date.now();
      resolveClosed();
    });
    handler(req, res, entry);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    close: () => new Promise((done) => { server.close(() => done()); server.closeAllConnections(); }),
  };
}

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond()` is true (polling), or fails after `ms`. */
export async function until(cond, ms = 3000, what = 'condition') {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
