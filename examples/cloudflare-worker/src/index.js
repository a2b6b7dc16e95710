// A Cloudflare Worker that lets browsers call the Responses API without ever seeing the API key.
//
//   POST /v1/responses   forwarded to UPSTREAM_BASE_URL with the COMETAPI_KEY secret;
//                        `stream: true` → text/event-stream, streamed through as it arrives;
//                        otherwise → the Response as JSON
//   OPTIONS              CORS preflight, answered for ALLOWED_ORIGINS only
//   GET + Upgrade: websocket  WebSocket mode (src/socket.js): relayed to the upstream socket with
//                        the key; every response.create frame gets the checks of a POST body
//
// It is not an open relay: the Origin must be in ALLOWED_ORIGINS, the model in ALLOWED_MODELS,
// the body at most MAX_BODY_BYTES (checked on content-length and on the bytes actually read) plus
// inline attachments of allowed MIME types up to MAX_ATTACHMENT_BYTES,
// max_output_tokens at most MAX_OUTPUT_TOKENS when that is set, and the parameters that cost more
// than tokens (background, built-in tools, stored prompts, priority tiers) are refused unless allowed. Every
// refusal and every failure is JSON in the API's own error shape,
// {"error":{"message","type","param","code"}}, so clients (this package's ApiError included) read
// them like the API's own errors. A silent upstream is given up on after UPSTREAM_TIMEOUT_MS (504,
// or an `error` event once the stream has begun) and its request aborted. No request or upstream
// header is ever copied into a response, and everything passed on from the upstream (errors, events,
// Responses) is scrubbed of the key and of any 10-character fragment of it.
import {
  ResponsesClient,
  ApiError,
  AbortError,
  ConnectionError,
  StreamError,
  TimeoutError,
  ValidationError,
} from 'cometapi-responses';
import { keyRedactor } from './redact.js';
import { relaySocket } from './socket.js';

const ROUTE = '/v1/responses';
const DEFAULT_UPSTREAM = 'https://api.cometapi.com/v1';
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** The MIME types a data: URL attachment may have unless ATTACHMENT_MIME_TYPES says otherwise. */
const DEFAULT_ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'];
const DEFAULT_UPSTREAM_TIMEOUT_MS = 60_000;
/** Tool types the caller runs itself (no cost on the upstream beyond tokens): always allowed. */
const CLIENT_TOOL_TYPES = new Set(['function', 'custom']);
/** Service tiers that cost no more than the default; others need ALLOWED_SERVICE_TIERS. */
const DEFAULT_SERVICE_TIERS = ['auto', 'default', 'flex'];

export default {
  async fetch(request, env) {
    const config = readConfig(env);
    const cors = corsHeaders(request, config);
    try {
      return await handle(request, config, cors);
    } catch (e) {
      if (e instanceof Refusal) return errorJson(e.status, e.error, cors);
      console.error('cometapi-responses worker: unexpected error:', config.redactor.message(String(e?.stack ?? e)));
      return errorJson(500, { message: 'Internal error in the proxy.', type: 'server_error', code: 'internal_error' }, cors);
    }
  },
};

// ---------------------------------------------------------------- configuration

