// Between Node's http (IncomingMessage / ServerResponse) and the fetch-style mock:
// read a request body with a limit, turn Node's headers into Headers, write a web
// Response (streamed bodies chunk by chunk, with backpressure). No `node:` import:
// it only calls methods of the objects it is given.

/**
 * Read a request body, up to `limit` bytes.
 * @returns {Promise<Uint8Array|null>} null when the body is larger (the rest is ignored:
 *   the caller answers 413 and closes — a reset here would lose the answer)
 */
export function readNodeBody(req, limit) {
  return new Promise((resolve, reject) => {
    let chunks = [];
    let size = 0;
    req.on('data', (c) => {
      if (!chunks) return;
      size += c.length;
      if (size > limit) {
        chunks = null;
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!chunks) return;
      const out = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) { out.set(c, at); at += c.length; }
      resolve(out);
    });
    req.on('error', reject);
  });
}

/** Whether a declared Content-Length already says the body is too large. */
export function declaredTooLarge(req, limit) {
  return Number(req.headers['content-length']) > limit;
}

/** Node's request headers as Headers. */
export function nodeHeaders(req) {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : String(v));
  }
  return h;
}

/**
 * Write a web Response to a ServerResponse. A body stream that errors (a fault that
 * drops the connection) destroys the socket once what was read before is flushed.
 */
export async function writeResponse(res, response) {
  if (res.destroyed) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  const headers = {};
  response.headers.forEach((v, k) => { headers[k] = v; });
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders?.();
  const reader = response.body.getReader();
  const closed = new Promise((ok) => res.once('close', ok));
  closed.then(() => reader.cancel().catch(() => {}));
  let flushed = Promise.resolve();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      flushed = Promise.race([new Promise((ok) => res.write(value, () => ok())), closed]);
      if (res.writableNeedDrain) await Promise.race([new Promise((d) => res.once('drain', d)), closed]);
    }
    res.end();
  } catch {
    // The body failed (a fault cut it): what was written goes out first, then the cut.
    await Promise.race([flushed, closed]);
    res.socket?.destroy();
    res.destroy();
  }
}
