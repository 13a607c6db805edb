import { AEAD_TAG_LENGTH, type AeadCipher, type SyncAead } from '../hpke/aead.js';

/** Bytes an AEAD tag adds to each chunk. */
export const CHUNK_OVERHEAD = AEAD_TAG_LENGTH;

/**
 * Nonce of chunk `index`: seven zero bytes, the index as a big-endian u32, and
 * 0x01 on the final chunk (else 0x00). The payload key is fresh per envelope, so
 * a counter never repeats under one key; the flag makes truncation detectable.
 */
export function chunkNonce(index: number, last: boolean): Uint8Array {
  const n = new Uint8Array(12);
  n[7] = (index >>> 24) & 0xff;
  n[8] = (index >>> 16) & 0xff;
  n[9] = (index >>> 8) & 0xff;
  n[10] = index & 0xff;
  n[11] = last ? 1 : 0;
  return n;
}

/** Largest chunk count a u32 counter allows. */
export const MAX_CHUNKS = 2 ** 32;

/** Encrypts chunk `index` of the payload. */
export function sealChunk(
  cipher: AeadCipher,
  aad: Uint8Array,
  index: number,
  last: boolean,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  return cipher.seal(chunkNonce(index, last), aad, plaintext);
}

/**
 * Decrypts chunk `index`. When the final-flag decryption fails, tries the other
 * flag to tell the caller whether the stream was cut or reordered at this point
 * (a diagnostic only: either way the chunk is rejected).
 */
export async function openChunk(
  cipher: AeadCipher,
  aad: Uint8Array,
  index: number,
  last: boolean,
  ciphertext: Uint8Array,
): Promise<{ ok: true; plaintext: Uint8Array } | { ok: false; reason: string }> {
  const pt = await cipher.open(chunkNonce(index, last), aad, ciphertext);
  if (pt !== undefined) return { ok: true, plaintext: pt };
  const other = await cipher.open(chunkNonce(index, !last), aad, ciphertext);
  if (other === undefined) return { ok: false, reason: 'authentication failed' };
  return {
    ok: false,
    reason: last ? 'payload truncated after this chunk' : 'data appended after the final chunk',
  };
}

/** Outcome of opening one chunk: its plaintext pieces, or why it failed. */
export type ChunkOpening = { ok: true; pieces: Uint8Array[] } | { ok: false; reason: string };

/**
 * {@link openChunk} on a synchronous cipher, over the chunk's ciphertext in pieces
 * (`parts`, which end with the 16-byte tag): no piece is copied except a tag split
 * across two of them.
 */
export function openChunkParts(
  sync: SyncAead,
  aad: Uint8Array,
  index: number,
  last: boolean,
  parts: readonly Uint8Array[],
): ChunkOpening {
  const split = splitTag(parts);
  if (split === undefined) return { ok: false, reason: 'authentication failed' };
  const pieces = sync.openParts(chunkNonce(index, last), aad, split.body, split.tag);
  if (pieces !== undefined) return { ok: true, pieces };
  if (sync.openParts(chunkNonce(index, !last), aad, split.body, split.tag) === undefined) {
    return { ok: false, reason: 'authentication failed' };
  }
  return {
    ok: false,
    reason: last ? 'payload truncated after this chunk' : 'data appended after the final chunk',
  };
}

// The pieces before the last 16 bytes, and those 16 bytes; undefined when shorter.
function splitTag(
  parts: readonly Uint8Array[],
): { body: Uint8Array[]; tag: Uint8Array } | undefined {
  const lastPart = parts[parts.length - 1];
  if (lastPart !== undefined && lastPart.length >= AEAD_TAG_LENGTH) {
    const cut = lastPart.length - AEAD_TAG_LENGTH;
    const body = parts.slice(0, -1);
    if (cut > 0) body.push(lastPart.subarray(0, cut));
    return { body, tag: lastPart.subarray(cut) };
  }
  let total = 0;
  for (const p of parts) total += p.length;
  if (total < AEAD_TAG_LENGTH) return undefined;
  // The tag straddles pieces: copy its 16 bytes, keep views of the rest.
  let bodyLeft = total - AEAD_TAG_LENGTH;
  const body: Uint8Array[] = [];
  const tag = new Uint8Array(AEAD_TAG_LENGTH);
  let t = 0;
  for (const p of parts) {
    const inBody = Math.min(bodyLeft, p.length);
    if (inBody > 0) body.push(p.subarray(0, inBody));
    bodyLeft -= inBody;
    tag.set(p.subarray(inBody), t);
    t += p.length - inBody;
  }
  return { body, tag };
}

/**
 * Chunks in flight at once on an asynchronous cipher (Web Crypto runs each call on
 * a worker thread, so a few concurrent chunks keep several cores busy).
 */
export const CHUNK_CONCURRENCY = 8;

/**
 * Plaintext bytes a stream handles per pull (whole chunks, at least one): fewer
 * trips through the stream machinery per megabyte, and still a small fraction of
 * the memory budget of a large payload.
 */
export const STREAM_BATCH_BYTES = 1 << 20;
