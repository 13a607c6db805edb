import { concatBytes, utf8 } from '@medanchor/core';
import { expand as nobleExpand, extract as nobleExtract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bufferSource, nativeKdfSubtle, nodeCrypto } from './backend.js';
import { plainBytes } from './node-crypto.js';
import { i2osp } from './suite.js';

/** Output length of HKDF-SHA256's hash, `Nh`. */
export const NH = 32;

async function hmacNative(subtle: SubtleCrypto, key: Uint8Array, data: Uint8Array) {
  // HMAC pads short keys with zeros, so an empty key equals 32 zero bytes; Web Crypto
  // rejects zero-length HMAC keys, hence the substitution.
  const k = key.length === 0 ? new Uint8Array(NH) : key;
  const ck = await subtle.importKey(
    'raw',
    bufferSource(k),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await subtle.sign('HMAC', ck, bufferSource(data)));
}

/**
 * HMAC-SHA256 without a promise: node:crypto where the backend finds it (about
 * twice as fast as JavaScript for the short inputs of a key schedule), else `@noble`.
 */
export function hmacSha256Sync(key: Uint8Array, data: Uint8Array): Uint8Array {
  const nc = nodeCrypto();
  if (nc !== undefined) return plainBytes(nc.createHmac('sha256', key).update(data).digest());
  return hmac(sha256, key, data);
}

/** SHA-256 without a promise: node:crypto's one-shot digest where the backend finds it, else `@noble`. */
export function sha256Sync(data: Uint8Array): Uint8Array {
  const nc = nodeCrypto();
  if (nc === undefined) return sha256(data);
  if (nc.hash !== undefined) return plainBytes(nc.hash('sha256', data, 'buffer'));
  return plainBytes(nc.createHash('sha256').update(data).digest());
}

/** HKDF-Extract with SHA-256 (RFC 5869); an empty salt means `Nh` zero bytes. */
export async function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Promise<Uint8Array> {
  const subtle = nativeKdfSubtle();
  if (subtle !== undefined) return hmacNative(subtle, salt, ikm);
  return hkdfExtractSync(salt, ikm);
}

/** {@link hkdfExtract} without a promise, on node:crypto or `@noble` (never Web Crypto). */
export function hkdfExtractSync(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  if (nodeCrypto() !== undefined) return hmacSha256Sync(salt.length === 0 ? ZERO_SALT : salt, ikm);
  return nobleExtract(sha256, ikm, salt);
}

/**
 * {@link hkdfExpand} without a promise, on node:crypto or `@noble` (never Web Crypto).
 */
export function hkdfExpandSync(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  // One output block is one HMAC: T(1) = HMAC(prk, info || 0x01).
  if (length === NH) return hmacSha256Sync(prk, concatBytes(info, BLOCK_ONE));
  if (nodeCrypto() === undefined) return nobleExpand(sha256, prk, info, length);
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 0, off = 0; off < length; i++) {
    t = hmacSha256Sync(prk, concatBytes(t, info, new Uint8Array([i + 1])));
    out.set(t.subarray(0, Math.min(NH, length - off)), off);
    off += NH;
  }
  return out;
}

const ZERO_SALT = new Uint8Array(NH);

/** HKDF-Expand with SHA-256 (RFC 5869) to `length` bytes (at most 255 * 32). */
export async function hkdfExpand(
  prk: Uint8Array,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  const subtle = nativeKdfSubtle();
  if (subtle === undefined) return hkdfExpandSync(prk, info, length);
  const out = new Uint8Array(length);
  let t = new Uint8Array(0);
  for (let i = 0, off = 0; off < length; i++) {
    t = await hmacNative(subtle, prk, concatBytes(t, info, new Uint8Array([i + 1])));
    out.set(t.subarray(0, Math.min(NH, length - off)), off);
    off += NH;
  }
  return out;
}

/** HKDF (extract then expand) with SHA-256. */
export async function hkdf(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  return hkdfExpand(await hkdfExtract(salt, ikm), info, length);
}

const BLOCK_ONE = new Uint8Array([1]);
const HPKE_V1 = utf8('HPKE-v1');

// UTF-8 of the few fixed labels, encoded once.
const labels = new Map<string, Uint8Array>();
function labelBytes(label: string): Uint8Array {
  let b = labels.get(label);
  if (b === undefined) {
    b = utf8(label);
    if (labels.size < 64) labels.set(label, b);
  }
  return b;
}

/** RFC 9180 LabeledExtract: Extract(salt, "HPKE-v1" || suite_id || label || ikm). */
export function labeledExtractSync(
  suiteId: Uint8Array,
  salt: Uint8Array,
  label: string,
  ikm: Uint8Array,
): Uint8Array {
  return hkdfExtractSync(salt, concatBytes(HPKE_V1, suiteId, labelBytes(label), ikm));
}

/** RFC 9180 LabeledExpand without a promise (see {@link hkdfExpandSync}). */
export function labeledExpandSync(
  suiteId: Uint8Array,
  prk: Uint8Array,
  label: string,
  info: Uint8Array,
  length: number,
): Uint8Array {
  if (length <= NH) {
    // One output block: T(1) = HMAC(prk, labeled_info || 0x01), in one array.
    const t = hmacSha256Sync(
      prk,
      concatBytes(i2osp(length, 2), HPKE_V1, suiteId, labelBytes(label), info, BLOCK_ONE),
    );
    return length === NH ? t : t.slice(0, length);
  }
  return hkdfExpandSync(
    prk,
    concatBytes(i2osp(length, 2), HPKE_V1, suiteId, labelBytes(label), info),
    length,
  );
}

/** RFC 9180 LabeledExtract: Extract(salt, "HPKE-v1" || suite_id || label || ikm). */
export function labeledExtract(
  suiteId: Uint8Array,
  salt: Uint8Array,
  label: string,
  ikm: Uint8Array,
): Promise<Uint8Array> {
  return hkdfExtract(salt, concatBytes(HPKE_V1, suiteId, labelBytes(label), ikm));
}

/** RFC 9180 LabeledExpand: Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L). */
export function labeledExpand(
  suiteId: Uint8Array,
  prk: Uint8Array,
  label: string,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  return hkdfExpand(
    prk,
    concatBytes(i2osp(length, 2), HPKE_V1, suiteId, labelBytes(label), info),
    length,
  );
}
