// A Next.js 16 App Router app (next-app.mjs) on the packed tarball, unconfigured, built with webpack and
// Turbopack (`next start`) and run by `next dev`: Node and edge routes, a Server Component and a client
// component (SSR, then Chromium) stream from the mock; no build warns about the package.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  BUILD, freePort, installTools, launchChromium, packPkg, run, startMock, stopGroup, watchPage,
} from './lib.mjs';
import { NEXT_APP } from './next-app.mjs';

let app;
let mock;
let browser;
const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1', FORCE_COLOR: '0' };

before(async () => {
  const [{ tarball }, tools] = await Promise.all([packPkg(join(BUILD, 'runtimes', 'next')), installTools('next')]);
  app = tools;
  const target = join(app, 'node_modules', 'cometapi-responses');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  await run('tar', ['xzf', tarball, '-C', target, '--strip-components=1']);
  for (const d of readdirSync(app)) if (d === 'app' || d.startsWith('.next')) rmSync(join(app, d), { recursive: true, force: true });
  for (const [path, text] of Object.entries(NEXT_APP)) {
    mkdirSync(dirname(join(app, path)), { recursive: true });
    writeFileSync(join(app, path), text);
  }
  mock = await startMock({ delayMs: 20 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await mock?.close();
});

const next = (args, opts = {}) => run(process.execPath, [join(app, 'node_modules', 'next', 'dist', 'bin', 'next'), ...args], { cwd: app, timeoutMs: 600_000, ...opts });

/** `next start` or `next dev` on a free port; resolves { url, stop, output } once it answers. */
async function serve(mode, distDir, flags = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(app, 'node_modules', 'next', 'dist', 'bin', 'next'), mode, ...flags, '-p', String(port), '-H', '127.0.0.1'], {
    cwd: app,
    env: { ...process.env, ...NEXT_ENV, NEXT_DIST_DIR: distDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next ${mode} exited:\n${output}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stopGroup(child, exited);
        throw new Error(`next ${mode} did not answer:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { url, output: () => output, stop: () => stopGroup(child, exited) };
}

const api = () => encodeURIComponent(`${mock.url}/v1`);

/** A streaming route: the deltas arrive in several chunks, then the final report line. */
async function checkRoute(server, path, runtime) {
  const res = await fetch(`${server.url}${path}?api=${api()}`, { signal: AbortSignal.timeout(120_000) });
  const body = await res.text().catch((e) => `(body failed: ${e.message})`);
  assert.equal(res.status, 200, `${path}: ${body}\n${server.output()}`);
  const [text, report] = body.split('\n--\n');
  assert.ok(report, `${path} ended with the final report: ${body}\n${server.output()}`);
  const { final, status, runtime: ran } = JSON.parse(report);
  assert.equal(status, 'completed');
  assert.ok(text.length > 0);
  assert.equal(text, final, `${path}: the streamed deltas make up finalResponse().output_text`);
  assert.match(ran, runtime, `${path} ran in the ${runtime} runtime`);
}

/** The Server Component page: the text it streamed on the server, rendered. */
async function checkServerComponent(server) {
  const res = await fetch(`${server.url}/server?api=${api()}`, { signal: AbortSignal.timeout(120_000) });
  const html = await res.text();
  assert.equal(res.status, 200, `${html.slice(0, 2000)}\n${server.output()}`);
  const raw = html.match(/<pre id="report">([^<]*)<\/pre>/)?.[1];
  assert.ok(raw, `the page rendered the report: ${html.slice(0, 2000)}`);
  const entities = { '&quot;': '"', '&#x27;': "'", '&#39;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
  const report = JSON.parse(raw.replace(/&(quot|#x27|#39|lt|gt|amp);/g, (m) => entities[m]));
  assert.equal(report.status, 'completed');
  assert.ok(report.deltas >= 3, `${report.deltas} deltas`);
  assert.ok(report.text.length > 0);
  assert.equal(report.text, report.final);
}

/** The client component: its server-rendered HTML, then the page streaming in Chromium. */
async function checkClientComponent(server) {
  const res = await fetch(`${server.url}/client?api=${api()}`, { signal: AbortSignal.timeout(120_000) });
  const html = await res.text();
  assert.equal(res.status, 200, `${html.slice(0, 2000)}\n${server.output()}`);
  assert.match(html, /<p id="ssr">greeting: parsed by the wasm<\/p>/, 'the server rendered the client component with the wasm');
  const page = await browser.newPage();
  const problems = watchPage(page);
  try {
    await page.goto(`${server.url}/client?api=${api()}`);
    await page.waitForFunction(() => /^(done|error)/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 120_000 }).catch((e) => {
      throw new Error(`the page did not finish: ${e.message}\n${problems.join('\n')}`);
    });
    const r = await page.evaluate(() => ({ ...window.__result, status: document.getElementById('status').textContent, shown: document.getElementById('out').textContent }));
    assert.equal(r.status, 'done', `${r.status}\n${problems.join('\n')}`);
    assert.ok(r.updates >= 3, `${r.updates} updates`);
    assert.equal(r.shown, r.text);
    assert.equal(r.final, r.text);
    assert.equal(await page.textContent('#ssr'), 'greeting: parsed by the wasm', 'hydrated: the browser entry parsed the frame too');
    assert.deepEqual(problems, [], 'no console error or uncaught exception');
  } finally {
    await page.close();
  }
}

async function buildAndStart(bundler) {
  const distDir = `.next-${bundler}`;
  const t0 = performance.now();
  const { stdout, stderr } = await next(['build', bundler === 'webpack' ? '--webpack' : '--turbopack'], { env: { ...NEXT_ENV, NEXT_DIST_DIR: distDir } });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
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
  console.log(`next build (${bundler}): ${seconds} s`);
  return serve('start', distDir);
}

for (const bundler of ['webpack', 'turbopack']) {
  test(`Next.js (${bundler}): next build + next start — Node route, edge route, Server Component, client component`, async (t) => {
    const server = await buildAndStart(bundler);
    try {
      await t.test('Node-runtime route handler streams', () => checkRoute(server, '/api/node', /^nodejs$/));
      await t.test("edge route (runtime = 'edge') streams", () => checkRoute(server, '/api/edge', /^edge-runtime$|^vercel$|^edge/));
      await t.test('Server Component streams on the server', () => checkServerComponent(server));
      await t.test('client component: server-rendered, then streams in Chromium', () => checkClientComponent(server));
      assert.doesNotMatch(server.output(), /error|uncaught/i, `next start logged no error:\n${server.output()}`);
    } finally {
      await server.stop();
    }
  });
}

for (const bundler of ['webpack', 'turbopack']) {
  test(`Next.js (${bundler}): next dev — Node route, edge route, Server Component, client component`, async (t) => {
    const server = await serve('dev', `.next-dev-${bundler}`, [bundler === 'webpack' ? '--webpack' : '--turbopack']);
    try {
      await t.test('Node-runtime route handler streams', () => checkRoute(server, '/api/node', /^nodejs$/));
      await t.test("edge route (runtime = 'edge') streams", () => checkRoute(server, '/api/edge', /^edge/));
      await t.test('Server Component streams on the server', () => checkServerComponent(server));
      await t.test('client component: server-rendered, then streams in Chromium', () => checkClientComponent(server));
      assert.doesNotMatch(server.output(), /\berror\b|uncaught|warn/i, `next dev logged no error or warning:\n${server.output()}`);
    } finally {
      await server.stop();
    }
  });
}
