import { MedanchorError } from '@medanchor/core';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { bufferSource, nativeSubtle } from './backend.js';
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
  return subtle === undefined ? nobleCipher(gcm, key) : nativeGcm(subtle, key);
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
