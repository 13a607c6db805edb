import { fromHex, MedanchorError, sha256PrefixedBatchPortable, toHex } from '@medanchor/core';
import { sha256 } from '@noble/hashes/sha2.js';

// The first hash of sha256d, kept apart from the output (the kernel is never asked to
// write over a message it is reading).
const inner = new Uint8Array(32);

/** Bitcoin's double SHA-256: `sha256(sha256(data))`, used for block hashes, txids and merkle nodes. */
export function sha256d(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array) || data.length === 0) return sha256(sha256(data));
  // core's portable batch kernel hashes `prefix || input` (the message's first byte
  // serves as the prefix): same bytes, a fraction of the cost, and plain JavaScript so
  // verifier bundles carry no WebAssembly.
  const out = new Uint8Array(32);
  sha256PrefixedBatchPortable(data[0]!, data.subarray(1), data.length - 1, 1, inner);
  sha256PrefixedBatchPortable(inner[0]!, inner.subarray(1), 31, 1, out);
  return out;
}

/** A reversed copy of `bytes` (the input is left untouched). */
export function reverseBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes).reverse();
}

/**
 * Display-order hex (as RPC and explorers show block hashes and txids) of a
 * 32-byte hash in internal order (as it sits inside headers and transactions).
 *
 * @example
 * ```ts
 * hashToDisplayHex(sha256d(header)); // '000000000019d668...'
 * ```
 */
export function hashToDisplayHex(internal: Uint8Array): string {
  return toHex(reverseBytes(internal));
}

/**
 * Internal-order bytes of a display-order hash (64 hex characters).
 * @throws MedanchorError `INVALID_HASH` when the string is not 64 hex characters.
 */
export function hashFromDisplayHex(display: string, what = 'hash'): Uint8Array {
  return reverseBytes(fromHex(checkDisplayHash(display, what), what));
}

/**
 * `display` in lower case, once checked to be a display-order hash (64 hex characters),
 * as URLs and RPC parameters take it.
 * @throws MedanchorError `INVALID_HASH` when the string is not 64 hex characters.
 */
export function checkDisplayHash(display: string, what = 'hash'): string {
  if (typeof display !== 'string' || !/^[0-9a-fA-F]{64}$/.test(display)) {
    throw new MedanchorError('INVALID_HASH', `${what} must be 64 hex characters (display order)`);
  }
  return display.toLowerCase();
}
