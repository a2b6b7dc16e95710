// The request log (`mock.requests`, the dev server's `requests`): what tests look at to
// see what a client sent. Bounded: at most `maxLog` entries; a body is kept parsed up to
// 1 MiB, as a 2 KiB text preview beyond; all bodies together at most `maxLogBytes` (the
// oldest entries shrink to previews first). Credentials in headers are redacted.

export const LOG_BODY_MAX = 1024 * 1024;
export const LOG_PREVIEW = 2048;
const SECRET_HEADERS = ['authorization', 'x-api-key', 'api-key', 'cookie', 'proxy-authorization'];

const decoder = new TextDecoder();

function preview(bytes, size) {
  return `${decoder.decode(bytes.subarray(0, LOG_PREVIEW)).replace(/\uFFFD+$/, '')}… [truncated: ${size} bytes]`;
}

/** The body as logged: null, parsed JSON, text, or a truncated preview. */
export function loggedBody(bytes, type) {
  if (!bytes?.length) return null;
  if (bytes.length > LOG_BODY_MAX) return preview(bytes, bytes.length);
  const text = decoder.decode(bytes);
  if (/json/i.test(type ?? '') || /^\s*[{[]/.test(text)) {
    try { return JSON.parse(text); } catch { /* keep the text */ }
  }
  return text;
}

/** Headers as a plain object (lower-case names), credentials replaced by REDACTED. */
export function loggedHeaders(headers) {
  const out = {};
  if (typeof headers?.get === 'function') headers.forEach((v, k) => { out[k] = v; });
  else for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  for (const k of SECRET_HEADERS) if (k in out) out[k] = 'REDACTED';
  return out;
}

export class RequestLog {
  /** @param {{maxLog?: number, maxLogBytes?: number}} [o] */
  constructor({ maxLog = 10000, maxLogBytes = 32 * 1024 * 1024 } = {}) {
    this.maxLog = maxLog;
    this.maxLogBytes = maxLogBytes;
    /** The entries, oldest first (one array for the life of the log: callers keep it). */
    this.entries = [];
    this.sizes = new WeakMap();
    this.bytes = 0;
  }

  /**
   * Log one request.
   * @param {{method: string, url: string, headers: object, requestId: string, time?: number}} req
   *   url: path and query as received
   * @param {Uint8Array|null} body
   */
  add({ method, url, headers, requestId, time = Date.now() }, body) {
    const q = url.indexOf('?');
    const logged = loggedHeaders(headers);
    const entry = {
      method,
      path: q < 0 ? url : url.slice(0, q),
      url,
      query: Object.fromEntries(new URLSearchParams(q < 0 ? '' : url.slice(q + 1))),
      headers: logged,
      body: loggedBody(body, logged['content-type']),
      requestId,
      time,
    };
    const size = !body ? 0 : body.length > LOG_BODY_MAX ? LOG_PREVIEW : body.length;
    this.entries.push(entry);
    this.sizes.set(entry, size);
    this.bytes += size;
    if (this.entries.length > this.maxLog) {
      for (const old of this.entries.splice(0, this.entries.length - this.maxLog)) this.bytes -= this.sizes.get(old) ?? 0;
    }
    for (let i = 0; this.bytes > this.maxLogBytes && i < this.entries.length - 1; i++) {
      const old = this.entries[i];
      const n = this.sizes.get(old) ?? 0;
      if (n <= LOG_PREVIEW) continue;
      const text = typeof old.body === 'string' ? old.body : JSON.stringify(old.body) ?? '';
      old.body = preview(new TextEncoder().encode(text.slice(0, LOG_PREVIEW)), n);
      this.sizes.set(old, LOG_PREVIEW);
      this.bytes -= n - LOG_PREVIEW;
    }
    return entry;
  }
}
