// Experiment: the Rust-side cost per event, in wasm, in isolation (the stream is SSE-parsed once
// up front; each mode then walks every event's data):
//   0 touch data only · 1 serde_json::Value · 2 the crate's decoder (event::decode, borrowed
//   struct + Value payloads) · 3 a minimal borrowed serde struct · 4 a hand-written scanner ·
//   5 the crate's decoder + Accumulator::push · 6 the owned decoder path StreamState takes
//   (data copied, then decoded)
// and, for scale, JSON.parse of the same data in JS and the end-to-end floor's per-event time.
//   node --expose-gc bench/experiments/decode.mjs [build/bench/boundary-zOz ...]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createParser } from 'eventsource-parser';
import { makeSpec, buildStream } from '../lib/synth.mjs';
import { median, table, fmt } from '../lib/stats.mjs';

const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ['build/bench/boundary-zOz'];
const gc = globalThis.gc ?? (() => {});
const RUNS = Number(process.env.RUNS ?? 9);
const cpu = (f) => {
  gc();
  const c0 = process.cpuUsage();
  const r = f();
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1000, r];
};

const modes = ['0 touch data', '1 serde_json::Value', '2 crate decoder', '3 minimal serde struct', '4 hand scanner',
  '5 crate decoder + accumulate', '6 owned decode (StreamState path)'];
const rows = [];
for (const [sname, spec] of [['text', makeSpec({ deltas: 20000, seed: 1 })], ['multibyte', makeSpec({ deltas: 20000, multibyte: true, seed: 2 })]]) {
  const s = buildStream(spec);
  const datas = [];
  createParser({ onEvent: (e) => datas.push(e.data) }).feed(new TextDecoder().decode(s.bytes));
  const js = [];
  for (let r = 0; r < RUNS + 1; r++) {
    const [t] = cpu(() => {
      let n = 0;
      for (const d of datas) n += JSON.parse(d).type.length;
      return n;
    });
    if (r) js.push(t);
  }
  for (const dir of dirs) {
    const abs = resolve(dir);
    const b = await import(pathToFileURL(abs + '/boundary.js').href + `?${dir}`);
    b.initSync({ module: readFileSync(abs + '/boundary_bg.wasm') });
    const d = new b.DecodeBench(s.bytes);
    if (d.count() !== s.events) throw new Error('event count');
    if (d.run(5) !== Buffer.byteLength(s.text)) throw new Error(`accumulated text: ${d.run(5)} bytes, expected ${Buffer.byteLength(s.text)}`);
    const t = modes.map(() => []);
    for (let r = 0; r < RUNS + 1; r++) {
      for (let m = 0; m < modes.length; m++) {
        const [ms] = cpu(() => d.run(m));
        if (r) t[m].push(ms);
      }
    }
    const us = (ms) => fmt((ms * 1000) / s.events, 2);
    for (let m = 0; m < modes.length; m++) rows.push([sname, dir.replace(/^.*boundary-/, ''), modes[m], us(median(t[m])), fmt(s.bytes.length / 1e3 / median(t[m]))]);
    d.free();
  }
  rows.push([sname, 'js', 'JSON.parse of every data (V8)', fmt((median(js) * 1000) / s.events, 2), fmt(s.bytes.length / 1e3 / median(js))]);
}
console.log(`Per-event Rust work in wasm (µs per event and MB/s of the stream, process CPU time, median of ${RUNS}); 20,000-delta streams`);
console.log(table(['stream', 'build', 'mode', 'µs/event', 'MB/s'], rows, ['l', 'l', 'l', 'r', 'r']));
