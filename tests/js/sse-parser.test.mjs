// SseParser through the built package, imported by its name in Node with no init call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, StreamError } from 'cometapi-responses';

const enc = new TextEncoder();

test('parses events, joins data lines, keeps the last event ID and retry', () => {
  const p = new SseParser();
  const events = p.feed(enc.encode('retry: 1500\nid: 7\nevent: ping\ndata: a\ndata: b\n\ndata: c\n\n'));
  assert.deepEqual(events, [
    { event: 'ping', data: 'a\nb', lastEventId: '7' },
    { event: 'message', data: 'c', lastEventId: '7' },
  ]);
  assert.equal(p.retry, 1500);
  assert.deepEqual(p.finish(), []);
});

test('retry is undefined until a valid retry field arrives', () => {
  const p = new SseParser();
  p.feed(enc.encode('retry: 12a\n\n'));
  assert.equal(p.retry, undefined);
});

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
  assert.deepEqual(got, [{ event: 'x', data: ' two spaces', lastEventId: '' }]);
});

test('an unfinished event at the end of the stream is discarded', () => {
  const p = new SseParser();
  assert.deepEqual(p.feed(enc.encode('data: never dispatched\n')), []);
  assert.deepEqual(p.finish(), []);
});

test('an event over maxEventSize throws StreamError', () => {
  const p = new SseParser({ maxEventSize: 64 });
  assert.throws(() => p.feed(enc.encode('data: ' + 'x'.repeat(100) + '\n\n')), (e) => {
    assert.ok(e instanceof StreamError);
    assert.equal(e.name, 'StreamError');
    return true;
  });
});

test('events completed before an oversized one in the same chunk are returned; the error comes next', () => {
  const p = new SseParser({ maxEventSize: 64 });
  const chunk = enc.encode('data: first\n\nid: 7\ndata: second\n\ndata: ' + 'x'.repeat(100) + '\n\n');
  assert.deepEqual(p.feed(chunk), [
    { event: 'message', data: 'first', lastEventId: '' },
    { event: 'message', data: 'second', lastEventId: '7' },
  ]);
  assert.throws(() => p.feed(enc.encode('data: later\n\n')), StreamError);
  // Still failed until finish(); finish() resets it.
  assert.throws(() => p.feed(enc.encode('data: later\n\n')), StreamError);
  assert.deepEqual(p.finish(), []);
  assert.deepEqual(p.feed(enc.encode('data: again\n\n')), [{ event: 'message', data: 'again', lastEventId: '' }]);
});

test('a deferred size error is thrown by finish() when no feed came after it', () => {
  const p = new SseParser({ maxEventSize: 64 });
  assert.equal(p.feed(enc.encode('data: ok\n\ndata: ' + 'y'.repeat(100) + '\n')).length, 1);
  assert.throws(() => p.finish(), (e) => e instanceof StreamError && /size limit/.test(e.message));
  // The parser is ready for a new stream.
  assert.deepEqual(p.feed(enc.encode('data: next\n\n')), [{ event: 'message', data: 'next', lastEventId: '' }]);
  assert.deepEqual(p.finish(), []);
});
