import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from './bytes.js';

/** SHA-256 of `data` (synchronous; @noble/hashes). */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

const tagCache = new Map<string, Uint8Array>();

/**
 * BIP-340 style tagged hash: `sha256(sha256(tag) || sha256(tag) || data...)`.
 * Domain separation for every digest medanchor defines.
 */
export function taggedHash(tag: string, ...data: Uint8Array[]): Uint8Array {
  let prefix = tagCache.get(tag);
  if (prefix === undefined) {
    const t = sha256(utf8(tag));
    prefix = concatBytes(t, t);
    tagCache.set(tag, prefix);
  }
  return sha256(concatBytes(prefix, ...data));
}
