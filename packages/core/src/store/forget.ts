import { MedanchorError } from '../errors.js';
import type { LeafRecord, PendingRecord, Tombstone } from './types.js';
import { MAX_KEY_LENGTH } from './validate.js';

// Erasure ("forget") shared by every store: argument checks, the refusal while a
// record is pending, and the shape of a forgotten leaf. Normative: docs/spec/tombstone.md.

/**
 * Checks the arguments of {@link LedgerStore.forget}.
 * @throws {@link MedanchorError} `INVALID_ARGUMENT`.
 */
export function checkForgetArgs(recordId: unknown, at: unknown): asserts recordId is string {
  if (typeof recordId !== 'string' || recordId.length === 0 || recordId.length > MAX_KEY_LENGTH) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      `forget takes a record id of 1 to ${MAX_KEY_LENGTH} characters`,
    );
  }
  if (!Number.isSafeInteger(at) || (at as number) < 0) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'forget takes the time of erasure in milliseconds since the epoch (a non-negative integer)',
    );
  }
}

/**
 * The refusal of a forget while a record with that id waits to be sequenced: it has no
 * leaf yet, and erasing it from under the sequencer would lose an acknowledged record.
 */
export function forgetPendingError(count: number): MedanchorError {
  return new MedanchorError(
    'STORE_FORGET_PENDING',
    `${count} record(s) with this record id are not sequenced yet: seal (or wait for the sequencer), then forget again; nothing was erased`,
    { details: { pending: count } },
  );
}

/** How many pending records carry this record id. */
export function pendingHasRecord(pending: Iterable<PendingRecord>, recordId: string): number {
  let n = 0;
  for (const p of pending) if (p.recordId === recordId) n++;
  return n;
}

/**
 * A leaf as a store returns it once forgotten: the commitment (the leaf hash input)
 * stays, salt and digest are empty, and no key, record id or version is left.
 */
export function forgottenLeaf(
  index: number,
  pendingId: string,
  commitment: Uint8Array,
  forgottenAt: number,
): LeafRecord {
  return {
    index,
    pendingId,
    salt: new Uint8Array(0),
    digest: new Uint8Array(0),
    commitment,
    forgottenAt,
  };
}

/** The tombstone of a forgotten leaf. */
export function tombstoneOf(leaf: LeafRecord): Tombstone | undefined {
  if (leaf.forgottenAt === undefined) return undefined;
  return { index: leaf.index, commitment: leaf.commitment, forgottenAt: leaf.forgottenAt };
}

/**
 * Checks a leaf index for {@link LedgerStore.tombstone}.
 * @throws {@link MedanchorError} `INVALID_ARGUMENT`.
 */
export function checkLeafIndex(index: unknown): asserts index is number {
  if (!Number.isSafeInteger(index) || (index as number) < 0) {
    throw new MedanchorError('INVALID_ARGUMENT', 'a leaf index is a non-negative safe integer');
  }
}

/** The maps of the memory store that a forget edits. */
export interface MemoryForgetState {
  readonly pending: ReadonlyMap<string, PendingRecord>;
  readonly leaves: LeafRecord[];
  readonly byKey: Map<string, number>;
  readonly byRecord: Map<string, number[]>;
  readonly acks: Map<string, unknown>;
}

/** {@link LedgerStore.forget} for the memory store: see there. */
export function forgetInMemory(s: MemoryForgetState, recordId: string, at: number): Tombstone[] {
  checkForgetArgs(recordId, at);
  const waiting = pendingHasRecord(s.pending.values(), recordId);
  if (waiting > 0) throw forgetPendingError(waiting);
  const out: Tombstone[] = [];
  for (const index of s.byRecord.get(recordId) ?? []) {
    const leaf = s.leaves[index]!;
    if (leaf.key !== undefined) {
      s.byKey.delete(leaf.key);
      s.acks.delete(leaf.key);
    }
    // Overwrite the bytes too: the old arrays may be referenced elsewhere in the process.
    leaf.salt.fill(0);
    leaf.digest.fill(0);
    s.leaves[index] = forgottenLeaf(index, leaf.pendingId, leaf.commitment, at);
    out.push({ index, commitment: leaf.commitment, forgottenAt: at });
  }
  s.byRecord.delete(recordId);
  return out;
}

/**
 * The refusal to build a receipt for a forgotten leaf: its salt is gone, so no receipt
 * can link it to a record any more. Details name the leaf and the time, nothing else.
 */
export function recordForgotten(leaf: { index: number; forgottenAt?: number }): MedanchorError {
  const at = leaf.forgottenAt ?? 0;
  return new MedanchorError(
    'RECORD_FORGOTTEN',
    `leaf ${leaf.index} was forgotten on ${new Date(at).toISOString()}: its salt and digest are erased, so no receipt can be built for it`,
    { details: { leafIndex: leaf.index, forgottenAt: new Date(at).toISOString() } },
  );
}
