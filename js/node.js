// Node ≥ 20 entry, also Bun and Deno (they match the "node" condition): the wasm ships inside this
// module (gzip + base64), so a server bundler — Next.js (webpack, Turbopack), SvelteKit
// adapter-node, esbuild or bun build for node — has no .wasm file to locate or copy. It is decoded,
// compiled and instantiated synchronously on import: no top-level await, so require() works too.
// first: the bundle holds the inline copy ahead of all its JS, which then compresses as one piece
import wasmGzipBase64 from './cometapi_responses_bg.inline.js';
import { Buffer } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { initSync } from './cometapi_responses.js';
import { named } from './shared.js';

initSync({ module: gunzipSync(Buffer.from(wasmGzipBase64, 'base64')) });

export * from './api.js';
/** No-op: the Node entry is ready on import. Kept so code written for browsers runs unchanged. */
export const init = /* @__PURE__ */ named('init', async function () {});
