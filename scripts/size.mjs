// Prints (and with --check, enforces) the gzip size of what a runtime loads. The guard is the
// browser entry as shipped (the wasm inlined as LZMA, the glue, the API modules, the decoder): what
// a page downloads. Printed beside it: the optimised .wasm + the browser entry's JS without its
// inline copy (what the `web` entry loads: it fetches the .wasm), and the other self-contained
// entries (the Node entry inlines gzip, inflated by node:zlib).
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
const shipped = gz(browser);
const kib = (n) => (n / 1024).toFixed(1) + ' KiB';
console.log(
  `size: wasm ${kib(wasm)} gzip + glue ${kib(glue)} gzip = ${kib(wasm + glue)} gzip ` +
    `(as shipped, gzip: browser.js ${kib(shipped)}, node.js ${kib(gz(read('node.js')))}, ` +
    `web.js ${kib(gz(read('web.js')))} + the .wasm)`,
);
const budget = Number(process.env.SIZE_BUDGET_KIB ?? 96) * 1024;
if (process.argv.includes('--check') && shipped > budget) {
  console.error(`size guard: browser.js is ${kib(shipped)} gzip, over the budget of ${kib(budget)}`);
  process.exit(1);
}
