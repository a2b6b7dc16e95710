// The library's tests run against the mock backend (mock/: tests/js through client-helpers.mjs,
// tests/runtimes and tests/browser through tests/runtimes/lib.mjs, which serves the package at
// /pkg/), never the demo's dev server (www/). Only the demo's own tests use it: tests/demo/, and
// in tests/browser the tests of the demo page and of the dev server's relay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

/** The demo's own tests in tests/browser, and their helpers (which start the dev server: a library
 *  test that imports them refers to www/ too). */
const DEMO = new Set(['demo.test.mjs', 'demo-websocket.test.mjs', 'multimodal.test.mjs', 'socket-relay.test.mjs', 'helpers.mjs']);
/** A path into www/: `www/…`, `'www'` as a path segment (`join(ROOT, 'www', …)`), `/www` at the
 *  end of a built path (`ROOT + '/www'`, `` `${ROOT}/www` ``), or the demo's tests (`../demo/`). */
const WWW = /\bwww\/|(['"`])www\1|[/\\]www(?![\w.])|\.\.[/\\]demo[/\\]/;

for (const [where, min] of [['js', 20], ['runtimes', 15], ['browser', 1]]) {
  test(`no library test of tests/${where} refers to www/`, () => {
    const dir = new URL(`../${where}/`, import.meta.url);
    const self = new URL(import.meta.url).pathname.split('/').at(-1);
    const files = readdirSync(dir, { recursive: true })
      .filter((f) => f !== self && !(where === 'browser' && DEMO.has(f)) && /\.m?js$/.test(f) && !f.includes('node_modules'));
    assert.ok(files.length >= min);
    const www = (text) => WWW.test(text) || (where === 'browser' && /['"]\.\/helpers\.mjs['"]/.test(text));
    assert.deepEqual(files.filter((f) => www(readFileSync(new URL(f, dir), 'utf8'))), []);
  });
}

test('the pattern finds every form of a path into www/', () => {
  for (const s of ["import('../../www/server.mjs')", "join(ROOT, 'www', 'server.mjs')", 'join(ROOT, "www")', 'resolve(HERE, `..`, `www`)', "'../www'", "ROOT + '/www'", '`${ROOT}/www`', "join(ROOT, '/www')", "import('../demo/helpers.mjs')"]) {
    assert.match(s, WWW, s);
  }
  for (const s of ['https://www.npmjs.com/', 'wwwroot', "'awww'"]) assert.doesNotMatch(s, WWW, s);
});
