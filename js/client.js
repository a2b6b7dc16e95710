// ResponsesClient: every operation of the API, each a call of one runner (`_run`, `#stream`) with
// its name in the core's table of operations (src/endpoint/operations.rs), which builds each
// request and decides every answer (docs/architecture.md). This file checks the JS-only
// arguments (ids' types, functions, signals), hands the rest to the core as one object, and runs
// the calls' I/O. The sub-APIs (client.conversations, client.files) are made from the same table.
import { RawClient, throwsTypeErrors } from './cometapi_responses.js';
import { call, toError, ValidationError } from './errors.js';
import { eventLimit, hidden, isObject, jsonText, named, optionsOf, signalOf, unready } from './shared.js';
import { Io } from './io.js';
import { parsedText, validated, validatorOf } from './structured.js';
import { redactValue } from './redact.js';
import { ToolRun } from './tool-loop.js';
import { describe, isBlob } from './input.js';
import { ResponsesSocket } from './socket.js';
import { INTERNAL, ResponseStream } from './stream.js';

/**
 * The last client made, held weakly: a new client with the same options (a server making one
 * per request) shares its core client, which is immutable. Nothing of a client that is gone
 * (its key) stays here.
 */
let last;

/** Params as JSON text (the core parses and validates them); none is `undefined`. */
function bodyOf(params) {
  if (params === undefined || params === null) return undefined;
  return jsonText(params, (message) => new ValidationError(message, { param: 'params' }));
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
  if (isObject(headers) && typeof headers.entries === 'function' && typeof headers.get === 'function') {
    return Object.fromEntries(headers.entries());
  }
  return headers;
}

/** What JS keeps of a call's options: the signal (the options object checked). */
const callSignal = (opts) => signalOf(optionsOf(opts).signal);

/** What the core reads of a call's options (all but the signal), as JSON text. */
function coreOptions(opts) {
  if (opts === undefined || opts === null) return undefined;
  const { timeout, maxRetries, headers, after, limit, order, include, purpose, startingAfter } = opts;
  return optionsJson({ timeout, maxRetries, headers: plainHeaders(headers), after, limit, order, include, purpose, startingAfter }, 'options');
}

/** Ids go into the path as strings (the core checks their values). */
function checkIds(op, ids) {
  if (ids.length === 0) return;
  const what = { conversations: 'a conversation id', files: 'a file id' }[op.split('.')[0]] ?? 'a response id';
  ids.forEach((id, i) => {
    if (typeof id !== 'string') throw new TypeError(`${i ? 'an item id' : what} must be a string, got ${typeof id}`);
  });
}

/**
 * Gives `Class` a method per operation of the core's table whose answer is JSON, named by the
 * last part of the operation's name (`prefix` + name): `[name, ids, params]` — the ids its path
 * takes, whether params follow them — then the call's options, run by the instance's `_run`.
 */
function operations(Class, prefix, list) {
  for (const [name, ids, params] of list) {
    const op = prefix + name;
    const method = {
      [name](...a) {
        return this._run(op, Array.from({ length: ids }, (_, i) => a[i]), params ? a[ids] : undefined, a[ids + params]);
      },
    }[name];
    hidden(Class.prototype, name, method);
  }
}

/**
 * Runs a call to its end: the HTTP response of an answer that is the response itself (a file's
 * content, body unread), else the parsed JSON answer, with output_parsed when the core says it
 * has one (a parse() answer: the value of the text of the parts it names, through `validate`).
 * An error carries the answer when there is one (an output that does not parse), redacted.
 * `body`: what to send instead of the core's body: [a multipart FormData], or a promise of
 * [it as a Blob, its content type].
 */
async function json(raw, fetch, signal, body, validate) {
  const io = new Io(raw, fetch, signal);
  const redact = (t) => raw.redact(t);
  let answer;
  try {
    if (body) [io.sendBody, io.sendType] = await body;
    while ((await io.step()) !== null);
    const text = io.response === undefined ? raw.take_json() : undefined;
    if (text !== undefined) {
      answer = JSON.parse(text);
      const outputText = raw.output_text_json;
      if (outputText !== undefined) answer.output_text = JSON.parse(outputText);
    }
    const e = raw.error();
    if (e !== undefined) throw toError(e, { cause: io.lastError, raw, response: answer && redactValue(answer, redact) });
    if (io.response !== undefined) return io.response;
    const at = raw.output_parsed();
    if (at !== undefined) {
      const t = parsedText(answer, at);
      answer.output_parsed = at.length ? await validated(validate, JSON.parse(t), t, 'the output', redact, answer) : null;
    }
    return answer;
  } finally {
    io.close();
    raw.free();
  }
}

/** A multipart FormData as [its body as a Blob, its content type with the boundary]. */
async function asBlob(form) {
  const r = new Response(form);
  return [await r.blob(), r.headers.get('content-type')];
}

