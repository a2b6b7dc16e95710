// One memory case in a fresh process (so peak RSS belongs to that case alone):
//   node --expose-gc bench/memory-child.mjs <case> <targetMB> <chunkBytes>
// Streams a lazily generated ~targetMB Responses stream (never held whole) through one consumer
// and prints one JSON line: peak RSS (getrusage maxRSS), sampled peak heap/external, time, result check.
import { performance } from 'node:perf_hooks';
import { makeSpec, lazyChunks, expectedText, streamLength } from './lib/synth.mjs';
import { fakeFetch, floorConsumer, oursConsumer, openaiConsumer } from './lib/consumers.mjs';
import { importOurs } from './lib/ours.mjs';

const [kind, targetMB = '200', chunkArg = '16384'] = process.argv.slice(2);
const size = Number(chunkArg);
const gc = globalThis.gc ?? (() => {});

// Pick the number of deltas so the whole stream is ~targetMB (the done events repeat the text).
const len0 = streamLength(makeSpec({ deltas: 0 }));
const slope = (streamLength(makeSpec({ deltas: 4000 })) - len0) / 4000;
const deltas = Math.max(1, Math.round((Number(targetMB) * 1e6 - len0) / slope));
const spec = makeSpec({ deltas, seed: 42 });

async function drain(fetch) {
  const res = await fetch('http://bench.invalid/v1/responses', { method: 'POST' });
  const reader = res.body.getReader();
  let n = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    n += r.value.length;
  }
  return { text: null, events: null, bytes: n };
}

let consumer;
switch (kind) {
  case 'drain': consumer = drain; break;
  case 'floor-parse': consumer = floorConsumer({ accumulate: false }); break;
  case 'floor-acc': consumer = floorConsumer({ accumulate: true }); break;
  case 'openai': consumer = openaiConsumer(); break;
  case 'ours-iterate':
  case 'ours-final': {
    const mod = await importOurs();
    if (typeof mod.ResponsesClient !== 'function') {
      console.log(JSON.stringify({ kind, skipped: 'ResponsesClient is not in pkg/ yet' }));
      process.exit(0);
    }
    consumer = oursConsumer(mod, { finalResponse: kind === 'ours-final' });
    break;
  }
  default:
    console.error(`unknown case ${kind}`);
    process.exit(2);
}

let peakHeap = 0;
let peakExternal = 0;
let peakRssSampled = 0;
let bytes = 0;
const sample = () => {
  const m = process.memoryUsage();
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  if (m.external > peakExternal) peakExternal = m.external;
  if (m.rss > peakRssSampled) peakRssSampled = m.rss;
};
function* sampled() {
  let i = 0;
  for (const c of lazyChunks(spec, size)) {
    bytes += c.length;
    if ((++i & 63) === 0) sample();
    yield c;
  }
  sample();
}

gc();
gc();
const base = process.memoryUsage();
const baseMaxRss = process.resourceUsage().maxRSS * 1024;
const t0 = performance.now();
const r = await consumer(fakeFetch(sampled));
const ms = performance.now() - t0;
sample();
const maxRss = process.resourceUsage().maxRSS * 1024;
// What the consumer still holds after the stream (the stream object, for ours-iterate, is still
// referenced by r): heap + external after full GCs, minus the same before the stream. External
// includes the wasm instance's linear memory, which never shrinks.
gc();
gc();
const after = process.memoryUsage();
const retained = after.heapUsed + after.external - (base.heapUsed + base.external);

// Check the result after measuring (the expected text is ~2.4% of the stream).
let ok = true;
let why = '';
const expectedEvents = deltas + 8;
if (kind !== 'drain' && r.events !== expectedEvents) {
  ok = false;
  why = `events ${r.events} != ${expectedEvents}`;
}
if (r.text !== null && r.text !== undefined) {
  const want = expectedText(spec);
  if (r.text !== want) {
    ok = false;
    why += ` text length ${r.text.length} != ${want.length}`;
  }
}
console.log(
  JSON.stringify({
    kind, chunk: size, bytes, deltas, ms, ok, why,
    baseRss: base.rss, baseHeap: base.heapUsed, baseMaxRss,
    maxRss, peakRssSampled, peakHeap, peakExternal, retained, heldStream: Boolean(r.stream),
  }),
);
process.exit(ok ? 0 : 1);
