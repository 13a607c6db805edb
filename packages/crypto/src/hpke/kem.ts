import { assertBytes, concatBytes, MedanchorError, utf8 } from '@medanchor/core';
import { x25519 } from '@noble/curves/ed25519.js';
import {
  getCryptoBackend,
  nativeSubtle,
  nativeX25519Now,
  nodeCrypto,
  randomBytes,
  useNativeX25519,
} from './backend.js';
import { freshNativeEphemeral, type NativeEphemeral } from './ephemeral-keys.js';
import { labeledExpand, labeledExpandSync, labeledExtract, labeledExtractSync } from './kdf.js';
import type { NodeCrypto, NodeKeyObject } from './node-crypto.js';
import {
  freshNodeEphemeral,
  importNodePrivate,
  type NodeX25519Pair,
  nodeX25519Dh,
  nodeX25519PublicKey,
} from './node-x25519.js';
import { HpkeKem, i2osp } from './suite.js';
import { importX25519Private, nativeX25519Dh, nativeX25519PublicKey } from './x25519-native.js';

/** Sizes of DHKEM(X25519, HKDF-SHA256): `Nsecret`, `Nenc`, `Npk`, `Nsk`. */
export const X25519_KEY_LENGTH = 32;

const KEM_SUITE_ID = concatBytes(utf8('KEM'), i2osp(HpkeKem.X25519_HKDF_SHA256, 2));

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
  return (await x25519SecretOf(privateKey)).dh(publicKey);
}

function dhFailed(cause: unknown): MedanchorError {
  return new MedanchorError(
    'HPKE_DH_FAILED',
    'X25519 produced no shared secret: the public key is invalid or of low order; ask for a valid key',
    { cause },
  );
}

// Runs one DH and maps every failure, and the all-zero output, to HPKE_DH_FAILED.
async function guardedDh(run: () => Uint8Array | Promise<Uint8Array>): Promise<Uint8Array> {
  let out: Uint8Array;
  try {
    out = await run();
  } catch (cause) {
    throw dhFailed(cause);
  }
  if (out.length !== 32 || out.every((b) => b === 0)) throw dhFailed(undefined);
  return out;
}

/**
 * The public key of an X25519 private key: X25519(sk, 9). Runs on node:crypto where
 * the backend finds it, else on `@noble`'s fixed-base tables (Edwards form) except
 * under the forced `'webcrypto'` backend: Web Crypto cannot import a raw private
 * key without its public key except as PKCS#8, which costs several times more.
 */
export async function x25519PublicKey(privateKey: Uint8Array): Promise<Uint8Array> {
  assertBytes(privateKey, 32, 'X25519 private key');
  const nc = nodeCrypto();
  if (nc !== undefined) {
    try {
      return nodeX25519PublicKey(nc, privateKey);
    } catch {
      // A node:crypto that refuses the import: @noble below gives the same bytes.
    }
  }
  if (getCryptoBackend() === 'webcrypto' && (await useNativeX25519())) {
    const subtle = nativeSubtle()!;
    return guardedDh(() => nativeX25519PublicKey(subtle, privateKey));
  }
  return guardedDh(() => x25519.scalarMultBase(privateKey));
}

/**
 * An {@link X25519Secret} over a key pair whose halves are known to match. On Web
 * Crypto the private key is imported once, on first use, and reused; a platform
 * that refuses the import (JWK) gets `@noble` for this key instead.
 */
function secretOfPair(pair: X25519KeyPair): X25519Secret {
  const sk = pair.privateKey.slice();
  let imported: Promise<CryptoKey | undefined> | undefined;
  let nodeKey: NodeKeyObject | undefined;
  return {
    publicKey: pair.publicKey,
    async dh(peer) {
      assertBytes(peer, 32, 'X25519 public key');
      const nc = nodeCrypto();
      if (nc !== undefined) {
        return guardedDh(() => {
          nodeKey ??= importNodePrivate(nc, sk, pair.publicKey);
          return nodeX25519Dh(nc, nodeKey, peer, false);
        });
      }
      const subtle = nativeX25519Now() ?? ((await useNativeX25519()) ? nativeSubtle() : undefined);
      if (subtle !== undefined) {
        imported ??= importX25519Private(subtle, sk, pair.publicKey).catch(() => undefined);
        const key = await imported;
        if (key !== undefined) return guardedDh(() => nativeX25519Dh(subtle, key, peer, false));
      }
      return guardedDh(() => x25519.scalarMult(sk, peer));
    },
  };
}

