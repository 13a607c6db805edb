import { describe, expect, it } from 'vitest';
import {
  type LogStore,
  MerkleLog,
  nodeHash,
  sha256,
  utf8,
  verifyConsistency,
  verifyInclusion,
} from '../../src/index.js';

/**
 * A virtual log of 2^40 + 12,345 leaves, far past 2^32, with every leaf equal to A
 * except one special leaf S: every complete subtree is then either "all A" (one value
 * per level) or "contains S" (one value per level), so the store answers any node in
 * O(1) and the hashes are genuinely consistent. Proofs and verification then run with
 * real indices beyond 32 bits.
 */
function virtualStore(size: number, special: number): LogStore {
  const plain: Uint8Array[] = [sha256(utf8('A'))];
  const marked: Uint8Array[] = [sha256(utf8('S'))];
  for (let l = 1; l <= 41; l++) {
    plain.push(nodeHash(plain[l - 1]!, plain[l - 1]!));
    const sIsRight = Math.floor(special / 2 ** (l - 1)) % 2 === 1;
    marked.push(
      sIsRight ? nodeHash(plain[l - 1]!, marked[l - 1]!) : nodeHash(marked[l - 1]!, plain[l - 1]!),
    );
  }
  return {
    size,
    nodes(level, start, count) {
      const out = new Uint8Array(count * 32);
      for (let k = 0; k < count; k++) {
        const isMarked = start + k === Math.floor(special / 2 ** level);
        out.set((isMarked ? marked : plain)[level]!, k * 32);
      }
      return out;
    },
    append() {
      throw new Error('read-only');
    },
    truncate() {
      throw new Error('read-only');
    },
  };
}

describe('sizes and indices beyond 2^32', () => {
  const size = 2 ** 40 + 12_345;
  const special = 2 ** 33 + 7;
  const log = new MerkleLog(virtualStore(size, special));
  const S = sha256(utf8('S'));
  const A = sha256(utf8('A'));

  it('proves and verifies inclusion of a leaf at index 2^33 + 7 in a 2^40-leaf log', () => {
    const root = log.root();
    const proof = log.inclusionProof(special);
    expect(proof.length).toBe(41);
    expect(verifyInclusion(S, special, size, proof, root)).toBe(true);
    expect(verifyInclusion(S, BigInt(special), BigInt(size), proof, root)).toBe(true);
    expect(verifyInclusion(S, special - 1, size, proof, root)).toBe(false);
    expect(verifyInclusion(S, special + 2 ** 32, size, proof, root)).toBe(false);
    expect(verifyInclusion(A, special, size, proof, root)).toBe(false);
  });

  it('proves leaves on the right edge and consistency between two huge sizes', () => {
    const root = log.root();
    for (const m of [size - 1, size - 2, 2 ** 40, 2 ** 40 - 1]) {
      expect(verifyInclusion(A, m, size, log.inclusionProof(m), root)).toBe(true);
    }
    const m = 2 ** 35 + 3;
    const proof = log.consistencyProof(m);
    expect(verifyConsistency(m, size, proof, log.root(m), root)).toBe(true);
    expect(verifyConsistency(m + 1, size, proof, log.root(m), root)).toBe(false);
  });
});
