// Images and files in a request's input (`input_image`, `input_file`): checked as the API
// checks them — a data: URL must be base64 of its MIME type (an image's bytes must be an image
// of a type the API reads), a file id must name an uploaded file — and described in words
// ("image/png, 1234 bytes, 2×2") so the answer shows that each one arrived intact. http(s) URLs
// are accepted and never fetched.

import { apiError, json } from './util.mjs';

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

/** The MIME type the first bytes announce (PNG, JPEG, GIF, WebP, PDF), or undefined. */
export function sniff(b) {
  const at = (sig, from = 0) => sig.every((x, i) => b[from + i] === x);
  if (at([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (at([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at([0x47, 0x49, 0x46, 0x38]) && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61) return 'image/gif';
  if (at([0x52, 0x49, 0x46, 0x46]) && at([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (at([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  return undefined;
}

/** [width, height] of a PNG (its IHDR) or a JPEG (its first SOFn), else undefined. */
export function dimensions(b) {
  const type = sniff(b);
  const u16 = (i) => (b[i] << 8) | b[i + 1];
  if (type === 'image/png' && b.length >= 24) {
    const u32 = (i) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
    return [u32(16), u32(20)];
  }
  if (type === 'image/jpeg') {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1];
      if (marker === 0xff) { i++; continue; }
      const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (sof) return [u16(i + 7), u16(i + 5)];
      i += 2 + u16(i + 2);
    }
  }
  return undefined;
}

/** A data: URL as {mime, bytes}, or null when it is not base64 data. */
export function parseDataUrl(url) {
  const m = /^data:([^,;]*)((?:;[^,;]*)*?);base64,/i.exec(url);
  if (!m) return null;
  const payload = url.slice(m[0].length).replace(/\s+/g, '');
  if (payload.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) return null;
  let bin;
  try { bin = atob(payload); } catch { return null; }
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return { mime: m[1].toLowerCase() || 'application/octet-stream', bytes };
}

/** "image/png, 1234 bytes, 2×2" (the size only for PNG and JPEG). */
export function describeBytes(mime, bytes) {
  const dims = dimensions(bytes);
  return `${mime}, ${bytes.length} bytes${dims ? `, ${dims[0]}×${dims[1]}` : ''}`;
}

class Refusal extends Error {
  constructor(response) { super('refused'); this.response = response; }
}
const invalid = (message, param, code = 'invalid_value', status = 400) =>
  new Refusal(json(status, apiError(message, { param, code })));

/**
 * Check every `input_image` / `input_file` part of `input` (the request's raw items) and describe
 * each: {attachments: [{kind, text, bytes?, mime?, filename?}]} or {error: Response}.
 * @param {unknown[]} input
 * @param {{get(id: string): object|undefined}} files the uploaded files
 */
export function checkAttachments(input, files) {
  const attachments = [];
  if (!Array.isArray(input)) return { attachments };
  try {
    input.forEach((item, i) => {
      if (!Array.isArray(item?.content)) return;
      item.content.forEach((part, j) => {
        const p = `input[${i}].content[${j}]`;
        if (part?.type === 'input_image') attachments.push(image(part, p, files));
        else if (part?.type === 'input_file') attachments.push(file(part, p, files));
      });
    });
  } catch (e) {
    if (e instanceof Refusal) return { error: e.response };
    throw e;
  }
  return { attachments };
}

function stored(id, p, files) {
  if (typeof id !== 'string') throw invalid(`Invalid type for '${p}.file_id': expected a string, but got ${typeof id} instead.`, `${p}.file_id`, 'invalid_type');
  const f = files.get(id);
  if (!f) throw invalid(`No such File object: ${id}`, `${p}.file_id`, null, 404);
  return f;
}

function image(part, p, files) {
  if (part.file_id != null) {
    const f = stored(part.file_id, p, files);
    const mime = sniff(f.data) ?? 'application/octet-stream';
    if (!IMAGE_TYPES.includes(mime)) throw invalid(`The file ${f.id} is not an image. Supported image formats: ${IMAGE_TYPES.join(', ')}.`, `${p}.file_id`, 'invalid_image_format');
    return { kind: 'image', text: `${f.filename} (${describeBytes(mime, f.data)})`, mime, bytes: f.data };
  }
  const url = part.image_url;
  if (typeof url !== 'string') {
    throw invalid(`Missing required parameter: '${p}.image_url' (or '${p}.file_id').`, `${p}.image_url`, 'missing_required_parameter');
  }
  if (/^https?:\/\//i.test(url)) return { kind: 'image', text: `an image at ${url}` };
  const data = url.startsWith('data:') ? parseDataUrl(url) : null;
  if (!data || !data.mime.startsWith('image/')) {
    throw invalid(`Invalid '${p}.image_url'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got an invalid value.`, `${p}.image_url`);
  }
  const actual = sniff(data.bytes);
  if (!IMAGE_TYPES.includes(actual)) {
    throw invalid(`The image data you provided does not represent a valid image. Please check your input and try again with one of the supported image formats: ${IMAGE_TYPES.map((t) => `'${t}'`).join(', ')}.`, `${p}.image_url`, 'invalid_image_format');
  }
  return { kind: 'image', text: describeBytes(data.mime, data.bytes), mime: data.mime, bytes: data.bytes };
}

function file(part, p, files) {
  if (part.file_id != null) {
    const f = stored(part.file_id, p, files);
    const mime = sniff(f.data) ?? 'application/octet-stream';
    return { kind: 'file', text: `${f.filename} (${describeBytes(mime, f.data)})`, filename: f.filename, mime, bytes: f.data };
  }
  if (typeof part.file_url === 'string') {
    if (!/^https?:\/\//i.test(part.file_url)) throw invalid(`Invalid '${p}.file_url': expected an http(s) URL.`, `${p}.file_url`);
    return { kind: 'file', text: `a file at ${part.file_url}` };
  }
  if (typeof part.file_data !== 'string') {
    throw invalid(`Missing required parameter: '${p}.file_data' (or '${p}.file_id', '${p}.file_url').`, `${p}.file_data`, 'missing_required_parameter');
  }
  const data = parseDataUrl(part.file_data);
  if (!data) {
    throw invalid(`Invalid '${p}.file_data'. Expected a base64-encoded data URL (e.g. 'data:application/pdf;base64,…'), but got an invalid value.`, `${p}.file_data`);
  }
  const filename = typeof part.filename === 'string' ? part.filename : 'file';
  return { kind: 'file', text: `${filename} (${describeBytes(data.mime, data.bytes)})`, filename, mime: data.mime, bytes: data.bytes };
}
