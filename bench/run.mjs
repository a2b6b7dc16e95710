// The benchmark harness: `make bench` (= make build && node --expose-gc bench/run.mjs).
//
// One Node process, the same bytes for every consumer, each consumer fed by a fake `fetch` whose
// Response body is a ReadableStream of pre-made chunks (views made once up front). Every result
// is checked (final text and event count) before its time is kept: a consumer that returns a
// wrong result yields FAIL instead of a number, and the run exits non-zero.
//
//   BENCH_QUICK=1          smoke run (~1 minute): shorter streams, fewer runs
//   BENCH_ONLY=a,b         only these sections: throughput, recorded, linearity, sse, latency,
//                          memory, startup, size
//   BENCH_RUNS=n           timed runs per case (default 7; quick 3)
//   BENCH_BREAK=ours       corrupt one consumer's results (checks that the run then fails)
//   BENCH_PKG=dir          measure another build of the package (a directory like pkg/) instead of pkg/
//                          (the size and wasm start-up sections still read pkg/)
//
// Results: tables on stdout, build/bench/results.json, build/bench/report.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { makeSpec, buildStream, chunk } from './lib/synth.mjs';
import { fakeFetch, oursConsumer, openaiConsumer, floorConsumer, rawOurs, rawEsp } from './lib/consumers.mjs';
import { loadRecorded } from './lib/recorded.mjs';
import { OURS_SPEC, importOurs } from './lib/ours.mjs';
import { median, quantile, MB, fmt, fmtInt, kib, sizeLabel, table } from './lib/stats.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = ROOT + 'build/bench/';
const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const want = (s) => !ONLY.length || ONLY.includes(s);
const CFG = QUICK
  ? { deltas: 5000, warmup: 1, runs: 3, linRuns: 2, recBytes: 64e3, latRuns: 1, memMB: 20, startupN: 3, instN: 5 }
  : { deltas: 20000, warmup: 2, runs: 7, linRuns: 5, recBytes: 512e3, latRuns: 2, memMB: 200, startupN: 7, instN: 15 };
if (process.env.BENCH_RUNS) CFG.runs = CFG.linRuns = Number(process.env.BENCH_RUNS);
const CHUNKS = [16384, 300, 64];
const gc = globalThis.gc ?? (() => {});

const failures = [];
const results = { meta: {}, config: { quick: QUICK, ...CFG, chunks: CHUNKS }, sections: {} };
const md = [];
const out = (s = '') => {
  console.log(s);
  md.push(s);
};
const heading = (t) => out(`\n## ${t}\n`);

// ----------------------------------------------------------------------------- setup

const version = (p) => JSON.parse(readFileSync(ROOT + `node_modules/${p}/package.json`, 'utf8')).version;
let ours = null;
let oursWhy = '';
try {
  ours = await importOurs();
} catch (e) {
  oursWhy = `pkg/ not importable: ${e.message}`;
}
const hasClient = typeof ours?.ResponsesClient === 'function';
if (ours && !hasClient) oursWhy = 'ResponsesClient is not in pkg/ yet';

const cpuModel = cpus()[0]?.model ?? 'unknown';
let gitRev = '';
try {
  gitRev = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src', 'js'], { encoding: 'utf8' }).trim();
  if (dirty) gitRev += ' (src/ or js/ modified)';
} catch {}
Object.assign(results.meta, {
  date: new Date().toISOString(),
  cpu: cpuModel,
  cores: cpus().length,
  memGB: +(totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
  v8: process.versions.v8,
  openai: version('openai'),
  eventsourceParser: version('eventsource-parser'),
  esbuild: version('esbuild'),
  git: gitRev,
  exposeGc: typeof globalThis.gc === 'function',
  oursClient: hasClient,
  oursFrom: OURS_SPEC,
});
out('# cometapi-responses benchmarks' + (QUICK ? ' (BENCH_QUICK=1: smoke run, not for quoting)' : ''));
out();
out(`${cpuModel}, ${cpus().length} cores, ${results.meta.memGB} GiB; Node ${process.version} (V8 ${process.versions.v8}); ` +
  `openai ${results.meta.openai}, eventsource-parser ${results.meta.eventsourceParser}; commit ${gitRev}.`);
if (process.env.BENCH_PKG) out(`"ours" is the variant at ${process.env.BENCH_PKG} (BENCH_PKG), not pkg/.`);
if (!results.meta.exposeGc) out('warning: run with --expose-gc (make bench does) so every run starts after a full GC.');
if (!hasClient) out(`\nnote: "ours" end-to-end columns are n/a: ${oursWhy}.`);

// ----------------------------------------------------------------------------- helpers

class Wrong extends Error {}

function check(r, exp, who) {
  if (exp.events !== undefined && r.events !== exp.events) throw new Wrong(`${who}: ${r.events} events, expected ${exp.events}`);
  if (exp.text !== undefined && r.text !== null && r.text !== exp.text)
    throw new Wrong(`${who}: final text differs (length ${r.text?.length} vs ${exp.text.length})`);
  if (exp.text !== undefined && r.text === null) throw new Wrong(`${who}: no final text`);
}

/**
 * Runs fn once, after a GC; returns [wall ms, process CPU ms]. CPU time (all threads of this
 * process, GC helpers included) is kept too because the machine may be shared: when other
 * processes compete for the 2 cores, wall time grows and CPU time mostly does not.
 */
async function timed(fn) {
  gc();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) / 1000];
}

