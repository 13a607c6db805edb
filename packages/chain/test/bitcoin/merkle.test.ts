import { fromHex } from '@medanchor/core';
import { Block } from 'bitcoinjs-lib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bitcoinMerkleBranch,
  bitcoinMerkleRoot,
  checkMerkleBranch,
  foldMerkleBranch,
  hashFromDisplayHex,
  hashToDisplayHex,
  isMerkleMutated,
  merkleDepth,
  parseHeader,
} from '../../src/bitcoin/index.js';
import { block80000, block542213MerkleRoot, block542213Txids } from './fixtures.js';

const fromDisplay = (list: string[]) => list.map((t) => hashFromDisplayHex(t));

describe('Bitcoin merkle tree on real blocks', () => {
  it('block 80000: the root of its two txids is the header merkle root', () => {
    const root = bitcoinMerkleRoot(fromDisplay(block80000.txids));
    expect(hashToDisplayHex(root)).toBe(block80000.merkleRoot);
    expect(root).toEqual(parseHeader(fromHex(block80000.header)).merkleRoot);
  });

  it('block 542213: every branch verifies against the root with the tx count checked', () => {
    const txids = fromDisplay(block542213Txids);
    const root = hashFromDisplayHex(block542213MerkleRoot);
    expect(bitcoinMerkleRoot(txids)).toEqual(root);
    txids.forEach((leaf, position) => {
      const branch = bitcoinMerkleBranch(txids, position);
      expect(branch).toHaveLength(2);
      expect(checkMerkleBranch({ leaf, position, branch, root, txCount: 4 })).toEqual({ ok: true });
    });
  });

  it('agrees with bitcoinjs-lib Block.calculateMerkleRoot', () => {
    const block = Block.fromHex(block80000.rawBlock);
    const theirs = Block.calculateMerkleRoot(block.transactions!);
    expect(bitcoinMerkleRoot(fromDisplay(block80000.txids))).toEqual(new Uint8Array(theirs));
  });
});

describe('merkleDepth', () => {
  it('is ceil(log2(txCount))', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 461, 1557].map(merkleDepth)).toEqual([0, 1, 2, 2, 3, 3, 4, 9, 11]);
  });
});

function leaves(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const b = new Uint8Array(32);
    b[0] = i & 0xff;
    b[1] = i >> 8;
    b[31] = 0xaa;
    return b;
  });
}

