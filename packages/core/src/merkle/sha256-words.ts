// SHA-256 (FIPS 180-4) on 32-bit words for the short messages of verification: one
// RFC 9162 node at a time, tagged hashes from a cached midstate, a few blocks of bytes.
// A running hash stays in words from step to step, so a proof walk converts no bytes
// back and forth, allocates nothing, and the second block of a node hash (one variable
// byte, then padding) takes its schedule from a table made once. The batch kernels stay
// the fastest way to hash many messages; this is the fastest way to hash one.

import { compress, expand, IV, rounds, W } from '../kernel/sha256-block.js';

export { compress, IV, rounds, W };

/**
 * The message schedule of a final block whose first word is `firstWord` (the last
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

// Message schedules of the second block of sha256(0x01 || left || right), one per value
// of right's last byte: that byte, 0x80, zeros, and the length 65 * 8. Made on first use.
let nodeTails: Int32Array[] | undefined;

function nodeTailTable(): Int32Array[] {
  const table: Int32Array[] = [];
  for (let v = 0; v < 256; v++) table.push(paddingSchedule((v << 24) | 0x800000, 65));
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
  rounds(S, W);
  rounds(S, tails[last]!);
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
  rounds(S, W);
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

// Value of a lowercase hex digit by char code, -1 for anything else: what toHex writes
// and receipts hold, so a decode also checks the form parseReceipt checks.
const LOWER = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) LOWER[48 + c] = c;
for (let c = 0; c < 6; c++) LOWER[97 + c] = 10 + c;

/**
 * Decodes 64 lowercase hex digits into 8 words at `out[oo ..]`; false (and `out` partly
 * written) when `hex` is not exactly that (upper case included).
 */
export function hexWords(hex: string, out: Int32Array, oo: number): boolean {
  if (hex.length !== 64) return false;
  for (let i = 0; i < 8; i++) {
    let x = 0;
    for (let j = 8 * i; j < 8 * i + 8; j++) {
      const c = hex.charCodeAt(j);
      const v = c < 128 ? LOWER[c]! : -1;
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
