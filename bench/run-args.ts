// Command-line arguments of `pnpm bench` (bench/run.ts), parsed without side effects so the
// rules can be tested and a bad argument is refused before any section starts.

export const BENCH_USAGE = `usage: pnpm bench [--dist] [section ...]

Runs the benchmark sections (default: all of them), each in a process of its own.
By default the packages are measured from their TypeScript sources through tsx.
--dist  measure the built packages users install (packages/*/dist, via
        bench/tsconfig.dist.json); run \`pnpm build\` first: a dist older than its
        sources is refused.
Exit code: 0 when every section ran, 1 when one failed or the dist is not fresh, 2 on bad
arguments.`;

/** A refused command line: exit code 2 and the usage text. */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

export interface BenchArgs {
  /** Measure the packages' built `dist` instead of their sources. */
  dist: boolean;
  /** The sections to run, in the order given; every available one when none was named. */
  sections: string[];
  help: boolean;
}

/**
 * Parses `process.argv.slice(2)` against the section names found in bench/sections; throws
 * {@link BenchUsageError} on an unknown option or section, or a section named twice.
 */
export function parseBenchArgs(argv: readonly string[], available: readonly string[]): BenchArgs {
  let dist = false;
  let help = false;
  const named: string[] = [];
  for (const a of argv) {
    if (a === '--dist') dist = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a.startsWith('-')) throw new BenchUsageError(`unknown option "${a}"`);
    else named.push(a);
  }
  for (const s of named) {
    if (!available.includes(s)) {
      throw new BenchUsageError(`unknown section "${s}"; available: ${available.join(', ')}`);
    }
  }
  if (new Set(named).size !== named.length) throw new BenchUsageError('a section is named twice');
  return { dist, sections: named.length > 0 ? named : [...available], help };
}
