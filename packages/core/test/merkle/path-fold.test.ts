// The word-level SHA-256 and the memoised single-proof walk against node:crypto and a
// naive RFC 9162 verifier, on random inputs: the same bytes and the same verdicts,
// whatever the memo holds (warm with the valid path, cleared, or full of another tree).
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fromHex,
  MerkleLog,
  rootFromInclusionProof,
  taggedHash,
  toHex,
  utf8,
  verifyInclusion,
} from '../../src/index.js';
import {
  clearPathMemo,
  inclusionPathLength,
  setPathFoldOptions,
} from '../../src/merkle/path-fold.js';
import { nodeOneShotHash } from '../../src/merkle/path-fold-node.js';
import {
  IV,
  leafWords,
  nodeWords,
  readWords,
  sha256WordsFrom,
  taggedMidstate,
  writeWords,
} from '../../src/merkle/sha256-words.js';
import { writePathSides } from '../../src/merkle/verify.js';
import { refLeaf, refNode, refPathRoot } from './reference.js';

const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

function words(bytes: Uint8Array): Int32Array {
  const w = new Int32Array(8);
  readWords(bytes, 0, w, 0);
  return w;
}

function bytes(w: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  writeWords(w, 0, out, 0);
  return out;
}

function refVerify(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: Uint8Array[],
  root: Uint8Array,
): boolean {
  return refPathRoot(leaf, index, size, proof) === toHex(root);
}

describe('SHA-256 on words', () => {
  it('nodeWords and leafWords give the RFC 9162 node and leaf hashes, in place too', () => {
    fc.assert(
      fc.property(hash32, hash32, (l, r) => {
        const out = new Int32Array(8);
        nodeWords(words(l), 0, words(r), 0, out, 0);
        expect(toHex(bytes(out))).toBe(toHex(refNode(l, r)));
        const inPlace = words(l);
        nodeWords(inPlace, 0, words(r), 0, inPlace, 0);
        expect(toHex(bytes(inPlace))).toBe(toHex(refNode(l, r)));
        const right = words(r);
        nodeWords(words(l), 0, right, 0, right, 0);
        expect(toHex(bytes(right))).toBe(toHex(refNode(l, r)));
        const leaf = words(l);
        leafWords(leaf, 0, leaf, 0);
        expect(toHex(bytes(leaf))).toBe(toHex(refLeaf(l)));
      }),
      { numRuns: 500, seed: 18 },
    );
  });

  it('sha256WordsFrom is SHA-256 for every length around the block boundaries', () => {
    for (let n = 0; n <= 300; n++) {
      const m = new Uint8Array(randomBytes(n + 3));
      const state = IV.slice();
      sha256WordsFrom(state, 0, m, 3, 3 + n);
      expect(toHex(bytes(state)), `length ${n}`).toBe(
        createHash('sha256').update(m.subarray(3)).digest('hex'),
      );
    }
  });

  it('a tagged hash from the cached midstate is taggedHash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 200 }), (tag, m) => {
        const tagHash = new Uint8Array(createHash('sha256').update(utf8(tag)).digest());
        const state = taggedMidstate(tagHash);
        sha256WordsFrom(state, 64, m, 0, m.length);
        expect(toHex(bytes(state))).toBe(toHex(taggedHash(tag, m)));
      }),
      { numRuns: 200, seed: 18 },
    );
  });
});

describe('inclusion path shape', () => {
  it('inclusionPathLength is the length writePathSides gives', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.double(), (n, f) => {
        const i = Math.min(n - 1, Math.floor(f * n));
        if (!(i >= 0)) return;
        expect(inclusionPathLength(i, n)).toBe(writePathSides(i, n, new Uint8Array(64), 0));
      }),
      { numRuns: 1000, seed: 18 },
    );
  });
});

// The walks verifyInclusion may take: node:crypto's one-shot hash (no memo; chosen first
// with the memo off, or with no WebAssembly kernel as here), the WebAssembly path fold of the
// active kernel (the SIMD one), the JavaScript fold.
const WALKS = {
  node: { node: true, wasm: false },
  wasm: { node: false, wasm: true },
  js: { node: false, wasm: false },
} as const;
type Walk = keyof typeof WALKS;

/** Chooses a walk; false (after saying why) when this runtime cannot run it. */
function useWalk(walk: Walk): boolean {
  if (walk === 'node' && nodeOneShotHash() === undefined) {
    console.log('skipped: this runtime has no node:crypto one-shot hash (Node < 20.12)');
    return false;
  }
  clearPathMemo();
  setPathFoldOptions({ memo: true, ...WALKS[walk] });
  return true;
}

