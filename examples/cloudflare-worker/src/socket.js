// WebSocket mode through the Worker: a browser's upgrade on /v1/responses (its Origin checked by
// index.js as for a POST) is relayed to the upstream socket, opened with
// `fetch(url, { headers: { Upgrade: 'websocket', Authorization } })` (a page cannot set that
// header). Every `response.create` frame gets the same checks as a POST body (size, inline
// attachments, model allowlist, max_output_tokens, the costly parameters); a refused frame is
// answered with an `error` event in the API's shape (echoing its `stream_id`) and never sent on.
// `response.steer` frames get the size and attachment checks (a refused one is answered with
// `response.steer.failed`); other frames and binary ones are refused. Frames from the upstream
// are passed on with the key's fragments redacted. When one side closes, the other is closed
// too; a pair with no frame either way for IDLE_TIMEOUT_MS is closed on both sides.

const DEFAULT_IDLE_MS = 5 * 60_000;
/** Codes a close frame may carry (RFC 6455 §7.4). */
const sendable = (code) => code === 1000 || (code >= 1001 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);
/** The most a close frame's reason may hold, UTF-8 bytes (RFC 6455 §5.5: 125 with the code). */
const MAX_REASON_BYTES = 123;

/**
 * `reason` cut to what a close frame can carry, never inside a character: redaction can make an
 * upstream's reason longer than it was, and a reason too long makes the close frame invalid.
 */
export function closeReason(reason) {
  const text = String(reason ?? '');
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + size > MAX_REASON_BYTES) break;
    bytes += size;
    out += ch;
  }
  return out;
}

/**
 * @param {Request} request the upgrade (origin already checked)
 * @param {object} config the Worker's config (readConfig)
 * @param {{ check(params: object, bytes: number): void, limit: number, Refusal: Function }} rules
 *   check() throws a Refusal for a body a POST would be refused for; limit: the largest body, bytes
 */
/**
 * What a frame that is not read whole (too large, or not JSON) says of itself at its front, where
 * the client library writes it: the string members that open the object, within its first KiB
 * (`type`, `stream_id`, `previous_response_id`; never a member of a nested object).
 */
function front(data) {
  const head = data.slice(0, 1024);
  const member = /\s*"([a-z_]+)"\s*:\s*("(?:[^"\\]|\\.)*")\s*,/y;
  member.lastIndex = /^\s*\{/.exec(head)?.[0].length ?? head.length;
  const found = {};
  for (let m; (m = member.exec(head)) !== null; ) {
    try {
      found[m[1]] = JSON.parse(m[2]);
    } catch {
      break;
    }
  }
  return { type: found.type, stream_id: found.stream_id, previous_response_id: found.previous_response_id };
}

export async function relaySocket(request, config, { check, limit, Refusal }) {
  const target = `${config.baseURL.replace(/\/+$/, '').replace(/^ws/, 'http')}/responses`;
  let upstreamRes;
  try {
    upstreamRes = await fetch(target, { headers: { Upgrade: 'websocket', Authorization: `Bearer ${config.apiKey}` } });
  } catch {
    throw new Refusal(502, { message: 'The upstream API could not be reached.', type: 'server_error', code: 'upstream_unreachable' });
  }
  const upstream = upstreamRes.webSocket;
  if (!upstream) {
    throw new Refusal(502, { message: `The upstream API refused the WebSocket (HTTP ${upstreamRes.status}).`, type: 'server_error', code: 'upstream_refused' });
  }
  upstream.accept();
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();

  const idleMs = Number.parseInt(String(config.idleMs ?? ''), 10) > 0 ? Number.parseInt(String(config.idleMs), 10) : DEFAULT_IDLE_MS;
  let timer;
  let ended = false;
  const end = (code, reason) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    const [c, r] = sendable(code) ? [code, closeReason(reason)] : code === 1005 ? [1000, ''] : [1011, 'the other side was lost'];
    for (const ws of [server, upstream]) {
      try {
        ws.close(c, r);
      } catch {
        // already closed
      }
    }
  };
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => end(1000, 'idle timeout'), idleMs);
  };
  touch();

  // A refused steer is answered as the API answers one (`response.steer.failed`, so that the
  // client settles that steer, not the response it targets); any other frame with an `error`.
  // Both carry the frame's `stream_id`, so that the refusal reaches the request of its lane.
  const refuse = (frame, status, error) => {
    const body = { message: error.message, type: error.type ?? 'invalid_request_error', param: error.param ?? null, code: error.code ?? null };
    const event = frame?.type === 'response.steer'
      ? { type: 'response.steer.failed', steer: { previous_response_id: frame.previous_response_id ?? null }, status, error: body }
      : { type: 'error', status, error: body };
    if (typeof frame?.stream_id === 'string') event.stream_id = frame.stream_id;
    server.send(JSON.stringify(event));
  };

  server.addEventListener('message', ({ data }) => {
    touch();
    if (typeof data !== 'string') {
      return refuse(null, 400, { message: 'Binary frames are not accepted; send JSON text frames.', code: 'invalid_frame' });
    }
    const bytes = new TextEncoder().encode(data).length;
    if (bytes > limit) {
      return refuse(front(data), 413, { message: `The frame is larger than the proxy's limit of ${limit} bytes.`, code: 'request_too_large' });
    }
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return refuse(front(data), 400, { message: 'The frame is not valid JSON.', code: 'invalid_json' });
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      return refuse(null, 400, { message: 'The frame must be a JSON object.', code: 'invalid_json' });
    }
    try {
      if (frame.type === 'response.create') check(frame, bytes);
      else if (frame.type === 'response.steer') check(frame, bytes, { steer: true });
      else return refuse(frame, 400, { message: "This proxy passes on only 'response.create' and 'response.steer' frames.", param: 'type', code: 'unsupported_event' });
    } catch (e) {
      if (e instanceof Refusal) return refuse(frame, e.status, e.error);
      return refuse(frame, 500, { message: 'The proxy could not check the frame.', type: 'server_error', code: 'proxy_error' });
    }
    // checked params may have been completed (max_output_tokens): send what was checked
    try {
      upstream.send(JSON.stringify(frame));
    } catch {
      end(1011, 'the upstream was lost');
    }
  });
  // One stream redactor for the connection: a key streamed across several deltas of an item is
  // caught as on the HTTP path (each delta's channel is its item and part).
  const redact = config.redactor.stream();
  upstream.addEventListener('message', ({ data }) => {
    touch();
    if (typeof data !== 'string') return;
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return server.send(config.redactor.text(data));
    }
    try {
      server.send(JSON.stringify(redact.event(event)));
    } catch {
      end(1011, 'the client was lost');
    }
  });
  server.addEventListener('close', ({ code, reason }) => end(code, reason));
  upstream.addEventListener('close', ({ code, reason }) => end(code, config.redactor.message(reason)));
  server.addEventListener('error', () => end(1006, ''));
  upstream.addEventListener('error', () => end(1006, ''));

  return new Response(null, { status: 101, webSocket: client });
}
