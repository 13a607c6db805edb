import { MedanchorError } from '@medanchor/core';

/**
 * The 256-bit target encoded by compact `bits` (nBits): a base-256 exponent in the
 * top byte and a 23-bit mantissa. Negative or overflowing encodings (which Bitcoin
 * Core rejects as proof-of-work targets) throw.
 *
 * @example
 * ```ts
 * bitsToTarget(0x1d00ffff) === 0xffffn << 208n; // true
 * ```
 * @throws MedanchorError `INVALID_BITS` when `bits` is not a u32 or encodes a negative or over-2^256 target.
 */
export function bitsToTarget(bits: number): bigint {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) {
    throw new MedanchorError('INVALID_BITS', 'bits must be an unsigned 32-bit integer');
  }
  const exponent = bits >>> 24;
  const mantissa = bits & 0x007fffff;
  if (mantissa !== 0 && (bits & 0x00800000) !== 0) {
    throw new MedanchorError('INVALID_BITS', 'bits encode a negative target', {
      details: { bits },
    });
  }
  const target =
    exponent <= 3
      ? BigInt(mantissa >>> (8 * (3 - exponent)))
      : BigInt(mantissa) << BigInt(8 * (exponent - 3));
  if (target >> 256n !== 0n) {
    throw new MedanchorError('INVALID_BITS', 'bits encode a target above 2^256', {
      details: { bits },
    });
  }
  return target;
}

/**
 * Compact `bits` of a target, rounding down the way Bitcoin Core's `GetCompact`
 * does (so `targetToBits(bitsToTarget(b)) === b` for every canonical `b`).
 * @throws MedanchorError `INVALID_TARGET` for a negative target or one of 2^256 or more.
 */
export function targetToBits(target: bigint): number {
  if (target < 0n || target >> 256n !== 0n) {
    throw new MedanchorError('INVALID_TARGET', 'target must be in [0, 2^256)');
  }
  let size = byteLength(target);
  let mantissa =
    size <= 3 ? Number(target << BigInt(8 * (3 - size))) : Number(target >> BigInt(8 * (size - 3)));
  // The mantissa's top bit is a sign bit: shift one byte out to keep it positive.
  if (mantissa & 0x00800000) {
    mantissa >>>= 8;
    size += 1;
  }
  return ((size << 24) | mantissa) >>> 0;
}

function byteLength(n: bigint): number {
  let size = 0;
  while (n > 0n) {
    n >>= 8n;
    size++;
  }
  return size;
}

/**
 * Expected number of hashes to find a block at `target`: `2^256 / (target + 1)`,
 * the quantity summed as chain work.
 */
export function targetWork(target: bigint): bigint {
  return (1n << 256n) / (target + 1n);
}

/** Chain work of a block with compact `bits` (see {@link targetWork}). */
export function bitsWork(bits: number): bigint {
  return targetWork(bitsToTarget(bits));
}
