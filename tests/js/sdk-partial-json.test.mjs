// PartialJsonParser: the core's incremental parser, its value mirrored in JS from the
// ops. Against JSON.parse on random documents cut at every position; best effort in between
// (every partial value is a prefix of the final one, whatever the chunking); JSON.parse's own
// quirks (__proto__ as an own key, duplicate keys, -0, 1e400, lone surrogate escapes); errors;
// free(); linear time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { PartialJsonParser } from 'cometapi-responses';

// A small deterministic generator (mulberry32).
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ['', 'a', 'hello world', 'é 日本 😀', 'quote " and \\ backslash', 'line\nbreak\ttab', '\u0001\u001f', '</script>'];
const KEYS = ['a', 'b', 'name', 'tags', '__proto__', 'constructor', 'toString', 'é', '😀', ''];
const NUMBERS = ['0', '-0', '12', '-7', '3.25', '1e3', '-1.5E-2', '1e400', '-1e400', '12345678901234567890', '0.1'];

/** A random JSON document (text) with random whitespace; `dup`: it may repeat keys. */
function documentOf(r, dup, depth = 0) {
  const ws = () => [' ', '', '', '\n  ', '\t', '\r\n'][Math.floor(r() * 6)];
  const pick = (list) => list[Math.floor(r() * list.length)];
  const k = r();
  if (depth < 4 && k < 0.3) {
    const n = Math.floor(r() * 5);
    const used = new Set();
    const members = [];
    for (let i = 0; i < n; i++) {
      let key = pick(KEYS);
      if (!dup) {
        if (used.has(key)) continue;
        used.add(key);
      }
      const spelled = r() < 0.2 ? JSON.stringify(key).replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : JSON.stringify(key);
      members.push(`${ws()}${spelled}${ws()}:${ws()}${documentOf(r, dup, depth + 1)}${ws()}`);
    }
    return `{${members.join(',')}${ws()}}`;
  }
  if (depth < 4 && k < 0.5) {
    const n = Math.floor(r() * 5);
    return `[${Array.from({ length: n }, () => `${ws()}${documentOf(r, dup, depth + 1)}${ws()}`).join(',')}${ws()}]`;
  }
  if (k < 0.75) {
    const s = JSON.stringify(pick(STRINGS));
    return r() < 0.15 ? s.replace(/"$/, '\\ud800"') : r() < 0.1 ? s.replace(/"$/, '\\ud83d\\ude00\\/"') : s;
  }
  if (k < 0.9) return pick(NUMBERS);
  return pick(['true', 'false', 'null']);
}

/** Cut points that do not split a surrogate pair (a JS string crosses to wasm as UTF-8). */
function cuts(text) {
  const out = [];
  for (let i = 0; i <= text.length; i++) {
    const c = text.charCodeAt(i - 1);
    if (i === 0 || i === text.length || !(c >= 0xd800 && c <= 0xdbff)) out.push(i);
  }
  return out;
}

/** `part` is what a best-effort value of a prefix of the document of `full` may be. */
function isPrefix(part, full) {
  if (typeof part === 'string') return typeof full === 'string' && full.startsWith(part);
  if (typeof part !== 'object' || part === null) return Object.is(part, full);
  if (Array.isArray(part)) {
    if (!Array.isArray(full) || part.length > full.length) return false;
    return part.every((v, i) => (i < part.length - 1 ? isDeepStrictEqual(v, full[i]) : isPrefix(v, full[i])));
  }
  if (typeof full !== 'object' || full === null || Array.isArray(full)) return false;
  return Object.keys(part).every((key) => Object.hasOwn(full, key) && isPrefix(part[key], full[key]));
}

function parsed(chunks, finish = true) {
  const p = new PartialJsonParser();
  for (const c of chunks) p.push(c);
  if (finish) p.finish();
  const v = p.value;
  p.free();
  return v;
}

test('random documents cut at every position give JSON.parse once complete, a prefix of it before', () => {
  const r = rng(14);
  let docs = 0;
  let checked = 0;
  while (docs < 150) {
    const dup = r() < 0.3;
    const doc = documentOf(r, dup);
    if (doc.length > 400) continue;
    docs++;
    const full = JSON.parse(doc);
    for (const k of cuts(doc)) {
      const p = new PartialJsonParser();
      p.push(doc.slice(0, k));
      const before = p.value;
      if (!dup && before !== undefined) assert.ok(isPrefix(before, full), `${doc} cut at ${k}: ${JSON.stringify(before)} is not a prefix`);
      // the same prefix in small pieces: the same best effort
      const pieces = [];
      for (let i = 0, cs = cuts(doc.slice(0, k)); i < cs.length - 1; i += 3) pieces.push(doc.slice(cs[i], cs[Math.min(i + 3, cs.length - 1)]));
      assert.deepStrictEqual(parsed(pieces, false), before, `${doc} cut at ${k}: chunking`);
      p.push(doc.slice(k));
      p.finish();
      assert.deepStrictEqual(p.value, full, `${doc} cut at ${k}`);
      p.free();
      checked++;
    }
  }
  assert.ok(checked > 5000, `${checked} cuts`);
});

test('JSON.parse quirks: __proto__ is an own key, the last duplicate wins, -0, 1e400, lone surrogates', () => {
  const doc = '{"__proto__": {"polluted": 1}, "a": 1, "a": [2], "z": -0, "big": 1e400, "s": "\\ud800x\\udc00", "constructor": {"k": true}}';
  const v = parsed([doc.slice(0, 20), doc.slice(20)]);
  assert.deepStrictEqual(v, JSON.parse(doc));
  assert.ok(Object.hasOwn(v, '__proto__'), 'an own data property');
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.equal({}.polluted, undefined);
  assert.deepStrictEqual(v.__proto__, { polluted: 1 });
  assert.ok(Object.is(v.z, -0));
  assert.equal(v.big, Infinity);
  assert.equal(v.s, '\ud800x\udc00');
  // a key __proto__ streaming in pieces: still own, never the prototype
  const p = new PartialJsonParser();
  for (const c of ['{"__pro', 'to__": {"x', '": "ab', 'c"}}']) {
    p.push(c);
    assert.equal(Object.getPrototypeOf(p.value), Object.prototype);
  }
  assert.deepStrictEqual(p.value, JSON.parse('{"__proto__": {"x": "abc"}}'));
  assert.equal({}.x, undefined);
});

test('best effort after each push: strings as their prefix, keys and literals once complete', () => {
  const p = new PartialJsonParser();
  const steps = [
    ['', undefined],
    ['{"na', {}],
    ['me": "Ad', { name: 'Ad' }],
    ['a", "age": 3', { name: 'Ada' }],
    ['6, "ok": tr', { name: 'Ada', age: 36 }],
    ['ue, "tags": ["x', { name: 'Ada', age: 36, ok: true, tags: ['x'] }],
    ['"]}', { name: 'Ada', age: 36, ok: true, tags: ['x'] }],
  ];
  for (const [text, want] of steps) {
    p.push(text);
    assert.deepStrictEqual(p.value, want, `after ${JSON.stringify(text)}`);
  }
  // a document that is one number completes at finish(); a string at its end; text at the root
  assert.equal(parsed(['4', '2'], false), undefined);
  assert.equal(parsed(['4', '2']), 42);
  assert.equal(parsed(['"ab', 'c'], false), 'abc');
  assert.equal(parsed(['  "a\\u00', 'e9"  ']), 'aé');
});

test('invalid JSON keeps the value before the error; later pushes are ignored; misuse throws', () => {
  const p = new PartialJsonParser();
  p.push('{"a": [1, 2');
  p.push(',] "b"');
  assert.deepStrictEqual(p.value, { a: [1, 2] });
  p.push('3]}');
  assert.deepStrictEqual(p.value, { a: [1, 2] });
  assert.throws(() => p.push(42), TypeError);
  p.free();
  p.free();
  assert.throws(() => p.push('x'), /freed/);
  assert.deepStrictEqual(p.value, { a: [1, 2] }, 'the value stays readable');
  const q = new PartialJsonParser();
  q.push('[1]');
  q[Symbol.dispose]();
  assert.throws(() => q.push('x'), /freed/);
  assert.deepStrictEqual(q.value, [1]);
});

/** An ASCII JSON document of about `bytes` bytes (long strings, many small values, nesting). */
function bigDocument(bytes) {
  const items = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const item = `{"id":${i},"name":"item number ${i}","tags":["a","b",${i % 7}],"text":"${'lorem ipsum '.repeat(8)}","ok":${i % 2 === 0}}`;
    items.push(item);
    size += item.length + 1;
  }
  return `{"items":[${items.join(',')}],"long":"${'x'.repeat(bytes / 4)}"}`;
}

