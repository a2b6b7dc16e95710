// client.files: the Files API. The core builds each request (URL, id rules, headers, the list
// query) and decides every answer; an upload's multipart body is the platform's FormData, which
// sets its own boundary and streams a Blob without copying it into wasm memory (src/endpoint/operations.rs).
import { describe, isBlob } from './input.js';
import { ValidationError } from './errors.js';
import { named } from './shared.js';

/** The Files API of a client. */
export const Files = /* @__PURE__ */ named('Files', class Files {
  #client;

  constructor(client) {
    this.#client = client;
  }

  /** POST /files (multipart/form-data) → the File object. */
  async create(params, opts) {
    if (typeof params !== 'object' || params === null) throw new TypeError('params must be an object');
    const { purpose, file, filename } = params;
    if (typeof purpose !== 'string') throw new TypeError('purpose must be a string');
    let blob = file;
    if (!isBlob(file)) {
      if (!(file instanceof ArrayBuffer || ArrayBuffer.isView(file))) {
        throw new ValidationError('file must be a Blob, File, ArrayBuffer or ArrayBufferView', { param: 'file' });
      }
      blob = new Blob([file]);
    }
    if (filename !== undefined && typeof filename !== 'string') throw new TypeError('filename must be a string');
    // The MIME type (the Blob's, else sniffed from its first bytes) and the filename (a File's
    // name, else `filename`, else `file.<ext>`).
    const head = new Uint8Array(await blob.slice(0, 16).arrayBuffer());
    const [type, name] = describe(false, blob.size, { param: 'file', filename, maxBytes: Infinity }, blob.type, typeof blob.name === 'string' ? blob.name : undefined, head);
    const form = new FormData();
    form.append('purpose', purpose);
    form.append('file', blob.type ? blob : new Blob([blob], { type }), name);
    return this.#client._run('files.create', [], { purpose }, opts, form);
  }

  /** GET /files/{id} → the File object. */
  retrieve(id, opts) {
    return this.#client._run('files.retrieve', [id], undefined, opts);
  }

  /** GET /files ({ purpose?, limit?, after?, order? }) → { object: 'list', data, first_id, last_id, has_more }. */
  list(opts) {
    return this.#client._run('files.list', [], undefined, opts);
  }

  /** DELETE /files/{id} → { id, object: 'file', deleted: true }. */
  delete(id, opts) {
    return this.#client._run('files.delete', [id], undefined, opts);
  }

  /** GET /files/{id}/content → the HTTP Response (its body unread: `.arrayBuffer()`, `.blob()`, `.body`). */
  content(id, opts) {
    return this.#client._run('files.content', [id], undefined, opts);
  }
});
