import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isMedanchorError,
  leafHash,
  MerkleLog,
  merkleRoot,
  rootFromInclusionProof,
  toHex,
  verifyConsistency,
  verifyInclusion,
  verifyInclusions,
  verifyInclusionsPacked,
} from '../../src/index.js';
import { refConsistency, refLeaf, refPath, refRoot } from './reference.js';

// Distinct leaves: with two equal leaves, a proof for one is honestly a proof for the other.
const leavesArb = fc.uniqueArray(fc.uint8Array({ minLength: 0, maxLength: 40 }), {
  minLength: 1,
  maxLength: 70,
  selector: (u) => toHex(u),
});
const hex = (xs: Uint8Array[]) => xs.map(toHex);

/** Appends `hashes` to a new log in the chunk sizes `chunks` (cycled). */
function buildInChunks(hashes: Uint8Array[], chunks: number[]): MerkleLog {
  const log = new MerkleLog();
  let i = 0;
  let c = 0;
  while (i < hashes.length) {
    const n = Math.max(1, chunks[c++ % chunks.length]!);
    log.append(hashes.slice(i, i + n));
    i += n;
  }
  return log;
}

describe('Merkle log against a naive RFC 9162 implementation (property tests)', () => {
  it('packed proofs of any range equal the proofs one by one, and verify packed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 299 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 299 }),
        (n, a, b, extra) => {
          const hashes = Array.from({ length: n }, (_, i) =>
            refLeaf(Uint8Array.of(i & 0xff, i >> 8)),
          );
          const log = new MerkleLog();
          log.append(hashes);
          const size = Math.max(1, n - (extra % n));
          const start = a % size;
          const end = Math.min(size, start + 1 + (b % size));
          const { paths, pathLengths } = log.inclusionProofsPacked(start, end, size);
          const proofs = log.inclusionProofs(start, end, size);
          expect([...pathLengths]).toEqual(proofs.map((p) => p.length));
          expect(toHex(paths)).toBe(proofs.map((p) => hex(p).join('')).join(''));
          const ok = verifyInclusionsPacked({
            leafHashes: Uint8Array.from(hashes.slice(start, end).flatMap((h) => [...h])),
            indices: Array.from({ length: end - start }, (_, i) => start + i),
            sizes: size,
            paths,
            pathLengths,
            roots: log.root(size),
          });
          expect(ok.every(Boolean)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
    const log = new MerkleLog();
    log.append([refLeaf(Uint8Array.of(1)), refLeaf(Uint8Array.of(2))]);
    for (const [s, e, z] of [
      [1, 1, 2],
      [0, 3, 2],
      [0, 1, 3],
      [-1, 1, 2],
      [0, 2 ** 60, 2],
    ] as const)
      expect(() => log.inclusionProofsPacked(s, e, z)).toThrow(
        /must be|size|integer|range|start|end/,
      );
  });

  it('roots, inclusion and consistency proofs match the definitions, whatever the append pattern', () => {
    fc.assert(
      fc.property(
        leavesArb,
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        (leaves, chunks) => {
          const hashes = leaves.map(refLeaf);
          hashes.forEach((h, i) => {
            expect(toHex(leafHash(leaves[i]!))).toBe(toHex(h));
          });
          const log = buildInChunks(hashes, chunks);
          const n = hashes.length;
          expect(log.size).toBe(n);
          expect(toHex(merkleRoot(hashes))).toBe(toHex(refRoot(hashes)));
          for (let size = 1; size <= n; size++) {
            const prefix = hashes.slice(0, size);
            const root = log.root(size);
            expect(toHex(root)).toBe(toHex(refRoot(prefix)));
            const all = log.inclusionProofs(0, size, size);
            for (let m = 0; m < size; m++) {
              const proof = log.inclusionProof(m, size);
              expect(hex(proof)).toEqual(hex(refPath(m, prefix)));
              expect(hex(all[m]!)).toEqual(hex(proof));
              expect(verifyInclusion(hashes[m]!, m, size, proof, root)).toBe(true);
            }
            for (let m = 1; m <= size; m++) {
              const proof = log.consistencyProof(m, size);
              expect(hex(proof)).toEqual(hex(refConsistency(m, prefix)));
              expect(verifyConsistency(m, size, proof, log.root(m), root)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('any single-byte change to an inclusion proof, leaf, index or root fails verification', () => {
    fc.assert(
      fc.property(
        leavesArb,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (leaves, mSeed, pos, delta) => {
          fc.pre(leaves.length >= 2);
          const hashes = leaves.map(refLeaf);
          const log = buildInChunks(hashes, [3]);
          const n = log.size;
          const m = mSeed % n;
          const proof = log.inclusionProof(m, n);
          const root = log.root();
          const flat = [hashes[m]!, root, ...proof].map((x) => x.slice());
          const which = pos % flat.length;
          const target = flat[which]!;
          target[Math.floor(pos / flat.length) % 32] =
            target[Math.floor(pos / flat.length) % 32]! ^ delta;
          const [leaf, r, ...p] = flat;
          expect(verifyInclusion(leaf!, m, n, p, r!)).toBe(false);
          // A proof for one index never verifies at another.
          expect(verifyInclusion(hashes[m]!, (m + 1) % n, n, proof, root)).toBe(false);
          // Dropping or adding an element fails.
          expect(verifyInclusion(hashes[m]!, m, n, proof.slice(1), root)).toBe(false);
          expect(verifyInclusion(hashes[m]!, m, n, [...proof, root], root)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any single-byte change to a consistency proof or either root fails verification', () => {
    fc.assert(
      fc.property(
        leavesArb,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (leaves, mSeed, pos, delta) => {
          fc.pre(leaves.length >= 2);
          const log = buildInChunks(leaves.map(refLeaf), [5]);
          const n = log.size;
          const m = 1 + (mSeed % (n - 1));
          const proof = log.consistencyProof(m, n);
          const flat = [log.root(m), log.root(n), ...proof].map((x) => x.slice());
          const which = pos % flat.length;
          const target = flat[which]!;
          target[Math.floor(pos / flat.length) % 32] =
            target[Math.floor(pos / flat.length) % 32]! ^ delta;
          const [r1, r2, ...p] = flat;
          expect(verifyConsistency(m, n, p, r1!, r2!)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Merkle log errors', () => {
  const log = new MerkleLog();
  log.append([1, 2, 3, 4, 5].map((i) => leafHash(Uint8Array.of(i))));
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return isMedanchorError(e) ? e.code : 'not a MedanchorError';
    }
    return 'no error';
  };

  it('gives typed errors for out-of-range arguments and wrong lengths', () => {
    expect(code(() => log.inclusionProof(5))).toBe('INDEX_OUT_OF_RANGE');
    expect(code(() => log.inclusionProof(2, 2))).toBe('INDEX_OUT_OF_RANGE');
    expect(code(() => log.root(6))).toBe('SIZE_OUT_OF_RANGE');
    expect(code(() => log.consistencyProof(4, 3))).toBe('INVALID_SIZE_ORDER');
    expect(code(() => log.consistencyProof(0, 3))).toBe('INVALID_ARGUMENT');
    expect(code(() => log.inclusionProof(-1))).toBe('INVALID_ARGUMENT');
    expect(code(() => log.inclusionProof(1.5))).toBe('INVALID_ARGUMENT');
    expect(code(() => log.append([new Uint8Array(31)]))).toBe('INVALID_LENGTH');
    expect(code(() => log.appendPacked(new Uint8Array(33)))).toBe('INVALID_LENGTH');
    expect(log.size).toBe(5);
  });

  it('verification returns false, never throws, on nonsense input', () => {
    const h = leafHash(Uint8Array.of(1));
    expect(verifyInclusion(h, 0, 0, [], h)).toBe(false);
    expect(verifyInclusion(h, -1, 5, [], h)).toBe(false);
    expect(verifyInclusion(h, 0.5, 5, [], h)).toBe(false);
    expect(verifyInclusion(h, 2n ** 64n, 2n ** 64n + 1n, [], h)).toBe(false);
    expect(verifyInclusion(h, 0, 1, [new Uint8Array(3)], h)).toBe(false);
    expect(verifyConsistency(3, 2, [], h, h)).toBe(false);
    expect(rootFromInclusionProof(new Uint8Array(0), 0, 1, [])).toBeUndefined();
  });

  it('truncate rolls the log back to an earlier size with the same root', () => {
    const l = new MerkleLog();
    const hs = [1, 2, 3, 4, 5, 6, 7].map((i) => leafHash(Uint8Array.of(i)));
    l.append(hs.slice(0, 3));
    const root3 = toHex(l.root());
    l.append(hs.slice(3));
    l.truncate(3);
    expect(l.size).toBe(3);
    expect(toHex(l.root())).toBe(root3);
    l.append(hs.slice(3));
    expect(toHex(l.root())).toBe(toHex(refRoot(hs)));
  });
});

describe('verifyInclusions (batched)', () => {
  it('gives exactly the answers of verifyInclusion, for valid, corrupted and malformed claims', () => {
    fc.assert(
      fc.property(
        leavesArb,
        fc.array(fc.tuple(fc.nat(), fc.nat(4), fc.nat()), { minLength: 1, maxLength: 40 }),
        (leaves, picks) => {
          const hashes = leaves.map(refLeaf);
          const log = buildInChunks(hashes, [4]);
          const n = log.size;
          const root = log.root();
          const claims = picks.map(([mSeed, how, pos]) => {
            const m = mSeed % n;
            const proof = log.inclusionProof(m).map((p) => p.slice());
            const claim = { leafHash: hashes[m]!, index: m, size: n, proof, root };
            if (how === 1 && proof.length > 0) {
              const bad = proof[pos % proof.length]!;
              bad[pos % 32] = bad[pos % 32]! ^ 1;
            }
            if (how === 2) return { ...claim, index: (m + 1) % n };
            if (how === 3) return { ...claim, proof: proof.slice(1) };
            if (how === 4) return { ...claim, size: n + 1 };
            return claim;
          });
          const batched = verifyInclusions(claims);
          claims.forEach((c, i) => {
            expect(batched[i]).toBe(verifyInclusion(c.leafHash, c.index, c.size, c.proof, c.root));
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
