import { basename, resolve } from 'node:path';
import { defineCommand } from '../command.js';
import { equivocationLines, equivocationsOf } from '../equivocation-check.js';
import { EXIT_INVALID, EXIT_OK, EXIT_UNCHECKED } from '../exit-codes.js';
import { receiptPathOf } from '../receipt-files.js';
import { usageError } from '../usage-error.js';
import { type FileVerdict, type LevelReport, verifyFile } from '../verify-file.js';

const MARK = {
  pass: 'PASS',
  fail: 'FAIL',
  'not-checked': 'n/a ',
  'could-not-check': '??? ',
} as const;

function levelLine(l: LevelReport): string {
  return `${MARK[l.status]} level ${l.level} (${l.name}): ${l.step ? `step "${l.step}": ` : ''}${l.detail}`;
}

/** How a verdict answers the level asked for, and the exit status it earns. */
type Outcome = 'valid' | 'invalid' | 'not-reached' | 'unchecked';
const EXIT_OF: Record<Outcome, number> = {
  valid: EXIT_OK,
  invalid: EXIT_INVALID,
  'not-reached': EXIT_INVALID,
  unchecked: EXIT_UNCHECKED,
};

function outcomeOf(v: FileVerdict, asked: number): Outcome {
  if (!v.valid) return 'invalid';
  if (v.reached >= asked) return 'valid';
  const blocked = v.levels.some((l) => l.level <= asked && l.status === 'could-not-check');
  return blocked ? 'unchecked' : 'not-reached';
}

function verdictLine(v: FileVerdict, outcome: Outcome, asked: number): string {
  if (outcome === 'valid') return `VALID at level ${v.reached}`;
  if (outcome === 'unchecked') {
    const blocked = v.levels.find((l) => l.status === 'could-not-check');
    return `NOT VERIFIED at level ${asked}: the level ${blocked?.level} check could not be made (see above); reached level ${v.reached}`;
  }
  if (outcome === 'not-reached') return `NOT VALID at level ${asked}: reached level ${v.reached}`;
  const failed = v.levels.find((l) => l.status === 'fail');
  return `INVALID: level ${failed?.level} failed at step "${failed?.step}"`;
}

/** The level asked for: --min-level, else the highest the configuration can check. */
function levelAsked(value: number | undefined, offline: boolean, backends: number): number {
  return value ?? (offline || backends === 0 ? 2 : 3);
}

