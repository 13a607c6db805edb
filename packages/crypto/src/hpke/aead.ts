import { MedanchorError } from '@medanchor/core';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { bufferSource, getCryptoBackend, nativeSubtle } from './backend.js';
import { HpkeAead } from './suite.js';

/** An AEAD bound to one key; nonces are 12 bytes and tags 16 bytes for every suite here. */
export interface AeadCipher {
  /** Ciphertext with the 16-byte tag appended. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Plaintext, or `undefined` when the tag does not verify. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array | undefined>;
}

/** Length of every AEAD tag used here. */
export const AEAD_TAG_LENGTH = 16;
/** Length of every AEAD nonce used here. */
export const AEAD_NONCE_LENGTH = 12;

/**
 * An AEAD for `aeadId` under `key`. AES-GCM runs on Web Crypto when the backend
 * allows it (the key is imported once); ChaCha20-Poly1305 always runs on `@noble`,
 * since Web Crypto does not define it.
 */
export function aeadCipher(aeadId: number, key: Uint8Array): AeadCipher {
  if (aeadId === HpkeAead.CHACHA20_POLY1305) return nobleCipher(chacha20poly1305, key);
  if (aeadId !== HpkeAead.AES_128_GCM && aeadId !== HpkeAead.AES_256_GCM) {
    throw new MedanchorError(
      'HPKE_UNSUPPORTED_SUITE',
      `AEAD id ${aeadId} cannot seal or open; use AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305`,
      { details: { aeadId } },
    );
  }
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

function nobleCipher(make: NobleAead, key: Uint8Array): AeadCipher {
  return {
    seal: async (nonce, aad, pt) => make(key, nonce, aad).encrypt(pt),
    open: async (nonce, aad, ct) => {
      try {
        return make(key, nonce, aad).decrypt(ct);
      } catch {
        return undefined;
      }
    },
  };
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
