import { assertBytes, concatBytes, MedanchorError, toHex } from '@medanchor/core';
import { type AeadCipher, aeadCipher, joined, type SyncAead } from '../hpke/aead.js';
import { nativeKdfSubtle, randomBytes } from '../hpke/backend.js';
import { byteQueue } from './byte-stream.js';
import {
  CHUNK_CONCURRENCY,
  CHUNK_OVERHEAD,
  chunkNonce,
  MAX_CHUNKS,
  STREAM_BATCH_BYTES,
  sealChunk,
} from './chunks.js';
import {
  DEFAULT_CHUNK_SIZE_LOG2,
  type EnvelopeAead,
  type EnvelopeContext,
  encodePreambleBody,
  envelopeAeadId,
  MAX_CHUNK_SIZE_LOG2,
  MIN_CHUNK_SIZE_LOG2,
  type RecipientStanza,
  recipientsLength,
  writeRecipients,
} from './format.js';
import {
  deriveEnvelopeKeys,
  deriveEnvelopeKeysSync,
  type EnvelopeKeys,
  hmacSha256,
  preambleDigest,
} from './schedule.js';
import { wrapDataKey, wrapDataKeyNow } from './wrap.js';

/** Options of {@link seal}. */
export interface SealOptions {
  /** X25519 public keys (32 bytes each) that may open the envelope; at least one. */
  recipients: readonly Uint8Array[];
  /** The record context bound into the authenticated header. */
  context: EnvelopeContext;
  /** Payload AEAD; default `'AES-256-GCM'`. */
  aead?: EnvelopeAead;
  /** AEAD of the HPKE key wraps; default `'AES-256-GCM'`. */
  wrapAead?: EnvelopeAead;
  /** Plaintext bytes per chunk, a power of two from 4 KiB to 16 MiB; default 64 KiB. */
  chunkSize?: number;
}

/**
 * The random values one seal consumes. Internal: fixed values make the spec's
 * test vectors reproducible; real seals always draw them fresh.
 */
export interface SealRandomness {
  dataKey: Uint8Array;
  salt: Uint8Array;
  /** HPKE ephemeral IKM of the i-th recipient; absent: a fresh random ephemeral key. */
  ephemeralIkm?(i: number): Uint8Array;
}

// Random bytes drawn 1 KiB at a time: each call into the platform's generator has a
// fixed cost of a few microseconds, a good part of a small seal. Every draw is a new
// array, never refilled in place, so bytes handed out are never handed out again.
const POOL_BYTES = 1024;
let pool: Uint8Array = new Uint8Array(0);
let poolAt = 0;

