// One message at a time with 32-bit integers: the kernel for engines without SIMD,
// and for the last count % 4 messages of a SIMD batch.
import { fillTail, full, IV, K, prepareTails, TAILS, tailBlocks } from './common';

/** Message schedule of the block being compressed. */
const W: usize = memory.data(64 * 4, 16);
/** Chaining value of the message being hashed. */
const H: usize = memory.data(8 * 4, 16);

/**
 * Compresses the 64-byte block at `src` into H. When `patch` is set the block is the
 * first of a message read from one byte before it, and its first byte is the prefix.
 */
function compress(src: usize, patch: bool, prefix: u32): void {
  for (let t: usize = 0; t < 16; t++)
    store<u32>(W + (t << 2), bswap<u32>(load<u32>(src + (t << 2))));
  if (patch) store<u32>(W, (load<u32>(W) & 0x00ffffff) | (prefix << 24));
  for (let t: usize = 16; t < 64; t++) {
    const w15 = load<u32>(W + ((t - 15) << 2));
    const w2 = load<u32>(W + ((t - 2) << 2));
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
    store<u32>(
      W + (t << 2),
      s1 + load<u32>(W + ((t - 7) << 2)) + s0 + load<u32>(W + ((t - 16) << 2)),
    );
  }
  let a = load<u32>(H, 0);
  let b = load<u32>(H, 4);
  let c = load<u32>(H, 8);
  let d = load<u32>(H, 12);
  let e = load<u32>(H, 16);
  let f = load<u32>(H, 20);
  let g = load<u32>(H, 24);
  let h = load<u32>(H, 28);
  // Unrolled by eight so the state variables rename instead of moving.
  let t1: u32;
  for (let t: usize = 0; t < 64; t += 8) {
    const k = K + (t << 2);
    const w = W + (t << 2);
    t1 =
      h +
      (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) +
      (g ^ (e & (f ^ g))) +
      load<u32>(k, 0) +
      load<u32>(w, 0);
    d += t1;
    h = t1 + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) | (c & (a | b)));
    t1 =
      g +
      (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) +
      (f ^ (d & (e ^ f))) +
      load<u32>(k, 4) +
      load<u32>(w, 4);
    c += t1;
    g = t1 + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + ((h & a) | (b & (h | a)));
    t1 =
      f +
      (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) +
      (e ^ (c & (d ^ e))) +
      load<u32>(k, 8) +
      load<u32>(w, 8);
    b += t1;
    f = t1 + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + ((g & h) | (a & (g | h)));
    t1 =
      e +
      (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) +
      (d ^ (b & (c ^ d))) +
      load<u32>(k, 12) +
      load<u32>(w, 12);
    a += t1;
    e = t1 + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + ((f & g) | (h & (f | g)));
    t1 =
      d +
      (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) +
      (c ^ (a & (b ^ c))) +
      load<u32>(k, 16) +
      load<u32>(w, 16);
    h += t1;
    d = t1 + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + ((e & f) | (g & (e | f)));
    t1 =
      c +
      (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) +
      (b ^ (h & (a ^ b))) +
      load<u32>(k, 20) +
      load<u32>(w, 20);
    g += t1;
    c = t1 + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + ((d & e) | (f & (d | e)));
    t1 =
      b +
      (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) +
      (a ^ (g & (h ^ a))) +
      load<u32>(k, 24) +
      load<u32>(w, 24);
    f += t1;
    b = t1 + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + ((c & d) | (e & (c | d)));
    t1 =
      a +
      (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) +
      (h ^ (f & (g ^ h))) +
      load<u32>(k, 28) +
      load<u32>(w, 28);
    e += t1;
    a = t1 + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + ((b & c) | (d & (b | c)));
  }
  store<u32>(H, load<u32>(H, 0) + a, 0);
  store<u32>(H, load<u32>(H, 4) + b, 4);
  store<u32>(H, load<u32>(H, 8) + c, 8);
  store<u32>(H, load<u32>(H, 12) + d, 12);
  store<u32>(H, load<u32>(H, 16) + e, 16);
  store<u32>(H, load<u32>(H, 20) + f, 20);
  store<u32>(H, load<u32>(H, 24) + g, 24);
  store<u32>(H, load<u32>(H, 28) + h, 28);
}

/**
 * Hashes messages `first .. count-1` of a batch whose shape `prepareTails` has set
 * (lane 0 of TAILS). Exported for the SIMD kernel's remainder.
 */
export function hashRange(
  prefix: u32,
  input: usize,
  inLen: usize,
  first: usize,
  count: usize,
  output: usize,
): void {
  for (let i = first; i < count; i++) {
    const msg = input + i * inLen;
    memory.copy(H, IV, 32);
    for (let b: usize = 0; b < full; b++) compress(msg - 1 + (b << 6), b === 0, prefix);
    fillTail(msg, 0);
    for (let b: usize = 0; b < tailBlocks; b++) compress(TAILS + (b << 6), false, 0);
    const out = output + (i << 5);
    for (let j: usize = 0; j < 32; j += 4) store<u32>(out + j, bswap<u32>(load<u32>(H + j)));
  }
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
  prepareTails(prefix, inLen, 1);
  hashRange(prefix, input, inLen, 0, count, output);
}

export { ioBase } from './common';