/**
 * Interleaved measurement: for each run, every consumer in turn (so drift hits all alike).
 * consumers: { name: async () => void (throws Wrong on a bad result) }.
 * Returns { name: { times: [ms…], error? } }.
 */
async function interleaved(consumers, { warmup, runs, known = () => null }) {
  const res = Object.fromEntries(Object.keys(consumers).map((k) => [k, { times: [], cpu: [] }]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const [name, fn] of Object.entries(consumers)) {
      const r = res[name];
      if (r.error) continue;
      try {
        const [t, c] = await timed(fn);
        if (i >= warmup) {
          r.times.push(t);
          r.cpu.push(c);
        }
      } catch (e) {
        r.error = e instanceof Wrong ? e.message : `${name}: threw ${e?.name}: ${e?.message}`;
        r.known = known(name, r.error);
        if (!r.known) failures.push(r.error);
      }
    }
  }
  for (const r of Object.values(res)) {
    r.ms = r.error ? null : median(r.times);
    r.cpuMs = r.error ? null : median(r.cpu);
  }
  return res;
}

const endToEnd = () => {
  const c = { openai: openaiConsumer(), floor: floorConsumer() };
  if (hasClient) c.ours = oursConsumer(ours);
  // BENCH_BREAK=<consumer>: corrupt that consumer's results, to see the run refuse its numbers.
  const broken = process.env.BENCH_BREAK;
  if (broken && c[broken]) {
    const f = c[broken];
    c[broken] = async (...a) => {
      const r = await f(...a);
      return { ...r, text: r.text + '!' };
    };
  }
  return c;
};

const mbps = (bytes, ms) => (ms ? bytes / MB / (ms / 1000) : null);
const ratio = (a, b) => (a && b ? a / b : null);
const cell = (r, f) => (r?.known ? '✗†' : r?.error ? 'FAIL' : f(r));

// ----------------------------------------------------------------------------- streams

const STREAMS = {
  text: buildStream(makeSpec({ deltas: CFG.deltas, seed: 1 })),
  multibyte: buildStream(makeSpec({ deltas: CFG.deltas, multibyte: true, seed: 2 })),
};
out(`\nStreams: "text" = ${fmtInt(CFG.deltas)} output_text deltas, ${fmt(STREAMS.text.bytes.length / MB, 2)} MB, ` +
  `${fmtInt(STREAMS.text.events)} events (shaped like the recorded OpenAI streams); "multibyte" = the same with ` +
  `CJK/emoji/accented deltas (raw UTF-8), ${fmt(STREAMS.multibyte.bytes.length / MB, 2)} MB. ` +
  `Chunk sizes ${CHUNKS.map(sizeLabel).join(', ')}. Medians of ${CFG.runs} runs after ${CFG.warmup} warm-up runs.`);

// ----------------------------------------------------------------------------- 1. throughput

