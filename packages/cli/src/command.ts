import type { GlobalOptionValues } from './args.js';
import type { ResolvedConfig } from './config.js';
import type { CliIo } from './io.js';
import type { Output } from './output.js';

interface OptionBase {
  /** Long name, without the dashes. */
  readonly name: string;
  /** One-letter alias. */
  readonly short?: string;
  /** Placeholder shown in help, e.g. `<file>`. */
  readonly value?: string;
  /** What it does (one line). */
  readonly description: string;
}

/** A `--name` switch: `true` when given. */
export interface SwitchOption extends OptionBase {
  readonly type: 'boolean';
}

/** A `--name <value>` option: its text, or every value in order when `multiple`. */
export interface TextOption extends OptionBase {
  readonly type: 'string';
  /** May be given several times (values are collected in order). */
  readonly multiple?: boolean;
}

/**
 * A `--name <n>` option taking a whole number in decimal digits, from `min` (default 0)
 * to `max` (default: the largest safe integer); anything else is a usage error.
 */
export interface IntegerOption extends OptionBase {
  readonly type: 'integer';
  readonly min?: number;
  readonly max?: number;
}

/** One option of a command. */
export type OptionSpec = SwitchOption | TextOption | IntegerOption;

/** The value an option has on the parsed command line, when given. */
export type OptionValue<O extends OptionSpec> = O extends SwitchOption
  ? boolean
  : O extends IntegerOption
    ? number
    : O extends { readonly multiple: true }
      ? string[]
      : string;

/** Option values by long name, typed from the options' declarations. */
export type OptionValues<Os extends readonly OptionSpec[]> = {
  readonly [O in Os[number] as O['name']]?: OptionValue<O>;
};

/** The value of any option, when the command's declarations are not known. */
export type AnyOptionValue = string | boolean | string[] | number | undefined;

/** Parsed command line of one command. */
export interface ParsedArgs<V = Readonly<Record<string, AnyOptionValue>>> {
  /** Option values by long name (switches are `true`; repeated options are arrays). */
  values: V;
  /** Positional arguments after the command name. */
  positionals: string[];
}

/** What a command gets when it runs. */
export interface CommandContext<V = Readonly<Record<string, AnyOptionValue>>> {
  /** The parsed command line. */
  args: ParsedArgs<V>;
  /** Configuration: defaults < config file < environment < flags. */
  config: ResolvedConfig;
  /** Text and JSON output. */
  out: Output;
  /** The streams and environment. */
  io: CliIo;
}

/** A command of the `medanchor` executable. */
export interface Command<V = Readonly<Record<string, AnyOptionValue>>> {
  /** Words that select it, e.g. `['ots', 'export']`. */
  path: string[];
  /** One line for the command list. */
  summary: string;
  /** Positional arguments, e.g. `<file> <receipt>`. */
  usage: string;
  /** A paragraph for `--help`. */
  description?: string;
  /** Its own options (global ones are added). */
  options: readonly OptionSpec[];
  /** Groups of its options of which at most one may be given (a usage error otherwise). */
  exclusive?: readonly (readonly string[])[];
  /** Example invocations with a comment each, shown by `--help`. */
  examples: [string, string][];
  /** Smallest and largest number of positional arguments. */
  arity: [number, number];
  /** Does the work; resolves to the exit status. */
  run(ctx: CommandContext<V>): Promise<number>;
}

/**
 * Declares a command whose `run` sees its own options and the global ones typed from
 * their declarations (`args.values.confirmations` is a `number`, a switch a `boolean`),
 * and returns it as a plain {@link Command} for the command table.
 */
export function defineCommand<const Os extends readonly OptionSpec[]>(
  command: Omit<Command<OptionValues<Os> & GlobalOptionValues>, 'options'> & { options: Os },
): Command {
  // parseCommandArgs builds `values` from these very declarations, so the narrower
  // type `run` was written against holds for what it will get.
  return command as unknown as Command;
}
