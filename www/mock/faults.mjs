// Faults on demand, for tests and demos of error handling. Off unless asked.
//
// ── Syntax ───────────────────────────────────────────────────────────────────
// Request header `x-mock-fault`: directives separated by `,` or `;`, each `name` or
// `name=value`, e.g.
//     x-mock-fault: status=429, retry-after=1
//     x-mock-fault: status=500;retry-after-ms=50;fail-first=2
//     x-mock-fault: split=1, eol=crlf, multibyte
// or the same as a JSON object: `{"status":500,"fail-first":2,"split":"random"}`.
// Unknown directives or bad values answer 400 (param "x-mock-fault"), so typos show.
// Numbers are decimal integers; every MS is at most 2147483647 (what a timer can wait),
// BYTES at most 64 MiB; larger values are refused, never clamped.
//
// Before the answer (every /v1 route):
//   status=CODE          answer CODE with the API's error JSON (type/code fit the status)
//   retry-after=V        with a failure: `retry-after: V` header (seconds, or an HTTP date)
//   retry-after-ms=MS    with a failure: `retry-after-ms: MS` header
//   x-should-retry=B     with a failure: `x-should-retry: true|false` header
//   fail-first=K         only the first K attempts fail (status default 500), later
//                        ones succeed. Attempts are counted per `x-mock-fault-key`
//                        header, else per fault string. Every response carries
//                        `x-mock-attempt: n`; `server.requests` logs each attempt.
//   stall-headers=MS     wait MS before sending the status line and headers
//   disconnect           destroy the socket without answering (JSON or SSE)
// The model (POST /v1/responses):
//   failed               stream half the answer, then end with `response.failed`
//   error-event[=MODE]   after response.in_progress, an `error` event, nested
//                        `{"type":"error","error":{…}}`; MODE `stop` (default: body
//                        ends), `failed` (then response.failed), `flat` (flat payload)
//   incomplete           stop halfway: `response.incomplete` (max_output_tokens)
//   oversized=BYTES      one text delta of BYTES bytes (kept in the final text)
//   multibyte            text full of CJK and emoji (so splits hit multi-byte chars)
//   delay=MS             delay between events for this request
// The SSE bytes (create with stream:true, and retrieve with stream=true):
//   disconnect-after=N   destroy the socket after N events (0: right after headers)
//   stall-after=N:MS     pause MS after N events
//   split=1|N|random     write each event in N-byte pieces (random: 1–24 bytes),
//                        each piece its own chunk: setImmediate between pieces, and a
//                        1 ms timer where a piece ends inside a UTF-8 character or
//                        right after a CR (so the halves arrive as separate chunks)
//   split-delay=MS       wait MS between all pieces instead
//   seed=N               seed for split=random (default 1)
//   eol=crlf|cr|lf       line ends
//   data-only            no `event:` lines, and `data: [DONE]` at the end
//   keepalive            `: ping` comments and `event: keepalive` events between
//                        events (sequence numbers then count the keepalives too)
//   malformed-json=N     event N (0-based, as written) gets broken JSON data
//   no-terminal          leave out response.completed/failed/incomplete, end cleanly
// ─────────────────────────────────────────────────────────────────────────────

import { apiError, errorForStatus, sendJson, sleep, closeSignal, MAX_TIMER_MS } from './http.mjs';

const INT = /^\d+$/;
/** Longest wait a timer can do (setTimeout turns more into 1 ms): larger is refused. */
export const MAX_MS = MAX_TIMER_MS;
/** Largest `oversized` delta: a fault must not take the server's memory. */
const MAX_OVERSIZED = 64 * 1024 * 1024;
// A Map, not an object: `constructor`, `toString`, `__proto__` are not directives.
const SPEC = new Map(Object.entries({
  status: (v) => INT.test(v) && +v >= 100 && +v <= 599 ? +v : bad(),
  'retry-after': (v) => (v === true ? bad() : String(v)),
  'retry-after-ms': (v) => String(ms(v)),
  'x-should-retry': (v) => (v === 'true' || v === 'false' ? v : bad()),
  'fail-first': int,
  'stall-headers': ms,
  disconnect: flag,
  failed: flag,
  'error-event': (v) => (v === true ? 'stop' : ['stop', 'failed', 'flat'].includes(v) ? v : bad()),
  incomplete: flag,
  oversized: (v) => (int(v) <= MAX_OVERSIZED ? +v : bad(`at most ${MAX_OVERSIZED} bytes`)),
  multibyte: flag,
  delay: ms,
  'disconnect-after': int,
  'stall-after': (v) => {
    const m = /^(\d+):(\d+)$/.exec(String(v));
    return m ? { n: int(m[1]), ms: ms(m[2]) } : bad();
  },
  split: (v) => (v === 'random' ? 'random' : int(v) > 0 ? +v : bad()),
  'split-delay': ms,
  seed: int,
  eol: (v) => new Map([['crlf', '\r\n'], ['cr', '\r'], ['lf', '\n']]).get(v) ?? bad(),
  'data-only': flag,
  keepalive: flag,
  'malformed-json': int,
  'no-terminal': flag,
}));

