import { toHex } from '../bytes.js';
import type { RecordCommitment } from '../commitment/index.js';
import { MedanchorError } from '../errors.js';
import { type Checkpoint, checkpointDigest } from './checkpoint.js';
import { parseReceipt } from './parse.js';
import { readCheckpointNoteOf } from './signed-checkpoint.js';

/** The receipt format version this module writes and reads. */
export const RECEIPT_VERSION = 1;

/**
 * One anchor of a receipt's checkpoint, filled in by the package that made it
 * (e.g. a Bitcoin transaction from `@medanchor/chain`). Core only knows `type`;
 * the other fields belong to the anchor's own spec.
 */
export interface ReceiptAnchor {
  /** Anchor kind, lowercase, e.g. `"bitcoin"`; selects the verifier. */
  readonly type: string;
  /** Fields defined by the anchor type. */
  readonly [field: string]: unknown;
}

/** A checkpoint as it appears in a receipt: hex root and its tagged digest. */
export interface ReceiptCheckpoint {
  /** Log name. */
  readonly origin: string;
  /** Number of leaves. */
  readonly size: number;
  /** Root hash, 64 lowercase hex characters. */
  readonly root: string;
  /**
   * What anchors commit to, 64 lowercase hex characters: `checkpointDigest` of (origin, size,
   * root), or for a signed checkpoint (`note` present) `checkpointNoteDigest` of the note text
   * and the log key (docs/spec/signed-note.md).
   */
  readonly digest: string;
  /**
   * The checkpoint as a C2SP signed note (tlog-checkpoint body, the log's signature first,
   * then any witness cosignatures). Optional: receipts of unsigned logs have none.
   */
  readonly note?: string;
}

/** The commitment inputs of a receipt (never the record itself). */
export interface ReceiptRecord {
  /** The 32-byte salt, hex. Secret: share a receipt only with who may link it to the record. */
  readonly salt: string;
  /** SHA-256 of the record, hex. */
  readonly digest: string;
  /** The commitment (the log leaf), hex. */
  readonly commitment: string;
}

/**
 * Moves the point of proof of a receipt to a later checkpoint of the same log,
 * by a consistency proof from the receipt's own checkpoint.
 */
export interface ReceiptCarry {
  /** The later checkpoint; anchors then commit to its digest. */
  readonly checkpoint: ReceiptCheckpoint;
  /** RFC 9162 consistency proof from `receipt.checkpoint.size` to `checkpoint.size`, hex hashes. */
  readonly consistencyProof: readonly string[];
}

/**
 * Receipt v1: everything needed to verify offline that a record was committed to a
 * checkpoint of a log (and, with anchors, when). See docs/spec/receipt.md.
 */
export interface Receipt {
  /** Always 1 for this format. */
  readonly version: 1;
  /** Commitment inputs. */
  readonly record: ReceiptRecord;
  /** Index of the commitment in the log. */
  readonly leafIndex: number;
  /** Tree size the inclusion proof is for; equals `checkpoint.size`. */
  readonly treeSize: number;
  /** RFC 9162 inclusion proof, hex hashes from the leaf up. */
  readonly inclusionProof: readonly string[];
  /** The checkpoint the record is included in. */
  readonly checkpoint: ReceiptCheckpoint;
  /** Optional move to a later checkpoint by consistency proof. */
  readonly carry?: ReceiptCarry;
  /** Anchors of the anchored checkpoint (`carry.checkpoint` if present, else `checkpoint`). */
  readonly anchors: readonly ReceiptAnchor[];
}

/**
 * The receipt form of a checkpoint (hex root, computed digest), with its signed note when
 * given: the digest is then the signed checkpoint's.
 * @throws {@link MedanchorError} `CHECKPOINT_MISMATCH` when the note states another
 * checkpoint; `NOTE_MALFORMED`, `NOTE_TOO_LONG`, `CHECKPOINT_MALFORMED` for a bad note.
 */
export function toReceiptCheckpoint(cp: Checkpoint, note?: Uint8Array | string): ReceiptCheckpoint {
  if (note === undefined) {
    return {
      origin: cp.origin,
      size: cp.size,
      root: toHex(cp.root),
      digest: toHex(checkpointDigest(cp)),
    };
  }
  const read = readCheckpointNoteOf(cp, note);
  return {
    origin: cp.origin,
    size: cp.size,
    root: toHex(cp.root),
    digest: toHex(read.digest),
    note: read.note,
  };
}

