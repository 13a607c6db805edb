import {
  CHECKPOINT_NOTE_TAG,
  CHECKPOINT_TAG,
  COMMITMENT_TAG,
  checkpointNotePrefix,
  concatBytes,
  encodeCheckpoint,
  fromHex,
  inclusionPathSides,
  LEAF_PREFIX,
  MedanchorError,
  NODE_PREFIX,
  type Receipt,
  readCheckpointNote,
  sha256,
  utf8,
} from '@medanchor/core';
import { BITCOIN_ANCHOR_TYPE, decodeBitcoinAnchorEntry } from '../anchor/entry.js';
import { CALENDAR_ANCHOR_TYPE, decodeCalendarEntry } from './calendar-entry.js';
import type { OtsAttestation, OtsFile, OtsOp, OtsTimestamp } from './format.js';

/** The parts of a confirmed Bitcoin anchor that an OpenTimestamps proof needs. */
export interface OtsBitcoinAnchor {
  /** The anchor transaction, serialized WITHOUT witness (its sha256d is the txid). */
  readonly rawTx: Uint8Array;
  /** Position of the transaction in its block. */
  readonly position: number;
  /** Bitcoin merkle branch siblings from the transaction up, internal byte order. */
  readonly branch: readonly Uint8Array[];
  /** Height of the block. */
  readonly height: number;
}

const tagPrefix = (tag: string) => {
  const t = sha256(utf8(tag));
  return concatBytes(t, t);
};
const SHA256: OtsOp = { op: 'sha256' };
const prepend = (arg: Uint8Array): OtsOp => ({ op: 'prepend', arg });
const append = (arg: Uint8Array): OtsOp => ({ op: 'append', arg });

/**
 * Exports a receipt with a confirmed Bitcoin anchor as an OpenTimestamps proof (`.ots`)
 * of the record: every link of medanchor's proof chain (commitment, log leaf, inclusion
 * path, checkpoint, transaction, block merkle branch) becomes OpenTimestamps append,
 * prepend and sha256 operations, ending in a Bitcoin block header attestation, so any
 * OpenTimestamps verifier can check it against the chain. docs/spec/ots.md gives the mapping.
 *
 * `anchor` defaults to the receipt's own Bitcoin anchor entry (a confirmed receipt). The
 * receipt's `ots-calendar` entries (docs/spec/ots-calendar.md) join the proof at the
 * checkpoint digest, pending or upgraded, so the file carries both attestations; a receipt
 * with calendar entries and no Bitcoin entry of its own exports with the calendars only.
 *
 * @throws `MedanchorError` `OTS_UNSUPPORTED` for receipts carried to a later
 * checkpoint, `OTS_ANCHOR_MISMATCH` when the transaction does not hold the checkpoint digest.
 */
