import { type NoteVerifierKey, parseVerifierKey, toVerifierKey } from '@medanchor/core';
import type { ResolvedConfig } from './config.js';
import { logKeyPath, readLogKey } from './log-key.js';
import { usageError } from './usage-error.js';

/** The log keys a head proof is checked with, and where they came from (for the output). */
export interface HeadProofKeys {
  readonly keys: NoteVerifierKey[];
  /** `vkey` (given with --vkey), `trust` (the config's trust policy) or `log-key` (this project's). */
  readonly source: 'vkey' | 'trust' | 'log-key';
}

/**
 * The keys to check a head proof's checkpoint with: the `--vkey`s given, else every log
 * key of the config's trust policy, else this project's own log key (an operator checking
 * what its ledger proves). An auditor passes the vkey the operator published.
 * @throws MedanchorError `CLI_USAGE` for a malformed vkey, or when no key can be found;
 * `CLI_INPUT` for an unreadable log key file.
 */
export function headProofKeys(config: ResolvedConfig, vkeys: readonly string[]): HeadProofKeys {
  if (vkeys.length > 0) {
    return {
      source: 'vkey',
      keys: vkeys.map((v) => {
        try {
          return parseVerifierKey(v);
        } catch {
          throw usageError(
            `--vkey "${v.slice(0, 80)}" is not a verifier key (<name>+<id>+<base64 key>, as \`medanchor init\` prints it)`,
          );
        }
      }),
    };
  }
  const trusted = config.trust?.logs.flatMap((l) => l.keys.map((k) => parseVerifierKey(k))) ?? [];
  if (trusted.length > 0) return { source: 'trust', keys: trusted };
  const own = readLogKey(logKeyPath(config));
  if (own !== undefined) return { source: 'log-key', keys: [toVerifierKey(own)] };
  throw usageError(
    'give the log\'s verifier key: --vkey <vkey> (as `medanchor init` printed it), or a "trust" policy in the config',
  );
}
