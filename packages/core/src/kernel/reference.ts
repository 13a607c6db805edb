import { sha256 } from '@noble/hashes/sha2.js';

/**
 * Reference batch hasher: one @noble/hashes call per message. The fast kernels are
 * checked byte for byte against this (and node:crypto) on every test run.
 */
export function sha256PrefixedBatchReference(
  prefix: number,
  input: Uint8Array,
  inLen: number,
  count: number,
  out: Uint8Array,
  outOffset = 0,
): void {
  const msg = new Uint8Array(1 + inLen);
  msg[0] = prefix;
  for (let i = 0; i < count; i++) {
    msg.set(input.subarray(i * inLen, (i + 1) * inLen), 1);
    out.set(sha256(msg), outOffset + i * 32);
  }
}
