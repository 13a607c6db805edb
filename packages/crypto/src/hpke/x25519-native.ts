import { concatBytes, fromHex, toHex } from '@medanchor/core';
import { base64urlnopad } from '@scure/base';
import { bufferSource } from './backend.js';

// Web Crypto X25519 without PKCS#8 on the hot path: Node's OpenSSL 3 DER decoder
// makes a PKCS#8 import cost about ten DH operations, while a JWK import (which
// needs the public key next to the private one) costs about one.

const X25519 = { name: 'X25519' } as const;
// PKCS#8 wrapping of a raw X25519 private key (RFC 8410).
const PKCS8_PREFIX = fromHex('302e020100300506032b656e04220420');

function jwkOf(privateKey: Uint8Array, publicKey: Uint8Array): JsonWebKey {
  return {
    kty: 'OKP',
    crv: 'X25519',
    d: base64urlnopad.encode(privateKey),
    x: base64urlnopad.encode(publicKey),
  };
}

function publicOf(jwk: JsonWebKey): Uint8Array {
  if (typeof jwk.x !== 'string') throw new Error('Web Crypto exported an X25519 key without x');
  return base64urlnopad.decode(jwk.x);
}

/**
 * Imports a raw private key for DH. `publicKey` must be its public key: the JWK
 * format carries both (and Node checks that they match).
 */
export function importX25519Private(
  subtle: SubtleCrypto,
  privateKey: Uint8Array,
  publicKey: Uint8Array,
): Promise<CryptoKey> {
  return subtle.importKey('jwk', jwkOf(privateKey, publicKey), X25519, false, ['deriveBits']);
}

/**
 * The public key of a raw private key with Web Crypto alone (PKCS#8 import, then
 * JWK export). Slow; only for the forced `'webcrypto'` backend.
 */
export async function nativeX25519PublicKey(
  subtle: SubtleCrypto,
  privateKey: Uint8Array,
): Promise<Uint8Array> {
  const key = await subtle.importKey(
    'pkcs8',
    bufferSource(concatBytes(PKCS8_PREFIX, privateKey)),
    X25519,
    true,
    ['deriveBits'],
  );
  return publicOf(await subtle.exportKey('jwk', key));
}

/** A fresh key pair made by the platform; the private half never leaves it. */
export async function generateNativeX25519(
  subtle: SubtleCrypto,
): Promise<{ privateKey: CryptoKey; publicKey: Uint8Array }> {
  const pair = (await subtle.generateKey(X25519, false, ['deriveBits'])) as CryptoKeyPair;
  return {
    privateKey: pair.privateKey,
    publicKey: publicOf(await subtle.exportKey('jwk', pair.publicKey)),
  };
}

/**
 * X25519(privateKey, peer) on Web Crypto; throws on a low-order or malformed peer.
 * `rememberPeer` keeps the imported peer key for next time: for recipient public
 * keys, which recur, not for ephemeral ones, which never do.
 */
export async function nativeX25519Dh(
  subtle: SubtleCrypto,
  privateKey: CryptoKey,
  peer: Uint8Array,
  rememberPeer: boolean,
): Promise<Uint8Array> {
  const known = rememberPeer ? rememberedPeer(subtle, peer) : undefined;
  const pk = known ?? (await subtle.importKey('raw', bufferSource(peer), X25519, false, []));
  if (rememberPeer && known === undefined) remember(peer, pk);
  return new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pk }, privateKey, 256));
}

// Imported public keys, by hex: sealing to the same recipients again (a patient's
// records, a care team) skips the import. Public keys only; bounded, oldest out.
const peers = new Map<string, CryptoKey>();
const MAX_REMEMBERED_PEERS = 256;

let peersOf: SubtleCrypto | undefined;

function rememberedPeer(subtle: SubtleCrypto, peer: Uint8Array): CryptoKey | undefined {
  // Keys belong to the SubtleCrypto that imported them: a swapped one starts afresh.
  if (peersOf !== subtle) {
    peers.clear();
    peersOf = subtle;
  }
  return peers.get(toHex(peer));
}

function remember(peer: Uint8Array, key: CryptoKey): void {
  if (peers.size >= MAX_REMEMBERED_PEERS) peers.delete(peers.keys().next().value!);
  peers.set(toHex(peer), key);
}
