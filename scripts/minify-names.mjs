// `make build`: gives the wasm's imports and exports one- or two-letter names and rewrites the
// wasm-bindgen glue to match (the long names — `rawcall_feed`, `__wbg_new_37eb45aaf5eeb820` — cost
// ~0.8 KiB compressed across the wasm and the JS). Reads the optimised wasm, runs binaryen's
// --minify-imports-and-exports-and-modules on it, and fails when a name the glue uses is left over.
// The memory keeps its name `memory` (what code that reaches into the instance looks for).
//   node scripts/minify-names.mjs WASM GLUE_JS
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const [wasmPath, gluePath] = process.argv.slice(2);
const features = ['bulk-memory', 'nontrapping-float-to-int', 'sign-ext', 'mutable-globals', 'reference-types', 'multivalue'];
// a name section (a build for profiling) is kept
const named = WebAssembly.Module.customSections(new WebAssembly.Module(readFileSync(wasmPath)), 'name').length ? ['-g'] : [];
const args = [wasmPath, '--minify-imports-and-exports-and-modules', ...named, ...features.map((f) => `--enable-${f}`)];
const map = JSON.parse(execFileSync('wasm-opt', [...args, '-o', wasmPath], { encoding: 'utf8' }));
const exported = new Map(map.exports);
exported.set('memory', 'memory');
writeFileSync(wasmPath, renameExports(readFileSync(wasmPath), new Map([[map.exports.find(([from]) => from === 'memory')[1], 'memory']])));
const module = new WebAssembly.Module(readFileSync(wasmPath));
const [imported] = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
let glue = readFileSync(gluePath, 'utf8');
const replace = (re, to, name) => {
  const next = glue.replace(re, to);
  if (next === glue) throw new Error(`minify-names: ${name} not found in ${gluePath}`);
  glue = next;
};
for (const [, from, to] of map.imports) replace(new RegExp(`^(\\s+)${from}:`, 'm'), `$1${to}:`, from);
replace(/"\.\/cometapi_responses_bg\.js": import0/, `${JSON.stringify(imported)}: import0`, 'the import module');
glue = glue.replace(/\bwasm\.(\w+)\b/g, (all, name) => {
  if (!exported.has(name)) throw new Error(`minify-names: the glue uses wasm.${name}, which the wasm does not export`);
  return `wasm.${exported.get(name)}`;
});
writeFileSync(gluePath, glue);

/** `wasm` with its exports named `names.get(name)` where the map has their name. */
function renameExports(wasm, names) {
  const leb = (n) => {
    const out = [];
    do {
      out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n);
    return out;
  };
  let at = 8;
  const read = () => {
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      const b = wasm[at++];
      n |= (b & 0x7f) << shift;
      if (b < 0x80) return n >>> 0;
    }
  };
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  while (at < wasm.length) {
    const section = at;
    const id = wasm[at++];
    const size = read();
    const start = at;
    if (id !== 7) {
      at += size;
      continue;
    }
    const count = read();
    const out = leb(count);
    for (let i = 0; i < count; i++) {
      const len = read();
      const name = decoder.decode(wasm.subarray(at, at + len));
      at += len;
      const kind = wasm[at++];
      const index = read();
      const bytes = encoder.encode(names.get(name) ?? name);
      out.push(...leb(bytes.length), ...bytes, kind, ...leb(index));
    }
    return Buffer.concat([wasm.subarray(0, section), Buffer.from([7, ...leb(out.length), ...out]), wasm.subarray(start + size)]);
  }
  throw new Error('minify-names: the wasm has no export section');
}
