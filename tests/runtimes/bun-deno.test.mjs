// Bun and Deno (pinned in tests/runtimes/tools/bun-deno) run Node's consumer scripts on the packed
// tarball: import/require by name, stream from the mock, create(), an ApiError; Deno also via `npm:`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, SECRET, freshConsumer, installTools, packPkg, run, startMock } from './lib.mjs';
import { CONSUMER_SCRIPTS, checkReport, parseReport } from './server-lib.mjs';

let consumer;
let mock;
let bun;
let deno;

before(async () => {
  const [{ tarball }, tools] = await Promise.all([packPkg(join(BUILD, 'runtimes', 'bun-deno')), installTools('bun-deno')]);
  bun = join(tools, 'node_modules', 'bun', 'bin', 'bun.exe');
  deno = join(tools, 'node_modules', 'deno', 'deno');
  consumer = await freshConsumer('bun-deno', CONSUMER_SCRIPTS, tarball);
  mkdirSync(join(consumer, '.deno'), { recursive: true });
  mock = await startMock({ delayMs: 5, requireKey: SECRET });
});

after(async () => {
  await mock?.close();
});

// nothing of either runtime reaches the network: no update check, no telemetry, no registry
const quietEnv = () => ({
  DENO_DIR: join(consumer, '.deno'),
  DENO_NO_UPDATE_CHECK: '1',
  DENO_NO_PROMPT: '1',
  BUN_INSTALL_CACHE_DIR: join(consumer, '.bun-cache'),
  DO_NOT_TRACK: '1',
  NO_COLOR: '1',
});

async function runScript(cmd, args) {
  const { stdout, stderr } = await run(cmd, [...args, `${mock.url}/v1`], { cwd: consumer, env: quietEnv(), timeoutMs: 60_000 });
  assert.doesNotMatch(stderr, /error|warn/i, `nothing alarming on stderr:\n${stderr}`);
  return parseReport(stdout);
}

test('Bun: import by name streams from the mock backend and creates', async () => {
  const { stdout: version } = await run(bun, ['--version']);
  assert.equal(version.trim(), '1.4.5');
  checkReport(await runScript(bun, ['esm.mjs']), consumer);
});

test('Bun: require() by name streams from the mock backend and creates', async () => {
  checkReport(await runScript(bun, ['cjs.cjs']), consumer);
});

/** `deno run` with the network limited to the mock, files read-only in the consumer, nothing fetched. */
const denoRun = (file) => {
  const host = new URL(mock.url).host;
  return ['run', '--cached-only', '--no-lock', `--allow-net=${host}`, `--allow-read=${consumer}`, file];
};

test('Deno: import by name streams from the mock backend and creates', async () => {
  const { stdout: version } = await run(deno, ['--version']);
  assert.match(version, /^deno 2\.9\.6\b/);
  checkReport(await runScript(deno, denoRun('esm.mjs')), consumer);
});

test('Deno: require() by name (a .cjs file) streams from the mock backend and creates', async () => {
  checkReport(await runScript(deno, denoRun('cjs.cjs')), consumer);
});

test('Deno: npm: specifiers (Netlify Edge / Deno Deploy style) stream from the mock backend and create', async () => {
  checkReport(await runScript(deno, denoRun('deno-npm.mjs')), consumer);
});
