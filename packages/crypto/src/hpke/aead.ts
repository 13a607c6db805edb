import { MedanchorError } from '@medanchor/core';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { bufferSource, getCryptoBackend, nativeSubtle, nodeCrypto } from './backend.js';
import { type NodeCrypto, plainBytes } from './node-crypto.js';
import { HpkeAead } from './suite.js';

/** An AEAD bound to one key; nonces are 12 bytes and tags 16 bytes for every suite here. */
export interface AeadCipher {
  /** Ciphertext with the 16-byte tag appended. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Plaintext, or `undefined` when the tag does not verify. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * The same cipher without promises, present when the implementation is
   * synchronous (node:crypto, `@noble`): a payload loop then pays no promise per chunk.
   */
  readonly sync?: SyncAead;
}

/**
 * A synchronous AEAD that takes and gives a message in pieces, so a chunk spread
 * over several reads of a stream is neither gathered into one array first nor
 * copied out after: node:crypto encrypts piece by piece, `@noble` joins the pieces.
 */
export interface SyncAead {
  /** Ciphertext and tag of the concatenation of `parts`, as pieces to be written in order. */
  sealParts(nonce: Uint8Array, aad: Uint8Array, parts: readonly Uint8Array[]): Uint8Array[];
  /**
   * Decrypts the concatenation of `parts` (ciphertext without its tag) against
   * `tag`: the plaintext in one or more pieces, or `undefined` when the tag does
   * not verify. Nothing is returned before the tag is checked.
   */
  openParts(
    nonce: Uint8Array,
    aad: Uint8Array,
    parts: readonly Uint8Array[],
    tag: Uint8Array,
  ): Uint8Array[] | undefined;
}

/** Length of every AEAD tag used here. */
export const AEAD_TAG_LENGTH = 16;
/** Length of every AEAD nonce used here. */
export const AEAD_NONCE_LENGTH = 12;

/** node:crypto's name of each AEAD id. */
const NODE_AEAD: Record<number, string> = {
  [HpkeAead.AES_128_GCM]: 'aes-128-gcm',
  [HpkeAead.AES_256_GCM]: 'aes-256-gcm',
  [HpkeAead.CHACHA20_POLY1305]: 'chacha20-poly1305',
};

/**
 * An AEAD for `aeadId` under `key`. Every AEAD runs on node:crypto where the backend
 * finds it; otherwise AES-GCM runs on Web Crypto when the backend allows it (the key
 * is imported once) and ChaCha20-Poly1305 on `@noble`, since Web Crypto does not
 * define it.
 */
export function aeadCipher(aeadId: number, key: Uint8Array): AeadCipher {
  const algorithm = NODE_AEAD[aeadId];
  if (algorithm === undefined) {
    throw new MedanchorError(
      'HPKE_UNSUPPORTED_SUITE',
      `AEAD id ${aeadId} cannot seal or open; use AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305`,
      { details: { aeadId } },
    );
  }
  const nc = nodeCrypto();
  if (nc !== undefined) return asyncOf(nodeAead(nc, algorithm, key));
  if (aeadId === HpkeAead.CHACHA20_POLY1305) return nobleCipher(chacha20poly1305, key);
  const subtle = nativeSubtle();
  if (subtle === undefined) return nobleCipher(gcm, key);
  if (getCryptoBackend() === 'webcrypto') return nativeGcm(subtle, key);
  return sizedGcm(nobleCipher(gcm, key), nativeGcm(subtle, key));
}

/**
 * Messages up to this many bytes run on `@noble` under `'auto'`: for them a Web
 * Crypto call (a key import, then a round trip to a worker thread) costs more than
 * the whole encryption in JavaScript (see bench crypto).
 */
export const SMALL_AEAD_MESSAGE = 2048;

// AES-GCM that picks the implementation per message by its size.
function sizedGcm(small: AeadCipher, large: AeadCipher): AeadCipher {
  return {
    seal: (nonce, aad, pt) =>
      pt.length <= SMALL_AEAD_MESSAGE ? small.seal(nonce, aad, pt) : large.seal(nonce, aad, pt),
    open: (nonce, aad, ct) =>
      ct.length <= SMALL_AEAD_MESSAGE + AEAD_TAG_LENGTH
        ? small.open(nonce, aad, ct)
        : large.open(nonce, aad, ct),
  };
}

