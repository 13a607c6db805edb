// verifyConsistency walks on 32-bit words; here it is checked against the RFC 9162
// algorithm written on bytes with node:crypto, on real, tampered and made-up proofs,
// including roots that are not 32 bytes long (hashed as given, as before).
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MerkleLog, verifyConsistency } from '../../src/index.js';
import { refNode } from './reference.js';

function refVerifyConsistency(
  m: number,
  n: number,
  proof: Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  const eq = (a: Uint8Array, b: Uint8Array) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  if (m === 0 || m > n) return false;
  if (m === n) return proof.length === 0 && eq(root1, root2);
  if (proof.length === 0 || proof.some((p) => p.length !== 32)) return false;
  const path = (m & (m - 1)) === 0 ? [root1, ...proof] : proof;
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = refNode(c, fr);
      sr = refNode(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = refNode(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && eq(fr, root1) && eq(sr, root2);
}

describe('verifyConsistency on words', () => {
  const log = new MerkleLog();
  log.append(Array.from({ length: 200 }, () => new Uint8Array(randomBytes(32))));

  it('gives the byte algorithm verdicts on real and tampered proofs', () => {
    // Fixed real proofs first: both accept them.
    for (const [m, n] of [
      [1, 2],
      [3, 7],
      [4, 200],
      [64, 65],
      [127, 200],
      [200, 200],
    ] as const) {
      const proof = log.consistencyProof(m, n);
      expect(refVerifyConsistency(m, n, proof, log.root(m), log.root(n))).toBe(true);
      expect(verifyConsistency(m, n, proof, log.root(m), log.root(n))).toBe(true);
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 200 }),
        fc.nat(4),
        fc.nat(1000),
        (a, b, mutation, at) => {
          const m = Math.min(a, b);
          const n = Math.max(a, b);
          let proof: Uint8Array[] = log.consistencyProof(m, n).map((p) => p.slice());
          let r1: Uint8Array = log.root(m);
          const r2 = log.root(n);
          if (mutation === 1 && proof.length > 0) proof[at % proof.length]![at % 32]! ^= 1;
          if (mutation === 2) proof = [...proof, r2];
          if (mutation === 3) r1 = r1.subarray(0, 31);
          if (mutation === 4) r1 = log.root(Math.max(1, m - 1));
          const want = refVerifyConsistency(m, n, proof, r1, r2);
          expect(verifyConsistency(m, n, proof, r1, r2)).toBe(want);
        },
      ),
      { numRuns: 600, seed: 18 },
    );
  });

  it('hashes a root of another length as given, like the byte algorithm', () => {
    // size1 = 1 (a power of two): root1 is the first path element, hashed as given.
    for (const len of [0, 1, 31, 33, 64]) {
      const r1 = new Uint8Array(randomBytes(len));
      const sib = new Uint8Array(randomBytes(32));
      const r2 = refNode(r1, sib);
      expect(refVerifyConsistency(1, 2, [sib], r1, r2)).toBe(true);
      expect(verifyConsistency(1, 2, [sib], r1, r2)).toBe(true);
      expect(verifyConsistency(1, 2, [sib], r1, r2.subarray(1))).toBe(false);
    }
  });
});
