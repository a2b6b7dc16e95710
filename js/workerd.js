// Cloudflare Workers (workerd) entry: wrangler/miniflare import .wasm files as WebAssembly.Module.
import wasmModule from './cometapi_responses_bg.wasm';
import { initSync } from './cometapi_responses.js';

initSync({ module: wasmModule });

export * from './api.js';
// its name, which the package's minifier does not keep
Object.defineProperty(init, 'name', { value: 'init' });
/** No-op: the Workers entry is ready on import. */
export async function init() {}
