// The Files API of the mock: POST /files (multipart/form-data: `file`, `purpose`), GET /files
// (a list: purpose, limit, after, order), GET /files/{id}, DELETE /files/{id}, GET
// /files/{id}/content. Files live in memory, bounded in count and bytes (the oldest go first).

import { apiError, json, newId, nowSeconds } from './util.mjs';
import { validateListQuery } from './validate.mjs';

const MiB = 1024 * 1024;

export class FileStore {
  /** @param {{max?: number, maxBytes?: number}} [o] */
  constructor({ max = 1000, maxBytes = 64 * MiB } = {}) {
    this.max = max;
    this.maxBytes = maxBytes;
    this.bytes = 0;
    /** @type {Map<string, {id: string, filename: string, purpose: string, created_at: number, data: Uint8Array, type: string}>} */
    this.files = new Map();
  }

  get(id) { return this.files.get(id); }

  add({ filename, purpose, data, type }) {
    const f = { id: `file-${newId('f', 22).slice(2)}`, filename, purpose, created_at: nowSeconds(), data, type };
    this.files.set(f.id, f);
    this.bytes += data.length;
    while ((this.files.size > this.max || this.bytes > this.maxBytes) && this.files.size > 1) {
      const [oldest] = this.files.values();
      this.delete(oldest.id);
    }
    return f;
  }

  delete(id) {
    const f = this.files.get(id);
    if (!f) return false;
    this.bytes -= f.data.length;
    this.files.delete(id);
    return true;
  }
}

/** The File object as the API shows it. */
export function fileObject(f) {
  return {
    id: f.id, object: 'file', bytes: f.data.length, created_at: f.created_at, expires_at: null,
    filename: f.filename, purpose: f.purpose, status: 'processed', status_details: null,
  };
}

const notFound = (id) => json(404, apiError(`No such File object: ${id}`, { param: 'id' }));

/** The Files routes; null when the path is not theirs. */
export async function fileRoutes(files, ctx) {
  const m = /^\/files(?:\/([^/]+)(\/content)?)?\/?$/.exec(ctx.path);
  if (!m) return null;
  const { method } = ctx;
  if (!m[1]) {
    if (method === 'POST') return upload(files, ctx);
    if (method === 'GET') return list(files, ctx.query);
    return null;
  }
  let id;
  try { id = decodeURIComponent(m[1]); } catch { id = m[1]; }
  const f = files.get(id);
  if (m[2]) {
    if (method !== 'GET') return null;
    if (!f) return notFound(id);
    return new Response(f.data, {
      status: 200,
      headers: { 'content-type': f.type || 'application/octet-stream', 'content-length': String(f.data.length) },
    });
  }
  if (method === 'GET') return f ? json(200, fileObject(f)) : notFound(id);
  if (method === 'DELETE') {
    if (!files.delete(id)) return notFound(id);
    return json(200, { id, object: 'file', deleted: true });
  }
  return null;
}

async function upload(files, ctx) {
  const type = ctx.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    return json(400, apiError("Invalid content type: expected 'multipart/form-data' with the fields 'file' and 'purpose'.", { code: 'invalid_request' }));
  }
  let form;
  try {
    form = await new Response(ctx.body, { headers: { 'content-type': type } }).formData();
  } catch {
    return json(400, apiError('Could not parse the multipart/form-data body.', { code: 'invalid_request' }));
  }
  const file = form.get('file');
  const purpose = form.get('purpose');
  if (file === null || typeof file === 'string') {
    return json(400, apiError("Missing required parameter: 'file'.", { param: 'file', code: 'missing_required_parameter' }));
  }
  if (typeof purpose !== 'string' || purpose === '') {
    return json(400, apiError("Missing required parameter: 'purpose'.", { param: 'purpose', code: 'missing_required_parameter' }));
  }
  const data = new Uint8Array(await file.arrayBuffer());
  const f = files.add({ filename: file.name || 'file', purpose, data, type: file.type });
  return json(200, fileObject(f));
}

function list(files, query) {
  const invalid = validateListQuery(query, { maxLimit: 10000 });
  if (invalid) return json(400, invalid);
  const order = query.get('order') ?? 'desc';
  const limit = query.has('limit') ? Number(query.get('limit')) : 10000;
  const purpose = query.get('purpose');
  let all = [...files.files.values()].filter((f) => !purpose || f.purpose === purpose);
  if (order === 'desc') all.reverse();
  const after = query.get('after');
  if (after) {
    const i = all.findIndex((f) => f.id === after);
    all = i < 0 ? [] : all.slice(i + 1);
  }
  const data = all.slice(0, limit).map(fileObject);
  return json(200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: all.length > limit });
}
