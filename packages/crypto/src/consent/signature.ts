// Signing and checking a consent digest with the signer's scheme: BIP-340 over the
// digest itself, or BIP-322 over a short text that names the digest.
import { fromHex, MedanchorError, toHex } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { verifyBip322 } from '../bip322/bip322.js';
import { type Bip322SignOptions, signBip322 } from '../bip322/sign.js';
import { verifyBip340 } from './bip340-verify.js';
import { consentBip322Message } from './canonical.js';
import type { ConsentSigner } from './grant.js';
import { rememberVerified, signatureCacheKey, wasVerified } from './signature-cache.js';
import type { ConsentSigningFunction, ConsentSignRequest } from './signer.js';

/**
 * Options for signing grants and revocations with keys in this process: BIP-340
 * auxiliary randomness, and for BIP-322 signers the scripts and time-lock fields of
 * {@link Bip322SignOptions} (`witnessScript` for P2WSH multisig, `tapscript`, ...).
 */
export interface ConsentSignOptions extends Omit<Bip322SignOptions, 'prefix' | 'base58'> {
  /** 32 bytes of BIP-340 auxiliary randomness (fixed only for test vectors); fresh random bytes when omitted. */
  auxRand?: Uint8Array;
}

const SIG_HEX = /^[0-9a-f]{128}$/;

/**
 * Signs a consent digest for `signer`; the key must be the signer's.
 * @throws `MedanchorError` `INVALID_KEY` or `SIGNER_MISMATCH`.
 */
export function signConsentDigest(
  signer: ConsentSigner,
  kind: 'grant' | 'revocation',
  digest: Uint8Array,
  secretKey: Uint8Array | Uint8Array[],
  options: ConsentSignOptions,
): string {
  if (signer.scheme === 'bip322') {
    return signBip322(consentBip322Message(kind, digest), signer.address, secretKey, options);
  }
  if (!(secretKey instanceof Uint8Array) || !secp256k1.utils.isValidSecretKey(secretKey)) {
    throw new MedanchorError(
      'INVALID_KEY',
      'a BIP-340 signer needs one 32-byte secret key in [1, n-1]',
    );
  }
  if (toHex(schnorr.getPublicKey(secretKey)) !== signer.publicKey) {
    throw new MedanchorError(
      'SIGNER_MISMATCH',
      `the secret key does not match the ${kind}'s signer.publicKey; sign with the patient's key`,
    );
  }
  const aux = options.auxRand ?? globalThis.crypto.getRandomValues(new Uint8Array(32));
  if (!(aux instanceof Uint8Array) || aux.length !== 32) {
    throw new MedanchorError('INVALID_LENGTH', 'auxRand must be 32 bytes');
  }
  return toHex(schnorr.sign(digest, secretKey, aux));
}

/** Why `signature` is not `signer`'s signature of `digest`, or undefined when it is. Never throws. */
export function consentSignatureProblem(
  signer: ConsentSigner,
  kind: 'grant' | 'revocation',
  digest: Uint8Array,
  signature: unknown,
): string | undefined {
  if (typeof signature !== 'string') return 'the signature must be a string';
  const signerId = signer.scheme === 'bip322' ? signer.address : signer.publicKey;
  const key = signatureCacheKey(signer.scheme, signerId, kind, toHex(digest), signature);
  if (wasVerified(key)) return undefined;
  const problem = signatureProblem(signer, kind, digest, signature);
  if (problem === undefined) rememberVerified(key);
  return problem;
}

function signatureProblem(
  signer: ConsentSigner,
  kind: 'grant' | 'revocation',
  digest: Uint8Array,
  signature: string,
): string | undefined {
  if (signer.scheme === 'bip322') {
    const r = verifyBip322(consentBip322Message(kind, digest), signer.address, signature);
    return r.valid ? undefined : `BIP-322: ${r.reason}`;
  }
  if (!SIG_HEX.test(signature)) return 'a BIP-340 signature is 128 lowercase hex digits';
  let publicKey: Uint8Array;
  try {
    publicKey = fromHex(signer.publicKey);
  } catch {
    return 'BIP-340 signature check failed';
  }
  return verifyBip340(fromHex(signature), digest, signer.publicKey, publicKey)
    ? undefined
    : 'BIP-340 signature check failed';
}

/**
 * Asks an external signer for the signature of `request` and checks it before it is
 * used. The signer's own failure becomes `SIGNER_FAILED` (its error kept as the cause,
 * not in the message); a result that is not a string, or does not verify for
 * `request.signer`, is `BAD_SIGNATURE`.
 */
export async function externalConsentSignature(
  request: ConsentSignRequest,
  sign: ConsentSigningFunction,
): Promise<string> {
  let signature: unknown;
  try {
    signature = await sign(request);
  } catch (cause) {
    if (cause instanceof MedanchorError) throw cause;
    throw new MedanchorError(
      'SIGNER_FAILED',
      `the external signer failed to sign the ${request.kind}; check the device or service and retry`,
      { cause },
    );
  }
  const problem = consentSignatureProblem(request.signer, request.kind, request.digest, signature);
  if (problem !== undefined) {
    throw new MedanchorError(
      'BAD_SIGNATURE',
      `the external signer returned a signature that does not verify for the ${request.kind}'s signer (${problem}); check that it signs with the signer's key`,
    );
  }
  return signature as string;
}
