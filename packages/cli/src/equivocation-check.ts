import { readFileSync } from 'node:fs';
import {
  type Equivocation,
  findEquivocations,
  type NoteVerifierKey,
  parseVerifierKey,
  type TrustPolicy,
} from '@medanchor/core';
import { inputError, usageError } from './usage-error.js';

// `medanchor verify` compares every signed checkpoint it is shown (the receipts' and any
// --checkpoint files) for equivocation: one log, one size, two roots.

/** The signed checkpoint notes a receipt file carries (its own and a carried one). */
function notesOfReceipt(path: string): string[] {
  let r: unknown;
  try {
    r = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return []; // the receipt's own verification reports an unreadable file
  }
  const o = r as { checkpoint?: { note?: unknown }; carry?: { checkpoint?: { note?: unknown } } };
  return [o?.checkpoint?.note, o?.carry?.checkpoint?.note].filter(
    (n): n is string => typeof n === 'string',
  );
}

/**
 * Finds equivocation among the receipts' checkpoints and the `--checkpoint` note files,
 * judged by the log keys of the trust policy.
 * @throws MedanchorError `CLI_USAGE` when notes are given without a trust policy, `CLI_INPUT`
 * for an unreadable note file.
 */
export function equivocationsOf(
  receiptPaths: readonly string[],
  checkpointFiles: readonly string[],
  trust: TrustPolicy | undefined,
): Equivocation[] {
  if (trust === undefined) {
    if (checkpointFiles.length > 0)
      throw usageError(
        '--checkpoint needs a trust policy (config key "trust"): only checkpoints signed by a trusted log key are evidence',
      );
    return [];
  }
  const keys: NoteVerifierKey[] = trust.logs.flatMap((l) => l.keys.map((k) => parseVerifierKey(k)));
  const notes = receiptPaths.flatMap(notesOfReceipt);
  const fromReceipts = notes.length;
  for (const f of checkpointFiles) {
    try {
      notes.push(readFileSync(f, 'utf8'));
    } catch (e) {
      throw inputError(`cannot read the checkpoint file ${f}`, e);
    }
  }
  const report = findEquivocations(notes, keys);
  // A receipt's unverifiable note is its own verification's failure; a --checkpoint file
  // that proves nothing is the caller's mistake.
  const bad = report.ignored.find((i) => i.index >= fromReceipts);
  if (bad !== undefined)
    throw inputError(
      `${checkpointFiles[bad.index - fromReceipts]} is not a checkpoint note signed by a log key of the trust policy: ${bad.reason}`,
    );
  return [...report.equivocations];
}

/** One line per equivocation, for the text output. */
export function equivocationLines(found: readonly Equivocation[]): string[] {
  return found.map(
    (e) =>
      `EQUIVOCATION: log ${e.origin} signed two different checkpoints of size ${e.size} (roots ${e.roots[0].slice(0, 16)}... and ${e.roots[1].slice(0, 16)}...): it shows two histories; keep both notes (--json prints them) as evidence`,
  );
}
