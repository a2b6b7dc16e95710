// Where do the wasm bytes go? Parses a wasm binary that kept its name section (see
// build-variant.sh --names) and sums code-body sizes by crate / module path.
//   node bench/experiments/wasm-size.mjs build/bench/variants/prof/pkg/cometapi_responses_bg.wasm [topN]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const [file, topN = '40'] = process.argv.slice(2);
const buf = readFileSync(file);
let pos = 8;
const u32 = () => {
  let r = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    r |= (b & 0x7f) << shift;
    if (!(b & 0x80)) return r >>> 0;
    shift += 7;
  }
};
const name = () => {
  const n = u32();
  const s = buf.toString('utf8', pos, pos + n);
  pos += n;
  return s;
};
let importedFuncs = 0;
const bodies = [];
const names = new Map();
const sections = [];
while (pos < buf.length) {
  const id = buf[pos++];
  const size = u32();
  const start = pos;
  const end = pos + size;
  let label = String(id);
  if (id === 0) {
    label = 'custom:' + name();
    if (label === 'custom:name') {
      while (pos < end) {
        const sub = buf[pos++];
        const len = u32();
        const subEnd = pos + len;
        if (sub === 1) {
          const count = u32();
          for (let i = 0; i < count; i++) {
            const idx = u32();
            names.set(idx, name());
          }
        }
        pos = subEnd;
      }
    }
  } else if (id === 2) {
    label = 'import';
    const count = u32();
    for (let i = 0; i < count; i++) {
      name();
      name();
      const kind = buf[pos++];
      if (kind === 0) {
        u32();
        importedFuncs++;
      } else if (kind === 1) {
        pos++;
        const f = u32();
        u32();
        if (f & 1) u32();
      } else if (kind === 2) {
        const f = u32();
        u32();
        if (f & 1) u32();
      } else if (kind === 3) {
        pos += 2;
      }
    }
  } else if (id === 10) {
    label = 'code';
    const count = u32();
    for (let i = 0; i < count; i++) {
      const sz = u32();
      bodies.push({ idx: importedFuncs + i, size: sz });
      pos += sz;
    }
  } else if (id === 11) label = 'data';
  sections.push({ label, size });
  pos = end;
}
const demangle = (n) => n.replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]+\]/g, '');
const group = (n) => {
  const d = demangle(n).replace(/^<|^_</, '');
  const m = d.match(/^(?:&mut |&)?([a-zA-Z_][a-zA-Z0-9_]*)(?:::([a-zA-Z_][a-zA-Z0-9_]*))?/);
  if (!m) return '(other)';
  if (m[1] === 'cometapi_responses') return `cometapi_responses::${m[2] ?? ''}`;
  return m[1];
};
const total = bodies.reduce((a, b) => a + b.size, 0);
const byGroup = new Map();
for (const b of bodies) {
  const g = group(names.get(b.idx) ?? '(unnamed)');
  byGroup.set(g, (byGroup.get(g) ?? 0) + b.size);
}
console.log(`${file}: ${buf.length} bytes (${gzipSync(buf, { level: 9 }).length} gzip), ${bodies.length} functions, code ${total} bytes`);
console.log('sections:', sections.filter((s) => s.size > 1000).map((s) => `${s.label} ${s.size}`).join(', '));
console.log('\ncode bytes by crate / module:');
for (const [g, s] of [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${String(s).padStart(8)}  ${((100 * s) / total).toFixed(1).padStart(5)}%  ${g}`);
console.log(`\nlargest ${topN} functions:`);
for (const b of bodies.sort((a, b) => b.size - a.size).slice(0, Number(topN))) console.log(`${String(b.size).padStart(8)}  ${demangle(names.get(b.idx) ?? '?').slice(0, 140)}`);
