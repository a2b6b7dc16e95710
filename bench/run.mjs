// The benchmark harness: `make bench` (= make build && node --expose-gc bench/run.mjs).
//
// One Node process, the same bytes for every consumer, each consumer fed by a fake `fetch` whose
// Response body is a ReadableStream of pre-made chunks (views made once up front). Every result
// is checked (final text and event count) before its time is kept: a consumer that returns a
// wrong result yields FAIL instead of a number, and the run exits non-zero. The consumers:
// ours (pkg/ or BENCH_PKG), openai-node and the AI SDK (bench/package.json, installed into
// build/bench/deps/), and the floor (reader + TextDecoder + eventsource-parser + JSON.parse).
//
//   BENCH_QUICK=1          smoke run (~1.5 minutes): shorter streams, fewer runs; not for quoting
//   BENCH_ONLY=a,b         only these sections: throughput, short, linearity, response, recorded, sse,
//                          latency, memory, startup, size, edge, base64, socket
//   BENCH_RUNS=n           timed runs per case in the throughput, recorded and sse sections
//   BENCH_BREAK=ours       corrupt one consumer's results (checks that the run then fails)
//   BENCH_PKG=dir          measure another build of the package (a directory like pkg/) instead of pkg/
//
// Results: tables on stdout, build/bench/results.json, build/bench/report.md, and the chart
// build/bench/performance.svg (also written to docs/performance.svg by a full run of every section).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { makeSpec, buildStream, chunk } from './lib/synth.mjs';
import { Wrong, check } from './lib/check.mjs';
import { DEPS, depVersion, ensureDeps } from './lib/deps.mjs';
import { loadRecorded } from './lib/recorded.mjs';
import { OURS_DIR, OURS_SPEC, importOurs, oursResolveDir, resolveFrom } from './lib/ours.mjs';
import { median, quantile, MB, fmt, fmtInt, kib, sizeLabel, table } from './lib/stats.mjs';
import { chartSvg } from './lib/chart.mjs';

ensureDeps();
const { fakeFetch, oursConsumer, oursResponseReader, openaiConsumer, aisdkConsumer, floorConsumer, rawOurs, rawEsp } =
  await import('./lib/consumers.mjs');

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = ROOT + 'build/bench/';
const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const want = (s) => !ONLY.length || ONLY.includes(s);
const CFG = QUICK
  ? {
      deltas: 2000, warmup: 1, runs: 1, rounds: 1, linDeltas: 500, linRuns: 1, recBytes: 16e3, recRuns: 1, latRuns: 1, memMB: 20, memSmallMB: 5,
      startupN: 2, instN: 3, shortMs: 30, shortRuns: 2, rpsRuns: 1, respDeltas: 1000, edgeRuns: 1, edgeShort: 10, edgeLong: 1,
      edgeLongDeltas: 500, edgeStartup: 1, socketRuns: 2,
    }
  : {
      deltas: 20000, warmup: 1, runs: 4, rounds: 2, linDeltas: 2500, linRuns: 2, recBytes: 96e3, recRuns: 3, latRuns: 1, memMB: 200, memSmallMB: 50,
      startupN: 5, instN: 15, shortMs: 300, shortRuns: 7, rpsRuns: 4, respDeltas: 5000, edgeRuns: 5, edgeShort: 100, edgeLong: 4,
      edgeLongDeltas: 2000, edgeStartup: 3, socketRuns: 7,
    };
if (process.env.BENCH_RUNS) CFG.runs = CFG.recRuns = Number(process.env.BENCH_RUNS);
const CHUNKS = [16384, 300, 64];
const CONCURRENT = 100;
const SHORT_DELTAS = 30; // 38 events
const gc = globalThis.gc ?? (() => {});
const NAMES = { ours: 'ours', openai: 'openai', aisdk: 'AI SDK', floor: 'floor', drain: 'drain' };

const failures = [];
const results = { meta: {}, config: { quick: QUICK, ...CFG, chunks: CHUNKS }, sections: {} };
const md = [];
const out = (s = '') => {
  console.log(s);
  md.push(s);
};
const load = () => loadavg().map((x) => x.toFixed(2)).join(' / ');
const heading = (t) => {
  out(`\n## ${t}\n`);
  out(`_load average ${load()} (1/5/15 min) on ${cpus().length} cores; Node ${process.version}_\n`);
};

// ----------------------------------------------------------------------------- setup

let ours = null;
let oursWhy = '';
try {
  ours = await importOurs();
} catch (e) {
  oursWhy = `the package is not importable: ${e.message}`;
}
const hasClient = typeof ours?.ResponsesClient === 'function';
if (ours && !hasClient) oursWhy = 'ResponsesClient is not in the package';

const cpuModel = cpus()[0]?.model ?? 'unknown';
let gitRev = '';
try {
  gitRev = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src', 'js'], { encoding: 'utf8' }).trim();
  if (dirty) gitRev += ' (src/ or js/ modified)';
} catch {}
const rootVersion = (p) => JSON.parse(readFileSync(ROOT + `node_modules/${p}/package.json`, 'utf8')).version;
Object.assign(results.meta, {
  date: new Date().toISOString(),
  cpu: cpuModel,
  cores: cpus().length,
  memGB: +(totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
  v8: process.versions.v8,
  openai: depVersion('openai'),
  ai: depVersion('ai'),
  aiSdkOpenai: depVersion('@ai-sdk/openai'),
  eventsourceParser: depVersion('eventsource-parser'),
  esbuild: rootVersion('esbuild'),
  miniflare: rootVersion('miniflare'),
  git: gitRev,
  exposeGc: typeof globalThis.gc === 'function',
  oursClient: hasClient,
  oursFrom: OURS_DIR,
});
const M = results.meta;
out('# cometapi-responses benchmarks' + (QUICK ? ' (BENCH_QUICK=1: smoke run, not for quoting)' : ''));
out();
out(`${cpuModel}, ${cpus().length} cores, ${M.memGB} GiB; Node ${process.version} (V8 ${process.versions.v8}); ` +
  `openai ${M.openai}, ai ${M.ai} + @ai-sdk/openai ${M.aiSdkOpenai}, eventsource-parser ${M.eventsourceParser}, ` +
  `miniflare ${M.miniflare}; commit ${gitRev}; load average at start ${load()}.`);
if (process.env.BENCH_PKG) out(`"ours" is the build at ${OURS_DIR} (BENCH_PKG), not pkg/.`);
if (!M.exposeGc) out('warning: run with --expose-gc (make bench does) so every run starts after a full GC.');
if (!hasClient) out(`\nnote: "ours" end-to-end columns are n/a: ${oursWhy}.`);

// ----------------------------------------------------------------------------- helpers

/**
 * Runs fn once, after a GC (unless noGc); returns [wall ms, process CPU ms]. CPU time (all
 * threads of this process, GC helpers included) is kept too because the machine may be shared:
 * when other processes compete for the 2 cores, wall time grows and CPU time mostly does not.
 */
async function timed(fn, noGc = false) {
  if (!noGc) gc();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) / 1000];
}

/**
 * Measures each consumer in a block of its own: `warmup` discarded runs, then `runs` timed ones,
 * consumer after consumer. Not run-by-run interleaving: in one process, the first run of ours
 * right after an AI SDK run took ~5× the CPU time of the following ones (measured on the 5.6 MB
 * stream; most likely code every consumer shares, such as Node's JS web streams, re-optimised
 * after the SDK's TransformStream pipelines), so interleaving would charge that to whoever runs
 * next. The warm-up runs absorb it. With `rounds` > 1 the blocks repeat (each with its warm-up), so
 * that a consumer's timed runs are spread over the section and load drift hits all consumers alike.
 * consumers: { name: async () => void (throws Wrong on a bad result) }.
 * Returns { name: { times: [ms…], cpu: [ms…], ms, cpuMs, error? } }.
 */
