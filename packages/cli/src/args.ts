import { parseArgs } from 'node:util';
import type { AnyOptionValue, Command, OptionSpec, OptionValues, ParsedArgs } from './command.js';
import { usageError } from './usage-error.js';
import { wholeNumber, wholeNumberWords } from './whole-number.js';

/** Options every command accepts. */
export const GLOBAL_OPTIONS = [
  {
    name: 'config',
    type: 'string',
    value: '<file>',
    description: 'config file (default: ./medanchor.config.json, or $MEDANCHOR_CONFIG)',
  },
  {
    name: 'network',
    type: 'string',
    value: '<name>',
    description: 'mainnet, testnet4, signet or regtest ($MEDANCHOR_NETWORK)',
  },
  {
    name: 'esplora',
    type: 'string',
    multiple: true,
    value: '<url>',
    description:
      'use this Esplora API as a Bitcoin backend; repeat it to ask several ($MEDANCHOR_ESPLORA_URL)',
  },
  {
    name: 'data-dir',
    type: 'string',
    value: '<dir>',
    description: 'where the log, journal, receipts and anchors live ($MEDANCHOR_DATA_DIR)',
  },
  {
    name: 'store',
    type: 'string',
    value: '<dir|url>',
    description:
      'the ledger store: a directory (default <data-dir>/store) or postgres://... ($MEDANCHOR_STORE)',
  },
  {
    name: 'json',
    type: 'boolean',
    description: 'print one JSON document on stdout instead of text',
  },
  { name: 'quiet', type: 'boolean', short: 'q', description: 'print only errors' },
  {
    name: 'progress',
    type: 'boolean',
    description: 'show progress bars even when stderr is not a terminal',
  },
  {
    name: 'no-progress',
    type: 'boolean',
    description: 'never show progress bars ($MEDANCHOR_PROGRESS=0)',
  },
  { name: 'help', type: 'boolean', short: 'h', description: 'show help for the command' },
] as const satisfies readonly OptionSpec[];

/** The global options' values, typed from {@link GLOBAL_OPTIONS}. */
export type GlobalOptionValues = OptionValues<typeof GLOBAL_OPTIONS>;

/**
 * Moves global options typed before the command to after it, so
 * `medanchor --config a.json verify x r` means `medanchor verify x r --config a.json`.
 * Stops at the first word that is not a global option (the command); returns `argv`
 * unchanged when no command follows.
 */
export function hoistGlobalOptions(argv: readonly string[]): string[] {
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    const name = a.startsWith('--') ? a.slice(2).split('=')[0] : undefined;
    const spec = (GLOBAL_OPTIONS as readonly OptionSpec[]).find((o) =>
      name === undefined ? a === `-${o.short}` : o.name === name,
    );
    if (spec === undefined || !a.startsWith('-')) break;
    i += spec.type === 'string' && !a.includes('=') ? 2 : 1;
  }
  if (i === 0 || i >= argv.length) return [...argv];
  return [...argv.slice(i), ...argv.slice(0, i)];
}

/** An integer option's text as a number, or a usage error naming its range. */
function integerValue(o: OptionSpec & { type: 'integer' }, text: string): number {
  const n = wholeNumber(text, o.min, o.max);
  if (n === undefined) throw usageError(`--${o.name} takes ${wholeNumberWords(o.min, o.max)}`);
  return n;
}

/** Refuses options the command declares exclusive when more than one of a group is given. */
function checkExclusive(command: Command, values: Readonly<Record<string, AnyOptionValue>>): void {
  for (const group of command.exclusive ?? []) {
    const given = group.filter((name) => values[name] !== undefined);
    if (given.length > 1)
      throw usageError(
        `${given.map((n) => `--${n}`).join(' and ')} cannot be given together; see \`medanchor ${command.path.join(' ')} --help\``,
      );
  }
}

