// createRedactor, the package's API-key redactor, through its JS wrapper: texts whole, and streams
// of bytes or of strings cut anywhere. The masking rules themselves are the core's (tests/redact.rs);
// here: what the wrapper passes in and hands back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from 'cometapi-responses';
import { assertNoKeyIn } from './client-helpers.mjs';

const KEY = 'sk-proxy-0123456789abcdefghijklmnopqrstuvwxyzABCDEF';
const noLeak = (text, what) => assertNoKeyIn(text, what, KEY);
const SAMPLES = [
  `plain text, no key at all — ünïcödé 🙂 ${'x'.repeat(30)}`,
  `a ${KEY} b`,
  `${KEY}${KEY}`,
  `${KEY.slice(3)}|${KEY.slice(0, 10)}|${KEY.slice(-10)}|${KEY.slice(4, 13)}`, // the last one is 9 chars: kept
  `"${KEY.slice(0, 20)}🙂${KEY.slice(20)}"`,
  `sk-proxy-01 almost ${KEY.slice(0, 9)} but not`,
  `${KEY.slice(5)}${KEY.slice(0, 5)}`,
];

test('a stream of bytes or of strings, cut anywhere, gives what redact() gives the whole text', () => {
  const r = createRedactor(KEY);
  assert.equal(r.redact(`a ${KEY} b`), 'a [redacted] b');
  assert.equal(r.redact(KEY.slice(4, 13)), KEY.slice(4, 13));
  for (const text of SAMPLES) {
    const whole = r.redact(text);
    noLeak(whole, text);
    const bytes = Buffer.from(text);
    for (let a = 0; a <= bytes.length; a++) {
      for (const b of [a, Math.min(bytes.length, a + 13)]) {
        const s = r.stream();
        const out = Buffer.concat([s.push(bytes.subarray(0, a)), s.push(bytes.subarray(a, b)), s.end(bytes.subarray(b))]);
        assert.equal(out.toString(), whole, `${JSON.stringify(text)} cut at ${a}, ${b}`);
      }
    }
    for (let a = 0; a <= text.length; a++) {
      const s = r.stream();
      const out = s.push(text.slice(0, a)) + s.end(text.slice(a));
      assert.equal(out, whole, `${JSON.stringify(text)} as strings, cut at ${a}`);
    }
  }
  // end() with nothing more gives the rest as the stream's chunks were: strings or bytes, each
  // time it starts over; without a key too.
  for (const red of [r, createRedactor(undefined)]) {
    const s = red.stream();
    assert.equal(s.push(`a ${KEY.slice(0, 12)}`) + s.end(), red.redact(`a ${KEY.slice(0, 12)}`));
    assert.deepEqual(s.end(), new Uint8Array(0), 'started over: bytes by default');
    assert.equal(Buffer.from([...s.push(Buffer.from('b ')), ...s.end()]).toString(), 'b ');
    assert.equal(s.push('c') + s.end(), 'c');
  }
});

test('a byte at a time: nothing that ends an SSE event is held back; a run of the key is masked at once', () => {
  const s = createRedactor(KEY).stream();
  const push = (text) => Buffer.from(s.push(Buffer.from(text))).toString();
  assert.equal(push('data: {"a":1}\n\n'), 'data: {"a":1}\n\n');
  // What goes on from a masked run stays under the mask.
  assert.equal(push(`x ${KEY.slice(0, 12)}`), 'x [redacted]');
  assert.equal(push(KEY.slice(12, 20)), '');
  assert.equal(push('\n'), '\n');
});

test('strings: lone surrogates (a pair cut between two chunks) pass on as they were', () => {
  const r = createRedactor(KEY);
  const [high, low] = ['🙂'.slice(0, 1), '🙂'.slice(1)];
  // "Yes": its "s" may start the key, so it waits, and the next chunk is re-encoded with it.
  let s = r.stream();
  assert.deepEqual([s.push('Yes'), s.push(` ${high}`), s.push(`${low}!`), s.end('')], ['Ye', `s ${high}`, `${low}!`, '']);
  // Lone ones, with what may start the key ("b", "s") held back around them, and the key itself.
  for (const chunks of [[`a ${high}`, 'b', low], [`x ${low} y`, high], [`is ${high}${KEY}${low}s`, `${low}`, `${KEY.slice(0, 12)}${high}`]]) {
    s = r.stream();
    const out = chunks.map((c, i) => (i < chunks.length - 1 ? s.push(c) : s.end(c))).join('');
    assert.equal(out, r.redact(chunks.join('')), JSON.stringify(chunks));
    assert.equal(out.replaceAll('[redacted]', ''), chunks.join('').replaceAll(KEY, '').replace(KEY.slice(0, 12), ''));
  }
});

test('a key shorter than a fragment is redacted whole, however short the text', () => {
  for (const [key, text, want] of [['abc', 'abc', '[redacted]'], ['ab', 'xab', 'x[redacted]'], ['abcdefgh', 'x abcdefgh y', 'x [redacted] y']]) {
    const r = createRedactor(key);
    assert.deepEqual([r.redact(text), r.message(text), r.value([text])], [want, want, [want]], key);
  }
});
