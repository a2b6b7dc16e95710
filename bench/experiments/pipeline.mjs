// Experiment: who drives the body? Today Rust does (wasm-bindgen-futures: a JsFuture + two
// closures per reader.read(), future_to_promise per batch, Date.now() per chunk). Alternative:
// JS awaits reader.read() itself and calls a synchronous wasm `feed(chunk)` that returns the
// JSON batch of the events the chunk completed (`undefined` for none), over the same core
// StreamState (bench/experiments/boundary, `Pipeline`).
//   eager    events applied to the accumulator inside feed (no per-event crossing)
//   step     applied when JS calls step() per event (today's per-event crossing)
//   no-acc   never applied (the accumulator's share)
// Same fake fetch, same checks as the harness; process CPU time and wall time.
//   node --expose-gc bench/experiments/pipeline.mjs [build/bench/boundary-zOz]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { importOurs } from '../lib/ours.mjs';
import { makeSpec, buildStream, chunk } from '../lib/synth.mjs';
import { fakeFetch, oursConsumer, floorConsumer, BASE_URL, PARAMS } from '../lib/consumers.mjs';
import { median, table, fmt, sizeLabel } from '../lib/stats.mjs';

const dir = resolve(process.argv[2] ?? 'build/bench/boundary-zOz');
const b = await import(pathToFileURL(dir + '/boundary.js').href);
b.initSync({ module: readFileSync(dir + '/boundary_bg.wasm') });
const gc = globalThis.gc ?? (() => {});
const ours = await importOurs();
const RUNS = Number(process.env.RUNS ?? 7);

/** A minimal ResponseStream over Pipeline: manual async iterator, batch array, index. */
class JsDriven {
  #body;
  #reader = null;
  #p;
  #batch = [];
  #i = 0;
  #done = false;
  #mode;
  constructor(bodyPromise, mode) {
    this.#body = bodyPromise;
    this.#mode = mode;
    this.#p = new b.Pipeline(mode);
  }
  [Symbol.asyncIterator]() {
    return this;
  }
  next() {
    if (this.#i < this.#batch.length) {
      if (this.#mode === 2) this.#p.step();
      return Promise.resolve({ value: this.#batch[this.#i++], done: false });
    }
    return this.#fill();
  }
  async #fill() {
    this.#reader ??= (await this.#body).body.getReader();
    while (!this.#done) {
      const { done, value } = await this.#reader.read();
      const text = done ? this.#p.end() : this.#p.feed(value);
      if (done) this.#done = true;
      if (text !== undefined) {
        this.#batch = JSON.parse(text);
        this.#i = 1;
        if (this.#mode === 2) this.#p.step();
        return { value: this.#batch[0], done: false };
      }
    }
    return { value: undefined, done: true };
  }
  finalResponse() {
    const j = this.#p.final_response();
    return j === undefined ? null : JSON.parse(j);
  }
}

const jsDriven = (mode) =>
  async function pipeline(fetch) {
    const s = new JsDriven(fetch(BASE_URL + '/responses', { method: 'POST', body: JSON.stringify({ ...PARAMS, stream: true }) }), mode);
    let events = 0;
    for await (const ev of s) events++;
    const r = s.finalResponse();
    return { text: mode === 1 ? null : r?.output_text, events };
  };

const consumers = {
  'pkg client (today)': oursConsumer(ours),
  'js-driven eager': jsDriven(0),
  'js-driven step': jsDriven(2),
  'js-driven no-acc': jsDriven(1),
  floor: floorConsumer(),
};

const rows = [];
for (const [sname, spec] of [['text', makeSpec({ deltas: 20000, seed: 1 })], ['multibyte', makeSpec({ deltas: 20000, multibyte: true, seed: 2 })]]) {
  const s = buildStream(spec);
  for (const size of [16384, 300, 64]) {
    const chunks = chunk(s.bytes, size);
    const t = Object.fromEntries(Object.keys(consumers).map((k) => [k, { cpu: [], wall: [] }]));
    for (let r = 0; r < RUNS + 1; r++) {
      for (const [name, c] of Object.entries(consumers)) {
        gc();
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        const res = await c(fakeFetch(() => chunks));
        const wall = performance.now() - w0;
        const cu = process.cpuUsage(c0);
        if (res.events !== s.events || (res.text !== null && res.text !== s.text)) throw new Error(`${name}: wrong result (${res.events} events)`);
        if (r) {
          t[name].cpu.push((cu.user + cu.system) / 1000);
          t[name].wall.push(wall);
        }
      }
    }
    const mb = s.bytes.length / 1e3;
    rows.push([sname, sizeLabel(size), ...Object.keys(consumers).map((n) => `${fmt(mb / median(t[n].cpu))} (${fmt(mb / median(t[n].wall))})`)]);
  }
}
console.log(`End-to-end MB/s by process CPU time (wall in parentheses), median of ${RUNS}; wasm from ${dir}`);
console.log(table(['stream', 'chunk', ...Object.keys(consumers)], rows));
