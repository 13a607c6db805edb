import { concatBytes } from '@medanchor/core';
import type { EnvelopeHeader } from './format.js';
import { headerOf, splitEnvelope } from './split.js';

/**
 * Replaces an envelope's header and passes the encrypted payload through
 * byte for byte: the payload is never decrypted or re-encrypted.
 */
export async function rewriteHeader<E extends Uint8Array | ReadableStream<Uint8Array>>(
  envelope: E,
  newHeader: (header: EnvelopeHeader) => Promise<Uint8Array> | Uint8Array,
): Promise<E> {
  if (envelope instanceof Uint8Array) {
    const header = headerOf(envelope);
    return concatBytes(await newHeader(header), envelope.subarray(header.length)) as E;
  }
  const { header, body } = await splitEnvelope(envelope as ReadableStream<Uint8Array>);
  const head = await newHeader(header);
  const reader = body.getReader();
  let sentHead = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sentHead) {
        sentHead = true;
        controller.enqueue(head);
        return;
      }
      const r = await reader.read();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    cancel: (reason) => reader.cancel(reason),
  }) as E;
}
