// The example Worker's key redaction (examples/cloudflare-worker/src/redact.js) on its own, in Node:
// whole keys, keys without their prefix, fragments, and keys streamed in deltas of every size, with
// seeded random texts; text without the key passes unchanged, delta by delta.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fragmentsIn, EXAMPLE } from './lib.mjs';

const { keyRedactor } = await import(pathToFileURL(join(EXAMPLE, 'src', 'redact.js')).href);

/** A small seeded PRNG (mulberry32): the same cases on every run. */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** A realistic key: long enough that a fragment without `sk-` is still a secret. */
const key = 'sk-Zq7pLm2vRt9sWk4nBh6cYy8dFj3gHa5eXu1oNb0i';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomKey = (rand) => 'sk-' + Array.from({ length: 48 }, () => ALNUM[Math.floor(rand() * ALNUM.length)]).join('');
const WORDS = ['the', 'stream', 'of', 'events', 'arrives', 'as', 'tokens', 'sk-', 'proj', 'key', 'and', '12', 'a', 'JSON', '{"x":1}', 'über', '🙂', '\n'];
const prose = (rand, n) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(rand() < 0.5 ? ' ' : '');
/** `text` cut into deltas of 1..max characters. */
function chop(rand, text, max) {
  const out = [];
  for (let i = 0; i < text.length; i += out.at(-1).length) out.push(text.slice(i, i + 1 + Math.floor(rand() * max)));
  return out;
}
const deltaEvent = (delta, extra = {}) => ({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta, ...extra });
/** The deltas of one stream of `redactor`, as it passes them on. */
const streamDeltas = (redactor, deltas, extra, s = redactor.stream()) => deltas.map((d) => s.event(deltaEvent(d, extra)).delta);

test('text(): the whole key, the key without sk-, and any fragment of 10+ characters become [redacted]', () => {
  const r = keyRedactor(key);
  assert.equal(r.text(`key=${key}!`), 'key=[redacted]!');
  assert.equal(r.text(`bare ${key.slice(3)} end`), 'bare [redacted] end');
  assert.equal(r.text(`mid ${key.slice(20, 30)} and ${key.slice(5, 17)}.`), 'mid [redacted] and [redacted].');
  assert.equal(r.text(`${key}${key}`), '[redacted]', 'adjacent fragments merge');
  assert.equal(r.text(`short ${key.slice(20, 29)}`), `short ${key.slice(20, 29)}`, '9 characters are not a fragment');
  assert.equal(r.text('nothing here'), 'nothing here');
  assert.equal(r.message('token sk-abcd1234 quoted'), 'token [redacted] quoted', 'messages also lose anything shaped like a key');
  // a short key is redacted whole
  assert.equal(keyRedactor('sk-short').text('a sk-short b sk-shor'), 'a [redacted] b sk-shor');
  assert.equal(keyRedactor('').text('anything'), 'anything');
});

test('value(): every string and property name of a JSON value, "__proto__" kept as a plain key', () => {
  const r = keyRedactor(key);
  const input = JSON.parse(`{"a":["x ${key}",1,null,true,{"${key.slice(3)}":"${key.slice(10, 25)}"}],"__proto__":{"m":"${key}"},"n":12}`);
  const out = r.value(input);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), { a: ['x [redacted]', 1, null, true, { '[redacted]': '[redacted]' }], ['__proto__']: { m: '[redacted]' }, n: 12 });
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(fragmentsIn(JSON.stringify(out), key), []);
});

test('a stream: text without the key passes through delta by delta, unchanged', () => {
  const rand = rng(7);
  for (let round = 0; round < 200; round++) {
    const r = keyRedactor(randomKey(rand));
    const text = prose(rand, 40);
    const deltas = chop(rand, text, 8);
    assert.deepEqual(streamDeltas(r, deltas), deltas);
  }
});

test('a stream: the key (whole, bare or a 10+ fragment) cut into deltas of any size never reaches the output in 10+ characters', () => {
  const rand = rng(42);
  for (let round = 0; round < 600; round++) {
    const key = randomKey(rand);
    const r = keyRedactor(key);
    const from = Math.floor(rand() * 4) === 0 ? 3 + Math.floor(rand() * 20) : rand() < 0.5 ? 0 : 3;
    const to = rand() < 0.5 ? key.length : Math.min(key.length, from + 10 + Math.floor(rand() * 30));
    const secret = key.slice(from, to);
    const times = 1 + Math.floor(rand() * 2);
    let text = prose(rand, 5);
    for (let i = 0; i < times; i++) text += secret + (rand() < 0.3 ? '' : prose(rand, 4));
    const max = [1, 2, 3, 5, 9, 16][round % 6];
    const deltas = chop(rand, text, max);
    const extra = round % 5 === 0 ? { summary_index: 0, type: 'response.reasoning_summary_text.delta' } : {};
    const out = streamDeltas(r, deltas, extra).join('');
    assert.deepEqual(fragmentsIn(out, key), [], `round ${round}: deltas of ≤${max} of ${JSON.stringify(text)} → ${JSON.stringify(out)}`);
    assert.match(out, /\[redacted\]/);
    assert.ok(!out.includes('[redacted][redacted]'), `round ${round}: one mark per run of the key: ${JSON.stringify(out)}`);
    // at most HOLD - 1 = 3 characters of the key are passed on before a [redacted]
    for (const m of out.matchAll(/\[redacted\]/g)) {
      const before = out.slice(Math.max(0, m.index - 4), m.index);
      assert.ok(!key.includes(before) || before.length < 4, `round ${round}: "${before}" before a mark`);
    }
    // the text around the key is kept
    assert.ok(out.startsWith(text.slice(0, text.indexOf(secret)).slice(0, -3)), `round ${round}: ${JSON.stringify(out)}`);
  }
});

test('a stream: channels are separate, audio deltas and other events are only redacted as values', () => {
  const s = keyRedactor(key).stream();
  // two channels interleaved, each streaming the key in pieces of 3
  const outs = { 0: '', 1: '' };
  for (let i = 0; i < key.length; i += 3) {
    for (const index of [0, 1]) outs[index] += s.event(deltaEvent(key.slice(i, i + 3), { output_index: index })).delta;
  }
  for (const index of [0, 1]) assert.deepEqual(fragmentsIn(outs[index], key), [], `channel ${index}: ${outs[index]}`);
  // base64 audio is never held back (a whole delta is a unit of audio)
  const audio = { type: 'response.audio.delta', delta: 'AAAAZq7pLm2v' };
  assert.deepEqual(s.event(audio), audio);
  // a done event carries the whole text: redacted as a value
  assert.equal(s.event({ type: 'response.output_text.done', text: `k ${key}` }).text, 'k [redacted]');
});
