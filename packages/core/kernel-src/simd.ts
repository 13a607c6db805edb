// Four messages at once, one per 32-bit lane of a v128 (WebAssembly SIMD). Every
// message of a batch has the same length, so the four lanes always run the same
// number of blocks; the last count % 4 messages go through the scalar kernel.
import { fillTail, full, IV, K, prepareTails, TAIL_BYTES, TAILS, tailBlocks } from './common';
import { hashRange } from './scalar';

/** Message schedule, one v128 (four lanes) per word. */
const WV: usize = memory.data(64 * 16, 16);
/** Round constants splatted to four lanes. */
const KV: usize = memory.data(64 * 16, 16);
/** Chaining values of the four messages, one v128 per state word. */
const HV: usize = memory.data(8 * 16, 16);

let kvReady = false;

function rotr4(x: v128, n: i32): v128 {
  return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n));
}

/** Reverses the bytes of each 32-bit lane (SHA-256 words are big-endian). */
function bswap4(x: v128): v128 {
  return v128.shuffle<u8>(x, x, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
}

/**
 * Loads 16 bytes at `off` of the four lanes' blocks and stores them transposed and
 * byte-swapped as schedule words 4k .. 4k+3 (word j of each lane into one v128).
 */
function loadWords(p0: usize, p1: usize, p2: usize, p3: usize, off: usize, dst: usize): void {
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
function storeWords(src: usize, out: usize, k: usize): void {
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
  if (!kvReady) {
    for (let t: usize = 0; t < 64; t++)
      v128.store(KV + (t << 4), i32x4.splat(load<i32>(K + (t << 2))));
    kvReady = true;
  }
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
