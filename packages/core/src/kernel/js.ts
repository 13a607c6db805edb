// SHA-256 of equal-length prefixed messages in plain JavaScript: the kernel for
// engines without WebAssembly. State, schedule and padding live in module-level
// typed arrays, so a call allocates nothing; the 64 rounds are unrolled by eight.

// Round constants (FIPS 180-4, 4.2.2), as signed 32-bit integers.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// Initial hash value (FIPS 180-4, 5.3.3).
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const W = new Int32Array(64);
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

/** Expands W[0..16) and compresses it into H. */
function compress(): void {
  for (let t = 16; t < 64; t++) {
    const x = W[t - 15]!;
    const y = W[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[t] = (s1 + W[t - 7]! + s0 + W[t - 16]!) | 0;
  }
  let a = H[0]!;
  let b = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  let f = H[5]!;
  let g = H[6]!;
  let h = H[7]!;
  let t1 = 0;
  for (let t = 0; t < 64; t += 8) {
    t1 =
      (h +
        (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        (g ^ (e & (f ^ g))) +
        K[t + 0]! +
        W[t + 0]!) |
      0;
    d = (d + t1) | 0;
    h =
      (t1 +
        (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) | (c & (a | b)))) |
      0;
    t1 =
      (g +
        (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) +
        (f ^ (d & (e ^ f))) +
        K[t + 1]! +
        W[t + 1]!) |
      0;
    c = (c + t1) | 0;
    g =
      (t1 +
        (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) +
        ((h & a) | (b & (h | a)))) |
      0;
    t1 =
      (f +
        (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) +
        (e ^ (c & (d ^ e))) +
        K[t + 2]! +
        W[t + 2]!) |
      0;
    b = (b + t1) | 0;
    f =
      (t1 +
        (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) +
        ((g & h) | (a & (g | h)))) |
      0;
    t1 =
      (e +
        (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) +
        (d ^ (b & (c ^ d))) +
        K[t + 3]! +
        W[t + 3]!) |
      0;
    a = (a + t1) | 0;
    e =
      (t1 +
        (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) +
        ((f & g) | (h & (f | g)))) |
      0;
    t1 =
      (d +
        (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) +
        (c ^ (a & (b ^ c))) +
        K[t + 4]! +
        W[t + 4]!) |
      0;
    h = (h + t1) | 0;
    d =
      (t1 +
        (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) +
        ((e & f) | (g & (e | f)))) |
      0;
    t1 =
      (c +
        (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) +
        (b ^ (h & (a ^ b))) +
        K[t + 5]! +
        W[t + 5]!) |
      0;
    g = (g + t1) | 0;
    c =
      (t1 +
        (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) +
        ((d & e) | (f & (d | e)))) |
      0;
    t1 =
      (b +
        (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) +
        (a ^ (g & (h ^ a))) +
        K[t + 6]! +
        W[t + 6]!) |
      0;
    f = (f + t1) | 0;
    b =
      (t1 +
        (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) +
        ((c & d) | (e & (c | d)))) |
      0;
    t1 =
      (a +
        (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) +
        (h ^ (f & (g ^ h))) +
        K[t + 7]! +
        W[t + 7]!) |
      0;
    e = (e + t1) | 0;
    a =
      (t1 +
        (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) +
        ((b & c) | (d & (b | c)))) |
      0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

/**
 * Pure-JavaScript batch kernel: `out[outOffset + 32i ..] = sha256(prefix || input[inLen*i ..
 * inLen*(i+1)])` for i < count. Arguments are trusted (checked by the dispatcher).
 */
export function sha256PrefixedBatchJs(
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
}
