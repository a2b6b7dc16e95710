// Experiment: how should SseParser.feed hand events to JS? Same core parser, four formats:
//   json      one JSON array string per feed (today's RawSseParser), JSON.parse in JS
//   json-opt  the same, but `undefined` when the chunk completed no event
//   array     a js_sys::Array of strings (one TextDecoder call per field)
//   array-delta  the same, but event name / id only when they change (else undefined)
//   data-only*   data strings only (an upper bound; not a valid SseParser)
//   offsets   one concatenated string + a Uint32Array of UTF-16 lengths; JS slices
// plus the package's SseParser and eventsource-parser (+ TextDecoder) for scale. Every variant
// builds the same [{event, data, lastEventId}] objects and is checked against the reference.
//   node --expose-gc bench/experiments/sse-boundary.mjs [build/bench/boundary-zOz]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createParser } from 'eventsource-parser';
import { importOurs } from '../lib/ours.mjs';
import { makeSpec, buildStream, chunk } from '../lib/synth.mjs';
import { median, table, fmt, sizeLabel } from '../lib/stats.mjs';

const dir = resolve(process.argv[2] ?? 'build/bench/boundary-zOz');
const b = await import(pathToFileURL(dir + '/boundary.js').href);
b.initSync({ module: readFileSync(dir + '/boundary_bg.wasm') });
const gc = globalThis.gc ?? (() => {});
const { SseParser } = await importOurs();
const RUNS = Number(process.env.RUNS ?? 7);

const variants = {
  'json (today)': (chunks) => {
    const p = new b.SseJson();
    const out = [];
    for (const c of chunks) for (const e of JSON.parse(p.feed(c))) out.push(e);
    return out;
  },
  'json-opt': (chunks) => {
    const p = new b.SseJsonOpt();
    const out = [];
    for (const c of chunks) {
      const s = p.feed(c);
      if (s !== undefined) for (const e of JSON.parse(s)) out.push(e);
    }
    return out;
  },
  array: (chunks) => {
    const p = new b.SseArray();
    const out = [];
    for (const c of chunks) {
      const a = p.feed(c);
      for (let i = 0; i < a.length; i += 3) out.push({ event: a[i], data: a[i + 1], lastEventId: a[i + 2] });
    }
    return out;
  },
  'array-delta': (chunks) => {
    const p = new b.SseArrayDelta();
    const out = [];
    let event = '';
    let lastEventId = '';
    for (const c of chunks) {
      const a = p.feed(c);
      if (a === undefined) continue;
      for (let i = 0; i < a.length; i += 3) {
        if (a[i] !== undefined) event = a[i];
        if (a[i + 2] !== undefined) lastEventId = a[i + 2];
        out.push({ event, data: a[i + 1], lastEventId });
      }
    }
    return out;
  },
  'data-only*': (chunks) => {
    const p = new b.SseDataOnly();
    const out = [];
    for (const c of chunks) {
      const a = p.feed(c);
      if (a === undefined) continue;
      for (let i = 0; i < a.length; i++) out.push({ event: 'x', data: a[i], lastEventId: '' });
    }
    return out;
  },
  offsets: (chunks) => {
    const p = new b.SseOffsets();
    const out = [];
    for (const c of chunks) {
      const s = p.feed(c);
      if (s === undefined) continue;
      const lens = p.lens();
      let o = 0;
      for (let i = 0; i < lens.length; i += 3) {
        const event = s.slice(o, (o += lens[i]));
        const data = s.slice(o, (o += lens[i + 1]));
        const lastEventId = s.slice(o, (o += lens[i + 2]));
        out.push({ event, data, lastEventId });
      }
    }
    return out;
  },
  'pkg SseParser': (chunks) => {
    const p = new SseParser();
    const out = [];
    for (const c of chunks) for (const e of p.feed(c)) out.push(e);
    return out;
  },
  'eventsource-parser': (chunks) => {
    const dec = new TextDecoder();
    const out = [];
    const p = createParser({ onEvent: (e) => out.push({ event: e.event ?? 'message', data: e.data, lastEventId: e.id ?? '' }) });
    for (const c of chunks) p.feed(dec.decode(c, { stream: true }));
    p.feed(dec.decode());
    return out;
  },
};

const rows = [];
const results = [];
for (const [sname, spec] of [['text', makeSpec({ deltas: 20000, seed: 1 })], ['multibyte', makeSpec({ deltas: 20000, multibyte: true, seed: 2 })]]) {
  const s = buildStream(spec);
  const ref = variants['eventsource-parser']([s.bytes]);
  for (const size of [16384, 300, 64]) {
    const chunks = chunk(s.bytes, size);
    const t = {};
    for (const [name, f] of Object.entries(variants)) {
      const got = f(chunks);
      const bad = got.length !== ref.length || got.some((e, i) => e.data !== ref[i].data || (!name.endsWith('*') && e.event !== ref[i].event));
      if (bad) throw new Error(`${name}: wrong events`);
      t[name] = [];
    }
    for (let r = 0; r < RUNS + 1; r++) {
      for (const [name, f] of Object.entries(variants)) {
        gc();
        const c0 = process.cpuUsage();
        f(chunks);
        const c = process.cpuUsage(c0);
        if (r > 0) t[name].push((c.user + c.system) / 1000);
      }
    }
    const row = [sname, sizeLabel(size)];
    for (const name of Object.keys(variants)) row.push(fmt(s.bytes.length / 1e3 / median(t[name])));
    rows.push(row);
    results.push({ stream: sname, chunk: size, mbps: Object.fromEntries(Object.keys(variants).map((n) => [n, s.bytes.length / 1e3 / median(t[n])])) });
  }
}
console.log(`SSE boundary formats, MB/s of process CPU time (median of ${RUNS}; CPU time, not wall, because the machine is shared), wasm from ${dir}`);
console.log(table(['stream', 'chunk', ...Object.keys(variants)], rows));
if (process.env.JSON_OUT) console.log(JSON.stringify(results));
