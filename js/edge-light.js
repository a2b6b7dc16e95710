// Vercel Edge and Next.js `export const runtime = 'edge'` (the "edge-light" condition): these
// runtimes forbid compiling WebAssembly from bytes, so the .wasm is imported as a module
// (`?module`, which Next.js and Vercel turn into a WebAssembly.Module). That module may come from
// another realm (Next.js compiles it outside the sandbox), where `instanceof WebAssembly.Module`
// is false although it instantiates fine: it goes straight to `new WebAssembly.Instance`, with no
// class check that would try to compile it again.
import wasmModule from './cometapi_responses_bg.wasm?module';
import { __wbg_finalize_init, __wbg_get_imports } from './cometapi_responses.js';
import { named } from './shared.js';

__wbg_finalize_init(new WebAssembly.Instance(wasmModule, __wbg_get_imports()), wasmModule);

export * from './api.js';
/** No-op: the edge entry is ready on import. */
export const init = /* @__PURE__ */ named('init', async function () {});
