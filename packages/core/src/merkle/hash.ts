import { sha256 } from '@noble/hashes/sha2.js';
import { sha256PrefixedBatch } from '../kernel/index.js';

/** RFC 9162 domain-separation prefix of a leaf hash. */
export const LEAF_PREFIX = 0x00;
/** RFC 9162 domain-separation prefix of an interior node hash. */
export const NODE_PREFIX = 0x01;
/** Bytes in every hash of the log. */
export const HASH_SIZE = 32;

/** Root of the empty log: SHA-256 of the empty string (RFC 9162 section 2.1.1). */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

// Scratch for single hashes through the batch kernel (faster than a hash object per call).
const pair = new Uint8Array(2 * HASH_SIZE);

/** RFC 9162 leaf hash: `sha256(0x00 || data)`. */
export function leafHash(data: Uint8Array): Uint8Array {
  if (data.length === HASH_SIZE) {
    const out = new Uint8Array(HASH_SIZE);
    sha256PrefixedBatch(LEAF_PREFIX, data, HASH_SIZE, 1, out);
    return out;
  }
  const msg = new Uint8Array(data.length + 1);
  msg[0] = LEAF_PREFIX;
  msg.set(data, 1);
  return sha256(msg);
}

/**
 * RFC 9162 interior node hash: `sha256(0x01 || left || right)`. Children of any
 * length are concatenated as they are (verification of malformed proofs relies on it).
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    pair.set(left, 0);
    pair.set(right, HASH_SIZE);
    const out = new Uint8Array(HASH_SIZE);
    sha256PrefixedBatch(NODE_PREFIX, pair, 2 * HASH_SIZE, 1, out);
    return out;
  }
  const msg = new Uint8Array(1 + left.length + right.length);
  msg[0] = NODE_PREFIX;
  msg.set(left, 1);
  msg.set(right, 1 + left.length);
  return sha256(msg);
}

/**
 * Leaf hashes of `count` 32-byte values packed in `data` (for example commitments),
 * written packed into a new array: one kernel call for the whole batch.
 */
export function leafHashes32(data: Uint8Array, count = data.length / HASH_SIZE): Uint8Array {
  const out = new Uint8Array(count * HASH_SIZE);
  sha256PrefixedBatch(LEAF_PREFIX, data, HASH_SIZE, count, out);
  return out;
}

/**
 * Parents of `count` adjacent pairs packed in `children` (`count * 64` bytes):
 * `out[i] = nodeHash(children[2i], children[2i+1])`, packed.
 */
export function parentHashes(children: Uint8Array, count: number, out?: Uint8Array): Uint8Array {
  const o = out ?? new Uint8Array(count * HASH_SIZE);
  sha256PrefixedBatch(NODE_PREFIX, children, 2 * HASH_SIZE, count, o);
  return o;
}
