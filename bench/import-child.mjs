// Cost of importing entries in a fresh process: node bench/import-child.mjs <specifier|dep:name|none>…
// (dep:name = an anchor from build/bench/deps/). Prints { ms } measured in-process around the
// dynamic imports (the parent also times the whole process, node start-up included).
import { performance } from 'node:perf_hooks';

const specs = process.argv.slice(2);
// resolve the anchors' entries before the clock starts (resolution reads package.json files)
const { depUrl } = specs.some((s) => s.startsWith('dep:')) ? await import('./lib/deps.mjs') : {};
const urls = specs.filter((s) => s !== 'none').map((s) => (s.startsWith('dep:') ? depUrl(s.slice(4)) : s));
const t0 = performance.now();
for (const u of urls) {
  const m = await import(u);
  // Touch something so the import is not trivially dead.
  if (!Object.keys(m).length) throw new Error('empty module');
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ specs, ms, sinceOrigin: performance.now() }));
