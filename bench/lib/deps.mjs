// The anchors the bench compares with (openai-node, the AI SDK, eventsource-parser for the floor)
// come from bench/package.json + bench/package-lock.json, installed with `npm ci` into
// build/bench/deps/ the first time (and again whenever the lock file changes): they stay out of
// the repo's dev install. esbuild and miniflare come from the repo's devDependencies.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEPS = join(ROOT, 'build', 'bench', 'deps');
export const DEPS_MODULES = join(DEPS, 'node_modules');
const BENCH = join(ROOT, 'bench');

let ready = false;

/** Installs the anchors into build/bench/deps/ unless the installed lock file is this one. */
export function ensureDeps() {
  if (ready) return;
  const lock = readFileSync(join(BENCH, 'package-lock.json'));
  const installed = join(DEPS, 'package-lock.json');
  const done = join(DEPS_MODULES, '.package-lock.json');
  if (!(existsSync(installed) && existsSync(done) && readFileSync(installed).equals(lock))) {
    mkdirSync(DEPS, { recursive: true });
    copyFileSync(join(BENCH, 'package.json'), join(DEPS, 'package.json'));
    copyFileSync(join(BENCH, 'package-lock.json'), installed);
    console.error('bench: installing the anchors (bench/package.json) into build/bench/deps/');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: DEPS, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  ready = true;
}

/** The version of an installed anchor. */
export function depVersion(name) {
  ensureDeps();
  return JSON.parse(readFileSync(join(DEPS_MODULES, name, 'package.json'), 'utf8')).version;
}

/** The ES module entry of a package's "." export (import/node/default conditions), or its module/main. */
function esmEntry(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const pick = (e) => {
    if (typeof e === 'string') return e;
    if (!e || typeof e !== 'object') return null;
    for (const k of ['import', 'node', 'default']) if (k in e) return pick(e[k]);
    return null;
  };
  const ex = pkg.exports;
  const root = typeof ex === 'string' || (ex && !Object.keys(ex).some((k) => k.startsWith('.'))) ? ex : ex?.['.'];
  const entry = pick(root) ?? pkg.module ?? pkg.main ?? 'index.js';
  return join(dir, entry);
}

/** The file URL of an anchor's ES module entry in build/bench/deps/. */
export function depUrl(name) {
  ensureDeps();
  return pathToFileURL(esmEntry(join(DEPS_MODULES, name))).href;
}

/** import() of an anchor from build/bench/deps/. */
export const importDep = (name) => import(depUrl(name));
