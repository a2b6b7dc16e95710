// A script importing the package, bundled by `esbuild --platform=node` and `bun build --target=node`,
// run alone outside the repository with Node and Bun (no loader, no copied .wasm): stream, create(), an ApiError.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { BUILD, SECRET, devImport, freshConsumer, installTools, packPkg, run, startMock } from './lib.mjs';
import { CONSUMER_SCRIPTS, checkReport, parseReport } from './server-lib.mjs';

let consumer;
let mock;
let bun;
const lonely = [];

before(async () => {
  const [{ tarball }, tools] = await Promise.all([packPkg(join(BUILD, 'runtimes', 'server-bundles')), installTools('bun-deno')]);
  bun = join(tools, 'node_modules', 'bun', 'bin', 'bun.exe');
  consumer = await freshConsumer('server-bundles', CONSUMER_SCRIPTS, tarball);
  mock = await startMock({ delayMs: 5, requireKey: SECRET });
});

after(async () => {
  await mock?.close();
  for (const d of lonely) rmSync(d, { recursive: true, force: true });
});

/** Copies `file` alone into a fresh temporary folder with no node_modules on the way up. */
function alone(file) {
  const dir = mkdtempSync(join(tmpdir(), 'cometapi-bundle-'));
  lonely.push(dir);
  for (let d = dir; d !== parse(d).root; d = dirname(d)) {
    assert.ok(!existsSync(join(d, 'node_modules')), `no node_modules above the bundle: ${d}`);
  }
  copyFileSync(file, join(dir, 'server.mjs'));
  return dir;
}

async function runAlone(bin, dir) {
  const { stdout, stderr } = await run(bin, ['server.mjs', `${mock.url}/v1`], {
    cwd: dir,
    env: { BUN_INSTALL_CACHE_DIR: join(dir, '.bun-cache'), DO_NOT_TRACK: '1', NO_COLOR: '1' },
    timeoutMs: 60_000,
  });
  assert.doesNotMatch(stderr, /error|warn/i, `nothing alarming on stderr:\n${stderr}`);
  checkReport(parseReport(stdout), null);
}

test('esbuild --platform=node --bundle: the bundle runs alone (Node and Bun)', async () => {
  const esbuild = await devImport('esbuild/lib/main.js');
  const outdir = join(consumer, 'dist-esbuild');
  const result = await esbuild.build({
    absWorkingDir: consumer,
    entryPoints: ['bundle.mjs'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outdir,
    logLevel: 'silent',
  });
  assert.deepEqual(result.warnings, []);
  assert.deepEqual(readdirSync(outdir), ['bundle.js'], 'one file, no .wasm beside it');
  const dir = alone(join(outdir, 'bundle.js'));
  await runAlone(process.execPath, dir);
  await runAlone(bun, dir);
});

test('bun build --target=node: the bundle runs alone (Node and Bun)', async () => {
  const outdir = join(consumer, 'dist-bun');
  rmSync(outdir, { recursive: true, force: true });
  const { stderr } = await run(bun, ['build', 'bundle.mjs', '--target=node', '--outdir', outdir], {
    cwd: consumer,
    env: { DO_NOT_TRACK: '1', NO_COLOR: '1' },
  });
  assert.doesNotMatch(stderr, /error|warn/i, stderr);
  assert.deepEqual(readdirSync(outdir), ['bundle.js'], 'one file, no .wasm beside it');
  const dir = alone(join(outdir, 'bundle.js'));
  await runAlone(process.execPath, dir);
  await runAlone(bun, dir);
});
