// Faults on demand (request header `x-mock-fault`), for tests and demos of error
// handling. Off unless asked. The grammar, every directive and its effect: mock/README.md
// ("Faults"). Here: the parser (a Map of directive → value parser: no inherited names)
// and the faults that act before the answer.

import { apiError, errorForStatus, json, sleep, Disconnect, MAX_TIMER_MS } from './util.mjs';

const INT = /^\d+$/;
/** A header value the mock sends as given: printable ASCII, not blank. */
const PRINTABLE = /^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$/;
/** `replay-seq` kinds: how the replayed event's `sequence_number` is spelled (N: starting_after). */
const REPLAY_SEQ = new Set(['missing', 'negative', 'fraction', 'string', 'huge', 'same']);
/** Longest wait a timer can do (setTimeout turns more into 1 ms): larger is refused. */
export const MAX_MS = MAX_TIMER_MS;
/** Largest `oversized` delta: a fault must not take the server's memory. */
const MAX_OVERSIZED = 64 * 1024 * 1024;
// A Map, not an object: `constructor`, `toString`, `__proto__` are not directives.
const SPEC = new Map(Object.entries({
  // An error status: a fault that answers, so 400–599 (a 2xx/3xx would be no fault).
  status: (v) => INT.test(v) && +v >= 400 && +v <= 599 ? +v : bad('an HTTP error status, 400 to 599'),
  // Sent as a header: anything else could split the answer's headers or be no header value.
  'retry-after': (v) => (typeof v === 'string' && PRINTABLE.test(v) ? v : bad('printable ASCII')),
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
  'replay-seq': (v) => (REPLAY_SEQ.has(v) ? v : bad(`one of ${[...REPLAY_SEQ].join(', ')}`)),
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

/**
 * Counts the attempts of one request: per `x-mock-fault-key` header when given, else per
 * fault string + method + path + body (a client's retries resend the same request; another
 * request starts at attempt 1). A key unused for `idleMs` starts over.
 */
export class AttemptCounter {
  constructor({ max = 10000, idleMs = 60000 } = {}) {
    this.max = max;
    this.idleMs = idleMs;
    this.counts = new Map(); // key → {n, at}
  }

  next(key, now = Date.now()) {
    const seen = this.counts.get(key);
    const n = seen && now - seen.at <= this.idleMs ? seen.n + 1 : 1;
    this.counts.delete(key); // re-inserted last: the oldest keys go first when full
    this.counts.set(key, { n, at: now });
    if (this.counts.size > this.max) this.counts.delete(this.counts.keys().next().value);
    return n;
  }

  get(key) { return this.counts.get(key)?.n ?? 0; }
}

/** FNV-1a of the body bytes: which request this is, cheaply. */
function digest(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < (bytes?.length ?? 0); i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h.toString(16);
}

/** The attempt key of a request (see AttemptCounter). */
export function attemptKey(headers, faults, { method, path, body }) {
  return headers.get('x-mock-fault-key') ?? `${faults.raw}\n${method} ${path}\n${body?.length ?? 0}:${digest(body)}`;
}

/**
 * Apply the faults that act before the answer.
 * @param {Headers} headers the request's
 * @param {object|null} faults
 * @param {AttemptCounter} attempts
 * @param {{signal?: AbortSignal, extra: object, method: string, path: string, body: Uint8Array}} ctx
 *   `extra` gets `x-mock-attempt` (for every answer)
 * @returns {Promise<Response|null>} the answer when a fault gives it; rejects with
 *   Disconnect when a fault drops the connection (or the client left during a stall)
 */
export async function applyPreFaults(headers, faults, attempts, ctx) {
  if (!faults) return null;
  const { signal, extra } = ctx;
  const attempt = attempts.next(attemptKey(headers, faults, ctx));
  faults.attempt = attempt;
  extra['x-mock-attempt'] = String(attempt);
  if (faults.stallHeaders) {
    try {
      await sleep(faults.stallHeaders, signal);
    } catch {
      throw new Disconnect('the client or the server went away during stall-headers');
    }
  }
  const failing = faults.status != null &&
    (faults.failFirst == null || attempt <= faults.failFirst);
  if (failing) {
    const h = { ...extra };
    if (faults.retryAfter != null) h['retry-after'] = faults.retryAfter;
    if (faults.retryAfterMs != null) h['retry-after-ms'] = faults.retryAfterMs;
    if (faults.xShouldRetry != null) h['x-should-retry'] = faults.xShouldRetry;
    const body = errorForStatus(faults.status, `Mock fault: HTTP ${faults.status} on attempt ${attempt} (x-mock-fault: ${faults.raw}).`);
    return json(faults.status, body, h);
  }
  if (faults.disconnect) throw new Disconnect();
  return null;
}

/** The 400 answer for an unparsable fault header. */
export function faultHeaderError(message, headers) {
  return json(400, apiError(message, { param: 'x-mock-fault', code: 'invalid_value' }), headers);
}
