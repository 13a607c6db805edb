// Minified and gzipped sizes of what a user's bundler would ship for a package entry (or
// for some names imported from it), measured with esbuild's metafile. Shared by
// `pnpm check:sizes`, `pnpm bench sizes` and the bundle-size test.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const root = new URL('..', import.meta.url).pathname;

/**
 * Bundles `source` (module text) as an application would and returns its sizes.
 * Browser entries take their dependencies along (that is what a page pays); Node
 * entries leave packages external and count only their own code.
 * `@medanchor/...` specifiers resolve exactly through `entries` (name -> file), so a
 * subpath is never mistaken for a file below the root entry.
 * @param {{ source: string, platform: 'browser' | 'node', entries?: Record<string,string> }} opts
 * @returns {Promise<{ bytes: number, gzip: number, packages: string[] }>}
 */
export async function bundleSize({ source, platform, entries }) {
  const exact = {
    name: 'medanchor-entries',
    setup(b) {
      b.onResolve({ filter: /^@medanchor\// }, (args) => {
        const file = entries?.[args.path];
        if (file) return { path: file };
        // Node entries keep the other packages external; a browser bundle needs them.
        return platform === 'node' ? { path: args.path, external: true } : undefined;
      });
    },
  };
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    ...(platform === 'node' ? { packages: 'external' } : {}),
    plugins: [exact],
  });
  const out = result.outputFiles[0].contents;
  const packages = new Set();
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input);
    if (m) packages.add(m[1]);
  }
  return { bytes: out.length, gzip: gzipSync(out).length, packages: [...packages].sort() };
}

/**
 * Every public JavaScript entry of the workspace packages: `@medanchor/x` and its subpaths.
 * `./internal` is left out: it exists for the repository's benchmarks (`pnpm bench --dist`),
 * is not public API and has no size budget.
 */
export function publicEntries() {
  const entries = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    let pkg;
    try {
      pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      if (sub === './internal') continue;
      const file = typeof target === 'object' ? target?.import?.default : undefined;
      if (typeof file !== 'string' || !file.endsWith('.js')) continue;
      entries.push({
        name: sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`,
        file: join(root, 'packages', dir, file),
      });
    }
  }
  return entries;
}

/** Bytes as "12.3 KB" (1 KB = 1000 bytes, as size budgets are usually written). */
export function kb(bytes) {
  return `${(bytes / 1000).toFixed(1)} KB`;
}
