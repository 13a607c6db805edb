import { type LedgerStore, MedanchorError, type Tombstone } from '@medanchor/core';

/**
 * Record ids that must not be forgotten (litigation, investigation, a regulator's
 * order): a list of ids, or a function that answers for one id.
 */
export type LegalHold = readonly string[] | ((recordId: string) => boolean);

/** Options of {@link forgetRecord} and `StoreLedger.forget`. */
export interface ForgetOptions {
  /** Ids under legal hold: forgetting one of them is refused with `LEDGER_LEGAL_HOLD`. */
  legalHold?: LegalHold;
  /** The time of erasure written in the tombstones, ms since the epoch (default now). */
  at?: number;
}

/** What a forget did. */
export interface ForgetResult {
  /**
   * One tombstone per leaf the record had, ascending. Empty when the store had no leaf
   * with that id: it was never added, or it was forgotten before (a forget keeps no
   * trace of the id, so the two cannot be told apart afterwards).
   */
  readonly tombstones: readonly Tombstone[];
}

/** True when `recordId` is under `hold`. */
export function isUnderLegalHold(hold: LegalHold | undefined, recordId: string): boolean {
  if (hold === undefined) return false;
  if (typeof hold === 'function') return hold(recordId) === true;
  return hold.includes(recordId);
}

/**
 * Erasure of one record from a ledger's store: every version's salt, digest, key, record
 * id and version, and the index entries that lead to its leaves, are deleted; each leaf
 * gets a tombstone (when, no salt). The tree, checkpoints and anchors do not change, so
 * every other record's receipt still verifies; a receipt of this record can no longer be
 * built. Crash-safe (the store's forget is atomic). See docs/privacy.md.
 *
 * @example
 * ```ts
 * const { tombstones } = await forgetRecord(store, 'Observation/obs-17', { legalHold: ['Patient/p-9'] });
 * ```
 * @throws MedanchorError `LEDGER_LEGAL_HOLD` (nothing erased), `STORE_FORGET_PENDING`
 * (a version is not sequenced yet; nothing erased), `INVALID_ARGUMENT`, the store's errors.
 */
export async function forgetRecord(
  store: LedgerStore,
  recordId: string,
  options: ForgetOptions = {},
): Promise<ForgetResult> {
  if (typeof recordId !== 'string' || recordId.length === 0)
    throw new MedanchorError('INVALID_ARGUMENT', 'forget takes a non-empty record id');
  if (isUnderLegalHold(options.legalHold, recordId))
    throw new MedanchorError(
      'LEDGER_LEGAL_HOLD',
      'this record is under legal hold and cannot be forgotten: lift the hold first (with the approval your retention policy requires); nothing was erased',
    );
  const at = options.at ?? Date.now();
  const tombstones = await store.forget(recordId, at);
  return { tombstones };
}
