import { utf8 } from '@medanchor/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { byteQueue } from './byte-stream.js';
import { headerOf, readHeader } from './split.js';

const TAG = sha256(utf8('medanchor/envelope/v1/anchor'));

/**
 * The digest to anchor for an envelope:
 * `taggedHash("medanchor/envelope/v1/anchor", preamble || chunks)`, i.e. SHA-256
 * over everything except the recipient list and header MAC. Adding or removing
 * recipients and shredding leave it unchanged, so an anchored envelope stays
 * provable after access changes, including after crypto-shredding.
 *
 * @example
 * ```ts
 * const digest = await envelopeAnchorDigest(envelope); // 32 bytes, commit this to the log
 * ```
 */
export async function envelopeAnchorDigest(
  envelope: Uint8Array | ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  const h = sha256.create().update(TAG).update(TAG);
  if (envelope instanceof Uint8Array) {
    const header = headerOf(envelope);
    return h.update(header.preamble).update(envelope.subarray(header.length)).digest();
  }
  const q = byteQueue(envelope);
  const header = await readHeader(q);
  h.update(header.preamble);
  const reader = q.rest().getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    h.update(r.value);
  }
  return h.digest();
}
