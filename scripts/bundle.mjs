// `make build`: one minified ES module per runtime entry (one request, one gzip stream), from
// build/pkg.src/ into DIR. The sources stay readable in js/; the .wasm and node: builtins stay
// external. Names are not kept (shared.js's `named` gives the public classes and functions
// theirs), and
//   - the glue's snake_case members (RawCall's take_pending, …: the wasm-bindgen classes js/
//     wraps, which no user meets) and Io's `lastError` and `sendBody`, none of which index.d.ts
//     names, are minified like local names (`_run` and `_open` keep the mark of an internal
//     method: code that lists a class's methods skips them);
//   - the calls a bundler may drop when their value is unused are marked pure again
//     (`/*@__PURE__*/`), which whitespace minification strips: `named` (each public class and
//     function) and the glue's FinalizationRegistry per class. So an app's bundler leaves out
//     what the app never reaches (a class's methods made from a table are made inside that call).
//   node scripts/bundle.mjs DIR
import { readFileSync, writeFileSync } from 'node:fs';
import { build, transform } from 'esbuild';

const dir = process.argv[2];
const src = 'build/pkg.src/';
const glue = readFileSync(`${src}cometapi_responses.js`, 'utf8');
const types = readFileSync('js/index.d.ts', 'utf8');
const members = new Set();
for (const [, body] of glue.matchAll(/^export class \w+ \{\n([\s\S]*?)^\}$/gm)) {
  for (const [, name] of body.matchAll(/^ {4}(?:static |get |set )?(\w*_\w*)\(/gm)) members.add(name);
}
const internal = [...members, '__wbg_ptr', 'lastError', 'sendBody', 'onSignal', 'listen'].filter((name) => !new RegExp(`\\b${name}\\b`).test(types));
if (internal.length < 10) throw new Error(`bundle.mjs: only ${internal.length} glue members to minify`);

for (const entry of ['node', 'browser', 'edge-light', 'workerd', 'web']) {
  const outfile = `${dir}/${entry}.js`;
  await build({
    entryPoints: [`${src}${entry}.js`],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    external: ['node:*', './cometapi_responses_bg.wasm', './cometapi_responses_bg.wasm?module'],
    mangleProps: new RegExp(`^(${internal.join('|')})$`),
    logLevel: 'warning',
  });
  let js = readFileSync(outfile, 'utf8');
  const named = /\b([\w$]+)=\(([\w$]+),([\w$]+),([\w$]+)\)=>\(\4\?\.\(\3\),Object\.defineProperty\(\3,"name",\{value:\2\}\)\)/.exec(js)?.[1];
  if (named === undefined) throw new Error(`bundle.mjs: no naming helper in ${outfile}`);
  // Each `named` call initialises a binding (`X=named("Name",…)`); a call of another function that
  // the minifier gave the same short name is not one, and fails the build rather than be marked.
  const callee = `${named.replace(/\$/g, '\\$')}\\("`;
  const call = `(?<![\\w$.])${callee}`;
  let n = 0;
  js = js.replace(new RegExp(`(?<==)${call}|new FinalizationRegistry\\(`, 'g'), (c) => {
    n++;
    return `/*@__PURE__*/${c}`;
  });
  const stray = new RegExp(`(?<!=|\\*/)${call}`).exec(js);
  if (stray) throw new Error(`bundle.mjs: a call of the naming helper that initialises no binding: ${js.slice(stray.index - 40, stray.index + 40)}`);
  if (n < 20) throw new Error(`bundle.mjs: only ${n} pure calls in ${outfile}`);
  if (entry === 'node') {
    // One statement a line where the runtime prints the source line of an uncaught error (Node,
    // Bun): that line, not the whole package (the inline wasm's literal a line of its own). The
    // names stay minified; the pure marks are kept (checked). The other entries keep long lines:
    // newlines cost gzip.
    const marked = (text) => text.match(new RegExp(`/\\*\\s*@__PURE__\\s*\\*/\\s*(${callee}|new FinalizationRegistry\\()`, 'g'))?.length ?? 0;
    js = (await transform(js, { format: 'esm', logLevel: 'warning' })).code;
    if (marked(js) !== n) throw new Error(`bundle.mjs: ${marked(js)} of ${n} pure calls kept in ${outfile}`);
  }
  writeFileSync(outfile, js);
}