function readConfig(env) {
  const list = (value) =>
    String(value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const origins = list(env.ALLOWED_ORIGINS).map((o) => o.replace(/\/+$/, ''));
  const models = list(env.ALLOWED_MODELS);
  const int = (value, fallback) => {
    const n = Number.parseInt(String(value ?? ''), 10);
    return Number.isSafeInteger(n) && n > 0 ? n : fallback;
  };
  const flag = (value) => String(value ?? '').trim().toLowerCase() === 'true';
  const builtinTools = list(env.ALLOW_BUILTIN_TOOLS);
  const apiKey = env.COMETAPI_KEY || '';
  return {
    apiKey,
    redactor: keyRedactor(apiKey),
    baseURL: env.UPSTREAM_BASE_URL || DEFAULT_UPSTREAM,
    anyOrigin: origins.includes('*'),
    origins: new Set(origins),
    allowNoOrigin: flag(env.ALLOW_NO_ORIGIN),
    anyModel: models.includes('*'),
    models: new Set(models),
    maxBodyBytes: int(env.MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
    // Bytes of images and files sent inline (data: URLs), decoded, beyond MAX_BODY_BYTES: 0 (none) by default
    maxAttachmentBytes: int(env.MAX_ATTACHMENT_BYTES, 0),
    attachmentTypes: new Set((env.ATTACHMENT_MIME_TYPES === undefined ? DEFAULT_ATTACHMENT_TYPES : list(env.ATTACHMENT_MIME_TYPES)).map((t) => t.toLowerCase())),
    maxOutputTokens: int(env.MAX_OUTPUT_TOKENS, undefined),
    timeoutMs: int(env.UPSTREAM_TIMEOUT_MS, DEFAULT_UPSTREAM_TIMEOUT_MS),
    allowBackground: flag(env.ALLOW_BACKGROUND),
    allowPrompts: flag(env.ALLOW_PROMPTS),
    // "true" or "*": every built-in tool; else a list of tool types ("web_search,file_search")
    anyBuiltinTool: builtinTools.some((t) => t === '*' || t.toLowerCase() === 'true'),
    builtinTools: new Set(builtinTools),
    serviceTiers: new Set(env.ALLOWED_SERVICE_TIERS === undefined ? DEFAULT_SERVICE_TIERS : list(env.ALLOWED_SERVICE_TIERS)),
    // WebSocket mode: a relayed pair with no frame either way for this long is closed (default 5 min)
    idleMs: int(env.IDLE_TIMEOUT_MS, undefined),
  };
}

// ---------------------------------------------------------------- the request

async function handle(request, config, cors) {
  const { pathname } = new URL(request.url);
  if (pathname !== ROUTE) {
    throw new Refusal(404, { message: `Unknown path; this proxy serves only POST ${ROUTE}.`, type: 'invalid_request_error', code: 'not_found' });
  }
  checkOrigin(request, config);

  if (request.method === 'GET' && request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
    if (!config.apiKey) {
      throw new Refusal(500, { message: 'The proxy is not configured: the COMETAPI_KEY secret is not set.', type: 'server_error', code: 'proxy_not_configured' });
    }
    return relaySocket(request, config, {
      limit: config.maxBodyBytes + Math.ceil(config.maxAttachmentBytes / 3) * 4,
      check(frame, bytes, { steer = false } = {}) {
        checkAttachments(frame, config, bytes);
        if (!steer) checkParams(frame, config);
      },
      Refusal,
    });
  }

  if (request.method === 'OPTIONS') {
    return new Response(null, {
      status: 204,
      headers: {
        ...cors,
        'access-control-allow-methods': 'POST, OPTIONS',
        // a fixed list: request headers are never echoed back
        'access-control-allow-headers': 'content-type, accept',
        'access-control-max-age': '86400',
      },
    });
  }
  if (request.method !== 'POST') {
    throw new Refusal(405, { message: `Method ${request.method} not allowed; use POST.`, type: 'invalid_request_error', code: 'method_not_allowed' });
  }
  if (!config.apiKey) {
    throw new Refusal(500, { message: 'The proxy is not configured: the COMETAPI_KEY secret is not set.', type: 'server_error', code: 'proxy_not_configured' });
  }
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new Refusal(415, { message: 'The request body must be JSON (content-type: application/json).', type: 'invalid_request_error', code: 'unsupported_media_type' });
  }

  // Inline attachments may add their base64 (4 characters per 3 bytes) to the body's limit.
  const text = await readBody(request, config.maxBodyBytes + Math.ceil(config.maxAttachmentBytes / 3) * 4);
  const params = parseParams(text);
  checkAttachments(params, config, new TextEncoder().encode(text).length);
  checkParams(params, config);

  // `timeout` bounds each wait of one attempt (for the headers, then between two chunks of the
  // body); the deadline bounds the whole wait for the answer to start, retries included.
  const client = new ResponsesClient({ apiKey: config.apiKey, baseURL: config.baseURL, timeout: config.timeoutMs });
  const deadline = new Deadline(request.signal, config.timeoutMs);
  if (params.stream === true) return streamThrough(client, params, deadline, config, cors);
  try {
    const response = await client.create(params, { signal: deadline.signal });
    return json(200, config.redactor.value(response), cors);
  } catch (e) {
    return libraryError(deadline.explain(e), config, cors);
  } finally {
    deadline.clear();
  }
}

/**
 * An AbortSignal that follows the client's (the browser went away) and also aborts after `ms`
 * unless clear()ed first: the upstream request is then aborted, and explain() turns the
 * AbortError this causes into a TimeoutError.
 */
class Deadline {
  #controller = new AbortController();
  #expired = false;
  #timer;
  #ms;
  constructor(parent, ms) {
    this.#ms = ms;
    const follow = () => this.#controller.abort(parent.reason);
    if (parent?.aborted) follow();
    else parent?.addEventListener?.('abort', follow, { once: true });
    this.#timer = setTimeout(() => {
      this.#expired = true;
      this.#controller.abort(this.#error());
    }, ms);
  }
  get signal() {
    return this.#controller.signal;
  }
  clear() {
    clearTimeout(this.#timer);
  }
  explain(e) {
    return this.#expired && e instanceof AbortError ? this.#error() : e;
  }
  #error() {
    return new TimeoutError(`the upstream did not answer within ${this.#ms} ms`);
  }
}