/**
 * Parses a command's arguments (strict: unknown options, wrong arity, an integer option
 * out of its range and exclusive options given together are usage errors, exit status 2).
 */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const specs: readonly OptionSpec[] = [...command.options, ...GLOBAL_OPTIONS];
  const options: Record<
    string,
    { type: 'boolean' | 'string'; short?: string; multiple?: boolean }
  > = {};
  for (const o of specs) {
    options[o.name] = {
      type: o.type === 'boolean' ? 'boolean' : 'string',
      ...(o.short === undefined ? {} : { short: o.short }),
      ...(o.type === 'string' && o.multiple === true ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    // node:util's messages name the offending option; keep them, point at --help.
    const message = (e as Error).message.replace(/\. To specify.*$/s, '');
    throw usageError(`${message}; see \`medanchor ${command.path.join(' ')} --help\``);
  }
  // No option is declared as a repeatable switch, so arrays hold strings only.
  const values = { ...parsed.values } as Record<string, AnyOptionValue>;
  if (values['help'] !== true) {
    for (const o of specs)
      if (o.type === 'integer' && typeof values[o.name] === 'string')
        values[o.name] = integerValue(o, values[o.name] as string);
    checkExclusive(command, values);
    const [min, max] = command.arity;
    const n = parsed.positionals.length;
    if (n < min || n > max) {
      const want =
        min === max
          ? `${min}`
          : max === Number.POSITIVE_INFINITY
            ? `at least ${min}`
            : `${min} to ${max}`;
      throw usageError(
        `\`medanchor ${command.path.join(' ')}\` takes ${want} argument(s) (${command.usage || 'none'}), got ${n}; see --help`,
      );
    }
  }
  return { values, positionals: parsed.positionals };
}

function optionLines(options: readonly OptionSpec[]): string[] {
  const heads = options.map(
    (o) =>
      `${o.short === undefined ? '    ' : `-${o.short}, `}--${o.name}${o.value === undefined ? '' : ` ${o.value}`}`,
  );
  const width = Math.max(...heads.map((h) => h.length));
  return options.map(
    (o, i) =>
      `  ${heads[i]!.padEnd(width)}  ${o.description}${o.type === 'string' && o.multiple ? ' (repeatable)' : ''}`,
  );
}

/** The values of a repeatable option (none, one, or several). */
export function stringList(value: AnyOptionValue): string[] {
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** Wraps a paragraph at `width` columns. */
function wrap(text: string, width = 88): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The `--help` text of one command. */
export function commandHelp(command: Command): string {
  const name = `medanchor ${command.path.join(' ')}`;
  const lines = [
    `${name}: ${command.summary}`,
    '',
    `Usage: ${name} [options]${command.usage ? ` ${command.usage}` : ''}`,
  ];
  if (command.description) lines.push('', ...wrap(command.description));
  if (command.options.length > 0) lines.push('', 'Options:', ...optionLines(command.options));
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  lines.push('', 'Examples:');
  for (const [example, comment] of command.examples) lines.push(`  # ${comment}`, `  $ ${example}`);
  return `${lines.join('\n')}\n`;
}

/** The top-level `medanchor --help` text: every command with its summary. */
export function mainHelp(commands: readonly Command[], version: string): string {
  const names = commands.map((c) => c.path.join(' '));
  const width = Math.max(...names.map((n) => n.length));
  return [
    `medanchor ${version}: tamper-evident medical records, anchored on Bitcoin`,
    '',
    'Usage: medanchor <command> [options] [arguments]',
    '',
    'Commands:',
    ...commands.map((c, i) => `  ${names[i]!.padEnd(width)}  ${c.summary}`),
    '',
    'Start here:',
    '  $ medanchor init                 # config and a devnet wallet in this directory',
    '  $ medanchor devnet               # (another terminal) a local regtest chain with an Esplora API',
    '  $ medanchor stamp records/*.json # durable stamps',
    '  $ medanchor seal                 # seal into the log and anchor the checkpoint',
    '  $ medanchor upgrade --wait       # add the Bitcoin proof to every receipt',
    '  $ medanchor verify records/a.json records/a.json.receipt.json',
    '',
    'Configuration: medanchor.config.json (see `medanchor init --help`), MEDANCHOR_* environment',
    'variables, then flags, each overriding the one before.',
    'Exit status: 0 ok or valid, 1 invalid or denied, 2 usage or input error.',
    "Run `medanchor <command> --help` for a command's options and examples.",
    '',
  ].join('\n');
}
