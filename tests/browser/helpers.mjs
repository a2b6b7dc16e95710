// Helpers for the browser tests of the demo page: Debian's Chromium driven by
// playwright-core (no downloaded browsers), the dev server started in-process, and
// small waits/readers for the chat UI.

import { chromium } from 'playwright-core';
import { mkdir, copyFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../www/server.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync',
];

/** Start the dev server (mock backend) and Chromium. Close both with `env.close()`. */
export async function setup({ delayMs = 15 } = {}) {
  const server = await startServer({ port: 0, host: '127.0.0.1', delayMs, quiet: true, ...pkgOverride() });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    server,
    browser,
    async close() {
      await Promise.allSettled([browser.close(), server.close()]);
    },
  };
}

// DEMO_PKG_DIR: serve another build of the package at /pkg (for local experiments).
function pkgOverride() {
  return process.env.DEMO_PKG_DIR ? { pkgDir: resolve(process.env.DEMO_PKG_DIR) } : {};
}

/**
 * Open the demo in a fresh context. Console errors and page errors are collected in
 * `page.problems`; `expected` regexps (e.g. the browser's "Failed to load resource …
 * 500") are ignored. Every request the page makes is in `page.outgoing` (URL), so a
 * test can check that nothing left the page's origin.
 */
export async function openDemo(env, { query = '', viewport = { width: 1280, height: 860 }, colorScheme = 'light', expected = [] } = {}) {
  const context = await env.browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.problems = [];
  page.outgoing = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (!expected.some((re) => re.test(text))) page.problems.push(`console: ${text}`);
  });
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on('request', (req) => page.outgoing.push(req.url()));
  await page.goto(`${env.server.url}/${query}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  return page;
}

/** Type a prompt and press Enter. */
export async function sendPrompt(page, text) {
  await page.fill('#prompt', text);
  await page.press('#prompt', 'Enter');
}

/** Wait until the chat is idle (no request running) and return the last assistant message's state. */
export async function waitIdle(page, timeout = 60000) {
  await page.waitForFunction(() => document.body.dataset.busy === 'false', null, { timeout });
  return page.evaluate(() => [...document.querySelectorAll('#transcript .msg.assistant')].pop()?.dataset.state ?? null);
}

/** Text of the last assistant message (its message parts only). */
export function lastAnswer(page) {
  return page.evaluate(() => {
    const all = document.querySelectorAll('#transcript .msg.assistant');
    const last = all[all.length - 1];
    return last ? [...last.querySelectorAll('.part-message .text')].map((e) => e.textContent).join('') : '';
  });
}

/**
 * Record the last answer's text each time the transcript changes (a MutationObserver in the
 * page, so no sampling rate is assumed: every rendered delta is seen, however slow the machine).
 * Start it before sending; `await rec.stop()` returns the distinct texts seen, in order.
 */
export async function recordAnswer(page) {
  await page.evaluate(() => {
    const read = () => {
      const all = document.querySelectorAll('#transcript .msg.assistant');
      const last = all[all.length - 1];
      return last ? [...last.querySelectorAll('.part-message .text')].map((e) => e.textContent).join('') : '';
    };
    const seen = [];
    const obs = new MutationObserver(() => {
      const t = read();
      if (t !== seen[seen.length - 1]) seen.push(t);
    });
    obs.observe(document.getElementById('transcript'), { subtree: true, childList: true, characterData: true });
    window.__recording = { seen, stop: () => obs.disconnect() };
  });
  return {
    async stop() {
      return page.evaluate(() => {
        window.__recording.stop();
        return window.__recording.seen;
      });
    },
  };
}

/** Start recording, run `send()`, wait until idle; the distinct texts of the last answer. */
export async function streamedTexts(page, send, { timeout = 60000 } = {}) {
  const rec = await recordAnswer(page);
  await send();
  await page.waitForFunction(() => document.body.dataset.busy === 'false', null, { timeout });
  return rec.stop();
}

/** POST /v1/responses requests the server received (bodies parsed). */
export function responsesRequests(server) {
  return server.requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses');
}

/**
 * Screenshot to build/screenshots/NAME (git-ignored); with `{ docs: true }` also to
 * docs/NAME, but only when UPDATE_SCREENSHOT=1 (so a test run never dirties the tree).
 */
export async function screenshot(page, name, { docs = false } = {}) {
  const out = resolve(ROOT, 'build', 'screenshots', name);
  await mkdir(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  if (docs && process.env.UPDATE_SCREENSHOT === '1') await copyFile(out, resolve(ROOT, 'docs', name));
  return out;
}
