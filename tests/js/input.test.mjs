// inputImage / inputFile (js/input.js): every source kind, the shared table of attachment rules
// (tests/fixtures/attachments.json, also read by tests/input.rs), errors, maxBytes before any
// read, and base64 exact on each of the three encoders (toBase64, Buffer, chunked btoa).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inputImage, inputFile, ValidationError } from 'cometapi-responses';
import { fails, has } from './client-helpers.mjs';

const table = JSON.parse(readFileSync(new URL('../fixtures/attachments.json', import.meta.url), 'utf8'));
const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const PNG = hex('89504e470d0a1a0a0000000d49484452');
const PDF = new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n');
const decoded = (dataUrl) => new Uint8Array(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));

const rejects = (promise, param) => fails(promise, ValidationError, { name: 'ValidationError', param });

describe('the shared table of attachment rules', () => {
  for (const c of table.cases) {
    test(`${c.kind} ${c.head.slice(0, 16)} ${JSON.stringify({ ...c, head: undefined, expect: undefined, kind: undefined })}`, async () => {
      const bytes = hex(c.head);
      const source = c.sourceName !== undefined
        ? new File([bytes], c.sourceName, { type: c.sourceType ?? '' })
        : new Blob([bytes], { type: c.sourceType ?? '' });
      const opts = { mimeType: c.mimeType, filename: c.filename, maxBytes: c.maxBytes };
      const run = c.kind === 'image' ? inputImage(source, opts) : inputFile(source, opts);
      if (c.expect.error) return rejects(run, c.expect.error);
      const part = await run;
      const url = c.kind === 'image' ? part.image_url : part.file_data;
      assert.ok(url.startsWith(`data:${c.expect.mime};base64,`), url);
      assert.deepEqual(decoded(url), bytes);
      if (c.kind === 'file') assert.equal(part.filename, c.expect.filename);
    });
  }
});

