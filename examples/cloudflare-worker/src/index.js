// A Cloudflare Worker that lets browsers call the Responses API without ever seeing the API key.
//
//   POST /v1/responses   forwarded to UPSTREAM_BASE_URL with the COMETAPI_KEY secret;
//                        `stream: true` → text/event-stream, streamed through as it arrives;
//                        otherwise → the Response as JSON
//   OPTIONS              CORS preflight, answered for ALLOWED_ORIGINS only
//
// It is not an open relay: the Origin must be in ALLOWED_ORIGINS, the model in ALLOWED_MODELS,
// the body at most MAX_BODY_BYTES (checked on content-length and on the bytes actually read), and
// max_output_tokens at most MAX_OUTPUT_TOKENS when that is set. Every refusal and every failure is
// JSON in the API's own error shape, {"error":{"message","type","param","code"}}, so clients (this
// package's ApiError included) read them like the API's own errors. No request or upstream header is
// ever copied into a response, and error messages are scrubbed of anything that looks like a key.
import {
  ResponsesClient,
  ApiError,
  AbortError,
  ConnectionError,
  StreamError,
  TimeoutError,
  ValidationError,
} from 'cometapi-responses';

const ROUTE = '/v1/responses';
const DEFAULT_UPSTREAM = 'https://api.cometapi.com/v1';
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export default {
  async fetch(request, env) {
    const config = readConfig(env);
    const cors = corsHeaders(request, config);
    try {
      return await handle(request, config, cors);
    } catch (e) {
      if (e instanceof Refusal) return errorJson(e.status, e.error, cors);
      console.error('cometapi-responses worker: unexpected error:', redact(String(e?.stack ?? e), config));
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
  return {
    apiKey: env.COMETAPI_KEY || '',
    baseURL: env.UPSTREAM_BASE_URL || DEFAULT_UPSTREAM,
    anyOrigin: origins.includes('*'),
    origins: new Set(origins),
    allowNoOrigin: String(env.ALLOW_NO_ORIGIN ?? '').toLowerCase() === 'true',
    anyModel: models.includes('*'),
    models: new Set(models),
    maxBodyBytes: int(env.MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
    maxOutputTokens: int(env.MAX_OUTPUT_TOKENS, undefined),
  };
}

// ---------------------------------------------------------------- the request

async function handle(request, config, cors) {
  const { pathname } = new URL(request.url);
  if (pathname !== ROUTE) {
    throw new Refusal(404, { message: `Unknown path; this proxy serves only POST ${ROUTE}.`, type: 'invalid_request_error', code: 'not_found' });
  }
  checkOrigin(request, config);

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

  const params = parseParams(await readBody(request, config.maxBodyBytes));
  checkParams(params, config);

  const client = new ResponsesClient({ apiKey: config.apiKey, baseURL: config.baseURL });
  if (params.stream === true) return streamThrough(client, params, request.signal, config, cors);
  try {
    const response = await client.create(params, { signal: request.signal });
    return json(200, response, cors);
  } catch (e) {
    return libraryError(e, config, cors);
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
}

// ---------------------------------------------------------------- streaming

/**
 * Streams the upstream SSE through as it arrives (no buffering: each chunk is passed on as soon as
 * it is read). The first chunk is awaited before answering, so a failure before the stream starts
 * (an upstream 4xx/5xx after retries, a refused connection) is still a JSON error with its status.
 */
async function streamThrough(client, params, signal, config, cors) {
  let reader, first;
  try {
    reader = client.stream(params, { signal }).toReadableStream().getReader();
    first = await reader.read();
  } catch (e) {
    return libraryError(e, config, cors);
  }
  const encoder = new TextEncoder();
  const body = new ReadableStream(
    {
      start(controller) {
        if (first.done) controller.close();
        else controller.enqueue(first.value);
      },
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (e) {
          // The upstream stream broke after it began (an error event or response.failed the
          // upstream sent is passed on as an event, not thrown): end the body with an `error` event
          // in the API's shape, so the browser reads an ApiError rather than a cut connection.
          const { error } = describeError(e, config);
          controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify({ type: 'error', error })}\n\n`));
          controller.close();
        }
      },
      cancel(reason) {
        // the browser went away: stop reading, which aborts the upstream request
        return reader.cancel(reason);
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
  if (e instanceof ApiError) {
    const status = e.status ?? 502;
    // An upstream 401/403 is about the proxy's key: its message may quote part of it.
    const message =
      status === 401 || status === 403
        ? 'The upstream API refused the proxy\'s credentials.'
        : redact(e.message, config);
    return { status, error: { message, type: e.type ?? 'api_error', param: e.param ?? null, code: e.code ?? null } };
  }
  if (e instanceof ValidationError) {
    return { status: 400, error: { message: redact(e.message, config), type: 'invalid_request_error', param: e.param ?? null, code: 'invalid_value' } };
  }
  if (e instanceof TimeoutError) {
    return { status: 504, error: { message: 'The upstream API did not answer in time.', type: 'server_error', param: null, code: 'upstream_timeout' } };
  }
  if (e instanceof ConnectionError) {
    return { status: 502, error: { message: 'The upstream API could not be reached.', type: 'server_error', param: null, code: 'upstream_unreachable' } };
  }
  if (e instanceof StreamError) {
    return { status: 502, error: { message: `The upstream stream broke: ${redact(e.message, config)}`, type: 'server_error', param: null, code: 'upstream_stream_error' } };
  }
  if (e instanceof AbortError) {
    return { status: 499, error: { message: 'The request was aborted.', type: 'invalid_request_error', param: null, code: 'request_aborted' } };
  }
  console.error('cometapi-responses worker: unexpected error:', redact(String(e?.stack ?? e), config));
  return { status: 500, error: { message: 'Internal error in the proxy.', type: 'server_error', param: null, code: 'internal_error' } };
}

function libraryError(e, config, cors) {
  const { status, error } = describeError(e, config);
  return errorJson(status, error, cors);
}

/** Removes the configured key and anything shaped like an API key (sk-…) from a message. */
function redact(text, config) {
  let out = String(text ?? '');
  if (config.apiKey) out = out.split(config.apiKey).join('[redacted]');
  return out.replace(/\bsk-[A-Za-z0-9*._-]{4,}/g, '[redacted]');
}

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
