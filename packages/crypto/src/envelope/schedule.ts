import { concatBytes, utf8 } from '@medanchor/core';
import { nativeKdfSubtle } from '../hpke/backend.js';
import {
  hkdfExpand,
  hkdfExtract,
  hkdfExtractSync,
  hmacSha256Sync,
  sha256Sync,
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
  // Each key is one output block, T(1) = HMAC(PRK, info || 0x01): the three inputs are
  // constants, joined once here instead of on every seal.
  return {
    payloadKey: hmacSha256Sync(prk, PAYLOAD_T1),
    commitKey: hmacSha256Sync(prk, COMMIT_T1),
    macKey: hmacSha256Sync(prk, HEADER_MAC_T1),
  };
}

const PAYLOAD_INFO = utf8(`${LABEL}payload`);
const COMMIT_INFO = utf8(`${LABEL}commit`);
const HEADER_MAC_INFO = utf8(`${LABEL}header-mac`);
const firstBlock = (info: Uint8Array) => concatBytes(info, new Uint8Array([1]));
const PAYLOAD_T1 = firstBlock(PAYLOAD_INFO);
const COMMIT_T1 = firstBlock(COMMIT_INFO);
const HEADER_MAC_T1 = firstBlock(HEADER_MAC_INFO);

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
  return sha256Sync(preamble);
}

/**
 * HPKE `info` of every recipient wrap. A constant: the key commitment and header
 * MAC already bind a wrap to its envelope (a moved wrap yields a key that fails
 * the commitment), and a constant lets a damaged preamble be reported as such.
 */
export const WRAP_INFO = utf8(`${LABEL}wrap`);
