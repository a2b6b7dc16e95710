// The public JS API (DESIGN.md §2): thin classes over the wasm exports.
// Every environment entry (node.js, browser.js, workerd.js, web.js) initialises the wasm
// instance and re-exports this module.
import { RawSseParser } from './cometapi_responses.js';
import { toError } from './errors.js';

export {
  ApiError,
  CometApiError,
  ConnectionError,
  TimeoutError,
  AbortError,
  StreamError,
  ValidationError,
} from './errors.js';

const call = (fn) => {
  try {
    return fn();
  } catch (e) {
    throw toError(e);
  }
};

/** WHATWG-exact incremental Server-Sent Events parser. */
export class SseParser {
  #raw;
  constructor(options = {}) {
    this.#raw = new RawSseParser(options.maxEventSize);
  }
  /** Feeds one chunk (Uint8Array); returns the events it completed: [{ event, data, lastEventId }]. */
  feed(chunk) {
    return JSON.parse(call(() => this.#raw.feed(chunk)));
  }
  /** Ends the stream: an unfinished event is discarded (the spec); returns []. */
  finish() {
    return JSON.parse(this.#raw.finish());
  }
  /** The last valid `retry:` value in ms, or undefined. */
  get retry() {
    return this.#raw.retry;
  }
}
