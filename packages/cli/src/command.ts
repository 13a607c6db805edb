import type { ResolvedConfig } from './config.js';
import type { CliIo } from './io.js';
import type { Output } from './output.js';

/** One option of a command, as `--name <value>` or a `--name` switch. */
export interface OptionSpec {
  /** Long name, without the dashes. */
  name: string;
  /** A switch (`boolean`) or an option taking a value (`string`). */
  type: 'boolean' | 'string';
  /** One-letter alias. */
  short?: string;
  /** May be given several times (values are collected in order). */
  multiple?: boolean;
  /** Placeholder shown in help, e.g. `<file>`. */
  value?: string;
  /** What it does (one line). */
  description: string;
}

/** Parsed command line of one command. */
export interface ParsedArgs {
  /** Option values by long name (switches are `true`; repeated options are arrays). */
  values: Record<string, string | boolean | string[] | undefined>;
  /** Positional arguments after the command name. */
  positionals: string[];
}

/** What a command gets when it runs. */
export interface CommandContext {
  /** The parsed command line. */
  args: ParsedArgs;
  /** Configuration: defaults < config file < environment < flags. */
  config: ResolvedConfig;
  /** Text and JSON output. */
  out: Output;
  /** The streams and environment. */
  io: CliIo;
}

/** A command of the `medanchor` executable. */
export interface Command {
  /** Words that select it, e.g. `['ots', 'export']`. */
  path: string[];
  /** One line for the command list. */
  summary: string;
  /** Positional arguments, e.g. `<file> <receipt>`. */
  usage: string;
  /** A paragraph for `--help`. */
  description?: string;
  /** Its own options (global ones are added). */
  options: OptionSpec[];
  /** Example invocations with a comment each, shown by `--help`. */
  examples: [string, string][];
  /** Smallest and largest number of positional arguments. */
  arity: [number, number];
  /** Does the work; resolves to the exit status. */
  run(ctx: CommandContext): Promise<number>;
}
