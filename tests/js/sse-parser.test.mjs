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
