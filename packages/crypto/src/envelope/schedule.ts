import { utf8 } from '@medanchor/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { nativeKdfSubtle } from '../hpke/backend.js';
import {
  hkdfExpand,
  hkdfExpandSync,
  hkdfExtract,
  hkdfExtractSync,
  hmacSha256Sync,
} from '../hpke/kdf.js';

/** The keys one envelope derives from its data key and salt. */
export interface EnvelopeKeys {
  /** AEAD key of the payload chunks. */
  payloadKey: Uint8Array;
  /** HMAC key of the key commitment over the preamble. */
  commitKey: Uint8Array;
  /** HMAC key of the header MAC over the whole header. */
  macKey: Uint8Array;
}

const LABEL = 'medanchor/envelope/v1/';

/**
 * HKDF-SHA256 with the envelope salt: PRK = Extract(salt, dataKey), then one
 * Expand per purpose, so no key serves two jobs.
 */
export async function deriveEnvelopeKeys(
  dataKey: Uint8Array,
  salt: Uint8Array,
): Promise<EnvelopeKeys> {
  if (nativeKdfSubtle() === undefined) return deriveEnvelopeKeysSync(dataKey, salt);
  const prk = await hkdfExtract(salt, dataKey);
  const [payloadKey, commitKey, macKey] = await Promise.all([
    hkdfExpand(prk, PAYLOAD_INFO, 32),
    hkdfExpand(prk, COMMIT_INFO, 32),
    hkdfExpand(prk, HEADER_MAC_INFO, 32),
  ]);
  return { payloadKey, commitKey, macKey };
}

/** {@link deriveEnvelopeKeys} without a promise (every backend but the forced `'webcrypto'`). */
export function deriveEnvelopeKeysSync(dataKey: Uint8Array, salt: Uint8Array): EnvelopeKeys {
  const prk = hkdfExtractSync(salt, dataKey);
  return {
    payloadKey: hkdfExpandSync(prk, PAYLOAD_INFO, 32),
    commitKey: hkdfExpandSync(prk, COMMIT_INFO, 32),
    macKey: hkdfExpandSync(prk, HEADER_MAC_INFO, 32),
  };
}

const PAYLOAD_INFO = utf8(`${LABEL}payload`);
const COMMIT_INFO = utf8(`${LABEL}commit`);
const HEADER_MAC_INFO = utf8(`${LABEL}header-mac`);

/** HMAC-SHA256(key, data), on node:crypto where the backend finds it. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmacSha256Sync(key, data);
}

/** Constant-time equality of two 32-byte tags. */
export function tagsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** SHA-256 of the preamble: the AAD of every chunk and part of the wrap info. */
export function preambleDigest(preamble: Uint8Array): Uint8Array {
  return sha256(preamble);
}

/**
 * HPKE `info` of every recipient wrap. A constant: the key commitment and header
 * MAC already bind a wrap to its envelope (a moved wrap yields a key that fails
 * the commitment), and a constant lets a damaged preamble be reported as such.
 */
export const WRAP_INFO = utf8(`${LABEL}wrap`);
