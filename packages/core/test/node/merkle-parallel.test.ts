import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isMedanchorError, leafHashes32, merkleRoot, toHex } from '../../src/index.js';
import { createMerkleWorkerPool, merkleRootParallel } from '../../src/node.js';

// Roots split over real worker threads must be merkleRoot's, byte for byte, at every
// size that touches an edge of the split: 0, 1, powers of two and their neighbours.

const MAX = 70_000;
const leaves = leafHashes32(new Uint8Array(randomBytes(32 * MAX)), MAX);
const prefix = (n: number) => leaves.subarray(0, 32 * n);
const want = (n: number) => toHex(merkleRoot(prefix(n)));

const edgeSizes = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1023, 1024, 1025];
edgeSizes.push(4095, 4096, 4097, 65535, 65536, 65537, MAX);

describe('merkleRootParallel', () => {
  const pool = createMerkleWorkerPool({ threads: 3, minLeaves: 0 });
  afterAll(async () => {
    await pool.close();
  });

  it('a pool of 3 threads runs two workers here', () => {
    expect(pool.threads).toBe(3);
  });

  it('equals merkleRoot at 0, 1, 2^k and 2^k ± 1 leaves (pool of 3 threads, workers forced)', async () => {
    for (const n of edgeSizes)
      expect(toHex(await pool.root(prefix(n))), `${n} leaves`).toBe(want(n));
  });

  it('equals merkleRoot on random sizes (property, pool of 3 threads)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: MAX }), async (n) => {
        expect(toHex(await pool.root(prefix(n)))).toBe(want(n));
      }),
      { numRuns: 40 },
    );
  });

  it('takes leaf hashes as an array too, and does not modify packed input', async () => {
    const n = 3001;
    const before = toHex(prefix(n));
    const array = Array.from({ length: n }, (_, i) => leaves.slice(32 * i, 32 * i + 32));
    expect(toHex(await pool.root(array))).toBe(want(n));
    expect(toHex(await pool.root(prefix(n)))).toBe(want(n));
    expect(toHex(prefix(n))).toBe(before);
  });

  it('hashLeaves: 32-byte values leaf-hashed in the threads give merkleRoot(leafHashes32(values))', async () => {
    const values = leaves; // any 32-byte values will do
    for (const n of [0, 1, 2, 4097, 65536, MAX]) {
      const expected = toHex(merkleRoot(leafHashes32(values.subarray(0, 32 * n))));
      expect(toHex(await pool.root(values.subarray(0, 32 * n), { hashLeaves: true }))).toBe(
        expected,
      );
      const oneShot = await merkleRootParallel(values.subarray(0, 32 * n), {
        threads: 2,
        minLeaves: 0,
        hashLeaves: true,
      });
      expect(toHex(oneShot)).toBe(expected);
    }
    expect(toHex(await merkleRootParallel(prefix(100), { threads: 1, hashLeaves: true }))).toBe(
      toHex(merkleRoot(leafHashes32(prefix(100)))),
    );
  });

  it('one-shot calls with 2 and 4 threads start and stop their own workers', async () => {
    for (const threads of [2, 4]) {
      for (const n of [0, 1, 2, 4097, 65536, MAX]) {
        expect(toHex(await merkleRootParallel(prefix(n), { threads, minLeaves: 0 }))).toBe(want(n));
      }
    }
  });

  it('falls back to the calling thread: threads 1, small sets, a closed pool', async () => {
    expect(toHex(await merkleRootParallel(prefix(MAX), { threads: 1 }))).toBe(want(MAX));
    expect(toHex(await merkleRootParallel(prefix(1000)))).toBe(want(1000));
    const closed = createMerkleWorkerPool({ threads: 2, minLeaves: 0 });
    await closed.close();
    expect(toHex(await closed.root(prefix(5000)))).toBe(want(5000));
    const solo = createMerkleWorkerPool({ threads: 1 });
    expect(solo.threads).toBe(1);
    expect(toHex(await solo.root(prefix(777)))).toBe(want(777));
    await solo.close();
  });

  it('rejects bad arguments with MedanchorError codes', async () => {
    const code = async (p: () => Promise<unknown>) => {
      try {
        await p();
      } catch (e) {
        return isMedanchorError(e) ? e.code : String(e);
      }
      return undefined;
    };
    expect(await code(() => merkleRootParallel(prefix(3), { threads: 0 }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await code(() => merkleRootParallel(new Uint8Array(33)))).toBe('INVALID_LENGTH');
    expect(await code(() => pool.root([new Uint8Array(31)]))).toBe('INVALID_LENGTH');
    expect(() => createMerkleWorkerPool({ threads: 1.5 })).toThrow(/positive integer/);
  });
});
