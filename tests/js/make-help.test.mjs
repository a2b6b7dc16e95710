// `make` with no target (the default goal) prints clean help: the commands and what they do, with
// the port filled in; no Makefile syntax (`SHELL := …`, `$(PORT)`) and nothing built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function make(args, env = {}) {
  // not a sub-make of a running `make test`: no inherited flags, no "Entering directory" lines
  const { MAKEFLAGS, MAKELEVEL, MFLAGS, MAKEOVERRIDES, PORT, ...rest } = process.env;
  return execFileSync('make', ['--no-print-directory', ...args], { cwd: root, env: { ...rest, ...env }, encoding: 'utf8' });
}

test('`make` alone prints the help: every main command, no Makefile syntax', () => {
  const out = make([]);
  assert.equal(out, make(['help']), 'the default goal is help');
  for (const cmd of ['make demo', 'make test', 'make build', 'make bench']) assert.match(out, new RegExp(`^\\s+${cmd}\\s+\\S`, 'm'), cmd);
  assert.match(out, /http:\/\/127\.0\.0\.1:8080\b/, 'the demo URL with the default port');
  assert.doesNotMatch(out, /\$\(|:=|^#|SHELL|\.PHONY/m, 'no Makefile syntax in the help');
  assert.doesNotMatch(out, /cargo |wasm-bindgen |npm ci/, 'nothing was built or installed');
});

test('the help shows the port the demo would use', () => {
  assert.match(make([], { PORT: '8081' }), /http:\/\/127\.0\.0\.1:8081\b/);
  assert.match(make(['PORT=9000', 'help']), /http:\/\/127\.0\.0\.1:9000\b/);
});
