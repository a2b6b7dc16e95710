// SseParser through the built package, imported by its name in Node with no init call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, StreamError } from 'cometapi-responses';

const enc = new TextEncoder();

const ev = (data, lastEventId = '', event = 'message') => ({ event, data, lastEventId });

// [name, the stream's text fed whole, the events, its retry]
const CASES = [
  [
    'parses events, joins data lines, keeps the last event ID and retry',
    'retry: 1500\nid: 7\nevent: ping\ndata: a\ndata: b\n\ndata: c\n\n',
    [ev('a\nb', '7', 'ping'), ev('c', '7')],
    1500,
  ],
  ['retry is undefined until a valid retry field arrives', 'retry: 12a\n\n', [], undefined],
  ['an unfinished event at the end of the stream is discarded', 'data: never dispatched\n', [], undefined],
];
for (const [name, text, events, retry] of CASES) {
  test(name, () => {
    const p = new SseParser();
    assert.deepEqual(p.feed(enc.encode(text)), events);
    assert.equal(p.retry, retry);
    assert.deepEqual(p.finish(), []);
  });
}

test('a multi-byte character and a CRLF split across chunks give the same events', () => {
  const bytes = enc.encode('data: héllo 日本 😀\r\n\r\ndata: two\r\n\r\n');
  const whole = new SseParser().feed(bytes);
  for (let cut = 1; cut < bytes.length; cut++) {
    const p = new SseParser();
    const got = [...p.feed(bytes.subarray(0, cut)), ...p.feed(bytes.subarray(cut))];
    assert.deepEqual(got, whole, `split at ${cut}`);
  }
  assert.equal(whole[0].data, 'héllo 日本 😀');
});

test('one byte at a time', () => {
  const bytes = enc.encode('\uFEFFevent: x\r: comment\rdata:  two spaces\r\r');
  const p = new SseParser();
  const got = [];
  for (const b of bytes) got.push(...p.feed(Uint8Array.of(b)));
  assert.deepEqual(got, [ev(' two spaces', '', 'x')]);
});

test('an event over maxEventSize throws StreamError', () => {
  const p = new SseParser({ maxEventSize: 64 });
  const oversized = enc.encode('data: ' + 'x'.repeat(100) + '\n\n');
  assert.throws(() => p.feed(oversized), (e) => e instanceof StreamError && e.name === 'StreamError');
});

test('maxEventSize is a whole number of bytes, at least 1: else a TypeError', () => {
  for (const bad of [0, 0.5, -1, 1.5, NaN, Infinity, '64', {}, true]) {
    assert.throws(() => new SseParser({ maxEventSize: bad }), TypeError, String(bad));
  }
  assert.deepEqual(new SseParser({ maxEventSize: 16 }).feed(enc.encode('data:x\n\n')).map((e) => e.data), ['x']);
});

test('events completed before an oversized one in the same chunk are returned; the error comes next', () => {
  const p = new SseParser({ maxEventSize: 64 });
  const chunk = enc.encode('data: first\n\nid: 7\ndata: second\n\ndata: ' + 'x'.repeat(100) + '\n\n');
  assert.deepEqual(p.feed(chunk), [ev('first'), ev('second', '7')]);
  assert.throws(() => p.feed(enc.encode('data: later\n\n')), StreamError);
  // Still failed until finish(); finish() resets it.
  assert.throws(() => p.feed(enc.encode('data: later\n\n')), StreamError);
  assert.deepEqual(p.finish(), []);
  assert.deepEqual(p.feed(enc.encode('data: again\n\n')), [ev('again')]);
});

test('a deferred size error is thrown by finish() when no feed came after it', () => {
  const p = new SseParser({ maxEventSize: 64 });
  assert.equal(p.feed(enc.encode('data: ok\n\ndata: ' + 'y'.repeat(100) + '\n')).length, 1);
  assert.throws(() => p.finish(), (e) => e instanceof StreamError && /size limit/.test(e.message));
  // The parser is ready for a new stream.
  assert.deepEqual(p.feed(enc.encode('data: next\n\n')), [ev('next')]);
  assert.deepEqual(p.finish(), []);
});
