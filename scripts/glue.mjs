// `make build`: trims the wasm-bindgen glue (run after scripts/minify-names.mjs). Fails when a
// pattern is not found, so that a new wasm-bindgen that writes the glue otherwise is noticed.
//   - the enums are plain objects mapping names to numbers (js/ reads only these, and a bundler
//     sees an object literal is free to leave out);
//   - free() lets go of the pointer itself (no other method consumes the object);
//   - the Raw* classes get no Symbol.dispose (js/ wraps them; only its own classes are
//     disposable): a top-level statement per class that would keep every class in an app's bundle;
//   - a string returned by the wasm is read and freed by one helper (`takeString`,
//     `takeOptionalString`), not by the same lines in every method;
//   - every string is passed with the same allocator: passStringToWasm0 takes it from `wasm`, and
//     its path for no realloc (never taken) goes; TextEncoder.encodeInto is everywhere we run;
//   - a value given for a string parameter that is not a string (or null/undefined where it is not an
//     Option) throws in passStringToWasm0 as before, but the strings passed before it are no
//     longer freed: after the first argument js/ passes only strings it made itself, or values it
//     checked first (a custom fetch's headers, io.js's reportHeaders).
//   node scripts/glue.mjs GLUE_JS
import { readFileSync, writeFileSync } from 'node:fs';

const path = process.argv[2];
let glue = readFileSync(path, 'utf8');
const edit = (re, to, what) => {
  const next = glue.replace(re, to);
  if (next === glue) throw new Error(`glue.mjs: ${what} not found in ${path}`);
  glue = next;
};
edit(/(\w+: \d+), "\d+": "\w+",/g, '$1,', 'an enum');
edit(/= Object\.freeze\((\{\n(?:.*\n)*?\})\);/g, '= $1;', 'an enum');
edit(
  / {4}__destroy_into_raw\(\) \{\n(\s+const ptr = this\.__wbg_ptr;\n\s+this\.__wbg_ptr = 0;\n\s+\w+\.unregister\(this\);\n)\s+return ptr;\n\s+\}\n\s+free\(\) \{\n\s+const ptr = this\.__destroy_into_raw\(\);\n/g,
  '    free() {\n$1',
  'a free()',
);
if (glue.includes('__destroy_into_raw')) throw new Error(`glue.mjs: a method consumes its object in ${path}`);
edit(/^if \(Symbol\.dispose\) \w+\.prototype\[Symbol\.dispose\] = \w+\.prototype\.free;\n/gm, '', 'a Symbol.dispose');

const free = /wasm\.([\w$]+)\(deferred1_0, deferred1_1, 1\)/.exec(glue)?.[1];
const [, malloc, realloc] = /passStringToWasm0\(\w+, wasm\.([\w$]+), wasm\.([\w$]+)\)/.exec(glue) ?? [];
if (!free || !malloc) throw new Error(`glue.mjs: no free or malloc export in ${path}`);
edit(
  /let (v\d+);\n\s+if \(ret\[0\] !== 0\) \{\n\s+\1 = getStringFromWasm0\(ret\[0\], ret\[1\]\);\n\s+wasm\.[\w$]+\(ret\[0\], ret\[1\] \* 1, 1\);\n\s+\}\n(\s+)return \1;/g,
  'return takeOptionalString(ret);',
  'an optional string result',
);
edit(
  /let (deferred\d+_0);\n\s+let (deferred\d+_1);\n\s+try \{\n((?:.*\n)*?)\s+const ret = (wasm\.[^;]+);\n\s+\1 = ret\[0\];\n\s+\2 = ret\[1\];\n\s+return getStringFromWasm0\(ret\[0\], ret\[1\]\);\n\s+\} finally \{\n\s+wasm\.[\w$]+\(\1, \2, 1\);\n\s+\}/g,
  '$3        return takeString($4);',
  'a string result',
);
edit(/passStringToWasm0\((\w+), wasm\.[\w$]+, wasm\.[\w$]+\)/g, 'passStringToWasm0($1)', 'a string argument');
edit(
  /function passStringToWasm0\(arg, malloc, realloc\) \{\n\s+if \(realloc === undefined\) \{\n(?:.*\n)*?    \}\n/,
  `function passStringToWasm0(arg) {\n    const malloc = wasm.${malloc}, realloc = wasm.${realloc};\n`,
  'passStringToWasm0',
);
edit(
  /try \{\n((?:.*\n)*?)\s+\} catch \(e\) \{\n(?:\s+if \(ptr\d+\) \{ wasm\.[\w$]+\(ptr\d+, len\d+ \* 1, 1\); \}\n)+\s+throw e;\n\s+\}\n/g,
  '$1',
  'the clean-up of strings passed before one that throws',
);
edit(/\nif \(!\('encodeInto' in cachedTextEncoder\)\) \{\n(?:.*\n)*?\}\n/, '\n', 'the encodeInto fallback');
glue += `
function takeString(ret) {
    try {
        return getStringFromWasm0(ret[0], ret[1]);
    } finally {
        wasm.${free}(ret[0], ret[1], 1);
    }
}

function takeOptionalString(ret) {
    return ret[0] === 0 ? undefined : takeString(ret);
}
`;
writeFileSync(path, glue);