function freshRandomness(): SealRandomness {
  if (poolAt + 64 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const r = pool.subarray(poolAt, poolAt + 64);
  poolAt += 64;
  return { dataKey: r.subarray(0, 32), salt: r.subarray(32) };
}

function chunkSizeLog2(size: number | undefined): number {
  if (size === undefined) return DEFAULT_CHUNK_SIZE_LOG2;
  const log2 = Math.log2(size);
  if (!Number.isInteger(log2) || log2 < MIN_CHUNK_SIZE_LOG2 || log2 > MAX_CHUNK_SIZE_LOG2) {
    throw new MedanchorError(
      'ENVELOPE_INVALID_CHUNK_SIZE',
      'chunkSize must be a power of two from 4096 to 16777216 bytes',
      { details: { chunkSize: size } },
    );
  }
  return log2;
}

/** What the payload stage needs: the payload cipher, the chunk AAD and size. */
export interface PayloadSealer {
  cipher: AeadCipher;
  aad: Uint8Array;
  chunkSize: number;
}

/** A sealed header and what the payload stage needs. */
export interface SealedHeader extends PayloadSealer {
  header: Uint8Array;
}

/**
 * A seal in progress: the preamble and payload keys are ready, the recipient
 * wraps may still be running (X25519 on Web Crypto runs on a worker thread).
 */
interface SealStart extends PayloadSealer {
  preamble: Uint8Array;
  macKey: Uint8Array;
  recipientCount: number;
  stanzas: RecipientStanza[] | Promise<RecipientStanza[]>;
}

function checkRecipients(recipients: readonly Uint8Array[]): void {
  if (recipients.length === 0) {
    throw new MedanchorError(
      'ENVELOPE_NO_RECIPIENTS',
      'seal needs at least one recipient public key',
    );
  }
  const seen = new Set<string>();
  for (const r of recipients) {
    assertBytes(r, 32, 'recipient public key');
    const hex = toHex(r);
    if (seen.has(hex)) {
      throw new MedanchorError('RECIPIENT_DUPLICATE', 'each recipient public key may appear once');
    }
    seen.add(hex);
  }
}

/**
 * Validates the options, starts the recipient wraps, and derives the preamble and
 * payload keys while the wraps run; without a promise where HKDF is synchronous.
 */
function startSeal(opts: SealOptions, rnd: SealRandomness): SealStart | Promise<SealStart> {
  checkRecipients(opts.recipients);
  const aead = envelopeAeadId(opts.aead ?? 'AES-256-GCM');
  const wrapAead = envelopeAeadId(opts.wrapAead ?? 'AES-256-GCM');
  const log2 = chunkSizeLog2(opts.chunkSize);
  const body = encodePreambleBody(aead, log2, rnd.salt, opts.context);
  // Each wrap runs at once where HPKE is synchronous (node:crypto, a key made ahead).
  const wraps: (RecipientStanza | Promise<RecipientStanza>)[] = [];
  try {
    opts.recipients.forEach((pk, i) => {
      const ikm = rnd.ephemeralIkm?.(i);
      wraps.push(
        wrapDataKeyNow(pk, rnd.dataKey, wrapAead, ikm) ??
          wrapDataKey(pk, rnd.dataKey, wrapAead, ikm),
      );
    });
  } catch (e) {
    // A wrap that failed at once: the ones already started must not reject unobserved.
    for (const w of wraps) if (w instanceof Promise) w.catch(() => undefined);
    throw e;
  }
  const stanzas = wraps.every((w) => !(w instanceof Promise))
    ? (wraps as RecipientStanza[])
    : Promise.all(wraps);
  // Observed now, so a failure below cannot leave the wraps' rejection unhandled;
  // whoever writes the header still awaits (and rethrows) it.
  if (stanzas instanceof Promise) stanzas.catch(() => undefined);
  const started = (keys: EnvelopeKeys): SealStart => {
    const preamble = concatBytes(body, hmacSha256(keys.commitKey, body));
    return {
      preamble,
      macKey: keys.macKey,
      recipientCount: opts.recipients.length,
      stanzas,
      cipher: aeadCipher(aead, keys.payloadKey),
      aad: preambleDigest(preamble),
      chunkSize: 2 ** log2,
    };
  };
  // No promise where HKDF is synchronous (every backend but the forced 'webcrypto').
  if (nativeKdfSubtle() === undefined)
    return started(deriveEnvelopeKeysSync(rnd.dataKey, rnd.salt));
  return deriveEnvelopeKeys(rnd.dataKey, rnd.salt).then(started);
}

/**
 * Writes the header into `out` from 0 once the wraps are done: preamble, recipients,
 * header MAC. `out` starts with exactly the header's length of room for it.
 */
function writeHeader(start: SealStart, stanzas: readonly RecipientStanza[], out: Uint8Array) {
  out.set(start.preamble, 0);
  const macAt = writeRecipients(stanzas, out, start.preamble.length);
  if (macAt + 32 !== headerLengthOf(start)) {
    throw new MedanchorError('ENVELOPE_INTERNAL', 'header length mismatch; report this bug');
  }
  out.set(hmacSha256(start.macKey, out.subarray(0, macAt)), macAt);
}

/** Every stanza sealed here has a fixed size, so the header length is known first. */
function headerLengthOf(start: SealStart): number {
  return start.preamble.length + recipientsLength(start.recipientCount) + 32;
}

/** Builds the header: preamble with key commitment, one stanza per recipient, header MAC. */
export async function sealHeader(opts: SealOptions, rnd: SealRandomness): Promise<SealedHeader> {
  const start = await startSeal(opts, rnd);
  const header = new Uint8Array(headerLengthOf(start));
  writeHeader(start, await start.stanzas, header);
  return {
    header,
    cipher: start.cipher,
    aad: start.aad,
    chunkSize: start.chunkSize,
  };
}

/** {@link sealChunksInto} with a synchronous cipher, without a promise. */
function sealChunksIntoNow(
  sync: SyncAead,
  sealer: PayloadSealer,
  payload: Uint8Array,
  out: Uint8Array,
  offset: number,
): void {
  const { aad, chunkSize } = sealer;
  const n = chunkCount(payload.length, chunkSize);
  let at = offset;
  for (let i = 0; i < n; i++) {
    const pt = payload.subarray(i * chunkSize, (i + 1) * chunkSize);
    for (const piece of sync.sealParts(chunkNonce(i, i === n - 1), aad, [pt])) {
      out.set(piece, at);
      at += piece.length;
    }
  }
}

/** The encrypted chunks of a whole payload in memory, written into `out` from `offset`. */
async function sealChunksInto(
  sealer: PayloadSealer,
  payload: Uint8Array,
  out: Uint8Array,
  offset: number,
): Promise<void> {
  const { cipher, aad, chunkSize } = sealer;
  const n = chunkCount(payload.length, chunkSize);
  if (cipher.sync !== undefined) {
    sealChunksIntoNow(cipher.sync, sealer, payload, out, offset);
    return;
  }
  if (n === 1) {
    out.set(await sealChunk(cipher, aad, 0, true, payload), offset);
    return;
  }
  for (let start = 0; start < n; start += CHUNK_CONCURRENCY) {
    const batch: Promise<void>[] = [];
    for (let i = start; i < Math.min(n, start + CHUNK_CONCURRENCY); i++) {
      const pt = payload.subarray(i * chunkSize, (i + 1) * chunkSize);
      // Chunk i starts at a fixed offset: every earlier chunk is full.
      const at = offset + i * (chunkSize + CHUNK_OVERHEAD);
      batch.push(sealChunk(cipher, aad, i, i === n - 1, pt).then((ct) => out.set(ct, at)));
    }
    await Promise.all(batch);
  }
}

function chunkCount(length: number, chunkSize: number): number {
  const n = Math.max(1, Math.ceil(length / chunkSize));
  if (n > MAX_CHUNKS) throw tooLarge();
  return n;
}

/**
 * Seal of a whole payload in memory, encrypting the payload while the recipient
 * wraps run. Every stanza has a fixed size, so the header length is known first.
 */
function sealPayloadBytes(start: SealStart, payload: Uint8Array): Uint8Array | Promise<Uint8Array> {
  const n = chunkCount(payload.length, start.chunkSize);
  const headerLength = headerLengthOf(start);
  const out = new Uint8Array(headerLength + payload.length + n * CHUNK_OVERHEAD);
  const { stanzas } = start;
  const sync = start.cipher.sync;
  // Everything synchronous (node:crypto): no promise at all, so a small record costs
  // no turn of the microtask queue per step.
  if (sync !== undefined && !(stanzas instanceof Promise)) {
    sealChunksIntoNow(sync, start, payload, out, headerLength);
    writeHeader(start, stanzas, out);
    return out;
  }
  return (async () => {
    await sealChunksInto(start, payload, out, headerLength);
    writeHeader(start, await stanzas, out);
    return out;
  })();
}

/**
 * A whole payload in memory: without a promise where every step is synchronous
 * (node:crypto). Internal; exported for the tests that check which path ran.
 */
export function sealBytes(
  payload: Uint8Array,
  opts: SealOptions,
  rnd: SealRandomness,
): Uint8Array | Promise<Uint8Array> {
  const start = startSeal(opts, rnd);
  return start instanceof Promise
    ? start.then((s) => sealPayloadBytes(s, payload))
    : sealPayloadBytes(start, payload);
}

function tooLarge(): MedanchorError {
  return new MedanchorError(
    'ENVELOPE_TOO_LARGE',
    'the payload needs more than 2^32 chunks; use a larger chunkSize',
  );
}

/** One chunk's plaintext as read from the stream, in pieces. */
interface PendingChunk {
  index: number;
  last: boolean;
  parts: Uint8Array[];
}

/**
 * Seal of a payload stream: the header first, then up to {@link STREAM_BATCH_BYTES}
 * of chunks per pull. A synchronous cipher takes each chunk in the pieces the source
 * gave and its output pieces are passed on as they are, so no payload byte is
 * copied here; an asynchronous one gets whole chunks, a few in flight at once.
 */
export function sealStream(
  sealed: SealedHeader,
  payload: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  const { header, cipher, aad, chunkSize } = sealed;
  const q = byteQueue(payload);
  const perPull = Math.max(1, Math.floor(STREAM_BATCH_BYTES / chunkSize));
  let index = -1;
  let finished = false;

  // The next chunk's plaintext; a full chunk is final only when nothing follows it.
  const next = async (): Promise<PendingChunk> => {
    const parts = await q.readParts(chunkSize);
    let len = 0;
    for (const p of parts) len += p.length;
    const last = len < chunkSize || !(await q.hasMore());
    if (index >= MAX_CHUNKS) throw tooLarge();
    return { index: index++, last, parts };
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index < 0) {
        index = 0;
        controller.enqueue(header);
        return;
      }
      if (finished) return;
      const sync = cipher.sync;
      if (sync !== undefined) {
        // Each chunk goes out as soon as it is sealed, so a slow source is not held back.
        for (let k = 0; k < perPull && !finished; k++) {
          const c = await next();
          for (const piece of sync.sealParts(chunkNonce(c.index, c.last), aad, c.parts)) {
            controller.enqueue(piece);
          }
          finished = c.last;
        }
      } else {
        const batch: PendingChunk[] = [];
        while (batch.length < CHUNK_CONCURRENCY && !finished) {
          const c = await next();
          batch.push(c);
          finished = c.last;
        }
        const sealedChunks = await Promise.all(
          batch.map((c) => sealChunk(cipher, aad, c.index, c.last, joined(c.parts))),
        );
        for (const ct of sealedChunks) controller.enqueue(ct);
      }
      if (finished) controller.close();
    },
    cancel: (reason) => q.cancel(reason),
  });
}

