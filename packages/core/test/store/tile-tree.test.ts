// TileTree against MerkleLog: random-leaf inclusion proofs and consistency proofs for
// many tree sizes, with per-tree caches, one cache shared by every size, and a cache
// too small for one proof's tiles. Tiles are cut from tree levels hashed here with
// nodeHash, independently of the tile code under test.
import { describe, expect, it } from 'vitest';
import {
  isMedanchorError,
  leafHash,
  MerkleLog,
  nodeHash,
  TileCache,
  TileTree,
  toHex,
  utf8,
} from '../../src/index.js';

const N = 70_000; // past 65,536, so proofs climb into level-2 tiles
const leaves = Array.from({ length: N }, (_, i) => leafHash(utf8(`tile-tree leaf ${i}`)));
const log = new MerkleLog();
log.append(leaves);

// levels[h][j]: the complete node j of tree level h.
const levels: Uint8Array[][] = [leaves];
while (levels[levels.length - 1]!.length > 1) {
  const below = levels[levels.length - 1]!;
  const up: Uint8Array[] = [];
  for (let j = 0; j + 1 < below.length; j += 2) up.push(nodeHash(below[j]!, below[j + 1]!));
  levels.push(up);
}

function reader(counter: { reads: number }) {
  return async (level: number, index: number, width: number): Promise<Uint8Array> => {
    counter.reads++;
    const nodes = levels[8 * level]!.slice(index * 256, index * 256 + width);
    if (nodes.length !== width) throw new Error(`tile ${level}/${index} has no width ${width}`);
    const out = new Uint8Array(width * 32);
    for (const [k, h] of nodes.entries()) out.set(h, k * 32);
    return out;
  };
}

// Deterministic pseudo-random leaf indices (a fixed LCG: the same run every time).
function picks(size: number, count: number, seed: number): number[] {
  let x = seed >>> 0;
  const out: number[] = [0, size - 1];
  for (let k = 0; k < count; k++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out.push(x % size);
  }
  return out;
}

const SIZES = [
  1,
  2,
  3,
  7,
  8,
  255,
  256,
  257,
  511,
  512,
  513,
  4095,
  4097,
  65_535,
  65_536,
  65_537,
  69_999,
  N,
  ...picks(N, 12, 7).map((i) => i + 1),
];

async function expectSameProofs(tree: TileTree, size: number, seed: number): Promise<void> {
  expect(toHex(await tree.root())).toBe(toHex(log.root(size)));
  for (const i of picks(size, 40, seed)) {
    expect((await tree.inclusionProof(i)).map(toHex)).toEqual(
      log.inclusionProof(i, size).map(toHex),
    );
  }
  for (const m of picks(size, 4, seed + 1).map((i) => i + 1)) {
    expect((await tree.consistencyProof(m)).map(toHex)).toEqual(
      log.consistencyProof(m, size).map(toHex),
    );
  }
}

describe('TileTree proofs equal MerkleLog proofs', () => {
  it('for random leaves of many sizes, each tree with its own cache', async () => {
    for (const size of SIZES) {
      await expectSameProofs(new TileTree(reader({ reads: 0 }), size), size, size);
    }
  });

  it('for many sizes sharing one cache, and a second pass reads no tile', async () => {
    const cache = new TileCache();
    const counter = { reads: 0 };
    for (const size of SIZES)
      await expectSameProofs(new TileTree(reader(counter), size, { cache }), size, size);
    expect(counter.reads).toBeGreaterThan(0);
    const before = counter.reads;
    for (const size of SIZES)
      await expectSameProofs(new TileTree(reader(counter), size, { cache }), size, size);
    expect(counter.reads).toBe(before);
  });

  it('with a cache of a few tiles that keeps most as summaries: same proofs, fewer reads on a second pass', async () => {
    const cache = new TileCache(3 * 16_320 + 40 * 1_984);
    const counter = { reads: 0 };
    for (const size of SIZES)
      await expectSameProofs(new TileTree(reader(counter), size, { cache }), size, size);
    for (const size of SIZES)
      await expectSameProofs(new TileTree(reader(counter), size, { cache }), size, size + 5);
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
    expect(cache.size).toBeGreaterThan(3); // summaries kept beside the full tiles
  });

  it('32 proofs at once on a cold tree read and hash each tile once; a failed read is not kept', async () => {
    const counter = { reads: 0 };
    const tree = new TileTree(reader(counter), N);
    const wanted = Array.from({ length: 32 }, (_, k) => 1_000 + k); // all in level-0 tile 3
    const proofs = await Promise.all(wanted.map((i) => tree.inclusionProof(i)));
    for (const [k, i] of wanted.entries())
      expect(proofs[k]!.map(toHex)).toEqual(log.inclusionProof(i, N).map(toHex));
    // Tiles 0/3, 1/0 and 2/0 (and the right edge's 0/273, 1/1): one read each, not one per walk.
    expect(counter.reads).toBe(5);

    let fail = true;
    const flaky = reader({ reads: 0 });
    const shaky = new TileTree(async (l, i, w) => {
      if (fail) throw new Error('tile store unreachable');
      return flaky(l, i, w);
    }, N);
    const refused = await Promise.allSettled(wanted.map((i) => shaky.inclusionProof(i)));
    expect(refused.every((r) => r.status === 'rejected')).toBe(true);
    fail = false;
    expect((await shaky.inclusionProof(1_000)).map(toHex)).toEqual(
      log.inclusionProof(1_000, N).map(toHex),
    );
  });

  it('with a cache too small for one proof (budget 0): same proofs, nothing kept between walks', async () => {
    const cache = new TileCache(0);
    for (const size of [257, 65_537, N]) {
      await expectSameProofs(new TileTree(reader({ reads: 0 }), size, { cache }), size, 3);
    }
    expect(cache.size).toBeLessThanOrEqual(1);
  });

  it('keeps a cache within its byte budget: whole tiles in half of it, summaries beside', async () => {
    const full = 16_320; // 256 hashes and the 254 inner nodes of tree levels 8L+1..8L+7
    const summary = 1_984; // the 62 nodes of tree levels 8L+3..8L+7
    const cache = new TileCache(2 * full);
    const counter = { reads: 0 };
    // At 65,536 leaves a proof reads one level-0 tile and the full level-1 tile 0.
    const tree = new TileTree(reader(counter), 65_536, { cache });
    await tree.inclusionProof(0);
    expect(counter.reads).toBe(2);
    // One whole tile fits in half the budget: the first read shrank to a summary.
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(full + summary);
    for (const i of [1, 300, 301, 5000, 2, 65_535]) {
      expect((await tree.inclusionProof(i)).map(toHex)).toEqual(
        log.inclusionProof(i, 65_536).map(toHex),
      );
      expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
    }
    expect(cache.size).toBeGreaterThan(2);
  });

  it('refuses a budget that is not a non-negative safe integer, with INVALID_ARGUMENT', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      let err: unknown;
      try {
        new TileCache(bad);
      } catch (e) {
        err = e;
      }
      expect(isMedanchorError(err) && err.code).toBe('INVALID_ARGUMENT');
    }
  });
});
