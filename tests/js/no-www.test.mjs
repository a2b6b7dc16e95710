// The library's tests run against the mock backend (mock/, through client-helpers.mjs), never the
// demo's dev server (www/): its own tests are in tests/demo/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

test('no file of tests/js refers to www/', () => {
  const dir = new URL('./', import.meta.url);
  const self = new URL(import.meta.url).pathname.split('/').at(-1);
  const files = readdirSync(dir).filter((f) => f !== self && /\.m?js$/.test(f));
  assert.ok(files.length > 20);
  assert.deepEqual(files.filter((f) => /\bwww\//.test(readFileSync(new URL(f, dir), 'utf8'))), []);
});
