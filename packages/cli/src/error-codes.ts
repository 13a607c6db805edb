import type { ErrorCatalogue, ErrorCodesOf } from '@medanchor/core';

/**
 * Error codes of the `medanchor` command: what each means and what to do. Errors of the
 * packages it uses keep their own codes.
 */
export const CLI_ERROR_CODES = {
  CLI_USAGE: {
    meaning:
      'The command was called wrongly (unknown option, missing argument, bad value); exit status 2.',
    action: 'Run the command with --help.',
  },
  CLI_INPUT: {
    meaning: 'An input file is missing, unreadable, or not of the expected format.',
    action: 'Check the path and the file; the message names both.',
  },
  CLI_CONFIG: {
    meaning: 'The configuration file or an environment variable has an unknown key or a bad value.',
    action: 'Fix the key the message names (it suggests the nearest known key).',
  },
  CLI_EXISTS: {
    meaning: 'The output file exists already.',
    action: 'Pass --force to replace it.',
  },
  CLI_BUSY: {
    meaning: 'Another medanchor command is using the data directory.',
    action: 'Wait for it to finish.',
  },
  CLI_LEGAL_HOLDS: {
    meaning: 'The legal hold list (legal-holds.json in the data directory) cannot be read.',
    action: 'Fix the file; nothing is forgotten while it is damaged.',
  },
  CLI_FORGET_UNKNOWN: {
    meaning:
      'Nothing to forget: no record with this id is in the log, the stamp list or beside it (never stamped, or forgotten already).',
    action:
      'Check the record id (the stamped file path); erasure keeps no trace of a forgotten id.',
  },
  CLI_NOT_INITIALIZED: {
    meaning: 'There is no data directory yet.',
    action: 'Run `medanchor init` first, or pass --data-dir.',
  },
  CLI_NO_WALLET: {
    meaning: 'There is no funding wallet.',
    action: 'Run `medanchor wallet create`, or set $MEDANCHOR_FUNDING_WIF.',
  },
  CLI_NO_BACKEND: {
    meaning: 'No Bitcoin backend is configured.',
    action:
      'Pass `--esplora <url>`, set `$MEDANCHOR_ESPLORA_URL`, or add "backend" to medanchor.config.json.',
  },
  CLI_STORE_SCHEME: {
    meaning: 'The store URL has a scheme medanchor does not know.',
    action: 'Use a directory path (the file store) or postgres://...',
  },
  CLI_UPGRADE: {
    meaning: 'The data directory was written by an older medanchor and must be upgraded first.',
    action: 'Run one command without --store to upgrade it, as the message says.',
  },
  CLI_PORT_IN_USE: {
    meaning: 'The port is already taken.',
    action: 'Stop the other program, or pass --port 0 for a free port.',
  },
  CLI_PORT_DENIED: {
    meaning: 'This user may not listen on the port.',
    action: 'Pick a port above 1023, or --port 0 for a free one.',
  },
  RECEIPT_REFUSED: {
    meaning: 'A receipt that does not verify was not written; the one there, if any, is kept.',
    action: 'Read the verification result; try again when the backend serves a valid proof.',
  },
  CLI_CONSENT_NOT_STAMPED: {
    meaning:
      '`consent status` was given a grant this project has not stamped (or whose file changed since its stamp), so the log has no record of it to prove.',
    action:
      'Stamp the grant file (`medanchor stamp <grant.json>`) and seal, then ask again; an auditor without the project uses `consent status --proof`.',
  },
  CLI_HEAD_MAP_MISSING: {
    meaning:
      "The head map's files are gone (no secret) while signed checkpoints carry a map root; nothing was opened or written.",
    action:
      'Restore the head-map folder (at least its secret) from the backup of the store, then run `medanchor head-map check` and `head-map rebuild`.',
  },
  CLI_HEAD_MAP_NOT_OPEN: {
    meaning: 'A command that did not open the head map tried to seal; nothing was sealed.',
    action: 'Seal with `medanchor seal` (or `serve`), which open the map.',
  },
  CLI_HEAD_MAP_REBUILD: {
    meaning:
      '`head-map rebuild` could not rebuild the signed map from the ledger (its secret is lost or another, or a record was forgotten after its seal); nothing was changed.',
    action:
      'Restore the head-map folder (or the PostgreSQL head-map tables) from a backup taken with the store.',
  },
  CLI_ERROR: {
    meaning: 'An unexpected error without a code of its own.',
    action: 'Run again with the same input; report it with the message if it persists.',
  },
} as const satisfies ErrorCatalogue;

declare module '@medanchor/core' {
  interface MedanchorErrorCodes extends ErrorCodesOf<typeof CLI_ERROR_CODES> {}
}
