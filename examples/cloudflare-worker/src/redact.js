// Keeps the API key out of everything the Worker passes on from the upstream (error messages,
// events, Responses) with the package's redactor (its rules are the package's): the key and every
// fragment of it of 10 characters or more become [redacted], anything shaped like a key in an error
// message too; in a stream a fragment split across the text deltas of one channel as well.
import { createRedactor } from 'cometapi-responses';

/**
 * In a stream, text that ends with this many characters of the key (or more) is held back until the
 * next delta shows whether the key goes on: so at most HOLD - 1 characters of a key streamed in small
 * deltas are passed on before the rest is redacted. Ordinary text ends that way about once in
 * (62^4 / key length) ≈ 300 000 deltas.
 */
const HOLD = 4;

let cached = null;

/** The redactor of `key` (cached: the Worker has one key). */
export function keyRedactor(key) {
  if (cached?.key !== key) cached = { key, redactor: workerRedactor(createRedactor(key)) };
  return cached.redactor;
}

function workerRedactor(r) {
  return {
    text: r.redact,
    value: r.value,
    /** An error message: the key's fragments and anything shaped like an API key (sk-…) removed. */
    message: (s) => r.message(s ?? ''),
    /**
     * The redactor of one stream of events: `event(e)` is a redacted copy of `e`; the `delta` of a
     * delta event (text, arguments, code: not base64 audio) goes through its channel's stream (a
     * possible start of the key at its end is passed on with the next delta of the channel; when
     * the channel ends instead it is dropped: the `.done` event and the final Response carry the
     * whole text, redacted).
     */
    stream() {
      const channels = new Map();
      return {
        event(event) {
          const out = r.value(event);
          if (typeof event?.delta !== 'string' || typeof event.type !== 'string' || /(^|\.)audio\.delta$/.test(event.type)) return out;
          const channel = [event.type, event.item_id, event.output_index, event.content_index, event.summary_index].join('\u0000');
          if (!channels.has(channel)) channels.set(channel, r.stream({ hold: HOLD }));
          return { ...out, delta: channels.get(channel).push(event.delta) };
        },
      };
    },
  };
}
