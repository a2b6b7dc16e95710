// ResponsesClient: every operation of the API. The wasm core builds each request and decides
// every answer (docs/architecture.md); this file checks the JS-only arguments (functions,
// signals), hands the rest to the core as one object, and runs the calls' I/O.
import { RawClient } from './cometapi_responses.js';
import { toError, ValidationError } from './errors.js';
import { Io } from './io.js';
import { ToolRun, validated, validatorOf } from './sdk.js';
import { Files } from './files.js';
import { ResponsesSocket } from './socket.js';
import { INTERNAL, ResponseStream } from './stream.js';

const isObject = (v) => typeof v === 'object' && v !== null;

/** Wire params as JSON text (the core parses and validates them). */
function jsonParams(params, param = 'params') {
  try {
    return JSON.stringify(params ?? null);
  } catch (e) {
    throw new ValidationError(`${param} cannot be serialised to JSON: ${e.message}`, { param });
  }
}

/**
 * In a page, a relative base URL (`/v1`, your own proxy) means the page's origin, as it does for
 * `fetch`: it is resolved against the document's URL. Elsewhere it is given as is (and must be
 * absolute).
 */
function resolved(baseURL) {
  const here = globalThis.location?.href;
  if (typeof baseURL !== 'string' || typeof here !== 'string' || /^[a-z][a-z0-9+.-]*:/i.test(baseURL)) return baseURL;
  try {
    return new URL(baseURL, here).href;
  } catch {
    return baseURL;
  }
}

/** An option object as JSON text for the core (which checks its fields); `undefined` stays absent. */
function optionsJson(options, what) {
  return JSON.stringify(options, (k, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new TypeError(`${what}.${k} must be a finite number, got ${v}`);
    return v;
  });
}

/** A Headers object (or any iterable of pairs) as a plain object; plain objects as they are. */
function plainHeaders(headers) {
  if (headers !== null && typeof headers === 'object' && typeof headers.entries === 'function' && typeof headers.get === 'function') {
    return Object.fromEntries(headers.entries());
  }
  return headers;
}

function checkSignal(signal) {
  if (signal !== undefined && signal !== null && !(isObject(signal) && typeof signal.addEventListener === 'function' && 'aborted' in signal)) {
    throw new TypeError('options.signal must be an AbortSignal');
  }
  return signal ?? undefined;
}

/** Splits request options into what JS keeps (signal) and what the core reads (the rest). */
function requestOptions(opts) {
  if (opts === undefined || opts === null) return [undefined, undefined];
  if (!isObject(opts)) throw new TypeError('options must be an object');
  const signal = checkSignal(opts.signal);
  const core = optionsJson({ timeout: opts.timeout, maxRetries: opts.maxRetries, headers: plainHeaders(opts.headers) }, 'options');
  return [signal, core];
}

const call = (fn) => {
  try {
    return fn();
  } catch (e) {
    throw toError(e);
  }
};

/**
 * Runs a call whose answer is JSON; resolves with the parsed answer (`parsed`: with
 * output_parsed, for parse()). `body`: sent instead of the core's (a multipart FormData).
 */
async function json(raw, fetch, signal, parsed, body) {
  const io = new Io(raw, fetch, signal);
  io.sendBody = body;
  try {
    while ((await io.step()) !== null);
    const e = raw.error();
    if (e !== undefined) throw toError(e, { cause: io.lastError, raw });
    const outputText = raw.output_text_json;
    const answer = JSON.parse(raw.take_json());
    if (outputText !== undefined) answer.output_text = JSON.parse(outputText);
    if (parsed) answer.output_parsed = raw.output_parsed() ? JSON.parse(answer.output_text) : null;
    return answer;
  } finally {
    io.close();
    raw.free();
  }
}

/** Runs a call whose answer is the HTTP response itself (a file's content); its body is unread. */
async function httpResponse(raw, fetch, signal) {
  const io = new Io(raw, fetch, signal);
  try {
    while ((await io.step()) !== null);
    const e = raw.error();
    if (e !== undefined) throw toError(e, { cause: io.lastError, raw });
    return io.response;
  } finally {
    io.close();
    raw.free();
  }
}

/** A client of the Responses API. */
export class ResponsesClient {
  #raw;
  #fetch;
  /** The Conversations API: `create`, `retrieve`, `update`, `delete`, and `items.*`. */
  conversations;
  /** The Files API: `create`, `retrieve`, `list`, `delete`, `content`. */
  files;

