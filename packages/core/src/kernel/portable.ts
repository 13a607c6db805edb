import { checkArguments } from './check.js';
import { sha256PrefixedBatchJs } from './js.js';

/**
 * {@link sha256PrefixedBatch} in plain JavaScript only: the same bytes and the same
 * typed errors, without the WebAssembly kernels, so a bundle that needs only short
 * hashes (a browser verifier: headers, txids, proof nodes) does not carry them. For
 * messages of a few blocks it is as fast as the dispatching function.
 *
 * @example
 * ```ts
 * const out = new Uint8Array(32);
 * sha256PrefixedBatchPortable(0x00, commitment, 32, 1, out); // an RFC 9162 leaf hash
 * ```
 * @throws {@link MedanchorError} the errors of {@link sha256PrefixedBatch}.
 */
export function sha256PrefixedBatchPortable(
  prefix: number,
  input: Uint8Array,
  inLen: number,
  count: number,
  out: Uint8Array,
  outOffset = 0,
): void {
  checkArguments(prefix, input, inLen, count, out, outOffset);
  sha256PrefixedBatchJs(prefix, input, inLen, count, out, outOffset);
}
