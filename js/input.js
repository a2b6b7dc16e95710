// inputImage / inputFile: a Blob, File, bytes, URL or file id as an `input_image` / `input_file`
// content part. What an attachment is (its MIME type from the declared type or the first bytes,
// its filename, the size limit) follows the rules of src/input.rs, which the Rust API uses; they
// are kept here too, in JS, because exporting them from the wasm costs 1.8 KiB gzip of wasm for
// some twenty lines of rules (docs/architecture.md, "Attachments"). Both are tested against one
// table (tests/fixtures/attachments.json). The payload is encoded here with the platform's fastest
// encoder, so a large file is never copied into wasm memory.
import { ValidationError } from './errors.js';
import { isObject, named, optionsOf } from './shared.js';

const MiB = 1024 * 1024;
const DEFAULT_MAX_BYTES = 50 * MiB;
const SNIFF_BYTES = 16;
// A multiple of 3 (so the base64 of each slice joins without padding) near 32 KiB: small enough
// for String.fromCharCode's argument list, large enough that the per-slice cost vanishes.
const SLICE = 3 * 10922;

export const isBlob = (v) => isObject(v) && typeof v.arrayBuffer === 'function' && typeof v.slice === 'function' && typeof v.size === 'number';

/** Standard base64 of bytes: `Uint8Array.prototype.toBase64` where present, else `Buffer`, else chunked `btoa`. */
function base64Of(bytes) {
  if (typeof bytes.toBase64 === 'function') return bytes.toBase64();
  const B = globalThis.Buffer;
  if (typeof B?.from === 'function') return B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const parts = [];
  for (let i = 0; i < bytes.length; i += SLICE) {
    parts.push(btoa(String.fromCharCode.apply(null, bytes.subarray(i, i + SLICE))));
  }
  return parts.join('');
}

/** The bytes of an ArrayBuffer or any ArrayBufferView, without copying; undefined for anything else. */
function bytesOf(source) {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && source instanceof SharedArrayBuffer)) {
    return new Uint8Array(source);
  }
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return undefined;
}

/** The first bytes of a base64 payload (for sniffing), or an empty array when it is not base64. */
function headOfBase64(payload) {
  try {
    const s = atob(payload.slice(0, 24).replace(/=+$/, ''));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  } catch {
    return new Uint8Array(0);
  }
}

function options(opts, param) {
  opts = optionsOf(opts);
  for (const k of ['detail', 'mimeType', 'filename']) {
    if (opts[k] !== undefined && typeof opts[k] !== 'string') throw new TypeError(`options.${k} must be a string`);
  }
  const m = opts.maxBytes;
  if (m !== undefined && !(typeof m === 'number' && m >= 0 && !Number.isNaN(m))) {
    throw new TypeError(`options.maxBytes must be a non-negative number, got ${String(m)}`);
  }
  return { ...opts, param };
}