function timePush(doc) {
  const p = new PartialJsonParser();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < doc.length; i += 16) p.push(doc.slice(i, i + 16));
  p.finish();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(p.value.items.length > 0, true);
  p.free();
  return ms;
}

test('linear in the total length: 1 MB and 4 MB pushed 16 bytes at a time', () => {
  const one = bigDocument(1 << 20);
  const four = bigDocument(4 << 20);
  assert.deepStrictEqual(parsed([one]), JSON.parse(one));
  timePush(one); // warm-up
  const t1 = Math.min(timePush(one), timePush(one));
  const t4 = Math.min(timePush(four), timePush(four));
  const ratio = t4 / t1;
  console.log(`1 MB: ${t1.toFixed(0)} ms, 4 MB: ${t4.toFixed(0)} ms, ratio ${ratio.toFixed(2)} (linear: 4)`);
  assert.ok(ratio < 10, `4× the text took ${ratio.toFixed(1)}× the time (a quadratic parser takes ~16×)`);
});

test('a mirror of parsed text walks own properties only: ops never reach a prototype', async () => {
  // js/mirror.js is internal (bundled into each entry): imported from the sources here.
  const { Mirror } = await import('../../js/mirror.js');
  const hostile = [
    ['s', ['__proto__', 'polluted'], 1],
    ['c', ['constructor', 'prototype', 'polluted'], 'x'],
    ['p', ['toString'], [['s', ['polluted'], 1]]],
  ];
  for (const own of [true, false]) {
    const m = new Mirror(own);
    m.value = {};
    // the nested op is always walked own-only; the others when the mirror is one of parsed text
    m.apply(own ? hostile : hostile.slice(2));
    assert.equal({}.polluted, undefined);
    assert.equal(Object.prototype.polluted, undefined);
    assert.deepStrictEqual(m.value, {});
  }
  // the same paths once the keys exist as own properties: applied
  const m = new Mirror(true);
  m.apply([['s', [], {}], ['s', ['__proto__'], {}], ['s', ['__proto__', 'polluted'], 1]]);
  assert.deepStrictEqual(m.value, JSON.parse('{"__proto__": {"polluted": 1}}'));
  assert.equal({}.polluted, undefined);
});
