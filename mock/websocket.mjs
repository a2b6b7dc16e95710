// WebSocket mode of the mock (docs/websocket.md): an upgrade on `<basePath>/responses`, then
// per connection: `response.create` frames run through the mock's own POST /responses (same
// validation, model, events, faults), their SSE events sent back one JSON text frame each;
// lanes (`stream_id`: FIFO within a lane, lanes concurrent, events echo their lane),
// connection-local `previous_response_id` (store: false too), `generate: false`, steering,
// `error` events for what would be an HTTP error (e.g. previous_response_not_found), and a
// fault that drops the socket after N events. Node only (the `ws` package).
//
// Faults per response: `metadata["x-mock-fault"]` of the frame, in the grammar of the
// x-mock-fault header (mock/README.md), plus `ws-drop-after=N`: the socket is cut (no close
// frame) after N events of that response. A fault that drops an HTTP connection (`disconnect`,
// `disconnect-after=N`) cuts the socket the same way.

import { WebSocketServer } from 'ws';
import { checkKey } from './index.mjs';
import { newId, Disconnect } from './util.mjs';

const decoder = new TextDecoder();
/** Marks an error of a response body (its stream errored): the connection is dropped. */
const BODY_ERROR = Symbol('body error');
/** What a header value may hold once its ends are trimmed (Headers refuses CR, LF, NUL and characters above U+00FF). */
const HEADER_VALUE = /^[^\r\n\0\u0100-\uffff]*$/;

/**
 * Serves WebSocket mode on `server` (a node:http server running `mock`).
 * @param {import('node:http').Server} server
 * @param {ReturnType<import('./index.mjs').createMock>} mock
 * @param {{basePath?: string, requireKey?: string, listen?: boolean}} [o] listen: false leaves the
 *   server's `upgrade` event to the caller, who hands upgrades on to `upgrade(req, socket, head)`
 * @returns {{close(): void, upgrade: Function, connections: Set<import('ws').WebSocket>}}
 */
export function attachWebSocket(server, mock, { basePath = '/v1', requireKey, listen = true } = {}) {
  const path = `${basePath.replace(/\/+$/, '')}/responses`;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const connections = new Set();
  const onUpgrade = (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : String(v));
    if (checkKey(headers, requireKey)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections.add(ws);
      ws.on('close', () => connections.delete(ws));
      serve(ws, mock, { path, auth: headers.get('authorization') });
    });
  };
  if (listen) server.on('upgrade', onUpgrade);
  return {
    connections,
    upgrade: onUpgrade,
    close() {
      server.off('upgrade', onUpgrade);
      for (const ws of connections) ws.terminate();
      wss.close();
    },
  };
}