async function measure(consumers, { warmup, runs, rounds = 1, known = () => null, noGc = false }) {
  const res = Object.fromEntries(Object.keys(consumers).map((k) => [k, { times: [], cpu: [] }]));
  const per = Math.ceil(runs / rounds);
  for (let round = 0; round < rounds; round++) for (const [name, fn] of Object.entries(consumers)) {
    const r = res[name];
    for (let i = 0; i < warmup + per && !r.error; i++) {
      try {
        const [t, c] = await timed(fn, noGc);
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

/** The end-to-end consumers (ours only when the package has a client; the AI SDK where asked). */
const endToEnd = ({ aisdk = true } = {}) => {
  const c = {};
  if (hasClient) c.ours = oursConsumer(ours);
  c.openai = openaiConsumer();
  if (aisdk) c.aisdk = aisdkConsumer();
  c.floor = floorConsumer();
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
const x = (v) => (v === null || v === undefined ? 'n/a' : fmt(v, 2) + '×');
const signed = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : (v >= 0 ? '+' : '−') + fmt(Math.abs(v), d));
const cell = (r, f) => (!r ? 'n/a' : r.known ? '✗†' : r.error ? 'FAIL' : f(r));
const expOf = (s) => ({ text: s.text, events: s.events, deltas: s.deltaEvents });

// ----------------------------------------------------------------------------- streams

const STREAMS = {
  text: buildStream(makeSpec({ deltas: CFG.deltas, seed: 1 })),
  multibyte: buildStream(makeSpec({ deltas: CFG.deltas, multibyte: true, seed: 2 })),
};
const SHORT = buildStream(makeSpec({ deltas: SHORT_DELTAS, seed: 3 }));
out(`\nStreams: "text" = ${fmtInt(CFG.deltas)} output_text deltas, ${fmt(STREAMS.text.bytes.length / MB, 2)} MB, ` +
  `${fmtInt(STREAMS.text.events)} events (shaped like the recorded OpenAI streams); "multibyte" = the same with ` +
  `CJK/emoji/accented deltas (raw UTF-8), ${fmt(STREAMS.multibyte.bytes.length / MB, 2)} MB; "short" = ${SHORT.events} events, ` +
  `${fmt(SHORT.bytes.length / 1e3, 1)} kB in one chunk. Chunk sizes ${CHUNKS.map(sizeLabel).join(', ')}.`);

// ----------------------------------------------------------------------------- 1. throughput

async function sectionThroughput() {
  heading('End-to-end throughput (client.stream → for await → finalResponse)');
  out(`Milliseconds of process CPU time per stream, wall time in parentheses (median of ${CFG.runs} runs, each after a full GC, in ` +
    `${CFG.rounds} rounds of blocks: in each round, each consumer runs ${CFG.warmup} warm-up + ${Math.ceil(CFG.runs / CFG.rounds)} timed runs in a block of its own, see bench/run.mjs \`measure\`). CPU time is what ` +
    'the ratios and the targets use: on a shared machine wall time also measures the neighbours (CPU time counts V8\'s GC ' +
    'helper threads too). MB/s from CPU time. "×" columns are speed ratios, the other consumer\'s time / ours (> 1: ours is faster). openai = `client.responses.stream()` → for await → ' +
    '`finalResponse()`; AI SDK = `streamText({ model: openai.responses(…) })` → for await of `fullStream` → `text`; ' +
    'floor = reader + TextDecoder + eventsource-parser + JSON.parse of every event + appending the text deltas (no client); ' +
    'drain = reading the body and discarding it (the fake network every consumer pays).');
  const rows = [];
  const data = [];
  for (const [sname, s] of Object.entries(STREAMS)) {
    for (const size of CHUNKS) {
      const chunks = chunk(s.bytes, size);
      const exp = expOf(s);
      const fns = {};
      for (const [n, c] of Object.entries(endToEnd())) fns[n] = async () => check(await c(fakeFetch(() => chunks)), exp, `${n} ${sname} ${sizeLabel(size)}`);
      fns.drain = async () => {
        const res = await fakeFetch(() => chunks)();
        const rd = res.body.getReader();
        while (!(await rd.read()).done);
      };
      const r = await measure(fns, { warmup: CFG.warmup, runs: CFG.runs, rounds: CFG.rounds });
      const bytes = s.bytes.length;
      data.push({
        stream: sname, chunk: size, bytes, events: s.events,
        ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { ms: v.ms, cpuMs: v.cpuMs, times: v.times, mbps: mbps(bytes, v.ms), cpuMbps: mbps(bytes, v.cpuMs), error: v.error }])),
      });
      const o = r.ours;
      const ok = o && !o.error;
      const sp = (k, f) => (ok && r[k] && !r[k].error ? x(ratio(r[k][f], o[f])) : 'n/a');
      const ms = (v) => `${fmt(v.cpuMs, 0)} (${fmt(v.ms, 0)})`;
      rows.push([
        sname, sizeLabel(size),
        cell(o, ms), cell(r.openai, ms), cell(r.aisdk, ms), cell(r.floor, ms), fmt(r.drain.cpuMs, 0),
        cell(o, (v) => fmt(mbps(bytes, v.cpuMs))),
        sp('openai', 'cpuMs'), sp('aisdk', 'cpuMs'), sp('floor', 'cpuMs'), sp('floor', 'ms'),
      ]);
    }
  }
  out(table(['stream', 'chunk', 'ours ms', 'openai ms', 'AI SDK ms', 'floor ms', 'drain ms', 'ours MB/s',
    'ours/openai', 'ours/AI SDK', 'ours/floor', 'ours/floor (wall)'], rows, ['l', 'r']));
  results.sections.throughput = data;
}

// ----------------------------------------------------------------------------- 2. short answers

async function sectionShort() {
  heading(`Per request: a short answer (${SHORT.events} events, ${fmt(SHORT.bytes.length / 1e3, 1)} kB, one chunk)`);
  out(`A new client and request each time, as a Worker or a chat backend does (a client made with the same options as the last one shares its core client, js/client.js). µs per request = the time of a batch of ` +
    `requests run one after another (≥ ${CFG.shortMs} ms per batch, no forced GC: the garbage of the requests is collected ` +
    `inside the batches) / its size; median of ${CFG.shortRuns} batches after a warm-up one. ` +
    `req/s = ${CONCURRENT} streams started at once (Promise.all) and read to the end, rounds of them per batch ` +
    `(≥ ${CFG.shortMs} ms), median of ${CFG.rpsRuns} batches after a warm-up one. Each consumer's batches run in a block of their own.`);
  const chunks = [SHORT.bytes];
  const exp = expOf(SHORT);
  const cs = endToEnd();
  const one = (n, c) => async () => check(await c(fakeFetch(() => chunks)), exp, `${n} short`);
  const many = (n, c) => async () => {
    const rs = await Promise.all(Array.from({ length: CONCURRENT }, () => c(fakeFetch(() => chunks))));
    for (const r of rs) check(r, exp, `${n} short ×${CONCURRENT}`);
  };
  const data = {};
  for (const [mode, make, per] of [['sequential', one, 1], ['concurrent', many, CONCURRENT]]) {
    // calibrate the batch size per consumer: ≥ shortMs per batch
    const fns = {};
    const batch = {};
    for (const [n, c] of Object.entries(cs)) {
      const f = make(n, c);
      try {
        for (let i = 0; i < (mode === 'sequential' ? 3 : 1); i++) await f();
        const t0 = performance.now();
        const k = mode === 'sequential' ? 10 : 1;
        for (let i = 0; i < k; i++) await f();
        const each = (performance.now() - t0) / k;
        batch[n] = Math.max(1, Math.ceil(CFG.shortMs / Math.max(each, 0.001)));
      } catch (e) {
        batch[n] = 1;
      }
      fns[n] = async () => {
        for (let i = 0; i < batch[n]; i++) await f();
      };
    }
    const r = await measure(fns, { warmup: 1, runs: mode === 'sequential' ? CFG.shortRuns : CFG.rpsRuns, noGc: true });
    data[mode] = Object.fromEntries(Object.entries(r).map(([n, v]) => [n, {
      batch: batch[n], error: v.error,
      usPerRequest: v.error ? null : (v.ms * 1000) / (batch[n] * per),
      cpuUsPerRequest: v.error ? null : (v.cpuMs * 1000) / (batch[n] * per),
      rps: v.error ? null : (batch[n] * per) / (v.ms / 1000),
      cpuRps: v.error ? null : (batch[n] * per) / (v.cpuMs / 1000),
    }]));
  }
  const s = data.sequential;
  const c = data.concurrent;
  const rows = Object.keys(cs).map((n) => [
    NAMES[n],
    s[n].error ? 'FAIL' : fmt(s[n].cpuUsPerRequest, 0), s[n].error ? 'FAIL' : fmt(s[n].usPerRequest, 0),
    n === 'ours' ? '' : x(ratio(s[n].cpuUsPerRequest, s.ours?.cpuUsPerRequest)),
    c[n].error ? 'FAIL' : fmtInt(c[n].rps), c[n].error ? 'FAIL' : fmtInt(c[n].cpuRps),
    n === 'ours' ? '' : x(ratio(c.ours?.cpuRps, c[n].cpuRps)),
  ]);
  out(table(['consumer', 'CPU µs / request', 'wall µs / request', 'its CPU / ours', `req/s, ${CONCURRENT} concurrent (wall)`,
    'req/s per CPU second', 'ours / its (CPU)'], rows, ['l', 'r']));
  if (s.ours && s.floor && !s.ours.error) out(`\nours takes ${x(ratio(s.ours.cpuUsPerRequest, s.floor.cpuUsPerRequest))} the floor's CPU time per request.`);
  results.sections.short = { bytes: SHORT.bytes.length, events: SHORT.events, concurrency: CONCURRENT, ...data };
}

// ----------------------------------------------------------------------------- 3. linearity

async function sectionLinearity() {
  heading('Linearity (time per MB at 1×, 2×, 4× the stream length)');
  const specs = [1, 2, 4].map((k) => buildStream(makeSpec({ deltas: CFG.linDeltas * k, seed: 1 })));
  out(`CPU ms per MB (median of ${CFG.linRuns} runs after a warm-up; consumer by consumer, each first primed with two runs). ` +
    'A linear consumer keeps 4×/1× near 1.00; O(n²) ' +
    `behaviour shows up as ≈ 4. 1× = ${fmtInt(CFG.linDeltas)} deltas, ${fmt(specs[0].bytes.length / MB, 1)} MB; ` +
    `4× = ${fmt(specs[2].bytes.length / MB, 1)} MB.`);
  const rows = [];
  const data = [];
  for (const [n, c] of Object.entries(endToEnd())) {
    let primed = false;
    for (const size of CHUNKS) {
      const v = [];
      for (const [k, s] of specs.entries()) {
        const chunks = chunk(s.bytes, size);
        const fn = async () => check(await c(fakeFetch(() => chunks)), expOf(s), `${n} ${[1, 2, 4][k]}× ${sizeLabel(size)}`);
        const r = (await measure({ [n]: fn }, { warmup: primed ? 1 : 3, runs: CFG.linRuns }))[n];
        primed = true;
        v.push(r.error ? null : r.cpuMs / (s.bytes.length / MB));
      }
      const growth = v[0] && v[2] ? v[2] / v[0] : null;
      data.push({ consumer: n, chunk: size, msPerMB: v, growth });
      rows.push([NAMES[n], sizeLabel(size), ...v.map((y) => (y === null ? 'FAIL' : fmt(y, 2))), growth === null ? 'n/a' : fmt(growth, 2)]);
    }
  }
  out(table(['consumer', 'chunk', '1× ms/MB', '2× ms/MB', '4× ms/MB', '4×/1×'], rows, ['l', 'r']));
  results.sections.linearity = data;
}

// ----------------------------------------------------------------------------- 4. stream.response

async function sectionResponse() {
  heading('`stream.response` read on every event');
  if (!hasClient) {
    out(`skipped: ${oursWhy}`);
    return;
  }
  const N = CFG.respDeltas;
  // Ascending sizes up to 2N; a size whose run would take longer than the budget (the last time ×
  // 4, as if quadratic) is not run, and the ratio is then taken between the two largest sizes run.
  const sizes = [N / 8, N / 4, N / 2, N, 2 * N].map(Math.round);
  const budgetMs = QUICK ? 8000 : 40000;
  out(`A UI that shows the snapshot on every delta: \`for await (const e of stream) view(stream.response)\`, deltas of ` +
    `100 characters, 16 KiB chunks, up to ${fmtInt(N)} and ${fmtInt(2 * N)} deltas; the final snapshot's text is checked. ` +
    'Process CPU time. Linear in the response\'s size: 2× the deltas takes 2× the time (a snapshot rebuilt on every event: 4×). "without" = ' +
    `the same stream, \`.response\` never read. A size whose run would exceed ${budgetMs / 1000} s (the previous time × 4) ` +
    'is not run; the ratio is then the one between the two largest sizes run.');
  const data = { deltas: N, rows: [] };
  const reader = oursResponseReader(ours);
  const plain = oursConsumer(ours);
  const run = async (s, c, who) => {
    const chunks = chunk(s.bytes, 16384);
    const [, cpu] = await timed(async () => check(await c(fakeFetch(() => chunks)), expOf(s), who));
    return cpu;
  };
  try {
    let last = 0;
    for (const d of sizes) {
      if (last * 4 > budgetMs) {
        data.rows.push({ deltas: d, skipped: true, expectedMs: (data.rows.at(-1).expectedMs ?? last) * 4 });
        continue;
      }
      const s = buildStream(makeSpec({ deltas: d, deltaChars: 100, seed: 4 }));
      const first = await run(s, reader, `.response ${d}`);
      const times = [first];
      const plainTimes = [await run(s, plain, `ours ${d}`)];
      // repeat only what is quick
      for (let i = 1; i < (first < 1500 ? 3 : 1); i++) {
        times.push(await run(s, reader, `.response ${d}`));
        plainTimes.push(await run(s, plain, `ours ${d}`));
      }
      last = median(times);
      data.rows.push({ deltas: d, bytes: s.bytes.length, ms: last, plainMs: median(plainTimes), times, plainTimes });
    }
    const done = data.rows.filter((r) => !r.skipped);
    const rows = data.rows.map((r) => r.skipped
      ? [fmtInt(r.deltas), `not run (~${fmt(r.expectedMs / 1000, 0)} s expected)`, '', '']
      : [fmtInt(r.deltas), fmt(r.ms), fmt(r.plainMs), fmt((r.ms * 1000) / r.deltas, 1)]);
    out(table(['deltas', 'reading .response, CPU ms', 'without, CPU ms', 'CPU µs per delta (reading)'], rows, ['r', 'r', 'r', 'r']));
    const b = done.at(-1);
    const a = done.at(-2);
    data.growth = a && b ? b.ms / a.ms : null;
    data.pair = a && b ? [a.deltas, b.deltas] : null;
    data.atN = done.find((r) => r.deltas === N) ?? null;
    if (data.growth) {
      out(`\n${fmtInt(b.deltas)} deltas take **${fmt(data.growth, 2)}×** the time of ${fmtInt(a.deltas)} (linear: 2.00; quadratic: 4.00)` +
        (data.atN ? `; at ${fmtInt(N)} deltas reading \`.response\` on every event costs ${x(data.atN.ms / data.atN.plainMs)} the plain stream.` : '.'));
    }
  } catch (e) {
    const msg = e instanceof Wrong ? e.message : `.response: threw ${e?.message}`;
    failures.push(msg);
    data.error = msg;
    out(`FAIL ${msg}`);
  }
  results.sections.response = data;
}

// ----------------------------------------------------------------------------- 5. recorded

/**
 * Recorded streams the official SDK does not handle the way this package's contract requires.
 * Its result there is shown as ✗† with the reason, and does not fail the run; any OTHER wrong
 * result (and any wrong result of ours or the floor) does.
 */
const KNOWN = {
  openai: {
    '*': [/Unhandled response stream event/, 'openai-node throws on an event type it does not know ("Unhandled response stream event")'],
    'openai_background_resume_starting_after0.sse': [/expected 'response.created' event|snapshot hasn't been set/,
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
    `so per-request overhead counts. MB per CPU second (median of ${CFG.recRuns} samples after a warm-up); ratios as above, by CPU time. (The AI SDK is left out here: it hands out parts, not the ` +
    'recorded events, so there is no event count to check.)');
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
      for (const [n, c] of Object.entries(endToEnd({ aisdk: false }))) {
        fns[n] = async () => {
          for (let i = 0; i < reps; i++) check(await c(fakeFetch(() => chunks)), exp, `${n} ${s.name} ${sizeLabel(size)}`);
        };
      }
      const known = (n, msg) => {
        for (const k of [KNOWN[n]?.[s.name], KNOWN[n]?.['*']]) if (k && k[0].test(msg)) return k[1];
        return null;
      };
      const r = await measure(fns, { warmup: CFG.warmup, runs: CFG.recRuns, known });
      for (const v of Object.values(r)) if (v.known) notes.add(`${s.name}: ${v.known}`);
      const bytes = s.bytes.length * reps;
      const o = r.ours;
      data.push({ name: s.name, chunk: size, bytes: s.bytes.length, events: s.events, reps,
        ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { ms: v.ms, cpuMs: v.cpuMs, mbps: mbps(bytes, v.cpuMs), perStreamCpuUs: v.cpuMs ? (v.cpuMs * 1000) / reps : null, error: v.error }])) });
      rows.push([
        s.name, fmtInt(s.bytes.length), String(s.events), sizeLabel(size),
        cell(o, (v) => fmt(mbps(bytes, v.cpuMs))), cell(r.openai, (v) => fmt(mbps(bytes, v.cpuMs))), cell(r.floor, (v) => fmt(mbps(bytes, v.cpuMs))),
        o && !o.error && !r.openai.error ? x(ratio(r.openai.cpuMs, o.cpuMs)) : 'n/a',
        o && !o.error && !r.floor.error ? x(ratio(r.floor.cpuMs, o.cpuMs)) : 'n/a',
      ]);
    }
  }
  out(table(['file', 'bytes', 'events', 'chunk', 'ours MB/s', 'openai MB/s', 'floor MB/s', 'ours/openai', 'ours/floor'], rows, ['l', 'r', 'r', 'r']));
  if (notes.size) out('\n' + [...notes].map((n) => `- †: ${n}`).join('\n'));
  results.sections.recorded = { streams: data, knownLimitations: [...notes] };
}

