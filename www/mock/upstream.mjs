// Proxy /v1/* to a real Responses API (CometAPI by default), adding the API key
// server-side. The browser's Authorization (and cookies) never go upstream; the key
// never comes back, and is never logged. The response body is piped through as it
// arrives (no buffering), with its status and content type; CORS is ours.

import http from 'node:http';
import https from 'node:https';
import { apiError, sendJson } from './http.mjs';

// Request headers not forwarded: hop-by-hop, identity of the browser, and the key.
const DROP_REQUEST = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
  'authorization', 'cookie', 'origin', 'referer', 'accept-encoding', 'content-length',
  'sec-fetch-mode', 'sec-fetch-site', 'sec-fetch-dest', 'sec-fetch-user',
]);
// Response headers not passed back: hop-by-hop, upstream CORS (we set our own), cookies.
const DROP_RESPONSE = new Set([
  'connection', 'keep-alive', 'transfer-encoding', 'proxy-authenticate', 'trailer', 'upgrade',
  'set-cookie', 'content-length',
]);

/**
 * @param {{upstream: string, apiKey: string}} opts upstream base URL ending in /v1 (or similar)
 * @returns {(req, res, ctx: {path: string, search: string, body: Buffer}) => Promise<void>}
 */
export function createProxy({ upstream, apiKey }) {
  const base = new URL(upstream.replace(/\/+$/, '') + '/');
  const agentOpts = { keepAlive: true };
  const agents = { 'http:': new http.Agent(agentOpts), 'https:': new https.Agent(agentOpts) };
  const redact = (s) => String(s).split(apiKey).join('[REDACTED]');

  function handle(req, res, ctx) {
    const target = new URL(ctx.path.replace(/^\/+/, '') + (ctx.search ?? ''), base);
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (!DROP_REQUEST.has(k) && !k.startsWith('access-control-')) headers[k] = v;
    }
    headers.authorization = `Bearer ${apiKey}`;
    headers['accept-encoding'] = 'identity'; // no compression: stream events as they come
    if (ctx.body.length) headers['content-length'] = String(ctx.body.length);
    const lib = target.protocol === 'https:' ? https : http;

    return new Promise((done) => {
      const up = lib.request(target, { method: req.method, headers, agent: agents[target.protocol] }, (ur) => {
        const out = {};
        for (const [k, v] of Object.entries(ur.headers)) {
          if (!DROP_RESPONSE.has(k) && !k.startsWith('access-control-')) out[k] = v;
        }
        // Keep our x-request-id unless upstream has one (then theirs identifies the call).
        res.writeHead(ur.statusCode ?? 502, out);
        res.flushHeaders();
        ur.on('data', (chunk) => { if (!res.write(chunk)) { ur.pause(); res.once('drain', () => ur.resume()); } });
        ur.on('end', () => { res.end(); done(); });
        ur.on('error', () => { res.destroy(); done(); });
        ur.on('aborted', () => { res.destroy(); done(); });
      });
      up.setNoDelay?.(true);
      up.on('error', (err) => {
        if (!res.headersSent) {
          sendJson(res, 502, apiError(`Upstream request failed: ${redact(err.code ?? err.message)}`, { type: 'upstream_error', code: 'bad_gateway' }));
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
