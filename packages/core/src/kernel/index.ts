import { sha256PrefixedBatchReference } from './reference.js';

/**
 * Hashes `count` equal-length messages, each a one-byte `prefix` followed by `inLen`
 * bytes of `input`: `out[outOffset + 32i ..] = sha256(prefix || input[inLen*i .. inLen*(i+1)])`.
 * This is the whole of Merkle hashing (RFC 9162 leaves: prefix 0x00; nodes: prefix 0x01,
 * inLen 64), so one call per tree level instead of one per node.
 */
export function sha256PrefixedBatch(
  prefix: number,
  input: Uint8Array,
  inLen: number,
  count: number,
  out: Uint8Array,
  outOffset = 0,
): void {
  sha256PrefixedBatchReference(prefix, input, inLen, count, out, outOffset);
}
