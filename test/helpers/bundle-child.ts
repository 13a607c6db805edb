import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Bundles a TypeScript child program (a crash test's victim) into one ESM file with the
 * repo's esbuild, once per test file, so each of its many restarts starts plain `node`
 * quickly. `extra` adds esbuild options (externals, a banner). Returns the bundle's path.
 */
export function bundleChild(entry: string, outDir: string, extra: readonly string[] = []): string {
  const out = join(outDir, 'crash-child.mjs');
  const r = spawnSync(
    join(repo, 'node_modules', '.bin', 'esbuild'),
    [
      entry,
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      `--outfile=${out}`,
      '--log-level=error',
      ...extra,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`esbuild failed: ${r.stderr}`);
  return out;
}
