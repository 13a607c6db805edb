// Independent answers for the kernels: node:crypto (OpenSSL) and @noble/hashes, one
// message at a time, plus a seeded generator so failures reproduce.
import { createHash } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { expect } from 'vitest';
import { toHex } from '../../src/bytes.js';

/** Digests of the batch by node:crypto, packed. */
export function expectedNode(
  prefix: number,
  input: Uint8Array,
  inLen: number,
  count: number,
): Uint8Array {
  const out = new Uint8Array(32 * count);
  for (let i = 0; i < count; i++) {
    const h = createHash('sha256');
    h.update(Uint8Array.of(prefix));
    h.update(input.subarray(i * inLen, (i + 1) * inLen));
    out.set(h.digest(), 32 * i);
  }
  return out;
}

/** Digests of the batch by @noble/hashes, packed. */
export function expectedNoble(
  prefix: number,
  input: Uint8Array,
  inLen: number,
  count: number,
): Uint8Array {
  const out = new Uint8Array(32 * count);
  const msg = new Uint8Array(1 + inLen);
  msg[0] = prefix;
  for (let i = 0; i < count; i++) {
    msg.set(input.subarray(i * inLen, (i + 1) * inLen), 1);
    out.set(sha256(msg), 32 * i);
  }
  return out;
}

/** Deterministic bytes (xorshift32) for reproducible sweeps. */
export function seededBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * A copy of `bytes` at an odd byte offset inside a larger buffer, with sentinel bytes
 * on both sides, so kernels see unaligned subarrays as callers may pass them.
 */
export function atOddOffset(bytes: Uint8Array, offset = 3): Uint8Array {
  const backing = new Uint8Array(bytes.length + offset + 5).fill(0xa5);
  backing.set(bytes, offset);
  return backing.subarray(offset, offset + bytes.length);
}

/**
 * Asserts two packed digest lists are equal; on a mismatch reports the first differing
 * digest by index (vitest's deep equality is slow on megabyte arrays).
 */
export function expectSameDigests(got: Uint8Array, want: Uint8Array): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      const d = Math.floor(i / 32);
      expect({ digest: d, hex: toHex(got.subarray(32 * d, 32 * d + 32)) }).toEqual({
        digest: d,
        hex: toHex(want.subarray(32 * d, 32 * d + 32)),
      });
    }
  }
}
