// Cost of importing one entry in a fresh process: node bench/import-child.mjs <specifier|none>
// Prints { ms } measured in-process around the dynamic import (the parent also times the whole
// process, node start-up included).
import { performance } from 'node:perf_hooks';

const what = process.argv[2];
const t0 = performance.now();
if (what !== 'none') {
  const m = await import(what);
  // Touch something so the import is not trivially dead.
  if (!Object.keys(m).length) throw new Error('empty module');
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ what, ms, sinceOrigin: performance.now() }));
