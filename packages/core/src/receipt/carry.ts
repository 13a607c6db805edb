import { fromHex, toHex } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { verifyConsistency } from '../merkle/index.js';
import type { Checkpoint } from './checkpoint.js';
import { parseReceipt } from './parse.js';
import { type Receipt, toReceiptCheckpoint } from './receipt.js';

/**
 * Carries a receipt to a later checkpoint of the same log: the receipt keeps its
 * inclusion proof and gains `carry` (the later checkpoint and a consistency proof from
 * its own checkpoint), so an anchor of the later checkpoint proves the record too.
 * Carrying an already carried receipt replaces the carry (the proof must start at
 * `receipt.checkpoint.size`). Pass the later checkpoint's signed note when the log signs
 * its checkpoints: anchors then commit to the signed checkpoint.
 *
 * @example
 * ```ts
 * const later = { origin, size: log.size, root: log.root() };
 * const carried = carryReceipt(receipt, later, log.consistencyProof(receipt.checkpoint.size));
 * ```
 * @throws {@link MedanchorError} `RECEIPT_HAS_ANCHORS` when the receipt already carries
 * anchors (they commit to another checkpoint), `RECEIPT_CARRY_INVALID` when the
 * checkpoint is of another log or smaller, or the proof does not verify;
 * `CHECKPOINT_MISMATCH` when the note states another checkpoint.
 */
export function carryReceipt(
  receipt: Receipt,
  later: Checkpoint,
  consistencyProof: readonly Uint8Array[],
  note?: Uint8Array | string,
): Receipt {
  const r = parseReceipt(receipt);
  if (r.anchors.length > 0) {
    throw new MedanchorError(
      'RECEIPT_HAS_ANCHORS',
      'this receipt already has anchors for its checkpoint: carry the receipt before anchors are attached, or keep it as is',
    );
  }
  const target = toReceiptCheckpoint(later, note);
  const invalid = (why: string): never => {
    throw new MedanchorError('RECEIPT_CARRY_INVALID', `cannot carry the receipt: ${why}`, {
      details: { from: r.checkpoint.size, to: later.size },
    });
  };
  if (later.origin !== r.checkpoint.origin) invalid('the later checkpoint is of another log');
  if (later.size < r.checkpoint.size) invalid('the later checkpoint is smaller');
  let ok = false;
  try {
    ok = verifyConsistency(
      r.checkpoint.size,
      later.size,
      [...consistencyProof],
      fromHex(r.checkpoint.root),
      later.root,
    );
  } catch {
    ok = false;
  }
  if (!ok) invalid('the consistency proof does not link the two checkpoints');
  return {
    ...r,
    carry: { checkpoint: target, consistencyProof: consistencyProof.map(toHex) },
  };
}
