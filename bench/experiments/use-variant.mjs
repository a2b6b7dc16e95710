// Runs any script or test against a variant package instead of pkg/:
//   BENCH_PKG=build/bench/variants/<name>/pkg node --import ./bench/experiments/use-variant.mjs --test tests/js/
// (a resolve hook maps the specifier 'cometapi-responses' to the variant's node.js entry).
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

if (!process.env.BENCH_PKG) throw new Error('set BENCH_PKG to a variant pkg directory');
const target = pathToFileURL(resolve(process.env.BENCH_PKG, 'node.js')).href;
const hook = `export async function resolve(specifier, context, next) {
  if (specifier === 'cometapi-responses') return { url: ${JSON.stringify(target)}, shortCircuit: true };
  return next(specifier, context);
}`;
register('data:text/javascript,' + encodeURIComponent(hook));
