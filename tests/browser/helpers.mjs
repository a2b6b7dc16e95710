// Helpers for the browser tests of the demo page: Debian's Chromium driven by playwright-core (no
// downloaded browsers, tests/runtimes/lib.mjs), the dev server started in-process, and small
// waits/readers for the chat UI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, copyFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { startServer } from '../../www/server.mjs';
import { ROOT, launchChromium } from '../runtimes/lib.mjs';

/**
 * The set-up of a demo test file: the dev server (mock backend) and Chromium for all its tests, as
 * `env` (closed after them). `pageTest(name, opts, fn)` runs `fn(page, t, sockets)` on a fresh page
 * (withPage); `posts()` lists the POST /v1/responses requests the server received so far.
 */
export function demoSuite({ delayMs = 15 } = {}) {
  const suite = {};
  before(async () => {
    // DEMO_PKG_DIR: serve another build of the package at /pkg (for local experiments)
    const pkg = process.env.DEMO_PKG_DIR ? { pkgDir: resolve(process.env.DEMO_PKG_DIR) } : {};
    suite.env = { server: await startServer({ port: 0, host: '127.0.0.1', delayMs, quiet: true, ...pkg }) };
    suite.env.browser = await launchChromium();
  });
  after(() => Promise.allSettled([suite.env?.browser?.close(), suite.env?.server.close()]));
  suite.pageTest = (name, o, fn) => test(name, (t) => withPage(suite.env, o, (page, sockets) => fn(page, t, sockets)));
  suite.posts = () => suite.env.server.requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses');
  return suite;
}

/** Each key of `expected` in `actual`: a RegExp must match, any other value be deep-equal (the key names a failure). */
export function like(actual, expected, what = '') {
  for (const [k, v] of Object.entries(expected)) {
    if (v instanceof RegExp) assert.match(actual?.[k], v, `${what} ${k}`);
    else assert.deepEqual(actual?.[k], v, `${what} ${k}`);
  }
}

/**
 * Playwright's reads of the page by the key's first word, through strict locators: a selector
 * that finds more than one element fails (one failure shows one error box, one card one output).
 */
const READ = {
  text: (page, sel) => page.locator(sel).textContent(),
  value: (page, sel) => page.locator(sel).inputValue(),
  visible: (page, sel) => page.locator(sel).isVisible(),
  hidden: (page, sel) => page.locator(sel).isHidden(),
  checked: (page, sel) => page.locator(sel).isChecked(),
  count: (page, sel) => page.locator(sel).count(),
};
/** Facts of the demo page that many tests check, by name. */
const FACTS = {
  focus: (page) => page.evaluate(() => document.activeElement.id), // the focused element's id
  chain: (page) => page.evaluate(() => window.cometDemo.previousResponseId), // the next turn's previous_response_id
  prompt: (page) => page.inputValue('#prompt'),
  user: (page) => page.textContent('#transcript .msg.user .bubble'), // the first user message
  answer: (page) => lastAnswer(page),
  events: (page) => page.textContent('#events'), // the inspector's text
  eventCount: (page) => page.textContent('#event-count'),
  errors: (page) => page.locator('#transcript .notice-error').count(),
  error: (page) => page.locator('#transcript .notice-error').getAttribute('data-error'), // the one error's class
};

/**
 * Checks facts of the page, each as `like` does: the key is a name of FACTS, or `text SELECTOR`
 * (its textContent), `value`, `visible`, `hidden`, `checked`, `count`, `@ATTR SELECTOR` (an attribute).
 */
export async function expectPage(page, expected, what = '') {
  const actual = {};
  for (const key of Object.keys(expected)) {
    const [how, sel] = [key.split(' ', 1)[0], key.slice(key.indexOf(' ') + 1)];
    if (FACTS[key]) actual[key] = await FACTS[key](page);
    else if (how.startsWith('@')) actual[key] = await page.locator(sel).getAttribute(how.slice(1));
    else actual[key] = await READ[how](page, sel);
  }
  like(actual, expected, what);
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
    if (msg.type() === 'error' && !expected.some((re) => re.test(msg.text()))) page.problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on('request', (req) => page.outgoing.push(req.url()));
  await page.goto(`${env.server.url}/${query}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  return page;
}

/**
 * Run `fn(page, sockets)` on a fresh demo page (sockets: the WebSocket URLs it opened); then: no
 * unexpected console errors, no foreign requests (`blobs`: the page's own blob: URLs are not foreign).
 */
export async function withPage(env, { blobs = false, ...opts }, fn) {
  const page = await openDemo(env, opts);
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  try {
    await fn(page, sockets);
    assert.deepEqual(page.problems, [], 'unexpected console errors');
    const foreign = page.outgoing.filter((u) => !u.startsWith(env.server.url + '/') && !(blobs && u.startsWith(`blob:${env.server.url}/`)));
    assert.deepEqual(foreign, [], 'requests outside the page origin');
  } finally {
    await page.context().close();
  }
}

/** Type a prompt and press Enter. */
export async function sendPrompt(page, text) {
  await page.fill('#prompt', text);
  await page.press('#prompt', 'Enter');
}

/** Sends `text` and waits for the page to settle in `state`. */
export async function ask(page, text, state = 'done') {
  await sendPrompt(page, text);
  assert.equal(await waitIdle(page), state);
}

/** Wait until the chat is idle (no request running) and return the last assistant message's state. */
export async function waitIdle(page, timeout = 60000) {
  await page.waitForFunction(() => document.body.dataset.busy === 'false', null, { timeout });
  return page.evaluate(() => [...document.querySelectorAll('#transcript .msg.assistant')].pop()?.dataset.state ?? null);
}

/** Waits until the last answer shows more than 20 characters. */
export const answerStarted = (page) =>
  page.waitForFunction(() => {
    const t = [...document.querySelectorAll('#transcript .msg.assistant .part-message .text')].pop();
    return t && t.textContent.length > 20;
  });

/** In the page: the text of the last assistant message (its message parts only). */
const LAST_ANSWER = `() => {
  const last = [...document.querySelectorAll('#transcript .msg.assistant')].pop();
  return last ? [...last.querySelectorAll('.part-message .text')].map((e) => e.textContent).join('') : '';
}`;
export const lastAnswer = (page) => page.evaluate(`(${LAST_ANSWER})()`);

/** The assistant messages: state, response id, text and how it was made. */
export const assistants = (page) =>
  page.$$eval('#transcript .msg.assistant', (els) =>
    els.map((el) => ({ state: el.dataset.state, id: el.dataset.responseId ?? null, text: el.textContent, how: el.querySelector('.chip-how')?.textContent ?? null })),
  );

/**
 * Runs `send()`, waits until idle and returns the distinct texts the last answer showed, in order:
 * a MutationObserver in the page records it each time the transcript changes, so no sampling rate
 * is assumed (every rendered delta is seen, however slow the machine).
 */
export async function streamedTexts(page, send, { timeout = 60000 } = {}) {
  await page.evaluate(`(() => {
    const read = ${LAST_ANSWER};
    const seen = [];
    const obs = new MutationObserver(() => {
      const t = read();
      if (t !== seen[seen.length - 1]) seen.push(t);
    });
    obs.observe(document.getElementById('transcript'), { subtree: true, childList: true, characterData: true });
    window.__recording = { seen, stop: () => obs.disconnect() };
  })()`);
  await send();
  await page.waitForFunction(() => document.body.dataset.busy === 'false', null, { timeout });
  return page.evaluate(() => (window.__recording.stop(), window.__recording.seen));
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
