// Inclusion-proof folding, four proofs at once: each lane carries one proof's running
// hash up its path, level by level, without leaving the word-sliced SIMD form. A node
// is sha256(0x01 || left || right), 65 bytes: one block of message words built by
// shifting the two children one byte right, then a constant padding block that only
// holds the last byte of the right child.
import { IV } from './common';
import { compressSchedule, HV, loadWords, prepareConstants, storeWords, WV } from './lanes';

/** Running hash of the four proofs, one v128 per state word. */
const CV: usize = memory.data(8 * 16, 16);
/** The four siblings of the current level, one v128 per word. */
const SV: usize = memory.data(8 * 16, 16);
/** Digests of a last, partial group of lanes before they are copied out. */
const OUT4: usize = memory.data(4 * 32, 16);

/** (hi << 24) | (lo >>> 8) per lane: a word of a message shifted one byte right. */
function shiftIn(hi: v128, lo: v128): v128 {
  return v128.or(i32x4.shl(hi, 24), i32x4.shr_u(lo, 8));
}

/**
 * Folds `count` inclusion paths of `depth` nodes each: proof j starts from the 32-byte
 * hash at `leaves + 32j` and at level k hashes it with the sibling at
 * `paths + 32(j * depth + k)`, on the left when the byte at `sides + j * depth + k`
 * is 1 (it must be 0 or 1). Writes the resulting root of proof j at `output + 32j`.
 */
export function foldPaths(
  depth: usize,
  count: usize,
  leaves: usize,
  paths: usize,
  sides: usize,
  output: usize,
): void {
  prepareConstants();
  const stride: usize = depth << 5;
  const last = count - 1;
  for (let i: usize = 0; i < count; i += 4) {
    // A last group of fewer than four repeats its last proof in the spare lanes.
    const j0 = i;
    const j1 = min(i + 1, last);
    const j2 = min(i + 2, last);
    const j3 = min(i + 3, last);
    loadWords(
      leaves + (j0 << 5),
      leaves + (j1 << 5),
      leaves + (j2 << 5),
      leaves + (j3 << 5),
      0,
      CV,
    );
    loadWords(
      leaves + (j0 << 5),
      leaves + (j1 << 5),
      leaves + (j2 << 5),
      leaves + (j3 << 5),
      16,
      CV + 64,
    );
    let s0 = paths + j0 * stride;
    let s1 = paths + j1 * stride;
    let s2 = paths + j2 * stride;
    let s3 = paths + j3 * stride;
    let d0 = sides + j0 * depth;
    let d1 = sides + j1 * depth;
    let d2 = sides + j2 * depth;
    let d3 = sides + j3 * depth;
    for (let k: usize = 0; k < depth; k++) {
      loadWords(s0, s1, s2, s3, 0, SV);
      loadWords(s0, s1, s2, s3, 16, SV + 64);
      // All ones in a lane whose sibling is the left child.
      let mask = i32x4.splat(0);
      mask = i32x4.replace_lane(mask, 0, -(<i32>load<u8>(d0)));
      mask = i32x4.replace_lane(mask, 1, -(<i32>load<u8>(d1)));
      mask = i32x4.replace_lane(mask, 2, -(<i32>load<u8>(d2)));
      mask = i32x4.replace_lane(mask, 3, -(<i32>load<u8>(d3)));
      // First block: 0x01, left, right without its last byte.
      let prev = i32x4.splat(1);
      for (let w: usize = 0; w < 8; w++) {
        const left = v128.bitselect(v128.load(SV + (w << 4)), v128.load(CV + (w << 4)), mask);
        v128.store(WV + (w << 4), shiftIn(prev, left));
        prev = left;
      }
      for (let w: usize = 0; w < 8; w++) {
        const right = v128.bitselect(v128.load(CV + (w << 4)), v128.load(SV + (w << 4)), mask);
        v128.store(WV + ((8 + w) << 4), shiftIn(prev, right));
        prev = right;
      }
      for (let w: usize = 0; w < 8; w++)
        v128.store(HV + (w << 4), i32x4.splat(load<i32>(IV + (w << 2))));
      compressSchedule();
      // Second block: the last byte of right, 0x80, zeros, and the length (65 bytes).
      v128.store(WV, v128.or(i32x4.shl(prev, 24), i32x4.splat(0x00800000)));
      for (let w: usize = 1; w < 15; w++) v128.store(WV + (w << 4), i32x4.splat(0));
      v128.store(WV + 240, i32x4.splat(65 * 8));
      compressSchedule();
      for (let w: usize = 0; w < 8; w++) v128.store(CV + (w << 4), v128.load(HV + (w << 4)));
      s0 += 32;
      s1 += 32;
      s2 += 32;
      s3 += 32;
      d0++;
      d1++;
      d2++;
      d3++;
    }
    if (i + 4 <= count) {
      storeWords(CV, output + (i << 5), 0);
      storeWords(CV + 64, output + (i << 5), 1);
    } else {
      storeWords(CV, OUT4, 0);
      storeWords(CV + 64, OUT4, 1);
      memory.copy(output + (i << 5), OUT4, (count - i) << 5);
    }
  }
}
