// The dev server under abuse: symlinks out of the static root, bodies over the limit,
// a huge declared Content-Length, a log that must stay bounded, and fault directives
// that are not directives (`constructor`) or ask for timers a timer cannot do.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../www/server.mjs';
import { statusOf } from '../js/client-helpers.mjs';
import { postX, server, tree } from './helpers.mjs';

const SECRET = 'SECRET-OUTSIDE-THE-ROOT';
const dir = await tree({
  'secret.txt': SECRET,
  'outside/index.html': SECRET,
  'site/index.html': '<title>root</title>',
  'site/sub/real.txt': 'inside',
  'site/leak.txt': { symlink: '/secret.txt' },
  'site/sub/relative-leak.txt': { symlink: '../../secret.txt' },
  'site/outdir': { symlink: '/outside' },
  'site/parent': { symlink: '/' },
  'site/inner-link.txt': { symlink: '/site/sub/real.txt' },
});
const srv = await startServer({ delayMs: 0, root: `${dir}/site` });
after(() => srv.close());

test('static: symlinks that point out of the root are not followed; links inside it are', async () => {
  for (const path of ['/leak.txt', '/sub/relative-leak.txt', '/outdir/', '/outdir/index.html', '/parent/secret.txt', '/parent/outside/index.html']) {
    const res = await fetch(srv.url + path);
    const text = await res.text();
    assert.ok([403, 404].includes(res.status), `${path} → ${res.status}`);
    assert.doesNotMatch(text, new RegExp(SECRET), path);
  }
  const inner = await fetch(`${srv.url}/inner-link.txt`);
  assert.equal(inner.status, 200);
  assert.equal(await inner.text(), 'inside');
});

