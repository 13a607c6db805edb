import { createHash, type Hash } from 'node:crypto';
import { COMMITMENT_TAG } from '../../commitment/commitment.js';
import { MedanchorError } from '../../errors.js';
import type { PendingRecord } from '../../store/types.js';

// The byte layouts of the file ledger store (normative: docs/spec/storage.md).

/** The head file: the one pointer that commits every change (written atomically). */
export const HEAD_FILE = 'head.json';
/** `format` field of the head. */
export const HEAD_FORMAT = 'medanchor-file-ledger';
/** Bytes per record of `leaves.bin`. */
export const LEAF_RECORD_BYTES = 84;
/** Bytes per record of `checkpoints.bin`. */
export const CHECKPOINT_RECORD_BYTES = 52;
/** Bytes per entry of an index segment. */
export const INDEX_ENTRY_BYTES = 24;

/** One index segment as the head lists it. */
export interface IndexSegmentRef {
  /** First leaf index the segment covers. */
  readonly start: number;
  /** One past the last leaf index it covers. */
  readonly end: number;
  /** Number of 24-byte entries. */
  readonly entries: number;
}

/** The head: everything open needs besides the tails it points to. */
export interface Head {
  readonly format: typeof HEAD_FORMAT;
  readonly schema: number;
  readonly origin: string;
  /** Number of sequenced leaves. */
  readonly size: number;
  /** Bytes of `leafmeta.bin` in use. */
  readonly metaBytes: number;
  /** Number of checkpoints in `checkpoints.bin`. */
  readonly checkpoints: number;
  /** Bytes of `notes.bin` in use. */
  readonly notesBytes: number;
  /** Every pending id below this is not pending (sequenced, or never acknowledged). */
  readonly pendingBelow: number;
  /** Pending ids at or above `pendingBelow` that are already sequenced. */
  readonly pendingDone: readonly number[];
  /** Largest fencing token handed out. */
  readonly leaseToken: number;
  /** Index segments, oldest first. */
  readonly index: readonly IndexSegmentRef[];
}

/** The head of a new, empty store. */
export function emptyHead(origin: string, schema: number): Head {
  return {
    format: HEAD_FORMAT,
    schema,
    origin,
    size: 0,
    metaBytes: 0,
    checkpoints: 0,
    notesBytes: 0,
    pendingBelow: 1,
    pendingDone: [],
    leaseToken: 0,
    index: [],
  };
}

const corruptHead = (why: string) =>
  new MedanchorError(
    'STORE_CORRUPT',
    `the ledger store's ${HEAD_FILE} is damaged (${why}): restore the directory from a backup`,
  );

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * Parses head bytes. Checks the format and the field shapes, not the schema version
 * or origin (the caller does, to name the refusal precisely).
 * @throws {@link MedanchorError} `STORE_CORRUPT`.
 */
export function parseHead(bytes: Uint8Array): Head {
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw corruptHead('not JSON');
  }
  if (h === null || typeof h !== 'object' || h['format'] !== HEAD_FORMAT) {
    throw corruptHead('not a medanchor file ledger head');
  }
  if (!isCount(h['schema'])) throw corruptHead('bad schema field');
  return h as unknown as Head;
}

/**
 * Checks the fields of a head of the known schema version.
 * @throws {@link MedanchorError} `STORE_CORRUPT`.
 */
export function checkHeadFields(h: Head): void {
  const counts = [
    h.size,
    h.metaBytes,
    h.checkpoints,
    h.notesBytes,
    h.pendingBelow,
    h.leaseToken,
  ] as unknown[];
  if (!counts.every(isCount) || typeof h.origin !== 'string') throw corruptHead('bad counters');
  if (!Array.isArray(h.pendingDone) || !h.pendingDone.every(isCount)) {
    throw corruptHead('bad pendingDone');
  }
  const okSeg = (s: IndexSegmentRef) =>
    s !== null && typeof s === 'object' && isCount(s.start) && isCount(s.end) && isCount(s.entries);
  if (!Array.isArray(h.index) || !h.index.every(okSeg)) throw corruptHead('bad index list');
}

