// Browsers, web workers and bundlers (Vite dev server and build, webpack 5, esbuild, Rollup):
// the wasm ships inlined in this package (gzip + base64, about the size of the .wasm gzipped), so no
// bundler has to find, copy or serve a .wasm asset and no configuration is needed; top-level await
// instantiates it, so importers need no init call. Needs DecompressionStream (Chrome/Edge 80,
// Firefox 113, Safari 16.4). For a page that must not use top-level await, or to load the .wasm
// file from a URL instead, use the "cometapi-responses/web" entry and its `init()`.
import initWasm from './cometapi_responses.js';
import wasmGzipBase64 from './cometapi_responses_bg.inline.js';

async function inflate(base64) {
  const bin = atob(base64);
  const gz = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) gz[i] = bin.charCodeAt(i);
  const bytes = new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(bytes).arrayBuffer();
}

await initWasm({ module_or_path: await inflate(wasmGzipBase64) });

export * from './api.js';
/** No-op: this entry is ready on import. Kept for code written against the `web` entry. */
export async function init() {}
