// Proxy /v1/* to a real Responses API (CometAPI by default), adding the API key
// server-side. What it guarantees (tests/demo/proxy-security.test.mjs):
// - the key goes only to the configured origin and below its path prefix: the target
//   is the base URL's path + a route from a fixed list (the client's endpoints), whose
//   id segments are checked and re-encoded; the built URL is checked again;
// - only an allowlist of request headers is forwarded (no cookies, no browser
//   Authorization, no x-forwarded-*, no x-mock-fault);
// - the key and every fragment of it of 10+ characters are replaced by [redacted] (the
//   package's createRedactor) in every response body (streamed ones too) and header value coming
//   back; a header whose name holds the key or such a fragment (in any case) is dropped.
// The response body is piped through as it arrives (no buffering); CORS is ours.

import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { apiError, json } from '../../mock/util.mjs';
import { writeResponse } from '../../mock/node.mjs';
import { createRedactor } from 'cometapi-responses';

/** [method, route] the client uses; `{}` is an id segment. */
/** Answer with the API's error JSON (nothing when the answer has begun). */
function sendError(res, status, body) {
  if (res.headersSent || res.destroyed) return;
  writeResponse(res, json(status, body));
}

const ROUTES = [
  ['POST', '/responses'],
  ['POST', '/responses/compact'],
  ['POST', '/responses/input_tokens'],
  ['GET', '/responses/{}'],
  ['DELETE', '/responses/{}'],
  ['POST', '/responses/{}/cancel'],
  ['GET', '/responses/{}/input_items'],
  ['POST', '/conversations'],
  ['GET', '/conversations/{}'],
  ['POST', '/conversations/{}'],
  ['DELETE', '/conversations/{}'],
  ['POST', '/conversations/{}/items'],
  ['GET', '/conversations/{}/items'],
  ['GET', '/conversations/{}/items/{}'],
  ['DELETE', '/conversations/{}/items/{}'],
  ['POST', '/files'],
  ['GET', '/files'],
  ['GET', '/files/{}'],
  ['DELETE', '/files/{}'],
  ['GET', '/files/{}/content'],
].map(([method, route]) => ({ method, segments: route.slice(1).split('/') }));

/** Ids as the API makes them (resp_…, conv_…, msg_…): no dots-only, slashes or escapes. */
const SAFE_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.~-]{0,255}$/;

/**
 * The route to forward, rebuilt from checked pieces, or null when the request is not
 * one the client makes. `rawPath` is the path after `/v1`, still percent-encoded.
 * Ids are decoded once and must be plain API ids afterwards (`%2e%2e`, `%2F`, `%5c`,
 * `..`, `\`, empty segments and double encodings all fail).
 */
export function proxyRoute(method, rawPath) {
  if (typeof rawPath !== 'string' || !rawPath.startsWith('/') || rawPath.length > 1024) return null;
  const parts = rawPath.slice(1).split('/');
  if (parts.length > 1 && parts.at(-1) === '') parts.pop(); // one trailing slash
  for (const r of ROUTES) {
    if (r.method !== method || r.segments.length !== parts.length) continue;
    const out = [];
    let ok = true;
    for (let i = 0; ok && i < parts.length; i++) {
      const want = r.segments[i];
      if (want !== '{}') {
        ok = parts[i] === want;
        out.push(want);
        continue;
      }
      let id = null;
      try { id = decodeURIComponent(parts[i]); } catch { /* not an id */ }
      ok = id !== null && SAFE_ID.test(id);
      out.push(encodeURIComponent(id));
    }
    if (ok) return `/${out.join('/')}`;
  }
  return null;
}

// Request headers forwarded upstream (everything else is dropped).
const FORWARD_REQUEST = new Set([
  'content-type', 'accept', 'idempotency-key', 'x-client-request-id', 'openai-beta',
]);
// Response headers not passed back: hop-by-hop, upstream CORS (we set our own), cookies,
// and the body's framing (we may change the body's length by redacting it).
const DROP_RESPONSE = new Set([
  'connection', 'keep-alive', 'transfer-encoding', 'proxy-authenticate', 'trailer', 'upgrade',
  'set-cookie', 'content-length', 'content-encoding',
]);

function decoderFor(encoding) {
  const e = String(encoding ?? 'identity').trim().toLowerCase();
  if (e === '' || e === 'identity') return null;
  if (e === 'gzip' || e === 'x-gzip') return zlib.createGunzip();
  if (e === 'deflate') return zlib.createInflate();
  if (e === 'br') return zlib.createBrotliDecompress();
  return undefined; // unknown: cannot be redacted, not passed on
}

