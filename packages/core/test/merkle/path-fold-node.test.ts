// The node:crypto fold (path-fold-node.ts) on its own: against a naive RFC 9162 verifier and
// the JavaScript fold on random trees, indices and tampering; every node is really hashed,
// every time; verifyInclusion takes it with the memo off, or on with no WebAssembly kernel.
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MerkleLog, rootFromInclusionProof, toHex, verifyInclusion } from '../../src/index.js';
import { inclusionPathLength, setPathFoldOptions } from '../../src/merkle/path-fold.js';
import { foldPathNode, nodeOneShotHash } from '../../src/merkle/path-fold-node.js';
import { writeWords } from '../../src/merkle/sha256-words.js';
import { refPathRoot } from './reference.js';

const hash = nodeOneShotHash();
const skip = hash === undefined;
if (skip) console.log('skipped: this runtime has no node:crypto one-shot hash (Node < 20.12)');

afterEach(() => setPathFoldOptions({ memo: true, wasm: true, node: true }));

/** The root foldPathNode reaches (hex), or undefined when it refuses the shape. */
function nodeRoot(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: Uint8Array[],
  h = hash!,
): string | undefined {
  const cur = new Int32Array(8);
  if (!foldPathNode(h, leaf, proof, index, size, cur)) return undefined;
  const out = new Uint8Array(32);
  writeWords(cur, 0, out, 0);
  return toHex(out);
}

/** The root of the JavaScript fold (node:crypto and WebAssembly switched off). */
function jsRoot(leaf: Uint8Array, index: number, size: number, proof: Uint8Array[]) {
  setPathFoldOptions({ node: false, wasm: false });
  try {
    const r = rootFromInclusionProof(leaf, index, size, proof);
    return r === undefined ? undefined : toHex(r);
  } finally {
    setPathFoldOptions({ node: true, wasm: true });
  }
}

const leaves = Array.from({ length: 513 }, () => new Uint8Array(randomBytes(32)));
const log = new MerkleLog();
log.append(leaves);

