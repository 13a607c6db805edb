import { describe, expect, it } from 'vitest';
import { leafHash, MerkleLog } from '../../src/merkle/index.js';
import {
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/merkle/verify.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('Merkle verifiers on ill-typed proofs', () => {
  const log = new MerkleLog();
  log.append([leafHash(enc('a')), leafHash(enc('b'))]);
  const root = log.root();
  const leaf = leafHash(enc('a'));

  it('verifyInclusion(leaf, 0, 2, null, root) is INVALID_TYPE, not "proof is not iterable"', () => {
    for (const proof of [null, undefined, 42, 'x', {}, new Uint8Array(32)]) {
      expect(() => verifyInclusion(leaf, 0, 2, proof as never, root)).toThrow(
        expect.objectContaining({ code: 'INVALID_TYPE' }),
      );
      expect(() => rootFromInclusionProof(leaf, 0, 2, proof as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_TYPE' }),
      );
      expect(() => verifyConsistency(1, 2, proof as never, root, root)).toThrow(
        expect.objectContaining({ code: 'INVALID_TYPE' }),
      );
    }
  });

  it('well-typed wrong input is still plain false', () => {
    const proof = log.inclusionProof(0);
    expect(verifyInclusion(leaf, 0, 2, proof, root)).toBe(true);
    expect(verifyInclusion(leaf, 1, 2, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 0, 2, [null as never], root)).toBe(false);
    expect(verifyInclusion(leaf, 0, 2, proof, null as never)).toBe(false);
    expect(verifyInclusion(null as never, 0, 2, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, -1, 2, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 0, 'x' as never, proof, root)).toBe(false);
    expect(verifyConsistency(1, 2, [new Uint8Array(3)], root, root)).toBe(false);
  });
});
