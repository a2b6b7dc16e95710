// The edge rows: the example Cloudflare Worker (examples/cloudflare-worker) in workerd through
// miniflare, bundled the way wrangler bundles (as tests/runtimes/lib.mjs does: esbuild,
// conditions workerd/worker/browser, the .wasm kept as its own CompiledWasm module), proxying an
// upstream on 127.0.0.1 that serves the synthetic streams. Three Workers:
//   ours         the example Worker on this package (pkg/ or BENCH_PKG)
//   openai       the same Worker source with 'cometapi-responses' resolved to bench/worker/openai-shim.js
//   floor        the same Worker source on bench/worker/floor-shim.js (fetch, reader, TextDecoder,
//                eventsource-parser, JSON.parse: what the Worker's own code costs with no client)
//   passthrough  bench/worker/passthrough.js: forwards the bytes untouched (what workerd itself costs)
// CPU time is the workerd process's, all its threads (/proc/<pid>/task/*/schedstat, ns; /proc/<pid>/stat
// when a thread came or went): miniflare runs one workerd child per instance, and nothing else runs in it.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { Wrong, check } from './check.mjs';
import { DEPS, ROOT, ensureDeps, importDep } from './deps.mjs';
import { resolveFrom } from './ours.mjs';

const EXAMPLE = join(ROOT, 'examples', 'cloudflare-worker');
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);
const ORIGIN = 'https://bench.example';
const STARTUP_COPIES = 10;
const KEY = 'sk-bench-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);

/** CPU of a process: { tasks, ns (sum over its live threads), ticksMs (user + system, exited threads too) }. */
function cpuNow(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksMs = (Number(f[11]) + Number(f[12])) * TICK_MS; // fields 14 and 15 (utime, stime)
  let ns = 0;
  const tasks = readdirSync(`/proc/${pid}/task`).sort();
  for (const t of tasks) ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
  return { tasks: tasks.join(','), ns, ticksMs };
}
/** CPU ms between two cpuNow() readings. */
const cpuSince = (a, b) => (a.tasks === b.tasks ? (b.ns - a.ns) / 1e6 : b.ticksMs - a.ticksMs);
/** CPU ms of a process since it started. */
const cpuTotal = (c) => Math.max(c.ns / 1e6, c.ticksMs);

/** pids of this process's workerd children. */
function workerdChildren() {
  const pids = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && comm.startsWith('workerd')) pids.push(Number(d));
    } catch {}
  }
  return pids;
}

/** The three Worker bundles in build/bench/edge/<name>/: { name, dir, jsBytes, wasmBytes, gzip }. */
export async function buildWorkers(oursResolveDir) {
  ensureDeps();
  const esbuild = await import('esbuild');
  const out = join(ROOT, 'build', 'bench', 'edge');
  rmSync(out, { recursive: true, force: true });
  const variants = {
    passthrough: { entry: join(ROOT, 'bench', 'worker', 'passthrough.js') },
    floor: {
      entry: join(EXAMPLE, 'src', 'index.js'),
      from: { 'cometapi-responses': { file: join(ROOT, 'bench', 'worker', 'floor-shim.js') }, 'eventsource-parser': DEPS },
    },
    ours: { entry: join(EXAMPLE, 'src', 'index.js'), from: { 'cometapi-responses': oursResolveDir } },
    openai: {
      entry: join(EXAMPLE, 'src', 'index.js'),
      from: { 'cometapi-responses': { file: join(ROOT, 'bench', 'worker', 'openai-shim.js') }, openai: DEPS },
    },
  };
  const built = {};
  for (const [name, v] of Object.entries(variants)) {
    const dir = join(out, name);
    const r = await esbuild.build({
      entryPoints: [v.entry],
      outdir: dir,
      entryNames: 'index',
      bundle: true,
      format: 'esm',
      target: 'es2024',
      conditions: ['workerd', 'worker', 'browser'], // what wrangler passes
      loader: { '.wasm': 'copy' },
      assetNames: '[name]',
      plugins: v.from ? [resolveFrom(v.from)] : [],
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile.inputs);
    if (name === 'ours' && !inputs.some((p) => /\.wasm$/.test(p))) throw new Error(`the ours Worker bundled no .wasm: ${inputs.join(' ')}`);
    if (name === 'openai' && !inputs.some((p) => p.includes('build/bench/deps/node_modules/openai/'))) throw new Error('the openai Worker did not bundle the bench\'s openai');
    if (name === 'openai' && inputs.some((p) => /\.wasm$/.test(p))) throw new Error('the openai Worker bundled this package');
    const files = readdirSync(dir);
    const size = (f) => {
      const b = readFileSync(join(dir, f));
      return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length };
    };
    const js = size('index.js');
    const wasm = files.filter((f) => f.endsWith('.wasm')).map(size).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
    built[name] = { name, dir, js, wasm, gzip: js.gzip + wasm.gzip };
  }
  return built;
}

/** An upstream on 127.0.0.1 answering POST …/responses with the stream its model names. */
async function startUpstream(streams) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      let model;
      try {
        model = JSON.parse(body).model;
      } catch {}
      const s = streams[model];
      if (!s || req.headers.authorization !== `Bearer ${KEY}`) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'bench upstream: unknown model or key', type: 'invalid_request_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'req_bench' });
      for (const c of s.chunks) res.write(c);
      res.end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}

/**
 * Runs the edge measurements. streams: { short: {bytes, chunks, events, text, deltas}, long: … }.
 * Returns { workers, startup: {name: {readyMs, readyCpuMs, firstMs, firstCpuMs}}, perResponse:
 * {stream: {name: {cpuMs, wallMs, times}}}, errors: [...] }.
 */
