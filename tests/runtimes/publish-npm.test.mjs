// The npm package is ready to publish: `npm publish --dry-run` of pkg/ passes offline (the registry
// is a closed local port: npm's look-up of the published versions fails at once and the dry run goes
// on), with the files, manifest and README a user of npm gets (the README's relative links made
// absolute URLs of the repository; the repository's README keeps its relative links).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PKG, ROOT, readJson, run } from './lib.mjs';
import { absoluteReadmeLinks } from '../../scripts/readme-links.mjs';

let report;
let warnings;
let manifest;

before(async () => {
  const { stdout, stderr } = await run('npm', ['publish', '--dry-run', '--json', '--registry=http://127.0.0.1:9/', '--fetch-retries=0', '--no-audit', '--no-fund'], { cwd: PKG });
  report = JSON.parse(stdout.slice(stdout.indexOf('{')))['cometapi-responses'];
  warnings = stderr.split('\n').filter((l) => /^npm (warn|error)/i.test(l));
  manifest = readJson(PKG, 'package.json');
});

const REPO = 'https://github.com/cometapi/cometapi-responses';

test('npm publish --dry-run passes with no warning but the login one', () => {
  assert.equal(report.name, 'cometapi-responses');
  assert.equal(report.version, manifest.version);
  const cargo = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^version = "(.*)"/m)[1];
  assert.equal(report.version, cargo, 'one version for the crate and the npm package');
  // npm auto-corrects a bad manifest with a warning ("npm pkg fix"): none of that
  assert.deepEqual(warnings.filter((w) => !/requires you to be logged in/.test(w)), []);
});

test('the published files: the entries (one bundled module each), wasm, types, README and LICENSE, nothing else', () => {
  const files = report.files.map((f) => f.path).sort();
  for (const f of [
    'LICENSE', 'README.md', 'package.json', 'index.d.ts', 'cometapi_responses_bg.wasm',
    'node.js', 'browser.js', 'edge-light.js', 'workerd.js', 'web.js',
  ]) {
    assert.ok(files.includes(f), `${f} is published`);
  }
  // the package's own modules at the top level (the JS of the client may be split into more of
  // them), one .d.ts, one .wasm: no source map, test, TypeScript source or directory
  const stray = files.filter((f) => !/^([\w.-]+\.js|index\.d\.ts|cometapi_responses_bg\.wasm|package\.json|README\.md|LICENSE)$/.test(f));
  assert.deepEqual(stray, [], 'nothing else is published');
  // the .wasm, and the node and browser entries each carrying it inline (gzip + base64)
  assert.ok(report.unpackedSize < 1.5 * 1024 * 1024, `unpacked ${report.unpackedSize} bytes`);
});

test('the manifest: exports with types first, main/module/types, files, engines, sideEffects, metadata', () => {
  const files = new Set(report.files.map((f) => f.path));
  const targets = [manifest.main, manifest.module, manifest.types];
  const walk = (v) => (typeof v === 'string' ? targets.push(v) : Object.values(v).forEach(walk));
  walk(manifest.exports);
  for (const t of targets) assert.ok(files.has(t.replace(/^\.\//, '')), `${t} is published`);
  for (const [path, conditions] of Object.entries(manifest.exports)) {
    if (typeof conditions === 'object' && !path.endsWith('.wasm') && !path.endsWith('.json')) {
      assert.equal(Object.keys(conditions)[0], 'types', `"types" comes first in exports["${path}"]`);
      assert.equal(Object.keys(conditions).at(-1), 'default', `"default" comes last in exports["${path}"]`);
    }
  }
  const root = manifest.exports['.'];
  assert.deepEqual(Object.keys(root), ['types', 'workerd', 'edge-light', 'node', 'browser', 'worker', 'default']);
  assert.deepEqual([root.node, root.workerd, root['edge-light'], root.browser], ['./node.js', './workerd.js', './edge-light.js', './browser.js']);
  assert.equal(manifest.types, './index.d.ts');
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.engines.node, '>=20');
  assert.deepEqual(manifest.files, ['*.js', '*.d.ts', '*.wasm', 'README.md', 'LICENSE*']);
  // Not `false`: node.js, browser.js, edge-light.js and workerd.js instantiate the wasm when imported, and with
  // `false` webpack skips them (it follows `export *` straight to api.js) and bundles no wasm at
  // all. Every other module is side-effect free.
  assert.deepEqual([...manifest.sideEffects].sort(), ['./browser.js', './edge-light.js', './node.js', './web.js', './workerd.js']);
  assert.equal(manifest.license, 'MIT');
  assert.equal(manifest.repository.url, `git+${REPO}.git`);
  assert.ok(manifest.description.length > 20);
  assert.ok(manifest.keywords.includes('wasm'));
});

test("the README on npm: relative links and images point into the repository; the repository's README is unchanged", () => {
  const published = readFileSync(join(PKG, 'README.md'), 'utf8');
  const source = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.equal(published, absoluteReadmeLinks(source, REPO), 'pkg/README.md is the README with absolute links');
  const targets = (md) => [...md.replace(/```[\s\S]*?```|`[^`\n]*`/g, '').matchAll(/!?\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1]);
  const relative = targets(published).filter((t) => !/^(https?:|mailto:|#)/.test(t));
  assert.deepEqual(relative, [], 'no relative link left');
  assert.ok(targets(source).some((t) => !/^(https?:|mailto:|#)/.test(t)), 'the repository README has relative links (kept as is)');
  assert.ok(published.includes(`](https://raw.githubusercontent.com/cometapi/cometapi-responses/main/docs/demo.png)`), 'the image as raw bytes');
  assert.ok(published.includes(`](${REPO}/blob/main/docs/performance.md)`), 'a link to a doc on GitHub');
});

test('absoluteReadmeLinks: links, images and references; anchors, URLs and code left alone', () => {
  const md = [
    '![demo](docs/demo.png) [perf](./docs/performance.md "Performance") [top](#usage) [npm](https://www.npmjs.com/) [mail](mailto:a@b.c)',
    '`[not a link](x.md)` and [lic](LICENSE)',
    '[ref]: examples/cloudflare-worker/README.md',
    '```md',
    '[inside a fence](y.md)',
    '```',
  ].join('\n');
  assert.equal(
    absoluteReadmeLinks(md, REPO),
    [
      `![demo](https://raw.githubusercontent.com/cometapi/cometapi-responses/main/docs/demo.png) [perf](${REPO}/blob/main/docs/performance.md "Performance") [top](#usage) [npm](https://www.npmjs.com/) [mail](mailto:a@b.c)`,
      `\`[not a link](x.md)\` and [lic](${REPO}/blob/main/LICENSE)`,
      `[ref]: ${REPO}/blob/main/examples/cloudflare-worker/README.md`,
      '```md',
      '[inside a fence](y.md)',
      '```',
    ].join('\n'),
  );
});