async function sectionThroughput() {
  heading('End-to-end throughput (client.stream → for await → finalResponse)');
  out('MB/s and k events/s are medians; "ours/openai" and "ours/floor" are throughput ratios (> 1: ours is faster). ' +
    'floor = eventsource-parser + JSON.parse + delta text accumulation (no client); drain = reading the body and discarding it ' +
    '(the fake-fetch/ReadableStream cost every consumer pays). The "(cpu)" ratios use process CPU time instead of wall time ' +
    '(steadier when other processes share the machine).');
  const rows = [];
  const data = [];
  for (const [sname, s] of Object.entries(STREAMS)) {
    for (const size of CHUNKS) {
      const chunks = chunk(s.bytes, size);
      const exp = { text: s.text, events: s.events };
      const cs = endToEnd();
      const fns = {};
      for (const [n, c] of Object.entries(cs)) fns[n] = async () => check(await c(fakeFetch(() => chunks)), exp, `${n} ${sname} ${sizeLabel(size)}`);
      fns.drain = async () => {
        const res = await fakeFetch(() => chunks)();
        const rd = res.body.getReader();
        while (!(await rd.read()).done);
      };
      const r = await interleaved(fns, CFG);
      const bytes = s.bytes.length;
      const ev = (x) => (x.ms ? s.events / (x.ms / 1000) / 1000 : null);
      data.push({
        stream: sname, chunk: size, bytes, events: s.events,
        ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { ms: v.ms, cpuMs: v.cpuMs, times: v.times, mbps: mbps(bytes, v.ms), cpuMbps: mbps(bytes, v.cpuMs), kevps: ev(v), error: v.error }])),
      });
      const o = r.ours;
      rows.push([
        sname, sizeLabel(size),
        hasClient ? cell(o, (x) => fmt(mbps(bytes, x.ms))) : 'n/a', hasClient ? cell(o, (x) => fmt(ev(x), 0)) : 'n/a',
        cell(r.openai, (x) => fmt(mbps(bytes, x.ms))), cell(r.openai, (x) => fmt(ev(x), 0)),
        cell(r.floor, (x) => fmt(mbps(bytes, x.ms))), cell(r.floor, (x) => fmt(ev(x), 0)),
        fmt(mbps(bytes, r.drain.ms)),
        hasClient && !o?.error ? fmt(ratio(r.openai.ms, o.ms), 2) + '×' : 'n/a',
        hasClient && !o?.error ? fmt(ratio(r.floor.ms, o.ms), 2) + '×' : 'n/a',
        hasClient && !o?.error ? fmt(ratio(r.openai.cpuMs, o.cpuMs), 2) + '×' : 'n/a',
        hasClient && !o?.error ? fmt(ratio(r.floor.cpuMs, o.cpuMs), 2) + '×' : 'n/a',
      ]);
    }
  }
  out(table(['stream', 'chunk', 'ours MB/s', 'ours kev/s', 'openai MB/s', 'openai kev/s', 'floor MB/s', 'floor kev/s', 'drain MB/s',
    'ours/openai', 'ours/floor', 'ours/openai (cpu)', 'ours/floor (cpu)'], rows, ['l', 'r']));
  results.sections.throughput = data;
}

// ----------------------------------------------------------------------------- 2. recorded

/**
 * Recorded streams the official SDK does not handle the way DESIGN.md §2-3 requires. Its result
 * there is shown as "rejects"/"differs" with the reason, and does not fail the run; any OTHER
 * wrong result (and any wrong result of ours or the floor) does.
 */
const KNOWN = {
  openai: {
    'openai_background_resume_starting_after0.sse': [/expected 'response.created' event/,
      'openai-node rejects a replay that starts without response.created ("When snapshot hasn\'t been set yet…")'],
    'openrouter_data_only_reasoning_text.sse': [/final text differs/,
      'openai-node keeps the server\'s `"output_text":""` instead of computing it from the output (expected "4")'],
  },
};

