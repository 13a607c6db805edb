import { assertBytes, concatBytes, fromHex, MedanchorError, utf8 } from '@medanchor/core';
import { x25519 } from '@noble/curves/ed25519.js';
import { bufferSource, nativeSubtle, randomBytes, useNativeX25519 } from './backend.js';
import { labeledExpand, labeledExtract } from './kdf.js';
import { HpkeKem, i2osp } from './suite.js';

/** Sizes of DHKEM(X25519, HKDF-SHA256): `Nsecret`, `Nenc`, `Npk`, `Nsk`. */
export const X25519_KEY_LENGTH = 32;

const KEM_SUITE_ID = concatBytes(utf8('KEM'), i2osp(HpkeKem.X25519_HKDF_SHA256, 2));
const BASE_POINT = (() => {
  const u = new Uint8Array(32);
  u[0] = 9;
  return u;
})();
// PKCS#8 wrapping of a raw X25519 private key (RFC 8410): Web Crypto imports no raw private keys.
const PKCS8_PREFIX = fromHex('302e020100300506032b656e04220420');

/** An X25519 key pair as raw 32-byte strings (RFC 7748 encodings). */
export interface X25519KeyPair {
  /** The 32-byte private scalar. Keep it secret. */
  privateKey: Uint8Array;
  /** The 32-byte public u-coordinate. */
  publicKey: Uint8Array;
}

/**
 * X25519(sk, pk). Rejects the all-zero output (a low-order public key), as RFC 9180
 * section 7.1.4 requires, with the same error on both backends.
 */
export async function x25519Dh(privateKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
  assertBytes(privateKey, 32, 'X25519 private key');
  assertBytes(publicKey, 32, 'X25519 public key');
  let out: Uint8Array;
  try {
    if (await useNativeX25519()) {
      const subtle = nativeSubtle()!;
      const [sk, pk] = await Promise.all([
        subtle.importKey(
          'pkcs8',
          bufferSource(concatBytes(PKCS8_PREFIX, privateKey)),
          { name: 'X25519' },
          false,
          ['deriveBits'],
        ),
        subtle.importKey('raw', bufferSource(publicKey), { name: 'X25519' }, false, []),
      ]);
      out = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pk }, sk, 256));
    } else {
      out = x25519.scalarMult(privateKey, publicKey);
    }
  } catch (cause) {
    throw dhFailed(cause);
  }
  if (out.every((b) => b === 0)) throw dhFailed(undefined);
  return out;
}

function dhFailed(cause: unknown): MedanchorError {
  return new MedanchorError(
    'HPKE_DH_FAILED',
    'X25519 produced no shared secret: the public key is invalid or of low order; ask for a valid key',
    { cause },
  );
}

/** The public key of an X25519 private key: X25519(sk, 9). */
export function x25519PublicKey(privateKey: Uint8Array): Promise<Uint8Array> {
  return x25519Dh(privateKey, BASE_POINT);
}

/** RFC 9180 DeriveKeyPair for DHKEM(X25519, HKDF-SHA256): deterministic from `ikm`. */
export async function deriveX25519KeyPair(ikm: Uint8Array): Promise<X25519KeyPair> {
  const prk = await labeledExtract(KEM_SUITE_ID, new Uint8Array(0), 'dkp_prk', ikm);
  const privateKey = await labeledExpand(KEM_SUITE_ID, prk, 'sk', new Uint8Array(0), 32);
  return { privateKey, publicKey: await x25519PublicKey(privateKey) };
}

/** A fresh random X25519 key pair (DeriveKeyPair over 32 random bytes). */
export function generateX25519KeyPair(): Promise<X25519KeyPair> {
  return deriveX25519KeyPair(randomBytes(32));
}

async function extractAndExpand(dh: Uint8Array, kemContext: Uint8Array): Promise<Uint8Array> {
  const prk = await labeledExtract(KEM_SUITE_ID, new Uint8Array(0), 'eae_prk', dh);
  return labeledExpand(KEM_SUITE_ID, prk, 'shared_secret', kemContext, 32);
}

/** Result of an encapsulation: the shared secret and `enc`, the ephemeral public key. */
export interface Encapsulation {
  sharedSecret: Uint8Array;
  enc: Uint8Array;
}

/**
 * Encap / AuthEncap of RFC 9180 section 4.1. `ikmE` makes the ephemeral key
 * deterministic (test vectors only); without it the key is random.
 */
export async function encap(
  pkR: Uint8Array,
  sender?: X25519KeyPair,
  ikmE?: Uint8Array,
): Promise<Encapsulation> {
  const eph = await deriveX25519KeyPair(ikmE ?? randomBytes(32));
  let dh = await x25519Dh(eph.privateKey, pkR);
  let kemContext = concatBytes(eph.publicKey, pkR);
  if (sender !== undefined) {
    dh = concatBytes(dh, await x25519Dh(sender.privateKey, pkR));
    kemContext = concatBytes(kemContext, sender.publicKey);
  }
  return { sharedSecret: await extractAndExpand(dh, kemContext), enc: eph.publicKey };
}

/**
 * An X25519 private key reachable only through its DH operation, so it can live in
 * an HSM or KMS that exposes X25519 key agreement but never the key.
 */
export interface X25519Secret {
  /** The 32-byte public key of the held private key. */
  readonly publicKey: Uint8Array;
  /** X25519(privateKey, peerPublicKey): the raw 32-byte shared secret. */
  dh(peerPublicKey: Uint8Array): Promise<Uint8Array>;
}

/** An {@link X25519Secret} over a private key held in memory. */
export async function x25519SecretOf(privateKey: Uint8Array): Promise<X25519Secret> {
  assertBytes(privateKey, 32, 'X25519 private key');
  const sk = privateKey.slice();
  return { publicKey: await x25519PublicKey(sk), dh: (pk) => x25519Dh(sk, pk) };
}

async function checkedDh(secret: X25519Secret, pk: Uint8Array): Promise<Uint8Array> {
  const out = await secret.dh(pk);
  // An external DH may not reject low-order points itself; RFC 9180 7.1.4 requires it.
  if (out.length !== 32 || out.every((b) => b === 0)) throw dhFailed(undefined);
  return out;
}

/** Decap / AuthDecap of RFC 9180 section 4.1, with the recipient key behind `dh`. */
export async function decap(
  enc: Uint8Array,
  recipient: X25519Secret,
  pkS?: Uint8Array,
): Promise<Uint8Array> {
  assertBytes(enc, 32, 'HPKE enc');
  let dh = await checkedDh(recipient, enc);
  let kemContext = concatBytes(enc, recipient.publicKey);
  if (pkS !== undefined) {
    dh = concatBytes(dh, await checkedDh(recipient, pkS));
    kemContext = concatBytes(kemContext, pkS);
  }
  return extractAndExpand(dh, kemContext);
}
