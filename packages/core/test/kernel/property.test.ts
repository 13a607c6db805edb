import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setSha256Kernel, sha256Kernels, sha256PrefixedBatch } from '../../src/kernel/index.js';
import { atOddOffset, expectedNode, expectSameDigests } from './oracle.js';

/** A batch: prefix, message length, count, the bytes, where they sit, where output goes. */
const batch = fc
  .record({
    prefix: fc.integer({ min: 0, max: 255 }),
    inLen: fc.oneof(fc.constantFrom(32, 64), fc.integer({ min: 0, max: 200 })),
    count: fc.integer({ min: 0, max: 40 }),
    inputShift: fc.integer({ min: 0, max: 15 }),
    outOffset: fc.integer({ min: 0, max: 70 }),
  })
  .chain((b) =>
    fc.record({
      b: fc.constant(b),
      bytes: fc.uint8Array({ minLength: b.inLen * b.count, maxLength: b.inLen * b.count }),
    }),
  );

function hashWith(
  kernel: (typeof KERNELS)[number],
  prefix: number,
  input: Uint8Array,
  inLen: number,
  count: number,
  out: Uint8Array,
  outOffset: number,
): void {
  setSha256Kernel(kernel);
  try {
    sha256PrefixedBatch(prefix, input, inLen, count, out, outOffset);
  } finally {
    setSha256Kernel('auto');
  }
}

const KERNELS = sha256Kernels();

describe('kernel properties (fast-check)', () => {
  it('every kernel equals node:crypto on arbitrary batches at arbitrary offsets', () => {
    fc.assert(
      fc.property(batch, ({ b, bytes }) => {
        const input = atOddOffset(bytes, b.inputShift);
        const want = expectedNode(b.prefix, input, b.inLen, b.count);
        for (const kernel of KERNELS) {
          const out = new Uint8Array(b.outOffset + 32 * b.count);
          hashWith(kernel, b.prefix, input, b.inLen, b.count, out, b.outOffset);
          expectSameDigests(out.subarray(b.outOffset), want);
          expect(out.subarray(0, b.outOffset).every((x) => x === 0)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a batch equals its messages hashed one call each, in any split', () => {
    fc.assert(
      fc.property(batch, fc.integer({ min: 0, max: 40 }), ({ b, bytes }, cut) => {
        const at = Math.min(cut, b.count);
        const whole = new Uint8Array(32 * b.count);
        sha256PrefixedBatch(b.prefix, bytes, b.inLen, b.count, whole);
        const parts = new Uint8Array(32 * b.count);
        sha256PrefixedBatch(b.prefix, bytes, b.inLen, at, parts);
        sha256PrefixedBatch(
          b.prefix,
          bytes.subarray(at * b.inLen),
          b.inLen,
          b.count - at,
          parts,
          32 * at,
        );
        expectSameDigests(parts, whole);
      }),
      { numRuns: 200 },
    );
  });

  it('the input is never modified', () => {
    fc.assert(
      fc.property(batch, ({ b, bytes }) => {
        const before = bytes.slice();
        for (const kernel of KERNELS) {
          hashWith(kernel, b.prefix, bytes, b.inLen, b.count, new Uint8Array(32 * b.count), 0);
        }
        expect(bytes).toEqual(before);
      }),
      { numRuns: 100 },
    );
  });
});
