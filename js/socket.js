// ResponsesSocket: WebSocket mode (docs/websocket.md). The wasm core (RawSocket) decides every
// protocol question — which frames to send and when, where each received frame goes, what a
// lost connection fails, when to reconnect, when to give up connecting; this file opens the
// connection (with one timer at the core's deadline), moves frames both ways and hands each
// response's RawCall to a ResponseStream and its Io (the same classes as over HTTP).
import { Route, SocketAction } from './cometapi_responses.js';
import { AbortError, call, ConnectionError, toError } from './errors.js';
import { addHandler, ignore, jsonText, named, onAbort, optionsOf, runHandlers, signalOf } from './shared.js';
import { validatorOf } from './structured.js';
import { headersOf, Io } from './io.js';
import { INTERNAL, ResponseStream } from './stream.js';

/** What a lane's read gives once it fed frames to the call: an empty chunk, whose feed takes their batch. */
const FED = { done: false, value: new Uint8Array(0) };
const OVER = { done: true, value: undefined };
/** A read's batch: frames of about this many characters in all. */
const BATCH_CHARS = 65536;

/**
 * The body of a response on the socket, for the Io that runs its RawCall as an HTTP call's:
 * the frames the socket routed to it, kept here until the reader takes them, then its end.
 */
class LaneBody {
  #frames = [];
  #over = false;
  #wake = null;
  #lanes;
  #id;
  #raw;
  #pump;
  constructor(lanes, id, raw, pump) {
    this.#lanes = lanes;
    this.#id = id;
    this.#raw = raw;
    this.#pump = pump;
  }
  /** The Io reads it (an Io aborted before it began never does: nothing to route). */
  getReader() {
    this.#lanes.set(this.#id, this);
    return this;
  }
  /** A frame routed to the response, or (`undefined`) its end. */
  push(frame) {
    if (frame === undefined) {
      this.#over = true;
      this.#lanes.delete(this.#id);
    } else this.#frames.push(frame);
    this.#poke();
  }
  #poke() {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
  /**
   * Feeds the call what arrived, as one batch of about an HTTP chunk's size (at least one frame:
   * what one read decodes stays in wasm memory, which never shrinks), and gives the empty chunk
   * that takes it; done at the end.
   */
  async read() {
    const frames = this.#frames;
    while (frames.length === 0 && !this.#over) await new Promise((resolve) => (this.#wake = resolve));
    if (frames.length === 0) return OVER;
    let n = 0;
    for (let size = 0; n < frames.length && size < BATCH_CHARS; n++) size += frames[n].length;
    for (const frame of frames.splice(0, n)) this.#raw.frame(frame);
    return FED;
  }
  /** The call needs no more of it (its outcome, an abort): the socket may send what waits. */
  cancel() {
    this.#lanes.delete(this.#id);
    this.#frames.length = 0;
    this.#over = true;
    this.#poke();
    this.#pump();
  }
  releaseLock() {}
}

/** Opens a WebSocket the way the runtime allows headers on the upgrade (docs/websocket.md). */
async function openWebSocket(url, headers, Ctor) {
  const hasHeaders = Object.keys(headers).length !== 0;
  if (Ctor) return hasHeaders ? new Ctor(url, { headers }) : new Ctor(url);
  // Cloudflare Workers: an upgrade through fetch, which takes headers.
  if (globalThis.navigator?.userAgent === 'Cloudflare-Workers' && typeof globalThis.fetch === 'function') {
    const res = await globalThis.fetch(url.replace(/^ws/, 'http'), { headers: { ...headers, Upgrade: 'websocket' } });
    const ws = res.webSocket;
    if (!ws) throw new ConnectionError(`the WebSocket upgrade was refused (HTTP ${res.status})`);
    ws.accept();
    return ws;
  }
  const WS = globalThis.WebSocket;
  if (typeof WS !== 'function') throw new ConnectionError('this runtime has no WebSocket: pass connect({ WebSocket }) (e.g. the ws package)');
  // Node ≥ 22 (undici), Bun and Deno take `{ headers }`; a page cannot (no key there: the relay adds it).
  return hasHeaders ? new WS(url, { headers }) : new WS(url);
}

/** One WebSocket connection to /responses for many responses (from `client.connect()`). */
export const ResponsesSocket = /* @__PURE__ */ named('ResponsesSocket', class ResponsesSocket {
  #raw;
  /** The URL the socket connects to (kept after close(), when the core's memory is gone). */
  url;
  #Ctor;
  #timeout;
  #ws = null;
  /** id → LaneBody of each response not over. */
  #lanes = new Map();
  /** id → { resolve, reject } of each steer waiting for its answer. */
  #steers = new Map();
  #handlers = new Map();
  #closing = false;
  #closed;
  #closedResolve;
  #opening = null;
  /** Ends the connection attempt in flight (close() during it): its half-open WebSocket is closed now. */
  #abandon = null;

  /** @internal From ResponsesClient.connect(). */
  constructor(token, raw, { WebSocket, timeout } = {}) {
    if (token !== INTERNAL) throw new TypeError('use ResponsesClient.connect()');
    this.#raw = raw;
    this.url = raw.url;
    this.#Ctor = WebSocket;
    this.#timeout = timeout;
    this.#closed = new Promise((resolve) => (this.#closedResolve = resolve));
  }

  /** Resolves once the socket is closed (after close()). */
  get closed() {
    return this.#closed;
  }

  /** @internal Opens the first connection (connect() resolves after it). */
  _open(signal) {
    return this.#connect(signal);
  }

  /**
   * A streamed response over the socket → a ResponseStream. `streamId`: its lane (same lane:
   * one after another, FIFO; different lanes: concurrently). Invalid params throw at once.
   */
  stream(params, opts = {}) {
    return this.#start(params, opts, true);
  }

  /** A response over the socket → the final Response. */
  async create(params, opts) {
    return this.#start(params, opts, true).finalResponse();
  }

  /** Sends the params with `generate: false` (prepares the request state); resolves with the (empty) Response once the server is done, whose id later turns can chain from. */
  async warmup(params, opts) {
    return this.#start(params, opts, false).finalResponse();
  }

  /** Adds input to the response running on the lane → 'accepted' | 'pending'; rejects with ApiError when the server refuses it. */
  steer(input, opts) {
    try {
      this.#check();
      const streamId = laneOf(opts);
      const id = call(() => this.#raw.steer(JSON.stringify(input ?? null), streamId));
      const answer = new Promise((resolve, reject) => this.#steers.set(id, { resolve, reject }));
      this.#pump();
      return answer;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `on('response', (stream) => …)`: a response the server started by itself (a steered response's successor). */
  on(type, handler) {
    addHandler(this.#handlers, type, handler);
    return this;
  }

  /** Closes the connection; responses not finished end with AbortError. Await `socket.closed`. */
  close() {
    if (this.#closing) return;
    this.#closing = true;
    const raw = this.#raw;
    raw.close();
    this.#abandon?.();
    this.#settleSteers();
    this.#deliverAll();
    const ws = this.#ws;
    this.#ws = null;
    if (ws && ws.readyState !== 3) {
      ws.addEventListener('close', () => this.#finish(), { once: true });
      try {
        ws.close(1000);
      } catch {
        this.#finish();
      }
    } else this.#finish();
  }

  #finish() {
    // Each response's RawCall keeps what it needs of the socket.
    this.#raw?.free();
    this.#raw = null;
    this.#closedResolve();
  }

  #check() {
    if (this.#closing) throw new ConnectionError('the socket is closed');
  }

  #start(params, opts, generate) {
    this.#check();
    const signal = signalOf(optionsOf(opts).signal);
    const body = jsonText(params ?? null, (message) => new TypeError(message));
    const id = call(() => this.#raw.create(body, laneOf(opts), generate));
    const stream = this.#attach(id, signal, validatorOf(params));
    this.#pump();
    return stream;
  }

  #attach(id, signal, validate) {
    const raw = this.#raw.lane(id);
    const body = new LaneBody(this.#lanes, id, raw, () => this.#pump());
    const io = new Io(raw, undefined, signal, body);
    const stream = new ResponseStream(INTERNAL, raw, io, validate);
    // The lane runs already: the signal's abort ends it from now on.
    io.listen();
    return stream;
  }

  /** Runs what the core asks until it waits for the network or the user. */
  #pump() {
    const raw = this.#raw;
    if (raw === null || this.#closing || this.#opening) return;
    for (;;) {
      switch (raw.action(Date.now())) {
        case SocketAction.Connect:
          this.#opening = this.#connect().catch(ignore);
          return;
        case SocketAction.Send: {
          let frame;
          while ((frame = raw.take_frame()) !== undefined) this.#ws.send(frame);
          break;
        }
        case SocketAction.Reconnect: {
          const ws = this.#ws;
          this.#ws = null;
          raw.dropped('closed to reconnect before the connection age limit');
          closeQuietly(ws, 1000);
          break;
        }
        default:
          return;
      }
    }
  }

  /** Opens the connection; the core says when to give up (one timer at its deadline). */
  async #connect(signal) {
    const raw = this.#raw;
    const deadline = raw.connecting(Date.now(), this.#timeout);
    let ws;
    let timer;
    let unlisten = ignore;
    try {
      ws = await openWebSocket(raw.url, headersOf(raw.headers), this.#Ctor);
      await new Promise((resolve, reject) => {
        if (ws.readyState === 1) return resolve();
        this.#abandon = () => reject(new AbortError('the socket was closed while it was connecting'));
        if (this.#closing) return this.#abandon();
        const fail = (e) => reject(new ConnectionError(e?.message ?? '')); // the runtime's reason
        ws.addEventListener('open', resolve, { once: true });
        ws.addEventListener('error', fail, { once: true });
        ws.addEventListener('close', (e) => fail({ message: `closed (code ${e.code})` }), { once: true });
        const arm = () => {
          timer = setTimeout(() => {
            const why = this.#raw?.handle_timeout(Date.now());
            if (why !== undefined) fail({ message: why });
            else if (!this.#closing) arm(); // it fired early
          }, Math.min(deadline - Date.now(), 0x7fffffff));
        };
        if (deadline !== Infinity) arm();
        unlisten = onAbort(signal, () => reject(new AbortError('connect() was aborted')));
      });
    } catch (e) {
      clearTimeout(timer);
      unlisten();
      this.#abandon = null;
      closeQuietly(ws);
      this.#opening = null;
      if (this.#raw === null) throw e;
      const said = raw.connect_failed(e?.message ?? String(e));
      this.#deliverAll();
      this.#settleSteers();
      // A fresh error either way: the runtime's message may hold what the core redacts.
      throw e instanceof AbortError ? e : new ConnectionError(said);
    }
    clearTimeout(timer);
    unlisten();
    this.#abandon = null;
    this.#opening = null;
    if (this.#closing || this.#raw === null) {
      ws.close(1000);
      return;
    }
    this.#ws = ws;
    raw.connected(Date.now());
    ws.addEventListener('message', (e) => this.#onMessage(e.data));
    ws.addEventListener('close', (e) => this.#onClose(ws, e));
    ws.addEventListener('error', ignore);
    this.#pump();
  }

  #onMessage(data) {
    const raw = this.#raw;
    if (raw === null || this.#closing) return;
    // Text frames are events; a binary frame is none (the protocol sends text).
    if (typeof data !== 'string') return;
    // Over maxEventSize in any encoding: its head routes it and fails its response (as over the
    // limit) without the whole frame being copied into wasm memory.
    const max = raw.max_frame;
    if (data.length > max) data = data.slice(0, max + 1);
    let route;
    try {
      route = raw.on_frame(data);
    } catch {
      // The frame could not be taken into wasm memory: the connection is of no further use.
      const ws = this.#ws;
      this.#onClose(ws, { code: 1009, reason: 'a frame too large to take' });
      closeQuietly(ws); // (a page may close with 1000 or 3000–4999 only: no 1009 here)
      return;
    }
    const id = raw.routed_id;
    if (route === Route.Response) this.#deliver(id, data);
    else if (route === Route.Successor) {
      const stream = this.#attach(id);
      this.#deliver(id, data);
      const list = this.#handlers.get('response');
      if (list) runHandlers(list, stream); // a handler that throws does not stop the socket
      else stream.abort();
    } else if (route === Route.Steer) this.#settleSteers();
    this.#pump();
  }

  #onClose(ws, e) {
    if (ws !== this.#ws || this.#raw === null) return;
    this.#ws = null;
    const raw = this.#raw;
    const reason = `code ${e.code}${e.reason ? ` ${e.reason}` : ''}`;
    raw.dropped(raw.redact(reason) ?? reason);
    this.#deliverAll();
    this.#settleSteers();
    this.#pump();
  }

  /** A frame routed to the response `id` (none: after a drop, a failed connect, close()); its end once the socket is done with it. */
  #deliver(id, frame) {
    const lane = this.#lanes.get(id);
    if (lane === undefined) return;
    if (frame !== undefined) lane.push(frame);
    if (this.#raw === null || this.#raw.is_done(id)) lane.push();
  }

  /** Every response being read whose socket side is over gets its end. */
  #deliverAll() {
    for (const id of [...this.#lanes.keys()]) this.#deliver(id);
  }

  #settleSteers() {
    for (const [id, p] of this.#steers) {
      let outcome;
      try {
        outcome = this.#raw === null ? null : this.#raw.steer_outcome(id);
      } catch (e) {
        this.#steers.delete(id);
        p.reject(toError(e));
        continue;
      }
      if (outcome === null) {
        this.#steers.delete(id);
        p.reject(new AbortError('the socket was closed'));
      } else if (outcome !== undefined) {
        this.#steers.delete(id);
        p.resolve(outcome);
      }
    }
  }
});

/** Closes `ws` (if any); one that is not open or closing already changes nothing. */
function closeQuietly(ws, code) {
  try {
    ws?.close(code);
  } catch {
    // not open, or closing
  }
}

function laneOf(opts) {
  const s = optionsOf(opts).streamId;
  if (s !== undefined && s !== null && typeof s !== 'string') throw new TypeError('options.streamId must be a string');
  return s ?? undefined;
}
