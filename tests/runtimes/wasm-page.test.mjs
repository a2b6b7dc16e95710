// The Rust example a Rust/wasm app would copy (examples/wasm-page: cometapi_responses::wasm::Client),
// built as its README says (cargo build --target wasm32-unknown-unknown, the pinned wasm-bindgen CLI
// --target web), served as static files and run in Chromium against the mock (cross-origin, ?api=;
// and from the mock's own origin, with the page's default base URL).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '../../mock/static.mjs';
import { BUILD, ROOT, listen, run, useChromium, useMock, waitDone, watchPage } from './lib.mjs';

const EXAMPLE = join(ROOT, 'examples', 'wasm-page');
const TARGET = join(BUILD, 'runtimes', 'wasm-page-target'); // cargo's cache, kept between runs
const SITE = join(BUILD, 'runtimes', 'wasm-page');
const WASM = join(TARGET, 'wasm32-unknown-unknown', 'release', 'cometapi_responses_wasm_page.wasm');

// the site is also served by the mock, at /pkg/ (its default base URL is /v1 on the same origin)
const mock = useMock({ delayMs: 20, pkgDir: SITE });
const chromium = useChromium();
let server;

before(async () => {
  await run('cargo', ['build', '--release', '--locked', '--target', 'wasm32-unknown-unknown', '--target-dir', TARGET], { cwd: EXAMPLE, timeoutMs: 900_000 });
  rmSync(SITE, { recursive: true, force: true });
  mkdirSync(SITE, { recursive: true });
  await run('wasm-bindgen', ['--target', 'web', '--out-dir', join(SITE, 'pkg'), WASM]);
  copyFileSync(join(EXAMPLE, 'index.html'), join(SITE, 'index.html'));
  // the site as static files (the mock's own file server: content types, nothing outside SITE)
  server = await listen((req, res) => serveStatic(req, res, SITE, new URL(req.url, 'http://x').pathname));
});

after(() => server?.close());

test('a Rust/wasm app ships no npm glue: the crate\'s `client` feature exports none of the npm classes', () => {
  const glue = readFileSync(join(SITE, 'pkg', 'cometapi_responses_wasm_page.js'), 'utf8');
  for (const name of ['RawClient', 'RawCall', 'RawSseParser', 'RawToolLoop', 'RawSocket']) assert.ok(!glue.includes(name), `${name} is in the page's glue`);
  assert.match(glue, /export function start|export async function|export \{/, 'the glue exports the page\'s own functions');
});

test('the wasm-bindgen page streams an answer from the mock in Chromium', async () => {
  const page = await chromium.browser.newPage();
  const problems = watchPage(page);
  // counts how often #out changed, and when: the text must arrive in pieces, not at once
  await page.addInitScript(() => {
    window.__updates = [];
    new MutationObserver(() => {
      const out = document.getElementById('out');
      if (out && out.textContent) window.__updates.push({ length: out.textContent.length, t: performance.now() });
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  const before = mock.requests.length;
  try {
    await page.goto(`${server.url}/?api=${encodeURIComponent(`${mock.url}/v1`)}`);
    await waitDone(page, problems);
    const r = await page.evaluate(() => ({ status: document.getElementById('status').textContent, out: document.getElementById('out').textContent, updates: window.__updates }));
    assert.match(r.status, /^done: completed, \d+ events, [1-9]\d* tokens, output_text matches$/, `${r.status}\n${problems.join('\n')}`);
    assert.ok(r.out.length > 0, 'the answer is shown');
    assert.ok(r.updates.length >= 3, `the answer arrived in ${r.updates.length} updates`);
    assert.ok(r.updates.at(-1).t - r.updates[0].t > 30, 'over time, not all at once');
    assert.ok(requests.includes('/pkg/cometapi_responses_wasm_page_bg.wasm'), 'the page loaded its .wasm');
    const calls = mock.requests.slice(before).filter((q) => q.path === '/v1/responses');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].headers.authorization, undefined, 'no key in the page');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('without ?api= the page streams from /v1 on its own origin', async () => {
  const page = await chromium.browser.newPage();
  const problems = watchPage(page);
  const before = mock.requests.length;
  try {
    await page.goto(`${mock.url}/pkg/index.html`);
    await waitDone(page, problems);
    const status = await page.evaluate(() => document.getElementById('status').textContent);
    assert.match(status, /^done: completed, \d+ events, [1-9]\d* tokens, output_text matches$/, `${status}\n${problems.join('\n')}`);
    assert.equal(mock.requests.slice(before).filter((q) => q.path === '/v1/responses').length, 1);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
