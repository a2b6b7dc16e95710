// Static files from a directory, for the mock's `/pkg/*` (the built npm package, for pages in tests)
// and the dev server's pages (www/server.mjs). GET/HEAD only, correct content types, no caching (dev), and
// no way out of the served directory (checked on the decoded, resolved path, and again
// on the real path: a symlink inside the directory that points outside it is not followed).

import { createReadStream } from 'node:fs';
import { stat, realpath } from 'node:fs/promises';
import { resolve, sep, extname, join } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export function contentType(file) {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function plain(res, status, text, headers = {}) {
  res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Serve `rawPath` (the URL path, still percent-encoded, without the query) from `dir`.
 * @returns {Promise<void>}
 */
export async function serveStatic(req, res, dir, rawPath) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return plain(res, 405, 'Method Not Allowed\n', { allow: 'GET, HEAD, OPTIONS' });
  }
  let rel;
  try {
    rel = decodeURIComponent(rawPath);
  } catch {
    return plain(res, 400, 'Bad Request\n');
  }
  if (rel.includes('\0')) return plain(res, 400, 'Bad Request\n');
  const root = resolve(dir);
  let file = resolve(root, '.' + (rel.startsWith('/') ? rel : '/' + rel).replace(/\\/g, '/'));
  if (file !== root && !file.startsWith(root + sep)) return plain(res, 403, 'Forbidden\n');
  let st;
  try {
    st = await stat(file);
    if (st.isDirectory()) {
      file = join(file, 'index.html');
      st = await stat(file);
    }
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    if (realFile !== realRoot && !realFile.startsWith(realRoot + sep)) return plain(res, 403, 'Forbidden\n');
    file = realFile;
  } catch {
    return plain(res, 404, 'Not Found\n');
  }
  if (!st.isFile()) return plain(res, 404, 'Not Found\n');
  res.writeHead(200, {
    'content-type': contentType(file),
    'content-length': st.size,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end();
  await new Promise((done) => {
    const s = createReadStream(file);
    s.on('error', () => { res.destroy(); done(); });
    s.on('end', done);
    s.pipe(res);
  });
}
