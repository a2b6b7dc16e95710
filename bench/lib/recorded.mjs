// The recorded streams of ../shared/fixtures/recorded, read at run time (never copied here),
// with a reference result computed by eventsource-parser + JSON.parse.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createParser } from 'eventsource-parser';

export const FIXTURES_DIR =
  process.env.BENCH_FIXTURES ?? fileURLToPath(new URL('../../../shared/fixtures/recorded/', import.meta.url));

/** output_text as DESIGN.md §3 defines it. */
export function outputText(response) {
  let s = '';
  for (const item of response?.output ?? []) {
    if (item?.type !== 'message') continue;
    for (const part of item.content ?? []) if (part?.type === 'output_text') s += part.text ?? '';
  }
  return s;
}

/**
 * [{ name, bytes, events, text }] for every stream that ends with response.completed or
 * response.incomplete; [{ name, skip }] for the others (a failing stream has no throughput).
 */
export function loadRecorded() {
  if (!existsSync(FIXTURES_DIR)) return { dir: FIXTURES_DIR, missing: true, streams: [] };
  const streams = [];
  for (const name of readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.sse')).sort()) {
    const bytes = new Uint8Array(readFileSync(FIXTURES_DIR + '/' + name));
    let events = 0;
    let terminal = null;
    let failed = null;
    const p = createParser({
      onEvent(e) {
        if (e.data === '[DONE]') return;
        events++;
        let ev;
        try {
          ev = JSON.parse(e.data);
        } catch {
          return;
        }
        const type = ev.type ?? e.event;
        if (type === 'response.completed' || type === 'response.incomplete') terminal = ev.response;
        if (type === 'response.failed' || type === 'error') failed = type;
      },
    });
    p.feed(new TextDecoder().decode(bytes));
    if (failed) streams.push({ name, bytes, skip: `ends in ${failed} (an error stream has no throughput)` });
    else if (!terminal) streams.push({ name, bytes, skip: 'no terminal event' });
    else streams.push({ name, bytes, events, text: outputText(terminal) });
  }
  return { dir: FIXTURES_DIR, missing: false, streams };
}
