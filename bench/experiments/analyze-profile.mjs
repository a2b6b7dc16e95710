// Summarises a .cpuprofile (node --cpu-prof): self time by function and by category.
//   node bench/experiments/analyze-profile.mjs <file.cpuprofile> [topN]
import { readFileSync } from 'node:fs';

const [file, topN = '35'] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas;
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const label = (n) => {
  const f = n.callFrame;
  const url = f.url ? f.url.replace(/^.*\/(node_modules|bench|pkg|variants)\//, '$1/') : '';
  return `${f.functionName || '(anonymous)'} ${url}${f.url ? ':' + (f.lineNumber + 1) : ''}`;
};
const category = (n) => {
  const f = n.callFrame;
  const name = f.functionName;
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)' || name === '(program)') return name;
  if (f.url.startsWith('wasm://') || /^\$?wasm-function|^\$/.test(name) || f.url.includes('.wasm')) return 'wasm';
  if (name === 'parse' && !f.url) return 'JSON.parse (native)';
  if (name === 'stringify' && !f.url) return 'JSON.stringify (native)';
  if (name === 'decode' && !f.url) return 'TextDecoder.decode (native)';
  if (f.url.includes('cometapi_responses.js')) return 'wasm-bindgen glue (js)';
  if (f.url.includes('/api.js')) return 'api.js';
  if (f.url.includes('node:internal/webstreams') || f.url.includes('webstreams')) return 'web streams (node)';
  if (f.url.includes('openai')) return 'openai-node';
  if (f.url.includes('eventsource-parser')) return 'eventsource-parser';
  if (f.url.includes('/bench/')) return 'harness';
  if (!f.url) return `native: ${name || '(anonymous)'}`;
  if (f.url.startsWith('node:')) return 'node internals';
  return 'other js';
};

const byFn = new Map();
const byCat = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  const l = label(n);
  byFn.set(l, (byFn.get(l) ?? 0) + t);
  const c = category(n);
  byCat.set(c, (byCat.get(c) ?? 0) + t);
}
const pct = (t) => ((100 * t) / total).toFixed(1).padStart(5) + '%';
console.log(`total sampled ${(total / 1000).toFixed(0)} ms\n\nby category (self time):`);
for (const [c, t] of [...byCat].sort((a, b) => b[1] - a[1])) console.log(`${pct(t)}  ${(t / 1000).toFixed(0).padStart(6)} ms  ${c}`);
console.log(`\ntop ${topN} functions (self time):`);
for (const [l, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, Number(topN))) console.log(`${pct(t)}  ${l.slice(0, 150)}`);

// Inclusive ("total") time per function, counting a function once per stack (recursion-safe).
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const [id, t] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur));
    if (seen.has(l)) continue;
    seen.add(l);
    incl.set(l, (incl.get(l) ?? 0) + t);
  }
}
const filter = process.env.INCL_FILTER ? new RegExp(process.env.INCL_FILTER) : null;
console.log(`\ntop ${topN} functions (inclusive time)${filter ? ' matching ' + filter : ''}:`);
for (const [l, t] of [...incl].filter(([l]) => !filter || filter.test(l)).sort((a, b) => b[1] - a[1]).slice(0, Number(topN)))
  console.log(`${pct(t)}  ${l.slice(0, 150)}`);
