// `pnpm bench --dist`: the bench imports every `@medanchor/*` package from its built `dist`
// (what users install) instead of its TypeScript sources. tsx reads the paths of
// bench/tsconfig.dist.json (TSX_TSCONFIG_PATH in the section processes); this module says
// which packages that covers, refuses a dist that is missing or older than its sources, and
// tells a section process which build its imports really resolved to.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The tsconfig whose `paths` point every `@medanchor/*` import at `packages/<name>/dist`. */
export const DIST_TSCONFIG = fileURLToPath(new URL('./tsconfig.dist.json', import.meta.url));

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Package directory names (`core`, `chain`...) that a tsconfig maps to their `dist`. */
export function distPackages(tsconfigPath: string = DIST_TSCONFIG): string[] {
  const config = JSON.parse(readFileSync(tsconfigPath, 'utf8')) as {
    compilerOptions?: { paths?: Record<string, string[]> };
  };
  const names = new Set<string>();
  for (const targets of Object.values(config.compilerOptions?.paths ?? {})) {
    for (const t of targets) {
      const m = /packages\/([^/]+)\/dist\//.exec(t);
      if (m) names.add(m[1]!);
    }
  }
  return [...names].sort();
}

/** What {@link checkDistFresh} found: the oldest build time, or why the dist cannot be used. */
export type DistState = { ok: true; builtAt: Date } | { ok: false; problems: string[] };

// Newest file under `dir` (recursive), or undefined when there is none.
function newestFile(dir: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const found = entry.isDirectory()
      ? newestFile(path)
      : entry.isFile()
        ? { path, mtimeMs: statSync(path).mtimeMs }
        : undefined;
    if (found && (newest === undefined || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * Checks that each package's ESM entries (the `import` targets of its `exports`) exist and
 * were written after the last change to its `src/` and build config, so `--dist` never
 * measures an old build. Reads only file times; writes nothing.
 */
export function checkDistFresh(root: string, packages: readonly string[]): DistState {
  const problems: string[] = [];
  let builtAt = Number.POSITIVE_INFINITY;
  for (const name of packages) {
    const dir = join(root, 'packages', name);
    let exportsMap: Record<string, unknown>;
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        exports?: Record<string, unknown>;
      };
      exportsMap = pkg.exports ?? {};
    } catch {
      problems.push(`packages/${name}/package.json cannot be read`);
      continue;
    }
    const entries: string[] = [];
    for (const target of Object.values(exportsMap)) {
      const file = (target as { import?: { default?: unknown } } | null)?.import?.default;
      if (typeof file === 'string' && file.endsWith('.js')) entries.push(join(dir, file));
    }
    const missing = entries.filter((f) => !existsSync(f));
    if (entries.length === 0 || missing.length > 0) {
      const which = missing.map((f) => relative(root, f)).join(', ');
      problems.push(`@medanchor/${name} is not built${which ? ` (missing ${which})` : ''}`);
      continue;
    }
    const oldest = Math.min(...entries.map((f) => statSync(f).mtimeMs));
    builtAt = Math.min(builtAt, oldest);
    const sources = [newestFile(join(dir, 'src'))];
    for (const config of ['tsup.config.ts', 'tsconfig.build.json']) {
      const path = join(dir, config);
      if (existsSync(path)) sources.push({ path, mtimeMs: statSync(path).mtimeMs });
    }
    for (const s of sources) {
      if (s !== undefined && s.mtimeMs > oldest) {
        problems.push(
          `@medanchor/${name}: its dist (built ${clock(oldest)} UTC) is older than ${relative(root, s.path)} (changed ${clock(s.mtimeMs)} UTC)`,
        );
        break;
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, builtAt: new Date(builtAt) };
}

/** The first line of a bench run: which code it measured. */
export function measuredLine(state: { dist: false } | { dist: true; builtAt: Date }): string {
  if (!state.dist) return 'measured: sources via tsx';
  return `measured: dist (built ${state.builtAt.toISOString().replace('T', ' ').slice(0, 19)} UTC)`;
}

/**
 * Which build `@medanchor/core` resolves to from a bench module in this process: `dist` under
 * bench/tsconfig.dist.json, `sources` under the root tsconfig. A section process checks it
 * against the flag it was given, so a loader that ignored the tsconfig cannot go unnoticed.
 */
export function resolvedBuild(): 'dist' | 'sources' | 'other' {
  const url = import.meta.resolve('@medanchor/core');
  if (url.includes('/packages/core/dist/')) return 'dist';
  if (url.includes('/packages/core/src/')) return 'sources';
  return 'other';
}
