// node:crypto, found at run time: a static import would break the browser build, and
// `process.getBuiltinModule` (Node >= 20.16) hands the module over synchronously, so
// the first seal already runs on it. Only the calls used here are declared, so no
// Node type reaches the published declarations.

import { nodeBuiltin } from '@medanchor/core';

/** An AEAD encryption in progress (`crypto.Cipher` in Node's terms). */
export interface NodeCipher {
  setAAD(aad: Uint8Array): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  getAuthTag(): Uint8Array;
}

/** An AEAD decryption in progress (`crypto.Decipher`). */
export interface NodeDecipher {
  setAAD(aad: Uint8Array): unknown;
  setAuthTag(tag: Uint8Array): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}

/** A key held by node:crypto (`crypto.KeyObject`). */
export interface NodeKeyObject {
  export(options: { format: 'jwk' }): { x?: string; d?: string };
}

/** An X25519 key in JWK form, as node:crypto imports it. */
export interface X25519Jwk {
  kty: 'OKP';
  crv: 'X25519';
  x: string;
  d?: string;
}

/** The part of node:crypto this package calls. */
export interface NodeCrypto {
  createCipheriv(
    algorithm: string,
    key: Uint8Array,
    iv: Uint8Array,
    options: { authTagLength: number },
  ): NodeCipher;
  createDecipheriv(
    algorithm: string,
    key: Uint8Array,
    iv: Uint8Array,
    options: { authTagLength: number },
  ): NodeDecipher;
  createHmac(
    algorithm: 'sha256',
    key: Uint8Array,
  ): {
    update(data: Uint8Array): { digest(): Uint8Array };
  };
  /** One-shot digest (Node >= 20.12); `createHash` where absent. */
  hash?(algorithm: 'sha256', data: Uint8Array, outputEncoding: 'buffer'): Uint8Array;
  createHash(algorithm: 'sha256'): { update(data: Uint8Array): { digest(): Uint8Array } };
  createPublicKey(key: NodeKeyObject | { key: X25519Jwk; format: 'jwk' }): NodeKeyObject;
  createPrivateKey(key: { key: X25519Jwk; format: 'jwk' }): NodeKeyObject;
  generateKeyPairSync(
    type: 'x25519',
    options: { publicKeyEncoding: { format: 'jwk' } },
  ): { privateKey: NodeKeyObject; publicKey: { x?: unknown } };
  diffieHellman(options: { privateKey: NodeKeyObject; publicKey: NodeKeyObject }): Uint8Array;
}

let probed: NodeCrypto | null | undefined;
let hidden = false;

/**
 * node:crypto when the runtime offers it (Node, and runtimes that mimic its
 * `process.getBuiltinModule`), else `undefined` (browsers, Node before 20.16).
 */
export function nodeCryptoModule(): NodeCrypto | undefined {
  if (hidden) return undefined;
  if (probed === undefined) probed = nodeBuiltin<NodeCrypto>('node:crypto') ?? null;
  return probed ?? undefined;
}

/**
 * Internal, for tests: `true` makes this process behave as if node:crypto were
 * absent, so the browser paths (Web Crypto and `@noble`) run under `'auto'` too.
 */
export function hideNodeCrypto(hide: boolean): void {
  hidden = hide;
}

/** A plain Uint8Array view of bytes node:crypto returned (a Buffer), so no Buffer escapes. */
export function plainBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
