// A Next.js 16 App Router app (app-lib.mjs) on the packed tarball, unconfigured, built with webpack and
// Turbopack (`next start`) and run by `next dev`: Node and edge routes, a Server Component and a client
// component (SSR, then Chromium) stream from the mock; no build warns about the package.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NO_COLOR, checkStreamed, run, spawnOnPort, toolsApp, useChromium, useMock, using, waitDone, watchPage } from './lib.mjs';
import { NEXT_APP, checkRendered, checkRoute, getOk } from './app-lib.mjs';

let app;
const mock = useMock({ delayMs: 20 });
const chromium = useChromium();
const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: '1', ...NO_COLOR };

before(async () => {
  ({ dir: app } = await toolsApp('next', NEXT_APP, (dir) => readdirSync(dir).filter((d) => d === 'app' || d.startsWith('.next'))));
});

const nextBin = () => join(app, 'node_modules', 'next', 'dist', 'bin', 'next');

/** `next start` or `next dev` on a free port; resolves { url, stop, output } once it answers. */
const serve = (mode, distDir, flags = []) =>
  spawnOnPort(process.execPath, (port) => [nextBin(), mode, ...flags, '-p', String(port), '-H', '127.0.0.1'], { cwd: app, env: { ...NEXT_ENV, NEXT_DIST_DIR: distDir }, timeoutMs: 120_000 });

/** The client component: its server-rendered HTML, then the page streaming in Chromium. */
async function checkClientComponent(server, api) {
  const html = await getOk(`${server.url}/client?api=${api}`, server.output);
  assert.match(html, /<p id="ssr">greeting: parsed by the wasm<\/p>/, 'the server rendered the client component with the wasm');
  const page = await chromium.browser.newPage();
  const problems = watchPage(page);
  await using(page, async () => {
    await page.goto(`${server.url}/client?api=${api}`);
    await waitDone(page, problems, 120_000);
    const r = await page.evaluate(() => ({ ...window.__result, page: document.getElementById('status').textContent, shown: document.getElementById('out').textContent }));
    assert.equal(r.page, 'done', `${r.page}\n${problems.join('\n')}`);
    checkStreamed({ ...r, deltas: r.updates }, 'the client component:');
    assert.equal(r.shown, r.text);
    assert.equal(await page.textContent('#ssr'), 'greeting: parsed by the wasm', 'hydrated: the browser entry parsed the frame too');
    assert.deepEqual(problems, [], 'no console error or uncaught exception');
  });
}

async function buildAndStart(bundler) {
  const distDir = `.next-${bundler}`;
  const t0 = performance.now();
  const { stdout, stderr } = await run(process.execPath, [nextBin(), 'build', `--${bundler}`], { cwd: app, timeoutMs: 600_000, env: { ...NEXT_ENV, NEXT_DIST_DIR: distDir } });
  const output = stdout + stderr;
  // Next.js's own notices are expected: the edge runtime's, and (under CI=true) that it found no
  // build cache of its own; any other warning is not
  const notices = /Edge Runtime is deprecated|Using edge runtime on a page|No build cache found/;
  const warnings = output.split('\n').filter((l) => /⚠|warn/i.test(l) && !notices.test(l));
  assert.deepEqual(warnings, [], `next build (${bundler}) printed no warning:\n${output}`);
  assert.doesNotMatch(output, /topLevelAwait|top-level await|async\/await|cometapi/i, `next build (${bundler}):\n${output}`);
  assert.match(output, /\/api\/edge/, 'the edge route was built');
  const wasm = readdirSync(join(app, distDir, 'server'), { recursive: true }).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `the edge route took the .wasm as a module (edge-light entry): ${wasm}`);
  console.log(`next build (${bundler}): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return serve('start', distDir);
}

for (const [mode, edgeRuntime, clean] of [
  ['next build + next start', /^edge-runtime$|^vercel$|^edge/, [/error|uncaught/i, 'next start logged no error']],
  ['next dev', /^edge/, [/\berror\b|uncaught|warn/i, 'next dev logged no error or warning']],
]) {
  for (const bundler of ['webpack', 'turbopack']) {
    test(`Next.js (${bundler}): ${mode} — Node route, edge route, Server Component, client component`, async (t) => {
      const server = mode === 'next dev' ? await serve('dev', `.next-dev-${bundler}`, [`--${bundler}`]) : await buildAndStart(bundler);
      const api = encodeURIComponent(`${mock.url}/v1`);
      const route = async (path, runtime) => {
        const { runtime: ran } = await checkRoute(`${server.url}${path}?api=${api}`, server.output);
        assert.match(ran, runtime, `${path} ran in the ${runtime} runtime`);
      };
      await using(server, async () => {
        await t.test('Node-runtime route handler streams', () => route('/api/node', /^nodejs$/));
        await t.test("edge route (runtime = 'edge') streams", () => route('/api/edge', edgeRuntime));
        await t.test('Server Component streams on the server', () => checkRendered(`${server.url}/server?api=${api}`, server.output));
        await t.test('client component: server-rendered, then streams in Chromium', () => checkClientComponent(server, api));
        assert.doesNotMatch(server.output(), clean[0], `${clean[1]}:\n${server.output()}`);
      });
    });
  }
}