/** Head bytes: JSON, one line. */
export function encodeHead(h: Head): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(h)}\n`);
}

/** The UTF-8 coders of leaf meta. */
export const ENCODER = new TextEncoder();
export const DECODER = new TextDecoder();

const FLAG_KEY = 1;
const FLAG_RECORD = 2;
const FLAG_VERSION = 4;

/** Optional fields of a record. */
export interface RecordMeta {
  readonly key?: string;
  readonly recordId?: string;
  readonly version?: number;
}

/**
 * Meta bytes: `u8 flags | [u16 len | key UTF-8] | [u16 len | recordId UTF-8] | [u64 version]`,
 * big-endian; flag bits 1 key, 2 record id, 4 version. Empty (0 bytes) when none is set.
 */
export function encodeMeta(m: RecordMeta): Uint8Array {
  if (m.key === undefined && m.recordId === undefined && m.version === undefined) {
    return new Uint8Array(0);
  }
  const enc = ENCODER;
  const key = m.key === undefined ? undefined : enc.encode(m.key);
  const rec = m.recordId === undefined ? undefined : enc.encode(m.recordId);
  const len =
    1 + (key ? 2 + key.length : 0) + (rec ? 2 + rec.length : 0) + (m.version === undefined ? 0 : 8);
  const out = new Uint8Array(len);
  const view = new DataView(out.buffer);
  out[0] =
    (key ? FLAG_KEY : 0) | (rec ? FLAG_RECORD : 0) | (m.version === undefined ? 0 : FLAG_VERSION);
  let p = 1;
  for (const s of [key, rec]) {
    if (s === undefined) continue;
    view.setUint16(p, s.length);
    out.set(s, p + 2);
    p += 2 + s.length;
  }
  if (m.version !== undefined) view.setBigUint64(p, BigInt(m.version));
  return out;
}

/**
 * Reads meta bytes written by {@link encodeMeta}.
 * @throws {@link MedanchorError} `STORE_CORRUPT`.
 */
export function decodeMeta(bytes: Uint8Array): RecordMeta {
  if (bytes.length === 0) return {};
  const bad = () =>
    new MedanchorError(
      'STORE_CORRUPT',
      'a record of the ledger store is damaged: restore from a backup',
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dec = DECODER;
  const flags = bytes[0]!;
  let p = 1;
  const text = () => {
    if (p + 2 > bytes.length) throw bad();
    const n = view.getUint16(p);
    if (p + 2 + n > bytes.length) throw bad();
    const s = dec.decode(bytes.subarray(p + 2, p + 2 + n));
    p += 2 + n;
    return s;
  };
  const out: { key?: string; recordId?: string; version?: number } = {};
  if (flags & FLAG_KEY) out.key = text();
  if (flags & FLAG_RECORD) out.recordId = text();
  if (flags & FLAG_VERSION) {
    if (p + 8 > bytes.length) throw bad();
    out.version = Number(view.getBigUint64(p));
    p += 8;
  }
  if (p !== bytes.length || flags > 7) throw bad();
  return out;
}

/**
 * A pending journal entry: `u64 pendingId | salt (32) | digest (32) | meta`, big-endian.
 */
export function encodePendingEntry(id: number, r: Omit<PendingRecord, 'pendingId'>): Uint8Array {
  const meta = encodeMeta(r);
  const out = new Uint8Array(72 + meta.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(id));
  out.set(r.salt, 8);
  out.set(r.digest, 40);
  out.set(meta, 72);
  return out;
}

/** Reads a pending journal entry (without its commitment). */
export function decodePendingEntry(bytes: Uint8Array): {
  id: number;
  salt: Uint8Array;
  digest: Uint8Array;
  meta: RecordMeta;
} {
  if (bytes.length < 72) {
    throw new MedanchorError(
      'STORE_CORRUPT',
      'a pending journal entry is too short: restore from a backup',
    );
  }
  const id = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0));
  return {
    id,
    salt: bytes.slice(8, 40),
    digest: bytes.slice(40, 72),
    meta: decodeMeta(bytes.subarray(72)),
  };
}

/**
 * A `leaves.bin` record: `salt (32) | digest (32) | u64 pendingId | u64 metaOffset | u32 metaLength`.
 */
export function encodeLeafRecord(
  out: Uint8Array,
  at: number,
  salt: Uint8Array,
  digest: Uint8Array,
  pendingId: number,
  metaOffset: number,
  metaLength: number,
): void {
  out.set(salt, at);
  out.set(digest, at + 32);
  const view = new DataView(out.buffer, out.byteOffset + at, LEAF_RECORD_BYTES);
  view.setBigUint64(64, BigInt(pendingId));
  view.setBigUint64(72, BigInt(metaOffset));
  view.setUint32(80, metaLength);
}

/** Reads a `leaves.bin` record at `at`. */
export function decodeLeafRecord(
  bytes: Uint8Array,
  at: number,
): {
  salt: Uint8Array;
  digest: Uint8Array;
  pendingId: number;
  metaOffset: number;
  metaLength: number;
} {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, LEAF_RECORD_BYTES);
  return {
    salt: bytes.slice(at, at + 32),
    digest: bytes.slice(at + 32, at + 64),
    pendingId: Number(view.getBigUint64(64)),
    metaOffset: Number(view.getBigUint64(72)),
    metaLength: view.getUint32(80),
  };
}

let tagState: Hash | undefined;

/**
 * `computeCommitment(salt, digest)` with node:crypto, resuming from the hash state after
 * the constant 64-byte tag prefix: the file store recomputes it for every leaf it reads.
 */
export function commitmentOf(salt: Uint8Array, digest: Uint8Array): Uint8Array {
  if (tagState === undefined) {
    const t = createHash('sha256').update(COMMITMENT_TAG).digest();
    tagState = createHash('sha256').update(t).update(t);
  }
  const h = tagState.copy().update(salt).update(digest).digest();
  return new Uint8Array(h.buffer, h.byteOffset, h.length).slice();
}
