// A/B of package variants in ONE process, interleaved run by run (drift and load hit all alike):
//   node --expose-gc bench/experiments/compare-variants.mjs base=build/bench/variants/base/pkg new=build/bench/variants/x/pkg …
// Each variant's node.js entry is imported (its own wasm instance); the client consumer of the
// harness runs on the synthetic streams at 16 KiB / 300 B / 64 B; every result is checked.
// Prints MB/s by process CPU time (wall in parentheses) and each variant's speed-up over the
// first one. RUNS (default 7), DELTAS (default 20000), FLOOR=1 adds the floor.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { makeSpec, buildStream, chunk } from '../lib/synth.mjs';
import { fakeFetch, oursConsumer, floorConsumer } from '../lib/consumers.mjs';
import { median, table, fmt, sizeLabel } from '../lib/stats.mjs';
import { loadRecorded } from '../lib/recorded.mjs';

const gc = globalThis.gc ?? (() => {});
const RUNS = Number(process.env.RUNS ?? 7);
const DELTAS = Number(process.env.DELTAS ?? 20000);
const variants = {};
for (const arg of process.argv.slice(2)) {
  const [name, dir] = arg.split('=');
  const mod = await import(pathToFileURL(resolve(dir, 'node.js')).href);
  variants[name] = oursConsumer(mod);
}
if (process.env.FLOOR === '1') variants.floor = floorConsumer();
const names = Object.keys(variants);
const rows = [];
const out = [];
// STREAMS=text,multibyte (synthetic) and/or recorded file names (../shared/fixtures/recorded,
// each streamed REPS times per sample, default 100: the per-request cost).
const streams = (process.env.STREAMS ?? 'text,multibyte').split(',');
const recorded = loadRecorded().streams;
for (const sname of streams) {
  const rec = recorded.find((r) => r.name === sname && !r.skip);
  const reps = rec ? Number(process.env.REPS ?? 100) : 1;
  const s = rec ?? buildStream(makeSpec({ deltas: DELTAS, multibyte: sname === 'multibyte', seed: sname === 'multibyte' ? 2 : 1 }));
  for (const size of (process.env.CHUNKS ?? '16384,300,64').split(',').map(Number)) {
    const chunks = chunk(s.bytes, size);
    const t = Object.fromEntries(names.map((n) => [n, { cpu: [], wall: [] }]));
    for (let r = 0; r < RUNS + 1; r++) {
      for (const n of names) {
        gc();
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        for (let k = 0; k < reps; k++) {
          const res = await variants[n](fakeFetch(() => chunks));
          if (res.events !== s.events || res.text !== s.text) throw new Error(`${n}: wrong result (${res.events} events)`);
        }
        const wall = performance.now() - w0;
        const cu = process.cpuUsage(c0);
        if (r) {
          t[n].cpu.push((cu.user + cu.system) / 1000);
          t[n].wall.push(wall);
        }
      }
    }
    const mb = (s.bytes.length * reps) / 1e3;
    const base = median(t[names[0]].cpu);
    rows.push([sname, sizeLabel(size), ...names.map((n) => `${fmt(mb / median(t[n].cpu))} (${fmt(mb / median(t[n].wall))})`),
      ...names.slice(1).map((n) => fmt(base / median(t[n].cpu), 2) + '×')]);
    out.push({ stream: sname, chunk: size, cpuMbps: Object.fromEntries(names.map((n) => [n, mb / median(t[n].cpu)])) });
  }
}
console.log(`MB/s by process CPU time (wall in parentheses), median of ${RUNS}, ${DELTAS} deltas; speed-up vs "${names[0]}" by CPU time`);
console.log(table(['stream', 'chunk', ...names, ...names.slice(1).map((n) => `${n}/${names[0]}`)], rows));
if (process.env.JSON_OUT) console.log(JSON.stringify(out));
