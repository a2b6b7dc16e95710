// Explicit-init entry ("cometapi-responses/web"), for pages that must not use top-level await or
// that want the .wasm as a separate, separately cached file. Call `await init()` once before using
// the API; by default it fetches cometapi_responses_bg.wasm from beside this file (compiled while
// it downloads). Pass a URL or string, a Response or a Promise of one, bytes, or a
// WebAssembly.Module to load it from elsewhere. Calling it again returns the same promise.
import initWasm from './cometapi_responses.js';
import { named, setUnready } from './shared.js';

setUnready(() => {
  throw new Error('cometapi-responses/web: call `await init()` before using the API');
});
let ready;
export const init = /* @__PURE__ */ named('init', function (moduleOrPath) {
  ready ??= initWasm({
    module_or_path: moduleOrPath ?? new URL('./cometapi_responses_bg.wasm', import.meta.url),
  }).then(
    () => setUnready(),
    (e) => {
      ready = undefined; // a failed attempt (network, wrong URL) may be retried
      throw e;
    },
  );
  return ready;
});

export * from './api.js';
