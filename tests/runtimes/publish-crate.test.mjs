// The crate is ready to publish: `cargo package` ships the library and its docs only, `cargo publish
// --dry-run` passes (a build of the packaged sources for the host and wasm32), `cargo doc --no-deps`
// has no warning (-D warnings) for the host and wasm32 (docs.rs' target). `--allow-dirty`: the
// working tree may hold uncommitted work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run } from './lib.mjs';

const cargo = (args, env = {}) => run('cargo', args, { cwd: ROOT, env: { CARGO_TERM_COLOR: 'never', ...env }, timeoutMs: 900_000 });
const manifest = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
// the repository's tests and examples are left out of the package on purpose (`include`)
const warningsOf = (stderr) =>
  stderr
    .split('\n')
    .filter((l) => /^warning:/.test(l))
    .filter((l) => !/aborting upload due to dry run|^warning: ignoring (test|example|bench) `[\w-]+` as `[\w/.-]+` is not included in the published package$/.test(l));

test('cargo package: the library sources, build.rs, Cargo.toml, README and LICENSE, nothing else', async () => {
  const { stdout } = await cargo(['package', '--list', '--allow-dirty', '--quiet']);
  const files = stdout.trim().split('\n').sort();
  for (const f of ['build.rs', 'Cargo.toml', 'README.md', 'LICENSE', 'src/lib.rs']) assert.ok(files.includes(f), `${f} is packaged`);
  if (existsSync(join(ROOT, 'src', 'guide.md'))) assert.ok(files.includes('src/guide.md'), 'the crate guide is packaged');
  const stray = files.filter((f) => !/^(src\/.+\.(rs|md)|build\.rs|Cargo\.toml|Cargo\.toml\.orig|Cargo\.lock|README\.md|LICENSE|\.cargo_vcs_info\.json)$/.test(f));
  assert.deepEqual(stray, [], 'no demo, mock, tests, benchmarks or npm files in the crate');
});

test('the manifest has what crates.io and docs.rs need', () => {
  for (const field of ['description', 'license', 'repository', 'readme', 'documentation', 'rust-version']) {
    assert.match(manifest, new RegExp(`^${field} = "`, 'm'), `[package] ${field}`);
  }
  assert.match(manifest, /^\[package\.metadata\.docs\.rs\][^[]*default-target = "wasm32-unknown-unknown"/m);
});

const PUBLIC_MODULES = ['accumulate', 'call', 'endpoint', 'error', 'event', 'input', 'partial_json', 'redact', 'relay', 'request', 'socket', 'sse', 'stream', 'structured', 'tool_loop'];

for (const target of [null, 'wasm32-unknown-unknown']) {
  const flags = target ? ['--target', target, '--features', 'client'] : [];
  test(`cargo publish --dry-run ${target ? flags.join(' ') : '(host build of the packaged crate)'} passes`, async () => {
    const { stderr } = await cargo(['publish', '--dry-run', '--allow-dirty', ...flags]);
    if (!target) assert.match(stderr, /Packaged \d+ files/);
    assert.match(stderr, /aborting upload due to dry run/);
    assert.deepEqual(warningsOf(stderr), [], 'no warning');
  });

  test(`cargo doc --no-deps${target ? ` ${flags.join(' ')}` : ''} with no warning`, async () => {
    // wasm32: as docs.rs builds it (Cargo.toml [package.metadata.docs.rs]: the `client` feature)
    const { stderr } = await cargo(['doc', '--no-deps', ...flags], { RUSTDOCFLAGS: '-D warnings' });
    assert.doesNotMatch(stderr, /^(warning|error)/m, stderr);
    const index = join(ROOT, 'target', ...(target ? [target] : []), 'doc', 'cometapi_responses', 'index.html');
    assert.ok(existsSync(index), `${index} written`);
    // the deliberate public API: these modules and no other (answer, retry and the npm classes stay inside)
    const modules = [...readFileSync(index, 'utf8').matchAll(/class="mod" href="([a-z_]+)\/index\.html"/g)].map((m) => m[1]);
    assert.deepEqual(modules, [...PUBLIC_MODULES, ...(target ? ['wasm'] : [])]);
  });
}

const guideIncluded = /#!\[doc = include_str!\("guide\.md"\)\]/.test(readFileSync(join(ROOT, 'src', 'lib.rs'), 'utf8'));
test('the crate-level docs are the guide (src/guide.md)', { todo: !guideIncluded && 'src/lib.rs does not include src/guide.md yet' }, () => {
  assert.ok(guideIncluded, 'src/lib.rs has #![doc = include_str!("guide.md")]');
  const html = readFileSync(join(ROOT, 'target', 'wasm32-unknown-unknown', 'doc', 'cometapi_responses', 'index.html'), 'utf8');
  assert.match(html, /Streaming an answer from Rust\/wasm/);
});
