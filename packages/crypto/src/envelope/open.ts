import { MedanchorError } from '@medanchor/core';
import { type AeadCipher, aeadCipher, joined } from '../hpke/aead.js';
import { asKeyProvider, type KeyProvider } from '../keys/provider.js';
import { type ByteQueue, byteQueue } from './byte-stream.js';
import {
  CHUNK_CONCURRENCY,
  CHUNK_OVERHEAD,
  openChunk,
  openChunkParts,
  STREAM_BATCH_BYTES,
} from './chunks.js';
import { decryptFailed } from './errors.js';
import {
  checkRecipientCount,
  type EnvelopeContext,
  type EnvelopeHeader,
  recipientCap,
} from './format.js';
import { preambleDigest } from './schedule.js';
import { headerOf, readHeader } from './split.js';
import { unlockHeader } from './wrap.js';

/** Options of {@link open}. */
export interface OpenOptions {
  /**
   * Context fields the caller expects; a difference fails with
   * `CONTEXT_MISMATCH` before any payload byte is decrypted.
   */
  expectContext?: Partial<EnvelopeContext>;
  /**
   * Most recipient stanzas accepted (1 to 65535, default 64). A header listing more is
   * refused with `ENVELOPE_TOO_MANY_RECIPIENTS` before the key is used at all, so a
   * hostile file cannot make a KMS-backed {@link KeyProvider} run once per stanza.
   */
  maxRecipients?: number;
}

/** An opened envelope: the authenticated context and the payload. */
export interface OpenedEnvelope<P> {
  /** The context the envelope was sealed under (authenticated). */
  context: EnvelopeContext;
  /** The plaintext payload. */
  payload: P;
}

interface PayloadStage {
  cipher: AeadCipher;
  aad: Uint8Array;
  chunkSize: number;
}

async function unlock(
  header: EnvelopeHeader,
  key: KeyProvider | Uint8Array,
  opts: OpenOptions,
): Promise<PayloadStage> {
  checkRecipientCount(header.recipients.length, recipientCap(opts.maxRecipients));
  const { keys } = await unlockHeader(header, await asKeyProvider(key));
  for (const field of ['recordId', 'version', 'contentType'] as const) {
    const want = opts.expectContext?.[field];
    if (want !== undefined && want !== header.context[field]) {
      throw new MedanchorError(
        'CONTEXT_MISMATCH',
        `the envelope's ${field} differs from the expected one: this is another record or version`,
        { details: { field } },
      );
    }
  }
  return {
    cipher: aeadCipher(header.aead, keys.payloadKey),
    aad: preambleDigest(header.preamble),
    chunkSize: 2 ** header.chunkSizeLog2,
  };
}

async function openBytes(stage: PayloadStage, body: Uint8Array): Promise<Uint8Array> {
  const full = stage.chunkSize + CHUNK_OVERHEAD;
  if (body.length === 0) throw decryptFailed('chunk', 'payload missing', 0);
  const n = Math.ceil(body.length / full);
  // Only the last chunk may be short; one shorter than a tag cannot be genuine.
  if (body.length - (n - 1) * full < CHUNK_OVERHEAD) {
    throw decryptFailed('chunk', 'chunk shorter than its tag', n - 1);
  }
  const out = new Uint8Array(body.length - n * CHUNK_OVERHEAD);
  const sync = stage.cipher.sync;
  if (sync !== undefined) {
    let at = 0;
    for (let i = 0; i < n; i++) {
      const ct = body.subarray(i * full, (i + 1) * full);
      const r = openChunkParts(sync, stage.aad, i, i === n - 1, [ct]);
      if (!r.ok) throw decryptFailed('chunk', r.reason, i);
      for (const piece of r.pieces) {
        out.set(piece, at);
        at += piece.length;
      }
    }
    return out;
  }
  for (let start = 0; start < n; start += CHUNK_CONCURRENCY) {
    const end = Math.min(n, start + CHUNK_CONCURRENCY);
    const batch: Promise<{ ok: true; plaintext: Uint8Array } | { ok: false; reason: string }>[] =
      [];
    for (let i = start; i < end; i++) {
      batch.push(
        openChunk(stage.cipher, stage.aad, i, i === n - 1, body.subarray(i * full, (i + 1) * full)),
      );
    }
    const results = await Promise.all(batch);
    // Report the first failing chunk in order, as a sequential reader would.
    for (let i = start; i < end; i++) {
      const r = results[i - start]!;
      if (!r.ok) throw decryptFailed('chunk', r.reason, i);
      out.set(r.plaintext, i * stage.chunkSize);
    }
  }
  return out;
}

/**
 * The payload stream: up to {@link STREAM_BATCH_BYTES} of chunks per pull, each
 * passed on once its tag verified. A synchronous cipher reads each chunk in the
 * pieces the source gave and its plaintext pieces go out as they are (no copy).
 * A failure after some chunks of a pull went out is reported on the next pull, so
 * the reader gets every verified chunk before the error, as with one chunk per pull.
 */
