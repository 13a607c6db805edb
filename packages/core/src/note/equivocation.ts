import { toHex } from '../bytes.js';
import { verifyCheckpointNote } from './checkpoint-note.js';
import type { NoteVerifierKey } from './keys.js';

/**
 * Two signed checkpoints of one log at one size with different roots: the log showed
 * two histories. Each note verifies against a trusted log key, so together they prove it.
 */
export interface Equivocation {
  /** The log origin. */
  readonly origin: string;
  /** The tree size both checkpoints state. */
  readonly size: number;
  /** The two roots, hex, in the order of {@link Equivocation.evidence}. */
  readonly roots: readonly [string, string];
  /** The two signed notes exactly as given: the evidence to publish. */
  readonly evidence: readonly [string, string];
}

/** Result of {@link findEquivocations}. */
export interface EquivocationReport {
  /** Every pair of conflicting checkpoints (the first note seen for a root stands for it). */
  readonly equivocations: readonly Equivocation[];
  /** Notes left out because they do not verify against the keys: no evidence of anything. */
  readonly ignored: readonly { readonly index: number; readonly reason: string }[];
}

/**
 * Compares signed checkpoints (from receipts, witnesses, mirrors, gossip) and reports each
 * origin and size for which two of them state different roots. Only notes whose signature
 * by one of `logKeys` verifies count: an unsigned or forged note proves nothing. Never throws.
 *
 * @example
 * ```ts
 * const { equivocations } = findEquivocations([noteA, noteB], [parseVerifierKey(logVkey)]);
 * for (const e of equivocations) console.log(`${e.origin} forked at ${e.size}`, e.evidence);
 * ```
 */
export function findEquivocations(
  notes: readonly (string | Uint8Array)[],
  logKeys: readonly NoteVerifierKey[],
): EquivocationReport {
  const firstByRoot = new Map<string, Map<string, string>>();
  const equivocations: Equivocation[] = [];
  const ignored: { index: number; reason: string }[] = [];
  const logOnly = logKeys.filter((k) => k.type === 0x01);
  notes.forEach((note, index) => {
    const r = verifyCheckpointNote(note, logOnly);
    if (!r.ok) {
      ignored.push({ index, reason: r.message });
      return;
    }
    const text = typeof note === 'string' ? note : new TextDecoder().decode(note);
    const at = `${r.checkpoint.origin}\n${r.checkpoint.size}`;
    const root = toHex(r.checkpoint.root);
    const roots = firstByRoot.get(at) ?? new Map<string, string>();
    if (!roots.has(root)) {
      for (const [other, otherNote] of roots) {
        equivocations.push({
          origin: r.checkpoint.origin,
          size: r.checkpoint.size,
          roots: [other, root],
          evidence: [otherNote, text],
        });
      }
      roots.set(root, text);
    }
    firstByRoot.set(at, roots);
  });
  return { equivocations, ignored };
}
