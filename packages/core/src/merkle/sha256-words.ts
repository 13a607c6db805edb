// SHA-256 (FIPS 180-4) on 32-bit words for the short messages of verification: one
// RFC 9162 node at a time, tagged hashes from a cached midstate, a few blocks of bytes.
// A running hash stays in words from step to step, so a proof walk converts no bytes
// back and forth, allocates nothing, and the second block of a node hash (one variable
// byte, then padding) takes its schedule from a table made once. The batch kernels stay
// the fastest way to hash many messages; this is the fastest way to hash one.

// Round constants (FIPS 180-4, 4.2.2).
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

/** Initial hash value (FIPS 180-4, 5.3.3). */
export const IV: Int32Array = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/**
 * Message words of the block being compressed: callers write W[0..16) and call
 * {@link compress}, which expands the schedule in place (and adds the round constants).
 */
export const W: Int32Array = new Int32Array(64);

/** Expands W[0..16) to the 64-word schedule and adds K, so W[t] = K[t] + W[t]. */
function expand(w: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    w[t] =
      ((((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) +
        w[t - 7]! +
        (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) +
        w[t - 16]!) |
      0;
  }
  for (let t = 0; t < 64; t++) w[t] = (w[t]! + K[t]!) | 0;
}

/** Compresses the block in {@link W} (16 words set by the caller) into `state`. */
export function compress(state: Int32Array): void {
  expand(W);
  rounds(state, W, 0);
}

/**
 * The 64 rounds over `kw[off .. off + 64)`, a schedule with the round constants already
 * added, then the feed-forward into `state` (8 words). Unrolled by eight so the working
 * variables rotate by renaming instead of moving.
 */
export function rounds(state: Int32Array, kw: Int32Array, off: number): void {
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  let t1 = 0;
  const end = off + 64;
  for (let t = off; t < end; t += 8) {
    t1 =
      (h +
        (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        (g ^ (e & (f ^ g))) +
        kw[t]!) |
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
        kw[t + 1]!) |
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
        kw[t + 2]!) |
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
        kw[t + 3]!) |
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
        kw[t + 4]!) |
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
        kw[t + 5]!) |
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
        kw[t + 6]!) |
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
        kw[t + 7]!) |
      0;
    e = (e + t1) | 0;
    a =
      (t1 +
        (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) +
        ((b & c) | (d & (b | c)))) |
      0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/**
 * The schedule (K added) of a final block whose first word is `firstWord` (the last
 * message bytes and the 0x80 marker), then zeros and the bit length of a `totalBytes`
 * message: the padding blocks that never change, made once.
 */
export function paddingSchedule(firstWord: number, totalBytes: number): Int32Array {
  const w = new Int32Array(64);
  w[0] = firstWord;
  w[14] = Math.floor((totalBytes * 8) / 0x1_0000_0000);
  w[15] = (totalBytes * 8) | 0;
  expand(w);
  return w;
}

// Schedules (K added) of the second block of sha256(0x01 || left || right), one per value
// of right's last byte: that byte, 0x80, zeros, and the length 65 * 8. Made on first use.
let nodeTails: Int32Array | undefined;

function nodeTailTable(): Int32Array {
  const table = new Int32Array(256 * 64);
  for (let v = 0; v < 256; v++) table.set(paddingSchedule((v << 24) | 0x800000, 65), 64 * v);
  nodeTails = table;
  return table;
}

/**
 * `out[oo .. oo + 8) = words of nodeHash(left, right)` for two 32-byte hashes given as 8
 * big-endian words each (`l[lo ..]`, `r[ro ..]`). `out` may alias either input.
 */
export function nodeWords(
  l: Int32Array,
  lo: number,
  r: Int32Array,
  ro: number,
  out: Int32Array,
  oo: number,
): void {
  const tails = nodeTails ?? nodeTailTable();
  // The message starts with the 0x01 prefix: every word takes the low three bytes of
  // one input word and the high byte of the next.
  W[0] = 0x01000000 | (l[lo]! >>> 8);
  for (let i = 1; i < 8; i++) W[i] = (l[lo + i - 1]! << 24) | (l[lo + i]! >>> 8);
  W[8] = (l[lo + 7]! << 24) | (r[ro]! >>> 8);
  for (let i = 1; i < 8; i++) W[8 + i] = (r[ro + i - 1]! << 24) | (r[ro + i]! >>> 8);
  const last = r[ro + 7]! & 0xff;
  expand(W);
  S.set(IV);
  rounds(S, W, 0);
  rounds(S, tails, 64 * last);
  for (let i = 0; i < 8; i++) out[oo + i] = S[i]!;
}

const S = new Int32Array(8);

/**
 * `out[oo .. oo + 8) = words of leafHash(x)` (RFC 9162: `sha256(0x00 || x)`) for a
 * 32-byte value given as 8 words at `x[xo ..]`. `out` may alias `x`.
 */
export function leafWords(x: Int32Array, xo: number, out: Int32Array, oo: number): void {
  W[0] = x[xo]! >>> 8;
  for (let i = 1; i < 8; i++) W[i] = (x[xo + i - 1]! << 24) | (x[xo + i]! >>> 8);
  // Then the last byte, 0x80, zeros and the length 33 * 8, in the same block.
  W[8] = (x[xo + 7]! << 24) | 0x800000;
  for (let i = 9; i < 15; i++) W[i] = 0;
  W[15] = 33 * 8;
  expand(W);
  S.set(IV);
  rounds(S, W, 0);
  for (let i = 0; i < 8; i++) out[oo + i] = S[i]!;
}

