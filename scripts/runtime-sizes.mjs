// Prints what each runtime entry of pkg/ loads (the entry, every module it imports, the wasm it
// reads or fetches), raw and gzip -9. The files are found by following the entry's relative
// imports (`from "./x.js"`, `import "./x.js"`, `new URL("./x.wasm", import.meta.url)`), so a
// module added to the package is counted without editing this list.
//   node scripts/runtime-sizes.mjs          (after `make build`)
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dir = new URL('../pkg/', import.meta.url);
const size = (f) => {
  const bytes = readFileSync(new URL(f, dir));
  return { raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
};

/** The entry and everything it loads, in the order first met. */
export function loadedBy(entry) {
  const seen = [];
  const visit = (file) => {
    if (seen.includes(file) || !existsSync(new URL(file, dir))) return;
    seen.push(file);
    if (!file.endsWith('.js')) return;
    const text = readFileSync(new URL(file, dir), 'utf8');
    // (a `?module` query, as the edge-light entry imports its .wasm, names the same file)
    for (const m of text.matchAll(/(?:\bfrom|\bimport|new URL)\s*\(?\s*["']\.\/([^"'?]+)(\?[^"']*)?["']/g)) visit(m[1]);
  };
  visit(entry);
  return seen;
}

const runtimes = {
  'node (import/require)': 'node.js',
  'browser / bundlers': 'browser.js',
  'web (init())': 'web.js',
  'edge-light (Vercel Edge)': 'edge-light.js',
  workerd: 'workerd.js',
};
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`${'runtime'.padEnd(24)} ${'raw'.padStart(10)} ${'gzip'.padStart(10)}  files`);
for (const [name, entry] of Object.entries(runtimes)) {
  const files = loadedBy(entry);
  const total = files.map(size).reduce((a, b) => ({ raw: a.raw + b.raw, gz: a.gz + b.gz }), { raw: 0, gz: 0 });
  console.log(`${name.padEnd(24)} ${kib(total.raw).padStart(10)} ${kib(total.gz).padStart(10)}  ${files.join(' ')}`);
}
const wasm = size('cometapi_responses_bg.wasm');
console.log(`(.wasm ${kib(wasm.raw)} raw / ${kib(wasm.gz)} gzip; the node entry carries it inlined as gzip + base64, the browser entry as LZMA + base64)`);
