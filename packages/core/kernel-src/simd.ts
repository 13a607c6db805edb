// Four messages at once, one per 32-bit lane of a v128 (WebAssembly SIMD). Every
// message of a batch has the same length, so the four lanes always run the same
// number of blocks; the last count % 4 messages go through the scalar kernel.
import { fillTail, full, IV, prepareTails, TAIL_BYTES, TAILS, tailBlocks } from './common';
import { compressSchedule, HV, loadWords, prepareConstants, storeWords, WV } from './lanes';
import { hashRange } from './scalar';

/** Compresses one block of each lane (at p0..p3) into HV. */
function compress4(p0: usize, p1: usize, p2: usize, p3: usize, patch: bool, prefix: u32): void {
  loadWords(p0, p1, p2, p3, 0, WV);
  loadWords(p0, p1, p2, p3, 16, WV + 64);
  loadWords(p0, p1, p2, p3, 32, WV + 128);
  loadWords(p0, p1, p2, p3, 48, WV + 192);
  if (patch) {
    const w0 = v128.and(v128.load(WV), i32x4.splat(0x00ffffff));
    v128.store(WV, v128.or(w0, i32x4.splat(<i32>(prefix << 24))));
  }
  compressSchedule();
}

/**
 * `output[32i ..] = sha256(prefix || input[inLen*i .. inLen*(i+1)])` for i < count.
 * The byte before `input` must be readable (it is read, then replaced by the prefix).
 */
export function hashBatch(
  prefix: u32,
  input: usize,
  inLen: usize,
  count: usize,
  output: usize,
): void {
  prepareConstants();
  prepareTails(prefix, inLen, 4);
  const quads = count & ~(<usize>3);
  for (let i: usize = 0; i < quads; i += 4) {
    const m0 = input + i * inLen;
    const m1 = m0 + inLen;
    const m2 = m1 + inLen;
    const m3 = m2 + inLen;
    for (let w: usize = 0; w < 8; w++)
      v128.store(HV + (w << 4), i32x4.splat(load<i32>(IV + (w << 2))));
    for (let b: usize = 0; b < full; b++) {
      const off = (b << 6) - 1;
      compress4(m0 + off, m1 + off, m2 + off, m3 + off, b === 0, prefix);
    }
    fillTail(m0, 0);
    fillTail(m1, 1);
    fillTail(m2, 2);
    fillTail(m3, 3);
    for (let b: usize = 0; b < tailBlocks; b++) {
      const t = TAILS + (b << 6);
      compress4(t, t + TAIL_BYTES, t + 2 * TAIL_BYTES, t + 3 * TAIL_BYTES, false, 0);
    }
    const out = output + (i << 5);
    storeWords(HV, out, 0);
    storeWords(HV + 64, out, 1);
  }
  // Lane 0 of TAILS already holds this batch's padding, as hashRange expects.
  hashRange(prefix, input, inLen, quads, count, output);
}

export { ioBase } from './common';
export { foldPaths } from './fold';
export { clearPathMemo, foldPath, pathBase } from './path';