function checkOrigin(request, config) {
  const origin = request.headers.get('origin');
  if (origin === null) {
    if (config.allowNoOrigin) return;
    throw new Refusal(403, { message: 'Requests without an Origin header are not accepted.', type: 'invalid_request_error', code: 'origin_required' });
  }
  if (!config.anyOrigin && !config.origins.has(origin)) {
    throw new Refusal(403, { message: 'This origin is not allowed to use the proxy.', type: 'invalid_request_error', code: 'origin_not_allowed' });
  }
}

/** The body as text, refused with 413 past `limit` bytes: declared (content-length) or actually read. */
async function readBody(request, limit) {
  const tooLarge = () =>
    new Refusal(413, { message: `The request body is larger than the proxy's limit of ${limit} bytes.`, type: 'invalid_request_error', code: 'request_too_large' });
  const declared = request.headers.get('content-length');
  if (declared !== null && !(Number(declared) <= limit)) throw tooLarge();
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Refusal(400, { message: 'The request body is not valid UTF-8.', type: 'invalid_request_error', code: 'invalid_json' });
  }
}

function parseParams(text) {
  let params;
  try {
    params = JSON.parse(text);
  } catch {
    throw new Refusal(400, { message: 'The request body is not valid JSON.', type: 'invalid_request_error', code: 'invalid_json' });
  }
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new Refusal(400, { message: 'The request body must be a JSON object.', type: 'invalid_request_error', code: 'invalid_json' });
  }
  return params;
}

/**
 * Images and files sent inline (`input_image.image_url` / `input_file.file_data` data: URLs),
 * wherever they are in `input` (message content, a function_call_output's `output` array, …):
 * each of a MIME type in ATTACHMENT_MIME_TYPES, all of them at most MAX_ATTACHMENT_BYTES decoded,
 * and the rest of the body at most MAX_BODY_BYTES. URLs and file ids carry no bytes here.
 */
function checkAttachments(params, config, bodyBytes) {
  let decoded = 0;
  let inline = 0;
  for (const [part, path] of attachmentParts(params.input)) {
    const field = part.type === 'input_image' ? 'image_url' : 'file_data';
    const url = part[field];
    if (typeof url !== 'string' || !/^data:/i.test(url)) continue;
    const param = `${path}.${field}`;
    const comma = url.indexOf(',');
    const head = url.slice(5, comma < 0 ? 0 : comma);
    const type = head.split(';')[0].trim().toLowerCase();
    if (!config.attachmentTypes.has(type)) {
      const allowed = [...config.attachmentTypes].join(', ') || 'none';
      throw new Refusal(400, { message: `Attachments of type '${type.slice(0, 100) || '(none)'}' are not allowed by this proxy (ATTACHMENT_MIME_TYPES: ${allowed}).`, type: 'invalid_request_error', param, code: 'attachment_type_not_allowed' });
    }
    const payload = url.length - comma - 1;
    inline += url.length;
    decoded += /;base64$/i.test(head) ? Math.floor((payload * 3) / 4) : payload;
    if (decoded > config.maxAttachmentBytes) {
      throw new Refusal(413, { message: `Inline attachments are larger than the proxy's limit of ${config.maxAttachmentBytes} bytes (MAX_ATTACHMENT_BYTES).`, type: 'invalid_request_error', param, code: 'attachment_too_large' });
    }
  }
  if (bodyBytes - inline > config.maxBodyBytes) {
    throw new Refusal(413, { message: `The request body is larger than the proxy's limit of ${config.maxBodyBytes} bytes.`, type: 'invalid_request_error', code: 'request_too_large' });
  }
}

/**
 * Every `input_image` / `input_file` object in `input` at any depth, in document order, with its
 * param path (`input[1].output[0]`). A loop, not recursion: a deeply nested body cannot exhaust
 * the stack.
 */
function* attachmentParts(input) {
  const stack = [[input, 'input']];
  while (stack.length) {
    const [value, path] = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    if (!Array.isArray(value) && (value.type === 'input_image' || value.type === 'input_file')) yield [value, path];
    const children = Array.isArray(value)
      ? value.map((v, i) => [v, `${path}[${i}]`])
      : Object.entries(value).map(([k, v]) => [v, `${path}.${k}`]);
    for (let i = children.length - 1; i >= 0; i--) {
      if (children[i][0] !== null && typeof children[i][0] === 'object') stack.push(children[i]);
    }
  }
}

