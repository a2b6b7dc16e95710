// Cloudflare Workers (workerd) entry: wrangler/miniflare import .wasm files as WebAssembly.Module.
import wasmModule from './cometapi_responses_bg.wasm';
import { initSync } from './cometapi_responses.js';
import { named } from './shared.js';

initSync({ module: wasmModule });

export * from './api.js';
/** No-op: the Workers entry is ready on import. */
export const init = /* @__PURE__ */ named('init', async function () {});