/** Inputs of {@link buildReceipt}. */
export interface BuildReceiptInput {
  /** The record's commitment (salt, digest, commitment). */
  readonly commitment: RecordCommitment;
  /** Index of the commitment in the log. */
  readonly leafIndex: number;
  /** The checkpoint the proof is for. */
  readonly checkpoint: Checkpoint;
  /** Inclusion proof of `leafIndex` at `checkpoint.size`. */
  readonly inclusionProof: readonly Uint8Array[];
  /** Anchors to attach (default none). */
  readonly anchors?: readonly ReceiptAnchor[];
  /** The checkpoint's signed note, when the log signs its checkpoints. */
  readonly note?: Uint8Array | string;
}

/**
 * Assembles a v1 receipt. Does not verify it: use `verifyReceipt` for that.
 * @throws {@link MedanchorError} `INVALID_ORIGIN`, `INVALID_SIZE` or `INVALID_LENGTH` on a bad checkpoint.
 */
export function buildReceipt(input: BuildReceiptInput): Receipt {
  return assemble(input, toReceiptCheckpoint(input.checkpoint, input.note));
}

/**
 * {@link buildReceipt} at a checkpoint already converted by {@link toReceiptCheckpoint}
 * from `input.checkpoint` (and its note), so many receipts of one checkpoint, built one
 * at a time, compute its digest once. Does not check that the two agree.
 */
export function buildReceiptAt(
  input: Omit<BuildReceiptInput, 'note'>,
  checkpoint: ReceiptCheckpoint,
): Receipt {
  return assemble(input, checkpoint);
}

/**
 * Receipts for consecutive leaves `firstIndex, firstIndex + 1, ...` of one checkpoint
 * (what a seal produces): the checkpoint digest is computed once for all of them.
 * @throws {@link MedanchorError} `INVALID_LENGTH` when there are not as many proofs as commitments.
 */
export function buildReceipts(
  commitments: readonly RecordCommitment[],
  firstIndex: number,
  checkpoint: Checkpoint,
  inclusionProofs: readonly (readonly Uint8Array[])[],
  note?: Uint8Array | string,
): Receipt[] {
  if (inclusionProofs.length !== commitments.length) {
    throw new MedanchorError('INVALID_LENGTH', 'give one inclusion proof per commitment', {
      details: { commitments: commitments.length, proofs: inclusionProofs.length },
    });
  }
  const cp = toReceiptCheckpoint(checkpoint, note);
  // Proofs of one batch share nodes (MerkleLog returns one array per node): hex each once.
  const hexOf = new Map<Uint8Array, string>();
  const hex = (h: Uint8Array) => {
    let text = hexOf.get(h);
    if (text === undefined) {
      text = toHex(h);
      hexOf.set(h, text);
    }
    return text;
  };
  return commitments.map((commitment, i) =>
    assemble(
      { commitment, leafIndex: firstIndex + i, checkpoint, inclusionProof: inclusionProofs[i]! },
      cp,
      hex,
    ),
  );
}

function assemble(
  input: BuildReceiptInput,
  checkpoint: ReceiptCheckpoint,
  hex: (h: Uint8Array) => string = toHex,
): Receipt {
  return {
    version: RECEIPT_VERSION,
    record: {
      salt: toHex(input.commitment.salt),
      digest: toHex(input.commitment.digest),
      commitment: toHex(input.commitment.commitment),
    },
    leafIndex: input.leafIndex,
    treeSize: input.checkpoint.size,
    inclusionProof: input.inclusionProof.map(hex),
    checkpoint,
    anchors: [...(input.anchors ?? [])],
  };
}

function checkpointJson(cp: ReceiptCheckpoint): ReceiptCheckpoint {
  const out = { origin: cp.origin, size: cp.size, root: cp.root, digest: cp.digest };
  return cp.note === undefined ? out : { ...out, note: cp.note };
}

/**
 * Canonical JSON text of a receipt: compact, fields in spec order, no whitespace.
 * Anchors keep their own field order.
 * @throws {@link MedanchorError} `RECEIPT_MALFORMED` if `receipt` is not a valid v1 receipt.
 */
export function encodeReceipt(receipt: Receipt): string {
  // Normalise through the parser so an invalid object is never written out.
  const r = parseReceipt(receipt);
  const out: Record<string, unknown> = {
    version: r.version,
    record: { salt: r.record.salt, digest: r.record.digest, commitment: r.record.commitment },
    leafIndex: r.leafIndex,
    treeSize: r.treeSize,
    inclusionProof: r.inclusionProof,
    checkpoint: checkpointJson(r.checkpoint),
  };
  if (r.carry !== undefined) {
    out['carry'] = {
      checkpoint: checkpointJson(r.carry.checkpoint),
      consistencyProof: r.carry.consistencyProof,
    };
  }
  out['anchors'] = r.anchors;
  return JSON.stringify(out);
}
