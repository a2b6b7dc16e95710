// The shipped .d.ts, as a TypeScript consumer meets it (`tsc --strict`, module nodenext and
// moduleResolution bundler; and without the DOM lib, as a Node or Bun project types it:
// tests/types/nodom): tests/types/*.ts must compile, and every line there marked
// @ts-expect-error must fail to compile (tsc reports a directive that is not needed), so a typo
// that compiled would fail this test. Also: every event of the recorded real streams (in
// ../shared/fixtures/recorded) type-checks as a ResponseStreamEvent with no unknown field, and the
// public surface has no `any`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const RECORDED = join(root, '..', 'shared', 'fixtures', 'recorded');

function compile(args) {
  try {
    execFileSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    return `${e.stdout}${e.stderr}` || String(e);
  }
}

const CONFIGS = [
  ['tsconfig.json', 'tests/types/*.ts', 'moduleResolution bundler'],
  ['tsconfig.nodenext.json', 'tests/types/*.ts', 'module nodenext'],
  ['tsconfig.nodom.json', 'tests/types/nodom/*.ts', 'lib ES2022 and the web globals of Node and Bun, no DOM'],
  ['tsconfig.exact.json', 'tests/types/*.ts', 'exactOptionalPropertyTypes'],
];
for (const [config, files, what] of CONFIGS) {
  test(`${files} compile against pkg/index.d.ts (strict, ${what})`, () => {
    assert.equal(compile(['-p', `tests/types/${config}`]), '');
  });
}

// Fields real servers send beyond the declared types: vendor fields, reached through
// WithVendorFields (README, Types). Each must still be in its recording (no stale entry).
const VENDOR_FIELDS = { 'openrouter_data_only_reasoning_text.sse': ['response.usage.cost', 'response.usage.is_byok', 'response.usage.cost_details'] };

test('every event of the recorded real streams is a ResponseStreamEvent, field by field', (t) => {
  if (!existsSync(RECORDED)) {
    assert.notEqual(process.env.CI, 'true', `${RECORDED} is missing (CI always has it)`);
    t.skip(`SKIPPED: ${RECORDED} not found`);
    return;
  }
  // one declaration per distinct event shape (long strings cut: only the shapes matter here)
  const shapeOf = (v) =>
    typeof v === 'string' ? 's' : typeof v === 'number' ? 'n' : Array.isArray(v) ? v.map(shapeOf) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'type' ? x : shapeOf(x)])) : v;
  const cut = (v, key) =>
    typeof v === 'string' && key !== 'type' ? v.slice(0, 40) : Array.isArray(v) ? v.slice(0, 3).map((x) => cut(x)) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x, k)])) : v;
  const seen = new Set();
  const decls = [];
  const vendorSeen = new Set();
  const types = new Set();
  for (const file of readdirSync(RECORDED).filter((f) => f.endsWith('.sse')).sort()) {
    for (const line of readFileSync(join(RECORDED, file), 'utf8').split(/\r\n|\r|\n/)) {
      if (!line.startsWith('data:') || line.slice(5).trim() === '[DONE]') continue;
      const event = JSON.parse(line.slice(5));
      types.add(event.type);
      for (const path of VENDOR_FIELDS[file] ?? []) {
        const keys = path.split('.');
        const parent = keys.slice(0, -1).reduce((o, k) => o?.[k], event);
        if (parent && keys.at(-1) in parent) {
          delete parent[keys.at(-1)];
          vendorSeen.add(`${file}:${path}`);
        }
      }
      const key = JSON.stringify(shapeOf(event));
      if (seen.has(key)) continue;
      seen.add(key);
      decls.push(`// ${file}\nexport const e${decls.length}: ResponseStreamEvent = ${JSON.stringify(cut(event))};`);
    }
  }
  for (const [file, paths] of Object.entries(VENDOR_FIELDS)) {
    for (const path of paths) assert.ok(vendorSeen.has(`${file}:${path}`), `${path} is no longer in ${file}: drop it from VENDOR_FIELDS`);
  }
  assert.ok(types.size >= 40, `${types.size} event types recorded`);
  // the check itself works: an unknown field in a known event does not compile
  decls.push(
    "// @ts-expect-error a field no server sends\nexport const typo: ResponseStreamEvent = { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'x', detla: 'x' };",
  );
  const dir = join(root, 'build', 'types-recorded');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'recorded.ts'), `import type { ResponseStreamEvent } from 'cometapi-responses';\n${decls.join('\n')}\n`);
  const common = ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom'];
  const errors = compile([...common, '--module', 'esnext', '--moduleResolution', 'bundler', join(dir, 'recorded.ts')]);
  assert.equal(errors, '', `${decls.length} distinct recorded events; tsc says:\n${errors.slice(0, 4000)}`);
});

/** pkg/index.d.ts without its comments. */
const dts = () =>
  readFileSync(join(root, 'pkg', 'index.d.ts'), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');

test('the public types contain no `any`', () => {
  assert.equal(/\bany\b/.test(dts()), false);
});

test('no wire type has a catch-all index signature (vendor fields go through WithVendorFields)', () => {
  const signatures = [...dts().matchAll(/\[\s*(\w+)\s*:\s*string\s*\]\s*:\s*([^;}]+)/g)].map((m) => `[${m[1]}: string]: ${m[2].trim()}`);
  // allowed: JSON values, string maps (headers, metadata), the vendor escape, an accumulator input
  const allowed = [/^\[key: string\]: JsonValue$/, /^\[vendorField: string\]: unknown$/, /^\[key: string\]: unknown$/];
  for (const s of signatures) assert.ok(allowed.some((a) => a.test(s)), `unexpected index signature: ${s}`);
  assert.equal(signatures.filter((s) => s === '[key: string]: unknown').length, 1, 'only ResponseAccumulator.push accepts any object with a type');
});

test('package.json points TypeScript at the declarations', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'pkg', 'package.json'), 'utf8'));
  assert.equal(pkg.types, './index.d.ts');
  assert.equal(pkg.exports['.'].types, './index.d.ts');
});