export async function measureEdge({ workers, streams, runs, perSample, startupReps }) {
  const { Miniflare } = await import('miniflare');
  const { createParser } = await importDep('eventsource-parser');
  const compatibilityDate = readFileSync(join(EXAMPLE, 'wrangler.toml'), 'utf8').match(/^compatibility_date\s*=\s*"([^"]+)"/m)[1];
  const upstream = await startUpstream(Object.fromEntries(Object.entries(streams).map(([k, s]) => [`bench-${k}`, s])));
  const models = Object.keys(streams).map((k) => `bench-${k}`);
  const errors = [];

  /** A workerd with `copies` instances of the Worker (each its own isolate and modules); the first serves dispatchFetch. */
  const start = async (w, copies = 1) => {
    const before = new Set(workerdChildren());
    const t0 = performance.now();
    const worker = (i) => ({
      name: `${w.name}-${i}`,
      modules: true,
      modulesRoot: w.dir,
      scriptPath: join(w.dir, 'index.js'),
      modulesRules: [
        { type: 'ESModule', include: ['**/*.js'] },
        { type: 'CompiledWasm', include: ['**/*.wasm'] },
      ],
      compatibilityDate,
      bindings: {
        COMETAPI_KEY: KEY,
        UPSTREAM_BASE_URL: `${upstream.url}/v1`,
        ALLOWED_ORIGINS: ORIGIN,
        ALLOWED_MODELS: models.join(','),
      },
    });
    const mf = new Miniflare({ workers: Array.from({ length: copies }, (_, i) => worker(i)) });
    await mf.ready;
    const readyMs = performance.now() - t0;
    const pids = workerdChildren().filter((p) => !before.has(p));
    if (pids.length !== 1) throw new Error(`expected one new workerd process, found ${pids.length}`);
    return { mf, pid: pids[0], readyMs };
  };

  /** One proxied request, its body read whole and checked. */
  const request = async (mf, w, key) => {
    const s = streams[key];
    const res = await mf.dispatchFetch('http://worker.bench/v1/responses', {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ model: `bench-${key}`, input: 'Tell me about the tallest mountain in Alberta.', stream: true }),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Wrong(`edge ${w.name} ${key}: status ${res.status}: ${text.slice(0, 200)}`);
    let events = 0;
    let out = '';
    const p = createParser({
      onEvent(e) {
        const ev = JSON.parse(e.data);
        events++;
        if (ev.type === 'response.output_text.delta') out += ev.delta;
        if (ev.type === 'error') throw new Wrong(`edge ${w.name} ${key}: error event ${e.data.slice(0, 200)}`);
      },
    });
    p.feed(text);
    check({ text: out, events }, { text: s.text, events: s.events }, `edge ${w.name} ${key}`);
  };

  // Start-up: a fresh workerd per sample. CPU until ready (process start, config, compiling and
  // instantiating the modules, the top level) with one copy of the Worker, then its first request
  // (cold); and with STARTUP_COPIES copies, so that one Worker's own start-up is
  // (cpu(copies) - cpu(1)) / (copies - 1): well above the noise of starting workerd itself.
  const startup = {};
  for (let rep = 0; rep < startupReps; rep++) {
    for (const w of Object.values(workers)) {
      const r = (startup[w.name] ??= { readyMs: [], readyCpuMs: [], firstMs: [], firstCpuMs: [], perWorkerCpuMs: [] });
      if (r.error) continue;
      let inst;
      let many;
      try {
        inst = await start(w);
        const c0 = cpuNow(inst.pid);
        const t0 = performance.now();
        await request(inst.mf, w, 'short');
        const one = cpuTotal(c0);
        r.readyMs.push(inst.readyMs);
        r.readyCpuMs.push(one);
        r.firstMs.push(performance.now() - t0);
        r.firstCpuMs.push(cpuSince(c0, cpuNow(inst.pid)));
        await inst.mf.dispose();
        inst = null;
        many = await start(w, STARTUP_COPIES);
        r.perWorkerCpuMs.push((cpuTotal(cpuNow(many.pid)) - one) / (STARTUP_COPIES - 1));
      } catch (e) {
        r.error = e.message;
        errors.push(`edge start-up ${w.name}: ${e.message}`);
      } finally {
        await inst?.mf.dispose();
        await many?.mf.dispose();
      }
    }
  }

  // Per response: one workerd per Worker, all alive; runs interleaved Worker by Worker.
  const perResponse = {};
  const live = {};
  try {
    for (const w of Object.values(workers)) live[w.name] = await start(w);
    for (const key of Object.keys(streams)) {
      const n = perSample[key];
      const res = (perResponse[key] = {});
      for (let run = 0; run < runs + 1; run++) {
        for (const w of Object.values(workers)) {
          const r = (res[w.name] ??= { cpu: [], wall: [] });
          if (r.error) continue;
          const { mf, pid } = live[w.name];
          try {
            const c0 = cpuNow(pid);
            const t0 = performance.now();
            for (let i = 0; i < n; i++) await request(mf, w, key);
            const wall = performance.now() - t0;
            const cpu = cpuSince(c0, cpuNow(pid));
            if (run > 0) {
              r.cpu.push(cpu / n);
              r.wall.push(wall / n);
            }
          } catch (e) {
            r.error = e.message;
            errors.push(e instanceof Wrong ? e.message : `edge ${w.name} ${key}: ${e.message}`);
          }
        }
      }
    }
  } catch (e) {
    errors.push(`edge: ${e.message}`);
  } finally {
    for (const l of Object.values(live)) await l.mf.dispose();
    await upstream.close();
  }
  return { startup, perResponse, errors };
}

export const edgeAvailable = () => existsSync(join(EXAMPLE, 'src', 'index.js'));
