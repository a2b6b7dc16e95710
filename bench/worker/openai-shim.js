// The example Worker (examples/cloudflare-worker/src/index.js) on openai-node instead of this
// package: `make bench` bundles the same Worker with 'cometapi-responses' resolved to this file, so
// both Workers run the same code (origin/model checks, redaction, SSE framing) and differ only in
// the client library. Only what the Worker uses is provided: ResponsesClient with create() and a
// stream() whose events come from `client.responses.stream()` (openai-node's accumulating stream,
// the counterpart of ours), and the error classes it tests with instanceof.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from 'openai';

export class ResponsesClient {
  #client;
  constructor({ apiKey, baseURL, timeout }) {
    this.#client = new OpenAI({ apiKey, baseURL, timeout });
  }
  create(params, options) {
    return this.#client.responses.create(params, options);
  }
  stream(params, options) {
    const { stream: _, ...rest } = params;
    const stream = this.#client.responses.stream(rest, options);
    const it = stream[Symbol.asyncIterator]();
    return {
      next: () => it.next(),
      return: (v) => it.return?.(v) ?? Promise.resolve({ done: true, value: v }),
      abort: () => stream.abort(),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

export {
  APIError as ApiError,
  APIUserAbortError as AbortError,
  APIConnectionError as ConnectionError,
  APIConnectionTimeoutError as TimeoutError,
  OpenAIError as StreamError,
};
export class ValidationError extends OpenAIError {}

export { createRedactor } from './redact-shim.js';
