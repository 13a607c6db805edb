import { MedanchorError } from '@medanchor/core';
import type { Block } from 'bitcoinjs-lib';

/** The 256-bit target encoded by compact `bits` (positive targets only). */
export function targetFromBits(bits: number): bigint {
  const exponent = bits >>> 24;
  const mantissa = BigInt(bits & 0x007fffff);
  return exponent <= 3
    ? mantissa >> BigInt(8 * (3 - exponent))
    : mantissa << BigInt(8 * (exponent - 3));
}

/** A header hash (internal byte order) read as the little-endian number proof of work compares. */
export function hashToNumber(hash: Uint8Array): bigint {
  let n = 0n;
  for (let i = hash.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(hash[i]!);
  return n;
}

/**
 * Searches nonces until the header's hash is at or below its target, setting
 * `block.nonce`. On regtest about every second nonce wins, so this is instant.
 * @throws `MedanchorError` `POW_NOT_FOUND` if all 2^32 nonces fail (only for hard targets).
 */
export function grindNonce(block: Block): void {
  const target = targetFromBits(block.bits);
  for (let nonce = 0; nonce <= 0xffffffff; nonce++) {
    block.nonce = nonce;
    if (hashToNumber(block.getHash()) <= target) return;
  }
  throw new MedanchorError(
    'POW_NOT_FOUND',
    'no nonce meets the target: use an easier nBits for the devnet or vary the timestamp',
  );
}
