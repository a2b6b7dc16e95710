// The shipped .d.ts: a TypeScript consumer compiles with `tsc --noEmit` (misuse lines marked
// @ts-expect-error must fail to compile), and the public surface has no `any`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('tests/types/usage.ts compiles against pkg/index.d.ts', () => {
  const tsc = `${root}node_modules/typescript/bin/tsc`;
  try {
    execFileSync(process.execPath, [tsc, '-p', `${root}tests/types`], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});

test('the public types contain no `any`', () => {
  const dts = readFileSync(`${root}pkg/index.d.ts`, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  assert.equal(/\bany\b/.test(dts), false);
});

test('package.json points TypeScript at the declarations', () => {
  const pkg = JSON.parse(readFileSync(`${root}pkg/package.json`, 'utf8'));
  assert.equal(pkg.types, './index.d.ts');
  assert.equal(pkg.exports['.'].types, './index.d.ts');
});