async function sectionRecorded() {
  heading('Recorded streams (../shared/fixtures/recorded)');
  const rec = loadRecorded();
  if (rec.missing) {
    out(`skipped: ${rec.dir} is absent.`);
    results.sections.recorded = { skipped: `${rec.dir} absent` };
    return;
  }
  out(`Each sample streams the file repeatedly (≥ ${fmt(CFG.recBytes / 1e3, 0)} kB per sample, a new client and request each time), ` +
    'so per-request overhead counts. Values are MB/s (median); ratios as above.');
  const rows = [];
  const data = [];
  const notes = new Set();
  for (const s of rec.streams) {
    if (s.skip) {
      rows.push([s.name, fmtInt(s.bytes.length), '', '', 'skipped: ' + s.skip, '', '', '', '']);
      data.push({ name: s.name, skip: s.skip });
      continue;
    }
    const reps = Math.max(1, Math.ceil(CFG.recBytes / s.bytes.length));
    for (const size of CHUNKS) {
      const chunks = chunk(s.bytes, size);
      const exp = { text: s.text, events: s.events };
      const fns = {};
      for (const [n, c] of Object.entries(endToEnd())) {
        fns[n] = async () => {
          for (let i = 0; i < reps; i++) check(await c(fakeFetch(() => chunks)), exp, `${n} ${s.name} ${sizeLabel(size)}`);
        };
      }
      const known = (n, msg) => {
        const k = KNOWN[n]?.[s.name];
        return k && k[0].test(msg) ? k[1] : null;
      };
      const r = await interleaved(fns, { warmup: CFG.warmup, runs: CFG.runs, known });
      for (const v of Object.values(r)) if (v.known) notes.add(`${s.name}: ${v.known}`);
      const bytes = s.bytes.length * reps;
      const o = r.ours;
      data.push({ name: s.name, chunk: size, bytes: s.bytes.length, events: s.events, reps,
        ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { ms: v.ms, mbps: mbps(bytes, v.ms), perStreamUs: v.ms ? (v.ms * 1000) / reps : null, error: v.error }])) });
      rows.push([
        s.name, fmtInt(s.bytes.length), String(s.events), sizeLabel(size),
        hasClient ? cell(o, (x) => fmt(mbps(bytes, x.ms))) : 'n/a',
        cell(r.openai, (x) => fmt(mbps(bytes, x.ms))),
        cell(r.floor, (x) => fmt(mbps(bytes, x.ms))),
        hasClient && !o?.error && !r.openai.error ? fmt(ratio(r.openai.ms, o.ms), 2) + '×' : 'n/a',
        hasClient && !o?.error && !r.floor.error ? fmt(ratio(r.floor.ms, o.ms), 2) + '×' : 'n/a',
      ]);
    }
  }
  out(table(['file', 'bytes', 'events', 'chunk', 'ours MB/s', 'openai MB/s', 'floor MB/s', 'ours/openai', 'ours/floor'], rows, ['l', 'r', 'r', 'r']));
  if (notes.size) out('\n' + [...notes].map((n) => `- †: ${n}`).join('\n'));
  results.sections.recorded = { streams: data, knownLimitations: [...notes] };
}

// ----------------------------------------------------------------------------- 3. linearity

async function sectionLinearity() {
  heading('Linearity (time per MB at 1×, 2×, 4× the stream length)');
  out('ms per MB (median). A linear consumer keeps 4×/1× near 1.00; O(n²) behaviour shows up as ≈ 4.');
  const specs = [1, 2, 4].map((k) => buildStream(makeSpec({ deltas: CFG.deltas * k, seed: 1 })));
  const rows = [];
  const data = [];
  for (const size of CHUNKS) {
    const per = {};
    for (const [k, s] of specs.entries()) {
      const chunks = chunk(s.bytes, size);
      const exp = { text: s.text, events: s.events };
      const fns = {};
      for (const [n, c] of Object.entries(endToEnd())) fns[n] = async () => check(await c(fakeFetch(() => chunks)), exp, `${n} ${[1, 2, 4][k]}× ${sizeLabel(size)}`);
      const r = await interleaved(fns, { warmup: 1, runs: CFG.linRuns });
      for (const [n, v] of Object.entries(r)) (per[n] ??= []).push(v.error ? null : v.ms / (s.bytes.length / MB));
    }
    for (const n of ['ours', 'openai', 'floor']) {
      const v = per[n];
      if (!v) {
        rows.push([n, sizeLabel(size), 'n/a', 'n/a', 'n/a', 'n/a']);
        continue;
      }
      data.push({ consumer: n, chunk: size, msPerMB: v });
      rows.push([n, sizeLabel(size), ...v.map((x) => (x === null ? 'FAIL' : fmt(x, 2))), v[0] && v[2] ? fmt(v[2] / v[0], 2) : 'n/a']);
    }
  }
  out(table(['consumer', 'chunk', '1× ms/MB', '2× ms/MB', '4× ms/MB', '4×/1×'], rows, ['l', 'r']));
  out(`(1× = ${fmt(specs[0].bytes.length / MB, 1)} MB, 4× = ${fmt(specs[2].bytes.length / MB, 1)} MB)`);
  results.sections.linearity = data;
}

// ----------------------------------------------------------------------------- 4. raw SSE

