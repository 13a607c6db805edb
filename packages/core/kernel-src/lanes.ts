// SIMD building blocks shared by the four-lane kernels: the schedule and state in
// word-sliced form (word j of four messages in one v128) and the compression.
import { K } from './common';

/** Message schedule, one v128 (four lanes) per word. */
export const WV: usize = memory.data(64 * 16, 16);
/** Round constants splatted to four lanes. */
export const KV: usize = memory.data(64 * 16, 16);
/** Chaining values of the four messages, one v128 per state word. */
export const HV: usize = memory.data(8 * 16, 16);

let kvReady = false;

export function rotr4(x: v128, n: i32): v128 {
  return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n));
}

/** Reverses the bytes of each 32-bit lane (SHA-256 words are big-endian). */
export function bswap4(x: v128): v128 {
  return v128.shuffle<u8>(x, x, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
}

/**
 * Loads 16 bytes at `off` of the four lanes' blocks and stores them transposed and
 * byte-swapped as schedule words 4k .. 4k+3 (word j of each lane into one v128).
 */
export function loadWords(
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
  off: usize,
  dst: usize,
): void {
  const a = bswap4(v128.load(p0 + off));
  const b = bswap4(v128.load(p1 + off));
  const c = bswap4(v128.load(p2 + off));
  const d = bswap4(v128.load(p3 + off));
  const t0 = v128.shuffle<u32>(a, b, 0, 4, 1, 5);
  const t1 = v128.shuffle<u32>(a, b, 2, 6, 3, 7);
  const t2 = v128.shuffle<u32>(c, d, 0, 4, 1, 5);
  const t3 = v128.shuffle<u32>(c, d, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<u64>(t0, t2, 0, 2));
  v128.store(dst + 16, v128.shuffle<u64>(t0, t2, 1, 3));
  v128.store(dst + 32, v128.shuffle<u64>(t1, t3, 0, 2));
  v128.store(dst + 48, v128.shuffle<u64>(t1, t3, 1, 3));
}

/** Stores state words 4k .. 4k+3 of the four lanes at out + 32*lane + 16k. */
export function storeWords(src: usize, out: usize, k: usize): void {
  const a = v128.load(src);
  const b = v128.load(src + 16);
  const c = v128.load(src + 32);
  const d = v128.load(src + 48);
  const t0 = v128.shuffle<u32>(a, b, 0, 4, 1, 5);
  const t1 = v128.shuffle<u32>(a, b, 2, 6, 3, 7);
  const t2 = v128.shuffle<u32>(c, d, 0, 4, 1, 5);
  const t3 = v128.shuffle<u32>(c, d, 2, 6, 3, 7);
  const o = out + (k << 4);
  v128.store(o, bswap4(v128.shuffle<u64>(t0, t2, 0, 2)));
  v128.store(o + 32, bswap4(v128.shuffle<u64>(t0, t2, 1, 3)));
  v128.store(o + 64, bswap4(v128.shuffle<u64>(t1, t3, 0, 2)));
  v128.store(o + 96, bswap4(v128.shuffle<u64>(t1, t3, 1, 3)));
}

/** Compresses the four blocks whose words 0..15 are already in WV into HV. */
export function compressSchedule(): void {
  for (let t: usize = 16; t < 64; t++) {
    const w15 = v128.load(WV + ((t - 15) << 4));
    const w2 = v128.load(WV + ((t - 2) << 4));
    const s0 = v128.xor(v128.xor(rotr4(w15, 7), rotr4(w15, 18)), i32x4.shr_u(w15, 3));
    const s1 = v128.xor(v128.xor(rotr4(w2, 17), rotr4(w2, 19)), i32x4.shr_u(w2, 10));
    const w7 = v128.load(WV + ((t - 7) << 4));
    const w16 = v128.load(WV + ((t - 16) << 4));
    v128.store(WV + (t << 4), i32x4.add(i32x4.add(s1, w7), i32x4.add(s0, w16)));
  }
  let a = v128.load(HV, 0);
  let b = v128.load(HV, 16);
  let c = v128.load(HV, 32);
  let d = v128.load(HV, 48);
  let e = v128.load(HV, 64);
  let f = v128.load(HV, 80);
  let g = v128.load(HV, 96);
  let h = v128.load(HV, 112);
  for (let t: usize = 0; t < 64; t++) {
    const s1 = v128.xor(v128.xor(rotr4(e, 6), rotr4(e, 11)), rotr4(e, 25));
    const ch = v128.bitselect(f, g, e);
    const kw = i32x4.add(v128.load(KV + (t << 4)), v128.load(WV + (t << 4)));
    const t1 = i32x4.add(i32x4.add(h, s1), i32x4.add(ch, kw));
    const s0 = v128.xor(v128.xor(rotr4(a, 2), rotr4(a, 13)), rotr4(a, 22));
    const maj = v128.bitselect(b, c, v128.xor(a, c));
    h = g;
    g = f;
    f = e;
    e = i32x4.add(d, t1);
    d = c;
    c = b;
    b = a;
    a = i32x4.add(t1, i32x4.add(s0, maj));
  }
  v128.store(HV, i32x4.add(v128.load(HV, 0), a), 0);
  v128.store(HV, i32x4.add(v128.load(HV, 16), b), 16);
  v128.store(HV, i32x4.add(v128.load(HV, 32), c), 32);
  v128.store(HV, i32x4.add(v128.load(HV, 48), d), 48);
  v128.store(HV, i32x4.add(v128.load(HV, 64), e), 64);
  v128.store(HV, i32x4.add(v128.load(HV, 80), f), 80);
  v128.store(HV, i32x4.add(v128.load(HV, 96), g), 96);
  v128.store(HV, i32x4.add(v128.load(HV, 112), h), 112);
}

/** Splats the round constants to four lanes, once. */
export function prepareConstants(): void {
  if (kvReady) return;
  for (let t: usize = 0; t < 64; t++)
    v128.store(KV + (t << 4), i32x4.splat(load<i32>(K + (t << 2))));
  kvReady = true;
}
