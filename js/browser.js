// Browsers and bundlers (Vite, esbuild, webpack 5): top-level await fetches and instantiates the
// wasm next to this file, so importers need no init call.
import initWasm from './cometapi_responses.js';

await initWasm({ module_or_path: new URL('./cometapi_responses_bg.wasm', import.meta.url) });

export * from './api.js';
/** No-op: this entry is ready on import. Kept for code written against the `web` entry. */
export async function init() {}