type NobleAead = (
  key: Uint8Array,
  nonce: Uint8Array,
  aad?: Uint8Array,
) => {
  encrypt(pt: Uint8Array): Uint8Array;
  decrypt(ct: Uint8Array): Uint8Array;
};

// The promise form of a synchronous cipher.
function asyncOf(sync: SyncAead): AeadCipher {
  return {
    sync,
    seal: async (nonce, aad, pt) => joined(sync.sealParts(nonce, aad, [pt])),
    open: async (nonce, aad, ct) => {
      if (ct.length < AEAD_TAG_LENGTH) return undefined;
      const cut = ct.length - AEAD_TAG_LENGTH;
      const pieces = sync.openParts(nonce, aad, [ct.subarray(0, cut)], ct.subarray(cut));
      return pieces === undefined ? undefined : joined(pieces);
    },
  };
}

/** The pieces as one array; a single piece is returned as it is. */
export function joined(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  let len = 0;
  for (const p of pieces) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of pieces) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function nodeAead(nc: NodeCrypto, algorithm: string, key: Uint8Array): SyncAead {
  const options = { authTagLength: AEAD_TAG_LENGTH };
  return {
    sealParts(nonce, aad, parts) {
      const c = nc.createCipheriv(algorithm, key, nonce, options);
      if (aad.length > 0) c.setAAD(aad);
      const pieces: Uint8Array[] = [];
      for (const p of parts) {
        const ct = c.update(p);
        if (ct.length > 0) pieces.push(plainBytes(ct));
      }
      // GCM and ChaCha20-Poly1305 are stream modes: final() gives no bytes, only the tag.
      const rest = c.final();
      if (rest.length > 0) pieces.push(plainBytes(rest));
      pieces.push(plainBytes(c.getAuthTag()));
      return pieces;
    },
    openParts(nonce, aad, parts, tag) {
      if (tag.length !== AEAD_TAG_LENGTH) return undefined;
      const d = nc.createDecipheriv(algorithm, key, nonce, options);
      if (aad.length > 0) d.setAAD(aad);
      const pieces: Uint8Array[] = [];
      for (const p of parts) {
        const pt = d.update(p);
        if (pt.length > 0) pieces.push(plainBytes(pt));
      }
      d.setAuthTag(tag);
      try {
        const rest = d.final();
        if (rest.length > 0) pieces.push(plainBytes(rest));
      } catch {
        return undefined;
      }
      return pieces.length > 0 ? pieces : [new Uint8Array(0)];
    },
  };
}

function nobleCipher(make: NobleAead, key: Uint8Array): AeadCipher {
  return asyncOf({
    sealParts: (nonce, aad, parts) => [make(key, nonce, aad).encrypt(joined(parts))],
    openParts(nonce, aad, parts, tag) {
      try {
        return [make(key, nonce, aad).decrypt(joined([...parts, tag]))];
      } catch {
        return undefined;
      }
    },
  });
}

function nativeGcm(subtle: SubtleCrypto, key: Uint8Array): AeadCipher {
  let imported: Promise<CryptoKey> | undefined;
  const k = () => {
    imported ??= subtle.importKey('raw', bufferSource(key), 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]);
    return imported;
  };
  const params = (nonce: Uint8Array, aad: Uint8Array): AesGcmParams => ({
    name: 'AES-GCM',
    iv: bufferSource(nonce),
    additionalData: bufferSource(aad),
    tagLength: 128,
  });
  return {
    seal: async (nonce, aad, pt) =>
      new Uint8Array(await subtle.encrypt(params(nonce, aad), await k(), bufferSource(pt))),
    open: async (nonce, aad, ct) => {
      const key = await k();
      try {
        return new Uint8Array(await subtle.decrypt(params(nonce, aad), key, bufferSource(ct)));
      } catch {
        return undefined;
      }
    },
  };
}