function bad(why) { throw new Error(why ?? 'bad value'); }
function int(v) {
  if (!INT.test(String(v))) bad();
  const n = +v;
  return Number.isSafeInteger(n) ? n : bad(`at most ${Number.MAX_SAFE_INTEGER}`);
}
function ms(v) { return int(v) <= MAX_MS ? +v : bad(`at most ${MAX_MS} ms`); }
function flag(v) { return v === true || v === 'true' || v === '1' ? true : bad(); }

const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/**
 * Parse the `x-mock-fault` header.
 * @returns {{faults: object|null, error?: string}} faults keyed in camelCase; null when absent
 */
export function parseFaults(header) {
  if (header == null || String(header).trim() === '') return { faults: null };
  const raw = String(header).trim();
  let pairs;
  if (raw.startsWith('{')) {
    try {
      pairs = Object.entries(JSON.parse(raw)).map(([k, v]) => [k, v === true ? true : String(v)]);
    } catch {
      return { faults: null, error: 'x-mock-fault: invalid JSON' };
    }
  } else {
    pairs = raw.split(/[,;]/).map((s) => s.trim()).filter(Boolean).map((d) => {
      const i = d.indexOf('=');
      return i < 0 ? [d.toLowerCase(), true] : [d.slice(0, i).trim().toLowerCase(), d.slice(i + 1).trim()];
    });
  }
  const faults = { raw };
  for (const [name, value] of pairs) {
    const parse = SPEC.get(name);
    if (!parse) return { faults: null, error: `x-mock-fault: unknown directive '${name}'` };
    try {
      faults[camel(name)] = parse(value);
    } catch (e) {
      const why = e.message === 'bad value' ? '' : ` (${e.message})`;
      return { faults: null, error: `x-mock-fault: bad value for '${name}'${why}` };
    }
  }
  if (faults.failFirst != null && faults.status == null) faults.status = 500;
  return { faults };
}

/** Counts attempts per fault key (x-mock-fault-key header, else the fault string). */
export class AttemptCounter {
  constructor() { this.counts = new Map(); }
  next(key) {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n;
  }
  get(key) { return this.counts.get(key) ?? 0; }
}

/**
 * Apply the faults that act before the answer. Returns true when the request was
 * answered (or dropped) here; sets `x-mock-attempt` on `res` either way.
 */
export async function applyPreFaults(req, res, faults, attempts) {
  if (!faults) return false;
  const key = req.headers['x-mock-fault-key'] ?? faults.raw;
  const attempt = attempts.next(key);
  faults.attempt = attempt;
  res.setHeader('x-mock-attempt', String(attempt));
  if (faults.stallHeaders) {
    try {
      await sleep(faults.stallHeaders, closeSignal(res));
    } catch {
      return true; // the client or the server went away meanwhile
    }
  }
  const failing = faults.status != null && faults.status >= 400 &&
    (faults.failFirst == null || attempt <= faults.failFirst);
  if (failing) {
    const headers = {};
    if (faults.retryAfter != null) headers['retry-after'] = faults.retryAfter;
    if (faults.retryAfterMs != null) headers['retry-after-ms'] = faults.retryAfterMs;
    if (faults.xShouldRetry != null) headers['x-should-retry'] = faults.xShouldRetry;
    const body = errorForStatus(faults.status, `Mock fault: HTTP ${faults.status} on attempt ${attempt} (x-mock-fault: ${faults.raw}).`);
    sendJson(res, faults.status, body, headers);
    return true;
  }
  if (faults.disconnect) {
    req.socket.destroy();
    return true;
  }
  return false;
}

/** The 400 answer for an unparsable fault header. */
export function sendFaultHeaderError(res, message) {
  sendJson(res, 400, apiError(message, { param: 'x-mock-fault', code: 'invalid_value' }));
}
