import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { foldInclusionPaths } from '../../src/kernel/fold.js';
import { setSha256Kernel, sha256Kernels } from '../../src/kernel/index.js';

// The path fold behind batch verification, on every kernel, against node:crypto one
// node at a time: sha256(0x01 || left || right), the sibling on the side its byte says.

afterEach(() => {
  setSha256Kernel('auto');
});

function expectedFold(
  depth: number,
  count: number,
  leaves: Uint8Array,
  paths: Uint8Array,
  sides: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(32 * count);
  for (let j = 0; j < count; j++) {
    let cur = leaves.slice(32 * j, 32 * j + 32);
    for (let k = 0; k < depth; k++) {
      const sib = paths.subarray(32 * (j * depth + k), 32 * (j * depth + k + 1));
      const left = sides[j * depth + k] === 1;
      const h = createHash('sha256').update(Uint8Array.of(1));
      h.update(left ? sib : cur).update(left ? cur : sib);
      cur = new Uint8Array(h.digest());
    }
    out.set(cur, 32 * j);
  }
  return out;
}

describe('foldInclusionPaths', () => {
  it.each(sha256Kernels())('matches node:crypto node by node (%s kernel)', (k) => {
    setSha256Kernel(k);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (depth, count, seed) => {
          let x = seed | 1;
          const byte = () => {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            return x & 255;
          };
          const leaves = Uint8Array.from({ length: 32 * count }, byte);
          const paths = Uint8Array.from({ length: 32 * depth * count }, byte);
          const sides = Uint8Array.from({ length: depth * count }, () => byte() & 1);
          const out = new Uint8Array(32 * count);
          foldInclusionPaths(depth, count, leaves, paths, sides, out);
          expect(toHex(out)).toBe(toHex(expectedFold(depth, count, leaves, paths, sides)));
        },
      ),
      { numRuns: k === 'reference' ? 40 : 150 },
    );
  });

  it('folds more proofs than one chunk of module memory (the SIMD kernel copies in chunks)', () => {
    const depth = 30;
    const count = 1500; // 1500 * (64 + 33 * 30) bytes > 256 KiB
    const leaves = new Uint8Array(32 * count).map((_, i) => (i * 7) & 255);
    const paths = new Uint8Array(32 * depth * count).map((_, i) => (i * 13 + 1) & 255);
    const sides = new Uint8Array(depth * count).map((_, i) => ((i * 5) % 3 === 0 ? 1 : 0));
    const out = new Uint8Array(32 * count);
    foldInclusionPaths(depth, count, leaves, paths, sides, out);
    expect(toHex(out)).toBe(toHex(expectedFold(depth, count, leaves, paths, sides)));
  });
});
