// `make build`, after esbuild --minify of each entry: marks again as pure (`/*@__PURE__*/`) the
// calls whose annotation the minifier drops (whitespace minification removes every comment), so
// that an app's bundler leaves out the classes, functions and enums it never reaches: errors.js's
// `named` (each public class and function), the glue's enums (Object.freeze) and its
// FinalizationRegistry per class. Fails when the output has none of them.
//   node scripts/pure.mjs ENTRY_JS…
import { readFileSync, writeFileSync } from 'node:fs';

for (const path of process.argv.slice(2)) {
  let js = readFileSync(path, 'utf8');
  const named = /\b([\w$]+)=\(([\w$]+),([\w$]+)\)=>Object\.defineProperty\(\3,"name",\{value:\2\}\)/.exec(js)?.[1];
  if (named === undefined) throw new Error(`pure.mjs: no naming helper in ${path}`);
  const esc = named.replace(/\$/g, '\\$');
  let n = 0;
  js = js.replace(new RegExp(`(?<![\\w$.])(${esc}\\("|Object\\.freeze\\(|new FinalizationRegistry\\()`, 'g'), (call) => {
    n++;
    return `/*@__PURE__*/${call}`;
  });
  if (n < 3) throw new Error(`pure.mjs: only ${n} pure calls in ${path}`);
  writeFileSync(path, js);
}
