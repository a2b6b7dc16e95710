// Prints (and with --check, enforces) the gzip size of what a runtime loads: the optimised wasm + JS glue.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dir = new URL('../pkg/', import.meta.url);
const gz = (f) => gzipSync(readFileSync(new URL(f, dir)), { level: 9 }).length;
const wasm = gz('cometapi_responses_bg.wasm');
// Everything the Node entry loads: the glue, the API modules and the entry (not the other entries).
const others = new Set(['browser.js', 'web.js', 'workerd.js', 'cometapi_responses_bg.inline.js']);
const files = readdirSync(dir).filter((f) => f.endsWith('.js') && !others.has(f));
const glue = files.map(gz).reduce((a, b) => a + b, 0);
const kib = (n) => (n / 1024).toFixed(1) + ' KiB';
console.log(`size: wasm ${kib(wasm)} gzip + glue ${kib(glue)} gzip = ${kib(wasm + glue)} gzip`);
const budget = Number(process.env.SIZE_BUDGET_KIB ?? 117) * 1024;
if (process.argv.includes('--check') && wasm + glue > budget) {
  console.error(`size guard: ${kib(wasm + glue)} is over the budget of ${kib(budget)}`);
  process.exit(1);
}