async function sectionSse() {
  heading('Raw SSE parsing: SseParser.feed(bytes) vs eventsource-parser (+ TextDecoder)');
  if (!ours?.SseParser) {
    out(`skipped: ${oursWhy}`);
    return;
  }
  out('Synchronous loops over the chunk array, no fetch. MB/s (median); ratio = SseParser throughput / eventsource-parser throughput.');
  const rows = [];
  const data = [];
  const o = rawOurs(ours.SseParser);
  const e = rawEsp();
  for (const [sname, s] of Object.entries(STREAMS)) {
    // One full comparison of every event, then counts and data lengths on every run.
    const a = [];
    const b = [];
    o([s.bytes.subarray(0, 1000), s.bytes.subarray(1000)], a);
    e([s.bytes], b);
    const exp = { events: s.events, dataLen: s.dataLen };
    const same = a.length === b.length && a.every((x, i) => x[0] === b[i][0] && x[1] === b[i][1]);
    if (!same || a.length !== s.events) failures.push(`SseParser ${sname}: events differ from eventsource-parser`);
    for (const size of CHUNKS) {
      const chunks = chunk(s.bytes, size);
      const wrap = (f, n) => async () => {
        const r = f(chunks);
        if (r.events !== exp.events || r.dataLen !== exp.dataLen) throw new Wrong(`${n} ${sname} ${sizeLabel(size)}: ${r.events} events / ${r.dataLen} chars`);
      };
      const r = await interleaved({ SseParser: wrap(o, 'SseParser'), 'eventsource-parser': wrap(e, 'eventsource-parser') }, CFG);
      const bytes = s.bytes.length;
      const x = r.SseParser;
      const y = r['eventsource-parser'];
      data.push({ stream: sname, chunk: size, bytes, events: s.events, ours: { ms: x.ms, mbps: mbps(bytes, x.ms), error: x.error }, esp: { ms: y.ms, mbps: mbps(bytes, y.ms), error: y.error } });
      rows.push([sname, sizeLabel(size),
        cell(x, (v) => fmt(mbps(bytes, v.ms))), cell(x, (v) => fmt(s.events / v.ms, 0)),
        cell(y, (v) => fmt(mbps(bytes, v.ms))), cell(y, (v) => fmt(s.events / v.ms, 0)),
        x.error || y.error ? 'n/a' : fmt(ratio(y.ms, x.ms), 2) + '×']);
    }
  }
  out(table(['stream', 'chunk', 'SseParser MB/s', 'SseParser kev/s', 'esp MB/s', 'esp kev/s', 'ours/esp'], rows, ['l', 'r']));
  results.sections.sse = data;
}

// ----------------------------------------------------------------------------- 5. latency

async function sectionLatency() {
  heading('Latency: chunk enqueued → its event in the for-await body');
  out('The body enqueues a chunk only when the reader asks (highWaterMark 0), so enqueue time = arrival time and the consumer ' +
    'is idle when it arrives. Each event is attributed to the chunk holding the end of its blank line. µs, over all events of ' +
    `${CFG.latRuns} run(s) of the "text" stream after warm-up.`);
  const s = STREAMS.text;
  const rows = [];
  const data = [];
  const exp = { text: s.text, events: s.events };
  for (const size of CHUNKS) {
    const chunks = chunk(s.bytes, size);
    const endChunk = Int32Array.from(s.ends, (e) => Math.floor((e - 1) / size));
    const cs = endToEnd();
    for (const n of ['ours', 'openai', 'floor']) {
      const c = cs[n];
      if (!c) {
        rows.push([sizeLabel(size), n, 'n/a', 'n/a', 'n/a', 'n/a']);
        continue;
      }
      const lat = [];
      let error = null;
      try {
        for (let run = 0; run < CFG.warmup + CFG.latRuns; run++) {
          const trace = { enq: new Float64Array(chunks.length) };
          const l = new Float64Array(s.events);
          let k = 0;
          const hook = () => {
            l[k] = performance.now() - trace.enq[endChunk[k]];
            k++;
          };
          gc();
          check(await c(fakeFetch(() => chunks, trace), hook), exp, `${n} latency ${sizeLabel(size)}`);
          if (run >= CFG.warmup) lat.push(...l);
        }
      } catch (e) {
        error = e instanceof Wrong ? e.message : `${n}: threw ${e?.message}`;
        failures.push(error);
      }
      const us = (q) => (error ? null : quantile(lat, q) * 1000);
      data.push({ chunk: size, consumer: n, median: us(0.5), p90: us(0.9), p99: us(0.99), max: us(1), error });
      rows.push([sizeLabel(size), n, error ? 'FAIL' : fmt(us(0.5)), error ? 'FAIL' : fmt(us(0.9)), error ? 'FAIL' : fmt(us(0.99)), error ? 'FAIL' : fmt(us(1), 0)]);
    }
  }
  out(table(['chunk', 'consumer', 'median µs', 'p90 µs', 'p99 µs', 'max µs'], rows, ['l', 'l']));
  results.sections.latency = data;
}

// ----------------------------------------------------------------------------- 6. memory