afterEach(() => setPathFoldOptions({ memo: true, wasm: true, node: true }));

describe.each(Object.keys(WALKS) as Walk[])(
  'verifyInclusion one proof at a time (memoised walk, %s)',
  (walk) => {
    it('gives the naive verifier verdicts on real and tampered proofs, memo warm or cold', () => {
      if (!useWalk(walk)) return;
      const leaves = Array.from({ length: 300 }, () => new Uint8Array(randomBytes(32)));
      const log = new MerkleLog();
      log.append(leaves);
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 300 }),
          fc.nat(299),
          fc.nat(299),
          fc.nat(8),
          fc.nat(31),
          fc.boolean(),
          (size, i, j, mutation, at, cold) => {
            const index = i % size;
            const root = log.root(size);
            const proof = log.inclusionProof(index, size).map((p) => p.slice());
            if (cold) clearPathMemo();
            // The valid proof first, so the memo holds its path when the tampered one runs.
            expect(verifyInclusion(leaves[index]!, index, size, proof, root)).toBe(true);
            let p: Uint8Array[] = proof.map((x) => x.slice());
            let idx = index;
            let n = size;
            let leaf: Uint8Array = leaves[index]!;
            let r: Uint8Array = root;
            const k = p.length === 0 ? 0 : at % p.length;
            if (mutation === 1 && p.length > 0) p[k]![at]! ^= 1;
            if (mutation === 2 && p.length > 0) p = p.slice(1);
            if (mutation === 3) p = [...p, root];
            if (mutation === 4) idx = j % size;
            if (mutation === 5) leaf = leaves[j]!;
            if (mutation === 6) n = Math.max(1, (j % 300) + 1);
            if (mutation === 7 && p.length > 1) [p[0], p[k]] = [p[k]!, p[0]!];
            if (mutation === 8) r = log.root(Math.max(1, (j % 300) + 1));
            const expected = refVerify(leaf, idx, n, p, r);
            expect(verifyInclusion(leaf, idx, n, p, r)).toBe(expected);
            const implied = rootFromInclusionProof(leaf, idx, n, p);
            expect(implied === undefined ? undefined : toHex(implied)).toBe(
              refPathRoot(leaf, idx, n, p),
            );
            if (mutation === 0) expect(expected).toBe(true);
          },
        ),
        { numRuns: 600, seed: 18 },
      );
    });

    it('stays right when two trees fight over the same memo slots', () => {
      if (!useWalk(walk)) return;
      const a = new MerkleLog();
      const b = new MerkleLog();
      const la = Array.from({ length: 64 }, () => new Uint8Array(randomBytes(32)));
      const lb = la.map((x, i) => (i === 63 ? new Uint8Array(randomBytes(32)) : x));
      a.append(la);
      b.append(lb);
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 64; i++) {
          const pa = a.inclusionProof(i);
          const pb = b.inclusionProof(i);
          expect(verifyInclusion(la[i]!, i, 64, pa, a.root())).toBe(true);
          expect(verifyInclusion(lb[i]!, i, 64, pb, b.root())).toBe(true);
          // Same places, the other tree's root: only leaves whose paths agree up to the top.
          expect(verifyInclusion(la[i]!, i, 64, pa, b.root())).toBe(false);
          expect(verifyInclusion(lb[i]!, i, 64, pb, a.root())).toBe(false);
        }
      }
    });

    it('agrees with the naive verifier at sizes past 2^32 (made-up siblings)', () => {
      if (!useWalk(walk)) return;
      fc.assert(
        fc.property(
          fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          hash32,
          fc.nat(),
          (size, f, leaf, seed) => {
            const index = Math.min(size - 1, Math.floor(f * size));
            const length = inclusionPathLength(index, size);
            const proof = Array.from(
              { length },
              (_, k) => new Uint8Array(createHash('sha256').update(`${seed} ${k}`).digest()),
            );
            const root = fromHex(refPathRoot(leaf, index, size, proof)!);
            expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
            const bad = proof.map((p) => p.slice());
            bad[seed % length]![0]! ^= 0x80;
            expect(verifyInclusion(leaf, index, size, bad, root)).toBe(false);
            expect(verifyInclusion(leaf, BigInt(index), BigInt(size), proof, root)).toBe(true);
          },
        ),
        { numRuns: 100, seed: 18 },
      );
    });
  },
);