/**
 * Seal with caller-chosen randomness. Internal: for the spec's deterministic
 * vectors only; fixed randomness in real use destroys confidentiality.
 */
export async function sealWith(
  payload: Uint8Array | ReadableStream<Uint8Array>,
  opts: SealOptions,
  rnd: SealRandomness,
): Promise<Uint8Array | ReadableStream<Uint8Array>> {
  if (payload instanceof Uint8Array) return sealBytes(payload, opts, rnd);
  return sealStream(await sealHeader(opts, rnd), payload);
}

/**
 * Encrypts a record for its recipients: a fresh 32-byte data key, the payload in
 * 64 KiB AEAD chunks (counter and final flag in each nonce), the data key wrapped
 * to each recipient with HPKE, and a header that binds `context` and commits to
 * the data key. A `Uint8Array` payload gives a `Uint8Array`; a stream gives a
 * stream that encrypts as it is read (constant memory).
 *
 * @example
 * ```ts
 * const envelope = await seal(utf8(json), {
 *   recipients: [patient.publicKey, doctor.publicKey],
 *   context: { recordId: 'obs-17', version: '3', contentType: 'application/fhir+json' },
 * });
 * ```
 */
export function seal(payload: Uint8Array, opts: SealOptions): Promise<Uint8Array>;
/** Streaming form of {@link seal}: the envelope is produced as the payload is read. */
export function seal(
  payload: ReadableStream<Uint8Array>,
  opts: SealOptions,
): Promise<ReadableStream<Uint8Array>>;
export function seal(
  payload: Uint8Array | ReadableStream<Uint8Array>,
  opts: SealOptions,
): Promise<Uint8Array | ReadableStream<Uint8Array>> {
  if (!(payload instanceof Uint8Array)) return sealWith(payload, opts, freshRandomness());
  // A promise either way, and a refusal is a rejection, never a synchronous throw.
  try {
    const out = sealBytes(payload, opts, freshRandomness());
    return out instanceof Promise ? out : Promise.resolve(out);
  } catch (e) {
    return Promise.reject(e);
  }
}
