import { toHex } from '@medanchor/core';
import { base64urlnopad } from '@scure/base';
import { takePooledX25519 } from './ephemeral-worker.js';
import type { NodeCrypto, NodeKeyObject } from './node-crypto.js';
import { plainBytes } from './node-crypto.js';

// X25519 on node:crypto, synchronous: a DH is one native call, where Web Crypto in
// Node pays a promise, argument checks and a thread hop for the same work.

/** A key pair made by node:crypto; the private half stays a KeyObject. */
export interface NodeX25519Pair {
  privateKey: NodeKeyObject;
  publicKey: Uint8Array;
}

// JWK "x" of a private key import. Node derives the public half from "d" and only
// checks that "x" is a string, so a public key can be computed from a raw private
// key without the slow PKCS#8 decoder; the tests compare every result with @noble.
const PLACEHOLDER_X = base64urlnopad.encode(new Uint8Array(32));

function rawPublic(key: NodeKeyObject): Uint8Array {
  const x = key.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('node:crypto exported an X25519 key without x');
  return base64urlnopad.decode(x);
}

/** Imports a raw private key; `publicKey` is its public half when known. */
export function importNodePrivate(
  nc: NodeCrypto,
  privateKey: Uint8Array,
  publicKey?: Uint8Array,
): NodeKeyObject {
  return nc.createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'X25519',
      d: base64urlnopad.encode(privateKey),
      x: publicKey === undefined ? PLACEHOLDER_X : base64urlnopad.encode(publicKey),
    },
    format: 'jwk',
  });
}

/** X25519(privateKey, 9) on node:crypto. */
export function nodeX25519PublicKey(nc: NodeCrypto, privateKey: Uint8Array): Uint8Array {
  return rawPublic(nc.createPublicKey(importNodePrivate(nc, privateKey)));
}

/**
 * X25519(privateKey, peer); throws on a low-order peer (OpenSSL refuses the
 * all-zero result). `rememberPeer` keeps the imported peer for next time: for
 * recipient public keys, which recur, not for ephemeral ones, which never do.
 */
export function nodeX25519Dh(
  nc: NodeCrypto,
  privateKey: NodeKeyObject,
  peer: Uint8Array,
  rememberPeer: boolean,
): Uint8Array {
  const id = rememberPeer ? toHex(peer) : '';
  let pk = rememberPeer ? peers.get(id) : undefined;
  if (pk === undefined) {
    pk = nc.createPublicKey({
      key: { kty: 'OKP', crv: 'X25519', x: base64urlnopad.encode(peer) },
      format: 'jwk',
    });
    if (rememberPeer) {
      if (peers.size >= MAX_REMEMBERED_PEERS) peers.delete(peers.keys().next().value!);
      peers.set(id, pk);
    }
  }
  return plainBytes(nc.diffieHellman({ privateKey, publicKey: pk }));
}

// Imported recipient public keys, by hex: sealing to the same recipients again (a
// patient's records, a care team) skips the import. Public keys only; bounded.
const peers = new Map<string, NodeKeyObject>();
const MAX_REMEMBERED_PEERS = 256;

/** A fresh ephemeral key pair made on this thread now. */
export function makeNodeEphemeralNow(nc: NodeCrypto): NodeX25519Pair {
  const made = nc.generateKeyPairSync('x25519', PUBLIC_JWK);
  const publicKey = rawOfJwk(made.publicKey);
  if (publicKey === undefined) throw new Error('node:crypto made an X25519 key without x');
  return { privateKey: made.privateKey, publicKey };
}

// The public half as a JWK: asking for SPKI DER, or for a KeyObject and exporting it,
// costs more than decoding the 43 base64url characters here.
const PUBLIC_JWK = { publicKeyEncoding: { format: 'jwk' } } as const;

function rawOfJwk(jwk: { x?: unknown } | undefined): Uint8Array | undefined {
  const x = jwk?.x;
  if (typeof x !== 'string' || x.length !== 43) return undefined;
  try {
    return base64urlnopad.decode(x);
  } catch {
    return undefined;
  }
}

/**
 * A fresh ephemeral key pair, synchronously: one made ahead on the worker thread
 * when ready (see ephemeral-worker.ts), else one made now. Never handed out twice.
 */
export function freshNodeEphemeral(nc: NodeCrypto): NodeX25519Pair {
  return takePooledX25519() ?? makeNodeEphemeralNow(nc);
}
