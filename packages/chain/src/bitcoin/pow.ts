import { scrypt } from '@noble/hashes/scrypt.js';
import type { NetworkParams } from '../network/params.js';
import { readU32LE } from './bytes-io.js';
import { bitsToTarget } from './compact.js';
import { sha256d } from './hash.js';
import { HEADER_SIZE } from './header.js';

/**
 * The proof-of-work hash of an 80-byte header under the network's rule: sha256d for
 * Bitcoin, scrypt(N=1024, r=1, p=1, 32 bytes; the header is both password and salt)
 * for Litecoin-style chains. Internal byte order (little-endian number).
 */
export function powHashOf(header: Uint8Array, params: Pick<NetworkParams, 'powHash'>): Uint8Array {
  if (params.powHash === 'scrypt')
    return scrypt(header, header, { N: 1024, r: 1, p: 1, dkLen: 32 });
  return sha256d(header);
}

/** A 32-byte internal-order hash read as the little-endian number Bitcoin compares to targets. */
export function hashToBigint(internal: Uint8Array): bigint {
  let n = 0n;
  for (let i = internal.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(internal[i]!);
  return n;
}

/**
 * True when the header's proof-of-work hash is at most the target its own `bits`
 * claim, and that target is within the network's `powLimit`. Never throws: a
 * wrong-size header or malformed bits is simply `false`.
 */
export function headerMeetsTarget(
  header: Uint8Array,
  params: Pick<NetworkParams, 'powHash' | 'powLimit'>,
): boolean {
  if (!(header instanceof Uint8Array) || header.length !== HEADER_SIZE) return false;
  let target: bigint;
  try {
    target = bitsToTarget(readU32LE(header, 72));
  } catch {
    return false;
  }
  if (target === 0n || target > params.powLimit) return false;
  return hashToBigint(powHashOf(header, params)) <= target;
}
