// Where "ours" comes from: the built package (pkg/, via node_modules/cometapi-responses), or,
// with BENCH_PKG=<dir>, another build of the package laid out like pkg/ (its node.js entry).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const OURS_SPEC = process.env.BENCH_PKG ? pathToFileURL(resolve(process.env.BENCH_PKG, 'node.js')).href : 'cometapi-responses';
export const importOurs = () => import(OURS_SPEC);
