// Runs one consumer on the synthetic "text" stream repeatedly, for profiling:
//   node --cpu-prof --cpu-prof-dir=build/bench/prof bench/experiments/profile.mjs <ours|openai|floor> <chunkBytes> [runs] [entry]
// entry: a module path exporting ResponsesClient (default: the built package, 'cometapi-responses');
// e.g. build/bench/variants/prof/pkg/node.js (names kept) from build-variant.sh.
// Then: node bench/experiments/analyze-profile.mjs build/bench/prof/<file>.cpuprofile
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { makeSpec, buildStream, chunk } from '../lib/synth.mjs';
import { fakeFetch, oursConsumer, openaiConsumer, floorConsumer } from '../lib/consumers.mjs';
import { importOurs } from '../lib/ours.mjs';
import { loadRecorded } from '../lib/recorded.mjs';

const [who = 'ours', size = '16384', runs = '20', entry] = process.argv.slice(2);
const mod = entry ? await import(pathToFileURL(resolve(entry)).href) : await importOurs();
// RECORDED=<file.sse> (in ../shared/fixtures/recorded): stream that file REPS (default 200)
// times per run instead, to see the per-request costs of short streams.
let s;
let reps = 1;
if (process.env.RECORDED) {
  const r = loadRecorded().streams.find((x) => x.name === process.env.RECORDED);
  if (!r || r.skip) throw new Error(`no usable recorded stream ${process.env.RECORDED}`);
  s = r;
  reps = Number(process.env.REPS ?? 200);
} else {
  s = buildStream(makeSpec({ deltas: Number(process.env.DELTAS ?? 20000), multibyte: process.env.MULTIBYTE === '1', seed: 1 }));
}
const chunks = chunk(s.bytes, Number(size));
const c = who === 'ours' ? oursConsumer(mod) : who === 'openai' ? openaiConsumer() : floorConsumer();
const times = [];
for (let i = 0; i < Number(runs); i++) {
  const t0 = performance.now();
  for (let k = 0; k < reps; k++) {
    const r = await c(fakeFetch(() => chunks));
    if (r.text !== s.text || r.events !== s.events) throw new Error(`wrong result: ${r.events} events`);
  }
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const med = times[times.length >> 1];
console.log(`${who} ${size} B chunks: median ${med.toFixed(1)} ms per run (${reps} stream(s)), ${((s.bytes.length * reps) / 1e3 / med).toFixed(1)} MB/s, ${((s.events * reps) / med).toFixed(0)} kev/s, ${((med * 1000) / reps).toFixed(0)} µs per stream`);
