// The byte rules of the head map (docs/spec/head-map.md sections 2 and 3): keys, values and
// node hashes. Prefixes 0x02 and 0x03 differ from the log's 0x00 and 0x01 (RFC 9162), so a
// map node can never be read as a log node or the other way round.
import { assertBytes, concatBytes, equalBytes, utf8 } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { nodeOneShotHash } from '../merkle/path-fold-node.js';
import { sha256 } from '../sha256.js';

/** Domain tag of a head-map key. */
export const HEAD_MAP_KEY_TAG = 'medanchor/head-map/key/v1';

/** The hash of an empty subtree: 32 zero bytes. */
export const HEAD_MAP_EMPTY: Uint8Array = new Uint8Array(32);

/** Byte that starts a leaf's node bytes. */
export const HEAD_MAP_LEAF_PREFIX = 0x02;
/** Byte that starts an inner node's bytes. */
export const HEAD_MAP_NODE_PREFIX = 0x03;

/** Most UTF-16 code units in a record id the map accepts (as the store's record ids). */
export const HEAD_MAP_MAX_RECORD = 1024;

/** What the map holds for one record: its head version's leaf at a checkpoint. */
export interface HeadValue {
  /** Leaf index of the record's newest version in the log. */
  readonly leafIndex: number;
  /** How many leaves of the log carry this record id, the head included (1 or more). */
  readonly count: number;
  /** The head leaf's 32-byte commitment (the data the log leaf hashes). */
  readonly commitment: Uint8Array;
}

// Lone surrogates would encode to U+FFFD in UTF-8, so two ids could share one key.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Throws `INVALID_ARGUMENT` unless `record` is a record id the map accepts. */
export function assertHeadMapRecord(record: unknown): asserts record is string {
  if (typeof record !== 'string' || record.length === 0 || record.length > HEAD_MAP_MAX_RECORD)
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      `a record id must be a string of 1 to ${HEAD_MAP_MAX_RECORD} characters`,
    );
  if (LONE_SURROGATE.test(record))
    throw new MedanchorError('INVALID_ARGUMENT', 'a record id must not contain lone surrogates');
}

/** The first-leaf salt of a record that has no leaf (never added, or forgotten): 32 zero bytes. */
export const HEAD_MAP_NO_LEAF_SALT: Uint8Array = new Uint8Array(32);

/**
 * The record's key salt: `HMAC-SHA256(mapSecret, firstSalt || utf8(record))`, where
 * `firstSalt` is the commitment salt of the record's first leaf (32 zero bytes when it has
 * none). The map secret stays with the log operator; the salt of one record is handed to
 * whoever may see that record's history, and says nothing about any other record's key.
 * Binding the first leaf's salt makes erasure reach the map: once a forget erases the
 * record's salts, nobody (not even with the map secret) can find its key again.
 * @throws MedanchorError `INVALID_LENGTH` (secret or salt not 32 bytes), `INVALID_ARGUMENT`.
 */
export function headMapKeySalt(
  mapSecret: Uint8Array,
  firstSalt: Uint8Array,
  record: string,
): Uint8Array {
  assertBytes(mapSecret, 32, 'head-map secret');
  assertBytes(firstSalt, 32, "the record's first leaf salt");
  assertHeadMapRecord(record);
  // HMAC as RFC 2104 defines it, for a 32-byte key: two hashes over the key's padded
  // blocks. A seal derives one key salt per changed record, and in Node a hash object
  // (createHmac) costs more than the hashing itself.
  if (padsOf === undefined || !equalBytes(padsOf, mapSecret)) {
    padsOf = mapSecret.slice();
    for (let i = 0; i < 64; i++) {
      PADS[i] = (mapSecret[i] ?? 0) ^ 0x36;
      PADS[64 + i] = (mapSecret[i] ?? 0) ^ 0x5c;
    }
  }
  return shaOf(PADS.subarray(64), shaOf(PADS.subarray(0, 64), firstSalt, record), '');
}

/**
 * The record's key in the map: `taggedHash("medanchor/head-map/key/v1", keySalt || utf8(record))`.
 * Binding the record id keeps one salt from serving as another record's key.
 * @throws MedanchorError `INVALID_LENGTH`, `INVALID_ARGUMENT`.
 */
export function headMapKey(keySalt: Uint8Array, record: string): Uint8Array {
  assertBytes(keySalt, 32, 'head-map key salt');
  assertHeadMapRecord(record);
  if (keyPrefix === undefined) {
    const t = sha256(utf8(HEAD_MAP_KEY_TAG));
    keyPrefix = concatBytes(t, t); // the tagged hash's first block
  }
  return shaOf(keyPrefix, keySalt, record);
}