/** A checked upstream base URL: http(s), no credentials, query or fragment. */
export function parseUpstream(upstream) {
  let base;
  try { base = new URL(String(upstream)); } catch { throw new Error(`invalid upstream base URL: ${upstream}`); }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`upstream base URL must be http(s): ${upstream}`);
  if (base.username || base.password || base.search || base.hash) {
    throw new Error('upstream base URL must not carry credentials, a query or a fragment');
  }
  return { origin: base.origin, prefix: base.pathname.replace(/\/+$/, ''), protocol: base.protocol };
}

/**
 * @param {{upstream: string, apiKey: string}} opts upstream base URL ending in /v1 (or similar)
 * @returns {(req, res, ctx: {path: string, search: string, body: Buffer}) => Promise<void>}
 */
export function createProxy({ upstream, apiKey }) {
  const base = parseUpstream(upstream);
  const agentOpts = { keepAlive: true };
  const agents = { 'http:': new http.Agent(agentOpts), 'https:': new https.Agent(agentOpts) };
  const redactor = createRedactor(apiKey ?? '');
  const redact = (s) => redactor.redact(s);
  // Node gives header names in lower case: a name is checked against the key in lower case too.
  const nameRedactor = createRedactor((apiKey ?? '').toLowerCase());
  /** Whether a header name holds the key or a run of it (such a header is dropped: a name is not redacted). */
  const keyInName = (name) => nameRedactor.redact(name) !== name || redact(name) !== name;

  /** The target URL, or null when it would leave the base's origin or prefix. */
  function target(route, search) {
    let url;
    try { url = new URL(`${base.origin}${base.prefix}${route}${search}`); } catch { return null; }
    if (url.origin !== base.origin || url.pathname !== `${base.prefix}${route}`) return null;
    if (url.username || url.password || url.hash) return null;
    return url;
  }

  function handle(req, res, ctx) {
    const route = proxyRoute(req.method, ctx.path);
    const url = route && target(route, ctx.search ?? '');
    if (!url) {
      sendError(res, 404, apiError(`Invalid URL (${req.method} /v1${redact(ctx.path)}): this dev server forwards only the Responses, Conversations and Files endpoints.`, { code: 'unknown_url' }));
      return Promise.resolve();
    }
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (FORWARD_REQUEST.has(k)) headers[k] = v;
    }
    headers.authorization = `Bearer ${apiKey}`;
    headers['accept-encoding'] = 'identity'; // no compression: stream events as they come
    if (ctx.body.length) headers['content-length'] = String(ctx.body.length);
    const lib = url.protocol === 'https:' ? https : http;

    return new Promise((done) => {
      const up = lib.request(url, { method: req.method, headers, agent: agents[url.protocol] }, (ur) => {
        const decoder = decoderFor(ur.headers['content-encoding']);
        if (decoder === undefined) {
          ur.destroy();
          sendError(res, 502, apiError('The upstream answered with a content encoding this dev server cannot read.', { type: 'upstream_error', code: 'bad_gateway' }));
          done();
          return;
        }
        const out = {};
        for (const [k, v] of Object.entries(ur.headers)) {
          if (!DROP_RESPONSE.has(k) && !k.startsWith('access-control-') && !keyInName(k)) {
            out[k] = Array.isArray(v) ? v.map(redact) : redact(v);
          }
        }
        // Keep our x-request-id unless upstream has one (then theirs identifies the call).
        res.writeHead(ur.statusCode ?? 502, out);
        res.flushHeaders();
        const body = decoder ? ur.pipe(decoder) : ur;
        const scrub = redactor.stream();
        const fail = () => { res.destroy(); done(); };
        body.on('data', (chunk) => {
          const clean = scrub.push(chunk);
          if (clean.length && !res.write(clean)) { body.pause(); res.once('drain', () => body.resume()); }
        });
        body.on('end', () => { res.end(scrub.end()); done(); });
        body.on('error', fail);
        ur.on('error', fail);
        ur.on('aborted', fail);
      });
      up.setNoDelay?.(true);
      up.on('error', (err) => {
        if (!res.headersSent) {
          sendError(res, 502, apiError(`Upstream request failed: ${redact(err.code ?? err.message)}`, { type: 'upstream_error', code: 'bad_gateway' }));
        } else {
          res.destroy();
        }
        done();
      });
      // The client went away: stop the upstream request too.
      res.on('close', () => { if (!res.writableFinished) up.destroy(); });
      up.end(ctx.body);
    });
  }

  handle.close = () => { agents['http:'].destroy(); agents['https:'].destroy(); };
  return handle;
}
