import { isMedanchorError } from '@medanchor/core';
import packageJson from '../package.json' with { type: 'json' };
import { commandHelp, hoistGlobalOptions, mainHelp, parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { resolveConfig } from './config.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import type { CliIo } from './io.js';
import { createOutput, reportError } from './output.js';
import { usageError } from './usage-error.js';

/** The CLI's version (the package version). */
export const CLI_VERSION: string = packageJson.version;

// Errors that mean "the data failed an integrity check" (exit 1), not "you called me wrong".
const INVALID_CODES = new Set<string>(['DECRYPT_FAILED', 'CONTEXT_MISMATCH', 'ENVELOPE_SHREDDED']);

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  // Longest match first: `ots export` before a bare `ots`.
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of COMMANDS) {
    const n = command.path.length;
    if (
      command.path.every((w, i) => argv[i] === w) &&
      (best === undefined || n > best.command.path.length)
    )
      best = { command, rest: argv.slice(n) };
  }
  return best;
}

/**
 * Runs the `medanchor` command line `argv` (without the program name) and resolves to
 * its exit status: 0 ok or valid, 1 invalid (a proof that does not verify, consent
 * denied), 2 usage or input error. Never throws; errors are reported on `io.stderr`
 * (and as JSON on `io.stdout` with `--json`).
 *
 * @example
 * ```ts no-run
 * const status = await runCli(['verify', 'scan.pdf', 'scan.pdf.receipt.json'], processIo());
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Global options may come before the command too (`--config x verify ...`).
  const args = hoistGlobalOptions(argv);
  const json = args.includes('--json');
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    io.stdout(mainHelp(COMMANDS, CLI_VERSION));
    return args.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  if (args[0] === '--version' || args[0] === '-v') {
    io.stdout(`${CLI_VERSION}\n`);
    return EXIT_OK;
  }
  const found = findCommand(args);
  if (found === undefined) {
    const group = COMMANDS.filter((c) => c.path[0] === args[0]);
    const hint =
      group.length > 0
        ? `\`medanchor ${args[0]}\` needs a subcommand: ${group.map((c) => c.path.slice(1).join(' ')).join(', ')}`
        : `unknown command "${args[0]}"; run \`medanchor --help\` for the list`;
    reportError(io, json, usageError(hint));
    return EXIT_USAGE;
  }
  const { command, rest } = found;
  try {
    const parsed = parseCommandArgs(command, rest);
    if (parsed.values['help'] === true) {
      io.stdout(commandHelp(command));
      return EXIT_OK;
    }
    const config = resolveConfig(parsed, io, { creating: command.path[0] === 'init' });
    const out = createOutput(io, config);
    return await command.run({ args: parsed, config, out, io });
  } catch (error) {
    reportError(io, json, error);
    return isMedanchorError(error) && INVALID_CODES.has(error.code) ? EXIT_INVALID : EXIT_USAGE;
  }
}