describe('sources', () => {
  test('bytes in every form: ArrayBuffer, Uint8Array, Buffer, a DataView and an Int16Array over part of a buffer', async () => {
    const big = new Uint8Array(64);
    big.set(PNG, 16);
    const sources = [PNG.slice().buffer, PNG, Buffer.from(PNG), new DataView(big.buffer, 16, 16), new Int16Array(big.buffer, 16, 8)];
    for (const s of sources) {
      const part = await inputImage(s);
      assert.deepEqual(Object.keys(part), ['type', 'image_url', 'detail']);
      has(part, { type: 'input_image', detail: 'auto' });
      assert.deepEqual(decoded(part.image_url), PNG, s.constructor.name);
      assert.ok(part.image_url.startsWith('data:image/png;base64,'));
    }
  });

  test('Blob and File: the type and name they carry win over the options', async () => {
    assert.deepEqual(await inputImage(new Blob([PNG], { type: 'image/png' }), { detail: 'high' }), {
      type: 'input_image', image_url: `data:image/png;base64,${Buffer.from(PNG).toString('base64')}`, detail: 'high',
    });
    const part = await inputFile(new File([PDF], 'report.pdf', { type: 'application/pdf' }), { filename: 'ignored.pdf' });
    assert.deepEqual(part, { type: 'input_file', filename: 'report.pdf', file_data: `data:application/pdf;base64,${Buffer.from(PDF).toString('base64')}` });
    assert.deepEqual(await inputFile(PDF), { ...part, filename: 'file.pdf' });
    assert.equal((await inputFile(PDF, { filename: 'x.pdf' })).filename, 'x.pdf');
  });

  test('URLs are given as they are; data: URLs are checked (type, size) and kept', async () => {
    assert.deepEqual(await inputImage('https://example.com/a.png'), { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' });
    assert.deepEqual(await inputImage('http://example.com/a', { detail: 'low' }), { type: 'input_image', image_url: 'http://example.com/a', detail: 'low' });
    assert.deepEqual(await inputFile('https://example.com/a.pdf'), { type: 'input_file', file_url: 'https://example.com/a.pdf' });
    // A URL or an id carries no filename: the one given goes beside it.
    assert.deepEqual(await inputFile('https://example.com/a', { filename: 'b.pdf' }), { type: 'input_file', file_url: 'https://example.com/a', filename: 'b.pdf' });
    assert.deepEqual(await inputFile({ fileId: 'file-1' }, { filename: 'b.pdf' }), { type: 'input_file', file_id: 'file-1', filename: 'b.pdf' });
    const png = `data:image/png;base64,${Buffer.from(PNG).toString('base64')}`;
    assert.deepEqual(await inputImage(png), { type: 'input_image', image_url: png, detail: 'auto' });
    const pdf = `data:application/pdf;base64,${Buffer.from(PDF).toString('base64')}`;
    assert.deepEqual(await inputFile(pdf), { type: 'input_file', filename: 'file.pdf', file_data: pdf });
    await rejects(inputImage(pdf), 'image');
    await rejects(inputImage(png, { maxBytes: PNG.length - 1 }), 'image');
    assert.ok(await inputImage(png, { maxBytes: PNG.length }));
    const ftp = await rejects(inputImage('ftp://example.com/a.png'), 'image');
    assert.equal(ftp.message, 'an image string must be an http(s) URL or a data: URL');
    const relative = await rejects(inputFile('a.pdf'), 'file');
    assert.equal(relative.message, 'a file string must be an http(s) URL or a data: URL');
    // A data: URL that declares no type (or application/octet-stream) gets the one found: sniffed,
    // or `mimeType`; the payload and the other parameters are kept.
    const b64 = (bytes) => Buffer.from(bytes).toString('base64');
    for (const declared of ['', 'application/octet-stream', 'application/octet-stream;name=x']) {
      const rest = declared.includes(';') ? ';name=x' : '';
      assert.equal((await inputImage(`data:${declared};base64,${b64(PNG)}`)).image_url, `data:image/png${rest};base64,${b64(PNG)}`, declared);
      has(await inputFile(`data:${declared};base64,${b64(PDF)}`), { filename: 'file.pdf', file_data: `data:application/pdf${rest};base64,${b64(PDF)}` }, declared);
    }
    const bytes = Uint8Array.of(1, 2, 3);
    assert.equal((await inputImage(`data:;base64,${b64(bytes)}`, { mimeType: 'image/avif' })).image_url, `data:image/avif;base64,${b64(bytes)}`);
    // none found: the URL as written (no type is text/plain, RFC 2397)
    assert.equal((await inputFile('data:,hello')).file_data, 'data:,hello');
    assert.equal((await inputFile('data:application/octet-stream;base64,AQID')).file_data, 'data:application/octet-stream;base64,AQID');
  });

  test('file ids', async () => {
    assert.deepEqual(await inputImage({ fileId: 'file-1' }), { type: 'input_image', file_id: 'file-1', detail: 'auto' });
    assert.deepEqual(await inputFile({ fileId: 'file-2' }), { type: 'input_file', file_id: 'file-2' });
    await rejects(inputFile({ fileId: '' }), 'file');
    await rejects(inputImage({ fileId: 3 }), 'image');
  });

  test('anything else: ValidationError; bad options: TypeError', async () => {
    for (const s of [undefined, null, 42, {}, [1, 2]]) await rejects(inputImage(s), 'image');
    await rejects(inputFile(42), 'file');
    await assert.rejects(inputImage(PNG, { detail: 1 }), TypeError);
    await assert.rejects(inputImage(PNG, { maxBytes: -1 }), TypeError);
    await assert.rejects(inputFile(PDF, 'x'), TypeError);
  });

  test('over maxBytes (default 50 MiB): refused from Blob.size before a byte is read', async () => {
    let reads = 0;
    const huge = {
      size: 50 * 1024 * 1024 + 1, type: 'image/png', name: 'huge.png',
      slice() { reads++; return new Blob([]); },
      arrayBuffer() { reads++; return Promise.resolve(new ArrayBuffer(0)); },
    };
    await rejects(inputImage(huge), 'image');
    await rejects(inputFile(huge), 'file');
    await rejects(inputFile({ ...huge, size: 11 }, { maxBytes: 10 }), 'file');
    assert.equal(reads, 0);
  });
});

describe('base64: exact on every encoder, and chunked without toBase64 or Buffer', () => {
  const sizes = [0, 1, 2, 3, 4, 32765, 32766, 32767, 100003];
  const bytesOf = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + (i >> 8)) & 255);

  test('Buffer (Node)', async () => {
    for (const n of sizes) assert.deepEqual(decoded((await inputFile(bytesOf(n))).file_data), bytesOf(n), `${n}`);
  });

  test('Uint8Array.prototype.toBase64 where present', async (t) => {
    const had = Object.getOwnPropertyDescriptor(Uint8Array.prototype, 'toBase64');
    let calls = 0;
    Object.defineProperty(Uint8Array.prototype, 'toBase64', {
      configurable: true, writable: true,
      value() { calls++; return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('base64'); },
    });
    t.after(() => (had ? Object.defineProperty(Uint8Array.prototype, 'toBase64', had) : delete Uint8Array.prototype.toBase64));
    for (const n of sizes) assert.deepEqual(decoded((await inputFile(bytesOf(n))).file_data), bytesOf(n), `${n}`);
    assert.equal(calls, sizes.length);
  });

  test('chunked btoa: exact, and the work per byte does not grow with the size', async (t) => {
    const saved = globalThis.Buffer;
    const btoa0 = globalThis.btoa;
    let calls = 0;
    let longest = 0;
    globalThis.btoa = (s) => { calls++; longest = Math.max(longest, s.length); return btoa0(s); };
    delete globalThis.Buffer;
    t.after(() => { globalThis.Buffer = saved; globalThis.btoa = btoa0; });
    const out = [];
    for (const n of sizes) out.push([n, (await inputFile(bytesOf(n))).file_data]);
    calls = 0;
    await inputFile(bytesOf(1 << 20));
    const n1 = calls;
    calls = 0;
    await inputFile(bytesOf(4 << 20));
    const n4 = calls;
    globalThis.Buffer = saved;
    globalThis.btoa = btoa0;
    for (const [n, url] of out) assert.deepEqual(decoded(url), bytesOf(n), `${n}`);
    assert.ok(longest <= 32 * 1024, `one btoa call took ${longest} characters`);
    assert.ok(n4 <= 4 * n1 + 1 && n4 >= 3.5 * n1, `btoa calls: ${n1} for 1 MiB, ${n4} for 4 MiB`);
  });
});
