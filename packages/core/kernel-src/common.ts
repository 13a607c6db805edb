// Shared by both kernels: the SHA-256 constants, the layout of a padded message and
// the tail blocks. AssemblyScript source, compiled by scripts/build-kernel.mjs.

/** Round constants (FIPS 180-4, 4.2.2). */
export const K: usize = memory.data<u32>([
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
export const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** Bytes of one lane's tail: the last one or two padded blocks of its message. */
export const TAIL_BYTES: usize = 128;

/** Four lanes of tail blocks (the scalar kernel uses lane 0 only). */
export const TAILS: usize = memory.data(4 * 128, 16);

/**
 * The shape every message of a batch shares (they all have the same length): `full`
 * blocks taken straight from the input, then `tailBlocks` built in TAILS from the
 * last `rest` message bytes plus the padding.
 */
export let full: usize = 0;
export let rest: usize = 0;
export let tailBlocks: usize = 0;

/**
 * Computes the shape of a `1 + inLen` byte message and writes the padding of each
 * lane's tail once per batch; `fillTail` then only copies message bytes per message.
 */
export function prepareTails(prefix: u32, inLen: usize, lanes: usize): void {
  const total: u64 = 1 + <u64>inLen;
  full = <usize>(total >> 6);
  rest = <usize>(total & 63);
  tailBlocks = rest + 9 <= 64 ? 1 : 2;
  const bits: u64 = total << 3;
  for (let l: usize = 0; l < lanes; l++) {
    const t = TAILS + l * TAIL_BYTES;
    memory.fill(t, 0, TAIL_BYTES);
    if (full === 0) store<u8>(t, <u8>prefix);
    store<u8>(t + rest, 0x80);
    store<u64>(t + tailBlocks * 64 - 8, bswap<u64>(bits));
  }
}

/** Copies the tail bytes of the message at `msg` into lane `lane`'s tail blocks. */
export function fillTail(msg: usize, lane: usize): void {
  const t = TAILS + lane * TAIL_BYTES;
  if (full === 0) copyBytes(t + 1, msg, rest - 1);
  else copyBytes(t, msg - 1 + (full << 6), rest);
}

/** Byte copy in 8-byte steps: the tails are short, a bulk-memory call costs more. */
export function copyBytes(dst: usize, src: usize, n: usize): void {
  while (n >= 8) {
    store<u64>(dst, load<u64>(src));
    dst += 8;
    src += 8;
    n -= 8;
  }
  while (n > 0) {
    store<u8>(dst, load<u8>(src));
    dst++;
    src++;
    n--;
  }
}

/** First free byte after the static data, 16-aligned: where the caller's input goes. */
export function ioBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
