// Prints (and with --check, enforces) the gzip size of what a runtime loads: the optimised wasm +
// the JS of the browser entry (glue, API modules, the LZMA decoder), measured without
// the entry's inline copy of the wasm, which is the wasm itself once more (the `web` entry fetches
// the .wasm file instead; the Node entry carries the same inline copy and the same JS, with
// node:zlib instead of fflate). The self-contained entries are printed as they ship, for information.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dir = new URL('../pkg/', import.meta.url);
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const read = (f) => readFileSync(new URL(f, dir));
const wasm = gz(read('cometapi_responses_bg.wasm'));
const browser = read('browser.js').toString('utf8');
const inline = browser.match(/"H4sI[A-Za-z0-9+/=]{1000,}"/g) ?? [];
if (inline.length !== 1) {
  console.error(`size: expected one inline copy of the wasm in browser.js, found ${inline.length}`);
  process.exit(1);
}
const glue = gz(browser.replace(inline[0], '""'));
const kib = (n) => (n / 1024).toFixed(1) + ' KiB';
console.log(
  `size: wasm ${kib(wasm)} gzip + glue ${kib(glue)} gzip = ${kib(wasm + glue)} gzip ` +
    `(as shipped, gzip: browser.js ${kib(gz(read('browser.js')))}, node.js ${kib(gz(read('node.js')))}, ` +
    `web.js ${kib(gz(read('web.js')))} + the .wasm)`,
);
const budget = Number(process.env.SIZE_BUDGET_KIB ?? 114) * 1024;
if (process.argv.includes('--check') && wasm + glue > budget) {
  console.error(`size guard: ${kib(wasm + glue)} is over the budget of ${kib(budget)}`);
  process.exit(1);
}