/**
 * A fresh ephemeral key for one encapsulation. On node:crypto it is made ahead on a
 * worker thread or made now (always synchronous); on Web Crypto the platform draws
 * it (made ahead when possible, see ephemeral-keys.ts); otherwise DeriveKeyPair
 * over 32 random bytes. Synchronous when a native pair is ready, so the caller's
 * DH starts before its first `await`.
 */
function freshEphemeral(): X25519Secret | Promise<X25519Secret> {
  const nc = nodeCrypto();
  if (nc !== undefined) {
    const secretOf = (pair: NodeX25519Pair): X25519Secret => ({
      publicKey: pair.publicKey,
      dh: (peer) => guardedDh(() => nodeX25519Dh(nc, pair.privateKey, peer, true)),
    });
    return secretOf(freshNodeEphemeral(nc));
  }
  const subtle = nativeX25519Now();
  if (subtle !== undefined) {
    const pair = freshNativeEphemeral(subtle);
    return pair instanceof Promise
      ? pair.then((p) => nativeSecret(subtle, p))
      : nativeSecret(subtle, pair);
  }
  return (async () => {
    const probed = (await useNativeX25519()) ? nativeSubtle() : undefined;
    if (probed !== undefined) return nativeSecret(probed, await freshNativeEphemeral(probed));
    return secretOfPair(await deriveX25519KeyPair(randomBytes(32)));
  })();
}

function nativeSecret(subtle: SubtleCrypto, pair: NativeEphemeral): X25519Secret {
  return {
    publicKey: pair.publicKey,
    dh: (peer) => guardedDh(() => nativeX25519Dh(subtle, pair.privateKey, peer, true)),
  };
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

// DeriveKeyPair without a promise, on node:crypto: the vectors' fixed ephemeral keys
// then take the same synchronous path as fresh ones.
function nodePairOfIkm(nc: NodeCrypto, ikm: Uint8Array): NodeX25519Pair {
  const prk = labeledExtractSync(KEM_SUITE_ID, new Uint8Array(0), 'dkp_prk', ikm);
  const privateKey = labeledExpandSync(KEM_SUITE_ID, prk, 'sk', new Uint8Array(0), 32);
  const publicKey = nodeX25519PublicKey(nc, privateKey);
  return { privateKey: importNodePrivate(nc, privateKey, publicKey), publicKey };
}

/**
 * Encap (base mode) without a promise, when it can run right now: node:crypto in use
 * (an ephemeral key made ahead, else one made now; `ikmE` fixes it, for vectors only).
 * `undefined` otherwise (use {@link encap}). Throws `HPKE_DH_FAILED` for a low-order
 * `pkR`, as {@link encap} does.
 */
export function encapNow(pkR: Uint8Array, ikmE?: Uint8Array): Encapsulation | undefined {
  assertBytes(pkR, 32, 'X25519 public key');
  const nc = nodeCrypto();
  if (nc === undefined) return undefined;
  const pair = ikmE === undefined ? freshNodeEphemeral(nc) : nodePairOfIkm(nc, ikmE);
  let dh: Uint8Array;
  try {
    dh = nodeX25519Dh(nc, pair.privateKey, pkR, true);
  } catch (cause) {
    throw dhFailed(cause);
  }
  if (dh.length !== 32 || dh.every((b) => b === 0)) throw dhFailed(undefined);
  const prk = labeledExtractSync(KEM_SUITE_ID, new Uint8Array(0), 'eae_prk', dh);
  const kemContext = concatBytes(pair.publicKey, pkR);
  return {
    sharedSecret: labeledExpandSync(KEM_SUITE_ID, prk, 'shared_secret', kemContext, 32),
    enc: pair.publicKey,
  };
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
  assertBytes(pkR, 32, 'X25519 public key');
  let eph: X25519Secret;
  if (ikmE !== undefined) eph = secretOfPair(await deriveX25519KeyPair(ikmE));
  else {
    // No await when a key is ready: the DH below then starts in this same turn.
    const fresh = freshEphemeral();
    eph = fresh instanceof Promise ? await fresh : fresh;
  }
  let dh = await eph.dh(pkR);
  let kemContext = concatBytes(eph.publicKey, pkR);
  if (sender !== undefined) {
    dh = concatBytes(dh, await secretOfPair(sender).dh(pkR));
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
  return secretOfPair({ privateKey: sk, publicKey: await x25519PublicKey(sk) });
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
