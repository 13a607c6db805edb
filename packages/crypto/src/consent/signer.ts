import { MedanchorError, toHex } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { p2trAddress, p2wpkhAddress } from '../bip322/address.js';
import type { ConsentSigner } from './grant.js';

/**
 * The {@link ConsentSigner} of a patient's secret key: its BIP-340 x-only public key,
 * or its P2WPKH or P2TR (BIP-86) address on the network with bech32 prefix `hrp`.
 * @throws `MedanchorError` `INVALID_KEY`.
 * @example
 * ```ts
 * const signer = consentSignerForKey(patientSecretKey, 'p2tr'); // { scheme: 'bip322', address: 'bc1p...' }
 * ```
 */
export function consentSignerForKey(
  secretKey: Uint8Array,
  kind: 'bip340' | 'p2wpkh' | 'p2tr' = 'bip340',
  hrp = 'bc',
): ConsentSigner {
  if (!(secretKey instanceof Uint8Array) || !secp256k1.utils.isValidSecretKey(secretKey)) {
    throw new MedanchorError('INVALID_KEY', 'a secret key is 32 bytes in [1, n-1]');
  }
  if (kind === 'p2wpkh')
    return {
      scheme: 'bip322',
      address: p2wpkhAddress(secp256k1.getPublicKey(secretKey, true), hrp),
    };
  if (kind === 'p2tr')
    return { scheme: 'bip322', address: p2trAddress(schnorr.getPublicKey(secretKey), hrp) };
  return { scheme: 'bip340', publicKey: toHex(schnorr.getPublicKey(secretKey)) };
}
