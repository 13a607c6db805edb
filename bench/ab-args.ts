// Command-line arguments of `pnpm bench:ab` (bench/ab.ts), parsed without side effects so the
// rules can be tested and a bad argument is refused before anything is created.

export const USAGE = `usage: pnpm bench:ab <base-rev> [section ...] [--rounds N] [--out DIR]

Runs \`pnpm bench <sections>\` in a git worktree of <base-rev> and in this tree, alternately,
N rounds (default 2), and prints one table comparing every row: medians over rounds, the
spread of each side, and a verdict (slower only when the ratio is below 0.95 and the ranges
do not overlap). Sections default to those both trees have, minus sizes, ledger and server.
Logs and the report go to --out DIR (default: a new directory under the OS temp dir).
Exit code: 0 when the report is printed (even with slower rows), 1 when a run fails, 2 on
bad arguments.`;

/** Sections left out unless asked for: long, several processes, or no timings. */
export const NOT_BY_DEFAULT = ['sizes', 'ledger', 'server'] as const;

/** A refused command line: exit code 2 and the usage text. */
export class AbUsageError extends Error {
  override name = 'AbUsageError';
}

export interface AbArgs {
  base: string;
  /** Sections asked for; empty means the default set. */
  sections: string[];
  rounds: number;
  /** Results directory; undefined means a new one under the OS temp dir. */
  out?: string;
  help: boolean;
}

const MAX_ROUNDS = 50;

/** Parses `process.argv.slice(2)`; throws {@link AbUsageError} on anything it cannot use. */
export function parseAbArgs(argv: readonly string[]): AbArgs {
  const positional: string[] = [];
  let rounds = 2;
  let out: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    // `--flag=value` and `--flag value` both work.
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = () => {
      if (flag !== a) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) throw new AbUsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') help = true;
    else if (flag === '--rounds') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_ROUNDS) {
        throw new AbUsageError(
          `--rounds must be a whole number from 1 to ${MAX_ROUNDS}, got "${v}"`,
        );
      }
      rounds = Number(v);
    } else if (flag === '--out') {
      out = value();
      if (out === '') throw new AbUsageError('--out needs a directory');
    } else if (a.startsWith('-')) throw new AbUsageError(`unknown option "${a}"`);
    else positional.push(a);
  }
  const [base, ...sections] = positional;
  if (help) return { base: base ?? '', sections, rounds, help, ...(out ? { out } : {}) };
  if (base === undefined) throw new AbUsageError('missing <base-rev> (a commit, tag or branch)');
  for (const s of sections) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(s)) throw new AbUsageError(`"${s}" is not a section name`);
  }
  if (new Set(sections).size !== sections.length) {
    throw new AbUsageError('a section is named twice');
  }
  return { base, sections, rounds, help, ...(out ? { out } : {}) };
}

/**
 * The sections to run: the ones asked for (each must exist in both trees), else every section
 * both trees have except {@link NOT_BY_DEFAULT}. Throws {@link AbUsageError} when none is left.
 */
export function chooseSections(
  asked: readonly string[],
  base: readonly string[],
  ours: readonly string[],
): string[] {
  if (asked.length > 0) {
    for (const s of asked) {
      const missing = [base.includes(s) ? '' : 'base', ours.includes(s) ? '' : 'ours'].filter(
        Boolean,
      );
      if (missing.length > 0) {
        throw new AbUsageError(
          `section "${s}" is not in ${missing.join(' or ')}; both have: ${base.filter((b) => ours.includes(b)).join(', ')}`,
        );
      }
    }
    return [...asked];
  }
  const both = ours.filter(
    (s) => base.includes(s) && !(NOT_BY_DEFAULT as readonly string[]).includes(s),
  );
  if (both.length === 0) throw new AbUsageError('the two trees have no bench section in common');
  return both;
}
