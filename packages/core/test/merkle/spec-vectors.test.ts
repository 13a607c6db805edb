import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeLogVectors } from '../../../../docs/spec/make-log-vectors.js';
import { toHex } from '../../src/bytes.js';
import { fromHex, utf8, verifyConsistency, verifyInclusion } from '../../src/index.js';
import { refConsistency, refLeaf, refPath, refRoot } from './reference.js';

// docs/spec/log.md's vectors: the committed file must equal what the generator makes
// now, and a naive implementation of the RFC definitions must agree with every value.
const file = JSON.parse(
  readFileSync(new URL('../../../../docs/spec/vectors/log.json', import.meta.url), 'utf8'),
);

describe('docs/spec/log.md test vectors', () => {
  it('the committed vectors are what the generator produces', () => {
    expect(file).toEqual(makeLogVectors());
  });

  it('agree with a naive RFC 9162 implementation and verify', () => {
    const hashes = (file.leaves as string[]).map((l) => refLeaf(utf8(l)));
    expect(hashes.map(toHex)).toEqual(file.leafHashes);
    (file.roots as string[]).forEach((r, n) => {
      expect(toHex(refRoot(hashes.slice(0, n)))).toBe(r);
    });
    for (const p of file.inclusion as { index: number; size: number; proof: string[] }[]) {
      expect(refPath(p.index, hashes.slice(0, p.size)).map(toHex)).toEqual(p.proof);
      const proof = p.proof.map((h) => fromHex(h));
      expect(
        verifyInclusion(hashes[p.index]!, p.index, p.size, proof, fromHex(file.roots[p.size])),
      ).toBe(true);
    }
    for (const p of file.consistency as { size1: number; size2: number; proof: string[] }[]) {
      expect(refConsistency(p.size1, hashes.slice(0, p.size2)).map(toHex)).toEqual(p.proof);
      const proof = p.proof.map((h) => fromHex(h));
      const ok = verifyConsistency(
        p.size1,
        p.size2,
        proof,
        fromHex(file.roots[p.size1]),
        fromHex(file.roots[p.size2]),
      );
      expect(ok).toBe(true);
    }
  });
});