/** Reads the 32 bytes at `bytes[at ..]` as 8 big-endian words into `out[oo ..]`. */
export function readWords(bytes: Uint8Array, at: number, out: Int32Array, oo: number): void {
  for (let i = 0; i < 8; i++) {
    const p = at + 4 * i;
    out[oo + i] = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
  }
}

/** Writes 8 words from `words[wo ..]` as 32 big-endian bytes at `out[at ..]`. */
export function writeWords(words: Int32Array, wo: number, out: Uint8Array, at: number): void {
  for (let i = 0; i < 8; i++) {
    const x = words[wo + i]!;
    const p = at + 4 * i;
    out[p] = x >>> 24;
    out[p + 1] = x >>> 16;
    out[p + 2] = x >>> 8;
    out[p + 3] = x;
  }
}

/** True when the 8 words at `words[wo ..]` are the 32 bytes at `bytes[at ..]`. */
export function wordsEqualBytes(
  words: Int32Array,
  wo: number,
  bytes: Uint8Array,
  at: number,
): boolean {
  for (let i = 0; i < 8; i++) {
    const p = at + 4 * i;
    const x = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (words[wo + i] !== x) return false;
  }
  return true;
}

// Value of a hex digit by char code (either case, as fromHex reads), -1 for anything else.
const NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) NIBBLE[48 + c] = c;
for (let c = 0; c < 6; c++) {
  NIBBLE[97 + c] = 10 + c;
  NIBBLE[65 + c] = 10 + c;
}
// Lowercase digits only: what toHex writes, so equality means `toHex(bytes) === hex`.
const LOWER = NIBBLE.map((v, c) => (c >= 65 && c <= 70 ? -1 : v));

/**
 * Decodes 64 hex digits (either case) into 8 words at `out[oo ..]`; false (and `out`
 * partly written) when `hex` is not exactly that.
 */
export function hexWords(hex: string, out: Int32Array, oo: number): boolean {
  if (hex.length !== 64) return false;
  for (let i = 0; i < 8; i++) {
    let x = 0;
    for (let j = 8 * i; j < 8 * i + 8; j++) {
      const c = hex.charCodeAt(j);
      const v = c < 128 ? NIBBLE[c]! : -1;
      if (v < 0) return false;
      x = (x << 4) | v;
    }
    out[oo + i] = x;
  }
  return true;
}

/**
 * True when the 8 words at `words[wo ..]` are the 64 lowercase hex digits `hex`
 * (`toHex(bytes) === hex` for the bytes of those words).
 */
export function wordsEqualHex(words: Int32Array, wo: number, hex: string): boolean {
  if (hex.length !== 64) return false;
  for (let i = 0; i < 8; i++) {
    let x = 0;
    for (let j = 8 * i; j < 8 * i + 8; j++) {
      const c = hex.charCodeAt(j);
      const v = c < 128 ? LOWER[c]! : -1;
      if (v < 0) return false;
      x = (x << 4) | v;
    }
    if (words[wo + i] !== x) return false;
  }
  return true;
}

/**
 * The state after the first block of every tagged hash of `tag` (BIP-340 style:
 * `sha256(tag) || sha256(tag)` fills exactly one block), given `sha256(tag)` as bytes.
 */
export function taggedMidstate(tagHash: Uint8Array): Int32Array {
  const state = IV.slice();
  readWords(tagHash, 0, W, 0);
  readWords(tagHash, 0, W, 8);
  compress(state);
  return state;
}

// Block buffer for bytes messages: up to two final blocks.
const BLOCK = new Uint8Array(128);

/**
 * SHA-256 of `msg[from .. to)` continued from `state` after `done` bytes were already
 * compressed (a multiple of 64), with the result in `state`. With `state` a copy of
 * {@link IV} and `done` 0 this is plain SHA-256; with a tagged midstate and 64, a tagged hash.
 */
export function sha256WordsFrom(
  state: Int32Array,
  done: number,
  msg: Uint8Array,
  from: number,
  to: number,
): void {
  let p = from;
  for (; p + 64 <= to; p += 64) {
    for (let i = 0; i < 16; i++) {
      const q = p + 4 * i;
      W[i] = (msg[q]! << 24) | (msg[q + 1]! << 16) | (msg[q + 2]! << 8) | msg[q + 3]!;
    }
    compress(state);
  }
  const rest = to - p;
  const blocks = rest + 9 <= 64 ? 1 : 2;
  BLOCK.fill(0, 0, 64 * blocks);
  for (let i = 0; i < rest; i++) BLOCK[i] = msg[p + i]!;
  BLOCK[rest] = 0x80;
  const bits = (done + to - from) * 8;
  const end = 64 * blocks;
  const hi = Math.floor(bits / 0x1_0000_0000);
  BLOCK[end - 8] = hi >>> 24;
  BLOCK[end - 7] = hi >>> 16;
  BLOCK[end - 6] = hi >>> 8;
  BLOCK[end - 5] = hi;
  BLOCK[end - 4] = bits >>> 24;
  BLOCK[end - 3] = bits >>> 16;
  BLOCK[end - 2] = bits >>> 8;
  BLOCK[end - 1] = bits;
  for (let b = 0; b < blocks; b++) {
    readWords(BLOCK, 64 * b, W, 0);
    readWords(BLOCK, 64 * b + 32, W, 8);
    compress(state);
  }
}