export const verifyCommand = defineCommand({
  path: ['verify'],
  summary:
    'verify a file against its receipt: what was proven, when, by which log (exit 0 valid, 1 invalid, 3 could not check)',
  usage: '<file> <receipt> | --beside <files...>',
  description:
    'Level 1: the file matches the receipt and the Merkle proof leads to the checkpoint. Level 2 (offline): the checkpoint is committed in a Bitcoin transaction inside a block whose header carries the real difficulty of the height it claims (the bundled schedule). Level 3: headers validated from a trusted checkpoint show the block with enough confirmations, and a quorum of the configured backends (--esplora, repeatable, or "backends" in the config) has it in its best chain. The level asked for is --min-level, else 3 with a backend and 2 without one or with --offline. Exit 0 when that level passed, 1 when the proof is invalid or falls short of it, 3 when a check could not be made (backend unreachable, block past the schedule offline), 2 on usage or unreadable input. The verdict says in words when the record existed, on which network and in which log; a height or time is stated as fact only when verification bound it. With --beside, every file is checked against <file>.receipt.json (as `seal` writes them), with a progress bar and a summary.',
  options: [
    {
      name: 'min-level',
      type: 'integer',
      min: 1,
      max: 3,
      value: '<1|2|3>',
      description: 'the level asked for (default: 3 with a backend, else 2)',
    },
    {
      name: 'offline',
      type: 'boolean',
      description: 'never ask a backend: level 2 is asked for (unless --min-level)',
    },
    {
      name: 'confirmations',
      type: 'integer',
      min: 1,
      value: '<n>',
      description: 'confirmations level 3 requires (default: config, 6)',
    },
    {
      name: 'beside',
      type: 'boolean',
      description: 'verify each file against <file>.receipt.json (many files)',
    },
    {
      name: 'checkpoint',
      type: 'string',
      multiple: true,
      value: '<note file>',
      description:
        'a signed checkpoint seen elsewhere (a witness, a mirror): with the receipts, reported as equivocation when one log signed two roots at one size (exit 1)',
    },
  ],
  examples: [
    ['medanchor verify scan.pdf scan.pdf.receipt.json', 'verify with the configured backend'],
    [
      'medanchor verify --esplora https://blockstream.info/api --min-level 3 a.json a.json.receipt.json',
      'require level 3 against a public explorer',
    ],
    ['medanchor verify --offline --json a.json a.json.receipt.json', 'offline, machine-readable'],
    ['medanchor verify --beside records/*.json', 'an audit of a folder: one line per failure'],
  ],
  arity: [1, Number.POSITIVE_INFINITY],
  async run({ args, config, out, io }) {
    const offline = args.values.offline === true;
    const asked = levelAsked(args.values['min-level'], offline, config.backends.length);
    const confirmations = args.values.confirmations ?? config.confirmations;
    const beside = args.values.beside === true;
    if (!beside && args.positionals.length !== 2)
      throw usageError(
        `\`medanchor verify\` takes <file> <receipt> (or --beside <files...>), got ${args.positionals.length} argument(s); see --help`,
      );
    const options = {
      config,
      explicitNetwork:
        typeof args.values['network'] === 'string' || io.env['MEDANCHOR_NETWORK'] !== undefined,
      offline,
      confirmations,
    };
    const paths = args.positionals.map((p) => resolve(io.cwd, p));
    const given = args.values['checkpoint'];
    const forks = equivocationsOf(
      beside ? paths.map(receiptPathOf) : [paths[1]!],
      (Array.isArray(given) ? given : typeof given === 'string' ? [given] : []).map((p) =>
        resolve(io.cwd, p),
      ),
      config.trust,
    );

    if (!beside) {
      const [filePath, receiptPath] = paths as [string, string];
      const verdict = await verifyFile(filePath, receiptPath, options);
      const outcome = forks.length > 0 ? 'invalid' : outcomeOf(verdict, asked);
      out.result(
        {
          ok: outcome === 'valid',
          ...(forks.length === 0 ? {} : { equivocations: forks }),
          outcome,
          level: verdict.reached,
          asked,
          minLevel: asked,
          file: filePath,
          receipt: receiptPath,
          ...(verdict.origin === undefined ? {} : { origin: verdict.origin }),
          ...(verdict.facts === undefined ? {} : { facts: verdict.facts }),
          ...(verdict.statement === undefined ? {} : { statement: verdict.statement }),
          ...(verdict.forgottenAt === undefined ? {} : { forgottenAt: verdict.forgottenAt }),
          levels: verdict.levels,
        },
        [
          ...verdict.levels.map(levelLine),
          ...(verdict.statement === undefined || !verdict.valid
            ? []
            : [`${basename(filePath)} ${verdict.statement}`]),
          ...equivocationLines(forks),
          forks.length > 0 ? 'INVALID: equivocation' : verdictLine(verdict, outcome, asked),
        ],
      );
      return EXIT_OF[outcome];
    }

    const bar = out.progress('verify', paths.length);
    const results: {
      file: string;
      ok: boolean;
      outcome: Outcome;
      level: number;
      statement?: string;
      forgottenAt?: string;
      levels: LevelReport[];
    }[] = [];
    try {
      for (const file of paths) {
        const verdict = await verifyFile(file, receiptPathOf(file), options);
        const outcome = outcomeOf(verdict, asked);
        results.push({
          file,
          ok: outcome === 'valid',
          outcome,
          level: verdict.reached,
          ...(verdict.statement === undefined ? {} : { statement: verdict.statement }),
          // A tombstone's time as data, so a script need not parse it out of the detail.
          ...(verdict.forgottenAt === undefined ? {} : { forgottenAt: verdict.forgottenAt }),
          levels: verdict.levels,
        });
        bar.tick();
      }
    } finally {
      bar.done();
    }
    const failed = results.filter((r) => !r.ok);
    const byLevel = new Map<number, number>();
    for (const r of results) if (r.ok) byLevel.set(r.level, (byLevel.get(r.level) ?? 0) + 1);
    // The worst outcome decides: a refuted or short proof (1) before one that could not be checked (3).
    const worst: Outcome =
      forks.length > 0 || failed.some((r) => r.outcome !== 'unchecked')
        ? 'invalid'
        : failed.length > 0
          ? 'unchecked'
          : 'valid';
    out.result(
      {
        ok: failed.length === 0 && forks.length === 0,
        ...(forks.length === 0 ? {} : { equivocations: forks }),
        asked,
        minLevel: asked,
        verified: results.length - failed.length,
        failed: failed.length,
        files: results,
      },
      [
        ...failed.map((r) => {
          const why = r.levels.find((l) => l.status === 'fail' || l.status === 'could-not-check');
          return `${r.file}: ${why ? `level ${why.level} ${why.status === 'fail' ? 'failed' : 'could not be checked'} at step "${why.step}": ${why.detail}` : `reached level ${r.level}, ${asked} required`}`;
        }),
        ...equivocationLines(forks),
        `${results.length - failed.length} of ${results.length} file(s) valid (${[...byLevel]
          .sort(([a], [b]) => a - b)
          .map(([l, n]) => `${n} at level ${l}`)
          .join(
            ', ',
          )}${failed.length > 0 ? `), ${failed.length} NOT valid at level ${asked}` : ')'}`,
      ],
    );
    return EXIT_OF[worst];
  },
});