/** One connection: its lanes, its own responses, its running ones (for steering). */
function serve(ws, mock, { path, auth }) {
  const local = new Map();
  /** lane key → the promise of its last response (FIFO within a lane). */
  const lanes = new Map();
  /** response id → the run of a response on the wire (for steering). */
  const running = new Map();
  let dead = false;
  ws.on('close', () => { dead = true; for (const r of running.values()) r.stop(); });

  const send = (obj) => { if (!dead) ws.send(JSON.stringify(obj)); };

  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let frame;
    try {
      frame = JSON.parse(decoder.decode(data));
    } catch {
      send({ type: 'error', status: 400, error: { type: 'invalid_request_error', code: 'invalid_json', message: 'The frame is not valid JSON.', param: null } });
      return;
    }
    if (frame?.type === 'response.create') enqueue(frame);
    else if (frame?.type === 'response.steer') steer(frame);
    else {
      send({ type: 'error', status: 400, error: { type: 'invalid_request_error', code: 'unknown_event', message: `Unknown event type '${String(frame?.type)}'.`, param: 'type' } });
    }
  });

  /** Drop the connection: no close frame, as a cut TCP connection. */
  const drop = () => {
    dead = true;
    ws.terminate();
  };

  function enqueue(frame) {
    const lane = typeof frame.stream_id === 'string' ? frame.stream_id : '';
    const before = lanes.get(lane) ?? Promise.resolve();
    const run = before.then(() => runCreate(frame));
    lanes.set(lane, run.catch((e) => failed(e, frame.stream_id)));
  }

  /**
   * A response.create that threw: a fault that drops the connection (`disconnect`,
   * `disconnect-after=N`: a Disconnect, or the body erroring) drops this socket, as it
   * drops an HTTP connection; anything else is an `error` event on its lane, so the
   * response still ends.
   */
  function failed(e, streamId) {
    if (e instanceof Disconnect || e?.[BODY_ERROR]) {
      drop();
      return;
    }
    const ev = { type: 'error', status: 500, error: { type: 'server_error', code: 'server_error', message: `The mock failed: ${e?.message ?? e}`, param: null } };
    send(streamId === undefined ? ev : { ...ev, stream_id: streamId });
  }

  /** One response.create: POST /responses (streamed) on the mock, its events as frames. */
  async function runCreate(frame, { successorOf } = {}) {
    if (dead) return;
    const { type: _t, stream_id: streamId, ...params } = frame;
    const echo = (ev) => (streamId === undefined ? ev : { ...ev, stream_id: streamId });
    if ('stream' in params || params.background === true) {
      const param = 'stream' in params ? 'stream' : 'background';
      send(echo({ type: 'error', status: 400, error: { type: 'invalid_request_error', code: 'unsupported_parameter', message: `'${param}' is not supported over a WebSocket.`, param } }));
      return;
    }
    let fault = params.metadata?.['x-mock-fault'];
    let dropAfter = Infinity;
    // ws-drop-after=N is a directive of the list form; the JSON form is passed on whole (its
    // strings may hold commas: an HTTP date).
    if (typeof fault === 'string' && !fault.trim().startsWith('{')) {
      const parts = fault.split(/[,;]\s*/).filter((d) => {
        const m = /^ws-drop-after=(\d+)$/.exec(d.trim());
        if (m) dropAfter = Number(m[1]);
        return !m;
      });
      fault = parts.join(', ');
    }
    if (typeof fault === 'string' && !HEADER_VALUE.test(fault.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, ''))) {
      // Passed on as the x-mock-fault header: what a header cannot carry is the header's bad value.
      send(echo({ type: 'error', status: 400, error: { type: 'invalid_request_error', code: 'invalid_value', message: 'x-mock-fault: not a valid header value', param: 'x-mock-fault' } }));
      return;
    }
    const headers = { 'content-type': 'application/json' };
    if (auth) headers.authorization = auth;
    if (fault) headers['x-mock-fault'] = fault;
    const ac = new AbortController();
    const res = await mock.fetch(new Request(`http://mock${path}`, {
      method: 'POST', headers, body: JSON.stringify({ ...params, stream: true }), signal: ac.signal,
    }), { local });
    if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
      const body = await res.json().catch(() => ({}));
      send(echo({ type: 'error', status: res.status, error: body.error ?? { type: 'server_error', message: `HTTP ${res.status}` } }));
      return;
    }
    const reader = res.body.getReader();
    const run = { id: null, streamId, snapshot: null, steers: [], steered: false, stop: () => reader.cancel().catch(() => {}) };
    let sent = 0;
    let buffer = '';
    try {
      for (;;) {
        let chunk;
        try {
          chunk = await reader.read();
        } catch (e) {
          if (dead) break;
          throw Object.assign(e instanceof Error ? e : new Error(String(e)), { [BODY_ERROR]: true });
        }
        const { value, done } = chunk;
        if (done || dead) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
          const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
          if (!data || data === '[DONE]') continue;
          let ev;
          try {
            ev = JSON.parse(data);
          } catch {
            if (!dead) ws.send(data); // a malformed-json fault: sent as it is
            continue;
          }
          if (ev.response?.id && run.id === null) {
            run.id = ev.response.id;
            running.set(run.id, run);
          }
          if (ev.response) run.snapshot = ev.response;
          if (run.steered) continue;
          send(echo(ev));
          if (++sent >= dropAfter) {
            drop();
            return;
          }
        }
        if (run.steered) break;
      }
    } finally {
      running.delete(run.id);
      ac.abort();
    }
    if (run.steered && !dead) {
      // The steered response stops at this boundary; its successor continues from it with
      // the steering input, on the same lane, before the lane's next request.
      send(echo({ type: 'response.incomplete', response: { ...run.snapshot, status: 'incomplete', incomplete_details: { reason: 'steered' } } }));
      const input = run.steers.flatMap((s) => (typeof s.input === 'string' ? [{ type: 'message', role: 'user', content: s.input }] : s.input));
      const { metadata: _m, ...rest } = params;
      await runCreate({ ...rest, type: 'response.create', stream_id: streamId, input, previous_response_id: run.id }, { successorOf: run.id });
    }
    return successorOf;
  }

  function steer(frame) {
    const target = frame.previous_response_id;
    const run = typeof target === 'string' ? running.get(target) : undefined;
    const input = frame.input;
    const validInput = typeof input === 'string' || (Array.isArray(input) && input.length > 0);
    if (!run || !validInput) {
      send({
        type: 'response.steer.failed',
        steer: { previous_response_id: target, input },
        error: validInput
          ? { type: 'invalid_request_error', code: 'response_not_active', message: `No running response with id '${target}' on this connection.` }
          : { type: 'invalid_request_error', code: 'invalid_input', message: 'input must be a string or a non-empty array.' },
      });
      return;
    }
    const id = newId('steer', 24);
    run.steers.push({ id, input });
    const ev = { type: 'response.steer.accepted', steer: { id, previous_response_id: target } };
    send(run.streamId === undefined ? ev : { ...ev, stream_id: run.streamId });
    run.steered = true;
  }
}
