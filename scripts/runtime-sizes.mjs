// Prints what each runtime entry of pkg/ loads (entry + glue + api + wasm), raw and gzip -9.
//   node scripts/runtime-sizes.mjs          (after `make build`)
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dir = new URL('../pkg/', import.meta.url);
const size = (f) => {
  const bytes = readFileSync(new URL(f, dir));
  return { raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
};
const common = ['cometapi_responses.js', 'api.js', 'errors.js'];
const runtimes = {
  'node (import/require)': ['node.js', ...common, 'cometapi_responses_bg.wasm'],
  'browser / bundlers': ['browser.js', 'cometapi_responses_bg.inline.js', ...common],
  'web (init())': ['web.js', ...common, 'cometapi_responses_bg.wasm'],
  'workerd': ['workerd.js', ...common, 'cometapi_responses_bg.wasm'],
};
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`${'runtime'.padEnd(23)} ${'raw'.padStart(10)} ${'gzip'.padStart(10)}  files`);
for (const [name, files] of Object.entries(runtimes)) {
  const total = files.map(size).reduce((a, b) => ({ raw: a.raw + b.raw, gz: a.gz + b.gz }), { raw: 0, gz: 0 });
  console.log(`${name.padEnd(23)} ${kib(total.raw).padStart(10)} ${kib(total.gz).padStart(10)}  ${files.join(' ')}`);
}
const wasm = size('cometapi_responses_bg.wasm');
const inline = size('cometapi_responses_bg.inline.js');
console.log(`(.wasm ${kib(wasm.raw)} raw / ${kib(wasm.gz)} gzip; inlined for the browser entry: ${kib(inline.raw)} raw / ${kib(inline.gz)} gzip)`);
