import { MedanchorError } from '../errors.js';

/**
 * Sizes and indices are plain numbers up to 2^53 - 1. No 32-bit bit operations
 * anywhere: logs past 2^32 leaves must work, so halving is a division.
 */

/** 2^level as a number (exact up to 2^53). */
export function pow2(level: number): number {
  return 2 ** level;
}

/** Largest power of two strictly less than `n` (n >= 2): the RFC 9162 split point. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** True when `n` is a power of two (n >= 1). */
export function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** floor(log2(n)) for n >= 1. */
export function log2Floor(n: number): number {
  let l = 0;
  let k = 2;
  while (k <= n) {
    k *= 2;
    l++;
  }
  return l;
}

/** Checks a size or index argument: a safe non-negative integer. */
export function checkCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      `${what} must be a non-negative safe integer, got ${String(value)}`,
    );
  }
}

/** Converts a verification argument; `undefined` when it cannot be a valid size or index. */
export function toSafeCount(value: number | bigint): number | undefined {
  if (typeof value === 'bigint') {
    return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  }
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * RFC 9162 SUBPROOF(m, D[start:end], b): appends the consistency-proof nodes to `out`,
 * deepest first, asking `rangeHash(a, b)` for MTH(D[a:b]). Shared by every tree that
 * proves consistency (the in-memory log and the tile-backed tree).
 */
export function consistencySubproof(
  m: number,
  start: number,
  end: number,
  b: boolean,
  rangeHash: (start: number, end: number) => Uint8Array,
  out: Uint8Array[],
): void {
  const n = end - start;
  if (m === n) {
    if (!b) out.push(rangeHash(start, end));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    consistencySubproof(m, start, start + k, b, rangeHash, out);
    out.push(rangeHash(start + k, end));
  } else {
    consistencySubproof(m - k, start + k, end, false, rangeHash, out);
    out.push(rangeHash(start, start + k));
  }
}