function openStream(stage: PayloadStage, q: ByteQueue): ReadableStream<Uint8Array> {
  const full = stage.chunkSize + CHUNK_OVERHEAD;
  const perPull = Math.max(1, Math.floor(STREAM_BATCH_BYTES / stage.chunkSize));
  const sync = stage.cipher.sync;
  let index = 0;
  let failure: unknown;

  const fail = async (e: unknown): Promise<never> => {
    // Stop reading the source: nothing after a failed chunk can be trusted.
    await q.cancel(e).catch(() => undefined);
    throw e;
  };

  // Reads, checks and passes on one chunk; true when it was the final one.
  const one = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    const parts = await q.readParts(full);
    let len = 0;
    for (const p of parts) len += p.length;
    if (len === 0) throw decryptFailed('chunk', 'payload missing', index);
    const last = len < full || !(await q.hasMore());
    if (sync !== undefined) {
      const r = openChunkParts(sync, stage.aad, index, last, parts);
      if (!r.ok) throw decryptFailed('chunk', r.reason, index);
      for (const piece of r.pieces) controller.enqueue(piece);
    } else {
      const r = await openChunk(stage.cipher, stage.aad, index, last, joined(parts));
      if (!r.ok) throw decryptFailed('chunk', r.reason, index);
      controller.enqueue(r.plaintext);
    }
    index++;
    return last;
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (failure !== undefined) return fail(failure);
      for (let k = 0; k < perPull; k++) {
        try {
          if (await one(controller)) {
            controller.close();
            return;
          }
        } catch (e) {
          if (k === 0) return fail(e);
          failure = e;
          return;
        }
      }
    },
    cancel: (reason) => q.cancel(reason),
  });
}

/**
 * Decrypts an envelope with a recipient key (a {@link KeyProvider} or a raw
 * 32-byte X25519 private key). The header is checked completely (key commitment,
 * header MAC) before any payload byte is decrypted.
 *
 * Errors: `INVALID_TYPE` (the envelope is neither bytes nor a stream, or the key is
 * neither bytes nor a provider); `ENVELOPE_TOO_MANY_RECIPIENTS` (see
 * {@link OpenOptions.maxRecipients}); `NOT_A_RECIPIENT`; `ENVELOPE_SHREDDED`; `CONTEXT_MISMATCH`;
 * `DECRYPT_FAILED` with `details.part` = `header`, `recipient` or `chunk` (and
 * `details.chunk`). A streamed payload reports chunk failures by erroring the
 * stream: treat the plaintext as untrusted until the stream closes cleanly.
 *
 * @example
 * ```ts
 * const { context, payload } = await open(envelope, doctorPrivateKey, {
 *   expectContext: { recordId: 'obs-17' },
 * });
 * ```
 */
export function open(
  envelope: Uint8Array,
  key: KeyProvider | Uint8Array,
  opts?: OpenOptions,
): Promise<OpenedEnvelope<Uint8Array>>;
/** Streaming form of {@link open}: chunks are decrypted as the payload stream is read. */
export function open(
  envelope: ReadableStream<Uint8Array>,
  key: KeyProvider | Uint8Array,
  opts?: OpenOptions,
): Promise<OpenedEnvelope<ReadableStream<Uint8Array>>>;
export async function open(
  envelope: Uint8Array | ReadableStream<Uint8Array>,
  key: KeyProvider | Uint8Array,
  opts: OpenOptions = {},
): Promise<OpenedEnvelope<Uint8Array | ReadableStream<Uint8Array>>> {
  checkOpenArguments(envelope, key);
  recipientCap(opts.maxRecipients);
  if (envelope instanceof Uint8Array) {
    const header = headerOf(envelope);
    const stage = await unlock(header, key, opts);
    return {
      context: header.context,
      payload: await openBytes(stage, envelope.subarray(header.length)),
    };
  }
  const q = byteQueue(envelope);
  try {
    const header = await readHeader(q);
    const stage = await unlock(header, key, opts);
    return { context: header.context, payload: openStream(stage, q) };
  } catch (e) {
    await q.cancel(e).catch(() => undefined);
    throw e;
  }
}

function checkOpenArguments(envelope: unknown, key: unknown): void {
  const isStream =
    typeof envelope === 'object' &&
    envelope !== null &&
    typeof (envelope as { getReader?: unknown }).getReader === 'function';
  if (!(envelope instanceof Uint8Array) && !isStream) {
    throw new MedanchorError(
      'INVALID_TYPE',
      'the envelope must be a Uint8Array or a ReadableStream of Uint8Array',
    );
  }
  const isProvider =
    typeof key === 'object' &&
    key !== null &&
    (key as { publicKey?: unknown }).publicKey instanceof Uint8Array &&
    typeof (key as { unwrap?: unknown }).unwrap === 'function';
  if (!(key instanceof Uint8Array) && !isProvider) {
    throw new MedanchorError(
      'INVALID_TYPE',
      'the key must be a 32-byte X25519 private key (Uint8Array) or a KeyProvider',
    );
  }
}
