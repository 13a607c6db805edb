// 32-byte big-endian integers as bigints, for the secp256k1 scalar and coordinate work of
// taproot commitments (BIP-340/341 encode both as 32 bytes, most significant first).

/** The order of secp256k1's group (SEC 2, 2.4.1). */
export const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The unsigned big-endian integer `bytes` encode. */
export function bigintFromBytes(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const x of bytes) n = (n << 8n) | BigInt(x);
  return n;
}

/** `n` (0 <= n < 2^256) as 32 big-endian bytes. */
export function bytes32FromBigint(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}