describe('checkMerkleBranch refuses', () => {
  const txids = leaves(3);
  const root = bitcoinMerkleRoot(txids);

  it('a branch one sibling too short or too long for the tx count (branch-length)', () => {
    const branch = bitcoinMerkleBranch(txids, 1);
    const short = checkMerkleBranch({
      leaf: txids[1]!,
      position: 1,
      branch: branch.slice(0, 1),
      root,
      txCount: 3,
    });
    expect(short).toMatchObject({ ok: false, step: 'branch-length' });
    const long = checkMerkleBranch({
      leaf: txids[1]!,
      position: 1,
      branch: [...branch, root],
      root,
      txCount: 3,
    });
    expect(long).toMatchObject({ ok: false, step: 'branch-length' });
    const past = checkMerkleBranch({ leaf: txids[1]!, position: 3, branch, root, txCount: 3 });
    expect(past).toMatchObject({ ok: false, step: 'branch-length' });
  });

  it('the CVE-2012-2459 duplicate: [a,b,c,c] shares the root of [a,b,c] but index 3 is refused', () => {
    const mutated = [...txids, txids[2]!];
    expect(bitcoinMerkleRoot(mutated)).toEqual(root);
    expect(isMerkleMutated(mutated)).toBe(true);
    expect(isMerkleMutated(txids)).toBe(false);
    const branch = bitcoinMerkleBranch(mutated, 3);
    // Without a tx count the duplicated right node is still recognised.
    expect(checkMerkleBranch({ leaf: txids[2]!, position: 3, branch, root })).toMatchObject({
      ok: false,
      step: 'branch',
    });
    expect(
      checkMerkleBranch({ leaf: txids[2]!, position: 3, branch, root, txCount: 4 }),
    ).toMatchObject({
      ok: false,
      step: 'branch',
    });
    // The honest proof of the lone last node (its own sibling) passes.
    const honest = bitcoinMerkleBranch(txids, 2);
    expect(
      checkMerkleBranch({ leaf: txids[2]!, position: 2, branch: honest, root, txCount: 3 }),
    ).toEqual({ ok: true });
  });

  it('a lone last node paired with something other than itself', () => {
    const branch = bitcoinMerkleBranch(txids, 2);
    branch[0] = txids[0]!;
    expect(
      checkMerkleBranch({ leaf: txids[2]!, position: 2, branch, root, txCount: 3 }),
    ).toMatchObject({
      ok: false,
      step: 'branch',
    });
  });

  it('an inner node presented as a leaf at a shorter depth (the 64-byte ambiguity) via the tx count', () => {
    const four = leaves(4);
    const r4 = bitcoinMerkleRoot(four);
    const inner = bitcoinMerkleBranch(four, 0)[1]!; // parent of leaves 2 and 3
    const check = checkMerkleBranch({
      leaf: inner,
      position: 1,
      branch: [bitcoinMerkleRoot(four.slice(0, 2))],
      root: r4,
      txCount: 4,
    });
    expect(check).toMatchObject({ ok: false, step: 'branch-length' });
    // Without the count the fold alone would accept it: that is why SPV also refuses 64-byte transactions.
    expect(
      checkMerkleBranch({
        leaf: inner,
        position: 1,
        branch: [bitcoinMerkleRoot(four.slice(0, 2))],
        root: r4,
      }),
    ).toEqual({ ok: true });
  });

  it('a wrong root (merkle-root)', () => {
    const branch = bitcoinMerkleBranch(txids, 0);
    expect(
      checkMerkleBranch({ leaf: txids[0]!, position: 0, branch, root: txids[0]!, txCount: 3 }),
    ).toMatchObject({
      ok: false,
      step: 'merkle-root',
    });
  });

  it('malformed input without throwing', () => {
    const bad = checkMerkleBranch({
      leaf: new Uint8Array(31),
      position: 0,
      branch: [],
      root: new Uint8Array(32),
    });
    expect(bad.ok).toBe(false);
    const nan = checkMerkleBranch({
      leaf: txids[0]!,
      position: Number.NaN,
      branch: [],
      root,
      txCount: 3,
    });
    expect(nan).toMatchObject({ ok: false, step: 'branch-length' });
  });
});

describe('merkle branches (property)', () => {
  const arbTree = fc
    .uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
      minLength: 1,
      maxLength: 70,
      selector: (u) => Array.from(u).join(','),
    })
    .chain((txids) => fc.tuple(fc.constant(txids), fc.nat({ max: txids.length - 1 })));

  it('every branch of a random tree verifies with the tx count, and folds to the root', () => {
    fc.assert(
      fc.property(arbTree, ([txids, position]) => {
        const root = bitcoinMerkleRoot(txids);
        const branch = bitcoinMerkleBranch(txids, position);
        expect(foldMerkleBranch(txids[position]!, position, branch)).toEqual(root);
        expect(
          checkMerkleBranch({
            leaf: txids[position]!,
            position,
            branch,
            root,
            txCount: txids.length,
          }),
        ).toEqual({
          ok: true,
        });
      }),
      { numRuns: 200 },
    );
  });

  it('any single-byte change to the leaf, a sibling or the root fails', () => {
    fc.assert(
      fc.property(
        arbTree,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ([txids, position], pick, delta) => {
          const root = bitcoinMerkleRoot(txids);
          const branch = bitcoinMerkleBranch(txids, position);
          const leaf = txids[position]!.slice();
          const parts = [leaf, ...branch.map((b) => b.slice()), root.slice()];
          const target = parts[pick % parts.length]!;
          // A lone node's sibling is the node itself: change it and its partner would differ, still a failure.
          target[(pick >> 3) % 32]! ^= delta;
          const [l, ...rest] = parts;
          const r = rest.pop()!;
          const check = checkMerkleBranch({
            leaf: l!,
            position,
            branch: rest,
            root: r,
            txCount: txids.length,
          });
          expect(check.ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