const LIMIT = 32 * 1024 * 1024;
/** POST `body` as JSON to `base`/v1/responses (`init`: more of fetch's options). */
const postJson = (base, body, init) =>
  fetch(`${base}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ...init });

test('a body over the limit gets a 413 in the API error shape (not a reset), by length and chunked', async () => {
  const big = Buffer.alloc(LIMIT + 1024, 0x61);
  const byLength = await postJson(srv.url, big);
  assert.equal(byLength.status, 413);
  assert.equal((await byLength.json()).error.code, 'request_too_large');
  const piece = big.subarray(0, 4 * 1024 * 1024);
  const chunked = new ReadableStream({ start(c) { for (let i = 0; i < 9; i++) c.enqueue(piece); c.close(); } });
  const streamed = await postJson(srv.url, chunked, { duplex: 'half' });
  assert.equal(streamed.status, 413);
  assert.equal((await streamed.json()).error.code, 'request_too_large');
  // the server still answers afterwards
  assert.equal(await statusOf(fetch(`${srv.url}/v1/responses`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'after' }) })), 200);
});

/** Send raw bytes; resolve with what came back and how the connection ended (within `ms`). */
function rawExchange(text, ms = 3000) {
  const { port } = new URL(srv.url);
  return new Promise((ok) => {
    const sock = net.connect(Number(port), '127.0.0.1');
    let data = '';
    const t0 = performance.now();
    const timer = setTimeout(() => { sock.destroy(); ok({ data, open: true, ms: performance.now() - t0 }); }, ms);
    sock.on('data', (d) => { data += d; });
    sock.on('error', () => {});
    sock.on('close', () => { clearTimeout(timer); ok({ data, open: false, ms: performance.now() - t0 }); });
    sock.write(text);
  });
}

test('a declared Content-Length past the limit is answered 413 at once and the connection closed', async () => {
  for (const length of ['1000000000000', String(LIMIT + 1)]) {
    const r = await rawExchange(`POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n{"model":`);
    assert.equal(r.open, false, `Content-Length: ${length} held the connection open`);
    assert.match(r.data, /^HTTP\/1\.1 413 /, length);
    assert.match(r.data, /request_too_large/);
  }
  const sci = await rawExchange('POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1e12\r\n\r\n{"model":');
  assert.equal(sci.open, false);
  assert.match(sci.data, /^HTTP\/1\.1 400 /);
});

test('maxBodyBytes sets the limit', async (t) => {
  const s = await server(t, { delayMs: 0, maxBodyBytes: 1000 });
  assert.equal(await statusOf(fetch(`${s.url}/v1/responses`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'x'.repeat(1000) }) })), 413);
  assert.equal(await statusOf(fetch(`${s.url}/v1/responses`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'x'.repeat(900) }) })), 200);
});

test('the request log keeps large bodies as short previews, and its total is bounded', async (t) => {
  const s = await server(t, { delayMs: 0, maxLogBytes: 3 * 1024 * 1024 });
  const big = JSON.stringify({ model: 'm', input: 'y'.repeat(2 * 1024 * 1024) });
  assert.equal(await statusOf(postJson(s.url, big)), 200);
  const entry = s.requests.at(-1);
  assert.equal(typeof entry.body, 'string');
  assert.ok(entry.body.length < 4096, `logged ${entry.body.length} characters`);
  assert.match(entry.body, /^\{"model":"m","input":"yyy/);
  assert.match(entry.body, new RegExp(`\\[truncated: ${Buffer.byteLength(big)} bytes\\]$`));
  // Bodies under the per-entry cap stay parsed, until the total passes maxLogBytes.
  const mid = { model: 'm', input: 'z'.repeat(900 * 1024) };
  for (let i = 0; i < 6; i++) await statusOf(postJson(s.url, JSON.stringify(mid)));
  assert.deepEqual(s.requests.at(-1).body, mid, 'the newest entry is whole');
  const kept = s.requests.reduce((n, r) => n + (typeof r.body === 'string' ? r.body.length : JSON.stringify(r.body ?? null).length), 0);
  assert.ok(kept <= 3 * 1024 * 1024 + 8192, `the log holds ${kept} bytes of bodies`);
  assert.match(s.requests.at(-6).body, /\[truncated: \d+ bytes\]$/);
});

test('20 POSTs of 30 MB do not take the server to gigabytes (bounded log and store)', { timeout: 120000 }, async (t) => {
  // The server runs in a child process, which reports its peak RSS at the end.
  const server = fileURLToPath(new URL('../../www/server.mjs', import.meta.url));
  const script = `
    const { startServer } = await import(${JSON.stringify(server)});
    const s = await startServer({ delayMs: 0 });
    process.send({ url: s.url });
    process.on('message', async () => { const rss = process.resourceUsage().maxRSS * 1024; await s.close(); process.send({ rss }); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  t.after(() => child.kill());
  const { url } = await new Promise((ok) => child.once('message', ok));
  const body = JSON.stringify({ model: 'm', input: 'w'.repeat(30 * 1024 * 1024) });
  for (let i = 0; i < 20; i++) assert.equal(await statusOf(postJson(url, body)), 200);
  child.send('report');
  const { rss } = await new Promise((ok) => child.once('message', ok));
  t.diagnostic(`server peak RSS ${Math.round(rss / 1024 / 1024)} MB`);
  assert.ok(rss < 700 * 1024 * 1024, `peak RSS ${Math.round(rss / 1024 / 1024)} MB`);
});

const names = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'isPrototypeOf', 'toLocaleString', '__defineGetter__'];
const BAD_FAULTS = [
  ['inherited object names are not directives', /unknown directive/,
    [...names, ...names.map((n) => `${n}=1`), ...names.map((n) => JSON.stringify({ [n]: 1 })),
      '{"__proto__":{"status":500}}']],
  ['times past 2^31-1 ms are refused (not silently 1 ms), as are unsafe integers', /bad value/,
    ['delay=2147483648', 'stall-headers=99999999999', 'stall-after=1:2147483648', 'split-delay=4294967296',
      'retry-after-ms=2147483648', 'fail-first=99999999999999999999', 'disconnect-after=1e3', 'oversized=99999999999']],
];
for (const [name, message, values] of BAD_FAULTS) {
  test(`x-mock-fault: ${name}`, async () => {
    for (const value of values) {
      const res = await postX(srv.url, { 'x-mock-fault': value });
      assert.equal(res.status, 400, value);
      const { error } = await res.json();
      assert.equal(error.param, 'x-mock-fault', value);
      assert.match(error.message, message, value);
    }
  });
}

test('x-mock-fault: the largest timer is accepted (a request whose stall is cut short by the client)', async () => {
  const ctrl = new AbortController();
  const pending = postX(srv.url, { 'x-mock-fault': 'stall-headers=2147483647' }, { signal: ctrl.signal });
  const t0 = performance.now();
  const early = await Promise.race([pending.then((r) => r.status), new Promise((ok) => setTimeout(() => ok('still waiting'), 300))]);
  assert.equal(early, 'still waiting', `stall-headers=2147483647 answered after ${performance.now() - t0} ms`);
  ctrl.abort();
  await assert.rejects(pending);
});

test('a raw request line with an absolute URL does not reach the API routes', async () => {
  const res = await new Promise((ok, fail) => {
    const { port } = new URL(srv.url);
    const req = http.request({ host: '127.0.0.1', port, path: 'http://127.0.0.1:1/v1/responses', method: 'POST' }, (r) => { r.resume(); ok(r.statusCode); });
    req.on('error', fail);
    req.end('{}');
  });
  assert.ok([400, 404, 405].includes(res), String(res));
});
