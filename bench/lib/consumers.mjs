// The consumers under test, all fed by the same fake `fetch` (a Response whose body is a
// ReadableStream of pre-made chunks), all returning { text, events } so the harness can check
// every result before it trusts a number. The anchors (openai-node, the AI SDK and the floor's
// eventsource-parser) come from build/bench/deps/ (bench/package.json), see deps.mjs.
import { performance } from 'node:perf_hooks';
import { importDep } from './deps.mjs';

const { createParser } = await importDep('eventsource-parser');
const { default: OpenAI } = await importDep('openai');
const { streamText } = await importDep('ai');
const { createOpenAI } = await importDep('@ai-sdk/openai');
// the AI SDK prints a warning per call otherwise (none is expected here)
globalThis.AI_SDK_LOG_WARNINGS = false;

export const BASE_URL = 'http://bench.invalid/v1';
export const PARAMS = { model: 'gpt-5.2', input: 'Tell me about the tallest mountain in Alberta.' };

/**
 * A fake `fetch`: every call answers 200 text/event-stream with a body that enqueues the next
 * chunk of `source()` when (and only when) the reader asks for one (highWaterMark 0), so a chunk's
 * enqueue time is its arrival time. `trace.enq[i]` receives the enqueue time of chunk i.
 */
export function fakeFetch(source, trace = null) {
  return async function fetch(_url, _init) {
    const it = source()[Symbol.iterator]();
    let i = 0;
    const body = new ReadableStream(
      {
        pull(controller) {
          const r = it.next();
          if (r.done) {
            controller.close();
            return;
          }
          if (trace) trace.enq[i] = performance.now();
          i++;
          controller.enqueue(r.value);
        },
        cancel() {
          it.return?.();
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'req_bench' },
    });
  };
}

// ----------------------------------------------------------------------------- end to end

/** This package: client.stream → for await every event → finalResponse(). */
export function oursConsumer(mod, { finalResponse = true } = {}) {
  const { ResponsesClient } = mod;
  return async function ours(fetch, hook) {
    const client = new ResponsesClient({ apiKey: 'x', baseURL: BASE_URL, fetch, maxRetries: 0 });
    const stream = client.stream(PARAMS);
    let events = 0;
    if (hook) {
      for await (const ev of stream) {
        hook(ev);
        events++;
      }
    } else {
      for await (const ev of stream) {
        events++;
      }
    }
    // the stream comes back too, so that a caller can measure what it still holds
    if (!finalResponse) return { text: null, events, stream };
    const resp = await stream.finalResponse();
    return { text: resp.output_text, events };
  };
}

/**
 * This package with `stream.response` read after every event (a UI that re-renders the snapshot
 * on each delta): the cost of the snapshot must stay linear in the response's size.
 */
export function oursResponseReader(mod) {
  const { ResponsesClient } = mod;
  return async function oursResponse(fetch) {
    const client = new ResponsesClient({ apiKey: 'x', baseURL: BASE_URL, fetch, maxRetries: 0 });
    const stream = client.stream(PARAMS);
    let events = 0;
    let last = null;
    for await (const ev of stream) {
      last = stream.response;
      events++;
    }
    let text = '';
    for (const item of last?.output ?? []) for (const part of item.content ?? []) if (part.type === 'output_text') text += part.text;
    return { text, events };
  };
}

/** The official SDK: client.responses.stream → for await → finalResponse(). */
export function openaiConsumer() {
  return async function openai(fetch, hook) {
    const client = new OpenAI({ apiKey: 'x', baseURL: BASE_URL, fetch, maxRetries: 0 });
    const stream = client.responses.stream(PARAMS);
    let events = 0;
    if (hook) {
      for await (const ev of stream) {
        hook(ev);
        events++;
      }
    } else {
      for await (const ev of stream) {
        events++;
      }
    }
    const resp = await stream.finalResponse();
    return { text: resp.output_text, events };
  };
}

/**
 * The AI SDK: streamText over the OpenAI provider's Responses model, every part of fullStream
 * iterated, then the final text. `events` counts the text-delta parts (the SDK hands out parts,
 * not the wire events; a text-delta part is one output_text.delta event); `done` is its finish part.
 */
export function aisdkConsumer() {
  return async function aisdk(fetch, hook) {
    const provider = createOpenAI({ apiKey: 'x', baseURL: BASE_URL, fetch });
    const result = streamText({ model: provider.responses(PARAMS.model), prompt: PARAMS.input, maxRetries: 0 });
    let deltas = 0;
    let finish = null;
    for await (const part of result.fullStream) {
      if (hook) hook(part);
      if (part.type === 'text-delta') deltas++;
      else if (part.type === 'finish') finish = part.finishReason;
      else if (part.type === 'error') throw part.error;
    }
    const text = await result.text;
    return { text, deltas, events: undefined, done: finish === 'stop' };
  };
}

/**
 * The bare floor: fetch body → TextDecoder → eventsource-parser → JSON.parse of every event,
 * accumulating the output_text deltas (or, with accumulate: false, only parsing).
 */
export function floorConsumer({ accumulate = true } = {}) {
  return async function floor(fetch, hook) {
    const res = await fetch(BASE_URL + '/responses', { method: 'POST', body: JSON.stringify({ ...PARAMS, stream: true }) });
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let events = 0;
    let deltas = 0;
    let text = '';
    let done = false;
    const parser = createParser({
      onEvent(e) {
        if (e.data === '[DONE]') return;
        const ev = JSON.parse(e.data);
        events++;
        if (hook) hook(ev);
        if (ev.type === 'response.output_text.delta') {
          deltas++;
          if (accumulate) text += ev.delta;
        } else if (ev.type === 'response.completed' || ev.type === 'response.incomplete') done = true;
      },
    });
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      parser.feed(dec.decode(r.value, { stream: true }));
    }
    parser.feed(dec.decode());
    return { text: accumulate ? text : null, events, deltas, done };
  };
}

// ----------------------------------------------------------------------------- raw SSE

/** Our SseParser over a chunk array: bytes in, [{event, data, lastEventId}] out. */
export function rawOurs(SseParser) {
  return function sseParser(chunks, collect = null) {
    const p = new SseParser();
    let events = 0;
    let dataLen = 0;
    for (let i = 0; i < chunks.length; i++) {
      const evs = p.feed(chunks[i]);
      for (let j = 0; j < evs.length; j++) {
        const e = evs[j];
        events++;
        dataLen += e.data.length;
        if (collect) collect.push([e.event, e.data]);
      }
    }
    p.finish();
    return { events, dataLen };
  };
}

/** eventsource-parser alone (it takes strings, so a streaming TextDecoder is part of it). */
export function rawEsp() {
  return function eventsourceParser(chunks, collect = null) {
    const dec = new TextDecoder();
    let events = 0;
    let dataLen = 0;
    const parser = createParser({
      onEvent(e) {
        events++;
        dataLen += e.data.length;
        if (collect) collect.push([e.event ?? 'message', e.data]);
      },
    });
    for (let i = 0; i < chunks.length; i++) parser.feed(dec.decode(chunks[i], { stream: true }));
    parser.feed(dec.decode());
    return { events, dataLen };
  };
}
