// A/B of SseParser between package variants, in one process, interleaved:
//   node --expose-gc bench/experiments/sse-compare.mjs base=build/bench/variants/base/pkg new=build/bench/variants/ssearray/pkg
// Every variant's events are checked against eventsource-parser's. MB/s by wall time (median).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { makeSpec, buildStream, chunk } from '../lib/synth.mjs';
import { median, table, fmt, sizeLabel } from '../lib/stats.mjs';

const gc = globalThis.gc ?? (() => {});
const RUNS = Number(process.env.RUNS ?? 9);
const variants = {};
for (const arg of process.argv.slice(2)) {
  const [name, dir] = arg.split('=');
  const { SseParser } = await import(pathToFileURL(resolve(dir, 'node.js')).href);
  variants[name] = (chunks) => {
    const p = new SseParser();
    const out = [];
    for (const c of chunks) for (const e of p.feed(c)) out.push(e);
    p.finish();
    return out;
  };
}
variants['eventsource-parser'] = (chunks) => {
  const dec = new TextDecoder();
  const out = [];
  const p = createParser({ onEvent: (e) => out.push({ event: e.event ?? 'message', data: e.data, lastEventId: e.id ?? '' }) });
  for (const c of chunks) p.feed(dec.decode(c, { stream: true }));
  p.feed(dec.decode());
  return out;
};
const names = Object.keys(variants);
const rows = [];
for (const [sname, spec] of [['text', makeSpec({ deltas: 20000, seed: 1 })], ['multibyte', makeSpec({ deltas: 20000, multibyte: true, seed: 2 })]]) {
  const s = buildStream(spec);
  const ref = variants['eventsource-parser']([s.bytes]);
  for (const size of [16384, 300, 64]) {
    const chunks = chunk(s.bytes, size);
    const t = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < RUNS + 1; r++) {
      for (const n of names) {
        gc();
        const t0 = performance.now();
        const got = variants[n](chunks);
        const ms = performance.now() - t0;
        if (got.length !== ref.length || got.some((e, i) => e.data !== ref[i].data || e.event !== ref[i].event || e.lastEventId !== ref[i].lastEventId)) {
          throw new Error(`${n}: wrong events`);
        }
        if (r) t[n].push(ms);
      }
    }
    const mb = s.bytes.length / 1e3;
    rows.push([sname, sizeLabel(size), ...names.map((n) => fmt(mb / median(t[n]))), ...names.slice(1).map((n) => fmt(median(t[names[0]]) / median(t[n]), 2) + '×')]);
  }
}
console.log(`SseParser A/B, MB/s (wall, median of ${RUNS}); ratios = speed vs "${names[0]}"`);
console.log(table(['stream', 'chunk', ...names, ...names.slice(1).map((n) => `${n}/${names[0]}`)], rows));
