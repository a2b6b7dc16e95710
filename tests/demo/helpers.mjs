// The shared set-up of the dev server's tests (not a test file itself): a dev server closed after
// a test, requests to it, and its CLI run as a child process.
import { after } from 'node:test';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, symlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../www/server.mjs';

export const SCRIPT = fileURLToPath(new URL('../../www/server.mjs', import.meta.url));

/** A dev server (startServer `opts`) closed after the test `t`. */
export async function server(t, opts = {}) {
  const s = await startServer(opts);
  t.after(() => s.close());
  return s;
}

/** A fresh temporary directory holding `files` (path → content; `{ symlink }`: a link to `symlink`, which
 *  names a path in the directory, as an absolute link, when it starts with `/`), removed after the tests of the
 *  file (called at the top level of a test file): its path. */
export async function tree(files) {
  const dir = await mkdtemp(join(tmpdir(), 'demo-'));
  after(() => rm(dir, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    const link = content.symlink?.startsWith('/') ? resolve(dir, `.${content.symlink}`) : content.symlink;
    await (link ? symlink(link, join(dir, path)) : writeFile(join(dir, path), content));
  }
  return dir;
}

/** POST `body` (JSON) to `base`/v1/responses. */
export const post = (base, body, headers = {}) =>
  fetch(`${base}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** POST a small request to `base`/v1/responses with these headers (`init`: more of fetch's options). */
export const postX = (base, headers = {}, init = {}) =>
  fetch(`${base}/v1/responses`, { method: 'POST', headers, body: JSON.stringify({ model: 'm', input: 'x' }), ...init });

/**
 * Runs the CLI (`node www/server.mjs ARGS`, no key in its environment unless `env` has one) until it
 * prints its URL or exits: { url, code, out (stdout), err (stderr), stop() } (`url` null if it exited).
 */
export function cli(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], {
      env: { ...process.env, COMETAPI_KEY: '', MOCK_REQUIRE_KEY: '', QUIET: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const r = { url: null, code: null, out: '', err: '' };
    r.stop = () => (r.code === null ? new Promise((ok) => child.once('exit', ok).kill('SIGTERM')) : null);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.stdout.on('data', (c) => {
      r.out += c;
      r.url ??= /(http:\/\/127\.0\.0\.1:\d+)\//.exec(r.out)?.[1] ?? null;
      if (!r.url) return;
      clearTimeout(timer);
      resolve(r);
    });
    child.stderr.on('data', (c) => (r.err += c));
    child.on('exit', (code) => {
      clearTimeout(timer);
      r.code = code;
      resolve(r);
    });
  });
}
