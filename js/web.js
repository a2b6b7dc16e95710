// Explicit-init entry ("cometapi-responses/web"): for pages that must not use top-level await.
// Call `await init()` (optionally with a URL, Response or bytes of the .wasm) before using the API.
import initWasm from './cometapi_responses.js';

let ready;
export function init(moduleOrPath) {
  ready ??= initWasm({
    module_or_path: moduleOrPath ?? new URL('./cometapi_responses_bg.wasm', import.meta.url),
  });
  return ready.then(() => undefined);
}

export * from './api.js';
