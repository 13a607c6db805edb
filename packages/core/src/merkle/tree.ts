import { MedanchorError } from '../errors.js';
import { EMPTY_ROOT, HASH_SIZE, parentHashes } from './hash.js';

/**
 * RFC 9162 root of a list of leaf hashes, without a log: each level is hashed in one
 * kernel call and an odd last node moves up unchanged (the same tree as the RFC's
 * split at the largest power of two, never Bitcoin's duplicated last node).
 *
 * @param leafHashes 32-byte leaf hashes, as an array or packed back to back.
 */
export function merkleRoot(leafHashes: readonly Uint8Array[] | Uint8Array): Uint8Array {
  let level: Uint8Array;
  if (leafHashes instanceof Uint8Array) {
    if (leafHashes.length % HASH_SIZE !== 0) {
      throw new MedanchorError(
        'INVALID_LENGTH',
        'packed leaf hashes must be a multiple of 32 bytes',
      );
    }
    level = leafHashes;
  } else {
    level = new Uint8Array(leafHashes.length * HASH_SIZE);
    leafHashes.forEach((h, i) => {
      if (h.length !== HASH_SIZE) {
        throw new MedanchorError('INVALID_LENGTH', `leaf hash ${i} must be 32 bytes`);
      }
      level.set(h, i * HASH_SIZE);
    });
  }
  let n = level.length / HASH_SIZE;
  if (n === 0) return EMPTY_ROOT.slice();
  while (n > 1) {
    const pairs = Math.floor(n / 2);
    const next = new Uint8Array(Math.ceil(n / 2) * HASH_SIZE);
    parentHashes(level, pairs, next);
    if (n % 2 === 1)
      next.set(level.subarray((n - 1) * HASH_SIZE, n * HASH_SIZE), pairs * HASH_SIZE);
    level = next;
    n = Math.ceil(n / 2);
  }
  return level.slice(0, HASH_SIZE);
}
