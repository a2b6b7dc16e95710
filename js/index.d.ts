// Types of the public API of cometapi-responses (DESIGN.md §2). Hand-written; wire objects use
// the API's snake_case names exactly as on the wire; options of this library are camelCase.

export interface SseEvent {
  /** The event type; "message" when the stream gave none. */
  event: string;
  /** The data buffer (data lines joined by "\n"). */
  data: string;
  /** The last event ID (persists across events; "" if never set). */
  lastEventId: string;
}

export interface SseParserOptions {
  /** Cap on one event's size in bytes (default 16 MiB); a larger event throws StreamError. */
  maxEventSize?: number;
}

/** WHATWG-exact incremental Server-Sent Events parser. */
export class SseParser {
  constructor(options?: SseParserOptions);
  /** Feeds one chunk; returns the events it completed. */
  feed(chunk: Uint8Array): SseEvent[];
  /** Ends the stream; an unfinished event is discarded (per the spec). Always returns []. */
  finish(): SseEvent[];
  /** The last valid `retry:` value in milliseconds. */
  readonly retry: number | undefined;
}

/** Base class of every error this package throws. */
export class CometApiError extends Error {}
