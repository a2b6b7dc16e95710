// `make build`: trims the wasm-bindgen glue. The Raw* classes get no Symbol.dispose (js/ wraps
// them; only its own classes are disposable): a top-level statement per class that would keep
// every class in an app's bundle. Fails when a pattern is not found.
//   node scripts/glue.mjs GLUE_JS
import { readFileSync, writeFileSync } from 'node:fs';

const path = process.argv[2];
let glue = readFileSync(path, 'utf8');
const edit = (re, to, what) => {
  const next = glue.replace(re, to);
  if (next === glue) throw new Error(`glue.mjs: ${what} not found in ${path}`);
  glue = next;
};
edit(/^if \(Symbol\.dispose\) \w+\.prototype\[Symbol\.dispose\] = \w+\.prototype\.free;\n/gm, '', 'a Symbol.dispose');
writeFileSync(path, glue);