function checkParams(params, config) {
  if (typeof params.model !== 'string' || params.model === '') {
    throw new Refusal(400, { message: "Missing required parameter: 'model'.", type: 'invalid_request_error', param: 'model', code: 'missing_required_parameter' });
  }
  if (!config.anyModel && !config.models.has(params.model)) {
    const allowed = [...config.models].join(', ') || 'none (ALLOWED_MODELS is not set)';
    throw new Refusal(400, { message: `The model '${params.model.slice(0, 100)}' is not allowed by this proxy. Allowed: ${allowed}.`, type: 'invalid_request_error', param: 'model', code: 'model_not_allowed' });
  }
  if (config.maxOutputTokens !== undefined) {
    const asked = params.max_output_tokens;
    if (asked === undefined || asked === null) {
      params.max_output_tokens = config.maxOutputTokens;
    } else if (typeof asked !== 'number' || asked > config.maxOutputTokens) {
      throw new Refusal(400, { message: `max_output_tokens may be at most ${config.maxOutputTokens} on this proxy.`, type: 'invalid_request_error', param: 'max_output_tokens', code: 'max_output_tokens_not_allowed' });
    }
  }
  checkCostParams(params, config);
}

/**
 * The parameters that cost more than the tokens of one answer, refused unless configured:
 * `background` (runs on, and is stored, after the client has gone), built-in tools (web or file
 * search, code interpreter, image generation, MCP, computer use…: billed per call or per session,
 * and some reach other servers), stored `prompt`s (they may bring their own tools), and service
 * tiers that cost more than the default (`priority`).
 */
function checkCostParams(params, config) {
  const refuse = (param, code, message) => {
    throw new Refusal(400, { message, type: 'invalid_request_error', param, code });
  };
  const present = (v) => v !== undefined && v !== null;
  if (present(params.background) && params.background !== false && !config.allowBackground) {
    refuse('background', 'background_not_allowed', 'Background responses are not allowed by this proxy (ALLOW_BACKGROUND).');
  }
  if (present(params.prompt) && !config.allowPrompts) {
    refuse('prompt', 'prompt_not_allowed', 'Stored prompts are not allowed by this proxy (ALLOW_PROMPTS).');
  }
  const toolAllowed = (type) => CLIENT_TOOL_TYPES.has(type) || config.anyBuiltinTool || config.builtinTools.has(type);
  if (present(params.tools)) {
    if (!Array.isArray(params.tools)) refuse('tools', 'invalid_value', "'tools' must be an array.");
    params.tools.forEach((tool, i) => {
      const type = isObject(tool) ? tool.type : undefined;
      if (typeof type !== 'string') refuse(`tools[${i}].type`, 'invalid_value', `tools[${i}] has no type.`);
      if (!toolAllowed(type)) {
        refuse(`tools[${i}].type`, 'tool_not_allowed', `The built-in tool '${type.slice(0, 100)}' is not allowed by this proxy (ALLOW_BUILTIN_TOOLS); function and custom tools are.`);
      }
    });
  }
  const choice = params.tool_choice;
  if (isObject(choice) && typeof choice.type === 'string' && choice.type !== 'allowed_tools' && !toolAllowed(choice.type)) {
    refuse('tool_choice', 'tool_not_allowed', `The built-in tool '${choice.type.slice(0, 100)}' is not allowed by this proxy (ALLOW_BUILTIN_TOOLS).`);
  }
  if (present(params.service_tier) && !config.serviceTiers.has(params.service_tier)) {
    const allowed = [...config.serviceTiers].join(', ') || 'none';
    refuse('service_tier', 'service_tier_not_allowed', `This service tier is not allowed by this proxy (ALLOWED_SERVICE_TIERS: ${allowed}).`);
  }
}

// ---------------------------------------------------------------- streaming

/**
 * Streams the upstream's events through as they arrive (no buffering: each event is passed on as
 * soon as it is read), each one redacted. The first event is awaited before answering, so a failure
 * before the stream starts (an upstream 4xx/5xx after retries, a refused connection, no answer
 * within the deadline) is still a JSON error with its status.
 */
