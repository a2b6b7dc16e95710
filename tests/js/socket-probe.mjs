// Imported before the package by tests/js/socket.test.mjs: keeps the wasm instance's memory (to
// measure what a socket keeps in it), and reads an object's private fields through the inspector.
import { Session } from 'node:inspector';

const Instance = WebAssembly.Instance;
/** The package's wasm memory, once its instance exists. */
export const wasm = { memory: null };
WebAssembly.Instance = new Proxy(Instance, {
  construct(target, args) {
    const instance = Reflect.construct(target, args);
    wasm.memory ??= instance.exports.memory ?? null;
    return instance;
  },
});

const session = new Session();
session.connect();
const post = (method, params) => {
  let out;
  session.post(method, params, (e, r) => {
    if (e) throw e;
    out = r;
  });
  return out;
};

/** The sizes of an object's private collections: `{ '#name': size }` for each Map, Set and Array field. */
export function privateSizes(obj) {
  globalThis.__probe = obj;
  const { result } = post('Runtime.evaluate', { expression: 'globalThis.__probe' });
  delete globalThis.__probe;
  const { privateProperties = [] } = post('Runtime.getProperties', { objectId: result.objectId, ownProperties: true });
  post('Runtime.releaseObject', { objectId: result.objectId });
  const sizes = {};
  for (const p of privateProperties) {
    const m = /^(?:Map|Set|Array)\((\d+)\)$/.exec(p.value?.description ?? '');
    if (m) sizes[p.name] = Number(m[1]);
  }
  return sizes;
}
