import { MedanchorError, toHex } from '@medanchor/core';
import { canonicalizeJson } from '../jcs/jcs.js';
import { parseJsonStrict } from '../jcs/strict-parse.js';
import { consentBip322Message, consentGrantDigest } from './canonical.js';
import {
  assertConsentGrant,
  type ConsentGrant,
  consentGrantProblem,
  extraKey,
  isPlainObject,
} from './grant.js';
import {
  type ConsentSignOptions,
  consentSignatureProblem,
  externalConsentSignature,
  signConsentDigest,
} from './signature.js';
import type { ConsentSigningFunction } from './signer.js';

/**
 * A grant with the patient's signature: 128 hex digits (BIP-340 over the grant
 * digest) or a BIP-322 signature string (for `bip322` signers).
 */
export interface SignedConsentGrant {
  /** The grant as signed. */
  grant: ConsentGrant;
  /** The patient's signature; its encoding follows `grant.signer.scheme`. */
  signature: string;
}

/**
 * Signs a grant with the patient's secret key (the key of `grant.signer`; several keys
 * for a multisig address, with `options.witnessScript`).
 * @throws `MedanchorError` `INVALID_GRANT`, `INVALID_KEY` or `SIGNER_MISMATCH`.
 * @example
 * ```ts
 * const signed = signConsentGrant(grant, patientSecretKey);
 * verifyConsentGrant(signed).valid; // true
 * ```
 */
export function signConsentGrant(
  grant: ConsentGrant,
  secretKey: Uint8Array | Uint8Array[],
  options?: ConsentSignOptions,
): SignedConsentGrant;
/**
 * Signs a grant through a signer outside the process (KMS, HSM, hardware wallet) that
 * may answer asynchronously. Its signature is verified before the grant is returned.
 * @throws (rejects with) `MedanchorError` `INVALID_GRANT`, `SIGNER_FAILED` (the signer
 *   threw) or `BAD_SIGNATURE` (it returned a signature that does not verify).
 * @example
 * ```ts
 * const signed = await signConsentGrant(grant, async ({ message }) =>
 *   wallet.signMessageBip322(grant.signer.address, message),
 * );
 * ```
 */
export function signConsentGrant(
  grant: ConsentGrant,
  signer: ConsentSigningFunction,
): Promise<SignedConsentGrant>;
export function signConsentGrant(
  grant: ConsentGrant,
  key: Uint8Array | Uint8Array[] | ConsentSigningFunction,
  options: ConsentSignOptions = {},
): SignedConsentGrant | Promise<SignedConsentGrant> {
  if (typeof key === 'function') return signGrantWith(grant, key);
  const copy = frozenCopy(grant);
  const digest = consentGrantDigest(copy);
  return {
    grant: copy,
    signature: signConsentDigest(copy.signer, 'grant', digest, key, options),
  };
}

// A private copy: later changes to the caller's object must not alter what was signed.
function frozenCopy(grant: ConsentGrant): ConsentGrant {
  assertConsentGrant(grant);
  return JSON.parse(canonicalizeJson(grant)) as ConsentGrant;
}

async function signGrantWith(
  grant: ConsentGrant,
  sign: ConsentSigningFunction,
): Promise<SignedConsentGrant> {
  const copy = frozenCopy(grant);
  const digest = consentGrantDigest(copy);
  const signature = await externalConsentSignature(
    { kind: 'grant', signer: copy.signer, digest, message: consentBip322Message('grant', digest) },
    sign,
  );
  return { grant: copy, signature };
}

/** Result of {@link verifyConsentGrant}. */
export type ConsentGrantVerification =
  | { valid: true; grant: ConsentGrant; grantHash: string }
  | { valid: false; step: 'shape' | 'signature'; reason: string };

/**
 * Checks a signed grant: its shape (every field, no unknown ones) and the patient's
 * signature over its canonical digest. Never throws.
 * @example
 * ```ts
 * const r = verifyConsentGrant(JSON.parse(text));
 * if (!r.valid) console.warn(r.step, r.reason);
 * ```
 */
export function verifyConsentGrant(signed: unknown): ConsentGrantVerification {
  if (!isPlainObject(signed))
    return { valid: false, step: 'shape', reason: 'a signed grant must be an object' };
  const extra = extraKey(signed, ['grant', 'signature']);
  if (extra) return { valid: false, step: 'shape', reason: `unknown field "${extra}"` };
  const problem = consentGrantProblem(signed['grant']);
  if (problem) return { valid: false, step: 'shape', reason: problem };
  const grant = signed['grant'] as ConsentGrant;
  const digest = consentGrantDigest(grant);
  const bad = consentSignatureProblem(grant.signer, 'grant', digest, signed['signature']);
  return bad
    ? { valid: false, step: 'signature', reason: bad }
    : { valid: true, grant, grantHash: toHex(digest) };
}

/** Canonical JSON text of a signed grant, for storage and transport. */
export function serializeSignedConsentGrant(signed: SignedConsentGrant): string {
  return canonicalizeJson(signed);
}

/**
 * Parses JSON text into a signed grant and verifies it (shape and signature). Duplicate
 * member names are refused, since JSON parsers disagree on which one wins.
 * @throws `MedanchorError` `INVALID_GRANT` (not JSON, or a bad field) or
 *   `BAD_SIGNATURE` (well formed, but the patient's signature does not verify).
 */
export function parseSignedConsentGrant(text: string): SignedConsentGrant {
  let value: unknown;
  try {
    value = parseJsonStrict(text);
  } catch (cause) {
    throw new MedanchorError(
      'INVALID_GRANT',
      'the signed grant is not valid JSON or repeats a member name',
      { cause },
    );
  }
  const r = verifyConsentGrant(value);
  if (!r.valid) {
    throw r.step === 'shape'
      ? new MedanchorError('INVALID_GRANT', `invalid signed grant: ${r.reason}`)
      : new MedanchorError(
          'BAD_SIGNATURE',
          `the grant's signature does not verify (${r.reason}); obtain a freshly signed grant`,
        );
  }
  return value as SignedConsentGrant;
}
