import { AEAD_TAG_LENGTH, type AeadCipher } from '../hpke/aead.js';

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

/**
 * Chunks in flight at once on the in-memory paths: Web Crypto runs each call on
 * a worker thread, so a few concurrent chunks keep several cores busy.
 */
export const CHUNK_CONCURRENCY = 8;