// ----------------------------------------------------------------------------- 6. raw SSE

async function sectionSse() {
  heading('Raw SSE parsing: SseParser.feed(bytes) vs eventsource-parser (+ TextDecoder)');
  if (!ours?.SseParser) {
    out(`skipped: ${oursWhy || 'SseParser is not in the package'}`);
    return;
  }
  out('Synchronous loops over the chunk array, no fetch. MB per CPU second (median); ratio = SseParser throughput / eventsource-parser throughput.');
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
    const same = a.length === b.length && a.every((y, i) => y[0] === b[i][0] && y[1] === b[i][1]);
    if (!same || a.length !== s.events) failures.push(`SseParser ${sname}: events differ from eventsource-parser`);
    for (const size of CHUNKS) {
      const chunks = chunk(s.bytes, size);
      const wrap = (f, n) => async () => {
        const r = f(chunks);
        if (r.events !== exp.events || r.dataLen !== exp.dataLen) throw new Wrong(`${n} ${sname} ${sizeLabel(size)}: ${r.events} events / ${r.dataLen} chars`);
      };
      const r = await measure({ SseParser: wrap(o, 'SseParser'), 'eventsource-parser': wrap(e, 'eventsource-parser') }, CFG);
      const bytes = s.bytes.length;
      const p = r.SseParser;
      const q = r['eventsource-parser'];
      data.push({ stream: sname, chunk: size, bytes, events: s.events, ours: { ms: p.ms, cpuMs: p.cpuMs, mbps: mbps(bytes, p.cpuMs), error: p.error }, esp: { ms: q.ms, cpuMs: q.cpuMs, mbps: mbps(bytes, q.cpuMs), error: q.error } });
      rows.push([sname, sizeLabel(size),
        cell(p, (v) => fmt(mbps(bytes, v.cpuMs))), cell(p, (v) => fmt(s.events / v.cpuMs, 0)),
        cell(q, (v) => fmt(mbps(bytes, v.cpuMs))), cell(q, (v) => fmt(s.events / v.cpuMs, 0)),
        p.error || q.error ? 'n/a' : x(ratio(q.cpuMs, p.cpuMs))]);
    }
  }
  out(table(['stream', 'chunk', 'SseParser MB/s', 'SseParser kev/s', 'esp MB/s', 'esp kev/s', 'ours/esp'], rows, ['l', 'r']));
  results.sections.sse = data;
}

