import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

// @noble/ed25519 (a few KB) rather than @noble/curves: receipt verification runs in browser
// pages with size budgets. Its synchronous API needs a SHA-512; set it once, keeping one
// another module may have set.
function ready(): void {
  if (ed.hashes.sha512 === undefined) ed.hashes.sha512 = sha512;
}

/** Ed25519 public key of a 32-byte seed (RFC 8032). */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  ready();
  return ed.getPublicKey(seed);
}

/** Ed25519 signature (RFC 8032, deterministic) of `message` by `seed`. */
export function ed25519Sign(message: Uint8Array, seed: Uint8Array): Uint8Array {
  ready();
  return ed.sign(message, seed);
}

/** Strict RFC 8032 verification (not ZIP 215); false on any malformed input, never throws. */
export function ed25519Verify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  ready();
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** A fresh random 32-byte seed from the platform's secure random source. */
export function ed25519RandomSeed(): Uint8Array {
  return ed.utils.randomSecretKey();
}