export function receiptToOts(receipt: Receipt, anchor?: OtsBitcoinAnchor): OtsFile {
  const calendars = receipt.anchors
    .filter((a) => a.type === CALENDAR_ANCHOR_TYPE)
    .map((a) => decodeCalendarEntry(a).timestamp);
  const own =
    anchor ??
    (calendars.length > 0 && !receipt.anchors.some((a) => a.type === BITCOIN_ANCHOR_TYPE)
      ? undefined
      : bitcoinAnchorOf(receipt));
  if (receipt.carry !== undefined) {
    throw new MedanchorError(
      'OTS_UNSUPPORTED',
      'a receipt carried to a later checkpoint has no single hash path; export the receipt issued for the anchored checkpoint',
    );
  }
  const ops: OtsOp[] = [];
  // record digest -> commitment = taggedHash(commitment tag, salt || digest)
  ops.push(prepend(concatBytes(tagPrefix(COMMITMENT_TAG), fromHex(receipt.record.salt))), SHA256);
  // commitment -> leaf hash -> root
  ops.push(prepend(Uint8Array.of(LEAF_PREFIX)), SHA256);
  const proof = receipt.inclusionProof.map((h) => fromHex(h));
  const sides = inclusionPathSides(receipt.leafIndex, receipt.treeSize, proof.length);
  if (sides === undefined) {
    throw new MedanchorError(
      'OTS_UNSUPPORTED',
      "the receipt's inclusion proof does not fit its leaf index and tree size",
    );
  }
  sides.forEach((left, k) => {
    if (left) ops.push(prepend(concatBytes(Uint8Array.of(NODE_PREFIX), proof[k]!)), SHA256);
    else ops.push(prepend(Uint8Array.of(NODE_PREFIX)), append(proof[k]!), SHA256);
  });
  // root -> checkpoint digest: the root is the last 32 bytes of the encoded checkpoint
  const cp = receipt.checkpoint;
  if (cp.note !== undefined) {
    // A signed checkpoint: the root is last there too (docs/spec/signed-note.md §5).
    const read = readCheckpointNote(cp.note);
    const before = checkpointNotePrefix(read.parsed.text, read.logSignature);
    ops.push(prepend(concatBytes(tagPrefix(CHECKPOINT_NOTE_TAG), before)), SHA256);
  } else {
    const encoded = encodeCheckpoint({ origin: cp.origin, size: cp.size, root: fromHex(cp.root) });
    ops.push(
      prepend(concatBytes(tagPrefix(CHECKPOINT_TAG), encoded.subarray(0, encoded.length - 32))),
      SHA256,
    );
  }
  // checkpoint digest -> our anchor, and each calendar's timestamp from the same digest
  const atDigest: { attestations: OtsAttestation[]; ops: OtsTimestamp['ops'][number][] } = {
    attestations: [],
    ops: [],
  };
  if (own !== undefined) atDigest.ops.push(...anchorPath(fromHex(cp.digest), own).ops);
  for (const c of calendars) {
    atDigest.attestations.push(...c.attestations);
    atDigest.ops.push(...c.ops);
  }
  let timestamp: OtsTimestamp = atDigest;
  for (let k = ops.length - 1; k >= 0; k--)
    timestamp = { attestations: [], ops: [{ op: ops[k]!, next: timestamp }] };
  return { fileHash: 'sha256', digest: fromHex(receipt.record.digest), timestamp };
}

/** The operations from the checkpoint digest through the transaction and block to its attestation. */
function anchorPath(digest: Uint8Array, anchor: OtsBitcoinAnchor): OtsTimestamp {
  const ops: OtsOp[] = [];
  // checkpoint digest -> txid (internal order): the digest sits inside the transaction
  const at = indexOf(anchor.rawTx, digest);
  if (at < 0) {
    throw new MedanchorError(
      'OTS_ANCHOR_MISMATCH',
      'the anchor transaction does not contain the checkpoint digest',
    );
  }
  ops.push(
    prepend(anchor.rawTx.subarray(0, at)),
    append(anchor.rawTx.subarray(at + 32)),
    SHA256,
    SHA256,
  );
  // txid -> block merkle root, by the branch and the position's bits
  let pos = anchor.position;
  for (const sibling of anchor.branch) {
    ops.push(pos % 2 === 1 ? prepend(sibling) : append(sibling), SHA256, SHA256);
    pos = Math.floor(pos / 2);
  }
  let timestamp: OtsTimestamp = {
    attestations: [{ type: 'bitcoin', height: anchor.height }],
    ops: [],
  };
  for (let k = ops.length - 1; k >= 0; k--)
    timestamp = { attestations: [], ops: [{ op: ops[k]!, next: timestamp }] };
  return timestamp;
}

/** The parts of the receipt's first Bitcoin anchor entry that an `.ots` proof needs. */
function bitcoinAnchorOf(receipt: Receipt): OtsBitcoinAnchor {
  const entry = receipt.anchors.find((a) => a.type === BITCOIN_ANCHOR_TYPE);
  if (entry === undefined) {
    throw new MedanchorError(
      'OTS_UNSUPPORTED',
      'the receipt has no Bitcoin anchor yet: export it once its anchor is confirmed (ledger.sync())',
    );
  }
  const proof = decodeBitcoinAnchorEntry(entry);
  if (proof.commitment !== undefined) {
    // The digest is not in the transaction's bytes but in a point addition on secp256k1,
    // which no OpenTimestamps operation (hashes, prepend, append) can express.
    throw new MedanchorError(
      'OTS_UNSUPPORTED',
      'this anchor commits by a taproot key tweak (an elliptic-curve operation), which an OpenTimestamps proof cannot express: verify the receipt itself (`medanchor verify`, levels 2 and 3)',
    );
  }
  return {
    rawTx: proof.rawTx,
    position: proof.position,
    branch: proof.branch,
    height: proof.height,
  };
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
