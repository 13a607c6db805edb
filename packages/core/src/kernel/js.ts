// SHA-256 of equal-length prefixed messages in plain JavaScript: the kernel for
// engines without WebAssembly. State, schedule and padding live in typed arrays made
// once, so a call allocates nothing; the block function is kernel/sha256-block.ts.

import type { BatchFn } from './batch-fn.js';
import { IV as SHARED_IV, W as SHARED_W, compress as sharedCompress } from './sha256-block.js';

/**
 * Pure-JavaScript batch kernel: `out[outOffset + 32i ..] = sha256(prefix || input[inLen*i ..
 * inLen*(i+1)])` for i < count. Arguments are trusted (checked by the dispatcher).
 */
export const sha256PrefixedBatchJs: BatchFn = /* @__PURE__ */ batchKernel();

/**
 * Makes the kernel with its state in the scope of one function, called once: `const` there
 * stays `const` in the bundled build (esbuild turns top-level `const` into `var`), so V8
 * can fold the arrays and the block function into the kernel's optimized code, as it does
 * for the unbundled sources (see kernel/sha256-block.ts). Local names for the shared block
 * function and arrays, too: reading imported bindings in the hot loop cost 0.66-0.89x under
 * unbundled ESM (tsx, which runs the benchmarks).
 */
function batchKernel(): BatchFn {
  const compressBlock = sharedCompress;
  const IV = SHARED_IV;
  const W = SHARED_W;
  const H = new Int32Array(8);
  // The last one or two padded blocks of the current message.
  const TAIL = new Uint8Array(128);

  /**
   * Loads the 64-byte block at `src[pos..]` into W. With `prefix >= 0` the block is the
   * first of a message read from one byte before it, and its first byte is `prefix`.
   */
  function loadBlock(src: Uint8Array, pos: number, prefix: number): void {
    let t = 0;
    if (prefix >= 0) {
      W[0] = (prefix << 24) | (src[pos + 1]! << 16) | (src[pos + 2]! << 8) | src[pos + 3]!;
      t = 1;
    }
    for (; t < 16; t++) {
      const p = pos + 4 * t;
      W[t] = (src[p]! << 24) | (src[p + 1]! << 16) | (src[p + 2]! << 8) | src[p + 3]!;
    }
  }

  /** Compresses the block in W into H. */
  function compress(): void {
    compressBlock(H);
  }

  return function sha256PrefixedBatchJs(
    prefix: number,
    input: Uint8Array,
    inLen: number,
    count: number,
    out: Uint8Array,
    outOffset = 0,
  ): void {
    // Every message has 1 + inLen bytes: `full` blocks straight from the input, then
    // the last `rest` bytes and the padding in one or two TAIL blocks.
    const total = 1 + inLen;
    const full = Math.floor(total / 64);
    const rest = total % 64;
    const tailBlocks = rest + 9 <= 64 ? 1 : 2;
    TAIL.fill(0);
    if (full === 0) TAIL[0] = prefix;
    TAIL[rest] = 0x80;
    // Bit length as a 64-bit big-endian integer; exact below 2^53 bits.
    const bits = total * 8;
    const end = tailBlocks * 64;
    const hi = Math.floor(bits / 0x100000000);
    TAIL[end - 8] = hi >>> 24;
    TAIL[end - 7] = hi >>> 16;
    TAIL[end - 6] = hi >>> 8;
    TAIL[end - 5] = hi;
    TAIL[end - 4] = bits >>> 24;
    TAIL[end - 3] = bits >>> 16;
    TAIL[end - 2] = bits >>> 8;
    TAIL[end - 1] = bits;
    for (let i = 0; i < count; i++) {
      const msg = i * inLen;
      H.set(IV);
      for (let b = 0; b < full; b++) {
        loadBlock(input, msg - 1 + 64 * b, b === 0 ? prefix : -1);
        compress();
      }
      if (full === 0) for (let j = 1; j < rest; j++) TAIL[j] = input[msg + j - 1]!;
      else for (let j = 0, p = msg - 1 + 64 * full; j < rest; j++) TAIL[j] = input[p + j]!;
      for (let b = 0; b < tailBlocks; b++) {
        loadBlock(TAIL, 64 * b, -1);
        compress();
      }
      let o = outOffset + 32 * i;
      for (let w = 0; w < 8; w++, o += 4) {
        const x = H[w]!;
        out[o] = x >>> 24;
        out[o + 1] = x >>> 16;
        out[o + 2] = x >>> 8;
        out[o + 3] = x;
      }
    }
  };
}
