import { toHex } from '@medanchor/core';
import { base64urlnopad } from '@scure/base';
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

// Key generation runs on libuv's thread pool: pairs made ahead take the fixed-base
// multiplication off the main thread, onto an otherwise idle core. The public half
// comes back as a JWK: asking for SPKI DER instead costs the main thread more per
// key than making the key there (measured on Node 20: ~120 us against ~10 us per
// key), so the 43 base64url characters are decoded here. Each pair is handed out
// once and never reused. A caller sealing in a tight loop of promises collects
// finished pairs only when it waits a turn (see below); a deep pool makes those
// turns rare.
const KEEP_READY = 32;
const ready: NodeX25519Pair[] = [];
let making = 0;
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

function refill(nc: NodeCrypto): void {
  while (ready.length + making < KEEP_READY) {
    making++;
    nc.generateKeyPair('x25519', PUBLIC_JWK, (err, publicJwk, privateKey) => {
      making--;
      const publicKey = rawOfJwk(publicJwk);
      if (err === null && publicKey !== undefined && privateKey !== undefined) {
        ready.push({ privateKey, publicKey });
      }
    });
  }
}

/** A fresh ephemeral key pair made on this thread now (no pool). */
export function makeNodeEphemeralNow(nc: NodeCrypto): NodeX25519Pair {
  return makeNow(nc);
}

function makeNow(nc: NodeCrypto): NodeX25519Pair {
  const made = nc.generateKeyPairSync('x25519');
  return { privateKey: made.privateKey, publicKey: rawPublic(made.publicKey) };
}

const nextTurn = (): Promise<void> | undefined => {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  return immediate === undefined ? undefined : new Promise((resolve) => immediate(resolve));
};

/** A pair made ahead if one is ready (and the start of its replacement), else `undefined`. */
export function takeReadyNodeEphemeral(nc: NodeCrypto): NodeX25519Pair | undefined {
  const pair = ready.shift();
  refill(nc);
  return pair;
}

/**
 * A fresh ephemeral key pair: one made ahead when ready (synchronously, so the
 * caller's DH starts at once). When none is ready but some are being made, waits
 * one turn of the event loop (a caller sealing in a tight loop of promises never
 * gives the pool's callbacks a turn otherwise), then makes one itself if still none.
 */
export function freshNodeEphemeral(nc: NodeCrypto): NodeX25519Pair | Promise<NodeX25519Pair> {
  const pair = ready.shift();
  const waitable = pair === undefined && making > 0 ? nextTurn() : undefined;
  refill(nc);
  if (pair !== undefined) return pair;
  if (waitable === undefined) return makeNow(nc);
  return waitable.then(() => {
    const later = ready.shift();
    refill(nc);
    return later ?? makeNow(nc);
  });
}