/** The platform's fetch, looked up at call time on the global object of whatever runtime this is (never `window`). */
const platformFetch = (url, init) => globalThis.fetch(url, init);

/** A client of the Responses API. */
export const ResponsesClient = /* @__PURE__ */ named('ResponsesClient', class ResponsesClient {
  #raw;
  #options;
  #fetch;
  /** The Conversations API: `create`, `retrieve`, `update`, `delete`, and `items.*`. */
  conversations;
  /** The Files API: `create`, `retrieve`, `list`, `delete`, `content`. */
  files;

  constructor(options) {
    unready?.();
    const { apiKey, baseURL, fetch, headers, maxRetries, timeout, maxEventSize } = optionsOf(options);
    if (fetch !== undefined && fetch !== null && typeof fetch !== 'function') throw new TypeError('fetch must be a function');
    const json = optionsJson({ apiKey, baseURL: resolved(baseURL), headers: plainHeaders(headers), maxRetries, timeout, maxEventSize: eventLimit(maxEventSize) }, 'options');
    const prev = last?.deref();
    this.#raw = prev !== undefined && prev.#options === json ? prev.#raw : call(() => new RawClient(json));
    this.#options = json;
    // Every runtime with private methods (which the package needs) has WeakRef.
    last = new WeakRef(this);
    this.#fetch = fetch ?? platformFetch;
    this.conversations = new Conversations(this);
    this.files = new Files(this);
  }

  /**
   * @internal Runs operation `op` of the core's table: a Promise of its answer (errors reject
   * it, but params JSON cannot encode, which throw). `form`: a multipart FormData to send.
   * An option of a wrong type the core finds (a TypeError) throws too where the table says so
   * (`throwsTypeErrors`); the options object, its signal and the ids reject.
   */
  _run(op, ids, params, opts, form, validate) {
    const body = bodyOf(params);
    let signal;
    try {
      signal = callSignal(opts);
      checkIds(op, ids);
    } catch (e) {
      return Promise.reject(e);
    }
    try {
      const raw = call(() => this.#raw.call(op, ids, body, coreOptions(opts)));
      // A fetch of the app's own may not read the platform's FormData (the npm undici's sends
      // "[object FormData]"): it gets the multipart body as a Blob, which every fetch sends, and
      // its content type as a header (a Blob's type is lower-cased: a browser's boundary is not).
      return json(raw, this.#fetch, signal, form && (this.#fetch !== platformFetch ? asBlob(form) : [form]), validate);
    } catch (e) {
      if (e instanceof TypeError && throwsTypeErrors(op)) throw e;
      return Promise.reject(e);
    }
  }

  /** Runs a stream operation: a ResponseStream (errors are thrown). */
  #stream(op, ids, params, opts, validate) {
    const body = bodyOf(params);
    const signal = callSignal(opts);
    const core = coreOptions(opts);
    checkIds(op, ids);
    const raw = call(() => this.#raw.call(op, ids, body, core));
    return new ResponseStream(INTERNAL, raw, new Io(raw, this.#fetch, signal), validate);
  }

  /**
   * POST /responses with `stream: true` → a ResponseStream (returned at once; invalid params
   * throw). A json_schema stream has `partialParsed`, its final response `output_parsed`.
   */
  stream(params, opts) {
    return this.#stream('stream', [], params, opts, validatorOf(params));
  }

  /**
   * create() whose Response has `output_parsed`: the output text's value when `text.format` is
   * json_schema (validated by the format's `validate`, if any); null when the model refused.
   */
  async parse(params, opts) {
    return this._run('parse', [], params, opts, undefined, validatorOf(params));
  }

  /**
   * A tool loop: streams each response, runs its function calls (concurrently), sends the
   * results back, until a response calls no tool (or after `maxSteps` responses, or a call of a
   * tool without `execute`). Invalid params throw at once.
   */
  runTools(params, opts) {
    const socket = opts?.socket;
    const raw = this.#raw;
    return new ToolRun(params, opts, socket instanceof ResponsesSocket
      ? (p, o) => socket.stream(p, { signal: o.signal })
      : (p, o, validate) => this.#stream('stream', [], p, o, validate), (t) => raw.redact(t));
  }

  /**
   * WebSocket mode: one connection to wss://…/responses (ws:// for http) for many responses →
   * a ResponsesSocket, once open. `WebSocket`: a constructor to use (e.g. the ws package's).
   */
  async connect(opts) {
    const { signal, timeout, WebSocket } = optionsOf(opts);
    signalOf(signal);
    if (WebSocket !== undefined && typeof WebSocket !== 'function') throw new TypeError('options.WebSocket must be a constructor');
    const socket = new ResponsesSocket(INTERNAL, call(() => this.#raw.socket()), { WebSocket, timeout });
    await socket._open(signal);
    return socket;
  }

  /**
   * GET /responses/{id}?stream=true → a ResponseStream of a background response. With
   * `startingAfter: n`, only the events after sequence number n are handed out, but the snapshot
   * (`stream.response`) is the whole response from its first event.
   */
  retrieveStream(id, opts) {
    return this.#stream('retrieveStream', [id], undefined, opts);
  }

  // made from the table below: create (POST /responses), retrieve (its option: include), cancel (background responses),
  // delete, inputItems (its options: after, limit, order, include), compact and countInputTokens
  // (params sent as given)
}, (C) => operations(C, '', [['create', 0, 1], ['retrieve', 1, 0], ['cancel', 1, 0], ['delete', 1, 0], ['inputItems', 1, 0], ['compact', 0, 1], ['countInputTokens', 0, 1]]));

/** A sub-API of a client (client.conversations, its items, client.files): its calls run on the client. */
class SubApi {
  #client;

  constructor(client) {
    this.#client = client;
  }

  /** @internal The client's runner. */
  _run(op, ids, params, opts, form) {
    return this.#client._run(op, ids, params, opts, form);
  }
}

/** The Conversations API of a client. */
export const Conversations = /* @__PURE__ */ named('Conversations', class Conversations extends SubApi {
  /** Items of a conversation: `create`, `list`, `retrieve`, `delete`. */
  items;

  constructor(client) {
    super(client);
    this.items = new ConversationItems(client);
  }
  // made from the table below: create ({ items?, metadata? }), retrieve, update ({ metadata }), delete
}, (C) => operations(C, 'conversations.', [['create', 0, 1], ['retrieve', 1, 0], ['update', 1, 1], ['delete', 1, 0]]));

export const ConversationItems = /* @__PURE__ */ named('ConversationItems', class ConversationItems extends SubApi {
  // made from the table below: create ({ items }; the `include` option goes in the query), list
  // (after, limit, order, include), retrieve and delete (a conversation's id, then the item's)
}, (C) => operations(C, 'conversations.items.', [['create', 1, 1], ['list', 1, 0], ['retrieve', 2, 0], ['delete', 2, 0]]));

/** `value` as multipart fields (text): an object's members as `name[key]`, an array's items as `name[]`; null and undefined are none. */
function appendField(form, name, value) {
  if (value == null) return;
  if (!isObject(value)) return form.append(name, String(value));
  for (const [k, v] of Object.entries(value)) appendField(form, `${name}[${Array.isArray(value) ? '' : k}]`, v);
}

/** The Files API of a client. */
export const Files = /* @__PURE__ */ named('Files', class Files extends SubApi {
  /**
   * POST /files (multipart/form-data) → the File object. The body is the platform's FormData,
   * which sets its own boundary and streams a Blob without copying it into wasm memory (a custom
   * fetch gets it as one Blob: see _run).
   */
  async create(params, opts) {
    if (!isObject(params)) throw new TypeError('params must be an object');
    const { purpose, file, filename, ...fields } = params;
    if (typeof purpose !== 'string') throw new TypeError('purpose must be a string');
    let blob = file;
    if (!isBlob(file)) {
      if (!(file instanceof ArrayBuffer || ArrayBuffer.isView(file))) {
        throw new ValidationError('file must be a Blob, File, ArrayBuffer or ArrayBufferView', { param: 'file' });
      }
      blob = new Blob([file]);
    } else if (!(file instanceof Blob)) {
      // A Blob of another library (fetch-blob, formdata-node): FormData takes the platform's only.
      blob = new Blob([await file.arrayBuffer()], { type: file.type });
    }
    if (filename !== undefined && typeof filename !== 'string') throw new TypeError('filename must be a string');
    // The MIME type (the Blob's, else sniffed from its first bytes) and the filename (a File's
    // name, else `filename`, else `file.<ext>`).
    const head = new Uint8Array(await blob.slice(0, 16).arrayBuffer());
    const [type, name] = describe(blob.size, { param: 'file', filename, maxBytes: Infinity }, blob.type, typeof file.name === 'string' ? file.name : undefined, head);
    const form = new FormData();
    form.append('purpose', purpose);
    // The other members (e.g. `expires_after`) go as the API reads nested fields.
    for (const [k, v] of Object.entries(fields)) appendField(form, k, v);
    form.append('file', blob.type ? blob : new Blob([blob], { type }), name);
    return this._run('files.create', [], { purpose }, opts, form);
  }
  // made from the table below: retrieve (the File object), list ({ purpose?, limit?, after?,
  // order? } → a list), delete, content (the HTTP Response, its body unread)
}, (C) => operations(C, 'files.', [['retrieve', 1, 0], ['list', 0, 0], ['delete', 1, 0], ['content', 1, 0]]));