/** The MIME type the first bytes announce (PNG, JPEG, GIF, WebP, PDF), as `sniff` in src/input.rs. */
function sniff(h) {
  const at = (bytes, from = 0) => bytes.every((b, i) => h[from + i] === b);
  if (at([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (at([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at([0x47, 0x49, 0x46, 0x38]) && (h[4] === 0x37 || h[4] === 0x39) && h[5] === 0x61) return 'image/gif';
  if (at([0x52, 0x49, 0x46, 0x46]) && at([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (at([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  return undefined;
}

const EXTENSIONS = {
  'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'application/pdf': 'pdf',
  'text/plain': 'txt', 'text/csv': 'csv', 'text/markdown': 'md', 'application/json': 'json',
};
const said = (v) => {
  const t = typeof v === 'string' ? v.trim() : '';
  return t === '' || t.toLowerCase() === 'application/octet-stream' ? undefined : t;
};

/** [mime, filename] by the rules of `attachment` in src/input.rs, or their ValidationError. */
function checkSize(size, o) {
  const max = o.maxBytes ?? DEFAULT_MAX_BYTES;
  if (size > max) throw new ValidationError(`the ${o.param} is ${size} bytes, more than maxBytes (${max})`, { param: o.param });
}

/**
 * A file's [mime, filename, declared]: the type declared (the source's, else `mimeType`), else
 * sniffed; its name, else `filename`, else `file.<ext>`. files.create needs no more (an image's
 * rules are `attachment`'s).
 */
export function describe(size, o, sourceType, sourceName, head) {
  checkSize(size, o);
  const declared = said(sourceType) ?? said(o.mimeType);
  const mime = declared ?? sniff(head) ?? 'application/octet-stream';
  const ext = EXTENSIONS[mime.split(';')[0].trim().toLowerCase()] ?? 'bin';
  return [mime, sourceName || o.filename || `file.${ext}`, declared];
}

/** [mime, filename] of an image (its type declared or sniffed must be image/*; no filename) or a file. */
function attachment(image, ...args) {
  const [mime, filename, declared] = describe(...args);
  if (!image) return [mime, filename];
  if (!mime.toLowerCase().startsWith('image/')) {
    const why = declared === undefined ? 'the bytes are not a PNG, JPEG, GIF or WebP image (give `mimeType` for another image type)' : `'${mime}' is not an image type`;
    throw new ValidationError(why, { param: args[1].param });
  }
  return [mime, undefined];
}

/** "an image", "a file". */
const article = (what) => `${what === 'image' ? 'an' : 'a'} ${what}`;

/**
 * The attachment as `{ kind, value }`: kind `url` (an http(s) URL given as is, or a data: URL,
 * its type set to the one found when it declared none), `id` (a file id), or `data` (a data:
 * URL built from bytes); `filename` for files.
 */
async function resolve(source, image, o) {
  const param = o.param;
  if (isObject(source) && !isBlob(source) && !bytesOf(source) && 'fileId' in source) {
    if (typeof source.fileId !== 'string' || source.fileId === '') throw new ValidationError('fileId must be a non-empty string', { param });
    return { kind: 'id', value: source.fileId };
  }
  if (typeof source === 'string') {
    const data = /^data:([^,]*?)(;base64)?,/i.exec(source);
    if (data) {
      const payload = source.slice(data[0].length);
      // The decoded size, from the length alone: 3 bytes per 4 characters, less the padding.
      const size = data[2] ? Math.floor((payload.length * 3) / 4) - (payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0) : payload.length;
      const params = data[1].split(';');
      const [mime, filename] = attachment(image, size, o, params[0], undefined, data[2] ? headOfBase64(payload) : new Uint8Array(0));
      if (mime === params[0] || mime === 'application/octet-stream') return { kind: 'url', value: source, data: true, filename };
      // It said no type (or application/octet-stream): the URL says the one found, as the server reads it.
      params[0] = mime;
      return { kind: 'url', value: `data:${params.join(';')}${data[2] ?? ''},${payload}`, data: true, filename };
    }
    if (/^https?:\/\//i.test(source)) return { kind: 'url', value: source };
    throw new ValidationError(`${article(param)} string must be an http(s) URL or a data: URL`, { param });
  }
  if (isBlob(source)) {
    checkSize(source.size, o); // from the size alone, before any byte is read
    const head = new Uint8Array(await source.slice(0, SNIFF_BYTES).arrayBuffer());
    const [mime, filename] = attachment(image, source.size, o, source.type, typeof source.name === 'string' ? source.name : undefined, head);
    const bytes = new Uint8Array(await source.arrayBuffer());
    return { kind: 'data', value: `data:${mime};base64,${base64Of(bytes)}`, filename };
  }
  const bytes = bytesOf(source);
  if (bytes) {
    const [mime, filename] = attachment(image, bytes.byteLength, o, undefined, undefined, bytes.subarray(0, SNIFF_BYTES));
    return { kind: 'data', value: `data:${mime};base64,${base64Of(bytes)}`, filename };
  }
  throw new ValidationError(`${article(param)} must be a Blob, File, ArrayBuffer, ArrayBufferView, URL string or { fileId }`, { param });
}

/**
 * An `input_image` content part: `{ type, image_url, detail }` (a data: URL for bytes and Blobs,
 * the URL as given) or `{ type, file_id, detail }`.
 */
export const inputImage = /* @__PURE__ */ named('inputImage', async function (source, opts) {
  const o = options(opts, 'image');
  const detail = o.detail ?? 'auto';
  const a = await resolve(source, true, o);
  if (a.kind === 'id') return { type: 'input_image', file_id: a.value, detail };
  return { type: 'input_image', image_url: a.value, detail };
});

/**
 * An `input_file` content part: `{ type, filename, file_data }` (a data: URL), `{ type, file_url }`
 * or `{ type, file_id }` (these two with `filename` when the options give one).
 */
export const inputFile = /* @__PURE__ */ named('inputFile', async function (source, opts) {
  const o = options(opts, 'file');
  const a = await resolve(source, false, o);
  const name = o.filename === undefined ? {} : { filename: o.filename };
  if (a.kind === 'id') return { type: 'input_file', file_id: a.value, ...name };
  if (a.kind === 'url' && !a.data) return { type: 'input_file', file_url: a.value, ...name };
  return { type: 'input_file', filename: a.filename, file_data: a.value };
});