async function sectionMemory() {
  heading(`Peak memory streaming ~${CFG.memMB} MB (generated lazily, 16 KiB chunks)`);
  out('Each case runs in its own `node --expose-gc` process. peak RSS = getrusage maxRSS; heap/external = sampled peaks of ' +
    'process.memoryUsage() every ~1 MB. "drain" = the generator + fake fetch alone (the harness baseline); ' +
    '"iterate" = for-await only; "+ finalResponse" = also asks for the accumulated Response. The generator itself ' +
    'holds the answer text (~2.4% of the stream) at the end to emit the *.done events.');
  const cases = [
    ['drain', 'drain (harness only)'],
    ['floor-parse', 'floor: parse only'],
    ['floor-acc', 'floor: parse + accumulate text'],
    ['ours-iterate', 'ours: iterate'],
    ['ours-final', 'ours: iterate + finalResponse'],
    ['openai', 'openai: iterate + finalResponse'],
  ];
  const rows = [];
  const data = [];
  for (const [kind, label] of cases) {
    const p = spawnSync(process.execPath, ['--expose-gc', ROOT + 'bench/memory-child.mjs', kind, String(CFG.memMB), '16384'], {
      cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20,
    });
    let r;
    try {
      r = JSON.parse(p.stdout.trim().split('\n').pop());
    } catch {
      r = { kind, error: `exit ${p.status}: ${(p.stderr || p.stdout).trim().split('\n').slice(-3).join(' / ')}` };
    }
    if (r.skipped) {
      rows.push([label, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
      data.push(r);
      continue;
    }
    if (r.error || !r.ok) {
      const msg = `memory ${kind}: ${r.error ?? r.why}`;
      failures.push(msg);
      rows.push([label, 'FAIL', '', '', '', '', '']);
      data.push({ ...r, error: msg });
      continue;
    }
    data.push(r);
    rows.push([label, fmt(r.bytes / MB, 0), fmt(r.ms / 1000, 2), fmt(mbps(r.bytes, r.ms)),
      fmt(r.maxRss / MB), fmt((r.maxRss - r.baseRss) / MB), fmt(r.peakHeap / MB), fmt(r.peakExternal / MB)]);
  }
  out(table(['case', 'MB', 'time s', 'MB/s', 'peak RSS MB', 'RSS growth MB', 'peak heap MB', 'peak external MB'], rows, ['l']));
  results.sections.memory = data;
}

// ----------------------------------------------------------------------------- 7. startup

/** Appends a custom section with a unique name: the same module, different bytes (defeats V8's module cache). */
function uniqueWasm(bytes, i) {
  const name = new TextEncoder().encode(`bench-${i}-${Math.random()}`);
  const payload = new Uint8Array(1 + name.length + 0);
  payload[0] = name.length; // name length (< 128: one LEB128 byte)
  payload.set(name, 1);
  const out = new Uint8Array(bytes.length + 2 + payload.length);
  out.set(bytes);
  out[bytes.length] = 0; // custom section id
  out[bytes.length + 1] = payload.length; // section size (< 128)
  out.set(payload, bytes.length + 2);
  return out;
}

async function sectionStartup() {
  heading('Start-up: wasm instantiation and import cost');
  const wasmPath = ROOT + 'pkg/cometapi_responses_bg.wasm';
  const rows = [];
  const data = {};
  if (existsSync(wasmPath)) {
    const bytes = new Uint8Array(readFileSync(wasmPath));
    const c = [];
    const ci = [];
    const s = [];
    const init = [];
    for (let i = 0; i < CFG.instN + 2; i++) {
      const b = uniqueWasm(bytes, i);
      gc();
      let t0 = performance.now();
      const mod = await WebAssembly.compile(b);
      const tc = performance.now() - t0;
      const imports = {};
      for (const imp of WebAssembly.Module.imports(mod)) {
        imports[imp.module] ??= {};
        imports[imp.module][imp.name] = imp.kind === 'function' ? () => {} : undefined;
      }
      t0 = performance.now();
      await WebAssembly.instantiate(mod, imports);
      const ti = performance.now() - t0;
      const b2 = uniqueWasm(bytes, i + 1000);
      t0 = performance.now();
      new WebAssembly.Module(b2);
      const ts = performance.now() - t0;
      // The node entry's real path: a fresh copy of the glue, initSync with the bytes.
      const glue = await import(`../pkg/cometapi_responses.js?bench=${i}`);
      const b3 = uniqueWasm(bytes, i + 2000);
      t0 = performance.now();
      glue.initSync({ module: b3 });
      const tg = performance.now() - t0;
      if (i >= 2) {
        c.push(tc);
        ci.push(ti);
        s.push(ts);
        init.push(tg);
      }
    }
    data.wasm = { bytes: bytes.length, compileAsync: median(c), instantiate: median(ci), compileSync: median(s), initSync: median(init) };
    rows.push(['WebAssembly.compile (async, fresh bytes)', fmt(median(c), 2)]);
    rows.push(['WebAssembly.instantiate (stub imports)', fmt(median(ci), 2)]);
    rows.push(['new WebAssembly.Module (sync, what initSync does)', fmt(median(s), 2)]);
    rows.push(['initSync({ module: bytes }) on a fresh glue copy', fmt(median(init), 2)]);
  } else rows.push(['wasm instantiation', 'n/a (no pkg/)']);

  // Child processes: the whole `node` run, and the dynamic import inside it.
  const child = (what) => {
    const wall = [];
    const imp = [];
    for (let i = 0; i < CFG.startupN + 1; i++) {
      const t0 = performance.now();
      const p = spawnSync(process.execPath, [ROOT + 'bench/import-child.mjs', what], { cwd: ROOT, encoding: 'utf8' });
      const t = performance.now() - t0;
      if (p.status !== 0) return { error: (p.stderr || '').trim().split('\n').slice(-2).join(' / ') };
      if (i > 0) {
        wall.push(t);
        imp.push(JSON.parse(p.stdout).ms);
      }
    }
    return { wall: median(wall), import: median(imp) };
  };
  const base = child('none');
  data.nodeBaseline = base;
  rows.push(['node process, no import (wall)', fmt(base.wall, 1)]);
  for (const [label, spec] of [['cometapi-responses', OURS_SPEC], ['openai', 'openai'], ['eventsource-parser', 'eventsource-parser']]) {
    const r = child(spec);
    data[label] = r;
    if (r.error) rows.push([`import('${label}') in a child`, `error: ${r.error}`]);
    else {
      rows.push([`import('${label}'): in-process`, fmt(r.import, 1)]);
      rows.push([`import('${label}'): process wall − baseline`, fmt(r.wall - base.wall, 1)]);
    }
  }
  out(`Medians; wasm rows over ${CFG.instN} fresh modules (a unique custom section defeats V8's module cache), ` +
    `child rows over ${CFG.startupN} processes.`);
  out(table(['what', 'ms'], rows, ['l', 'r']));
  results.sections.startup = data;
}

// ----------------------------------------------------------------------------- 8. size

async function sectionSize() {
  heading('Size (gzip -9)');
  const gz = (buf) => gzipSync(buf, { level: 9 }).length;
  const rows = [];
  const data = {};
  const pkg = ROOT + 'pkg/';
  const files = ['cometapi_responses_bg.wasm', 'cometapi_responses_bg.inline.js', 'cometapi_responses.js', 'api.js', 'errors.js',
    'node.js', 'browser.js'];
  const sz = {};
  for (const f of files) {
    if (!existsSync(pkg + f)) continue;
    const b = readFileSync(pkg + f);
    sz[f] = { raw: b.length, gzip: gz(b) };
    rows.push([`pkg/${f}`, kib(b.length), kib(sz[f].gzip)]);
  }
  const sum = (list) => list.reduce((a, f) => ({ raw: a.raw + (sz[f]?.raw ?? 0), gzip: a.gzip + (sz[f]?.gzip ?? 0) }), { raw: 0, gzip: 0 });
  const common = ['cometapi_responses_bg.wasm', 'cometapi_responses.js', 'api.js', 'errors.js'];
  const inline = Boolean(sz['cometapi_responses_bg.inline.js']);
  const nodeTotal = sum([...common, 'node.js']);
  const browserTotal = inline
    ? sum(['cometapi_responses_bg.inline.js', ...common.slice(1), 'browser.js'])
    : sum([...common, 'browser.js']);
  rows.push(['**ours: wasm + glue (node entry), per-file gzip**', kib(nodeTotal.raw), kib(nodeTotal.gzip)]);
  rows.push([`**ours: ${inline ? 'inlined wasm' : 'wasm'} + glue (browser entry), per-file gzip**`, kib(browserTotal.raw), kib(browserTotal.gzip)]);
  data.files = sz;
  data.oursNode = nodeTotal;
  data.oursBrowser = browserTotal;

  const esbuild = await import('esbuild');
  const bundle = async (contents) => {
    const r = await esbuild.build({
      stdin: { contents, resolveDir: ROOT, sourcefile: 'entry.mjs', loader: 'js' },
      bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent',
      external: ['*.wasm'], metafile: true,
    });
    const b = r.outputFiles[0].contents;
    return { raw: b.length, gzip: gz(b), inputs: Object.keys(r.metafile.inputs) };
  };
  const openaiEntry = `import OpenAI from 'openai';
const client = new OpenAI({ apiKey: 'x', baseURL: 'https://api.example.com/v1', dangerouslyAllowBrowser: true });
export async function run() {
  const r = await client.responses.create({ model: 'gpt-5.2', input: 'hi' });
  const s = client.responses.stream({ model: 'gpt-5.2', input: 'hi' });
  for await (const e of s) console.log(e.type);
  return [r.output_text, (await s.finalResponse()).output_text];
}`;
  data.openaiBundle = await bundle(openaiEntry);
  rows.push(['**openai-node minimal app** (esbuild --bundle --minify --format=esm --platform=browser)', kib(data.openaiBundle.raw), kib(data.openaiBundle.gzip)]);
  if (existsSync(pkg + 'browser.js')) {
    try {
      const oursEntry = `import { ResponsesClient, SseParser } from 'cometapi-responses';
const client = typeof ResponsesClient === 'function' ? new ResponsesClient({ apiKey: 'x' }) : null;
export async function run() {
  const r = await client.create({ model: 'gpt-5.2', input: 'hi' });
  const s = client.stream({ model: 'gpt-5.2', input: 'hi' });
  for await (const e of s) console.log(e.type);
  return [r.output_text, (await s.finalResponse()).output_text, new SseParser()];
}`;
      const js = await bundle(oursEntry);
      const inlined = js.inputs.some((f) => f.endsWith('.inline.js'));
      const w = inlined ? { raw: 0, gzip: 0 } : sz['cometapi_responses_bg.wasm'];
      data.oursBundle = { js, wasmInlined: inlined, total: { raw: js.raw + w.raw, gzip: js.gzip + w.gzip } };
      if (inlined) rows.push(['**ours, same app bundled the same way** (wasm inlined in the JS)', kib(js.raw), kib(js.gzip)]);
      else {
        rows.push(['ours, same app bundled the same way: JS', kib(js.raw), kib(js.gzip)]);
        rows.push(['**ours, same app: JS bundle + wasm**', kib(js.raw + w.raw), kib(js.gzip + w.gzip)]);
      }
    } catch (e) {
      rows.push(['ours bundled with esbuild', 'error', e.message.split('\n')[0]]);
    }
  }
  data.espBundle = await bundle(`export { createParser } from 'eventsource-parser';`);
  rows.push(['eventsource-parser alone (bundled the same way)', kib(data.espBundle.raw), kib(data.espBundle.gzip)]);
  out('KiB. Targets: ours ≤ 100 KiB gzip now, ≤ 36 KiB later.');
  out(table(['artefact', 'raw KiB', 'gzip KiB'], rows, ['l', 'r', 'r']));
  results.sections.size = data;
}

// ----------------------------------------------------------------------------- main

const sections = { throughput: sectionThroughput, recorded: sectionRecorded, linearity: sectionLinearity, sse: sectionSse,
  latency: sectionLatency, memory: sectionMemory, startup: sectionStartup, size: sectionSize };
const t0 = performance.now();
results.meta.loadavgStart = loadavg().map((x) => +x.toFixed(2));
for (const [name, fn] of Object.entries(sections)) {
  if (!want(name)) continue;
  const ts = performance.now();
  results.meta[`loadavg_${name}`] = loadavg().map((x) => +x.toFixed(2));
  try {
    await fn();
  } catch (e) {
    failures.push(`section ${name} crashed: ${e?.stack ?? e}`);
    out(`\nsection ${name} crashed: ${e?.message}`);
  }
  results.meta[`seconds_${name}`] = +((performance.now() - ts) / 1000).toFixed(1);
}
results.meta.seconds = +((performance.now() - t0) / 1000).toFixed(1);
results.meta.loadavgEnd = loadavg().map((x) => +x.toFixed(2));
results.failures = failures;
heading('Result checks');
out(failures.length ? failures.map((f) => `- FAIL ${f}`).join('\n') : 'Every consumer returned the expected final text and event count on every run.');
out(`\n(total ${results.meta.seconds} s; 1-minute load average at start ${results.meta.loadavgStart[0]}, at end ${results.meta.loadavgEnd[0]} ` +
  `on ${cpus().length} cores — other processes on the machine inflate times)`);
mkdirSync(OUT, { recursive: true });
writeFileSync(OUT + 'results.json', JSON.stringify(results, null, 2) + '\n');
writeFileSync(OUT + 'report.md', md.join('\n') + '\n');
console.log(`\nwrote ${OUT}results.json and ${OUT}report.md`);
process.exit(failures.length ? 1 : 0);
