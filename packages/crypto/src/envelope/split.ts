import { type ByteQueue, byteQueue } from './byte-stream.js';
import { decryptFailed } from './errors.js';
import { type EnvelopeHeader, parseHeader } from './format.js';

/** Parses the header at the start of `bytes`; throws `DECRYPT_FAILED` (header). */
export function headerOf(bytes: Uint8Array): EnvelopeHeader {
  const r = parseHeader(bytes);
  if (r.ok) return r.header;
  throw decryptFailed('header', r.needMore ? 'envelope ends inside the header' : r.reason);
}

/** Reads and consumes the header from a byte queue, growing the look-ahead as needed. */
export async function readHeader(q: ByteQueue): Promise<EnvelopeHeader> {
  for (let want = 1024; ; want *= 2) {
    const bytes = await q.peek(want);
    const r = parseHeader(bytes);
    if (r.ok) {
      // The parse viewed the queue's buffer: copy the header out before consuming it.
      const header = headerOf((await q.read(r.header.length)).slice());
      return header;
    }
    if (!r.needMore) throw decryptFailed('header', r.reason);
    if (bytes.length < want) throw decryptFailed('header', 'envelope ends inside the header');
  }
}

/** An envelope stream split into its parsed header and the untouched payload chunks. */
export interface SplitEnvelope {
  /** The parsed header. */
  header: EnvelopeHeader;
  /** The encrypted chunks that follow the header, as they arrive. */
  body: ReadableStream<Uint8Array>;
}

/**
 * Splits an envelope stream into its header and the encrypted payload that
 * follows, without decrypting anything (for storing the two apart, or for
 * inspecting the recipients of a large envelope).
 *
 * @example
 * ```ts
 * const { header, body } = await splitEnvelope(file.stream());
 * console.log(header.context.recordId, header.recipients.length);
 * ```
 */
export async function splitEnvelope(envelope: ReadableStream<Uint8Array>): Promise<SplitEnvelope> {
  const q = byteQueue(envelope);
  const header = await readHeader(q);
  return { header, body: q.rest() };
}
