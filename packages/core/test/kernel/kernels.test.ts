import { describe, expect, it } from 'vitest';
import {
  type Sha256KernelName,
  setSha256Kernel,
  sha256Kernels,
  sha256PrefixedBatch,
} from '../../src/kernel/index.js';
import {
  atOddOffset,
  expectedNoble,
  expectedNode,
  expectSameDigests,
  seededBytes,
} from './oracle.js';

const kernels = sha256Kernels();

/** Runs the batch through `kernel` into a larger output at `outOffset`; checks the margins. */
function run(
  kernel: Sha256KernelName,
  prefix: number,
  input: Uint8Array,
  inLen: number,
  count: number,
  outOffset: number,
): Uint8Array {
  setSha256Kernel(kernel);
  try {
    const out = new Uint8Array(outOffset + 32 * count + 7).fill(0x5a);
    sha256PrefixedBatch(prefix, input, inLen, count, out, outOffset);
    // Nothing outside the digests is touched.
    expect(out.subarray(0, outOffset).every((b) => b === 0x5a)).toBe(true);
    expect(out.subarray(outOffset + 32 * count).every((b) => b === 0x5a)).toBe(true);
    return out.subarray(outOffset, outOffset + 32 * count);
  } finally {
    setSha256Kernel('auto');
  }
}

describe('every kernel is byte-identical to node:crypto and @noble/hashes', () => {
  it('this engine (Node) runs all four kernels, SIMD first', () => {
    expect(kernels).toEqual(['wasm-simd', 'wasm', 'js', 'reference']);
  });

  for (const kernel of kernels) {
    describe(kernel, () => {
      it('every message length 0..200, both prefixes, counts spread over 0..300, odd offsets', () => {
        for (let inLen = 0; inLen <= 200; inLen++) {
          const count = (inLen * 37) % 301;
          const prefix = inLen % 2;
          const input = atOddOffset(seededBytes(inLen + 1, inLen * count), 1 + (inLen % 7));
          const got = run(kernel, prefix, input, inLen, count, 1 + (inLen % 33));
          const want = expectedNode(prefix, input, inLen, count);
          expectSameDigests(got, want);
          expectSameDigests(expectedNoble(prefix, input, inLen, count), want);
        }
      });

      it('every count 0..300 of Merkle leaves (inLen 32) and nodes (inLen 64)', () => {
        for (const [prefix, inLen] of [
          [0, 32],
          [1, 64],
        ] as const) {
          const all = seededBytes(inLen, inLen * 300);
          for (let count = 0; count <= 300; count++) {
            const input = atOddOffset(all.subarray(0, inLen * count), 5);
            const got = run(kernel, prefix, input, inLen, count, count % 3);
            expectSameDigests(got, expectedNode(prefix, input, inLen, count));
          }
        }
      });

      it('the padding boundaries: messages of 55, 56, 63, 64, 119, 120, 127, 128 bytes', () => {
        for (const total of [55, 56, 63, 64, 65, 119, 120, 127, 128, 129]) {
          const inLen = total - 1;
          for (const prefix of [0, 1, 0xff]) {
            const input = seededBytes(total * 31 + prefix, inLen * 9);
            expectSameDigests(
              run(kernel, prefix, input, inLen, 9, 0),
              expectedNode(prefix, input, inLen, 9),
            );
          }
        }
      });

      it('batches longer than one chunk of the WebAssembly adapter', () => {
        // 8192 messages or 256 KiB of input per wasm call: cross both limits.
        for (const [inLen, count] of [
          [32, 8192 * 2 + 5],
          [200, 1310 * 2 + 3],
          [0, 8193],
        ] as const) {
          const input = seededBytes(inLen + 7, inLen * count);
          expectSameDigests(
            run(kernel, 1, input, inLen, count, 32),
            expectedNode(1, input, inLen, count),
          );
        }
      });

      it('identical messages give identical digests in every lane', () => {
        const one = seededBytes(99, 64);
        const input = new Uint8Array(64 * 11);
        for (let i = 0; i < 11; i++) input.set(one, 64 * i);
        const got = run(kernel, 1, input, 64, 11, 0);
        for (let i = 1; i < 11; i++)
          expectSameDigests(got.subarray(32 * i, 32 * i + 32), got.subarray(0, 32));
        expectSameDigests(got.subarray(0, 32), expectedNode(1, one, 64, 1));
      });

      it('hashes a tree level in place (out is input, parents over their children)', () => {
        const count = 1000;
        const children = seededBytes(77, 64 * count);
        const want = expectedNode(1, children, 64, count);
        setSha256Kernel(kernel);
        try {
          sha256PrefixedBatch(1, children, 64, count, children);
        } finally {
          setSha256Kernel('auto');
        }
        expectSameDigests(children.subarray(0, 32 * count), want);
      });

      it('reads only count * inLen bytes of a longer input', () => {
        const input = seededBytes(5, 32 * 10 + 17);
        expectSameDigests(run(kernel, 0, input, 32, 10, 0), expectedNode(0, input, 32, 10));
      });
    });
  }
});
