import { forgottenLeaf, type LeafRecord, type PendingRecord } from '@medanchor/core';

/** A `bytea` as node-postgres returns it (a Buffer), copied into a plain Uint8Array. */
export function bytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

/** A Uint8Array as a Buffer view for node-postgres parameters (no copy). */
export function param(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Columns of `medanchor_pending` and `medanchor_leaves` (int8 arrives as a string). */
export interface RecordRow {
  pending_id: string;
  salt: Uint8Array;
  digest: Uint8Array;
  commitment: Uint8Array;
  idem_key: string | null;
  record_id: string | null;
  version: string | null;
}

/** A leaf row also carries its index, and when it was forgotten (salt and digest NULL then). */
export interface LeafRow extends Omit<RecordRow, 'salt' | 'digest'> {
  leaf_index: string;
  salt: Uint8Array | null;
  digest: Uint8Array | null;
  forgotten_ms?: string | null;
}

/** The row of a pending record as the contract's {@link PendingRecord}. */
export function pendingRecord(r: RecordRow): PendingRecord {
  return {
    pendingId: r.pending_id,
    salt: bytes(r.salt),
    digest: bytes(r.digest),
    commitment: bytes(r.commitment),
    ...(r.idem_key === null ? {} : { key: r.idem_key }),
    ...(r.record_id === null ? {} : { recordId: r.record_id }),
    ...(r.version === null ? {} : { version: Number(r.version) }),
  };
}

/** The row of a sequenced record as the contract's {@link LeafRecord}. */
export function leafRecord(r: LeafRow): LeafRecord {
  if (r.salt === null || r.digest === null)
    return forgottenLeaf(
      Number(r.leaf_index),
      r.pending_id,
      bytes(r.commitment),
      Number(r.forgotten_ms ?? 0),
    );
  return { ...pendingRecord(r as RecordRow), index: Number(r.leaf_index) };
}

/** The columns a record read selects, in {@link RecordRow} order. */
export const RECORD_COLUMNS = 'pending_id, salt, digest, commitment, idem_key, record_id, version';

/** The columns a leaf read selects: a record's, and when it was forgotten. */
export const LEAF_COLUMNS = `${RECORD_COLUMNS}, forgotten_ms`;

/** Columns of a pending record with salt, digest and commitment in one 96-byte value. */
export const PACKED_RECORD_COLUMNS =
  'pending_id, salt || digest || commitment as packed, idem_key, record_id, version';

/** A row selected with {@link PACKED_RECORD_COLUMNS}. */
export interface PackedRecordRow extends Omit<RecordRow, 'salt' | 'digest' | 'commitment'> {
  packed: Uint8Array;
}

/** The row of a pending record read packed, as the contract's {@link PendingRecord}. */
export function packedPendingRecord(r: PackedRecordRow): PendingRecord {
  const b = bytes(r.packed);
  return {
    pendingId: r.pending_id,
    salt: b.subarray(0, 32),
    digest: b.subarray(32, 64),
    commitment: b.subarray(64, 96),
    ...(r.idem_key === null ? {} : { key: r.idem_key }),
    ...(r.record_id === null ? {} : { recordId: r.record_id }),
    ...(r.version === null ? {} : { version: Number(r.version) }),
  };
}
