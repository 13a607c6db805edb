import { isMedanchorError } from '@medanchor/core';
import { collectBytes } from '../../src/envelope/byte-stream.js';
import { generateX25519KeyPair } from '../../src/hpke/kem.js';

export const context = {
  recordId: 'obs-17',
  version: '3',
  contentType: 'application/fhir+json',
};

export async function keys(n: number) {
  return Promise.all(Array.from({ length: n }, () => generateX25519KeyPair()));
}

/** Deterministic payload bytes: a cheap pattern that differs at every offset mod 251. */
export function payloadOf(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 7 + 3) % 251;
  return out;
}

/** A stream of `bytes` cut into pieces of `piece` bytes (to cross chunk edges). */
export function streamIn(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (off >= bytes.length) return c.close();
      c.enqueue(bytes.slice(off, off + piece));
      off += piece;
    },
  });
}

export { collectBytes };

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(
  p: Promise<unknown>,
): Promise<{ code: string; details: Record<string, unknown>; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isMedanchorError(e)) return { code: e.code, details: { ...e.details }, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}
