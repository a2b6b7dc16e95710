// Where "ours" comes from: the built package (pkg/, via node_modules/cometapi-responses), or,
// with BENCH_PKG=<dir>, another build of the package laid out like pkg/ (its node.js entry).
// Bundles (size, edge) resolve 'cometapi-responses' from build/bench/ours/, whose node_modules
// links to the same directory, so that the package's own `exports` conditions apply.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OURS_DIR = resolve(process.env.BENCH_PKG ?? join(ROOT, 'pkg'));
export const OURS_SPEC = process.env.BENCH_PKG ? pathToFileURL(join(OURS_DIR, 'node.js')).href : 'cometapi-responses';
export const importOurs = () => import(OURS_SPEC);

/** A directory from which 'cometapi-responses' resolves to OURS_DIR (for esbuild's resolveDir). */
export function oursResolveDir() {
  const dir = join(ROOT, 'build', 'bench', 'ours');
  const link = join(dir, 'node_modules', 'cometapi-responses');
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  rmSync(link, { force: true, recursive: false });
  symlinkSync(OURS_DIR, link, 'dir');
  return dir;
}

/**
 * An esbuild plugin resolving the bare specifiers in `from` (name → directory) as if imported
 * from that directory: the package's `exports` and the build's conditions apply, whatever
 * node_modules lie nearer to the importer.
 */
export function resolveFrom(from) {
  const names = Object.keys(from).map((n) => n.replace(/[/\\^$*+?.()|[\]{}]/g, '\\$&'));
  const filter = new RegExp(`^(${names.join('|')})(/|$)`);
  return {
    name: 'resolve-from',
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData?.resolveFrom) return undefined;
        const name = Object.keys(from).find((n) => args.path === n || args.path.startsWith(n + '/'));
        const target = from[name];
        if (target.file) return { path: target.file };
        const r = await build.resolve(args.path, { kind: args.kind, resolveDir: target, pluginData: { resolveFrom: true } });
        if (r.errors.length) return { errors: r.errors };
        return { path: r.path, external: r.external, sideEffects: r.sideEffects, namespace: r.namespace };
      });
    },
  };
}
