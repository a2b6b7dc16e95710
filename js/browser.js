// Browsers, web workers and bundlers (Vite dev server and build, webpack 5, esbuild, Rollup, Next.js
// client components): the wasm ships inlined in this package (LZMA in a gzip member, base64: ~12 %
// less than the .wasm gzipped), so no bundler has to find, copy or serve a .wasm asset and no
// configuration is needed. It is decoded (js/unlzma.js, synchronous: no DecompressionStream),
// compiled and instantiated synchronously on import: no top-level await, so webpack does not warn and importers
// need no init call. Engines that refuse to compile a module this size synchronously on a page's
// main thread (Chrome and Edge before 115 allowed only 4 KB there) compile it asynchronously
// instead: there `await init()` before the first use. To load the .wasm file from a URL instead,
// use the "cometapi-responses/web" entry.
// first: the bundle holds the inline copy ahead of all its JS, which then compresses as one piece
import wasmBase64 from './cometapi_responses_bg.lzma.js';
import { __wbg_finalize_init, __wbg_get_imports } from './cometapi_responses.js';
import { named } from './shared.js';
import { unlzma } from './unlzma.js';

function base64Bytes(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

// instantiated here rather than by the glue's init functions, whose fetch and Response paths
// the bundle then leaves out
let ready;
const bytes = unlzma(base64Bytes(wasmBase64));
try {
  const module = new WebAssembly.Module(bytes);
  __wbg_finalize_init(new WebAssembly.Instance(module, __wbg_get_imports()), module);
} catch {
  ready = WebAssembly.instantiate(bytes, __wbg_get_imports()).then((r) => {
    __wbg_finalize_init(r.instance, r.module);
  });
}

export * from './api.js';
/** Resolves once the wasm is ready: at once where it compiled on import (every current engine). */
export const init = /* @__PURE__ */ named('init', function () {
  return ready ?? Promise.resolve();
});