describe.skipIf(skip)('inclusion paths through node:crypto one-shot hash', () => {
  it('the probed hash is SHA-256 as 16 UTF-16LE code units, lone surrogates kept', () => {
    let surrogates = 0;
    // Fixed messages of every length around the block boundaries (no luck involved).
    for (let len = 0; len <= 200; len++) {
      const m = Uint8Array.from({ length: len }, (_, x) => (x * 31 + len) & 0xff);
      const s = hash!('sha256', m, 'utf16le');
      expect(s.length).toBe(16);
      const bytes = new Uint8Array(32);
      for (let c = 0; c < 16; c++) {
        const u = s.charCodeAt(c);
        if (u >= 0xd800 && u <= 0xdfff) surrogates++;
        bytes[2 * c] = u & 0xff;
        bytes[2 * c + 1] = u >>> 8;
      }
      expect(toHex(bytes)).toBe(createHash('sha256').update(m).digest('hex'));
    }
    expect(surrogates).toBeGreaterThan(0);
  });

  // Mutations: 0 none, 1 flip a sibling bit, 2 swap two siblings, 3 drop the last sibling,
  // 4 add one, 5 another leaf, 6 another index, 7 another size, 8 flip a leaf bit.
  const MUTATIONS = 9;
  interface Claim {
    size: number;
    i: number;
    j: number;
    mutation: number;
    at: number;
    memo: boolean;
  }
  const claim: fc.Arbitrary<Claim> = fc.record({
    size: fc.integer({ min: 1, max: 513 }),
    i: fc.nat(512),
    j: fc.nat(512),
    mutation: fc.nat(MUTATIONS - 1),
    at: fc.nat(255),
    memo: fc.boolean(),
  });
  // Each mutation at least once whatever the random draws, memo on and off.
  const examples: [Claim][] = Array.from({ length: 2 * MUTATIONS }, (_, e) => [
    {
      size: 300 + e,
      i: 17 * e,
      j: 5 * e + 3,
      mutation: e % MUTATIONS,
      at: 13 * e,
      memo: e < MUTATIONS,
    },
  ]);

  it('gives the naive and JavaScript roots and verdicts on random trees, indices and tampering', () => {
    const seen = new Set<number>();
    fc.assert(
      fc.property(claim, ({ size, i, j, mutation, at, memo }) => {
        const index = i % size;
        const root = log.root(size);
        const proof = log.inclusionProof(index, size);
        expect(nodeRoot(leaves[index]!, index, size, proof)).toBe(toHex(root));
        let p = proof.map((x) => x.slice());
        let leaf = leaves[index]!;
        let idx = index;
        let n = size;
        const k = p.length === 0 ? 0 : at % p.length;
        if (mutation === 1 && p.length > 0) p[k]![at % 32]! ^= 1 << (at % 8);
        if (mutation === 2 && p.length > 1) [p[0], p[k]] = [p[k]!, p[0]!];
        if (mutation === 3 && p.length > 0) p = p.slice(0, -1);
        if (mutation === 4) p = [...p, leaves[j]!];
        if (mutation === 5) leaf = leaves[j]!;
        if (mutation === 6) idx = j % size;
        if (mutation === 7) n = (j % 513) + 1;
        if (mutation === 8) leaf = Uint8Array.from(leaf, (b, x) => (x === at % 32 ? b ^ 0x80 : b));
        seen.add(mutation);
        const want = idx < n ? refPathRoot(leaf, idx, n, p) : undefined;
        const got = idx < n ? nodeRoot(leaf, idx, n, p) : undefined;
        expect(got).toBe(want);
        if (idx < n) expect(jsRoot(leaf, idx, n, p)).toBe(want);
        // verifyInclusion takes this fold with the memo off, and with it on when WebAssembly
        // is switched off.
        setPathFoldOptions({ memo, node: true, wasm: memo === false });
        expect(verifyInclusion(leaf, idx, n, p, root)).toBe(want === toHex(root));
      }),
      { numRuns: 400, seed: 18, examples },
    );
    expect([...seen].sort((a, b) => a - b)).toEqual([...Array(MUTATIONS).keys()]);
  });

  it('hashes every node of the path, every time (no memo), and nothing past a wrong shape', () => {
    let calls = 0;
    const counting: typeof hash = (alg, data, enc) => {
      calls++;
      return hash!(alg, data, enc);
    };
    const size = 513;
    const index = 300;
    const proof = log.inclusionProof(index, size);
    const want = toHex(log.root(size));
    for (let round = 0; round < 3; round++) {
      calls = 0;
      expect(nodeRoot(leaves[index]!, index, size, proof, counting)).toBe(want);
      expect(calls).toBe(proof.length);
    }
    // One sibling too few: the walk stops where the proof runs out.
    calls = 0;
    expect(nodeRoot(leaves[index]!, index, size, proof.slice(0, -1), counting)).toBeUndefined();
    expect(calls).toBe(proof.length - 1);
  });

  it('a one-leaf tree has the leaf as its root; wrong shapes are refused', () => {
    const leaf = leaves[7]!;
    expect(nodeRoot(leaf, 0, 1, [])).toBe(toHex(leaf));
    expect(nodeRoot(leaf, 0, 1, [leaf])).toBeUndefined();
    expect(nodeRoot(leaf, 0, 2, [])).toBeUndefined();
    expect(nodeRoot(leaf, 1, 3, [leaf, leaf, leaf])).toBeUndefined();
    setPathFoldOptions({ node: true, wasm: false });
    expect(verifyInclusion(leaf, 0, 1, [], leaf)).toBe(true);
    expect(verifyInclusion(leaf, 0, 2, [], leaf)).toBe(false);
  });

  it('an element that is not a 32-byte Uint8Array gives false wherever it is', () => {
    const size = 513;
    const index = 300;
    const proof = log.inclusionProof(index, size);
    const root = log.root(size);
    const wrong = [
      Array.from(proof[0]!),
      new Int8Array(proof[0]!.buffer.slice(0)),
      proof[0]!.subarray(0, 31),
      new Uint8Array(33),
      null,
      'x'.repeat(32),
    ];
    for (const memo of [false, true]) {
      setPathFoldOptions({ memo, node: true, wasm: memo === false });
      expect(verifyInclusion(leaves[index]!, index, size, proof, root)).toBe(true);
      for (const at of [0, 4, proof.length - 1]) {
        for (const w of wrong) {
          const p = [...proof] as unknown[];
          p[at] = w;
          expect(verifyInclusion(leaves[index]!, index, size, p as Uint8Array[], root)).toBe(false);
          expect(rootFromInclusionProof(leaves[index]!, index, size, p as Uint8Array[])).toBe(
            undefined,
          );
        }
      }
    }
  });

  it('agrees with the naive verifier at sizes up to 2^53 (made-up siblings)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32 * 64, maxLength: 32 * 64 }),
        (size, f, leaf, pool) => {
          const index = Math.min(size - 1, Math.floor(f * size));
          const length = inclusionPathLength(index, size);
          const proof = Array.from({ length }, (_, k) => pool.slice(32 * k, 32 * k + 32));
          const want = refPathRoot(leaf, index, size, proof);
          expect(nodeRoot(leaf, index, size, proof)).toBe(want);
        },
      ),
      {
        numRuns: 150,
        seed: 18,
        examples: [[Number.MAX_SAFE_INTEGER, 1, new Uint8Array(32), new Uint8Array(2048)]],
      },
    );
  });
});
