import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.js';
import { receiptPathOf } from '../receipt-files.js';
import { usageError } from '../usage-error.js';
import { type FileVerdict, type LevelReport, verifyFile } from '../verify-file.js';

const MARK = { pass: 'PASS', fail: 'FAIL', 'not-checked': 'n/a ' } as const;

function levelLine(l: LevelReport): string {
  return `${MARK[l.status]} level ${l.level} (${l.name}): ${l.step ? `step "${l.step}": ` : ''}${l.detail}`;
}

function verdictLine(v: FileVerdict, ok: boolean, minLevel: number): string {
  if (ok) return `VALID at level ${v.reached}`;
  if (v.valid) return `NOT VALID at level ${minLevel}: reached level ${v.reached}`;
  const failed = v.levels.find((l) => l.status === 'fail');
  return `INVALID: level ${failed?.level} failed at step "${failed?.step}"`;
}

export const verifyCommand: Command = {
  path: ['verify'],
  summary: 'verify a file against its receipt and say which level passed (exit 0 valid, 1 invalid)',
  usage: '<file> <receipt> | --beside <files...>',
  description:
    'Level 1: the file matches the receipt and the Merkle proof leads to the checkpoint. Level 2 (offline): the checkpoint is committed in a Bitcoin transaction inside a block with valid proof of work. Level 3: that block is in the best chain with enough confirmations, asked of the configured backend (--esplora). Exit 0 when the file is valid at --min-level or above, 1 when it is not, 2 on usage or unreadable input. With --beside, every file is checked against <file>.receipt.json (as `seal` writes them), with a progress bar and a summary; exit 1 if any is not valid.',
  options: [
    {
      name: 'min-level',
      type: 'string',
      value: '<1|2|3>',
      description: 'lowest level that counts as valid (default 1)',
    },
    { name: 'offline', type: 'boolean', description: 'never ask a backend (stop at level 2)' },
    {
      name: 'confirmations',
      type: 'string',
      value: '<n>',
      description: 'confirmations level 3 requires (default: config, 6)',
    },
    {
      name: 'beside',
      type: 'boolean',
      description: 'verify each file against <file>.receipt.json (many files)',
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
    const minLevel = Number(args.values['min-level'] ?? 1);
    if (![1, 2, 3].includes(minLevel)) throw usageError('--min-level is 1, 2 or 3');
    const confirmations =
      args.values['confirmations'] === undefined
        ? config.confirmations
        : Number(args.values['confirmations']);
    if (!(Number.isSafeInteger(confirmations) && confirmations >= 1))
      throw usageError('--confirmations takes a positive integer');
    const beside = args.values['beside'] === true;
    if (!beside && args.positionals.length !== 2)
      throw usageError(
        `\`medanchor verify\` takes <file> <receipt> (or --beside <files...>), got ${args.positionals.length} argument(s); see --help`,
      );
    const options = {
      config,
      explicitNetwork:
        typeof args.values['network'] === 'string' || io.env['MEDANCHOR_NETWORK'] !== undefined,
      offline: args.values['offline'] === true,
      confirmations,
    };
    const paths = args.positionals.map((p) => resolve(io.cwd, p));

    if (!beside) {
      const [filePath, receiptPath] = paths as [string, string];
      const verdict = await verifyFile(filePath, receiptPath, options);
      const ok = verdict.valid && verdict.reached >= minLevel;
      out.result(
        {
          ok,
          level: verdict.reached,
          minLevel,
          file: filePath,
          receipt: receiptPath,
          levels: verdict.levels,
        },
        [...verdict.levels.map(levelLine), verdictLine(verdict, ok, minLevel)],
      );
      return ok ? EXIT_OK : EXIT_INVALID;
    }

    const bar = out.progress('verify', paths.length);
    const results: { file: string; ok: boolean; level: number; levels: LevelReport[] }[] = [];
    try {
      for (const file of paths) {
        const verdict = await verifyFile(file, receiptPathOf(file), options);
        const ok = verdict.valid && verdict.reached >= minLevel;
        results.push({ file, ok, level: verdict.reached, levels: verdict.levels });
        bar.tick();
      }
    } finally {
      bar.done();
    }
    const failed = results.filter((r) => !r.ok);
    const byLevel = new Map<number, number>();
    for (const r of results) if (r.ok) byLevel.set(r.level, (byLevel.get(r.level) ?? 0) + 1);
    out.result(
      {
        ok: failed.length === 0,
        minLevel,
        verified: results.length - failed.length,
        failed: failed.length,
        files: results,
      },
      [
        ...failed.map((r) => {
          const why = r.levels.find((l) => l.status === 'fail');
          return `${r.file}: ${why ? `level ${why.level} failed at step "${why.step}": ${why.detail}` : `reached level ${r.level}, ${minLevel} required`}`;
        }),
        `${results.length - failed.length} of ${results.length} file(s) valid (${[...byLevel]
          .sort(([a], [b]) => a - b)
          .map(([l, n]) => `${n} at level ${l}`)
          .join(', ')}${failed.length > 0 ? `), ${failed.length} NOT valid` : ')'}`,
      ],
    );
    return failed.length === 0 ? EXIT_OK : EXIT_INVALID;
  },
};