async function streamThrough(client, params, deadline, config, cors) {
  const encoder = new TextEncoder();
  const redact = config.redactor.stream();
  const frame = (event) => {
    const data = redact.event(event);
    // A type that would end the `event:` line (CR, LF) is not written there: no frame of the
    // upstream's making.
    const type = typeof data.type === 'string' && !/[\r\n]/.test(data.type) ? data.type : 'message';
    return encoder.encode(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  /** The next frame to send, or null at the end; an error the stream ends with becomes an error event. */
  const next = async (stream) => {
    try {
      const { done, value } = await stream.next();
      return done ? null : { frame: frame(value) };
    } catch (e) {
      // An in-stream failure (an `error` event, response.failed) is passed on as the upstream sent it.
      if (e instanceof ApiError && e.status === undefined && isObject(e.body) && typeof e.body.type === 'string') {
        return { frame: frame(e.body), last: true };
      }
      return { error: e };
    }
  };

  let stream, first;
  try {
    stream = client.stream(params, { signal: deadline.signal });
    first = await next(stream);
  } catch (e) {
    first = { error: e };
  } finally {
    deadline.clear();
  }
  if (first?.error) return libraryError(deadline.explain(first.error), config, cors);

  let ended = false;
  const body = new ReadableStream(
    {
      start(controller) {
        if (first === null) {
          ended = true;
          controller.close();
          return;
        }
        controller.enqueue(first.frame);
        if (first.last) {
          ended = true;
          controller.close();
        }
      },
      async pull(controller) {
        if (ended) return;
        const got = await next(stream);
        if (got === null) {
          ended = true;
          controller.close();
          return;
        }
        if (got.error) {
          // The stream broke after it began (cut, malformed, or silent past UPSTREAM_TIMEOUT_MS):
          // end the body with an `error` event in the API's shape, so the browser reads an
          // ApiError rather than a cut connection; the upstream request is aborted.
          stream.abort();
          const { error } = describeError(got.error, config);
          controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify({ type: 'error', error })}\n\n`));
        } else {
          controller.enqueue(got.frame);
          if (!got.last) return;
        }
        ended = true;
        controller.close();
      },
      cancel() {
        // the browser went away: abort the upstream request
        stream.abort();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    status: 200,
    headers: {
      ...cors,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-content-type-options': 'nosniff',
    },
  });
}

// ---------------------------------------------------------------- errors and responses

class Refusal extends Error {
  constructor(status, error) {
    super(error.message);
    this.status = status;
    this.error = error;
  }
}

/** A library error → status + the API's error object, with nothing secret in it. */
function describeError(e, config) {
  const { redactor } = config;
  if (e instanceof ApiError) {
    const status = e.status ?? 502;
    // An upstream 401/403 is about the proxy's key: its message may quote part of it.
    const message =
      status === 401 || status === 403
        ? 'The upstream API refused the proxy\'s credentials.'
        : redactor.message(e.message);
    const field = (v) => (typeof v === 'string' ? redactor.message(v) : null);
    return { status, error: { message, type: field(e.type) ?? 'api_error', param: field(e.param), code: field(e.code) } };
  }
  if (e instanceof ValidationError) {
    return { status: 400, error: { message: redactor.message(e.message), type: 'invalid_request_error', param: e.param ?? null, code: 'invalid_value' } };
  }
  if (e instanceof TimeoutError) {
    return { status: 504, error: { message: 'The upstream API did not answer in time.', type: 'server_error', param: null, code: 'upstream_timeout' } };
  }
  if (e instanceof ConnectionError) {
    return { status: 502, error: { message: 'The upstream API could not be reached.', type: 'server_error', param: null, code: 'upstream_unreachable' } };
  }
  if (e instanceof StreamError) {
    return { status: 502, error: { message: `The upstream stream broke: ${redactor.message(e.message)}`, type: 'server_error', param: null, code: 'upstream_stream_error' } };
  }
  if (e instanceof AbortError) {
    return { status: 499, error: { message: 'The request was aborted.', type: 'invalid_request_error', param: null, code: 'request_aborted' } };
  }
  console.error('cometapi-responses worker: unexpected error:', config.redactor.message(String(e?.stack ?? e)));
  return { status: 500, error: { message: 'Internal error in the proxy.', type: 'server_error', param: null, code: 'internal_error' } };
}

function libraryError(e, config, cors) {
  const { status, error } = describeError(e, config);
  return errorJson(status, error, cors);
}

const isObject = (v) => typeof v === 'object' && v !== null;

function corsHeaders(request, config) {
  const origin = request.headers.get('origin');
  if (origin === null || !(config.anyOrigin || config.origins.has(origin))) return { vary: 'Origin' };
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

function errorJson(status, { message, type = 'invalid_request_error', param = null, code = null }, cors) {
  return json(status, { error: { message, type, param, code } }, cors);
}

function json(status, body, cors) {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      ...cors,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
