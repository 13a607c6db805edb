import { MedanchorError, toHex } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import {
  type Base58Prefixes,
  p2pkhAddress,
  p2shP2wpkhAddress,
  p2trAddress,
  p2wpkhAddress,
  p2wshAddress,
} from '../bip322/address.js';
import { multisigScript } from '../bip322/script.js';
import type { ConsentSigner } from './grant.js';
import type { ConsentSignOptions } from './signature.js';
import { signConsentDigest } from './signature.js';

/** The kinds of signer {@link consentSignerForKey} derives from one secret key. */
export type ConsentKeyKind = 'bip340' | 'p2pkh' | 'p2sh-p2wpkh' | 'p2wpkh' | 'p2tr';

/** Base58 prefixes for a bech32 prefix: Bitcoin mainnet for `bc`, the test networks' otherwise. */
function base58For(hrp: string): Base58Prefixes {
  return hrp === 'bc'
    ? { pubKeyHash: 0x00, scriptHash: 0x05 }
    : { pubKeyHash: 0x6f, scriptHash: 0xc4 };
}

function assertSecretKey(secretKey: unknown): asserts secretKey is Uint8Array {
  if (!(secretKey instanceof Uint8Array) || !secp256k1.utils.isValidSecretKey(secretKey)) {
    throw new MedanchorError('INVALID_KEY', 'a secret key is 32 bytes in [1, n-1]');
  }
}

/**
 * The {@link ConsentSigner} of a patient's secret key: its BIP-340 x-only public key,
 * or its P2PKH, P2SH-P2WPKH, P2WPKH or P2TR (BIP-86) address on the network with bech32
 * prefix `hrp` (base58 addresses use Bitcoin mainnet's version bytes for `bc`, the test
 * networks' otherwise, unless `base58` says).
 * @throws `MedanchorError` `INVALID_KEY`.
 * @example
 * ```ts
 * const signer = consentSignerForKey(patientSecretKey, 'p2tr'); // { scheme: 'bip322', address: 'bc1p...' }
 * ```
 */
export function consentSignerForKey(
  secretKey: Uint8Array,
  kind: ConsentKeyKind = 'bip340',
  hrp = 'bc',
  base58: Base58Prefixes = base58For(hrp),
): ConsentSigner {
  assertSecretKey(secretKey);
  const compressed = () => secp256k1.getPublicKey(secretKey, true);
  switch (kind) {
    case 'p2pkh':
      return { scheme: 'bip322', address: p2pkhAddress(compressed(), base58.pubKeyHash) };
    case 'p2sh-p2wpkh':
      return { scheme: 'bip322', address: p2shP2wpkhAddress(compressed(), base58.scriptHash) };
    case 'p2wpkh':
      return { scheme: 'bip322', address: p2wpkhAddress(compressed(), hrp) };
    case 'p2tr':
      return { scheme: 'bip322', address: p2trAddress(schnorr.getPublicKey(secretKey), hrp) };
    case 'bip340':
      return { scheme: 'bip340', publicKey: toHex(schnorr.getPublicKey(secretKey)) };
    default:
      throw new MedanchorError('INVALID_OPTION', `unknown signer kind "${String(kind)}"`);
  }
}

/**
 * An m-of-n P2WSH multisig signer over the given secret keys' compressed public keys (in
 * the order given), with the witness script its signatures need.
 * @throws `MedanchorError` `INVALID_KEY`, `INVALID_OPTION` (threshold out of 1..n, n > 16).
 * @example
 * ```ts
 * const { signer, witnessScript } = consentMultisigSigner([k1, k2, k3], 2, 'bcrt');
 * const signed = signConsentGrant(grant, [k1, k3], { witnessScript });
 * ```
 */
export function consentMultisigSigner(
  secretKeys: readonly Uint8Array[],
  threshold: number,
  hrp = 'bc',
): { signer: ConsentSigner; witnessScript: Uint8Array } {
  secretKeys.forEach(assertSecretKey);
  const n = secretKeys.length;
  if (n < 1 || n > 16 || !Number.isInteger(threshold) || threshold < 1 || threshold > n) {
    throw new MedanchorError(
      'INVALID_OPTION',
      'a multisig has 1 to 16 keys and a threshold from 1 to their count',
    );
  }
  const witnessScript = multisigScript(
    threshold,
    secretKeys.map((k) => secp256k1.getPublicKey(k, true)),
  );
  return { signer: { scheme: 'bip322', address: p2wshAddress(witnessScript, hrp) }, witnessScript };
}

/**
 * What an external signer is asked to sign: the document kind, the signer it must sign
 * as, the 32-byte digest (the BIP-340 message) and the BIP-322 message text (what a
 * wallet shows and signs for an address).
 */
export interface ConsentSignRequest {
  /** Grant or revocation. */
  kind: 'grant' | 'revocation';
  /** The signer the signature must verify for (`grant.signer` or `revocation.signer`). */
  signer: ConsentSigner;
  /** The document's tagged-hash digest: what a BIP-340 signer signs. */
  digest: Uint8Array;
  /** `medanchor consent <kind> v1 <digest hex>`: what a BIP-322 signer signs. */
  message: string;
}

/**
 * A signer outside the process (KMS, HSM, hardware wallet, a remote service): returns
 * the signature string in the encoding of `request.signer.scheme` (128 hex digits for
 * BIP-340, a BIP-322 signature for addresses), directly or as a Promise. Whatever it
 * returns is verified before a signed document is handed back.
 */
export type ConsentSigningFunction = (request: ConsentSignRequest) => string | Promise<string>;

/**
 * A {@link ConsentSigningFunction} over secret keys held in this process: the same
 * signatures as passing the keys to `signConsentGrant` directly.
 * @example
 * ```ts
 * const signed = await signConsentGrant(grant, consentKeySigner(patientSecretKey));
 * ```
 */
export function consentKeySigner(
  secretKey: Uint8Array | Uint8Array[],
  options: ConsentSignOptions = {},
): ConsentSigningFunction {
  return (request) =>
    signConsentDigest(request.signer, request.kind, request.digest, secretKey, options);
}
