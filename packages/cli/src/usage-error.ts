import { MedanchorError } from '@medanchor/core';

/** A mistake in how the command was called: exit status 2 with a hint to `--help`. */
export function usageError(message: string): MedanchorError {
  return new MedanchorError('CLI_USAGE', message);
}

/** An input file that cannot be used (missing, unreadable, not the expected format). */
export function inputError(message: string, cause?: unknown): MedanchorError {
  return new MedanchorError('CLI_INPUT', message, cause === undefined ? {} : { cause });
}
