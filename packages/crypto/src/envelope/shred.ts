import { concatBytes } from '@medanchor/core';
import { encodeRecipients } from './format.js';
import { rewriteHeader } from './rewrite.js';

/**
 * Crypto-shredding: returns the envelope with every key wrap removed and the
 * header MAC zeroed, so no key can recover the data key and nobody can open it
 * (`open` fails with `ENVELOPE_SHREDDED`). The preamble and the encrypted chunks
 * are kept byte for byte, so {@link envelopeAnchorDigest} and any anchored
 * commitment to the envelope stay valid and provable.
 *
 * Shredding is only as complete as the deletion of the old copies: every stored
 * copy of the unshredded envelope (backups, caches) and any data key a recipient
 * kept must also be destroyed. Needs no key.
 *
 * @example
 * ```ts
 * const shredded = await shredEnvelope(envelope);
 * await store.replace(recordId, shredded);
 * ```
 */
export function shredEnvelope<E extends Uint8Array | ReadableStream<Uint8Array>>(
  envelope: E,
): Promise<E> {
  return rewriteHeader(envelope, (header) =>
    concatBytes(header.preamble, encodeRecipients([]), new Uint8Array(32)),
  );
}
