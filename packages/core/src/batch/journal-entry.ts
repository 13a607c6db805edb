import { concatBytes } from '../bytes.js';
import { MedanchorError } from '../errors.js';

// The batcher's journal entries (docs/spec/commitment.md, "Batcher journal"):
//   0x00 origin   : the log's origin (ASCII); always the first entry
//   0x01 record   : salt (32) || record digest (32)
//   0x02 seal     : u64 big-endian log size || root (32)
// The k-th record entry is log leaf k; a seal entry says the first `size` records are
// in the log with that root.

/** The first entry of a batcher journal. */
export interface OriginEntry {
  readonly kind: 'origin';
  readonly origin: string;
}
/** One accepted record. */
export interface RecordEntry {
  readonly kind: 'record';
  readonly salt: Uint8Array;
  readonly digest: Uint8Array;
}
/** A completed seal. */
export interface SealEntry {
  readonly kind: 'seal';
  readonly size: number;
  readonly root: Uint8Array;
}
/** Any batcher journal entry. */
export type BatchJournalEntry = OriginEntry | RecordEntry | SealEntry;

const ORIGIN = 0x00;
const RECORD = 0x01;
const SEAL = 0x02;

/** Bytes of a batcher journal entry. */
export function encodeJournalEntry(e: BatchJournalEntry): Uint8Array {
  switch (e.kind) {
    case 'origin':
      return concatBytes(Uint8Array.of(ORIGIN), new TextEncoder().encode(e.origin));
    case 'record':
      return concatBytes(Uint8Array.of(RECORD), e.salt, e.digest);
    case 'seal': {
      const out = new Uint8Array(41);
      out[0] = SEAL;
      new DataView(out.buffer).setBigUint64(1, BigInt(e.size));
      out.set(e.root, 9);
      return out;
    }
  }
}

function corrupt(index: number, why: string): never {
  throw new MedanchorError(
    'JOURNAL_CORRUPT',
    `batcher journal entry ${index} ${why}: the journal was written by something else or damaged; restore it from a backup`,
    { details: { entry: index } },
  );
}

// Fatal: an origin is compared byte for byte with the log's, so a lossy decode
// (U+FFFD for bad bytes) would let two different journals claim one origin.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a batcher journal entry (`index` only names it in errors).
 * @throws {@link MedanchorError} `JOURNAL_CORRUPT` for an unknown kind, a wrong length
 *   or an origin that is not valid UTF-8.
 */
export function decodeJournalEntry(bytes: Uint8Array, index: number): BatchJournalEntry {
  if (!(bytes instanceof Uint8Array)) return corrupt(index, 'is not bytes');
  const kind = bytes[0];
  if (kind === ORIGIN) {
    let origin: string;
    try {
      origin = strictUtf8.decode(bytes.subarray(1));
    } catch {
      return corrupt(index, 'has an origin that is not valid UTF-8');
    }
    return { kind: 'origin', origin };
  }
  if (kind === RECORD) {
    if (bytes.length !== 65) corrupt(index, 'is a record of the wrong length');
    return { kind: 'record', salt: bytes.slice(1, 33), digest: bytes.slice(33, 65) };
  }
  if (kind === SEAL) {
    if (bytes.length !== 41) corrupt(index, 'is a seal of the wrong length');
    const size = new DataView(bytes.buffer, bytes.byteOffset, 9).getBigUint64(1);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) corrupt(index, 'has an impossible log size');
    return { kind: 'seal', size: Number(size), root: bytes.slice(9, 41) };
  }
  return corrupt(index, 'has an unknown kind');
}