let keyPrefix: Uint8Array | undefined;
// The secret PADS were made for: its HMAC inner and outer blocks, one after the other.
let padsOf: Uint8Array | undefined;
const PADS = new Uint8Array(128);
// One input buffer: a 64-byte block, 32 bytes, then a record id as UTF-8 (at most 3 bytes
// per UTF-16 unit, since lone surrogates are refused).
const SCRATCH = new Uint8Array(96 + 3 * HEAD_MAP_MAX_RECORD);
const TAIL = SCRATCH.subarray(96);
const encoder = new TextEncoder();

// sha256(block || mid || utf8(record)): node:crypto's one-shot hash where there is one, its
// digest read back from 32 latin1 characters (a 'buffer' result would cost an allocation).
function shaOf(block: Uint8Array, mid: Uint8Array, record: string): Uint8Array {
  SCRATCH.set(block);
  SCRATCH.set(mid, 64);
  const input = SCRATCH.subarray(
    0,
    record === '' ? 96 : 96 + encoder.encodeInto(record, TAIL).written,
  );
  const hash = nodeOneShotHash();
  if (hash === undefined) return sha256(input);
  const s = hash('sha256', input, 'latin1');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = s.charCodeAt(i);
  return out;
}

function assertCounter(n: unknown, name: string, min: number): asserts n is number {
  if (!Number.isSafeInteger(n) || (n as number) < min)
    throw new MedanchorError('INVALID_ARGUMENT', `${name} must be a safe integer >= ${min}`);
}

/**
 * The 48 value bytes: `u64be(leafIndex) || u64be(count) || commitment`.
 * @throws MedanchorError `INVALID_ARGUMENT`, `INVALID_LENGTH`.
 */
export function encodeHeadValue(v: HeadValue): Uint8Array {
  const out = new Uint8Array(48);
  writeHeadValue(out, 0, v.leafIndex, v.count, v.commitment);
  return out;
}

/**
 * {@link encodeHeadValue} into `out` at `at`, without allocating: the map's update writes
 * every new value of a seal into one buffer.
 * @internal
 */
export function writeHeadValue(
  out: Uint8Array,
  at: number,
  leafIndex: number,
  count: number,
  commitment: Uint8Array,
): void {
  assertCounter(leafIndex, 'leafIndex', 0);
  assertCounter(count, 'count', 1);
  assertBytes(commitment, 32, 'head commitment');
  // Big-endian u64s of safe integers: byte by byte, exact below 2^53.
  for (
    let k = 7;
    k >= 0;
    k--, leafIndex = Math.floor(leafIndex / 256), count = Math.floor(count / 256)
  ) {
    out[at + k] = leafIndex % 256;
    out[at + 8 + k] = count % 256;
  }
  out.set(commitment, at + 16);
}

/**
 * Reads 48 value bytes.
 * @throws MedanchorError `INVALID_LENGTH`; `INVALID_ARGUMENT` for counters past 2^53 - 1 or a zero count.
 */
export function decodeHeadValue(bytes: Uint8Array): HeadValue {
  assertBytes(bytes, 48, 'head value');
  const view = new DataView(bytes.buffer, bytes.byteOffset, 48);
  const leafIndex = Number(view.getBigUint64(0));
  const count = Number(view.getBigUint64(8));
  assertCounter(leafIndex, 'leafIndex', 0);
  assertCounter(count, 'count', 1);
  return { leafIndex, count, commitment: bytes.slice(16, 48) };
}

/** The bytes of a leaf: `0x02 || key || sha256(value)` (65 bytes); its hash is their SHA-256. */
export function leafNodeBytes(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  assertBytes(key, 32, 'head-map key');
  assertBytes(valueHash, 32, 'head-map value hash');
  return concatBytes(Uint8Array.of(HEAD_MAP_LEAF_PREFIX), key, valueHash);
}

/** The bytes of an inner node: `0x03 || left || right` (65 bytes); its hash is their SHA-256. */
export function innerNodeBytes(left: Uint8Array, right: Uint8Array): Uint8Array {
  assertBytes(left, 32, 'head-map left child');
  assertBytes(right, 32, 'head-map right child');
  return concatBytes(Uint8Array.of(HEAD_MAP_NODE_PREFIX), left, right);
}

/** Hash of a leaf. */
export function headLeafHash(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return sha256(leafNodeBytes(key, valueHash));
}

/** Hash of an inner node. */
export function headNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(innerNodeBytes(left, right));
}

/** Bit `depth` of a 32-byte key, most significant bit of byte 0 first. */
export function keyBit(key: Uint8Array, depth: number): 0 | 1 {
  return ((key[depth >> 3]! >> (7 - (depth & 7))) & 1) as 0 | 1;
}