  constructor(options = {}) {
    if (!isObject(options)) throw new TypeError('options must be an object');
    const { apiKey, baseURL, fetch, headers, maxRetries, timeout } = options;
    if (fetch !== undefined && fetch !== null && typeof fetch !== 'function') throw new TypeError('fetch must be a function');
    const json = optionsJson({ apiKey, baseURL: resolved(baseURL), headers: plainHeaders(headers), maxRetries, timeout }, 'options');
    this.#raw = call(() => new RawClient(json));
    // Looked up at call time on the global object of whatever runtime this is (never `window`).
    this.#fetch = fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.conversations = new Conversations(this);
    this.files = new Files(this);
  }

  /**
   * @internal Runs a call built by `build(raw, coreOptions)` that sends `body` (a FormData) and
   * answers JSON, or (`response: true`) whose answer is the HTTP response itself.
   */
  _send(build, opts, { body, response } = {}) {
    try {
      const [signal, core] = requestOptions(opts);
      const raw = call(() => build(this.#raw, core));
      return response ? httpResponse(raw, this.#fetch, signal) : json(raw, this.#fetch, signal, false, body);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** @internal Runs a JSON call built by `build(raw, coreOptions)`. */
  _json(build, opts, parsed) {
    try {
      const [signal, core] = requestOptions(opts);
      const raw = call(() => build(this.#raw, core));
      return json(raw, this.#fetch, signal, parsed);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #stream(build, opts, validate) {
    const [signal, core] = requestOptions(opts);
    const raw = call(() => build(this.#raw, core));
    return new ResponseStream(INTERNAL, raw, new Io(raw, this.#fetch, signal), validate);
  }

  /** POST /responses (non-streaming) → the Response, with `output_text` always set. */
  create(params, opts) {
    const body = jsonParams(params);
    return this._json((r, o) => r.create(body, o), opts);
  }

  /**
   * POST /responses with `stream: true` → a ResponseStream (returned at once; invalid params
   * throw). A json_schema stream has `partialParsed`, its final response `output_parsed`.
   */
  stream(params, opts) {
    const body = jsonParams(params);
    return this.#stream((r, o) => r.stream(body, o), opts, validatorOf(params));
  }

  /**
   * create() whose Response has `output_parsed`: the output text's value when `text.format` is
   * json_schema (validated by the format's `validate`, if any); null when the model refused.
   */
  async parse(params, opts) {
    const body = jsonParams(params);
    const response = await this._json((r, o) => r.parse(body, o), opts, true);
    if (response.output_parsed !== null) {
      response.output_parsed = await validated(validatorOf(params), response.output_parsed, response.output_text, 'the output');
    }
    return response;
  }

  /**
   * A tool loop: streams each response, runs its function calls (concurrently), sends the
   * results back, until a response calls no tool (or after `maxSteps` responses, or a call of a
   * tool without `execute`). Invalid params throw at once.
   */
  runTools(params, opts) {
    const socket = opts?.socket;
    if (socket instanceof ResponsesSocket) return new ToolRun(params, opts, (p, o) => socket.stream(p, { signal: o.signal }));
    return new ToolRun(params, opts, (p, o, validate) => {
      const body = jsonParams(p);
      return this.#stream((r, c) => r.stream(body, c), o, validate);
    });
  }

  /**
   * WebSocket mode: one connection to wss://…/responses (ws:// for http) for many responses →
   * a ResponsesSocket, once open. `WebSocket`: a constructor to use (e.g. the ws package's).
   */
  async connect(opts = {}) {
    if (!isObject(opts)) throw new TypeError('options must be an object');
    const { signal, timeout, WebSocket } = opts;
    checkSignal(signal);
    if (WebSocket !== undefined && typeof WebSocket !== 'function') throw new TypeError('options.WebSocket must be a constructor');
    const socket = new ResponsesSocket(INTERNAL, call(() => this.#raw.socket()), { WebSocket, timeout });
    await socket._open(signal);
    return socket;
  }

  /** GET /responses/{id} → the Response. */
  retrieve(id, opts) {
    return this._json((r, o) => r.retrieve(checkId(id), o), opts);
  }

  /**
   * GET /responses/{id}?stream=true → a ResponseStream of a background response. With
   * `startingAfter: n`, only the events after sequence number n are handed out, but the snapshot
   * (`stream.response`) is the whole response from its first event.
   */
  retrieveStream(id, opts = {}) {
    const after = opts?.startingAfter;
    if (after !== undefined && !(Number.isInteger(after) && after >= 0)) {
      throw new TypeError(`startingAfter must be a non-negative integer, got ${String(after)}`);
    }
    checkId(id);
    return this.#stream((r, o) => r.retrieve_stream(id, after, o), opts);
  }

  /** POST /responses/{id}/cancel → the Response (background responses only). */
  cancel(id, opts) {
    return this._json((r, o) => r.cancel(checkId(id), o), opts);
  }

  /** DELETE /responses/{id} → { id, object, deleted }. */
  delete(id, opts) {
    return this._json((r, o) => r.delete(checkId(id), o), opts);
  }

  /** GET /responses/{id}/input_items → { data, first_id, last_id, has_more }. */
  inputItems(id, opts = {}) {
    const query = listQuery(opts);
    return this._json((r, o) => r.input_items(checkId(id), query, o), opts);
  }

  /** POST /responses/compact → the compaction (params sent as given). */
  compact(params, opts) {
    const body = jsonParams(params);
    return this._json((r, o) => r.compact(body, o), opts);
  }

  /** POST /responses/input_tokens → { object: 'response.input_tokens', input_tokens }. */
  countInputTokens(params, opts) {
    const body = jsonParams(params);
    return this._json((r, o) => r.count_input_tokens(body, o), opts);
  }
}

/** The Conversations API of a client. */
class Conversations {
  #client;
  /** Items of a conversation: `create`, `list`, `retrieve`, `delete`. */
  items;

  constructor(client) {
    this.#client = client;
    this.items = new ConversationItems(client);
  }

  /** POST /conversations ({ items?, metadata? }). */
  create(params, opts) {
    const body = params === undefined || params === null ? undefined : jsonParams(params);
    return this.#client._json((r, o) => r.conversation_create(body, o), opts);
  }

  /** GET /conversations/{id}. */
  retrieve(id, opts) {
    return this.#client._json((r, o) => r.conversation_retrieve(checkId(id, 'a conversation id'), o), opts);
  }

  /** POST /conversations/{id} ({ metadata }). */
  update(id, params, opts) {
    const body = jsonParams(params);
    return this.#client._json((r, o) => r.conversation_update(checkId(id, 'a conversation id'), body, o), opts);
  }

  /** DELETE /conversations/{id}. */
  delete(id, opts) {
    return this.#client._json((r, o) => r.conversation_delete(checkId(id, 'a conversation id'), o), opts);
  }
}

class ConversationItems {
  #client;

  constructor(client) {
    this.#client = client;
  }

  /** POST /conversations/{id}/items ({ items }); `include` (an option) goes in the query. */
  create(id, params, opts) {
    const body = jsonParams(params);
    const include = includeOf(opts);
    return this.#client._json((r, o) => r.conversation_items_create(checkId(id, 'a conversation id'), body, include, o), opts);
  }

  /** GET /conversations/{id}/items ({ after?, limit?, order?, include? }). */
  list(id, opts = {}) {
    const query = listQuery(opts);
    return this.#client._json((r, o) => r.conversation_items_list(checkId(id, 'a conversation id'), query, o), opts);
  }

  /** GET /conversations/{id}/items/{item_id}. */
  retrieve(id, itemId, opts) {
    const include = includeOf(opts);
    return this.#client._json(
      (r, o) => r.conversation_item_retrieve(checkId(id, 'a conversation id'), checkId(itemId, 'an item id'), include, o),
      opts,
    );
  }

  /** DELETE /conversations/{id}/items/{item_id}. */
  delete(id, itemId, opts) {
    return this.#client._json(
      (r, o) => r.conversation_item_delete(checkId(id, 'a conversation id'), checkId(itemId, 'an item id'), o),
      opts,
    );
  }
}

function checkId(id, what = 'a response id') {
  if (typeof id !== 'string') throw new TypeError(`${what} must be a string, got ${typeof id}`);
  return id;
}

function includeOf(opts) {
  const include = opts?.include;
  if (include !== undefined && !(Array.isArray(include) && include.every((s) => typeof s === 'string'))) {
    throw new TypeError('include must be an array of strings');
  }
  return include;
}

function listQuery(opts) {
  const { after, limit, order } = opts ?? {};
  if (after !== undefined && typeof after !== 'string') throw new TypeError('after must be a string');
  if (order !== undefined && typeof order !== 'string') throw new TypeError('order must be a string');
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new TypeError(`limit must be a non-negative integer, got ${String(limit)}`);
  return optionsJson({ after, limit, order, include: includeOf(opts) }, 'options');
}
