import { parseArgs } from 'node:util';
import type { Command, OptionSpec, ParsedArgs } from './command.js';
import { usageError } from './usage-error.js';

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpec[] = [
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
];

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
    const spec = GLOBAL_OPTIONS.find((o) =>
      name === undefined ? a === `-${o.short}` : o.name === name,
    );
    if (spec === undefined || !a.startsWith('-')) break;
    i += spec.type === 'string' && !a.includes('=') ? 2 : 1;
  }
  if (i === 0 || i >= argv.length) return [...argv];
  return [...argv.slice(i), ...argv.slice(0, i)];
}

/**
 * Parses a command's arguments (strict: unknown options and wrong arity are usage
 * errors, exit status 2).
 */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const options: Record<
    string,
    { type: 'boolean' | 'string'; short?: string; multiple?: boolean }
  > = {};
  for (const o of [...command.options, ...GLOBAL_OPTIONS]) {
    options[o.name] = {
      type: o.type,
      ...(o.short === undefined ? {} : { short: o.short }),
      ...(o.multiple === true ? { multiple: true } : {}),
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
  const values = parsed.values as ParsedArgs['values'];
  if (values['help'] !== true) {
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

function optionLines(options: OptionSpec[]): string[] {
  const heads = options.map(
    (o) =>
      `${o.short === undefined ? '    ' : `-${o.short}, `}--${o.name}${o.value === undefined ? '' : ` ${o.value}`}`,
  );
  const width = Math.max(...heads.map((h) => h.length));
  return options.map(
    (o, i) => `  ${heads[i]!.padEnd(width)}  ${o.description}${o.multiple ? ' (repeatable)' : ''}`,
  );
}

/** The values of a repeatable option (none, one, or several). */
export function stringList(value: ParsedArgs['values'][string]): string[] {
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
