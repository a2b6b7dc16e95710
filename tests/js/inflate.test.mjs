// js/inflate.js: the synchronous gzip decoder the browser entry uses for its inline wasm (no
// DecompressionStream, no top-level await). Checked against node:zlib on the shipped wasm and on
// data that makes zlib emit every block type (stored, fixed and dynamic Huffman).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { constants, gzipSync } from 'node:zlib';
import { base64Bytes, gunzip } from '../../js/inflate.js';

const wasm = readFileSync(new URL('../../pkg/cometapi_responses_bg.wasm', import.meta.url));
// deterministic incompressible bytes (xorshift), so stored blocks are exercised without randomness
function noise(n, seed = 0x9e3779b9) {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    out[i] = seed & 0xff;
  }
  return out;
}

test('gunzip returns exactly what node:zlib compressed, for every level and strategy', () => {
  const inputs = {
    wasm,
    noise: noise(100_000),
    empty: Buffer.alloc(0),
    byte: Buffer.from('a'),
    repeats: Buffer.from('hello '.repeat(5000)),
    mixed: Buffer.concat([noise(70_000, 7), wasm.subarray(0, 50_000), noise(3, 11)]),
  };
  const strategies = [constants.Z_DEFAULT_STRATEGY, constants.Z_FIXED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE];
  for (const [name, input] of Object.entries(inputs)) {
    for (const level of [0, 1, 6, 9]) {
      for (const strategy of strategies) {
        const out = gunzip(gzipSync(input, { level, strategy }));
        assert.ok(Buffer.from(out).equals(input), `${name}, level ${level}, strategy ${strategy}`);
      }
    }
  }
});

test('gunzip skips the optional gzip header fields (extra, name, comment, header CRC)', () => {
  const body = gzipSync(Buffer.from('payload '.repeat(100)));
  const extra = Buffer.from([6, 0, 1, 2, 3, 4, 5, 6]);
  const name = Buffer.from('file.wasm\0');
  const comment = Buffer.from('a comment\0');
  const header = Buffer.from(body.subarray(0, 10));
  header[3] = 4 | 8 | 16 | 2;
  const withFields = Buffer.concat([header, extra, name, comment, Buffer.from([0xab, 0xcd]), body.subarray(10)]);
  assert.equal(Buffer.from(gunzip(withFields)).toString(), 'payload '.repeat(100));
});

test('gunzip throws on malformed or truncated data instead of returning garbage', () => {
  const gz = gzipSync(wasm, { level: 9 });
  assert.throws(() => gunzip(Buffer.from('not gzip at all, not gzip at all')), /inflate: malformed data \(not gzip\)/);
  const truncated = Buffer.concat([gz.subarray(0, gz.length >> 1), gz.subarray(gz.length - 8)]);
  assert.throws(() => gunzip(truncated), /inflate: malformed data/);
  const flipped = Buffer.from(gz);
  for (let i = 20; i < 60; i++) flipped[i] ^= 0x5a;
  assert.throws(() => gunzip(flipped), /inflate: malformed data/);
  const wrongSize = Buffer.from(gz);
  wrongSize.writeUInt32LE(wasm.length + 1, gz.length - 4);
  assert.throws(() => gunzip(wrongSize), /inflate: malformed data \(size\)/);
});

test('base64Bytes decodes standard base64', () => {
  const bytes = noise(1000, 3);
  assert.ok(Buffer.from(base64Bytes(bytes.toString('base64'))).equals(bytes));
});
