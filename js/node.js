// Node ≥ 20 entry: instantiates the wasm synchronously from the file beside this one.
import { readFileSync } from 'node:fs';
import { initSync } from './cometapi_responses.js';

initSync({ module: readFileSync(new URL('./cometapi_responses_bg.wasm', import.meta.url)) });

export * from './api.js';
/** No-op: the Node entry is ready on import. Kept so code written for browsers runs unchanged. */
export async function init() {}
