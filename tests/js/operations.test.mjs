// The core's table of operations (src/endpoint/operations.rs), read from the wasm, against the
// public API: js/index.d.ts declares a method for each operation and the client has it; every
// method the d.ts declares on the client's classes is an operation, or one of the few that are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ResponsesClient } from 'cometapi-responses';
import { initSync, operations } from '../../build/pkg.src/cometapi_responses.js';

const root = new URL('../../', import.meta.url);
initSync({ module: readFileSync(new URL('pkg/cometapi_responses_bg.wasm', root)) });
const dts = readFileSync(new URL('js/index.d.ts', root), 'utf8');
/** Methods that are not one operation: a loop of streams, a WebSocket connection. */
const NOT_OPERATIONS = ['runTools', 'connect'];

/** An exported class or interface of the d.ts: its methods, and its properties' types. */
function declared(name) {
  const body = dts.match(new RegExp(`^export (?:class|interface) ${name} \\{\\n([\\s\\S]*?)^\\}`, 'm'))?.[1];
  if (body === undefined) return undefined;
  const methods = new Set([...body.matchAll(/^ {2}(\w+)(?:<[^>]*>)?\(/gm)].map((m) => m[1]).filter((m) => m !== 'constructor'));
  return { methods, props: new Map([...body.matchAll(/^ {2}(?:readonly )?(\w+): (\w+);/gm)].map((m) => [m[1], m[2]])) };
}

/** Every method the d.ts declares on the client and the objects it holds, as `conversations.items.list`. */
function declaredMethods(name = 'ResponsesClient', prefix = '') {
  const d = declared(name);
  const own = [...d.methods].map((m) => prefix + m);
  const held = [...d.props].filter(([, type]) => declared(type)).flatMap(([p, type]) => declaredMethods(type, `${prefix}${p}.`));
  return [...own, ...held];
}

test('index.d.ts and the client have a method for each operation of the core, and no other', () => {
  const ops = operations();
  assert.ok(ops.length >= 20 && ops.includes('conversations.items.list'), ops.join());
  const client = new ResponsesClient({ apiKey: 'k' });
  for (const op of ops) {
    const path = op.split('.');
    const type = path.slice(0, -1).reduce((t, p) => declared(t)?.props.get(p), 'ResponsesClient');
    assert.ok(declared(type)?.methods.has(path.at(-1)), `index.d.ts declares no method for the operation ${op}`);
    const owner = path.slice(0, -1).reduce((o, p) => o[p], client);
    assert.equal(typeof owner[path.at(-1)], 'function', `the client has no method for the operation ${op}`);
  }
  const others = declaredMethods().filter((m) => !ops.includes(m));
  assert.deepEqual(others, NOT_OPERATIONS, 'methods of index.d.ts that are no operation of the core');
});
