// The Rust Worker (examples/workers-rs), built by `worker-build --release` with the repository's own
// esbuild/wasm-bindgen/wasm-opt (offline) and run in workerd: it streams an answer from the mock (key as a secret).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, DEV_MODULES, ROOT, SECRET, compatibilityDate, fragmentsIn, keyedCalls, run, startWorker, useMock, using } from './lib.mjs';

const EXAMPLE = join(ROOT, 'examples', 'workers-rs');
const TOOLS = join(BUILD, 'runtimes', 'workers-rs-tools');
const WORKER_BUILD = join(TOOLS, 'bin', 'worker-build');
const WORKER_BUILD_VERSION = '0.8.7';
const BUNDLE = () => ({ bundleDir: join(EXAMPLE, 'build'), compatibilityDate: compatibilityDate(join(EXAMPLE, 'wrangler.toml')) });

const mock = useMock({ delayMs: 5, requireKey: SECRET });
let worker;

before(async () => {
  await mock.ready;
  if (!existsSync(WORKER_BUILD)) {
    const t0 = performance.now();
    // --debug: the tool runs for seconds, an optimised build of it would take minutes longer
    await run('cargo', ['install', '--debug', '--locked', '--quiet', 'worker-build', '--version', WORKER_BUILD_VERSION, '--root', TOOLS], { timeoutMs: 1_800_000 });
    console.log(`installed worker-build ${WORKER_BUILD_VERSION} into ${TOOLS} in ${((performance.now() - t0) / 1000).toFixed(0)} s (kept for later runs)`);
  }
  const { stdout: wasmBindgen } = await run('sh', ['-c', 'command -v wasm-bindgen']);
  await run(WORKER_BUILD, ['--release'], {
    cwd: EXAMPLE,
    timeoutMs: 900_000,
    env: {
      CARGO_TARGET_DIR: join(BUILD, 'runtimes', 'workers-rs-target'), // cargo's cache, kept between runs
      CARGO_TERM_COLOR: 'never',
      ESBUILD_BIN: join(DEV_MODULES, '.bin', 'esbuild'),
      WASM_BINDGEN_BIN: wasmBindgen.trim(),
      WASM_OPT_BIN: join(DEV_MODULES, '.bin', 'wasm-opt'),
    },
  });
  worker = await startWorker(BUNDLE(), { COMETAPI_KEY: SECRET, UPSTREAM_BASE_URL: `${mock.url}/v1` });
});

after(() => worker?.dispose());

test('worker-build output: the shim and its .wasm module', () => {
  for (const f of ['index.js', 'index_bg.wasm']) assert.ok(existsSync(join(EXAMPLE, 'build', f)), f);
  assert.match(readFileSync(join(EXAMPLE, 'build', 'index.js'), 'utf8'), /from\s*"\.\/index_bg\.wasm"/);
});

test('the Rust Worker streams an answer from the mock with wasm::Client, the key staying inside', async () => {
  const before = mock.requests.length;
  const res = await worker.dispatchFetch('http://worker.test/?q=Hello%20from%20a%20test');
  const body = await res.text();
  assert.equal(res.status, 200, body);
  const answer = JSON.parse(body);
  assert.equal(answer.status, 'completed');
  assert.ok(answer.events >= 5, `${answer.events} events`);
  assert.ok(answer.text.length > 0);
  assert.equal(answer.output_text, answer.text, 'the final response matches the streamed deltas');
  assert.ok(answer.total_tokens > 0);
  keyedCalls(mock, before, 1); // the Worker sent the key (the mock answers 401 otherwise)
  assert.deepEqual(fragmentsIn(body, SECRET), [], 'no part of the key in the answer');
});

test('an upstream error becomes a 502 with the error, never the key', async () => {
  const broken = await startWorker({ ...BUNDLE(), compatibilityDate: '2025-09-01' }, { COMETAPI_KEY: `${SECRET}-wrong`, UPSTREAM_BASE_URL: `${mock.url}/v1` });
  await using(broken, async () => {
    const res = await broken.dispatchFetch('http://worker.test/');
    const body = await res.text();
    assert.equal(res.status, 502, body);
    assert.match(JSON.parse(body).error, /401/);
    assert.deepEqual(fragmentsIn(body, SECRET), []);
  });
});