// ----------------------------------------------------------------------------- 7. latency

async function sectionLatency() {
  heading('Latency: chunk enqueued → its event in the for-await body');
  out('The body enqueues a chunk only when the reader asks (highWaterMark 0), so enqueue time = arrival time and the consumer ' +
    'is idle when it arrives. Each event is attributed to the chunk holding the end of its blank line. µs, over all events of ' +
    `${CFG.latRuns} run(s) of the "text" stream after warm-up. (Not the AI SDK: its parts are not the wire events.)`);
  const s = STREAMS.text;
  const rows = [];
  const data = [];
  const exp = expOf(s);
  for (const size of CHUNKS) {
    const chunks = chunk(s.bytes, size);
    const endChunk = Int32Array.from(s.ends, (e) => Math.floor((e - 1) / size));
    const cs = endToEnd({ aisdk: false });
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

// ----------------------------------------------------------------------------- 8. memory

async function sectionMemory() {
  const L = CFG.memMB;
  const S = CFG.memSmallMB;
  heading(`Memory: streams of ~${L} MB (and ~${S} MB) generated lazily, 16 KiB chunks`);
  out('Each case runs in its own `node --expose-gc` process. RSS growth = peak RSS (getrusage maxRSS) − RSS before the stream; ' +
    'heap/external = sampled peaks of process.memoryUsage() every ~1 MB; retained = heap + external after the stream and two full ' +
    'GCs, minus the same before it, with the stream object still referenced (external includes wasm linear memory, which never ' +
    'shrinks). "drain" = the generator + fake fetch alone (the harness); ' +
    '"iterate" = for-await only (no finalResponse(), `.response` never read); "+ finalResponse" = also the accumulated Response. ' +
    `The generator holds the answer text (~2.4% of the stream) to emit the *.done events, and every consumer parses those ` +
    `events (each carries the whole text). O(1) in the stream length: ours, iterating only, retains no more at ${L} MB than at ${S} MB ` +
    '(+ 1 MB); RSS and sampled peaks grow with the length for every consumer, the floor included, as V8 sizes its heap lazily.');
  const cases = [
    ['drain', L, 'drain (harness only)'],
    ['floor-parse', S, 'floor: parse only'],
    ['floor-parse', L, 'floor: parse only'],
    ['floor-acc', L, 'floor: parse + accumulate text'],
    ['ours-iterate', S, 'ours: iterate'],
    ['ours-iterate', L, 'ours: iterate'],
    ['ours-final', L, 'ours: iterate + finalResponse'],
    ['openai', L, 'openai: iterate + finalResponse'],
  ];
  const rows = [];
  const data = [];
  for (const [kind, mb, label] of cases) {
    const p = spawnSync(process.execPath, ['--expose-gc', ROOT + 'bench/memory-child.mjs', kind, String(mb), '16384'], {
      cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20, env: process.env,
    });
    let r;
    try {
      r = JSON.parse(p.stdout.trim().split('\n').pop());
    } catch {
      r = { kind, error: `exit ${p.status}: ${(p.stderr || p.stdout).trim().split('\n').slice(-3).join(' / ')}` };
    }
    r.targetMB = mb;
    if (r.skipped) {
      rows.push([label, String(mb), 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
      data.push(r);
      continue;
    }
    if (r.error || !r.ok) {
      const msg = `memory ${kind} ${mb} MB: ${r.error ?? r.why}`;
      failures.push(msg);
      rows.push([label, String(mb), 'FAIL', '', '', '', '', '', '']);
      data.push({ ...r, error: msg });
      continue;
    }
    r.growth = r.maxRss - r.baseRss;
    data.push(r);
    rows.push([label, fmt(r.bytes / MB, 0), fmt(r.ms / 1000, 2), fmt(mbps(r.bytes, r.ms)),
      fmt(r.maxRss / MB), fmt(r.growth / MB), fmt(r.peakHeap / MB), fmt(r.peakExternal / MB), fmt(r.retained / MB)]);
  }
  out(table(['case', 'MB', 'time s', 'MB/s', 'peak RSS MB', 'RSS growth MB', 'peak heap MB', 'peak external MB', 'retained MB'], rows, ['l']));
  const get = (kind, mb) => data.find((d) => d.kind === kind && d.targetMB === mb && !d.error && !d.skipped);
  const slope = (kind, f) => {
    const a = get(kind, S);
    const b = get(kind, L);
    return a && b ? (f(b) - f(a)) / 1e3 / ((b.bytes - a.bytes) / MB) : null; // kB per MB of stream
  };
  const rss = (d) => d.growth;
  const heap = (d) => d.peakHeap + d.peakExternal;
  const mem = { cases: data, slopes: {} };
  for (const k of ['floor-parse', 'ours-iterate']) {
    const a = get(k, S);
    const b = get(k, L);
    mem.slopes[k] = { rss: slope(k, rss), heapExternal: slope(k, heap), retainedGrowth: a && b ? b.retained - a.retained : null };
  }
  const fs = mem.slopes['floor-parse'];
  const os = mem.slopes['ours-iterate'];
  if (os.rss !== null && fs.rss !== null) {
    out(`\nFrom ${S} to ${L} MB, what is retained changes by ${signed(os.retainedGrowth / MB)} MB for ours (iterate only), ${signed(fs.retainedGrowth / MB)} MB for the floor; ` +
      `per MB of stream, RSS grows ${fmt(os.rss, 0)} kB (floor ${fmt(fs.rss, 0)} kB) and the sampled heap + external peaks ${fmt(os.heapExternal, 0)} kB (floor ${fmt(fs.heapExternal, 0)} kB).`);
  }
  const fin = get('ours-final', L);
  const oa = get('openai', L);
  if (fin && oa) out(`With finalResponse(): RSS growth ours ${fmt(fin.growth / MB)} MB, openai-node ${fmt(oa.growth / MB)} MB (${x(fin.growth / oa.growth)}).`);
  results.sections.memory = mem;
}

// ----------------------------------------------------------------------------- 9. startup

/** Appends a custom section with a unique name: the same module, different bytes (defeats V8's module cache). */
function uniqueWasm(bytes, i) {
  const name = new TextEncoder().encode(`bench-${i}-${Math.random()}`);
  const payload = new Uint8Array(1 + name.length);
  payload[0] = name.length; // name length (< 128: one LEB128 byte)
  payload.set(name, 1);
  const o = new Uint8Array(bytes.length + 2 + payload.length);
  o.set(bytes);
  o[bytes.length] = 0; // custom section id
  o[bytes.length + 1] = payload.length; // section size (< 128)
  o.set(payload, bytes.length + 2);
  return o;
}

const wasmFiles = () => (existsSync(OURS_DIR) ? readdirSync(OURS_DIR).filter((f) => f.endsWith('.wasm')) : []);

async function sectionStartup() {
  heading('Start-up: wasm instantiation and import cost (Node)');
  const rows = [];
  const data = {};
  const [wasmName] = wasmFiles();
  if (wasmName) {
    const bytes = new Uint8Array(readFileSync(join(OURS_DIR, wasmName)));
    const c = [];
    const ci = [];
    const s = [];
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
      if (i >= 2) {
        c.push(tc);
        ci.push(ti);
        s.push(ts);
      }
    }
    data.wasm = { file: wasmName, bytes: bytes.length, compileAsync: median(c), instantiate: median(ci), compileSync: median(s) };
    rows.push([`WebAssembly.compile of ${wasmName} (async, fresh bytes)`, fmt(median(c), 2)]);
    rows.push(['WebAssembly.instantiate (stub imports)', fmt(median(ci), 2)]);
    rows.push(['new WebAssembly.Module (sync)', fmt(median(s), 2)]);
  } else rows.push(['wasm instantiation', `n/a (no .wasm in ${OURS_DIR})`]);

  // Child processes: the whole `node` run, and the dynamic import inside it.
  const child = (specs) => {
    const wall = [];
    const imp = [];
    for (let i = 0; i < CFG.startupN + 1; i++) {
      const t0 = performance.now();
      const p = spawnSync(process.execPath, [ROOT + 'bench/import-child.mjs', ...specs], { cwd: ROOT, encoding: 'utf8' });
      const t = performance.now() - t0;
      if (p.status !== 0) return { error: (p.stderr || '').trim().split('\n').slice(-2).join(' / ') };
      if (i > 0) {
        wall.push(t);
        imp.push(JSON.parse(p.stdout).ms);
      }
    }
    return { wall: median(wall), import: median(imp) };
  };
  const base = child(['none']);
  data.nodeBaseline = base;
  rows.push(['node process, no import (wall)', fmt(base.wall, 1)]);
  for (const [label, specs] of [['cometapi-responses', [OURS_SPEC]], ['openai', ['dep:openai']], ['ai + @ai-sdk/openai', ['dep:ai', 'dep:@ai-sdk/openai']],
    ['eventsource-parser', ['dep:eventsource-parser']]]) {
    const r = child(specs);
    data[label] = r;
    if (r.error) rows.push([`import('${label}') in a child`, `error: ${r.error}`]);
    else {
      rows.push([`import('${label}'): in-process`, fmt(r.import, 1)]);
      rows.push([`import('${label}'): process wall − baseline`, fmt(r.wall - base.wall, 1)]);
    }
  }
  out(`Medians; wasm rows over ${CFG.instN} fresh modules (a unique custom section defeats V8's module cache), ` +
    `child rows over ${CFG.startupN} processes. Worker start-up (workerd) is in the edge section.`);
  out(table(['what', 'ms'], rows, ['l', 'r']));
  results.sections.startup = data;
}

// ----------------------------------------------------------------------------- 10. size

let WORKERS = null;
async function workers() {
  if (!WORKERS) {
    const { buildWorkers } = await import('./lib/edge.mjs');
    WORKERS = await buildWorkers(oursResolveDir());
  }
  return WORKERS;
}

async function sectionSize() {
  heading('Size (gzip -9)');
  const gz = (buf) => gzipSync(buf, { level: 9 }).length;
  const data = {};
  const esbuild = await import('esbuild');
  const oursDir = oursResolveDir();
  const bundle = async (contents, resolveDir) => {
    const r = await esbuild.build({
      stdin: { contents, resolveDir, sourcefile: 'app.mjs', loader: 'js' },
      bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent',
      loader: { '.wasm': 'file' }, outdir: join(OUT, 'size'), metafile: true,
    });
    const files = r.outputFiles.map((f) => ({ path: f.path, raw: f.contents.length, gzip: gz(f.contents) }));
    return { raw: files.reduce((a, f) => a + f.raw, 0), gzip: files.reduce((a, f) => a + f.gzip, 0), files: files.map((f) => f.path.split('/').pop()) };
  };
  const apps = {
    ours: [`import { ResponsesClient } from 'cometapi-responses';
const client = new ResponsesClient({ apiKey: 'x', baseURL: 'https://api.example.com/v1' });
export async function run() {
  const r = await client.create({ model: 'gpt-5.2', input: 'hi' });
  const s = client.stream({ model: 'gpt-5.2', input: 'hi' });
  for await (const e of s) console.log(e.type);
  return [r.output_text, (await s.finalResponse()).output_text];
}`, oursDir],
    openai: [`import OpenAI from 'openai';
const client = new OpenAI({ apiKey: 'x', baseURL: 'https://api.example.com/v1', dangerouslyAllowBrowser: true });
export async function run() {
  const r = await client.responses.create({ model: 'gpt-5.2', input: 'hi' });
  const s = client.responses.stream({ model: 'gpt-5.2', input: 'hi' });
  for await (const e of s) console.log(e.type);
  return [r.output_text, (await s.finalResponse()).output_text];
}`, DEPS],
    aisdk: [`import { generateText, streamText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
const openai = createOpenAI({ apiKey: 'x', baseURL: 'https://api.example.com/v1' });
export async function run() {
  const r = await generateText({ model: openai.responses('gpt-5.2'), prompt: 'hi' });
  const s = streamText({ model: openai.responses('gpt-5.2'), prompt: 'hi' });
  for await (const e of s.fullStream) console.log(e.type);
  return [r.text, await s.text];
}`, DEPS],
    floor: [`export { createParser } from 'eventsource-parser';`, DEPS],
  };
  const rows = [];
  data.apps = {};
  for (const [n, [code, dir]] of Object.entries(apps)) {
    try {
      const b = await bundle(code, dir);
      data.apps[n] = b;
      rows.push([n === 'floor' ? 'eventsource-parser alone (the floor\'s parser)' : `**${NAMES[n]}**: minimal app (create + stream)`,
        kib(b.raw), kib(b.gzip), b.files.length > 1 ? b.files.join(' + ') : 'one JS file']);
    } catch (e) {
      rows.push([NAMES[n], 'error', e.message.split('\n')[0], '']);
      if (n === 'ours') failures.push(`size: the minimal app does not bundle: ${e.message.split('\n')[0]}`);
    }
  }
  out('Minimal app = create() + stream() + for await + finalResponse (the AI SDK: generateText + streamText), bundled with ' +
    '`esbuild --bundle --minify --format=esm --platform=browser` (a .wasm file the bundle references counts too), gzip -9 per output file.');
  out(table(['artefact', 'raw KiB', 'gzip KiB', 'files'], rows, ['l', 'r', 'r', 'l']));

  // What each runtime loads: scripts/runtime-sizes.mjs (it reads pkg/), and the example Worker bundle.
  out('\nWhat each runtime loads (`node scripts/runtime-sizes.mjs`' + (process.env.BENCH_PKG ? ', which reads pkg/, not BENCH_PKG' : '') + '):\n');
  const rs = spawnSync(process.execPath, [ROOT + 'scripts/runtime-sizes.mjs'], { cwd: ROOT, encoding: 'utf8' });
  data.runtimes = [];
  if (rs.status === 0) {
    for (const line of rs.stdout.trim().split('\n')) {
      const m = line.match(/^(.+?)\s+([\d.]+) KiB\s+([\d.]+) KiB\s+(.*)$/);
      if (m && !/^runtime\b/.test(line)) data.runtimes.push({ runtime: m[1].trim(), rawKiB: +m[2], gzipKiB: +m[3], files: m[4] });
    }
    out('```\n' + rs.stdout.trim() + '\n```');
  } else out(`scripts/runtime-sizes.mjs failed: ${(rs.stderr || '').trim().split('\n').pop()}`);
  try {
    const w = await workers();
    data.workers = Object.fromEntries(Object.values(w).map((v) => [v.name, { js: v.js, wasm: v.wasm, gzip: v.gzip }]));
    out('\nThe example Worker bundled as wrangler bundles it (esbuild, not minified, the .wasm a separate module):\n');
    out(table(['Worker', 'JS raw KiB', 'JS gzip KiB', '.wasm gzip KiB', 'total gzip KiB'], Object.values(w).map((v) => [
      v.name, kib(v.js.raw), kib(v.js.gzip), kib(v.wasm.gzip), kib(v.gzip)]), ['l', 'r', 'r', 'r', 'r']));
  } catch (e) {
    out(`Worker bundles: error ${e.message}`);
    failures.push(`size: the Worker bundles: ${e.message}`);
  }
  results.sections.size = data;
}

// ----------------------------------------------------------------------------- 11. edge

async function sectionEdge() {
  heading('Edge: the example Worker in workerd (miniflare)');
  const { measureEdge, edgeAvailable } = await import('./lib/edge.mjs');
  if (!edgeAvailable()) {
    out('skipped: examples/cloudflare-worker is absent.');
    return;
  }
  const mk = (deltas, size, seed) => {
    const s = buildStream(makeSpec({ deltas, seed }));
    return { ...s, chunks: chunk(s.bytes, size).map((c) => Buffer.from(c)) };
  };
  const streams = { short: mk(SHORT_DELTAS, 1 << 20, 3), long: mk(CFG.edgeLongDeltas, 16384, 5) };
  const w = await workers();
  out(`Each Worker proxies POST /v1/responses (stream: true) to an upstream on 127.0.0.1 serving the synthetic streams: ` +
    `short = ${streams.short.events} events, ${fmt(streams.short.bytes.length / 1e3, 1)} kB; long = ${streams.long.events} events, ` +
    `${fmt(streams.long.bytes.length / 1e3, 0)} kB in 16 KiB writes. Every response is read whole and checked (events, text). ` +
    'CPU = the workerd process (all threads), per proxied response: median of ' +
    `${CFG.edgeRuns} samples of ${CFG.edgeShort} (short) / ${CFG.edgeLong} (long) requests after a warm-up sample. ` +
    'Workers: **ours** = examples/cloudflare-worker on this package; **openai** = the same Worker source with ' +
    '`cometapi-responses` replaced by a shim over openai-node (bench/worker/openai-shim.js, `client.responses.stream()`); ' +
    '**floor** = the same Worker source over fetch + reader + TextDecoder + eventsource-parser + JSON.parse ' +
    '(bench/worker/floor-shim.js: what the Worker\'s own checks, redaction and framing cost); **passthrough** = a Worker ' +
    'that hands the upstream body back untouched (workerd and miniflare\'s own cost). Start-up = a new workerd per sample: ' +
    'CPU until ready with one copy of the Worker (process, config, compiling and instantiating the modules, the top level) and ' +
    'its first request (cold); "per Worker" = (CPU until ready with 10 copies − with 1) / 9, one Worker\'s own start-up with ' +
    `workerd's noise divided out; medians of ${CFG.edgeStartup}.`);
  const r = await measureEdge({ workers: w, streams, runs: CFG.edgeRuns, perSample: { short: CFG.edgeShort, long: CFG.edgeLong }, startupReps: CFG.edgeStartup });
  failures.push(...r.errors);
  const med = (a) => (a?.length ? median(a) : null);
  const names = Object.keys(w);
  const per = (key, n) => (r.perResponse[key]?.[n]?.error ? null : med(r.perResponse[key]?.[n]?.cpu));
  const perWall = (key, n) => (r.perResponse[key]?.[n]?.error ? null : med(r.perResponse[key]?.[n]?.wall));
  const st = (n, k) => (r.startup[n]?.error ? null : med(r.startup[n]?.[k]));
  const rows = names.map((n) => [
    n, kib(w[n].gzip),
    fmt(st(n, 'readyMs'), 0), fmt(st(n, 'readyCpuMs'), 1), fmt(st(n, 'perWorkerCpuMs'), 1), fmt(st(n, 'firstCpuMs'), 1),
    fmt(per('short', n), 2), fmt(perWall('short', n), 2), fmt(per('long', n), 1), fmt(perWall('long', n), 1),
  ]);
  out(table(['Worker', 'bundle gzip KiB', 'ready ms (wall)', 'CPU to ready ms', 'start-up CPU ms per Worker', 'first request CPU ms',
    'short: CPU ms/response', 'short: wall ms', 'long: CPU ms/response', 'long: wall ms'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']));
  const base = (key) => per(key, 'passthrough');
  const lines = [];
  for (const key of ['short', 'long']) {
    const o = per(key, 'ours');
    const a = per(key, 'openai');
    const f = per(key, 'floor');
    const b = base(key);
    lines.push(`- ${key}: ours ${fmt(o, 2)} ms CPU per response, openai-node ${fmt(a, 2)} ms (ours/openai **${x(ratio(a, o))}** less CPU); ` +
      `above passthrough: ours ${fmt(o - b, 2)}, openai ${fmt(a - b, 2)}, floor ${fmt(f - b, 2)} ms (the floor Worker is the same Worker code ` +
      `on no client: ours − floor = ${signed(o - f, 2)} ms).`);
  }
  const so = st('ours', 'perWorkerCpuMs');
  const sa = st('openai', 'perWorkerCpuMs');
  const sp = st('passthrough', 'perWorkerCpuMs');
  lines.push(`- start-up: one Worker's start-up CPU above passthrough's (${fmt(sp, 1)} ms): ours ${signed(so - sp)} ms, openai ${signed(sa - sp)} ms; ` +
    `first request (cold): ours ${fmt(st('ours', 'firstCpuMs'), 1)} ms, openai ${fmt(st('openai', 'firstCpuMs'), 1)} ms.`);
  out('\n' + lines.join('\n'));
  results.sections.edge = {
    streams: { short: { bytes: streams.short.bytes.length, events: streams.short.events }, long: { bytes: streams.long.bytes.length, events: streams.long.events } },
    perResponse: r.perResponse, startup: r.startup, errors: r.errors,
    summary: Object.fromEntries(names.map((n) => [n, { shortCpuMs: per('short', n), longCpuMs: per('long', n), readyCpuMs: st(n, 'readyCpuMs'), readyMs: st(n, 'readyMs'), firstCpuMs: st(n, 'firstCpuMs'), perWorkerCpuMs: st(n, 'perWorkerCpuMs'), gzip: w[n].gzip }])),
  };
}

// ----------------------------------------------------------------------------- targets

function targets() {
  const S = results.sections;
  const T = [];
  const add = (target, measured, met) => T.push({ target, measured, status: met === null ? 'n/a' : met ? 'MET' : 'MISSED' });
  const thr = (size, k) => {
    const d = S.throughput?.find((r) => r.stream === 'text' && r.chunk === size);
    return d?.ours?.cpuMs && d?.[k]?.cpuMs ? d[k].cpuMs / d.ours.cpuMs : null;
  };
  const sh = S.short?.sequential;
  const per = sh?.ours?.cpuUsPerRequest && sh?.floor?.cpuUsPerRequest ? sh.ours.cpuUsPerRequest / sh.floor.cpuUsPerRequest : null;
  if (S.short) add('per request (short answer) ≤ 2× the floor\'s time', per === null ? 'n/a' : `${fmt(per, 2)}× (ours ${fmt(sh.ours.cpuUsPerRequest, 0)} µs, floor ${fmt(sh.floor.cpuUsPerRequest, 0)} µs)`, per === null ? null : per <= 2);
  if (S.throughput) {
    for (const [size, min] of [[16384, 0.9], [300, 1.0], [64, 1.0]]) {
      const v = thr(size, 'floor');
      add(`long stream at ${sizeLabel(size)} ≥ ${fmt(min, 1)}× the floor`, v === null ? 'n/a' : `${fmt(v, 2)}×`, v === null ? null : v >= min);
    }
    const o = thr(16384, 'openai');
    add('long stream at 16 KiB ≥ 15× openai-node', o === null ? 'n/a' : `${fmt(o, 2)}×`, o === null ? null : o >= 15);
    const a = thr(16384, 'aisdk');
    add('long stream at 16 KiB ≥ 30× the AI SDK', a === null ? 'n/a' : `${fmt(a, 2)}×`, a === null ? null : a >= 30);
  }
  if (S.linearity) {
    const g = S.linearity.filter((d) => d.consumer === 'ours').map((d) => d.growth);
    const worst = g.some((v) => v === null) || !g.length ? null : Math.max(...g);
    add('linear at every chunk size (ours 4×/1× ms per MB ≤ 1.5)', worst === null ? 'n/a' : `worst 4×/1× = ${fmt(worst, 2)} (${g.map((v) => fmt(v, 2)).join(', ')} at ${CHUNKS.map(sizeLabel).join(', ')})`, worst === null ? null : worst <= 1.5);
  }
  if (S.response) {
    const R = S.response;
    const gr = R.growth;
    const ms = (d) => R.rows.find((r) => r.deltas === d)?.ms;
    add(`stream.response on every event linear (2× deltas ≤ 2.4× time; ${fmtInt(R.deltas)} → ${fmtInt(2 * R.deltas)} deltas of 100 chars)`,
      gr ? `${fmt(gr, 2)}× from ${fmtInt(R.pair[0])} to ${fmtInt(R.pair[1])} deltas (${fmt(ms(R.pair[0]) / 1000, 2)} s → ${fmt(ms(R.pair[1]) / 1000, 2)} s)` +
        (R.atN ? `; ${fmtInt(R.deltas)} deltas: ${fmt(R.atN.ms / 1000, 2)} s` : '') : 'n/a', gr ? gr <= 2.4 : null);
  }
  if (S.size?.apps) {
    const o = S.size.apps.ours?.gzip;
    const oa = S.size.apps.openai?.gzip;
    const sizes = o ? `${kib(o)} KiB (openai-node ${oa ? kib(oa) : 'n/a'} KiB, AI SDK ${S.size.apps.aisdk ? kib(S.size.apps.aisdk.gzip) : 'n/a'} KiB)` : 'n/a';
    add('minimal app ≤ 84 KiB gzip (below openai-node\'s)', sizes, o ? o <= 84 * 1024 : null);
    add('minimal app ≤ 64 KiB gzip', o ? `${kib(o)} KiB (openai-node ${oa ? kib(oa) : 'n/a'} KiB, AI SDK ${S.size.apps.aisdk ? kib(S.size.apps.aisdk.gzip) : 'n/a'} KiB)` : 'n/a', o ? o <= 64 * 1024 : null);
  }
  if (S.edge?.summary) {
    const e = S.edge.summary;
    for (const key of ['short', 'long']) {
      const o = e.ours?.[`${key}CpuMs`];
      const a = e.openai?.[`${key}CpuMs`];
      add(`edge: CPU per proxied ${key} response below openai-node's (no number in the issue)`, o && a ? `${fmt(a / o, 2)}× less (ours ${fmt(o, 2)} ms, openai ${fmt(a, 2)} ms)` : 'n/a', o && a ? o < a : null);
    }
    const p = e.passthrough?.perWorkerCpuMs;
    const o = e.ours?.perWorkerCpuMs;
    const a = e.openai?.perWorkerCpuMs;
    add('edge: Worker start-up CPU below openai-node\'s (no number in the issue)', o && a && p ? `per Worker: ours ${fmt(o, 1)} ms, openai ${fmt(a, 1)} ms, passthrough ${fmt(p, 1)} ms` : 'n/a', o && a ? o < a : null);
  }
  if (S.memory) {
    const c = S.memory.cases;
    const g = (k) => c.find((d) => d.kind === k && d.targetMB === CFG.memMB && d.growth !== undefined);
    const f = g('ours-final');
    const a = g('openai');
    add(`memory: ${CFG.memMB} MB stream with finalResponse(), RSS growth ≤ openai-node's`, f && a ? `${fmt(f.growth / MB, 0)} MB vs ${fmt(a.growth / MB, 0)} MB (${fmt(f.growth / a.growth, 2)}×)` : 'n/a', f && a ? f.growth <= a.growth : null);
    const os = S.memory.slopes['ours-iterate'];
    const fs = S.memory.slopes['floor-parse'];
    // O(1): 4× the stream, and what ours still holds after it (heap + external incl. wasm memory,
    // after full GCs) grows by at most 1 MB (the answer's text alone grows by ~3.6 MB at full size).
    const held = os.retainedGrowth;
    add(`memory: no finalResponse()/no .response read is O(1) in the stream length (retained after ${CFG.memMB} MB ≤ after ${CFG.memSmallMB} MB + 1 MB)`,
      held === null ? 'n/a' : `retained: ours ${signed(held / MB)} MB, floor ${signed(fs.retainedGrowth / MB)} MB`, held === null ? null : held <= 1 * MB);
  }
  return T;
}

// ----------------------------------------------------------------------------- 12. base64

async function sectionBase64() {
  heading('Attachments: base64 of a 20 MB file (inputFile → data: URL) vs the platform encoders');
  if (typeof ours?.inputFile !== 'function') {
    out('skipped: inputFile is not in the package');
    return;
  }
  const n = 20e6;
  const bytes = new Uint8Array(n);
  for (let i = 0, x = 2463534242; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; bytes[i] = x & 255; }
  const expected = Buffer.from(bytes.buffer).toString('base64');
  const runs = QUICK ? 1 : 3;
  const time = async (fn) => {
    const ms = [];
    for (let r = 0; r < runs; r++) {
      gc();
      const t = performance.now();
      const got = await fn();
      ms.push(performance.now() - t);
      if (got !== expected) throw new Wrong(`base64 differs (${got.length} vs ${expected.length} chars)`);
    }
    return median(ms);
  };
  const fromPart = (p) => p.file_data.slice(p.file_data.indexOf(',') + 1);
  const withoutBuffer = async (fn) => {
    const saved = globalThis.Buffer;
    delete globalThis.Buffer;
    try { return await fn(); } finally { globalThis.Buffer = saved; }
  };
  const naiveBtoa = () => {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  };
  const cases = [
    ['ours: inputFile(bytes) (uses Buffer in Node)', () => ours.inputFile(bytes).then(fromPart)],
    ['ours: inputFile(bytes), no Buffer (chunked btoa, as in a browser without toBase64)', () => withoutBuffer(() => ours.inputFile(bytes).then(fromPart))],
    ['ours: inputFile(Blob) (reads the Blob, then encodes)', () => ours.inputFile(new Blob([bytes])).then(fromPart)],
    ['Buffer.from(bytes).toString("base64")', () => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')],
    ['Uint8Array.prototype.toBase64', typeof bytes.toBase64 === 'function' ? () => bytes.toBase64() : null],
    ['btoa of a byte-by-byte binary string (the naive page code)', naiveBtoa],
  ];
  const rows = [];
  const data = [];
  for (const [name, fn] of cases) {
    if (!fn) {
      rows.push([name, 'n/a (not in this runtime)', '']);
      continue;
    }
    try {
      const ms = await time(fn);
      data.push({ name, ms });
      rows.push([name, `${fmt(ms, 0)} ms`, `${fmt(n / 1e6 / (ms / 1000), 0)} MB/s`]);
    } catch (e) {
      if (e instanceof Wrong) failures.push(`base64 ${name}: ${e.message}`);
      rows.push([name, `FAIL: ${e.message}`, '']);
    }
  }
  out(`${n / 1e6} MB of random bytes; median of ${runs} run(s); every result checked against Buffer's encoding.`);
  out(table(['encoder', 'time', 'throughput'], rows, ['l', 'r', 'r']));
  results.sections.base64 = data;
}

// ----------------------------------------------------------------------------- WebSocket vs HTTP

async function sectionSocket() {
  const { measureSocketLoop, CALLS } = await import('./lib/socket.mjs');
  const nets = [{ setupMs: 0, oneWayMs: 0 }, { setupMs: 20, oneWayMs: 10 }];
  heading(`WebSocket mode vs HTTP: a ${CALLS}-call tool loop (${CALLS + 1} responses) against the mock`);
  out(`runTools over one socket (client.connect(), the \`ws\` package in Node 20) vs over HTTP (POST + SSE, undici): ` +
    `keep-alive (one pool per run), and a new connection for every request (as without connection reuse). ` +
    `The mock on 127.0.0.1 (no pause between events; the WebSocket path runs the same streams) behind a TCP proxy adding ` +
    `latency: every byte waits the one-way time in each direction, every new connection waits the set-up time before its ` +
    `first byte. Wall ms of a whole run, connect included; median of ${CFG.socketRuns} runs after a warm-up, the three ` +
    `transports interleaved run by run; every run checked (${CALLS} calls executed, ${CALLS + 1} responses, the answer quotes the last output). ` +
    `The mock keeps no cache a real server keeps per connection, so this measures the transport only.`);
  if (!hasClient) {
    out(`n/a: ${oursWhy}`);
    return;
  }
  const names = { ws: 'WebSocket (one connection)', 'http-keepalive': 'HTTP, keep-alive', 'http-new': 'HTTP, new connection per request' };
  const data = [];
  const rows = [];
  for (const net of nets) {
    let r;
    try {
      r = await measureSocketLoop(ours, { ...net, runs: CFG.socketRuns });
    } catch (e) {
      failures.push(`socket: ${e?.message ?? e}`);
      rows.push([`${net.setupMs} / ${net.oneWayMs * 2}`, 'FAIL', String(e?.message ?? e), '', '', '']);
      continue;
    }
    const ws = median(r.ws.runs);
    for (const [t, v] of Object.entries(r)) {
      const ms = median(v.runs);
      data.push({ ...net, transport: t, medianMs: ms, runs: v.runs, connections: v.connections });
      rows.push([`${net.setupMs} / ${net.oneWayMs * 2}`, names[t], String(v.connections), fmt(ms, 0), fmt(ms / (CALLS + 1), 1),
        t === 'ws' ? '' : `${fmt((1 - ws / ms) * 100, 0)} %`]);
    }
  }
  out(table(['set-up / RTT ms', 'transport', 'connections', 'run ms', 'ms / response', 'WebSocket saves'], rows, ['l', 'l', 'r']));
  results.sections.socket = data;
}

// ----------------------------------------------------------------------------- main

const sections = {
  throughput: sectionThroughput, short: sectionShort, linearity: sectionLinearity, response: sectionResponse,
  recorded: sectionRecorded, sse: sectionSse, latency: sectionLatency, memory: sectionMemory, startup: sectionStartup,
  size: sectionSize, edge: sectionEdge, base64: sectionBase64, socket: sectionSocket,
};
const t0 = performance.now();
M.loadavgStart = loadavg().map((v) => +v.toFixed(2));
for (const [name, fn] of Object.entries(sections)) {
  if (!want(name)) continue;
  const ts = performance.now();
  M[`loadavg_${name}`] = loadavg().map((v) => +v.toFixed(2));
  try {
    await fn();
  } catch (e) {
    failures.push(`section ${name} crashed: ${e?.stack ?? e}`);
    out(`\nsection ${name} crashed: ${e?.message}`);
  }
  M[`seconds_${name}`] = +((performance.now() - ts) / 1000).toFixed(1);
}
M.seconds = +((performance.now() - t0) / 1000).toFixed(1);
M.loadavgEnd = loadavg().map((v) => +v.toFixed(2));

const T = targets();
results.targets = T;
if (T.length) {
  heading('Targets, measured in this run');
  out(table(['target', 'measured', ''], T.map((t) => [t.target, t.measured, t.status === 'n/a' ? 'n/a' : `**${t.status}**`]), ['l', 'l', 'l']));
}
results.failures = failures;
heading('Result checks');
out(failures.length ? failures.map((f) => `- FAIL ${f}`).join('\n') : 'Every consumer returned the expected final text and event count on every run.');
out(`\n(total ${M.seconds} s; 1-minute load average at start ${M.loadavgStart[0]}, at end ${M.loadavgEnd[0]} ` +
  `on ${cpus().length} cores — other processes on the machine inflate times)`);
mkdirSync(OUT, { recursive: true });
writeFileSync(OUT + 'results.json', JSON.stringify(results, null, 2) + '\n');
writeFileSync(OUT + 'report.md', md.join('\n') + '\n');
const wrote = [`${OUT}results.json`, `${OUT}report.md`];
if (results.sections.throughput && results.sections.short) {
  const svg = chartSvg(results);
  writeFileSync(OUT + 'performance.svg', svg);
  wrote.push(`${OUT}performance.svg`);
  // docs/ gets the chart of a full, passing run of pkg/ only (a smoke, partial or variant run is not for quoting)
  if (!QUICK && !ONLY.length && !process.env.BENCH_RUNS && !process.env.BENCH_BREAK && !process.env.BENCH_PKG && !failures.length) {
    writeFileSync(ROOT + 'docs/performance.svg', svg);
    wrote.push('docs/performance.svg');
  }
}
console.log(`\nwrote ${wrote.join(', ')}`);
process.exit(failures.length ? 1 : 0);
