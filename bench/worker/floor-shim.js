// The example Worker (examples/cloudflare-worker/src/index.js) on the floor instead of a client
// library: `make bench` bundles the same Worker with 'cometapi-responses' resolved to this file.
// stream() is what any client must at least do (fetch, the body's reader, TextDecoder,
// eventsource-parser, JSON.parse of every event) and nothing more: no snapshot, no retries, no
// timeouts. It shows what the Worker's own code (checks, redaction, framing) costs per response.
import { createParser } from 'eventsource-parser';

class FloorError extends Error {}

export class ResponsesClient {
  #apiKey;
  #baseURL;
  constructor({ apiKey, baseURL }) {
    this.#apiKey = apiKey;
    this.#baseURL = baseURL;
  }
  create() {
    throw new FloorError('the floor Worker streams only');
  }
  stream(params, { signal } = {}) {
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
    const gen = events(this.#baseURL, this.#apiKey, params, controller.signal);
    return {
      next: () => gen.next(),
      return: (v) => gen.return(v),
      abort: () => controller.abort(),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

async function* events(baseURL, apiKey, params, signal) {
  const res = await fetch(`${baseURL}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ ...params, stream: true }),
    signal,
  });
  if (!res.ok) throw new FloorError(`upstream status ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let queue = [];
  const parser = createParser({
    onEvent(e) {
      if (e.data !== '[DONE]') queue.push(JSON.parse(e.data));
    },
  });
  for (;;) {
    const { done, value } = await reader.read();
    parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
    const ready = queue;
    queue = [];
    yield* ready;
    if (done) return;
  }
}

export {
  FloorError as ApiError,
  FloorError as AbortError,
  FloorError as ConnectionError,
  FloorError as TimeoutError,
  FloorError as StreamError,
  FloorError as ValidationError,
};

export { createRedactor } from './redact-shim.js';
